"""The read models in the SQLite file beside the events. SQLite's recorder cannot subscribe, so the
projector polls; its transactions take the write lock first (BEGIN IMMEDIATE) and only then read the
tracked position, so two followers of one file never apply the same event."""
from __future__ import annotations

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


class SqliteView(ReadModelView):
    max_notification_statement = "SELECT MAX(rowid) FROM stored_events"
    event_state_statement = "SELECT state FROM stored_events WHERE rowid = %s"

    def __init__(self, url: str) -> None:
        path = sqlite_file(url)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, uri=True, timeout=LOCK_TIMEOUT, isolation_level=None,
                                     check_same_thread=False)
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
        with self._lock:
            cursor = self._conn.cursor()
            cursor.execute(begin)
            try:
                yield Sql(cursor, qmark=True, rename=self.rename)
            except BaseException:
                self._conn.rollback()
                raise
            else:
                self._conn.commit()
            finally:
                cursor.close()

    def writing(self) -> Iterator[Sql]:  # type: ignore[override]
        return self._transaction("BEGIN IMMEDIATE")

    def reading(self) -> Iterator[Sql]:  # type: ignore[override]
        return self._transaction("BEGIN")

    def _locked_position(self, sql: Sql) -> int:
        return self.tracked(sql)  # BEGIN IMMEDIATE already holds the write lock

    def _track(self, sql: Sql, position: int) -> None:
        sql.run("UPDATE rm_tracking SET notification_id = %s WHERE application_name = %s", (position, APPLICATION))

    def _untrack(self, sql: Sql) -> None:
        self._track(sql, 0)

    def close(self) -> None:
        with self._lock:
            self._conn.close()
