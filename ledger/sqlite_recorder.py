"""The SQLite recorder the ledger saves through: eventsourcing's, with each save's chain links written in
the save's own transaction (see `ledger.audit.linking`) and the tables guarded append-only as they are created
(`ledger.audit.append_only`); `ledger/store.py` selects it."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteTransaction

from ledger.audit.append_only import sqlite_guard
from ledger.audit.deleted_links import Parted, parted_at
from ledger.audit.linking import SavedHere, link_saved, since_statements, unlinked_among
from ledger.audit.tables import CHAIN_TABLE, SINCE_TABLE, SQLITE_CHAIN_COLUMNS
from ledger.refused_keys import COLUMNS as REFUSED_COLUMNS
from ledger.refused_keys import TABLE as REFUSED_TABLE


class _WritingFirst(SQLiteTransaction):
    """A transaction that takes the database's write lock as it begins (`BEGIN IMMEDIATE`), waiting up to the lock
    timeout for a writer to finish, where eventsourcing's plain `BEGIN` takes it at the first write."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        return cursor


class LedgerSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: Any, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name)
        self.saved_here = SavedHere()  # the positions this process's saves committed (ledger/audit/linking.py)

    def create_table(self) -> None:
        """eventsourcing's, with the write lock taken first. Its statements read the schema and the log's head
        before the chain's one-row table is written; in WAL mode a transaction that has read cannot then write
        once another connection has committed, and SQLite says "database is locked" at once, without waiting.
        So a second process opening a store that is being written (a CLI command beside `serve`, the consistency
        check) failed to open it two times in three (tests/store/test_sqlite_open.py)."""
        with self.datastore.get_connection(commit=True) as conn, _WritingFirst(conn, commit=True) as cursor, cursor:
            self._create_table(cursor)

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ({SQLITE_CHAIN_COLUMNS})",
                f"CREATE TABLE IF NOT EXISTS {REFUSED_TABLE} ({REFUSED_COLUMNS})",
                *since_statements(self.events_table_name, "rowid"),
                # The record is append-only from the moment it exists, whichever command created or opened it.
                *sqlite_guard([self.events_table_name, CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE])]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int]:
        # The INSERTs took the database's write lock, so the head read next is the head, and the links
        # commit (or roll back) with the events.
        returning = super()._insert_events(c, stored_events, **kwargs)
        link_saved(c, self.events_table_name, returning)
        if (keyed := kwargs.get("idempotency")) is not None:
            # Under the write lock: a refusal kept for the key meanwhile was its first answer (keep_refusal).
            c.execute(f"SELECT 1 FROM {REFUSED_TABLE} WHERE principal = ? AND key = ?", keyed)
            if c.fetchone() is not None:
                raise IntegrityError(f"Idempotency-Key {keyed[1]!r} was answered first by a refusal")
        return returning

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.saved_here.add(ids or ())  # committed: eventsourcing's transaction ended with the call
        return ids

    def unlinked(self, positions: Sequence[int]) -> list[int]:
        """Those of `positions` (a page of the log) that have no link in the chain though recorded after the upgrade
        point: slipped into the events table by hand, never by a save, which links its events as it commits."""
        positions = self.saved_here.others(positions)
        if not positions:
            return []
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position FROM {CHAIN_TABLE} WHERE position >= ? AND position <= ? UNION ALL"
                      f" SELECT -1 - COALESCE(MAX(position), 0) FROM {SINCE_TABLE}", (min(positions), max(positions)))
            found = [row[0] for row in c.fetchall()]
        return unlinked_among(positions, found)

    def chain_point(self, originator_id: UUID, version: int) -> tuple[int, str] | None:
        """The notification id and chain link of one recorded event (a snapshot's anchor), or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT e.rowid, c.link FROM {self.events_table_name} e LEFT JOIN {CHAIN_TABLE} c"
                      " ON c.position = e.rowid WHERE e.originator_id = ? AND e.originator_version = ?",
                      (originator_id.hex if isinstance(originator_id, UUID) else originator_id, version))
            row = c.fetchone()
        return None if row is None else (row[0], row[1])

    def chained_events(self, originator_id: UUID) -> list[tuple]:
        """The aggregate's stored events, oldest first: (position, id, version, topic, state, link, link before)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state, c.link,"
                      f" (SELECT p.link FROM {CHAIN_TABLE} p WHERE p.position < e.rowid ORDER BY p.position DESC"
                      f" LIMIT 1) FROM {self.events_table_name} e LEFT JOIN {CHAIN_TABLE} c ON c.position = e.rowid"
                      " WHERE e.originator_id = ? ORDER BY e.rowid", (originator_id.hex,))
            return [tuple(row) for row in c.fetchall()]

    def parted(self, position: int) -> Parted | None:
        """The events without a link that explain a break `chained_events` showed at `position` (links deleted, or
        nothing after them tells), or None: the events were tampered with (ledger/audit/deleted_links.py)."""
        with self.datastore.transaction(commit=False) as c:
            return parted_at(c, position, events=self.events_table_name, chain=CHAIN_TABLE, column="rowid",
                             placeholder="?")

    def refusal(self, principal: str, key: str) -> tuple[str, str] | None:
        """The fingerprint and answer of the refusal kept for a principal's Idempotency-Key (ledger.refused_keys)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT fingerprint, answer FROM {REFUSED_TABLE} WHERE principal = ? AND key = ?",
                      (principal, key))
            row = c.fetchone()
        return None if row is None else (row[0], row[1])

    def keep_refusal(self, principal: str, key: str, fingerprint: str, answer: str,
                     record_id: UUID | None = None) -> bool:
        """Keep a refusal for the key, unless the key's first answer is already kept: a refusal kept before, or
        the record (`record_id`) of a command saved with the key. Under the write lock, as every save is, so of
        a refusal and a success racing for one key exactly one is kept (`_insert_events`). Whether it was kept."""
        with self.datastore.get_connection(commit=True) as conn, _WritingFirst(conn, commit=True) as c, c:
            if record_id is not None:
                c.execute(f"SELECT 1 FROM {self.events_table_name} WHERE originator_id = ? LIMIT 1",
                          (record_id.hex,))
                if c.fetchone() is not None:
                    return False
            c.execute(f"SELECT 1 FROM {REFUSED_TABLE} WHERE principal = ? AND key = ?", (principal, key))
            if c.fetchone() is not None:
                return False
            c.execute(f"INSERT INTO {REFUSED_TABLE} (principal, key, fingerprint, answer) VALUES (?, ?, ?, ?)",
                      (principal, key, fingerprint, answer))
            return True
