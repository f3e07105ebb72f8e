"""What a request can leave behind in a store, counted the same way on SQLite and PostgreSQL: the events
(notification log) and the rows of every read-model table, so a fuzzing run can prove a refusal wrote nothing."""
from __future__ import annotations

import sqlite3
import time

import psycopg

from ledger.store import is_postgres, postgres_conninfo, sqlite_path

# Not compared: the audit chain is a hash per event, extended by a background thread about once a second
# (so it lags the log after any accepted command), and it can only grow where the events did; the dashboard's
# sessions are written by signing in, which the fuzzing pass does not do.
UNCOMPARED = ("rm_audit_chain",)
EVENTS = {"sqlite": "stored_events", "postgres": "awardledger_events"}


class Traces:
    """Row counts of the store's events and read-model tables, read on one connection of the test's own."""

    def __init__(self, url: str) -> None:
        self.postgres = is_postgres(url)
        if self.postgres:
            self.conn = psycopg.connect(postgres_conninfo(url), autocommit=True)
        else:
            self.conn = sqlite3.connect(sqlite_path(url), uri=True, isolation_level=None, timeout=30)
        self.events = EVENTS["postgres" if self.postgres else "sqlite"]

    def _rows(self, query: str) -> list[tuple]:
        return self.conn.execute(query).fetchall()

    def tables(self) -> list[str]:
        """Every read-model table there is now (rm_*), read again each time: a table created late counts too."""
        if self.postgres:
            names = self._rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        else:
            names = self._rows("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(n for (n,) in names if n.startswith("rm_") and n not in UNCOMPARED)

    def counts(self) -> dict[str, int]:
        """{table: rows} for the event table and every read-model table, in one statement (one snapshot)."""
        tables = [self.events, *self.tables()]
        query = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in tables)
        return dict(self._rows(query))

    def head(self) -> tuple[int, int]:
        """(the log's last notification id, the read models' tracked position)."""
        last = self._rows(f"SELECT MAX({'notification_id' if self.postgres else 'rowid'}) FROM {self.events}")
        tracked = self._rows("SELECT MAX(notification_id) FROM rm_tracking")
        return last[0][0] or 0, tracked[0][0] or 0

    def settled(self, timeout: float = 30.0) -> dict[str, int]:
        """The counts once the read models have folded every recorded event (so a count that moves after this
        was moved by the next request, not by the tail of an earlier accepted one)."""
        deadline = time.monotonic() + timeout
        while (at := self.head())[1] < at[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the read models stayed behind the log for {timeout} s: {at}")
            time.sleep(0.02)
        return self.counts()

    def close(self) -> None:
        self.conn.close()
