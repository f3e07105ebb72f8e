"""Resilience runs: a real `award-ledger serve` (and `award-ledger project`) in subprocesses on a fresh
PostgreSQL database, driven by concurrent HTTP clients, with faults injected by the test.

They take tens of seconds each, so a plain `make test` skips them; `.ci/run` runs the short form
(LEDGER_RESILIENCE=1) and `make soak` the long one (LEDGER_RESILIENCE_SECONDS=60, more rounds, and
LEDGER_FUZZ_EXAMPLES=3000 requests per fuzzing pass instead of 300). The fuzzing pass (test_fuzz.py) runs on
each store, SQLite and PostgreSQL, through the two-backend `database_url` fixture.
Restarting the PostgreSQL server disturbs everyone using it, so that test also needs
LEDGER_ALLOW_PG_RESTART=1 (set by .ci/run, where tests run one after another).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.resilience.harness import Service, write_principals


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "resilience: load and fault runs against real subprocesses (slow)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("LEDGER_RESILIENCE") == "1":
        return
    skip = pytest.mark.skip(reason="resilience runs are slow: LEDGER_RESILIENCE=1 (as .ci/run and make soak do)")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.fixture
def principals(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    return write_principals(tmp_path)


@pytest.fixture
def service(fresh_postgres_url: str, principals: tuple[Path, dict[str, str]],
            tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start `award-ledger serve` (or `project`) on the test's database; every one started is stopped."""
    started: list[Service] = []

    def start(command: str = "serve", **env: str) -> Service:
        svc = Service(command, fresh_postgres_url, principals[0], tmp_path, env)
        started.append(svc)
        return svc

    yield start
    for svc in started:
        svc.stop()
