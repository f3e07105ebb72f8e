"""A save without a key that committed, though its connection was lost before the answer came, is not recorded
twice (PostgreSQL). Every save is tried again on a lost connection; where the lost one had committed, the retry met
its events, the command was decided again, and a claim (no natural id) was recorded a second time. Here a proxy
between the ledger and the server lets the save's statement through, lets the server commit it, and then drops the
connection instead of passing on the answer: a real commit whose acknowledgement never arrives."""
from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import psycopg
import pytest

from ledger.application import AwardLedger
from ledger.store import store_env
from tests.store.conftest import KJJ, World

SAVE = b"ledger_insert_events"  # the save's function, named in the statement a connection prepares


class CutAfterCommit:
    """A TCP proxy to PostgreSQL. Armed, the first connection that sends the save's statement is let run it to the
    end: its answer is held back from the first CommandComplete on, and at the ReadyForQuery after it (the server
    has committed by then) both sides are closed, the answer never delivered. Then it disarms."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.armed = threading.Event()
        self.cut = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            doomed = threading.Event()
            threading.Thread(target=self._up, args=(client, server, doomed), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, doomed), daemon=True).start()

    def _up(self, client: socket.socket, server: socket.socket, doomed: threading.Event) -> None:
        while data := _recv(client):
            if self.armed.is_set() and SAVE in data:
                self.armed.clear()
                doomed.set()
            try:
                server.sendall(data)
            except OSError:
                return

    def _down(self, server: socket.socket, client: socket.socket, doomed: threading.Event) -> None:
        pending, holding = b"", False
        while data := _recv(server):
            if not doomed.is_set():
                try:
                    client.sendall(data)
                except OSError:
                    return
                continue
            pending += data
            passed = b""
            while len(pending) >= 5:  # whole messages: a type byte, then a length that counts itself
                size = struct.unpack("!I", pending[1:5])[0] + 1
                if len(pending) < size:
                    break
                message, pending = pending[:size], pending[size:]
                holding = holding or message[:1] == b"C"
                if holding and message[:1] == b"Z":
                    self.cut.set()
                    for end in (client, server):  # shut down, not only closed: a thread blocked in recv wakes
                        with contextlib.suppress(OSError):
                            end.shutdown(socket.SHUT_RDWR)
                        end.close()
                    return
                if not holding:
                    passed += message  # before the save's answer (its statement prepared, say): passed on
            if passed:
                client.sendall(passed)

    def close(self) -> None:
        self.listener.close()


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except OSError:
        return b""


@pytest.fixture
def proxied(fresh_postgres_url: str) -> Iterator[tuple[str, CutAfterCommit]]:
    parts = urlsplit(fresh_postgres_url)
    proxy = CutAfterCommit(parts.hostname or "127.0.0.1", parts.port or 5432)
    try:
        yield parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}").geturl(), proxy
    finally:
        proxy.close()


@pytest.mark.postgres
@pytest.mark.parametrize("key", [None, "cut-after-commit-1"], ids=["no key", "keyed"])
def test_a_save_that_committed_before_its_connection_was_lost_is_recorded_once(fresh_postgres_url, proxied,
                                                                               key) -> None:
    url, proxy = proxied
    direct = AwardLedger(store_env(fresh_postgres_url))
    try:
        world = World(direct)
        world.appropriate(2023)
        org = world.org()
    finally:
        direct.close()
    ledger = AwardLedger(store_env(url))  # its own connections, through the proxy: none has prepared a save yet
    try:
        proxy.armed.set()
        answer = ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                     effective_on=date(2023, 6, 1), basis_amount=Decimal("1000000.00"),
                                     key=key).view
        assert proxy.cut.is_set(), "the proxy never cut a save's answer: nothing here was tested"
    finally:
        ledger.close()
    with psycopg.connect(fresh_postgres_url) as conn:  # the log itself: no read model is involved here
        submitted = conn.execute("SELECT originator_id FROM awardledger_events WHERE topic LIKE %s",
                                 ("%Claim.Submitted",)).fetchall()
    assert [str(row[0]) for row in submitted] == [answer["id"]], submitted
