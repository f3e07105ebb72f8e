"""One pass over the log, two replays side by side: the catalogue in force (the baseline) and the draft.

Both are the one replay (ledger/replay.py) through the one rules pipeline, so the only difference between
the two columns is the catalogue. Claims are decided as they were: approved ones at the share of their
entitlement the bureau approved, released ones released; a programme the draft drops refuses its claims
(`unknown_programme`) and pays nothing. The stream is read once and never kept: each event is folded, the
rows it decides are added to the sums, and it is dropped."""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledger import beijing, collector
from ledger.catalogue.model import Catalogue
from ledger.replay import Replay, Replayed
from ledger.replay_fold import Folded
from ledger.sandbox.totals import Totals
from ledger.sandbox.twin import Twin
from ledger.spill import HOT, ColdStore, Spilled

TOP = 10
TOP_MAX = 1000  # the most gaining and losing organisations a simulation names (API `top`, CLI `--top`)


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
    # The organisations that gain and lose most, picked from the sums when the replay ends (the sums of every
    # organisation may live in a temporary file that is gone by the time the answer is written).
    gaining: list[dict] = field(default_factory=list)
    losing: list[dict] = field(default_factory=list)
    spilled: int = 0  # entries the replays wrote to their temporary file (flat memory), for the bench

    def as_json(self) -> dict[str, Any]:
        from ledger.sandbox.answer import answer

        return answer(self)


def simulate(events: Iterable[Any], catalogue_on: Callable[[date], Catalogue], draft: Catalogue, *,
             uscc: str | None = None, top: int = TOP, plain: bool = False, hot: int | None = HOT,
             alone: bool = False) -> Simulation:
    """Replay the stream (domain events in recorded order; `None` for events not worth decoding) twice.
    `events` on the answer counts the events replayed.

    The draft's replay is the baseline's twin (ledger/sandbox/twin.py: the rules run only where the draft can
    change the answer) and both keep compact tallies; `plain` runs two independent full replays instead, the
    reference the tests hold the quick way to. What grows with the district (the folded organisations, the
    accounts' tallies, the organisations' sums) keeps at most `hot` entries a mapping in memory and the rest
    in a temporary file (ledger/spill.py), so memory stays flat; `hot=None` keeps everything in memory. `alone`:
    the stream holds some organisations' claims only (ledger/sandbox/shards.py), and a claim drawing on an
    account that is not its organisation's alone raises `SharedAccount`."""
    with contextlib.ExitStack() as stack:
        cold = stack.enter_context(ColdStore()) if hot is not None else None
        return _simulate(events, catalogue_on, draft, uscc=uscc, top=top, plain=plain, cold=cold,
                         hot=hot or HOT, alone=alone)


def _simulate(events: Iterable[Any], catalogue_on: Callable[[date], Catalogue], draft: Catalogue, *,
              uscc: str | None, top: int, plain: bool, cold: ColdStore | None, hot: int, alone: bool) -> Simulation:
    folded = Folded(cold, hot)
    base = Replay(catalogue_on, approved_share=True, folded=folded, compact=not plain, cold=cold, hot=hot,
                  alone=alone)
    sim = (Replay(lambda _day: draft, approved_share=True, folded=folded, cold=cold, hot=hot, alone=alone) if plain
           else Twin(lambda _day: draft, base, approved_share=True, compact=True, alone=alone))
    result = Simulation(catalogue_on(beijing.today()), draft, Totals(cold, hot), {}, uscc, top=top)
    for cid, name, event in claim_events(events, folded):
        b, s = base.decide(cid, name, event), sim.decide(cid, name, event)
        if b is not None or s is not None:
            _add(result, b, s)  # type: ignore[arg-type]  (both or neither: _add says so)
    for pair in zip(base.finish(), sim.finish(), strict=True):
        _add(result, *pair)
    result.events = folded.read
    result.appropriated = {a.year: a.appropriated for a in folded.fund_years()}
    result.gaining, result.losing = result.totals.extremes(top)
    result.spilled = sum(m.spilled for m in (folded.organisations, result.totals.organisations, base.accounts,
                                             base.approved_years, sim.accounts, sim.approved_years,
                                             getattr(sim, "emptied", {})) if isinstance(m, Spilled))
    result.totals.organisations = {}  # picked from already; the file they may be in closes with the replay
    return result


def claim_events(events: Iterable[Any], folded: Folded) -> Iterator[tuple[str, str, Any]]:
    """The stream's claim events as (claim id, event name, event), every other event folded on the way
    (`folded.read` counts them all; `None`, an event not worth decoding, is passed over). Every replay loop of the
    sandbox reads through here, with the cyclic garbage collector paused (ledger/collector.py)."""
    with collector.paused():
        for event in events:
            if event is None:
                continue
            folded.read += 1
            if not folded.read % collector.COLLECT_EVERY:
                gc.collect()
            kind, name = folded.kind(event)
            if kind != "Claim":
                folded.fold(event)
                continue
            yield str(event.originator_id), name, event




def counted_as(baseline: Catalogue, draft: Catalogue, row: Replayed) -> tuple[str, bool, int]:
    """Where a claim's row is summed whichever replay gave it: its lead bureau (the draft's, else the catalogue
    in force's, else the one it was booked under), whether it is charged to its year's special fund (approved
    or revoked awards of a programme that pays awards), and how many claims it counts (a revocation, a repayment or
    a reversal: none). Money repaid on a revoked award comes off the sums but not off its fund year, as the books
    have it (ledger/usecases/recoveries.py `_unkept`: recovered money returns to the treasury); a payout of it
    reversed since (booked in error) comes off both, as the books give its fund year that money back."""
    was, now = baseline.programme(row.programme), draft.programme(row.programme)
    bureau = (now or was).lead if (now or was) else row.lead
    charged = row.status in ("approved", "revocation", "reversal") and (was.pays_awards if was else True)
    return bureau, charged, 0 if row.status in ("revocation", "repayment", "reversal") else 1


def _add(result: Simulation, b: Replayed, s: Replayed) -> None:
    if b is None or s is None or b.claim_id != s.claim_id:
        raise AssertionError("the two replays read one stream and decide the same claims in step")
    bureau, charged, claims = counted_as(result.baseline, result.draft, b)
    result.totals.add(b.programme, bureau, b.award_year, b.uscc, b.comes_to, s.comes_to, charged=charged,
                      claims=claims)
    if result.uscc and b.uscc == result.uscc:
        result.claims.append((b, s))


def simulate_ledger(app: Any, draft: Catalogue, *, uscc: str | None = None, top: int = TOP,
                    events: Iterable[Any] | None = None, plain: bool = False, hot: int | None = HOT) -> Simulation:
    """The application's whole log, read once page by page, simulated under the draft (nothing is written).

    `events` is the log as the replays read it: projections.replay_log.wanted_events, the fast path the CLI,
    the API and the page use; by default, the plain path through the application's mapper."""
    from ledger.replay import stored_events, wanted

    stream = stored_events(app, topics=wanted) if events is None else events
    return simulate(stream, app.catalogue_on, draft, uscc=uscc, top=top, plain=plain, hot=hot)
