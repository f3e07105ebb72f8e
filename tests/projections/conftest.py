"""Fixtures of the projection tests: a ledger, its read models and a running projector, on each store."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.application import AwardLedger
from ledger.store import store_env
from projections import Projector, ReadModels


@pytest.fixture
def ledger(database_url: str) -> Iterator[AwardLedger]:
    app = AwardLedger(env=store_env(database_url))
    yield app
    app.close()


@pytest.fixture
def read_models(database_url: str) -> Iterator[ReadModels]:
    models = ReadModels.open(database_url)
    yield models
    models.close()


@pytest.fixture
def projector(database_url: str, ledger: AwardLedger) -> Iterator[Projector]:
    """A projector following the log in a background thread, as `award-ledger serve` runs it."""
    running = Projector(database_url, app=ledger, poll_interval=0.05)
    running.start()
    yield running
    running.stop()
