"""The chain's connection to PostgreSQL: autocommitted reads, and the save's own lock for catching up."""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from eventsourcing import persistence
from psycopg import sql
from psycopg_pool import PoolTimeout

from ledger.audit.stores import Store
from ledger.store import AUDIT_CONNECTIONS, postgres_conninfo

# The chain's reads (digests, proofs, receipts, verify) open a connection each: at most AUDIT_CONNECTIONS at once in
# a process, so a burst of them cannot take more of the server's connections than the budget says (README,
# "Connections"). One more waits as long as a pooled connection would, then is refused like one (503 busy).
_SLOTS = threading.BoundedSemaphore(AUDIT_CONNECTIONS)
_WAIT_SECONDS = 5.0
_held = threading.local()  # the connection this thread holds, by URL: a read inside another reuses it


class PostgresStore(Store):
    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        held: dict[str, psycopg.Connection] = getattr(_held, "by_url", None) or {}
        _held.by_url = held
        if self.url in held:
            yield held[self.url]
            return
        if not _SLOTS.acquire(timeout=_WAIT_SECONDS):
            raise PoolTimeout(f"the audit chain's {AUDIT_CONNECTIONS} connections of this process were all in use"
                              f" for {_WAIT_SECONDS:g} s")
        try:
            with psycopg.connect(postgres_conninfo(self.url), autocommit=True) as conn:
                held[self.url] = conn
                try:
                    yield conn
                finally:
                    del held[self.url]
        finally:
            _SLOTS.release()

    def has_table(self, conn: psycopg.Connection, name: str) -> bool:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]

    @contextmanager
    def writing(self, conn: psycopg.Connection) -> Iterator[None]:
        with conn.transaction():
            # The lock every save takes (ledger/pg_recorder.py): no save chains while this catches up.
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(self.events)))
            yield

    @contextmanager
    def exclusive(self, conn: psycopg.Connection, name: str) -> Iterator[None]:
        """One process at a time in the block, for the work called `name`: a transaction holding an advisory lock
        of its own (no table need exist yet)."""
        key = int.from_bytes(hashlib.sha256(f"award-ledger:{name}".encode()).digest()[:8], "big", signed=True)
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            yield

    @contextmanager
    def driver_errors(self) -> Iterator[None]:
        """psycopg's errors as eventsourcing's, which the command line and the API already word (permission
        denied: store_forbidden); one reaching no server stays psycopg's OperationalError (store_unreachable)."""
        try:
            yield
        except psycopg.OperationalError:
            raise
        except psycopg.Error as err:
            raise persistence.DatabaseError(" ".join(str(err).split())) from err
