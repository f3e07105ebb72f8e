"""One pass over the log, two replays side by side: the catalogue in force (the baseline) and the draft.

Both are the one replay (ledger/replay.py) through the one rules pipeline, so the only difference between
the two columns is the catalogue. Claims are decided as they were: approved ones at the share of their
entitlement the bureau approved, released ones released; a programme the draft drops refuses its claims
(`unknown_programme`) and pays nothing. The stream is read once and never kept: each event is folded, the
rows it decides are added to the sums, and it is dropped."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.catalogue.model import Catalogue
from ledger.replay import Replay, Replayed
from ledger.sandbox.totals import Totals

TOP = 10


@dataclass
class Simulation:
    """The answer: the sums, the fund's appropriations and, for one organisation, each claim side by side."""

    baseline: Catalogue
    draft: Catalogue
    totals: Totals
    appropriated: dict[int, Decimal]
    uscc: str | None = None
    claims: list[tuple[Replayed, Replayed]] = field(default_factory=list)
    events: int = 0
    top: int = TOP

    def as_json(self) -> dict[str, Any]:
        from ledger.sandbox.answer import answer

        return answer(self)


def simulate(events: Iterable[Any], catalogue_on: Callable[[date], Catalogue], draft: Catalogue, *,
             uscc: str | None = None, top: int = TOP) -> Simulation:
    """Replay the stream (domain events in recorded order; `None` for events not worth decoding) twice."""
    aggregates: dict[Any, Any] = {}
    facts: dict[str, Any] = {}
    base = Replay(catalogue_on, approved_share=True, aggregates=aggregates, facts=facts)
    sim = Replay(lambda _day: draft, approved_share=True, aggregates=aggregates, facts=facts)
    result = Simulation(catalogue_on(date.today()), draft, Totals(), {}, uscc, top=top)
    for event in events:
        result.events += 1
        if event is None:
            continue
        base.fold(event)
        for pair in zip(base.claim(event), sim.claim(event), strict=True):
            _add(result, *pair)
    for pair in zip(base.finish(), sim.finish(), strict=True):
        _add(result, *pair)
    from ledger.domain.fund_year import FundYear

    result.appropriated = {a.year: a.appropriated for a in aggregates.values() if isinstance(a, FundYear)}
    return result


def _add(result: Simulation, b: Replayed, s: Replayed) -> None:
    assert b.claim_id == s.claim_id, "the two replays read one stream and decide the same claims in step"
    was, now = result.baseline.programme(b.programme), result.draft.programme(b.programme)
    bureau = (now or was).lead if (now or was) else b.lead
    charged = b.status in ("approved", "revocation") and (was.pays_awards if was else True)
    result.totals.add(b.programme, bureau, b.award_year, b.uscc, b.comes_to, s.comes_to, charged=charged,
                      claims=0 if b.status == "revocation" else 1)
    if result.uscc and b.uscc == result.uscc:
        result.claims.append((b, s))





def simulate_ledger(app: Any, draft: Catalogue, *, uscc: str | None = None, top: int = TOP,
                    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda events: events) -> Simulation:
    """The application's whole log, read once page by page, simulated under the draft (nothing is written).

    Only the events the replay reads are decoded; `progress` may wrap the stream (a progress bar)."""
    from ledger.replay import stored_events, wanted

    return simulate(progress(stored_events(app, topics=wanted)), app.catalogue_on, draft, uscc=uscc, top=top)
