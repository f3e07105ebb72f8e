"""The SQL the chain reads and writes, and how it differs between SQLite and PostgreSQL."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from ledger.audit.encoding import GENESIS, event_bytes
from ledger.audit.linking import link_saved
from ledger.audit.tables import CHAIN_TABLE, events_table, snapshots_table
from ledger.store import is_postgres, sqlite_file

PAGE_SIZE = 1000
_SQLITE_TIMEOUT = 10.0

Progress = Callable[[int, int], None]


class Store:
    """Reading is the same on both stores but for the placeholder and the position column."""

    placeholder = "%s"
    position_column = "notification_id"

    def __init__(self, url: str) -> None:
        self.url = url
        self.events = events_table(url)
        self.snapshots = snapshots_table(url)

    def sql(self, text: str) -> str:
        return text.replace("%s", self.placeholder)

    def rows(self, conn: Any, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(conn.execute(self.sql(text), params).fetchall())

    def head(self, conn: Any) -> tuple[int, bytes]:
        found = self.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
        return (found[0][0], bytes.fromhex(found[0][1])) if found else (0, GENESIS)

    def last_event(self, conn: Any) -> int:
        return self.rows(conn, f"SELECT COALESCE(MAX({self.position_column}), 0) FROM {self.events}")[0][0]

    def catch_up(self, conn: Any) -> int:
        """Chain the events before the upgrade point still unchained, under the lock a save takes."""
        with self.writing(conn):
            cursor = conn.cursor()
            return link_saved(cursor, self.events, (), position_column=self.position_column,
                              placeholder=self.placeholder)

    def events_after(self, conn: Any, after: int | None, limit: int, upto: int | None = None) -> list[tuple]:
        column = self.position_column
        where, params = _range(column, after, upto)
        return self.rows(conn, f"SELECT {column}, originator_id, originator_version, topic, state FROM {self.events}"
                               f"{where} ORDER BY {column} LIMIT %s", [*params, limit])

    # Verification starts below position 1 (after=None): a row slipped in at 0 or below would otherwise escape
    # it, yet still be replayed into its aggregate, which reads its events by originator id.

    def event_bytes_upto(self, conn: Any, last: int, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
        after: int | None = None
        checked = 0
        while rows := self.events_after(conn, after, PAGE_SIZE, last):
            for row in rows:
                yield row[0], event_bytes(row[0], self.stored_id(row[1]), *row[2:])
            after, checked = rows[-1][0], checked + len(rows)
            if progress is not None:
                progress(checked, after)

    def stored_id(self, value: Any) -> Any:
        """An originator id as the chain hashes it: as the store hands it back."""
        return value

    def version_gaps(self, conn: Any, limit: int = 5) -> list[tuple[Any, int, int, int]]:
        """Records whose stored versions do not run from 1 without a gap: (originator, count, first, last)."""
        return self.rows(conn, f"SELECT originator_id, COUNT(*), MIN(originator_version), MAX(originator_version)"
                               f" FROM {self.events} GROUP BY originator_id HAVING COUNT(*) <> MAX(originator_version)"
                               f" OR MIN(originator_version) <> 1 LIMIT {int(limit)}")

    def snapshot_rows(self, conn: Any) -> list[tuple]:
        """Every stored snapshot: originator, version, topic, state."""
        return self.rows(conn, f"SELECT originator_id, originator_version, topic, state FROM {self.snapshots}")

    def links_upto(self, conn: Any, last: int, after: int | None = None) -> Iterator[tuple[int, bytes]]:
        while True:
            where, params = _range("position", after, last)
            rows = self.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE}{where} ORDER BY position LIMIT %s",
                             [*params, PAGE_SIZE])
            if not rows:
                return
            for position, hex_link in rows:
                yield position, bytes.fromhex(hex_link)
            after = rows[-1][0]


class SqliteStore(Store):
    placeholder = "?"
    position_column = "rowid"  # eventsourcing's notification id on SQLite

    def stored_id(self, value: Any) -> Any:
        """SQLite keeps an id as the 32 lower-case hex digits it writes, and compares ids as text: an id rewritten
        in another form (dashed, upper case) is no longer its record's, though it names the same UUID. Such text is
        hashed as no save's could be, so `verify` names its position (a probe: a dashed id passed as intact)."""
        if isinstance(value, str) and len(value) == 32 and value == value.lower():
            try:
                return UUID(hex=value)
            except ValueError:
                pass
        return f"not as SQLite stores an id: {value!r}"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(sqlite_file(self.url), uri=True, timeout=_SQLITE_TIMEOUT, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    def has_table(self, conn: sqlite3.Connection, name: str) -> bool:
        return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())

    @contextmanager
    def writing(self, conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the database's write lock up front, as a save's first INSERT does.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def exclusive(self, conn: sqlite3.Connection, name: str) -> Iterator[None]:
        """One process at a time in the block, for the work called `name` (on SQLite: the database's write lock)."""
        with self.writing(conn):
            yield

    @contextmanager
    def driver_errors(self) -> Iterator[None]:
        """SQLite's errors as they are: the command line words sqlite3's own."""
        yield


def _range(column: str, after: int | None, upto: int | None) -> tuple[str, list[int]]:
    conditions = [(f"{column} > %s", after), (f"{column} <= %s", upto)]
    kept = [(text, value) for text, value in conditions if value is not None]
    where = " WHERE " + " AND ".join(text for text, _ in kept) if kept else ""
    return where, [value for _, value in kept]


def open_store(url: str) -> Store:
    """The chain's SQL for the store at `url`."""
    if is_postgres(url):
        from ledger.audit.postgres import PostgresStore  # psycopg stays in the PostgreSQL module

        return PostgresStore(url)
    return SqliteStore(url)
