"""/readyz: ready while the store answers and the read models keep up; 503 naming the fault otherwise, and
ready again by itself once the fault is gone, without restarting the app."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.app import create_app
from api.settings import Settings
from ledger.application import AwardLedger
from ledger.store import store_env
from projections.rebuild import catch_up
from projections.runner import Projector
from projections.view import open_view
from tests.store.conftest import World

PROBLEM = "application/problem+json"


def _ready_within(client: TestClient, seconds: float) -> dict:
    """Poll /readyz until it answers 200 (the pools reconnect on their own), or fail with the last answer."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            assert response.status_code == 200, response.text
            return response.json()
        time.sleep(0.25)


@contextmanager
def _unreachable(server_url: str, database_url: str) -> Iterator[None]:
    """The database refuses every connection (and its open ones are ended) until the block ends."""
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        try:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name)))


@pytest.mark.postgres
def test_readiness_fails_while_postgres_is_unreachable_and_recovers_when_it_returns(
        fresh_postgres_url: str, postgres_server_url: str, auth_file, tokens: dict[str, str]) -> None:
    """503 with Retry-After and store "unreachable" while connections are refused; 200 again once allowed."""
    settings = Settings(database_url=fresh_postgres_url, auth_file=auth_file)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").json()["store"] == "ok"
        with _unreachable(postgres_server_url, fresh_postgres_url):
            response = client.get("/readyz")
            assert response.status_code == 503, response.text
            assert response.headers["content-type"].startswith(PROBLEM)
            assert int(response.headers["Retry-After"]) > 0
            problem = response.json()
            assert problem["code"] == "not_ready" and problem["store"] == "unreachable"
            assert "store does not answer" in problem["detail"]
            assert client.get("/healthz").status_code == 200  # alive all the same: no restart wanted
            metrics = client.get("/metrics").text
            assert "ledger_store_up 0" in metrics and "\nledger_projection_lag_events " not in metrics
        ready = _ready_within(client, 15)
        assert ready["store"] == "ok" and ready["status"] == "ready"
        # The app's own pools reconnect too: a read through the read models answers again.
        reader = {"Authorization": f"Bearer {tokens['auditor']}"}
        deadline = time.monotonic() + 15
        while (status := client.get("/v1/organisations/91330108MA2CFXXXX0", headers=reader).status_code) == 503:
            assert time.monotonic() < deadline
            time.sleep(0.25)
        assert status in (404, 422)


def test_readiness_fails_while_the_read_models_lag_and_recovers_once_projected(database_url: str, auth_file) -> None:
    """With no external projector running, new events make /readyz 503 naming the lag; projecting fixes it."""
    settings = Settings(database_url=database_url, auth_file=auth_file, projector="external", ready_max_lag=2)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        ledger = AwardLedger(store_env(database_url))
        try:
            World(ledger).org()  # three events, none projected
            response = client.get("/readyz")
            assert response.status_code == 503 and "Retry-After" in response.headers
            problem = response.json()
            assert problem["store"] == "ok" and problem["projection_lag"] == 3
            assert "LEDGER_READY_MAX_LAG=2" in problem["detail"] and "award-ledger project" in problem["detail"]
            view = open_view(database_url)
            catch_up(view, ledger)
            view.close()
        finally:
            ledger.close()
        ready = client.get("/readyz").json()
        assert ready["projection_lag"] == 0 and ready["events_recorded"] == ready["projection_position"] == 3


@pytest.mark.postgres
def test_a_projector_started_while_postgres_refuses_connections_waits_for_it_and_then_follows(
        fresh_postgres_url: str, postgres_server_url: str) -> None:
    """The projector's thread opens the store inside its retry loop: refused at start, it tries again with
    backoff instead of ending (commands would otherwise wait for a fold that never comes)."""
    ledger = AwardLedger(store_env(fresh_postgres_url))
    try:
        World(ledger).org()
        head = ledger.recorder.max_notification_id()
    finally:
        ledger.close()
    projector = Projector(fresh_postgres_url)
    try:
        with _unreachable(postgres_server_url, fresh_postgres_url):
            projector.start()
            time.sleep(6)  # a connection is waited for 5 s: the first attempt is refused, the next waits its backoff
            assert projector._thread is not None and projector._thread.is_alive()
            assert not projector.wait(head, timeout=0)
        assert projector.wait(head, timeout=30), "the projector never followed the log once the store answered"
    finally:
        projector.stop()
    view = open_view(fresh_postgres_url)
    try:
        assert view.position() == head
    finally:
        view.close()


@pytest.mark.parametrize("uri", [False, True], ids=["path", "file-uri"])
def test_a_sqlite_file_deleted_or_replaced_under_the_server_is_not_ready(tmp_path, uri) -> None:
    """An operations probe deleted (and, apart, moved) the SQLite file under a running server: /readyz said ready,
    `ledger_store_up` 1, and a 201 was lost at the restart. The file gone from its path, or another file there, is
    503 `not_ready` saying to stop the server, put the file back and start again, and the store gauge reads 0."""
    store, principals = tmp_path / "ledger.sqlite3", tmp_path / "principals.json"
    principals.write_text('{"principals": []}')
    url = f"sqlite:///file:{store}?mode=rwc" if uri else f"sqlite:///{store}"  # a URI name too (a regression probe)
    settings = Settings(database_url=url, auth_file=principals, signing_key_file=tmp_path / "key.pem")
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        moved = tmp_path / "moved.sqlite3"
        store.rename(moved)
        answer = client.get("/readyz", headers={"Accept-Language": "zh"})
        assert answer.status_code == 503 and answer.json()["store"] == "unreachable", answer.text
        assert "已不在原处" in answer.json()["detail"] and "再重新启动" in answer.json()["detail"], answer.text
        assert "ledger_store_up 0.0" in client.get("/metrics").text
        # Nor is a command taken: it would land in the moved file, lost at the restart.
        refused = client.post("/v1/organisations", json={}, headers={"Accept-Language": "zh"})
        assert refused.status_code == 503 and refused.json()["code"] == "store_unavailable", refused.text
        assert "不会记录任何内容" in refused.json()["detail"], refused.text
        store.write_bytes(moved.read_bytes())  # a copy put there: another file, not the one the server writes
        answer = client.get("/readyz")
        assert answer.status_code == 503 and "no longer the file this server opened" in answer.json()["detail"]
        moved.rename(store)  # the very file back: ready again
        assert client.get("/readyz").status_code == 200


@pytest.mark.postgres
def test_readiness_says_a_database_gone_is_not_there(fresh_postgres_url: str, postgres_server_url: str,
                                                     auth_file) -> None:
    """An operations probe renamed the database away: /readyz waited 3 s and said "no answer within 3 s (is the
    database up ...?)", where PostgreSQL had said at once that there is no such database, as the command line
    words it. It says that, with the createdb to run, in the reader's language."""
    name = urlsplit(fresh_postgres_url).path.lstrip("/")
    settings = Settings(database_url=fresh_postgres_url, auth_file=auth_file)
    with TestClient(create_app(settings)) as client:
        assert client.get("/readyz").status_code == 200
        with psycopg.connect(postgres_server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name),
                                                                          sql.Identifier(name + "_away")))
            try:
                answer = client.get("/readyz")
                assert answer.status_code == 503, answer.text
                assert f"has no database '{name}'" in answer.json()["detail"] and "createdb" in answer.json()["detail"]
                zh = client.get("/readyz", headers={"Accept-Language": "zh"}).json()["detail"]
                assert f"没有数据库 '{name}'" in zh, zh
            finally:
                admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(name + "_away"),
                                                                              sql.Identifier(name)))
                admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name)))
        _ready_within(client, 15)
