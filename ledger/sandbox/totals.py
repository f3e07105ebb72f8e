"""The sandbox's running sums: each claim's pair of figures (baseline, simulated) added to its programme, lead
bureau, award year, organisation and, for approvals of awards, its year's special fund. Only sums are kept,
never the claims, so memory grows with the organisations, not with the log."""
from __future__ import annotations

import heapq
import marshal
from collections import defaultdict
from collections.abc import MutableMapping
from dataclasses import dataclass
from decimal import Decimal

from ledger.spill import HOT, Codec, ColdStore, Spilled

ZERO = Decimal("0.00")


@dataclass
class Tally:
    baseline: Decimal = ZERO
    simulated: Decimal = ZERO
    claims: int = 0

    @property
    def delta(self) -> Decimal:
        return self.simulated - self.baseline

    def add(self, baseline: Decimal, simulated: Decimal, claims: int = 1) -> None:
        self.baseline += baseline
        self.simulated += simulated
        self.claims += claims

    def as_dict(self) -> dict[str, str | int]:
        return {"baseline": str(self.baseline), "simulated": str(self.simulated), "delta": str(self.delta),
                "claims": self.claims}


class Totals:
    """Every breakdown the answer gives, filled one claim pair at a time. The organisations' sums grow with the
    district, so they go into a `Spilled` mapping when a cold store is given (ledger/spill.py)."""

    def __init__(self, cold: ColdStore | None = None, hot: int = HOT) -> None:
        self.all = Tally()
        self.programmes: dict[str, Tally] = defaultdict(Tally)
        self.bureaus: dict[str, Tally] = defaultdict(Tally)
        self.years: dict[int, Tally] = defaultdict(Tally)
        self.fund: dict[int, Tally] = defaultdict(Tally)  # approved awards charged to each year's special fund
        self.organisations: MutableMapping[str, Tally] = Spilled(cold, hot, TALLIES) if cold is not None else {}

    def add(self, programme: str, bureau: str, year: int, uscc: str, baseline: Decimal, simulated: Decimal,
            *, charged: bool, claims: int = 1) -> None:
        for tally in (self.all, self.programmes[programme], self.bureaus[bureau], self.years[year]):
            tally.add(baseline, simulated, claims)
        mine = self.organisations.get(uscc) or Tally()
        mine.add(baseline, simulated, claims)
        self.organisations[uscc] = mine  # written back: a spilled mapping keeps what is written to it
        if charged:
            self.fund[year].add(baseline, simulated, claims)

    def extremes(self, top: int) -> tuple[list[dict], list[dict]]:
        """The organisations that gain most and those that lose most (nobody whose total does not move): a pass
        over the sums for each side, keeping only its `top` so far."""
        def side(sign: int) -> list[dict]:  # one pass over the sums, holding only the `top` so far
            rows = ((-sign * t.delta, uscc, t) for uscc, t in self.organisations.items() if sign * t.delta > 0)
            return [{"uscc": uscc, **t.as_dict()} for _, uscc, t in heapq.nsmallest(top, rows, key=_order)]

        return side(1), side(-1)


def _load_tally(data: bytes) -> Tally:
    baseline, simulated, claims = marshal.loads(data)
    return Tally(Decimal(baseline), Decimal(simulated), claims)


# A tally in the cold file (ledger/spill.py): its two sums as text and its count, through marshal.
TALLIES = Codec(lambda t: marshal.dumps((str(t.baseline), str(t.simulated), t.claims)), _load_tally)


def _order(row: tuple[Decimal, str, Tally]) -> tuple[Decimal, str]:
    return row[0], row[1]
