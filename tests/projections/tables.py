"""Raw read-model tables, read straight from the store, to compare two states row by row."""
from __future__ import annotations

import sqlite3

import psycopg

from ledger.audit.chain import events_table
from ledger.store import is_postgres, postgres_conninfo, sqlite_path

TABLES = ("rm_records", "rm_caps", "rm_finance", "rm_funds", "rm_history", "rm_cap_events", "rm_meta",
          "rm_payouts", "rm_statements", "rm_bank_lines", "rm_claims")


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    if is_postgres(url):
        with psycopg.connect(postgres_conninfo(url)) as conn:
            cursor = conn.execute(statement, params)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    conn = sqlite3.connect(sqlite_path(url), uri=True, timeout=30)
    try:
        with conn:
            return conn.execute(statement.replace("%s", "?"), params).fetchall()
    finally:
        conn.close()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every read-model table and the tracking position, in a stable order."""
    state = {table: sorted(query(url, f"SELECT * FROM {table}"), key=repr) for table in TABLES}
    state["rm_tracking"] = query(url, "SELECT notification_id FROM rm_tracking WHERE application_name = 'AwardLedger'")
    return state


def _notification_id(url: str) -> str:
    return "notification_id" if is_postgres(url) else "rowid"


def max_notification_id(url: str) -> int:
    return query(url, f"SELECT MAX({_notification_id(url)}) FROM {events_table(url)}")[0][0] or 0


def event_count(url: str, upto: int | None = None) -> int:
    """How many events the store holds (up to notification id `upto`)."""
    where = "" if upto is None else f" WHERE {_notification_id(url)} <= %s"
    return query(url, f"SELECT COUNT(*) FROM {events_table(url)}{where}", () if upto is None else (upto,))[0][0]
