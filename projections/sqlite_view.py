"""The read models in the SQLite file beside the events. SQLite's recorder cannot subscribe, so the
projector polls; its transactions take the write lock first (BEGIN IMMEDIATE) and only then read the
tracked position, so two followers of one file never apply the same event.

Reads go through connections of their own (WAL: each reads a snapshot, beside the one writer), not the writers'
one connection and its lock: one long read (a 100,000-line statement's report, 5-10 s) held every other reader,
and the readiness check, behind it (an adversarial probe saw a bureau's awards wait 50 s behind eight). They are a
pool of at most `READERS`, each lent to one read at a time and kept open for the next: not one per thread, as the
server's worker threads come and go and a regression probe saw a thread's connection outlive it, files open
growing with every quiet spell until every read failed. The in-memory store of the tests keeps the one
connection (a shared cache locks by table)."""
from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ledger.store import SQLITE_SHARED_MEMORY, sqlite_file
from projections.events import APPLICATION
from projections.schema import DDL
from projections.sql import Sql
from projections.view import ReadModelView

LOCK_TIMEOUT = 30.0  # seconds a writer waits for the file's write lock
READERS = 8  # connections reading at once (as PostgreSQL's read-model pool); a ninth read waits for one


class SqliteView(ReadModelView):
    max_notification_statement = "SELECT MAX(rowid) FROM stored_events"
    event_state_statement = "SELECT state FROM stored_events WHERE rowid = %s"

    def __init__(self, url: str) -> None:
        path = sqlite_file(url)
        self._path, self._lock = path, threading.RLock()
        self._conn = sqlite3.connect(path, uri=True, timeout=LOCK_TIMEOUT, isolation_level=None,
                                     check_same_thread=False)
        self._own_readers = path != SQLITE_SHARED_MEMORY
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._opened: list[sqlite3.Connection] = []
        self._opening = threading.Lock()  # the pool's own: a reader is never held behind the writer's lock
        if path != SQLITE_SHARED_MEMORY:
            self._conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the projector
        with self.writing() as sql:
            for statement in DDL:
                sql.run(statement)
            sql.run("CREATE TABLE IF NOT EXISTS rm_tracking (application_name TEXT PRIMARY KEY,"
                    " notification_id INTEGER NOT NULL)")
            sql.run("INSERT INTO rm_tracking VALUES (%s, 0) ON CONFLICT DO NOTHING", (APPLICATION,))

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Sql]:
        with self._lock, self._on(self._conn, begin) as sql:
            yield sql

    @contextmanager
    def _on(self, conn: sqlite3.Connection, begin: str) -> Iterator[Sql]:
        cursor = conn.cursor()
        cursor.execute(begin)
        try:
            yield Sql(cursor, qmark=True, rename=self.rename)
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()
        finally:
            cursor.close()

    def writing(self) -> Iterator[Sql]:  # type: ignore[override]
        return self._transaction("BEGIN IMMEDIATE")

    def reading(self) -> Iterator[Sql]:  # type: ignore[override]
        if not self._own_readers:
            return self._transaction("BEGIN")
        return self._lent()

    @contextmanager
    def _lent(self) -> Iterator[Sql]:
        conn = self._reader()
        try:
            with self._on(conn, "BEGIN") as sql:
                yield sql
        finally:
            self._idle.put(conn)

    def _reader(self) -> sqlite3.Connection:
        """An idle reading connection, else a new one while fewer than READERS are open, else the next given back."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._opening:
            if len(self._opened) < READERS:
                conn = sqlite3.connect(self._path, uri=True, timeout=LOCK_TIMEOUT, isolation_level=None,
                                       check_same_thread=False)
                self._opened.append(conn)
                return conn
        return self._idle.get()

    def _locked_position(self, sql: Sql) -> int:
        return self.tracked(sql)  # BEGIN IMMEDIATE already holds the write lock

    def _track(self, sql: Sql, position: int) -> None:
        sql.run("UPDATE rm_tracking SET notification_id = %s WHERE application_name = %s", (position, APPLICATION))

    def _untrack(self, sql: Sql) -> None:
        self._track(sql, 0)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            for conn in self._opened:
                conn.close()
            self._opened.clear()
