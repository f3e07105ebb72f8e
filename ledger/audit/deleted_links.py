"""Whether the chain parts from the events at one position only because links were deleted from the chain table.

The checks that read a few rows (a receipt being issued, a record decided on, a head being signed) find an event
without its link, or one whose link does not follow the link stored before it. Either is the events tampered with
(changed, slipped in) or the chain table alone (its rows deleted), and what to do differs: restore the events from
a backup, or put the chain's rows back. They said the first of both (an audit probe deleted link rows and was told to
restore the events from a backup taken before their position). The stored links on either side tell, as `verify`
tells them (ledger/audit/comparison.py): the events between them, chained as stored from the one before, reach the
one after only if they are as recorded.

The SQL is run through a DB-API cursor, as `ledger.audit.linking.link_saved` is: the chain's own connection and
each recorder's (`chained_events`' check, `ledger/audit/intact.py`) read the same way.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ledger.audit.encoding import GENESIS, event_bytes, link

PAGE = 1000


@dataclass(frozen=True)
class Parted:
    """Events stored without a link, `first` to `last`: the stored link at `next_link` chains from them as stored
    (their links were deleted, the events are as recorded); None where no stored link follows them to tell."""

    first: int
    last: int
    next_link: int | None


def parted_at(cursor: Any, position: int, *, events: str, chain: str, column: str, placeholder: str,
              stored_id: Callable[[Any], Any] = lambda value: value) -> Parted | None:
    """The events without a link that explain a break found at `position` (its own link missing, or the links
    just before it), or None: no link is missing there, or the events do not chain into the next stored link as
    stored (an event changed, deleted or slipped in: tampering with the events)."""
    def rows(text: str, params: list[Any]) -> list[tuple]:
        cursor.execute(text.replace("%s", placeholder), params)
        return list(cursor.fetchall())

    before = rows(f"SELECT position, link FROM {chain} WHERE position < %s ORDER BY position DESC LIMIT 1", [position])
    after = rows(f"SELECT position, link FROM {chain} WHERE position >= %s ORDER BY position LIMIT 1", [position])
    start, running = (before[0][0], bytes.fromhex(before[0][1])) if before else (None, GENESIS)
    if not after:  # nothing after them tells: the events stored past the last link
        where, params = _after(column, start)
        span = rows(f"SELECT MIN({column}), MAX({column}) FROM {events}{where}", params)
        return Parted(span[0][0], span[0][1], None) if span and span[0][0] is not None else None
    end, expected = after[0][0], after[0][1]
    unlinked: list[int] = []
    reached = start
    while True:
        where, params = _after(column, reached)
        page = rows(f"SELECT {column}, originator_id, originator_version, topic, state FROM {events}{where}"
                    f"{' AND' if where else ' WHERE'} {column} <= %s ORDER BY {column} LIMIT {PAGE}", [*params, end])
        for at, originator_id, version, topic, state in page:
            running, reached = link(running, event_bytes(at, stored_id(originator_id), version, topic, state)), at
            if at < end:
                unlinked.append(at)
        if len(page) < PAGE:
            break
    if not unlinked or reached != end or running.hex() != expected:
        return None
    return Parted(unlinked[0], unlinked[-1], end)


def _after(column: str, position: int | None) -> tuple[str, list[int]]:
    # From the first row when no link comes before (a row slipped in at 0 or below is read too, as `verify` does).
    return (f" WHERE {column} > %s", [position]) if position is not None else ("", [])
