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
"""
from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

TOPIC = "ledger.pg_recorder:LedgerRecorder"


class LedgerRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: Any, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.pg_function_name_insert_events = f"ledger_insert_events_{self.datastore.originator_id_type}"
        function = Identifier(self.pg_function_name_insert_events)
        self.sql_invoke_pg_function_insert_events = SQL("SELECT * FROM {schema}.{function}((%s))").format(
            schema=schema, function=function)
        self.sql_create_pg_function_insert_events = SQL(
            "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
            "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
            "BEGIN "
            "  SET LOCAL lock_timeout = '{lock_timeout}s'; "
            "  LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "  NOTIFY {channel}; "
            "  RETURN QUERY "
            "    INSERT INTO {schema}.{table} AS t (originator_id, originator_version, topic, state) "
            "    SELECT originator_id, originator_version, topic, state FROM unnest(events) "
            "    RETURNING notification_id; "
            "END; $BODY$"
        ).format(schema=schema, function=function, event=Identifier(self.stored_event_type_name),
                 lock_timeout=self.datastore.lock_timeout, table=Identifier(self.events_table_name),
                 channel=Identifier(self.channel_name))
        self.sql_create_statements[self.create_insert_function_statement_index] = (
            self.sql_create_pg_function_insert_events)
