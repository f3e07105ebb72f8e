"""The read models on PostgreSQL: eventsourcing's PostgresTrackingRecorder, extended so that its write
transaction updates the read-model tables and inserts the tracking record (`_insert_tracking`) together.
Its tracking table is `rm_tracking`, named after the projection; the projector (projections/runner.py) follows
the application's notification log (LISTEN/NOTIFY) and folds it through this view."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import Any

import orjson
import psycopg
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.utils import Environment
from psycopg.rows import tuple_row
from psycopg.sql import SQL
from psycopg_pool import AsyncConnectionPool

from ledger.connection import STORE_ERRORS, check_idle, pool_exhausted
from projections.applied import CHANNEL as APPLIED_CHANNEL
from projections.events import APPLICATION
from projections.schema import DDL
from projections.sql import Sql
from projections.view import ReadModelView

PROJECTION = "rm"  # names the tracking table (rm_tracking) and the RM_-prefixed settings
# GET awards' rows in one statement: (0, NULL, record), (1, cap id, cap) for the cap accounts its claims name
# (projections/caps.cap_accounts: those starting "cap:"), then (2, NULL, tracked position).
AWARD_ROWS = """
WITH records AS MATERIALIZED (SELECT kind, data FROM rm_records WHERE uscc = %s AND kind = ANY(%s))
SELECT 0, NULL, data FROM records
UNION ALL
SELECT 1, c.id, c.data FROM rm_caps c WHERE c.id IN (
    SELECT account FROM (SELECT data::jsonb AS d FROM records WHERE kind = 'claim' OFFSET 0) r,
        jsonb_array_elements_text(r.d -> 'accounts') account
    WHERE starts_with(account, 'cap:'))
UNION ALL
SELECT 2, NULL, notification_id::text FROM rm_tracking WHERE application_name = %s"""

ASYNC_POOL = 4  # connections a worker's event loop may hold for award_rows_async; more requests wait for one
# Tries at beginning a read (or the one-statement GET awards) on a pooled connection: after a server restart each
# idle connection of the pool is dead, and the first failure tests them all; a second try then gets a live one.
BEGIN_ATTEMPTS = 3


def _close_quietly(opened: ExitStack, err: BaseException) -> None:
    """Give the failed connection back (the pool drops a broken one), whatever its closing raises again."""
    with suppress(*STORE_ERRORS):
        opened.__exit__(type(err), err, err.__traceback__)


def _award_rows(rows: list[tuple]) -> tuple[list[dict], dict[str, dict], int]:
    found = [orjson.loads(data) for part, _, data in rows if part == 0]
    cap_rows = {key: orjson.loads(data) for part, key, data in rows if part == 1}
    position = next((int(data) for part, _, data in rows if part == 2), 0)
    return found, cap_rows, position


class PostgresView(ReadModelView, PostgresTrackingRecorder):
    max_notification_statement = f"SELECT MAX(notification_id) FROM {APPLICATION.lower()}_events"
    event_state_statement = f"SELECT state FROM {APPLICATION.lower()}_events WHERE notification_id = %s"

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(statement) for statement in DDL)  # type: ignore[arg-type]
        self.sql_create_statements.append(SQL(
            f"INSERT INTO {self.tracking_table_name} VALUES ('{APPLICATION}', 0) ON CONFLICT DO NOTHING"))  # type: ignore[arg-type]
        self.factory: Any = None
        self.announce = False  # `award-ledger project` sets it: other processes' commands wait on it
        self.async_pool: AsyncConnectionPool | None = None  # award_rows_async's, on the event loop that asks
        self._opening: asyncio.Lock | None = None  # made on that loop: the first requests open one pool, not one each

    @contextmanager
    def _transaction(self, *, read_only: bool) -> Iterator[Sql]:
        opened = ExitStack()
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            opened = ExitStack()
            try:
                conn = opened.enter_context(self.datastore.get_connection())
                opened.enter_context(conn.transaction())
                cursor = conn.cursor(row_factory=tuple_row)
                if read_only:  # one snapshot for every statement of a query
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                else:
                    # The read models are derived from the log and their tracking position commits with them:
                    # a crash may lose the last few such commits, never half of one, and the projector applies
                    # those events again from the log. So their commits need not wait for the WAL to reach disk.
                    cursor.execute("SET LOCAL synchronous_commit = off")
                break
            except STORE_ERRORS as err:
                # Nothing of the caller's ran yet: a pooled connection the server dropped (a restart, a
                # failover, pg_terminate_backend) failed its BEGIN. Test the pool's idle ones, then try again.
                _close_quietly(opened, err)
                if attempt == BEGIN_ATTEMPTS or pool_exhausted(err):
                    raise
                check_idle(self.datastore, now=True)
        with opened:
            yield Sql(cursor, qmark=False, rename=self.rename)

    def writing(self) -> Iterator[Sql]:  # type: ignore[override]
        return self._transaction(read_only=False)

    def reading(self) -> Iterator[Sql]:  # type: ignore[override]
        return self._transaction(read_only=True)

    def award_rows(self, uscc: str, kinds: tuple[str, ...]) -> tuple[list[dict], dict[str, dict], int]:
        """As ReadModelView's, in one statement (one snapshot, one round trip) where a read transaction took
        six: BEGIN, its isolation, the records, the caps their claims name, the position, COMMIT."""
        if self.rename is not None:
            return super().award_rows(uscc, kinds)
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            try:
                with self.datastore.get_connection() as conn:
                    rows = conn.cursor(row_factory=tuple_row).execute(AWARD_ROWS, (uscc, list(kinds), APPLICATION),
                                                                      prepare=True).fetchall()  # planned once
                break
            except STORE_ERRORS as err:  # one read statement: asked again on a live connection, as above
                if attempt == BEGIN_ATTEMPTS or pool_exhausted(err):
                    raise
                check_idle(self.datastore, now=True)
        return _award_rows(rows)

    async def award_rows_async(self, uscc: str, kinds: tuple[str, ...]) -> tuple[list[dict], dict[str, dict], int]:
        """award_rows on the event loop, through a small pool of async connections: no hand-off to a worker
        thread and back for the API's most frequent query (bench/RESULTS.md, issue 17, third pass)."""
        pool = self.async_pool or await self._open_async_pool()
        for attempt in range(1, BEGIN_ATTEMPTS + 1):
            try:
                async with pool.connection() as conn:
                    cursor = conn.cursor(row_factory=tuple_row)
                    await cursor.execute(AWARD_ROWS, (uscc, list(kinds), APPLICATION), prepare=True)
                    rows = await cursor.fetchall()
                break
            except psycopg.OperationalError as err:  # a dropped connection: the pool's idle ones tested, again
                if attempt == BEGIN_ATTEMPTS or pool_exhausted(err):
                    raise
                await pool.check()
        return _award_rows(rows)

    async def _open_async_pool(self) -> AsyncConnectionPool:
        # The requests that arrive together on a fresh worker wait for one pool: a pool each would open a
        # connection each, past the process's budget (api/connections.py).
        self._opening = self._opening or asyncio.Lock()
        async with self._opening:
            if self.async_pool is None:
                kwargs = {k: v for k, v in self.datastore.pool.kwargs.items() if k != "row_factory"} | {
                    "autocommit": True}
                pool: AsyncConnectionPool = AsyncConnectionPool(kwargs=kwargs, min_size=1, max_size=ASYNC_POOL,
                                                                open=False, timeout=self.datastore.pool.timeout)
                await pool.open(wait=True, timeout=self.datastore.pool.timeout)  # its own default is 30 s
                self.async_pool = pool
        return self.async_pool

    async def close_async(self) -> None:
        """Close award_rows_async's pool, on the event loop that opened it (the API's lifespan does)."""
        pool, self.async_pool, self._opening = self.async_pool, None, None
        if pool is not None:
            await pool.close()

    def _locked_position(self, sql: Sql) -> int:
        # FOR UPDATE: a second follower waits here, then sees the position the first one committed.
        return int(sql.value(f"SELECT notification_id FROM {self.tracking_table_name} WHERE application_name = %s"
                             " FOR UPDATE", (APPLICATION,)) or 0)

    def _track(self, sql: Sql, position: int) -> None:
        if self.rename is not None:  # a rebuild's shadow: eventsourcing's statement names the serving table
            sql.run(f"UPDATE {self.tracking_table_name} SET notification_id = %s WHERE application_name = %s",
                    (position, APPLICATION))
            return
        self._insert_tracking(sql.cursor, Tracking(APPLICATION, position))
        if self.announce:  # heard at commit by the API workers' AppliedListener (projections/applied.py)
            sql.run("SELECT pg_notify(%s, %s)", (APPLIED_CHANNEL, str(position)))

    def _untrack(self, sql: Sql) -> None:
        sql.run(f"UPDATE {self.tracking_table_name} SET notification_id = 0 WHERE application_name = %s",
                (APPLICATION,))

    def close(self) -> None:
        (self.factory or self.datastore).close()


def open_postgres_view(env: dict[str, str]) -> PostgresView:
    factory = InfrastructureFactory.construct(env=Environment(PROJECTION, env))
    view = factory.tracking_recorder(PostgresView)  # type: ignore[attr-defined]
    view.factory = factory
    return view
