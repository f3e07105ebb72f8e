"""The PostgreSQL recorder the ledger saves through: one statement per save, and still in commit order.

eventsourcing's PostgreSQL recorder saves in a pipelined transaction: BEGIN, `LOCK TABLE … IN EXCLUSIVE
MODE`, NOTIFY, the INSERT, a sync to collect the notification ids, COMMIT — several round trips for what
is, for a command, three or four rows. With `POSTGRES_ENABLE_DB_FUNCTIONS` it can instead call one
PL/pgSQL function in a single autocommitted statement, but that function inserts without the table lock,
so two concurrent saves may commit out of notification-id order and a follower tailing the log could pass
a gap that is filled a moment later (and never apply those events).

`LedgerRecorder` keeps the one-statement save and puts the lock back: its function takes the same
EXCLUSIVE lock before inserting, inside the statement's own transaction, so insert order is commit order
exactly as on the pipelined path. The function has its own name (`ledger_insert_events_<id type>`), so an
unmodified eventsourcing process on the same database, which re-creates `es_insert_events_*` at start-up,
cannot swap the lock-free body in under us. `ledger/store.py` selects this class with
`APPLICATION_RECORDER_TOPIC` and turns the function path on with `POSTGRES_ENABLE_DB_FUNCTIONS`.

The same function chains what it inserted before it returns (`ledger.audit.linking`): an event is never
acknowledged without its link, and the lock that orders the log orders the chain. The tables are guarded
append-only in the transaction that creates them (`ledger.audit.append_only`).

The events travel as four binary arrays (ids, versions, topics, states), where eventsourcing's function takes
one array of a composite type: psycopg writes a composite array in Python, field by field, escaping each state's
hex text twice (for the record, then for the array), and the server parses it back the same way. For five
events, taken in turn (bench/bench_save_params.py): 355 against 185 µs of client CPU a save, 256 against 194 µs of
the server's; a served claim costs 9-17 % less CPU (bench/RESULTS.md, issue 17, seventh pass).

`select_latest` reads an aggregate that may have snapshots in one round trip: its latest snapshot and the
events after it, where eventsourcing's repository asks for the snapshot first and the events second.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, NamedTuple
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from ledger.audit.append_only import pg_guard, pg_guard_lock
from ledger.audit.deleted_links import Parted, parted_at
from ledger.audit.linking import LINK_FUNCTION, SavedHere, pg_link_function, since_statements, unlinked_among
from ledger.audit.tables import CHAIN_COLUMNS, CHAIN_TABLE, SINCE_TABLE
from ledger.refused_keys import COLUMNS as REFUSED_COLUMNS
from ledger.refused_keys import TABLE as REFUSED_TABLE


class WindowRow(NamedTuple):
    """A notification as a replay reads it (`select_window`): a Notification's attributes, in its order."""

    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    id: int


class LedgerRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.pg_function_name_insert_events = f"ledger_insert_events_{self.datastore.originator_id_type}"
        function = Identifier(self.pg_function_name_insert_events)
        id_type = self.datastore.originator_id_type  # "uuid" or "text", checked by the datastore
        self.sql_invoke_pg_function_insert_events = SQL(
            "SELECT * FROM {schema}.{function}(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])").format(
            schema=schema, function=function, id_type=SQL(id_type)).as_string()
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(originator_ids {id_type}[], versions bigint[], "
            "topics text[], states bytea[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "DECLARE ids bigint[]; "
            "BEGIN "
            "  SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "  LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "  NOTIFY {channel}; "
            "  WITH inserted AS ("
            "    INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
            "    SELECT * FROM unnest(originator_ids, versions, topics, states) "
            "    RETURNING notification_id) "
            "  SELECT array_agg(notification_id ORDER BY notification_id) INTO ids FROM inserted; "
            "  PERFORM {schema}.{link}(ids); "  # the save's own events, chained under the lock
            "  RETURN QUERY SELECT unnest(ids); "
            "END; $BODY$"
        ).format(schema=schema, function=function, id_type=SQL(id_type),
                 lock_timeout=self.datastore.lock_timeout, table=Identifier(self.events_table_name),
                 channel=Identifier(self.channel_name), link=Identifier(LINK_FUNCTION))
        self.sql_create_statements[self.create_insert_function_statement_index] = (
            self.sql_create_pg_function_insert_events)
        create_since, record_since = since_statements(self.events_table_name, "notification_id",
                                                      self.datastore.schema)
        guarded = [self.events_table_name, CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE]
        self.sql_create_statements += [
            SQL(f"CREATE TABLE IF NOT EXISTS {{schema}}.{CHAIN_TABLE} ({CHAIN_COLUMNS})").format(schema=schema),
            SQL(f"CREATE TABLE IF NOT EXISTS {{schema}}.{REFUSED_TABLE} ({REFUSED_COLUMNS})").format(schema=schema),
            SQL(pg_link_function(self.datastore.schema, self.events_table_name)),  # type: ignore[arg-type]
            SQL(create_since),  # type: ignore[arg-type]
            # The record is append-only from the moment it exists, whichever command created or opened it.
            SQL(pg_guard(guarded, self.datastore.schema)),  # type: ignore[arg-type]
            SQL(record_since),  # type: ignore[arg-type]
        ]
        # Its lock, when the guard has work to do, taken before the statements above lock any table (_create_table).
        self._guard_lock = pg_guard_lock(guarded, self.datastore.schema)
        # The statements this recorder runs are kept as text: psycopg renders a composed statement again on
        # every execute, each identifier escaped by libpq (15-19 µs of client CPU for three identifiers).
        self._latest: dict[str, str] = {}  # select_latest's statement, per snapshots table
        self._window: str | None = None  # select_window's
        self._point = SQL(
            "SELECT e.notification_id, c.link FROM {schema}.{table} e LEFT JOIN {schema}.{chain} c"
            " ON c.position = e.notification_id WHERE e.originator_id = %s AND e.originator_version = %s"
        ).format(schema=schema, table=Identifier(self.events_table_name), chain=Identifier(CHAIN_TABLE)).as_string()
        # An aggregate's stored events with their links and the link before each (ledger/audit/intact.py).
        self._chained = SQL(
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, c.link,"
            " (SELECT p.link FROM {schema}.{chain} p WHERE p.position < e.notification_id ORDER BY p.position DESC"
            " LIMIT 1) FROM {schema}.{table} e LEFT JOIN {schema}.{chain} c ON c.position = e.notification_id"
            " WHERE e.originator_id = %s ORDER BY e.notification_id"
        ).format(schema=schema, table=Identifier(self.events_table_name), chain=Identifier(CHAIN_TABLE)).as_string()
        self.saved_here = SavedHere()
        self._cut = threading.local()  # this thread's save lost its connection once its statement was sent
        # Which of a range's positions have a link, past the upgrade point (ledger/audit/linking.py): the projector's
        # check that it folds no event slipped into the table without one.
        self._linked = SQL(
            "SELECT c.position FROM {schema}.{chain} c WHERE c.position >= %s AND c.position <= %s UNION ALL"
            " SELECT -1 - COALESCE(MAX(s.position), 0) FROM {schema}.{since} s"
        ).format(schema=schema, chain=Identifier(CHAIN_TABLE), since=Identifier(SINCE_TABLE)).as_string()
        refused = Identifier(REFUSED_TABLE)
        self._refusal = SQL("SELECT fingerprint, answer FROM {schema}.{refused} WHERE principal = %s AND key = %s"
                            ).format(schema=schema, refused=refused).as_string()
        self._keep_refusal = SQL("INSERT INTO {schema}.{refused} (principal, key, fingerprint, answer)"
                                 " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
                                 ).format(schema=schema, refused=refused).as_string()
        events = Identifier(self.events_table_name)
        self._lock_events = SQL("SET LOCAL lock_timeout = '{lock_timeout}s'; LOCK TABLE {schema}.{table} IN EXCLUSIVE"
                                " MODE").format(lock_timeout=SQL(str(self.datastore.lock_timeout)), schema=schema,
                                                table=events).as_string()
        self._recorded = SQL("SELECT 1 FROM {schema}.{table} WHERE originator_id = %s LIMIT 1"
                             ).format(schema=schema, table=events).as_string()

    def _create_table(self, curs: Any) -> None:
        curs.execute(self._guard_lock, prepare=False)
        super()._create_table(curs)

    def begin_save(self) -> None:
        """A command's save begins: nothing of it was cut off yet (`save_cut_off`)."""
        self._cut.flag = False

    def save_cut_off(self) -> bool:
        """Whether this thread's save, since `begin_save`, lost its connection after sending its statement: it may
        have committed, though no answer came (the retries below then met the record they wrote, or no store)."""
        return getattr(self._cut, "flag", False)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Save the events in one statement (the function above), each field as a binary array; their
        notification ids, in order. Nothing to save is not a statement."""
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            try:
                return self._insert(curs, conn, stored_events, kwargs.get("idempotency"))
            except (psycopg.OperationalError, psycopg.InterfaceError):
                # The connection lost, not a statement refused (a lock's timeout leaves it whole, and wrote nothing).
                self._cut.flag = self.save_cut_off() or conn.broken or conn.closed
                raise

    def _insert(self, curs: Any, conn: Any, stored_events: Sequence[StoredEvent],
                keyed: tuple[str, str] | None) -> list[int]:
        columns = ([e.originator_id for e in stored_events], [e.originator_version for e in stored_events],
                   [e.topic for e in stored_events], [e.state for e in stored_events])
        if keyed is None:
            curs.execute(self.sql_invoke_pg_function_insert_events, columns, prepare=True)
            ids = [row[0] for row in curs.fetchall()]
            self.saved_here.add(ids)  # one statement, autocommitted: saved
            return ids
        with conn.transaction():
            curs.execute(self.sql_invoke_pg_function_insert_events, columns, prepare=True)
            ids = [row[0] for row in curs.fetchall()]
            # Under the events table's lock, which keep_refusal takes too: a refusal kept for the key
            # meanwhile was its first answer, and this save rolls back.
            curs.execute(self._refusal, keyed, prepare=True)
            if curs.fetchone() is not None:
                raise IntegrityError(f"Idempotency-Key {keyed[1]!r} was answered first by a refusal")
        self.saved_here.add(ids)
        return ids

    def chain_point(self, originator_id: UUID, version: int) -> tuple[int, str] | None:
        """The notification id and chain link of one recorded event (a snapshot's anchor), or None."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._point, (originator_id, version), prepare=True)
            row = curs.fetchone()
        return None if row is None else (row["notification_id"], row["link"])

    def chained_events(self, originator_id: UUID) -> list[tuple]:
        """The aggregate's stored events, oldest first: (position, id, version, topic, state, link, link before)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._chained, (originator_id,), prepare=True)
            return curs.fetchall()

    def parted(self, position: int) -> Parted | None:
        """The events without a link that explain a break `chained_events` showed at `position` (links deleted, or
        nothing after them tells), or None: the events were tampered with (ledger/audit/deleted_links.py)."""
        schema = self.datastore.schema
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            return parted_at(curs, position, events=f'"{schema}"."{self.events_table_name}"',
                             chain=f'"{schema}".{CHAIN_TABLE}', column="notification_id", placeholder="%s")

    def unlinked(self, positions: Sequence[int]) -> list[int]:
        """Those of `positions` (a page of the log) that have no link in the chain though recorded after the upgrade
        point: slipped into the events table by hand, never by a save, which links its events as it commits."""
        positions = self.saved_here.others(positions)
        if not positions:
            return []
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._linked, (min(positions), max(positions)), prepare=True)
            found = [row[0] for row in curs.fetchall()]
        return unlinked_among(positions, found)

    def refusal(self, principal: str, key: str) -> tuple[str, str] | None:
        """The fingerprint and answer of the refusal kept for a principal's Idempotency-Key (ledger.refused_keys)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._refusal, (principal, key), prepare=True)
            row = curs.fetchone()
        return None if row is None else (row[0], row[1])

    def keep_refusal(self, principal: str, key: str, fingerprint: str, answer: str,
                     record_id: UUID | None = None) -> bool:
        """Keep a refusal for the key, unless the key's first answer is already kept: a refusal kept before, or
        the record (`record_id`) of a command saved with the key. Under the events table's lock, which every save
        takes, so of a refusal and a success racing for one key exactly one is kept (`insert_events`). Whether it
        was kept."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor(row_factory=tuple_row) as curs:
            if record_id is not None:
                curs.execute(self._lock_events)
                curs.execute(self._recorded, (record_id,), prepare=True)
                if curs.fetchone() is not None:
                    return False
            curs.execute(self._keep_refusal, (principal, key, fingerprint, answer))
            return curs.rowcount == 1

    def select_latest(self, originator_id: UUID, snapshots_table: str) -> tuple[StoredEvent | None,
                                                                                 list[StoredEvent]]:
        """The latest snapshot of an aggregate (or None) and its events after that snapshot, in one query."""
        statement = self._latest.get(snapshots_table)
        if statement is None:
            statement = self._latest[snapshots_table] = _latest_statement(
                self.datastore.schema, self.events_table_name, snapshots_table)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, {"id": originator_id}, prepare=True)
            rows = curs.fetchall()
        snapshot, events = None, []
        for row in rows:
            stored = StoredEvent(originator_id=originator_id, originator_version=row["originator_version"],
                                 topic=row["topic"], state=bytes(row["state"]))
            if row["part"] == 0:
                snapshot = stored
            else:
                events.append(stored)
        return snapshot, events


    def select_window(self, after: int, last: int, topics: list[str]) -> list[WindowRow]:
        """The notifications of these topics with ids in (after, last], in order: a replay's window of the log
        (projections/replay_log.py). eventsourcing's `select_notifications` builds a dict for each row and copies
        its state; here rows are named tuples (a Notification's attributes at half its making) read in binary:
        the state comes as its bytes rather than hex text twice its size, which the server writes and the client
        reads back (a third less CPU on both sides for the replays' reads)."""
        statement = self._window
        if statement is None:
            statement = self._window = SQL(
                "SELECT originator_id, originator_version, topic, state, notification_id FROM {schema}.{table}"
                " WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s)"
                " ORDER BY notification_id").format(schema=Identifier(self.datastore.schema),
                                                    table=Identifier(self.events_table_name)).as_string()
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(statement, (after, last, topics), prepare=True, binary=True)
            make = WindowRow._make
            return [make(row) for row in curs.fetchall()]


def _latest_statement(schema: str, events: str, snapshots: str) -> str:
    return SQL(
        "(SELECT 0 AS part, originator_version, topic, state FROM {schema}.{snapshots}"
        "  WHERE originator_id = %(id)s ORDER BY originator_version DESC LIMIT 1)"
        " UNION ALL "
        "(SELECT 1 AS part, originator_version, topic, state FROM {schema}.{events}"
        "  WHERE originator_id = %(id)s AND originator_version > COALESCE("
        "    (SELECT max(originator_version) FROM {schema}.{snapshots} WHERE originator_id = %(id)s), 0))"
        " ORDER BY part, originator_version"
    ).format(schema=Identifier(schema), events=Identifier(events), snapshots=Identifier(snapshots)).as_string()
