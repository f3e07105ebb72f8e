"""A projector that loses the database comes back by itself, and the service is not ready while the read
models stand still with events waiting (a projector stopped, or reconnecting)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.application import AwardLedger
from ledger.store import store_env
from projections.rebuild import catch_up
from projections.view import open_view
from tests.projections.tables import query
from tests.store.conftest import World

ROOT = Path(__file__).resolve().parents[2]


def _position(url: str) -> int:
    """The read models' tracked position, or -1 before the projector has made its tables."""
    try:
        return int(query(url, "SELECT notification_id FROM rm_tracking WHERE application_name = 'AwardLedger'")[0][0])
    except psycopg.errors.UndefinedTable:
        return -1


def _until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.mark.postgres
def test_project_reconnects_after_its_connections_are_ended(fresh_postgres_url: str, postgres_server_url: str,
                                                             tmp_path) -> None:
    """pg_terminate_backend on every connection of `award-ledger project`: it stays up and projects new events."""
    database_url = fresh_postgres_url
    ledger = AwardLedger(store_env(database_url))
    log = tmp_path / "project.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": database_url, "LEDGER_LOG_FORMAT": "text"}
    with log.open("wb") as out:
        projector = subprocess.Popen([sys.executable, "-m", "api.cli", "project"], cwd=tmp_path, env=env,
                                     stdout=out, stderr=subprocess.STDOUT)
    try:
        first = _record(ledger)
        _until(lambda: _position(database_url) >= first, 30, "the projector never caught up")
        name = urlsplit(database_url).path.lstrip("/")
        with psycopg.connect(postgres_server_url, autocommit=True) as admin:
            ended = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s"
                                  " AND pid <> pg_backend_pid()", (name,)).fetchone()[0]
        assert ended >= 1
        ledger.close()  # its connections were ended too; a fresh one records the next events
        ledger = AwardLedger(store_env(database_url))
        later = _record(ledger)
        _until(lambda: _position(database_url) >= later, 60, f"not projected after the disconnect:\n{log.read_text()}")
        assert projector.poll() is None, log.read_text()
    finally:
        ledger.close()
        projector.terminate()
        projector.wait(15)
    assert projector.returncode == 0, log.read_text()


def _record(ledger: AwardLedger) -> int:
    World(ledger).org()
    return int(ledger.recorder.max_notification_id() or 0)


def test_readiness_fails_while_the_read_models_stand_still_with_events_waiting(database_url: str, auth_file) -> None:
    """Few events behind (under LEDGER_READY_MAX_LAG) but no projector moving: 503 after LEDGER_READY_MAX_STALL
    seconds, naming the stall; once projected, ready again."""
    settings = Settings(database_url=database_url, auth_file=auth_file, projector="external", ready_max_stall=1)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        ledger = AwardLedger(store_env(database_url))
        try:
            World(ledger).org()  # three events; no projector runs
            assert client.get("/readyz").status_code == 200  # behind, not yet stalled
            time.sleep(1.5)
            response = client.get("/readyz")
            problem = response.json()
            assert response.status_code == 503 and "Retry-After" in response.headers, problem
            assert problem["projection_lag"] == 3 and problem["stalled_seconds"] >= 1
            assert "LEDGER_READY_MAX_STALL" in problem["detail"] and "award-ledger project" in problem["detail"]
            view = open_view(database_url)
            catch_up(view, ledger)
            view.close()
        finally:
            ledger.close()
        assert client.get("/readyz").status_code == 200


def test_a_worker_first_probed_during_a_stall_counts_it_from_the_store(database_url: str, auth_file) -> None:
    """A worker that was not probed while the read models stood still (the other of two workers, or one just
    started) answered "ready" on its first probe and only began to count then: the stall is now bounded by the
    store, from when the first waiting event was recorded, so its very first probe is 503."""
    settings = Settings(database_url=database_url, auth_file=auth_file, projector="external", ready_max_stall=1)
    ledger = AwardLedger(store_env(database_url))
    try:
        World(ledger).org()  # three events; no projector runs
        time.sleep(1.5)
        with TestClient(create_app(settings)) as client:  # its first probe comes after the stall began
            response = client.get("/readyz")
            assert response.status_code == 503, response.text
            assert response.json()["stalled_seconds"] >= 1
            view = open_view(database_url)
            catch_up(view, ledger)
            view.close()
            assert client.get("/readyz").status_code == 200
    finally:
        ledger.close()


def test_a_store_that_does_not_answer_is_asked_again_every_few_seconds_not_every_thirty(tmp_path) -> None:
    """The wait before asking an absent store again doubles from 1 s but stops at RETRY_AWAY_MOST (5 s): at 30 s,
    the read models stayed stale and /readyz failed for up to half a minute after the store was back (an ops
    probe). The waits are read off the projector's stop event, so nothing sleeps."""
    import threading

    from projections.runner import RETRY_AWAY_MOST, RETRY_FIRST, Projector

    class Clock(threading.Event):
        def __init__(self) -> None:
            super().__init__()
            self.waits: list[float] = []

        def wait(self, timeout: float | None = None) -> bool:
            self.waits.append(timeout)
            if len(self.waits) >= 7:
                self.set()
            return self.is_set()

    projector = Projector(f"sqlite:///{tmp_path}/not-a-folder/ledger.sqlite3")  # cannot be opened: no such folder
    (tmp_path / "not-a-folder").write_text("a file where the folder should be", encoding="utf-8")
    projector._stop = clock = Clock()
    assert projector._open() is None
    assert clock.waits == [RETRY_FIRST, 2.0, 4.0, RETRY_AWAY_MOST, RETRY_AWAY_MOST, RETRY_AWAY_MOST,
                           RETRY_AWAY_MOST], clock.waits
