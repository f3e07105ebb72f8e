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
from contextlib import ExitStack, contextmanager
from typing import Any

STRIPES = 64


class KeyLocks:
    def __init__(self, datastore: Any | None) -> None:
        """`datastore`: eventsourcing's PostgreSQL datastore, or None (SQLite)."""
        self.datastore = datastore
        self.stripes = [threading.Lock() for _ in range(STRIPES)]

    @contextmanager
    def held(self, principal: str, key: str | None, *, also: str | None = None) -> Iterator[None]:
        """Hold `principal`'s `key` until the block ends (nothing to hold for a command sent without one), and
        `also`, a name of the ledger's own (an official list's bureau and digest), on the same session: one pooled
        connection however many are held. The two kinds of name begin differently, so whatever a principal is
        called and whatever key it sends, it never takes a lock of the ledger's own."""
        names = ([f"key\x00{principal}\x00{key}"] if key is not None else []) + ([f"own\x00{also}"] if also else [])
        if not names:
            yield
            return
        digests = sorted({hashlib.sha256(n.encode()).digest() for n in names})
        with ExitStack() as stack:
            # Always in the same order, stripes and then locks: two holders never wait on each other crosswise.
            for stripe in sorted({d[0] % STRIPES for d in digests}):
                stack.enter_context(self.stripes[stripe])
            if self.datastore is None:
                yield
                return
            idents = [int.from_bytes(d[:8], "big", signed=True) for d in digests]
            with self.datastore.get_connection() as conn:  # autocommit: the lock is the session's, not a transaction's
                taken: list[int] = []
                try:
                    for ident in sorted(idents):
                        conn.execute("SELECT pg_advisory_lock(%s)", (ident,))
                        taken.append(ident)
                    yield
                finally:
                    for ident in reversed(taken):
                        conn.execute("SELECT pg_advisory_unlock(%s)", (ident,))
