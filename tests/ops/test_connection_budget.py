"""PostgreSQL connections: a flooded deployment opens no more than its budget (api/connections.py), a request that
finds every connection of its worker in use is refused `busy` and writes nothing, and `serve` says before it
starts when a deployment can open more connections than the server takes."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

from api import connections
from api.app import create_app
from api.settings import Settings
from ledger.audit import postgres as audit_postgres
from ledger.store import AUDIT_CONNECTIONS
from projections.postgres_view import ASYNC_POOL
from projections.readmodels import ENTITIES
from projections.view import open_view
from tests.api.conftest import Api, World
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def _settings(url: str, auth_file: Path, **kw: object) -> Settings:
    return Settings(database_url=url, auth_file=auth_file, signing_key_file=auth_file.parent / "signing-key.pem",
                    wait_timeout=5.0, **kw)


def _events(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM awardledger_events").fetchone()[0]


class Peaks:
    """The most connections each application_name held on one database, sampled every few milliseconds."""

    def __init__(self, url: str) -> None:
        self.url, self.peak = url, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            database = conn.info.dbname
            while not self._stop.is_set():
                for name, n in conn.execute("SELECT application_name, COUNT(*) FROM pg_stat_activity WHERE"
                                            " datname = %s AND pid <> pg_backend_pid() GROUP BY 1",
                                            (database,)).fetchall():
                    self.peak[name] = max(self.peak.get(name, 0), n)
                time.sleep(0.005)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)


@contextmanager
def _process(cmd: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, cwd=log.parent, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ready(base: str, log: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()[-3000:]
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(log.read_text()[-3000:])


@pytest.mark.parametrize(("workers", "projector"), [(2, "external"), (1, "inprocess")])
def test_a_flooded_deployment_opens_no_more_connections_than_its_budget(workers: int, projector: str,
                                                                        fresh_postgres_url: str, auth_file: Path,
                                                                        tokens: dict[str, str],
                                                                        tmp_path: Path) -> None:
    """`serve` with LEDGER_DB_POOL=3 (two workers and `award-ledger project`, or one worker folding the read
    models itself), flooded by 96 clients at once with claims, awards, lists, digests, verifications and
    reconciliations: every answer is the ledger's own (nothing fails for want of a connection but with 503 busy
    and Retry-After), and no process ever holds more connections than `api.connections` says it may."""
    settings = _settings(fresh_postgres_url, auth_file, db_pool=3, projector=projector)
    with TestClient(create_app(_settings(fresh_postgres_url, auth_file))) as client:  # the facts, in process
        world = World(Api(client, tokens))
        world.api.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00",
                                                     "document_ref": "杭高新财〔2023〕1号"}, as_="finance")
        codes = [world.org() for _ in range(24)]
    tag = uuid4().hex[:8]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE} | {
        "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": fresh_postgres_url, "LEDGER_AUTH_FILE": str(auth_file),
        "LEDGER_SIGNING_KEY_FILE": str(settings.signing_key_file), "LEDGER_LOG_LEVEL": "warning"}
    port = _free_port()
    serve_env = base_env | {"LEDGER_PROJECTOR": projector, "LEDGER_DB_POOL": "3", "PGAPPNAME": f"serve-{tag}"}
    project_env = base_env | {"PGAPPNAME": f"project-{tag}"}
    cli = [sys.executable, "-m", "api.cli"]
    with ExitStack() as running:
        peaks = running.enter_context(Peaks(fresh_postgres_url))
        if projector == "external":
            running.enter_context(_process([*cli, "project"], project_env, tmp_path / "project.log"))
        server = running.enter_context(_process([*cli, "serve", "--workers", str(workers), "--port", str(port)],
                                                serve_env, tmp_path / "serve.log"))
        base = f"http://127.0.0.1:{port}"
        _ready(base, tmp_path / "serve.log", server)

        def client_run(n: int) -> list[httpx.Response]:
            bearer = {"Authorization": f"Bearer {tokens['kjj']}"}
            auditor = {"Authorization": f"Bearer {tokens['auditor']}"}
            code = codes[n % len(codes)]
            with httpx.Client(base_url=base, timeout=60) as http:  # its own connections: both workers get some
                return [
                    http.post("/v1/claims", headers=bearer, json={
                        "uscc": code, "programme": "A5.voucher", "award_year": 2023 + n % 3,
                        "effective_on": f"{2023 + n % 3}-06-0{1 + n % 8}", "basis_amount": "100000.00"}),
                    http.get(f"/v1/organisations/{code}/awards", headers=bearer),
                    http.get("/v1/claims?status=pending", headers=bearer),
                    *(http.get("/v1/audit/digest", headers=auditor) for _ in range(3)),
                    http.get("/v1/audit/verify", headers=auditor),
                    http.get("/v1/finance/reconciliation?year=2023", headers=auditor),
                    http.get(f"/v1/organisations/{code}/awards", headers=bearer),
                ]

        with ThreadPoolExecutor(96) as pool:
            try:
                answers = [r for batch in pool.map(client_run, range(192)) for r in batch]
            except httpx.HTTPError as failed:  # a request unanswered: what the server said meanwhile
                raise AssertionError(f"{failed!r}: {(tmp_path / 'serve.log').read_text()[-3000:]}") from failed
        # The read models kept up: no fold waited in vain for a connection.
        assert httpx.get(f"{base}/readyz", timeout=10).json()["status"] == "ready"
    for log in tmp_path.glob("*.log"):
        assert "applying events failed" not in log.read_text(), log.read_text()[-3000:]
    statuses: dict[int, int] = {}
    for r in answers:
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        assert r.status_code in (200, 201, 409, 503), (r.status_code, r.text)
        if r.status_code == 503:
            assert r.json()["code"] == "busy" and r.headers["Retry-After"], r.text
    assert statuses.get(201, 0) >= 24 and statuses.get(200, 0) >= 500, statuses
    worker, project = sum(connections.worker(settings).values()), sum(connections.projector().values())
    assert 0 < peaks.peak.get(f"serve-{tag}", 0) <= workers * worker, (peaks.peak, worker)
    if projector == "external":
        assert 0 < peaks.peak.get(f"project-{tag}", 0) <= project, (peaks.peak, project)
    assert connections.deployment(settings, workers) == workers * worker + (project if projector == "external" else 0)


def test_a_request_that_finds_every_connection_in_use_is_refused_busy_and_writes_nothing(
        fresh_postgres_url: str, auth_file: Path, tokens: dict[str, str]) -> None:
    """With every connection of the commands' pool taken, a claim waits as long as a connection would take to
    open, then is refused 503 `busy` naming LEDGER_DB_POOL (in Chinese for a Chinese reader), writing nothing;
    once a connection is free the same claim is accepted."""
    with TestClient(create_app(_settings(fresh_postgres_url, auth_file, db_pool=2))) as client:
        api = Api(client, tokens)
        code = World(api).org()
        claim = {"uscc": code, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
                 "basis_amount": "100000.00"}
        pool = client.app.state.ledger.recorder.datastore.pool
        taken = [pool.getconn() for _ in range(2)]
        try:
            before = _events(fresh_postgres_url)
            refused = api.call("POST", "/v1/claims", claim, as_="kjj", key="claim-1")
            assert refused.status_code == 503 and refused.headers["Retry-After"], refused.text
            assert refused.json()["code"] == "busy" and "LEDGER_DB_POOL" in refused.json()["detail"]
            chinese = api.call("POST", "/v1/claims", claim, as_="kjj", headers={"Accept-Language": "zh-CN"})
            assert chinese.status_code == 503 and "数据库连接" in chinese.json()["detail"]
            assert _events(fresh_postgres_url) == before
        finally:
            for conn in taken:
                pool.putconn(conn)
        accepted = api.call("POST", "/v1/claims", claim, as_="kjj", key="claim-1")
        assert accepted.status_code == 201, accepted.text


def test_serve_says_when_a_deployment_can_open_more_connections_than_the_server_takes(
        fresh_postgres_url: str, auth_file: Path, tmp_path: Path) -> None:
    """`misfit` compares the deployment with this server's max_connections less its reserved ones, and names what
    to change; a deployment that fits, or a SQLite store, has nothing to say."""
    settings = _settings(fresh_postgres_url, auth_file, projector="external")
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        room = connections.room(conn)
        assert room == int(conn.execute("SHOW max_connections").fetchone()[0]) - int(
            conn.execute("SHOW superuser_reserved_connections").fetchone()[0]) - _reserved(conn)
    fits = max(1, (room - sum(connections.projector().values())) // sum(connections.worker(settings).values()))
    assert connections.misfit(settings, fits) is None
    advice = connections.misfit(settings, fits + 1)
    assert advice is not None and f"{fits + 1} worker(s)" in advice and "LEDGER_DB_POOL" in advice
    assert "max_connections" in advice and str(connections.deployment(settings, fits + 1)) in advice
    assert connections.misfit(_settings(f"sqlite:///{tmp_path}/l.sqlite3", auth_file), 64) is None


def test_serve_logs_the_misfit_before_its_workers_start(fresh_postgres_url: str, auth_file: Path, caplog) -> None:
    """`award-ledger serve` calls warn_if_misfit with its settings and workers: the advice is one warning line;
    a server that cannot be asked says nothing here (the workers' own start reports the store)."""
    settings = _settings(fresh_postgres_url, auth_file, projector="external", db_pool=256)
    with caplog.at_level("WARNING", logger="award_ledger.connections"):
        connections.warn_if_misfit(settings, 2)
        connections.warn_if_misfit(_settings("postgresql://nobody@127.0.0.1:1/none", auth_file), 64)
    (record,) = caplog.records
    assert "LEDGER_DB_POOL (now 256)" in record.getMessage() and "2 worker(s) × 272 connections" in record.getMessage()


def _reserved(conn: psycopg.Connection) -> int:
    found = conn.execute("SELECT setting FROM pg_settings WHERE name = 'reserved_connections'").fetchone()
    return int(found[0]) if found else 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sessions(url: str) -> int:
    """Sessions ever opened on the database (pg_stat_database counts each at its start), this one included."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        return conn.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()").fetchone()[0]


def _others(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <>"
                            " pg_backend_pid()").fetchone()[0]


def _settled(url: str, connections_left: int) -> None:
    """Wait until no more than `connections_left` other connections are open (closed ones are counted)."""
    deadline = time.monotonic() + 10
    while _others(url) > connections_left and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # a session's count reaches the shared statistics as its backend exits


def test_the_first_awards_queries_of_a_fresh_worker_open_one_pool_between_them(fresh_postgres_url: str) -> None:
    """Requests that arrive together on a fresh worker all ask for the event loop's pool of connections for GET
    awards: they open one pool between them, so at most ASYNC_POOL connections, not one each."""
    view = open_view(fresh_postgres_url)
    try:
        left = _others(fresh_postgres_url)  # the view's own pool, kept open
        before = _sessions(fresh_postgres_url)

        async def burst() -> None:
            rows = await asyncio.gather(*(view.award_rows_async(f"91330108MA{n:07d}X", ENTITIES) for n in range(24)))
            assert all(found == [] for found, _, _ in rows)
            await view.close_async()

        with ThreadPoolExecutor(1) as loop_thread:  # a loop of its own, whatever this thread runs
            loop_thread.submit(asyncio.run, burst()).result()
        _settled(fresh_postgres_url, left)
        opened = _sessions(fresh_postgres_url) - before - 2  # less the sessions that looked
        assert 1 <= opened <= ASYNC_POOL, opened
    finally:
        view.close()


def test_a_fresh_workers_awards_pool_gives_up_after_the_stores_pool_timeout(fresh_postgres_url: str) -> None:
    """A fresh worker whose first GET awards finds the server refusing connections waits as long as any request
    waits for a connection (the store's pool timeout; the API answers 503 busy after it), not psycopg_pool's own
    30 s for a pool to open."""
    view = open_view(fresh_postgres_url)
    kwargs = view.datastore.pool.kwargs
    try:
        with socket.socket() as closed:  # a port that was free a moment ago: nothing listens on it
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        view.datastore.pool.kwargs = {**kwargs, "host": "127.0.0.1", "port": port}
        timeout = view.datastore.pool.timeout
        assert timeout < 30

        async def first_request() -> None:
            try:
                await view.award_rows_async("91330108MA0000001X", ENTITIES)
            finally:
                await view.close_async()

        with ThreadPoolExecutor(1) as loop_thread, pytest.raises(PoolTimeout, match=f"after {timeout} sec"):
            loop_thread.submit(asyncio.run, first_request()).result()
    finally:
        view.datastore.pool.kwargs = kwargs
        view.close()


def test_the_audit_chain_holds_at_most_its_connections_at_once(fresh_postgres_url: str, monkeypatch) -> None:
    """AUDIT_CONNECTIONS reads of the chain at once in a process; one more waits, then is refused as a pool that
    has no connection free would refuse it (PoolTimeout: 503 busy over HTTP). A read inside another reuses its
    connection rather than waiting for a second."""
    monkeypatch.setattr(audit_postgres, "_WAIT_SECONDS", 0.3)
    store = audit_postgres.PostgresStore(fresh_postgres_url)
    entered, release = threading.Barrier(AUDIT_CONNECTIONS + 1), threading.Event()

    def hold() -> None:
        with store.connect():
            entered.wait(10)
            release.wait(10)

    holders = [threading.Thread(target=hold) for _ in range(AUDIT_CONNECTIONS)]
    for t in holders:
        t.start()
    entered.wait(10)
    try:
        with pytest.raises(PoolTimeout), store.connect():
            pass
    finally:
        release.set()
        for t in holders:
            t.join(10)
    with store.connect() as outer, store.connect() as inner:
        assert inner is outer
