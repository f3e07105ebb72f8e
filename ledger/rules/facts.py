"""What the rules are given: the claim's facts, the organisation's standing, and the accounts' tallies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LIVE = ("pending", "approved")


@dataclass(frozen=True)
class ClaimFacts:
    uscc: str
    programme: str
    award_year: int
    effective_on: date
    tier: str | None = None
    rank: int | None = None
    subject: str | None = None
    body_id: str | None = None
    basis_amount: Decimal | None = None
    requested_amount: Decimal | None = None
    certification_id: str | None = None


@dataclass(frozen=True)
class Membership:
    body_id: str
    body_kind: str
    joined_on: date
    recognised_on: date
    is_lead: bool = False

    def active_on(self, day: date) -> bool:
        return max(self.joined_on, self.recognised_on) <= day


@dataclass(frozen=True)
class OrganisationFacts:
    uscc: str
    in_district: bool
    memberships: tuple[Membership, ...] = ()
    designations: dict[str, date] = field(default_factory=dict)  # programme code -> effective date

    def bodies_on(self, day: date) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if m.active_on(day))


@dataclass(frozen=True)
class Entry:
    """One claim's use of an account: reserved while pending, consumed once approved."""

    claim_id: str
    programme: str
    status: str           # pending | approved | rejected
    amount: Decimal       # reserved, or approved
    gross: Decimal        # the claim's standing: its entitlement after ladder top-ups, what supersession sums
    tier: str | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE


@dataclass(frozen=True)
class AccountState:
    key: str
    entries: tuple[Entry, ...] = ()

    @property
    def live(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.live)

    @property
    def used(self) -> Decimal:
        return sum((e.amount for e in self.live), Decimal("0.00"))
