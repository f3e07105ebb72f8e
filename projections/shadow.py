"""A rebuild's shadow read models: every read-model table built again beside the serving one (`rs_x` beside
`rm_x`), then swapped in by one transaction, so the serving tables are never empty or half-built. A rebuild
that fails (a poison event) or is killed leaves them as they were; the next one drops its leftovers and
starts over.

The shadow is written by the same code as the serving tables: its view's `Sql` renames the tables in each
statement (`to_shadow`), which keeps the fold, its bulk writes and the tracking logic one code path.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from projections.events import APPLICATION, EventRow
from projections.schema import CLEARED, DDL
from projections.sql import Sql
from projections.view import ReadModelView

V = TypeVar("V", bound=ReadModelView)
TRACKING = "rm_tracking"
SHADOWED = (*CLEARED, TRACKING)
# A table's name, or an index's named after it (rm_records_uscc): both are renamed, so the shadow's DDL is
# the serving DDL.
_NAMES = re.compile(r"\b(" + "|".join(sorted(SHADOWED, key=len, reverse=True)) + r")(\w*)")
_INDEX = re.compile(r"CREATE INDEX IF NOT EXISTS (\w+) ON")


def to_shadow(statement: str) -> str:
    return _NAMES.sub(lambda m: "rs_" + m.group(1)[3:] + m.group(2), statement)


def indexes() -> list[str]:
    """The names of the serving tables' secondary indexes."""
    return [m.group(1) for statement in DDL if (m := _INDEX.match(statement))]


def begin(view: V) -> V:
    """Drop what an interrupted rebuild left and create empty shadow tables; returns a view writing there
    (sharing `view`'s connections)."""
    shadow = copy.copy(view)
    shadow.rename = to_shadow
    with shadow.writing() as sql:
        for table in SHADOWED:
            sql.run(f"DROP TABLE IF EXISTS {table}")
        for statement in DDL:
            sql.run(statement)
        sql.run(f"CREATE TABLE {TRACKING} (application_name TEXT PRIMARY KEY, notification_id BIGINT NOT NULL)")
        sql.run(f"INSERT INTO {TRACKING} VALUES (%s, 0)", (APPLICATION,))
    return shadow


def swap(view: ReadModelView, shadow: ReadModelView,
         missing: Callable[[int, int], Sequence[EventRow]]) -> int:
    """Make the shadow the serving read models, in one transaction; returns the position they stand at.

    The serving position is locked first, so no follower moves it meanwhile. If followers applied events the
    shadow has not (recorded since its last page), `missing(after, upto)` gives them and they are folded into
    the shadow in this same transaction: the tables swapped in never stand behind the ones swapped out."""
    with view.writing() as sql:
        serving = view._locked_position(sql)
        into = Sql(sql.cursor, qmark=sql.qmark, rename=to_shadow)
        built = shadow.tracked(into)
        if serving > built:
            shadow.fold_into(into, missing(built, serving))
            built = serving
        for table in CLEARED:
            sql.run(f"DROP TABLE {table}")
            sql.run(f"ALTER TABLE {to_shadow(table)} RENAME TO {table}")
        if sql.qmark:  # SQLite renames no index: the shadow's go, the serving names are built again
            for index in indexes():
                sql.run(f"DROP INDEX {to_shadow(index)}")
            for statement in DDL:
                if _INDEX.match(statement):
                    sql.run(statement)
        else:
            for table in CLEARED:
                sql.run(f"ALTER INDEX {to_shadow(table)}_pkey RENAME TO {table}_pkey")
            for index in indexes():
                sql.run(f"ALTER INDEX {to_shadow(index)} RENAME TO {index}")
        sql.run(f"DROP TABLE {to_shadow(TRACKING)}")
        sql.run(f"UPDATE {TRACKING} SET notification_id = %s WHERE application_name = %s", (built, APPLICATION))
    return built


def drop(view: ReadModelView) -> None:
    """Remove a shadow's tables (what `begin` would drop anyway): a failed rebuild leaves no clutter."""
    with view.writing() as sql:
        for table in SHADOWED:
            sql.run(f"DROP TABLE IF EXISTS {to_shadow(table)}")
