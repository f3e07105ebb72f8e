"""The sandbox's running sums: each claim's pair of figures (baseline, simulated) added to its programme, lead
bureau, award year, organisation and, for approvals of awards, its year's special fund. Only sums are kept,
never the claims, so memory grows with the organisations, not with the log."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

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
    """Every breakdown the answer gives, filled one claim pair at a time."""

    def __init__(self) -> None:
        self.all = Tally()
        self.programmes: dict[str, Tally] = defaultdict(Tally)
        self.bureaus: dict[str, Tally] = defaultdict(Tally)
        self.years: dict[int, Tally] = defaultdict(Tally)
        self.fund: dict[int, Tally] = defaultdict(Tally)  # approved awards charged to each year's special fund
        self.organisations: dict[str, Tally] = defaultdict(Tally)

    def add(self, programme: str, bureau: str, year: int, uscc: str, baseline: Decimal, simulated: Decimal,
            *, charged: bool, claims: int = 1) -> None:
        for tally in (self.all, self.programmes[programme], self.bureaus[bureau], self.years[year],
                      self.organisations[uscc]):
            tally.add(baseline, simulated, claims)
        if charged:
            self.fund[year].add(baseline, simulated, claims)

    def extremes(self, top: int) -> tuple[list[dict], list[dict]]:
        """The organisations that gain most and those that lose most (nobody whose total does not move)."""
        moved = [(t.delta, uscc) for uscc, t in self.organisations.items() if t.delta]
        gaining = sorted((m for m in moved if m[0] > 0), key=lambda m: (-m[0], m[1]))[:top]
        losing = sorted((m for m in moved if m[0] < 0), key=lambda m: (m[0], m[1]))[:top]

        def listed(rows: list[tuple[Decimal, str]]) -> list[dict]:
            return [{"uscc": uscc, **self.organisations[uscc].as_dict()} for _, uscc in rows]

        return listed(gaining), listed(losing)
