"""The one two-backend fixture: every store, projection and API test runs on SQLite and on PostgreSQL.

`database_url` yields a LEDGER_DATABASE_URL for an empty store: a fresh SQLite file, or a fresh
PostgreSQL database created on the server named by LEDGER_TEST_POSTGRES_URL and dropped afterwards.
Without a reachable server the PostgreSQL half is skipped locally, and fails under CI or when
LEDGER_REQUIRE_POSTGRES=1, so a green CI run always means both backends ran.
"""

import os
from collections.abc import Iterator

import psycopg
import pytest

from tests.support import fresh_postgres_database

# The command line speaks the reader's language (api/cli_language.py): tests read its English, as CI's C.UTF-8
# locale gives, unless a test chooses a language itself.
for _variable in ("LEDGER_LANG", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"
# `close` waits LEDGER_CLOSE_SETTLE (12 s) for commands decided before its moment to be saved: the tests of its
# figures record nothing meanwhile and close at once; tests/finance/test_close_settle.py races a save against it.
os.environ["LEDGER_CLOSE_SETTLE"] = "0"

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
START_POSTGRES_HINT = (
    "Start the local server with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "(`bash .ci/run` does this itself), or point LEDGER_TEST_POSTGRES_URL at a server where this user "
    "may CREATE DATABASE."
)


def _postgres_required() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return os.environ.get("LEDGER_REQUIRE_POSTGRES") == "1" or ci not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The PostgreSQL server tests create their databases on; skips or fails once if it is unreachable."""
    url = os.environ.get("LEDGER_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as err:
        msg = f"PostgreSQL is not reachable at {url}: {str(err).strip()}\n{START_POSTGRES_HINT}"
    else:
        return url
    if _postgres_required():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A LEDGER_DATABASE_URL for an empty store, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.sqlite3"
        return
    with fresh_postgres_database(request.getfixturevalue("postgres_server_url")) as url:
        yield url


@pytest.fixture
def demo_district(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    """A small demo district on each store, the CLI pointed at it (its own working folder and key file); its URL."""
    from ledger.application import AwardLedger
    from ledger.demo import generate
    from ledger.store import store_env

    ledger = AwardLedger(store_env(database_url))
    try:
        generate(ledger, organisations=12, bodies=3)
    finally:
        ledger.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    return database_url
