"""Stored events are append-only: the service's own connections are refused any UPDATE or DELETE of them.

`protect(url)` installs triggers on the events table, the snapshots table, the chain's links, its upgrade
point (`ledger.audit.tables`), the signing keys' registry (`ledger.audit.keys`) and the refusals kept for
idempotency keys (`ledger.refused_keys`) that
raise "stored events are immutable: ..." on UPDATE and DELETE, and on PostgreSQL on TRUNCATE too.
Triggers, not revoked privileges, because the service may connect as the tables' owner or a superuser,
whom REVOKE does not bind. eventsourcing only ever INSERTs into these tables, so nothing legitimate is
refused. Someone with the database's owner rights can still disable a trigger: that is what the audit
chain and a digest kept outside the system catch (`ledger.audit.chain`).

The guard is part of creating the store: the ledger's recorders (`ledger/sqlite_recorder.py`,
`ledger/pg_recorder.py`) install it with the tables, in the same transaction, and the snapshot store on its table
(`ledger.audit.snapshots`), so a store any command creates or opens is guarded, not only one `serve` has opened.
`protect(url)` runs the same statements for all of a store's tables.

Either is safe at every start-up, from several processes at once: it creates what is missing, re-enables a
trigger someone disabled, and otherwise changes nothing (on PostgreSQL, one catalogue query and no lock when
all is in force).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore

from ledger.audit.tables import (
    CHAIN_TABLE,
    KEYS_TABLE,
    SINCE_TABLE,
    ensure_event_store,
    events_table,
    snapshots_table,
)
from ledger.refused_keys import TABLE as REFUSED_TABLE
from ledger.store import is_postgres, postgres_conninfo, sqlite_file

MESSAGE = "stored events are immutable"
FUNCTION = "award_ledger_refuse_event_change"
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"award-ledger:append-only").digest()[:8], "big", signed=True)

# The trigger function's body, as PostgreSQL keeps it (pg_proc.prosrc): the guard replaces a body that differs.
_PG_BODY = f"""
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on table % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The event log is append-only: correct a mistake by recording a new event.';
END
"""
_PG_KINDS = (("_append_only", "BEFORE UPDATE OR DELETE", "ROW"), ("_no_truncate", "BEFORE TRUNCATE", "STATEMENT"))


def pg_guard(tables: Sequence[str], schema: str | None = None) -> str:
    """One statement that guards those of `tables` present (in `schema`; None: the current one): the function and
    each table's two triggers created if missing, a disabled trigger enabled. All in force, it only reads the
    catalogue; otherwise it first takes an advisory lock, so processes opening one store together cannot race.
    Nothing in it is a placeholder: it runs as given, with or without a parameter-binding driver."""
    names = _pg_names(tables)
    return f"""DO $guard$
DECLARE
{_pg_declarations(schema)}
    tab text;
    rel regclass;
    kind record;
    enabled "char";
BEGIN
    IF {_pg_in_force(tables)} THEN
        RETURN;  -- in force: nothing to lock or change
    END IF;
    PERFORM pg_advisory_xact_lock({_LOCK_KEY});
    EXECUTE format('CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %L', fn, body);
    FOREACH tab IN ARRAY {names} LOOP
        rel := to_regclass(format('%I.%I', space, tab));
        CONTINUE WHEN rel IS NULL;
        FOR kind IN SELECT * FROM (VALUES {_pg_kinds()}) AS k(suffix, timing, level) LOOP
            SELECT tgenabled INTO enabled FROM pg_trigger WHERE tgrelid = rel AND tgname = tab || kind.suffix;
            IF enabled IS NULL THEN
                EXECUTE format('CREATE TRIGGER %I %s ON %s FOR EACH %s EXECUTE FUNCTION %s()',
                               tab || kind.suffix, kind.timing, rel, kind.level, fn);
            ELSIF enabled = 'D' THEN
                EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', rel, tab || kind.suffix);
            END IF;
        END LOOP;
    END LOOP;
END
$guard$"""


def pg_guard_lock(tables: Sequence[str], schema: str | None = None) -> str:
    """The advisory lock `pg_guard` takes, taken when it will have work to do; for a transaction's first statement,
    before any other takes a table lock the guard's CREATE TRIGGER would wait for (CREATE INDEX IF NOT EXISTS holds
    its table's SHARE lock), so two processes opening a store that lacks the guard cannot deadlock."""
    return f"""DO $guard$
DECLARE
{_pg_declarations(schema)}
BEGIN
    IF NOT {_pg_in_force(tables)} THEN
        PERFORM pg_advisory_xact_lock({_LOCK_KEY});
    END IF;
END
$guard$"""


def _pg_declarations(schema: str | None) -> str:
    space = _pg_literal(schema) if schema else "current_schema()"
    return f"""    space text := {space};
    fn text := format('%I.%I', space, {_pg_literal(FUNCTION)});
    body text := $src${_PG_BODY}$src$;"""


def _pg_in_force(tables: Sequence[str]) -> str:
    """Whether the function has its body and every trigger of the present `tables` is there and enabled."""
    return f"""((SELECT prosrc FROM pg_proc WHERE oid = to_regprocedure(fn || '()')) IS NOT DISTINCT FROM body
       AND NOT EXISTS (
           SELECT 1 FROM unnest({_pg_names(tables)}) AS t(name)
           CROSS JOIN (VALUES {_pg_kinds()}) AS k(suffix, timing, level)
           WHERE to_regclass(format('%I.%I', space, t.name)) IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = to_regclass(format('%I.%I', space, t.name))
                             AND g.tgname = t.name || k.suffix AND g.tgenabled <> 'D')))"""


def _pg_names(tables: Sequence[str]) -> str:
    return "ARRAY[" + ", ".join(_pg_literal(t) for t in tables) + "]::text[]"


def _pg_kinds() -> str:
    return ", ".join(f"({_pg_literal(suffix)}, {_pg_literal(when)}, {_pg_literal(each)})"
                     for suffix, when, each in _PG_KINDS)


def sqlite_guard(tables: Sequence[str]) -> list[str]:
    """The statements that guard `tables` (each must exist) on SQLite: two triggers a table, created if missing."""
    statements = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            # RAISE(ABORT) fails the statement; a trigger on the table also turns off SQLite's truncate
            # optimisation, so even an unqualified DELETE runs it.
            message = f"{MESSAGE}: {op} on table {table} refused; the event log is append-only"
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table}"
                              f" BEGIN SELECT RAISE(ABORT, '{message}'); END")
        if table == KEYS_TABLE:
            # INSERT OR REPLACE deletes the row it conflicts with without running delete triggers (SQLite runs them
            # only with recursive_triggers on): a key's public key was swapped so (a regression probe). The chain
            # catches a replaced event; nothing would catch a replaced key.
            message = f"{MESSAGE}: a key already registered cannot be replaced on table {table}"
            statements.append(f"CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table} WHEN EXISTS"
                              f" (SELECT 1 FROM {table} WHERE key_id = NEW.key_id)"
                              f" BEGIN SELECT RAISE(ABORT, '{message}'); END")
    return statements


def guard_recorder(recorder: Any) -> None:
    """Guard the table an eventsourcing recorder of the ledger's store keeps (the snapshots'), in a transaction of
    its own."""
    table, datastore = recorder.events_table_name, recorder.datastore
    if isinstance(datastore, PostgresDatastore):
        with datastore.transaction(commit=True) as cursor:
            cursor.execute(pg_guard([table], datastore.schema), prepare=False)
        return
    statements = sqlite_guard([table])
    with datastore.get_connection(commit=True) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN"
                       " (?, ?)", (table, f"{table}_no_update", f"{table}_no_delete"))
        if cursor.fetchone()[0] == len(statements):
            return  # in force: no write lock asked for
        # The write lock taken as the transaction begins: one that read first could not write once another
        # connection had committed (ledger/sqlite_recorder.py says more).
        cursor.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                cursor.execute(statement)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


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
    found, tables = triggers(url), _tables(url)
    wanted = len(tables) * 2 + (not is_postgres(url) and KEYS_TABLE in tables)  # SQLite's keys: no REPLACE either
    return len(found) == wanted and all(found.values())


def _tables(url: str) -> list[str]:
    wanted = [events_table(url), snapshots_table(url), CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE, KEYS_TABLE]
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
        conn.execute(pg_guard(tables))
    return [name for table in tables for name, _, _ in _pg_wanted(table)]


# ---------------------------------------------------------------------------------------------- SQLite


def _sqlite(url: str) -> closing[sqlite3.Connection]:
    # sqlite3's own context manager commits but never closes; closing() does.
    return closing(sqlite3.connect(sqlite_file(url), uri=True, timeout=10.0, isolation_level=None))


def _sqlite_has_table(conn: sqlite3.Connection, name: str) -> bool:
    return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())


def _sqlite_wanted(conn: sqlite3.Connection, url: str) -> list[tuple[str, str, str]]:
    found = [t for t in (events_table(url), snapshots_table(url), CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE,
                         KEYS_TABLE) if _sqlite_has_table(conn, t)]
    return [(f"{table}_no_{op.lower()}", op, table) for table in found
            for op in ("UPDATE", "DELETE", *(("REPLACE",) if table == KEYS_TABLE else ()))]


def _protect_sqlite(url: str) -> list[str]:
    with _sqlite(url) as conn:
        wanted = _sqlite_wanted(conn, url)
        for statement in sqlite_guard(list(dict.fromkeys(table for _, _, table in wanted))):
            conn.execute(statement)
    return [name for name, _, _ in wanted]


def _pg_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
