"""`award-ledger serve` keeps the body of a POST sent the way Java's HttpClient sends it over plain HTTP.

JDK 11+ `HttpClient` defaults to HTTP/2; over `http://` it offers an h2c upgrade on every request
(`Connection: Upgrade, HTTP2-Settings`, `Upgrade: h2c`, `HTTP2-Settings: ...`), with a `Content-Length` body
for `BodyPublishers.ofString` and a chunked one for `ofInputStream`; `expectContinue(true)` adds
`Expect: 100-continue`. uvicorn's httptools parser drops such bodies (uvicorn #2722); `serve` runs httptools and
hands a connection that offers such an upgrade to h11 (api/http_protocol.py), also in the middle of a connection and
behind a pipelined request.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import SETTLE, unique_uscc

ROOT = Path(__file__).resolve().parents[2]
# What JDK 21's HttpClient sends on `http://` (HTTP2-Settings is its base64url SETTINGS frame payload).
JAVA_HEADERS = ("Connection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n"
                "Upgrade: h2c\r\nUser-Agent: Java-http-client/21.0.5\r\nContent-Type: application/json\r\n")


EXPECT = "Expect: 100-continue\r\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path: Path, auth_file: Path) -> Iterator[int]:
    """`award-ledger serve` as a process on a free port, on a fresh SQLite store; stopped afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE} | {
        "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
        "LEDGER_AUTH_FILE": str(auth_file), "LEDGER_LOG_LEVEL": "warning"}
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=tmp_path,
                                  env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while _exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"")[0] != 200:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=15)


def _exchange(port: int, head: str, body: bytes) -> tuple[int, bytes]:
    """Send raw bytes, read the whole answer (the request says Connection: close); (0, b"") if refused."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(head.encode() + body)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
    except OSError:
        return 0, b""
    while answer.startswith(b"HTTP/1.1 100"):  # an interim `100 Continue` precedes the answer
        answer = answer.partition(b"\r\n\r\n")[2]
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def _post(port: int, token: str, body: bytes, *, chunked: bool, expect: bool) -> tuple[int, bytes]:
    framing = "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {len(body)}\r\n"
    head = (f"POST /v1/organisations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{JAVA_HEADERS}{framing}"
            f"Authorization: Bearer {token}\r\n{EXPECT if expect else ''}"
            "Connection: close\r\n\r\n")
    payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if chunked else body
    return _exchange(port, head, payload)


@pytest.mark.parametrize(("chunked", "expect"), [(False, False), (True, False), (False, True)],
                         ids=["content-length", "chunked", "expect-100-continue"])
def test_a_java_style_post_keeps_its_body(served: int, tokens: dict[str, str], chunked: bool, expect: bool):
    """A POST offering an h2c upgrade, as Java's HttpClient sends it, registers the organisation it carries."""
    uscc = unique_uscc()
    body = json.dumps({"uscc": uscc, "name": "杭州某某科技有限公司", "in_district": True}).encode()
    status, answer = _post(served, tokens["admin"], body, chunked=chunked, expect=expect)
    assert status == 201, answer[:500]
    assert json.loads(answer)["uscc"] == uscc


def _registration(port: int, token: str, uscc: str, *, java: bool, close: bool) -> bytes:
    body = json.dumps({"uscc": uscc, "name": "杭州某某科技有限公司", "in_district": True}).encode()
    return (f"POST /v1/organisations HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{JAVA_HEADERS if java else ''}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nAuthorization: Bearer {token}\r\n"
            f"{'Connection: close' + chr(13) + chr(10) if close else ''}\r\n").encode() + body


def _answers(conn: socket.socket, count: int) -> list[tuple[int, bytes]]:
    """`count` answers read off a kept-alive connection, each framed by its Content-Length."""
    buffer, answers = b"", []
    while len(answers) < count:
        head, sep, rest = buffer.partition(b"\r\n\r\n")
        if sep:
            lines = head.split(b"\r\n")
            length = next((int(v) for k, _, v in (line.partition(b":") for line in lines[1:])
                           if k.strip().lower() == b"content-length"), 0)
            if len(rest) >= length:
                answers.append((int(lines[0].split()[1]), rest[:length]))
                buffer = rest[length:]
                continue
        chunk = conn.recv(65536)
        assert chunk, f"the connection closed after {len(answers)} of {count} answers"
        buffer += chunk
    return answers


def test_an_upgrade_offered_midway_through_a_connection_keeps_its_body_and_the_connection_goes_on(
        served: int, tokens: dict[str, str]):
    """A kept-alive connection served by httptools, then a Java-style POST on it (handed to h11), then a plain
    request again: each answered in turn, the POST's body kept."""
    uscc = unique_uscc()
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        conn.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{served}\r\n\r\n".encode())
        assert _answers(conn, 1)[0][0] == 200
        conn.sendall(_registration(served, tokens["admin"], uscc, java=True, close=False))
        status, answer = _answers(conn, 1)[0]
        assert status == 201, answer[:500]
        assert json.loads(answer)["uscc"] == uscc
        conn.sendall(f"GET /v1/organisations/{uscc} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer"
                     f" {tokens['admin']}\r\n\r\n".encode())
        status, answer = _answers(conn, 1)[0]
        assert status == 200 and json.loads(answer)["uscc"] == uscc


def test_an_upgrade_offered_behind_a_pipelined_request_is_answered_after_it(served: int, tokens: dict[str, str]):
    """Two requests in one write, the second offering h2c: both bodies kept, the answers in the requests' order."""
    first, second = unique_uscc(), unique_uscc()
    with socket.create_connection(("127.0.0.1", served), timeout=10) as conn:
        conn.sendall(_registration(served, tokens["admin"], first, java=False, close=False)
                     + _registration(served, tokens["admin"], second, java=True, close=True))
        answers = _answers(conn, 2)
    assert [status for status, _ in answers] == [201, 201], answers
    assert [json.loads(answer)["uscc"] for _, answer in answers] == [first, second]


def test_a_get_offering_an_upgrade_is_answered(served: int):
    status, answer = _exchange(served, f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{served}\r\n{JAVA_HEADERS}"
                                       "Connection: close\r\n\r\n", b"")
    assert status == 200, answer[:500]
