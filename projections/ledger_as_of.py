"""The whole ledger as it was known at a past moment: the log replayed, up to that recorded time, through
the same fold as the live read models, into memory. Pages are streamed, so memory follows the state (one
row per organisation, claim, cap, fund), never the number of events.

A year's reconciliation as of a moment needs less: its claims' and recoveries' events, which the read models'
as-of index files under the year (projections/finance.py `index_keys`), the log the read models have not
folded yet, and its fund year's own events. Its cost follows the year, not the log."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from ledger.domain.fund_year import FundYear
from projections import award_state, caps, finance, fold, records, recoveries
from projections.events import EventRow, from_domain_event, utc_text
from projections.finance import FINANCE, FUNDS, special_fund_floor
from projections.fold import MemoryTables, Row
from projections.money import ZERO, add, amount, neg
from projections.rebuild import PAGE, decode, decoder, pages
from projections.view import Rewound, open_ledger

Progress = Callable[[int, int], None]
log = logging.getLogger("projections")
# The stages a year's finance lines come from, in the fold's own order (projections/fold.py `handlers`).
FINANCE_STAGES = (recoveries.HANDLERS, records.HANDLERS, finance.HANDLERS)
# Of those, the events the as-of index files under a year; the fund year's are read from its aggregate.
INDEXED_EVENTS = frozenset(name for stage in FINANCE_STAGES for name in stage
                           if name.startswith(("Claim.", "Recovery.")))


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


def reconciliation_as_of(app: Any, year: int, as_of: datetime, progress: Progress | None = None, *,
                         read_models: Any = None) -> Row:
    """A year's reconciliation as the ledger knew it at `as_of`, the same rendering as the live read model's.

    Given `read_models` whose as-of index covers finance, only the year's events are folded (`fold_year`);
    otherwise, and for a close (which rests on the log alone), the whole log up to then. Either way it is the
    fold of every event recorded at or before `as_of`: the same figures."""
    found = None if read_models is None else read_models.finance_history(year, as_of)
    try:
        if found is not None:
            tables, folded, position = fold_year(app, year, as_of, *found)
    except Rewound:  # a rebuild's reset, under the read: the log itself answers
        found = None
    if found is None:
        if read_models is not None:
            log.warning("a reconciliation as of %s replays the whole log: these read models were folded by an"
                        " earlier version, without the finance as-of index (`award-ledger rebuild` builds it),"
                        " or were reset while it was read", as_of.isoformat())
        tables, folded, position = fold_until(app, as_of, progress)
    lines = [r for r in tables.rows(FINANCE) if r["year"] == year]
    funds = [f for f in tables.rows(FUNDS) if f["year"] == year]
    return finance.render(year, lines, funds) | {"position": position, "as_of": as_of.isoformat(),
                                                 "events_replayed": folded}


def fold_year(app: Any, year: int, as_of: datetime, indexed: Iterable[EventRow], tracked: int
              ) -> tuple[MemoryTables, int, int]:
    """A year's finance as of `as_of`: the `indexed` history rows (the read models', up to position
    `tracked`), then the year's events in the log beyond `tracked` that the read models have not folded yet,
    through the stages finance rests on; and the fund year's events, from its aggregate. Returns the tables,
    events folded and the last position folded."""
    cut = utc_text(as_of)  # a naive moment is read as UTC
    tables, folded, position = MemoryTables(), 0, 0

    def apply(row: EventRow) -> None:
        nonlocal folded, position
        for stage in FINANCE_STAGES:
            if (handler := stage.get(row.event)) is not None:
                handler(tables, row)
        folded, position = folded + 1, max(position, row.position)

    for row in indexed:
        apply(row)
    read = decoder(app)
    for page in pages(app, tracked, upto=app.recorder.max_notification_id() or 0):
        for row in read(page, only=INDEXED_EVENTS):
            if row.event in INDEXED_EVENTS and row.recorded_at <= cut:
                apply(row)
    for event in app.events.get(FundYear.create_id(year)):
        row = from_domain_event(event, 0)
        if row.recorded_at <= cut and (handler := finance.HANDLERS.get(row.event)) is not None:
            handler(tables, row)
            folded += 1
    return tables, folded, position
