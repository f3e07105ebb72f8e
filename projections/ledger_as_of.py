"""The whole ledger as it was known at a past moment: the log replayed, up to that recorded time, through
the same fold as the live read models, into memory. Pages are streamed, so memory follows the state (one
row per organisation, claim, cap, fund), never the number of events."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from projections import award_state, caps, finance, fold
from projections.events import utc_text
from projections.finance import FINANCE, FUNDS, special_fund_floor
from projections.fold import MemoryTables, Row
from projections.money import ZERO, add, amount, neg
from projections.rebuild import PAGE, decode, pages
from projections.view import open_ledger

Progress = Callable[[int, int], None]


def fold_until(app: Any, as_of: datetime, progress: Progress | None = None, *, size: int = PAGE
               ) -> tuple[MemoryTables, int, int]:
    """Every event recorded at or before `as_of`, folded; returns the tables, events folded, last position."""
    cut = utc_text(as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC))
    head = app.recorder.max_notification_id() or 0
    tables, folded, position = MemoryTables(), 0, 0
    # The whole log is read: notification order is not strictly recorded-time order across writers.
    for page in pages(app, 0, upto=head, size=size):
        for row in decode(app, page):
            if row.recorded_at <= cut:
                fold.apply(tables, row)
                folded, position = folded + 1, row.position
        if progress is not None:
            progress(page[-1].id, head)
    return tables, folded, position


def state(tables: MemoryTables, *, as_of: str, folded: int, position: int) -> Row:
    """Per organisation its award totals, and each fund year, from the folded tables."""
    by_uscc: dict[str, dict[str, list[Row]]] = {}
    for record in tables.rows("records"):
        by_uscc.setdefault(record["uscc"], {}).setdefault(record["kind"], []).append(record)
    cap_rows = {r["account"]: r for r in tables.rows(caps.CAPS)}
    organisations = []
    for uscc in sorted(by_uscc):
        kinds = by_uscc[uscc]
        for org in kinds.get("organisation", []):
            view = award_state.render(org, kinds.get("claim", []), kinds.get("certification", []), cap_rows,
                                      as_of=as_of, position=position)
            organisations.append({"uscc": uscc, "name": org["name"], "totals": view["totals"],  # type: ignore[index]
                                  "claims": len(kinds.get("claim", []))})
    totals = {k: add(ZERO, *(o["totals"][k] for o in organisations)) for k in award_state.MONEY}
    funds = [{"year": f["year"], "appropriated": f["appropriated"], "approved": f["approved"],
              "headroom": add(f["appropriated"], neg(f["approved"])), "floor": special_fund_floor(f["year"]),
              "below_floor": amount(f["appropriated"]) < amount(special_fund_floor(f["year"]))}
             for f in sorted(tables.rows(FUNDS), key=lambda f: f["year"])]
    return {"as_of": as_of, "events_replayed": folded, "position": position, "organisations": organisations,
            "totals": totals, "fund_years": funds}


def ledger_as_of(url: str, as_of: datetime, progress: Progress | None = None) -> Row:
    """The ledger's state as known at `as_of` (recorded time), replayed from the store `url` names."""
    app = open_ledger(url)
    try:
        tables, folded, position = fold_until(app, as_of, progress)
    finally:
        app.close()
    return state(tables, as_of=as_of.isoformat(), folded=folded, position=position)


def reconciliation_as_of(app: Any, year: int, as_of: datetime, progress: Progress | None = None) -> Row:
    """A year's reconciliation as the ledger knew it at `as_of`: the log folded up to then, the same rendering
    as the live read model's."""
    tables, folded, position = fold_until(app, as_of, progress)
    lines = [r for r in tables.rows(FINANCE) if r["year"] == year]
    funds = [f for f in tables.rows(FUNDS) if f["year"] == year]
    return finance.render(year, lines, funds) | {"position": position, "as_of": as_of.isoformat(),
                                                 "events_replayed": folded}
