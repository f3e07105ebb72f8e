"""The events of many aggregates in one query, on either store: what a batch of an official list reads first
(its rows' organisations and bodies), instead of one round trip per row and aggregate.

eventsourcing's recorders read one aggregate a query; on PostgreSQL under load each of those is a round trip
that waits on the server (py-spy: seven tenths of a 10,000-row import, bench/RESULTS.md). Only aggregates
that are never snapshotted are read this way: their events are the whole of them."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteAggregateRecorder
from psycopg.sql import SQL, Identifier

from ledger.pg_recorder import LedgerRecorder


def select_many(recorder: object, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]] | None:
    """Each id's stored events in version order (absent ids: no entry); None for a recorder it cannot read."""
    if not ids:
        return {}
    if isinstance(recorder, LedgerRecorder):
        statement = SQL("SELECT originator_id, originator_version, topic, state FROM {schema}.{table}"
                        " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version").format(
            schema=Identifier(recorder.datastore.schema), table=Identifier(recorder.events_table_name))
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, [list(ids)])
            rows = curs.fetchall()
    elif isinstance(recorder, SQLiteAggregateRecorder):
        marks = ",".join("?" * len(ids))
        statement = (f"SELECT originator_id, originator_version, topic, state FROM {recorder.events_table_name}"
                     f" WHERE originator_id IN ({marks}) ORDER BY originator_id, originator_version")
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(statement, [i.hex for i in ids])
            rows = c.fetchall()
    else:
        return None
    found: dict[UUID, list[StoredEvent]] = defaultdict(list)
    for row in rows:
        oid = row["originator_id"]
        oid = oid if isinstance(oid, UUID) else UUID(oid)
        found[oid].append(StoredEvent(originator_id=oid, originator_version=row["originator_version"],
                                      topic=row["topic"], state=bytes(row["state"])))
    return found
