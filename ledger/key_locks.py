"""One request at a time for each Idempotency-Key, for a command that takes more than one transaction.

`AwardLedger._run` keeps a key's promise ("the same key and body get the first answer") inside one transaction:
the answer is saved with what the command wrote, and a request sent at once with the same key conflicts on save,
is tried again and finds that answer. An official list's import (ledger/usecases/imports.py) is recorded a
batch of rows per transaction, and its answer is kept only with the last: a retry sent while the first request
was still importing ran the batches too, found every row recorded already, and answered 201 with nothing
recorded, unmarked, or 200 `already_imported` (a black-box probe, 30 requests at once with one key on two
workers). Such a command now holds its key for its whole run: the retry waits, then gives the first answer.

Across processes the key is held as a PostgreSQL session advisory lock, on a connection of the ledger's pool kept
for the run (a process that dies releases it with its connection); within a process, by one of a few striped
thread locks, so that a process holds at most one connection per stripe waiting. SQLite is one process's store:
the thread locks are all it needs.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STRIPES = 64


class KeyLocks:
    def __init__(self, datastore: Any | None) -> None:
        """`datastore`: eventsourcing's PostgreSQL datastore, or None (SQLite)."""
        self.datastore = datastore
        self.stripes = [threading.Lock() for _ in range(STRIPES)]

    @contextmanager
    def held(self, principal: str, key: str | None) -> Iterator[None]:
        """Hold `principal`'s `key` until the block ends (nothing to hold for a command sent without one)."""
        if key is None:
            yield
            return
        digest = hashlib.sha256(f"{principal}\x00{key}".encode()).digest()
        with self.stripes[digest[0] % STRIPES]:
            if self.datastore is None:
                yield
                return
            ident = int.from_bytes(digest[:8], "big", signed=True)
            with self.datastore.get_connection() as conn:  # autocommit: the lock is the session's, not a transaction's
                conn.execute("SELECT pg_advisory_lock(%s)", (ident,))
                try:
                    yield
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (ident,))
