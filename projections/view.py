"""The read models' store with its tracking position: both stores' views share how a batch of events is
applied — the read-model rows and the tracking position change in ONE transaction, and an event at or
below the tracked position is skipped (a batch folded ahead, by a rebuild, is written only if the
position is still the one it was folded on) — so every event is applied exactly once, whoever applies it."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, TypeVar

import orjson

from ledger.store import READ_MODELS_POOL, is_postgres, pool_env, store_env
from projections import caps, fold
from projections.events import APPLICATION, EventRow
from projections.prefetch import prefetch
from projections.schema import CLEARED, MARK_INDEXED, upgrade
from projections.sql import Sql, SqlTables, Writes

T = TypeVar("T")
APPLIED = "applied"        # rm_meta: events applied since the last reset, to prove none twice or skipped
FAILING = "failing"        # rm_meta: the event the projector cannot apply, and why (JSON), until it can
FAILURES = "failures"      # rm_meta: how many times applying an event has failed, for the metric
# PostgreSQL refuses, rather than waits for, two sessions creating the same table or index at once.
DDL_RACES = ("concurrently updated", "already exists", "duplicate key")
NO_TABLE = ("no such table", "does not exist")


class Rewound(RuntimeError):
    """The tracked position went back (a rebuild began): a follower must resubscribe from it."""


class Diverged(RuntimeError):
    """A batch folded ahead was for a tracked position that no longer stands: nothing of it was written."""


class ReadModelView:
    """Subclasses give `writing()` and `reading()` transactions and how the position is locked and moved."""

    # The store's highest notification id, for lag and progress; one event's stored state, by its id.
    max_notification_statement: str
    event_state_statement: str
    announce = False  # announce each tracked position committed, where the store can (PostgreSQL's NOTIFY)
    # A rebuild's shadow view renames the tables in each statement (projections/shadow.py); None: serving.
    rename: Callable[[str], str] | None = None

    def writing(self) -> AbstractContextManager[Sql]:
        raise NotImplementedError

    def reading(self) -> AbstractContextManager[Sql]:
        raise NotImplementedError

    def _locked_position(self, sql: Sql) -> int:
        raise NotImplementedError

    def _track(self, sql: Sql, position: int) -> None:
        raise NotImplementedError

    def _untrack(self, sql: Sql) -> None:
        raise NotImplementedError

    def apply(self, rows: Sequence[EventRow], *, seen: int | None = None) -> int:
        """Fold the events above the tracked position and move the position past them, in one transaction.

        `seen` is the highest position the caller has followed; a tracked position below it means the
        read models were reset under the caller, which raises `Rewound` and writes nothing. The rows the
        events will read are fetched first, a query per table (projections/prefetch.py)."""
        with self.writing() as sql:
            tracked = self._locked_position(sql)
            if seen is not None and tracked < seen:
                raise Rewound(f"the read models were reset to {tracked} under a follower at {seen}")
            return self.fold_into(sql, [row for row in rows if row.position > tracked])

    def fold_into(self, sql: Sql, rows: Sequence[EventRow]) -> int:
        """Fold `rows` into the tables `sql` writes, count them and move the tracked position past them."""
        if not rows:
            return 0
        tables = SqlTables(sql)
        prefetch(tables, rows)
        for row in rows:
            fold.apply(tables, row)
        tables.flush()
        self._count_applied(sql, len(rows))
        self._track(sql, rows[-1].position)
        return len(rows)

    def apply_folded(self, writes: Writes, *, after: int, last: int, events: int) -> None:
        """Write a batch folded outside this transaction, on top of tracked position `after`, and move the
        position to `last`, in one transaction. If the position is no longer `after` (another follower
        applied events, a rebuild reset it), the batch was folded on the wrong rows: `Diverged` is raised
        and nothing is written."""
        with self.writing() as sql:
            tracked = self._locked_position(sql)
            if tracked != after:
                raise Diverged(f"a batch folded on top of {after} met the read models at {tracked}")
            writes.write(sql)
            self._count_applied(sql, events)
            self._track(sql, last)

    def position(self) -> int:
        with self.reading() as sql:
            return self.tracked(sql)

    def award_rows(self, uscc: str, kinds: tuple[str, ...]) -> tuple[list[dict], dict[str, dict], int]:
        """One organisation's records of these kinds, the caps its claims draw on (by id) and the tracked
        position, read in one snapshot (ReadModels.award_state)."""
        with self.reading() as sql:
            found = [orjson.loads(data) for (data,) in sql.rows(
                f"SELECT data FROM rm_records WHERE uscc = %s AND kind IN ({', '.join(['%s'] * len(kinds))})",
                (uscc, *kinds))]
            keys = sorted({key for row in found if row["kind"] == "claim" for key in caps.cap_accounts(row)})
            cap_rows = {key: orjson.loads(data) for key, data in sql.rows(
                f"SELECT id, data FROM rm_caps WHERE id IN ({', '.join(['%s'] * len(keys))})", keys)} if keys else {}
            return found, cap_rows, self.tracked(sql)

    def tracked(self, sql: Sql) -> int:
        """The tracked position, read inside a transaction."""
        return int(sql.value("SELECT notification_id FROM rm_tracking WHERE application_name = %s",
                             (APPLICATION,)) or 0)

    def max_notification_id(self) -> int:
        try:
            with self.reading() as sql:
                return int(sql.value(self.max_notification_statement) or 0)
        except Exception as error:
            if any(missing in str(error) for missing in NO_TABLE):
                return 0  # no ledger has opened this store yet: nothing is recorded
            raise

    def recorded_at(self, position: int) -> datetime | None:
        """When the event at `position` was recorded (its own timestamp), or None if there is none there."""
        with self.reading() as sql:
            state = sql.value(self.event_state_statement, (position,))
        if state is None:
            return None
        stamp = orjson.loads(bytes(state))["timestamp"]  # eventsourcing's transcoding: {"_type_", "_data_"}
        return datetime.fromisoformat(stamp["_data_"] if isinstance(stamp, dict) else stamp)

    def reset(self) -> None:
        """Empty every read model and the position (one transaction), for a follower to replay them in place.
        `rebuild` never does this to the serving tables: it builds shadows and swaps them in."""
        with self.writing() as sql:
            self._locked_position(sql)
            for table in CLEARED:
                sql.run(f"DELETE FROM {table}")
            sql.run(MARK_INDEXED)  # folded again from the start, the as-of index will be whole
            self._untrack(sql)

    def record_failure(self, position: int, error: str) -> None:
        """Say, where every process sees it, that the event at `position` cannot be applied and why."""
        with self.writing() as sql:
            self._set_meta(sql, FAILING, json.dumps({"position": position, "error": error[:500]}))
            sql.run("INSERT INTO rm_meta (key, value) VALUES (%s, '1') ON CONFLICT (key) DO UPDATE"
                    " SET value = CAST(CAST(rm_meta.value AS INTEGER) + 1 AS TEXT)", (FAILURES,))

    def failure(self) -> tuple[dict | None, int]:
        """The event the projector is stuck on ({position, error}) or None, and how many failures so far."""
        with self.reading() as sql:
            failing, count = self._meta(sql, FAILING), self._meta(sql, FAILURES)
        return (json.loads(failing) if failing else None), int(count or 0)

    def meta(self, key: str) -> str | None:
        with self.reading() as sql:
            return self._meta(sql, key)

    def clear_meta(self, key: str) -> None:
        with self.writing() as sql:
            sql.run("DELETE FROM rm_meta WHERE key = %s", (key,))

    @staticmethod
    def _meta(sql: Sql, key: str) -> str | None:
        return sql.value("SELECT value FROM rm_meta WHERE key = %s", (key,))

    @staticmethod
    def _count_applied(sql: Sql, events: int) -> None:
        """Add to the count of events applied since the last reset, in one statement (no read first)."""
        sql.run("INSERT INTO rm_meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE"
                " SET value = CAST(CAST(rm_meta.value AS INTEGER) + CAST(excluded.value AS INTEGER) AS TEXT)",
                (APPLIED, str(events)))

    @staticmethod
    def _set_meta(sql: Sql, key: str, value: str) -> None:
        sql.run("INSERT INTO rm_meta (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def close(self) -> None:
        raise NotImplementedError


def projection_env(url: str) -> dict[str, str]:
    """Store settings for the projector's own connections: a small pool is plenty for one follower."""
    env = store_env(url)
    if is_postgres(url):
        # A fold's transaction does its Python work between statements (a 70,000-line bank statement's rows are
        # a few seconds of it on a busy machine): eventsourcing's default of 5 s idle in a transaction ended such
        # a fold under load. store_env allows a minute; the read models hold no lock a command waits for.
        env |= pool_env(READ_MODELS_POOL)
    return env


def creating_tables(open_store: Callable[[], T], attempts: int = 5) -> T:
    """Open something that creates its tables if missing, again if another process was creating them too."""
    for attempt in range(1, attempts + 1):
        try:
            return open_store()
        except Exception as error:
            if attempt == attempts or not any(race in str(error) for race in DDL_RACES):
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def open_view(url: str) -> ReadModelView:
    """The read models of the store a LEDGER_DATABASE_URL names, their tables created if missing."""
    if is_postgres(url):
        from projections.postgres_view import open_postgres_view

        view: ReadModelView = creating_tables(lambda: open_postgres_view(projection_env(url)))
    else:
        from projections.sqlite_view import SqliteView

        view = SqliteView(url)
    with view.writing() as sql:
        upgrade(sql, postgres=is_postgres(url))
    return view


def open_ledger(url: str) -> Any:
    """An AwardLedger to read the notification log through (the projector's own, or a rebuild's)."""
    from ledger.application import AwardLedger

    return creating_tables(lambda: AwardLedger(env=projection_env(url)))
