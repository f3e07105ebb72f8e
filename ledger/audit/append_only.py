"""Stored events are append-only: the service's own connections are refused any UPDATE or DELETE of them.

`protect(url)` installs triggers on the events table, the snapshots table, the chain's links, its upgrade
point (`ledger.audit.tables`) and the refusals kept for idempotency keys (`ledger.refused_keys`) that
raise "stored events are immutable: ..." on UPDATE and DELETE, and on PostgreSQL on TRUNCATE too.
Triggers, not revoked privileges, because the service may connect as the tables' owner or a superuser,
whom REVOKE does not bind. eventsourcing only ever INSERTs into these tables, so nothing legitimate is
refused. Someone with the database's owner rights can still disable a trigger: that is what the audit
chain and a digest kept outside the system catch (`ledger.audit.chain`).

Safe to call at every start-up, from several processes at once: it creates what is missing and
re-enables a trigger someone disabled, and otherwise changes nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing

import psycopg
from psycopg import sql

from ledger.audit.tables import CHAIN_TABLE, SINCE_TABLE, ensure_event_store, events_table, snapshots_table
from ledger.refused_keys import TABLE as REFUSED_TABLE
from ledger.store import is_postgres, postgres_conninfo, sqlite_path

MESSAGE = "stored events are immutable"
FUNCTION = "award_ledger_refuse_event_change"
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"award-ledger:append-only").digest()[:8], "big", signed=True)

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on table % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The event log is append-only: correct a mistake by recording a new event.';
END
$body$
"""


def protect(url: str) -> list[str]:
    """Install (or re-enable) the append-only triggers of the store at `url`; the names of those in force."""
    ensure_event_store(url)
    return _protect_postgres(url) if is_postgres(url) else _protect_sqlite(url)


def triggers(url: str) -> dict[str, bool]:
    """The append-only triggers present on the store, by name, with whether each is enabled."""
    if is_postgres(url):
        tables = _tables(url)
        with psycopg.connect(postgres_conninfo(url)) as conn:
            return {name: enabled for name, _, enabled in _pg_triggers(conn, tables)}
    with _sqlite(url) as conn:
        return {name: True for name, _, _ in _sqlite_wanted(conn, url)
                if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()}


def is_protected(url: str) -> bool:
    """Whether every append-only trigger the store needs is present and enabled."""
    wanted = len(_tables(url)) * 2
    found = triggers(url)
    return len(found) == wanted and all(found.values())


def _tables(url: str) -> list[str]:
    wanted = [events_table(url), snapshots_table(url), CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE]
    if is_postgres(url):
        with psycopg.connect(postgres_conninfo(url)) as conn:
            return [t for t in wanted if conn.execute("SELECT to_regclass(%s) IS NOT NULL", (t,)).fetchone()[0]]
    with _sqlite(url) as conn:
        return [t for t in wanted if _sqlite_has_table(conn, t)]


# ---------------------------------------------------------------------------------------------- PostgreSQL


def _pg_wanted(table: str) -> list[tuple[str, str, str]]:
    return [(f"{table}_append_only", "BEFORE UPDATE OR DELETE", "ROW"),
            (f"{table}_no_truncate", "BEFORE TRUNCATE", "STATEMENT")]


def _pg_triggers(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str, bool]]:
    names = [name for table in tables for name, _, _ in _pg_wanted(table)]
    rows = conn.execute("SELECT tgname, tgrelid::regclass::text, tgenabled <> 'D' FROM pg_trigger"
                        " WHERE tgname = ANY(%s) AND NOT tgisinternal", (names,)).fetchall()
    return [(name, table, enabled) for name, table, enabled in rows]


def _protect_postgres(url: str) -> list[str]:
    tables = _tables(url)
    with psycopg.connect(postgres_conninfo(url)) as conn, conn.transaction():
        # Two services starting together would otherwise race on CREATE OR REPLACE FUNCTION and CREATE TRIGGER.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(_PG_FUNCTION)
        present = {name: enabled for name, _, enabled in _pg_triggers(conn, tables)}
        for table in tables:
            for name, when, each in _pg_wanted(table):
                if name not in present:
                    conn.execute(sql.SQL("CREATE TRIGGER {} " + when + " ON {} FOR EACH " + each
                                         + " EXECUTE FUNCTION {}()").format(
                        sql.Identifier(name), sql.Identifier(table), sql.Identifier(FUNCTION)))
                elif not present[name]:
                    conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER {}").format(
                        sql.Identifier(table), sql.Identifier(name)))
    return [name for table in tables for name, _, _ in _pg_wanted(table)]


# ---------------------------------------------------------------------------------------------- SQLite


def _sqlite(url: str) -> closing[sqlite3.Connection]:
    # sqlite3's own context manager commits but never closes; closing() does.
    return closing(sqlite3.connect(sqlite_path(url), uri=True, timeout=10.0, isolation_level=None))


def _sqlite_has_table(conn: sqlite3.Connection, name: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())


def _sqlite_wanted(conn: sqlite3.Connection, url: str) -> list[tuple[str, str, str]]:
    tables = [t for t in (events_table(url), snapshots_table(url), CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE)
              if _sqlite_has_table(conn, t)]
    return [(f"{table}_no_{op.lower()}", op, table) for table in tables for op in ("UPDATE", "DELETE")]


def _protect_sqlite(url: str) -> list[str]:
    with _sqlite(url) as conn:
        wanted = _sqlite_wanted(conn, url)
        for name, op, table in wanted:
            # RAISE(ABORT) fails the statement; a trigger on the table also turns off SQLite's truncate
            # optimisation, so even an unqualified DELETE runs it.
            message = f"{MESSAGE}: {op} on table {table} refused; the event log is append-only"
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {op} ON {table}"
                         f" BEGIN SELECT RAISE(ABORT, '{message}'); END")
    return [name for name, _, _ in wanted]
