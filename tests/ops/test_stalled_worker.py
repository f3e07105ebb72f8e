"""A worker that stalls (its CPU taken by other processes, the machine paused) for longer than uvicorn's timeouts
keeps what clients sent it meanwhile: a request sent on a kept-alive connection is answered when the worker
resumes (api/http_protocol.py, the last look), and `serve --workers N` does not kill a worker that is only slow to
answer its supervisor (LEDGER_WORKER_HEALTHCHECK). The stall is made as the kernel makes one, by stopping the
worker's process (SIGSTOP) and letting it go on (SIGCONT), longer than uvicorn's 5 s keep-alive timeout and its 5 s
health check."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import Api, World
from tests.support import SETTLE, unique_uscc

ROOT = Path(__file__).resolve().parents[2]
# Longer than uvicorn's keep-alive timeout and its worker health check (both 5 s by default): the stall that
# closed kept-alive connections with a request in them, and killed busy workers.
STALL = max(uvicorn.Config(app=None).timeout_keep_alive, uvicorn.Config(app=None).timeout_worker_healthcheck) + 2
CLIENTS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serving(database_url: str, auth_file: Path, tmp_path: Path, workers: int,
             **settings: str) -> Iterator[tuple[str, Path]]:
    """`award-ledger serve` in its own process (the external projector's arrangement when there are several
    workers, which the stall does not need running); its base URL and log, once every worker answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE} | {
        "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": database_url, "LEDGER_AUTH_FILE": str(auth_file),
        "LEDGER_SIGNING_KEY_FILE": str(auth_file.parent / "signing-key.pem"), "LEDGER_LOG_LEVEL": "info",
        "LEDGER_PROJECTOR": "external" if workers > 1 else "inprocess"} | settings
    port, log = _free_port(), tmp_path / "serve.log"
    with ExitStack() as running:
        sink = running.enter_context(log.open("w"))
        cli = [sys.executable, "-m", "api.cli"]
        if workers > 1:
            projecting = running.enter_context((tmp_path / "project.log").open("w"))
            running.enter_context(_stopped(subprocess.Popen([*cli, "project"], cwd=tmp_path, env=env,
                                                            stdout=projecting, stderr=subprocess.STDOUT)))
        server = running.enter_context(_stopped(subprocess.Popen(
            [*cli, "serve", "--workers", str(workers), "--port", str(port)], cwd=tmp_path, env=env, stdout=sink,
            stderr=subprocess.STDOUT)))
        deadline = time.monotonic() + 60
        while len(_workers(log)) < workers or not _answers(f"http://127.0.0.1:{port}"):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log


@contextmanager
def _stopped(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _workers(log: Path) -> list[int]:
    """The processes that serve requests, as uvicorn names them when each starts."""
    return [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.read_text())]


@contextmanager
def _stalled(pids: list[int]) -> Iterator[None]:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
        time.sleep(STALL)
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):  # killed meanwhile: the assertions below say so
                os.kill(pid, signal.SIGCONT)


def _claims(world: World, n: int) -> list[dict]:
    return [{"uscc": world.org(), "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
             "basis_amount": "100000.00"} for _ in range(n)]


@pytest.mark.parametrize("workers", [1, 2])
def test_what_clients_sent_a_stalled_worker_is_answered_when_it_resumes(workers: int, database_url: str,
                                                                        auth_file: Path, tokens: dict[str, str],
                                                                        tmp_path: Path) -> None:
    """Each client holds a kept-alive connection (one request answered), then sends a claim and a read while every
    worker is stopped for longer than uvicorn's timeouts: once they go on, every request is answered (the claims
    201, each recorded once), no worker was killed and replaced, and an idle connection is still closed after the
    keep-alive timeout."""
    settings = Settings(database_url=database_url, auth_file=auth_file, wait_timeout=5.0,
                        signing_key_file=auth_file.parent / "signing-key.pem")
    with TestClient(create_app(settings)) as client:  # the organisations, in process, before `serve` opens the store
        claims = _claims(World(Api(client, tokens)), CLIENTS)
    bearer = {"Authorization": f"Bearer {tokens['kjj']}"}
    with _serving(database_url, auth_file, tmp_path, workers) as (base, log):
        pids = _workers(log)
        clients = [httpx.Client(base_url=base, headers=bearer, timeout=60) for _ in range(CLIENTS)]
        try:
            for http in clients:
                assert http.get("/v1/claims?status=pending").status_code == 200  # the connection, kept alive
            with ThreadPoolExecutor(CLIENTS) as pool, _stalled(pids):
                sent = [pool.submit(lambda h, c: [h.post("/v1/claims", json=c, headers={"Idempotency-Key": c["uscc"]}),
                                                  h.get("/v1/claims?status=pending")], http, claim)
                        for http, claim in zip(clients, claims, strict=True)]
            answers = [r for future in sent for r in future.result()]
        finally:
            for http in clients:
                http.close()
        idle = _idle_for(base, uvicorn.Config(app=None).timeout_keep_alive + 1)
        deadline, listed = time.monotonic() + 30, {"claims": []}
        while len(listed["claims"]) < CLIENTS and time.monotonic() < deadline:  # the projector folds them
            listed = httpx.get(f"{base}/v1/claims?status=pending&limit=100", headers=bearer, timeout=30).json()
            time.sleep(0.2)
    assert [r.status_code for r in answers] == [201, 200] * CLIENTS, [(r.status_code, r.text[:200]) for r in answers]
    assert _workers(log) == pids and "died" not in log.read_text(), log.read_text()[-3000:]
    assert sorted(c["uscc"] for c in listed["claims"]) == sorted(c["uscc"] for c in claims), listed
    assert idle == b"", "an idle kept-alive connection is still closed after the keep-alive timeout"


def _idle_for(base: str, seconds: float) -> bytes:
    """What a connection left idle for `seconds` after one answer reads next: b"" once the server closed it."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: ledger\r\n\r\n")
        answer = b""
        while not answer.endswith(b"}"):  # /healthz answers a small JSON object
            answer += conn.recv(4096)
        time.sleep(seconds)
        return conn.recv(4096)


def test_a_body_sent_in_time_to_a_stalled_worker_is_read_not_refused_as_slow(database_url: str, auth_file: Path,
                                                                           tokens: dict[str, str],
                                                                           tmp_path: Path) -> None:
    """A body whose last bytes reached the socket within LEDGER_BODY_SECONDS of its head, while the worker was
    stopped for longer than that: once it goes on, the body is read and the request answered (201), where the
    body's timer fired first and the client was told 408 it had been too slow (a probe)."""
    body = json.dumps({"uscc": unique_uscc(), "name": "杭州停顿测试科技有限公司", "in_district": True}).encode()
    with _serving(database_url, auth_file, tmp_path, 1, LEDGER_BODY_SECONDS="2") as (base, log):
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as conn:
            conn.sendall(f"POST /v1/organisations HTTP/1.1\r\nHost: ledger\r\nAuthorization: Bearer {tokens['admin']}"
                         f"\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                         + body[:10])
            time.sleep(0.3)  # the head read, the body begun
            with _stalled(_workers(log)):
                time.sleep(0.5)
                conn.sendall(body[10:])  # within the 2 s, as the worker sees it stopped
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += conn.recv(4096)
    assert answer.startswith(b"HTTP/1.1 201"), answer[:400]
