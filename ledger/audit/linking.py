"""Chained when acknowledged: the links of a save's events are written by the save's own transaction.

On PostgreSQL the save is one call of a PL/pgSQL function that already holds the EXCLUSIVE lock ordering
the log (`ledger/pg_recorder.py`); after its INSERT it calls `ledger_link_events(ids)`. On SQLite the
recorder (`ledger/sqlite_recorder.py`) does the same in Python inside the save's transaction, which holds
the database's write lock from its first INSERT. Either way no event is acknowledged without its link.

A save links its own events, and nothing else recorded after the upgrade point: an event someone slipped
into the table between two saves stays without a link, which `verify` reports, instead of being chained
as if genuine. The upgrade point (`SINCE_TABLE`) is the log's head when this version first opened the
store; events up to it were chained by the background loop of earlier versions, and whatever of them it
had not reached yet is chained by the next save or by `AuditChain.open`, once.

The SQL computes exactly `ledger.audit.encoding`: `int8send` is the 8-byte big-endian length, and
PostgreSQL's `uuid::text` is the lowercase hyphenated form. The tests recompute every link in Python.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.audit.encoding import GENESIS, event_bytes, link
from ledger.audit.tables import CHAIN_TABLE, SINCE_TABLE
from ledger.audit.tampering import Tampered, advice

LINK_FUNCTION = "ledger_link_events"


def _frame(expression: str) -> str:
    return f"int8send(octet_length({expression})::bigint) || {expression}"


def pg_link_function(schema: str, events: str) -> str:
    """CREATE statement of the PL/pgSQL function that chains a save's events (its caller holds the lock)."""
    fields = " || ".join(_frame(e) for e in (
        "convert_to(r.notification_id::text, 'UTF8')", "convert_to(r.originator_id::text, 'UTF8')",
        "convert_to(r.originator_version::text, 'UTF8')", "convert_to(r.topic, 'UTF8')", "r.state"))
    return (
        f'CREATE OR REPLACE FUNCTION "{schema}".{LINK_FUNCTION}(own bigint[]) RETURNS bigint'
        " LANGUAGE plpgsql AS $BODY$ "
        "DECLARE head bigint; prev bytea; since bigint; r record; positions bigint[] := '{}';"
        " links text[] := '{}'; "
        "BEGIN "
        f'  SELECT position, decode(link, \'hex\') INTO head, prev FROM "{schema}".{CHAIN_TABLE}'
        "    ORDER BY position DESC LIMIT 1; "
        f"  IF head IS NULL THEN head := 0; prev := '\\x{GENESIS.hex()}'::bytea; END IF; "
        f'  SELECT COALESCE(MIN(position), 0) INTO since FROM "{schema}".{SINCE_TABLE}; '
        "  FOR r IN SELECT notification_id, originator_id, originator_version, topic, state"
        f'    FROM "{schema}"."{events}" WHERE notification_id > head'
        "    AND (notification_id <= since OR notification_id = ANY(own)) ORDER BY notification_id LOOP "
        f"    prev := sha256(prev || {fields}); "
        "    positions := positions || r.notification_id; links := links || encode(prev, 'hex'); "
        "  END LOOP; "
        f'  INSERT INTO "{schema}".{CHAIN_TABLE} (position, link) SELECT * FROM unnest(positions, links); '
        "  RETURN COALESCE(positions[array_upper(positions, 1)], head); "
        "END; $BODY$"
    )


def since_statements(events: str, position_column: str, schema: str | None = None) -> list[str]:
    """Create the upgrade-point table and record the log's head in it, the first time only."""
    table, events = (f'"{schema}".{SINCE_TABLE}', f'"{schema}"."{events}"') if schema else (SINCE_TABLE, events)
    return [f"CREATE TABLE IF NOT EXISTS {table} (position BIGINT NOT NULL)",
            # The aggregate in a subquery: an aggregate query answers one row even when its WHERE is false.
            f"INSERT INTO {table} (position) SELECT head FROM (SELECT COALESCE(MAX({position_column}), 0) AS head"
            f" FROM {events}) AS log WHERE NOT EXISTS (SELECT 1 FROM {table})"]


def link_saved(cursor: Any, events: str, own: Sequence[int], *, position_column: str = "rowid",
               placeholder: str = "?") -> int:
    """Chain the events `own` (and any before the upgrade point still unchained), through `cursor`, inside
    the caller's write transaction; the new head. `own=()` only catches up the events before the upgrade."""
    cursor.execute(f"SELECT position, link FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
    found = cursor.fetchone()
    head, prev = (found[0], bytes.fromhex(found[1])) if found else (0, GENESIS)
    if own and min(own) <= head:
        # The chain reaches past the events saved: the event once at this position was deleted behind the ledger's
        # back (SQLite gives a deleted last row's position again) and its link kept. Saved, this event would stand
        # unchained under another's link, and `verify` would call it changed: the save is refused (it rolls back).
        en, zh = advice(min(own))
        raise Tampered(f"the chain already has a link at position {min(own)}, where this command's first event was"
                       f" to be recorded: an event there was deleted after it was recorded, so nothing more is"
                       f" recorded. {en}",
                       zh=f"事件链在位置 {min(own)} 已有链接，而本次操作的第一个事件将记录在该位置：该位置原有的事件在"
                          f"记录之后被删除，因此不再记录任何内容。{zh}", position=min(own))
    cursor.execute(f"SELECT COALESCE(MIN(position), 0) FROM {SINCE_TABLE}")
    since = cursor.fetchone()[0]
    wanted = set(own)
    upto = max(since, *wanted) if wanted else since
    cursor.execute(f"SELECT {position_column}, originator_id, originator_version, topic, state FROM {events}"
                   f" WHERE {position_column} > {placeholder} AND {position_column} <= {placeholder}"
                   f" ORDER BY {position_column}", (head, upto))
    rows = [row for row in cursor.fetchall() if row[0] <= since or row[0] in wanted]
    links = _links(prev, rows)
    if links:
        cursor.executemany(f"INSERT INTO {CHAIN_TABLE} (position, link) VALUES ({placeholder}, {placeholder})",
                           links)
        return links[-1][0]
    return head


def _links(prev: bytes, rows: Sequence[Sequence[Any]]) -> list[tuple[int, str]]:
    links = []
    for row in rows:
        prev = link(prev, event_bytes(row[0], row[1], row[2], row[3], row[4]))
        links.append((row[0], prev.hex()))
    return links


def unlinked_among(positions: Sequence[int], found: Sequence[int]) -> list[int]:
    """`positions` without a link: `found` holds the linked positions of their range and, encoded as -1 - p, the
    upgrade point p, up to which events may still await the catching up of earlier versions' links."""
    since = -1 - min((f for f in found if f < 0), default=-1)
    linked = {f for f in found if f >= 0}
    return [p for p in positions if p > since and p not in linked]


class SavedHere:
    """The positions this process's own saves committed (the latest `most`), each linked by the save itself: a
    page of them needs no look at the chain. Only positions another writer saved, or someone slipped in, are
    checked (`unlinked`), so one worker folding its own commands asks nothing more of the store."""

    def __init__(self, most: int = 200_000) -> None:
        self._order: deque[int] = deque()
        self._held: set[int] = set()
        self._most = most
        self._lock = threading.Lock()

    def add(self, positions: Iterable[int]) -> None:
        with self._lock:
            for position in positions:
                if position not in self._held:
                    self._held.add(position)
                    self._order.append(position)
            while len(self._order) > self._most:
                self._held.discard(self._order.popleft())

    def others(self, positions: Sequence[int]) -> list[int]:
        """Those of `positions` no save of this process committed."""
        with self._lock:
            return [p for p in positions if p not in self._held]
