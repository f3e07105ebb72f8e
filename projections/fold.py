"""The one fold: each event, in log order, updates the read-model rows it concerns.

The fold reads and writes rows through `Tables`, so the same code updates the SQL tables live (inside
the transaction that also moves the tracking position), replays into memory for the consistency check,
and replays one organisation's indexed history for an as-of answer.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from projections.events import EventRow

Row = dict[str, Any]


@dataclass(frozen=True)
class Concern:
    """Whom an event is about: its organisation, and the shared cap accounts (body or fund wide) it moves."""

    uscc: str
    shared: tuple[str, ...] = ()


class Tables(Protocol):
    def get(self, table: str, key: str) -> Row | None: ...

    def put(self, table: str, key: str, row: Row) -> None: ...

    def record(self, history: Row, shared: Sequence[str]) -> None:
        """Append an event to the organisation's history, indexed under the shared caps it moved and the year
        whose finance it folds into (the as-of index)."""


Handler = Callable[[Tables, EventRow], Concern | None]


_handlers: dict[str, tuple[Handler, ...]] = {}
_history_row: Callable[[EventRow, str], Row] | None = None
_index_keys: Callable[[Tables, EventRow], tuple[str, ...]] | None = None


def handlers(event: str) -> tuple[Handler, ...]:
    """The stages' handlers of an event, in stage order (none: the fold ignores it)."""
    global _history_row, _index_keys
    if _history_row is None:
        # Imported here, once: the stages import Concern and Row from this module.
        from projections import bank, caps, finance, history, queue, records, recoveries

        # The queue stage copies claim records, so it comes after every stage that changes them; recoveries
        # come first, so a repayment's claim row can find its recovery.
        stages = (recoveries.HANDLERS, records.HANDLERS, caps.HANDLERS, finance.HANDLERS, bank.HANDLERS,
                  queue.handlers(records.HANDLERS))
        for name in {name for stage in stages for name in stage}:
            _handlers[name] = tuple(stage[name] for stage in stages if name in stage)
        _history_row, _index_keys = history.history_row, finance.index_keys
    return _handlers.get(event, ())


def folded() -> frozenset[str]:
    """The events some stage folds; the fold passes over any other."""
    handlers("")
    return frozenset(_handlers)


def apply(tables: Tables, row: EventRow) -> None:
    concern: Concern | None = None
    for handler in handlers(row.event):
        concern = handler(tables, row) or concern
    if concern is not None:
        shared = (*concern.shared, *_index_keys(tables, row))  # type: ignore[misc]
        tables.record(_history_row(row, concern.uscc), shared)  # type: ignore[misc]


class MemoryTables:
    """Rows in dicts: the scratch copy of a replay. `on_record` sees each history row as it is made."""

    def __init__(self, on_record: Callable[[Row, Sequence[str]], None] | None = None) -> None:
        self.tables: dict[str, dict[str, Row]] = defaultdict(dict)
        self.on_record = on_record

    def get(self, table: str, key: str) -> Row | None:
        return self.tables[table].get(key)

    def put(self, table: str, key: str, row: Row) -> None:
        self.tables[table][key] = row

    def record(self, history: Row, shared: Sequence[str]) -> None:
        if self.on_record is not None:
            self.on_record(history, shared)

    def rows(self, table: str) -> list[Row]:
        return list(self.tables[table].values())
