"""What the rules are given: the claim's facts, the organisation's standing, and the accounts' tallies."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LIVE = ("pending", "approved")

ZERO = Decimal("0.00")


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
    # A top-up of an approved award (POST /v1/claims/{id}/top-up): the claim it completes, that claim and its earlier
    # live top-ups (left out of every tally: this claim stands in their place), and what they were entitled to,
    # which this one is owed the rest over (rule 3: only what was awarded on a lower rung is deducted).
    tops_up: str | None = None
    topping: tuple[str, ...] = ()
    topped_amount: Decimal | None = None


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
    # programme code -> the certification that designates it: a claim needing the designation rests on it
    designation_ids: dict[str, str] = field(default_factory=dict)

    def bodies_on(self, day: date) -> tuple[Membership, ...]:
        return tuple(m for m in self.memberships if m.active_on(day))


@dataclass(frozen=True)
class Entry:
    """One claim's use of an account: reserved while pending, consumed once approved."""

    claim_id: str
    programme: str
    status: str           # pending | approved | rejected | withdrawn | revoked
    amount: Decimal       # reserved, or approved: what the claim is paid
    gross: Decimal        # the claim's standing: its own entitlement after ladder top-ups and its own caps,
                          # what supersession compares (rule 4)
    tier: str | None = None
    uscc: str | None = None  # who holds it: a rank slot is refused to another unit (rule 11)
    kept: bool = False  # a revoked award's paid part, still owed back or written off: counted at that amount, its
                        # rung no longer reached (a lower rung the organisation holds tops up over it: rule 3)

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def settled(self, status: str, amount: Decimal) -> Entry:
        """The entry once its claim is decided (dataclasses.replace without its cost: a replay settles every
        claim's entry)."""
        return Entry(self.claim_id, self.programme, status, amount, decided_standing(self.gross, self.amount, amount),
                     self.tier, self.uscc)


def decided_standing(gross: Decimal, reserved: Decimal, approved: Decimal) -> Decimal:
    """A claim's standing once approved: an approval the bureau lowered stands at what it decided. Its standing
    loses the part the bureau cut (reserved - approved) and keeps what a ladder or a better award deducted, so a
    later rung or a better award under another programme (rules 3, 4) pays the difference over what was awarded,
    and is not refused as outranked by money the bureau decided not to give."""
    cut = reserved - approved
    return gross if cut <= 0 else max(gross - cut, ZERO)


@dataclass(frozen=True)
class AccountState:
    key: str
    entries: tuple[Entry, ...] = ()
    earlier: int | None = None  # re-assessing: how many entries stood before the claim's own

    # Worked out once per state (it never changes: a new entry makes a new AccountState): the rules ask each
    # account for them several times a claim. Kept in the instance's __dict__ as functools.cached_property
    # would, without its lock (Python 3.11 takes an RLock on every first read: a third of the cost here).
    @property
    def live(self) -> tuple[Entry, ...]:
        found = self.__dict__.get("live")
        if found is None:
            found = self.__dict__["live"] = tuple(e for e in self.entries if e.status in LIVE)
        return found

    @property
    def live_before(self) -> tuple[Entry, ...]:
        """The live entries of claims made before the one being assessed (all of them for a new claim)."""
        entries = self.entries if self.earlier is None else self.entries[:self.earlier]
        return tuple(e for e in entries if e.live)

    @property
    def used(self) -> Decimal:
        found = self.__dict__.get("used")
        if found is None:
            found = self.__dict__["used"] = sum((e.amount for e in self.live), Decimal("0.00"))
        return found

    def awarded_besides(self, claim_id: str) -> AccountState:
        """The account as an approval of `claim_id` sees it on a ladder or a subject (rules 3 and 4): what the
        other claims were awarded (approved), whenever they were made; a pending one deducts nothing, so that
        rejecting it later cannot leave the approved one short. A pending lower rung approved after a higher one
        is then refused `already_awarded` (or `superseded`): the total never passes the highest, in any order."""
        return AccountState(self.key, tuple(e for e in self.entries if e.claim_id != claim_id
                                            and e.status == "approved"))

    def apart(self, claim_ids: tuple[str, ...]) -> AccountState:
        """The account without the entries of `claim_ids` (a top-up's award: it is assessed in its place)."""
        if not any(e.claim_id in claim_ids for e in self.entries):
            return self
        return AccountState(self.key, tuple(e for e in self.entries if e.claim_id not in claim_ids))

    def without(self, claim_id: str) -> AccountState:
        """The account as another claim sees it: for re-assessing `claim_id` against everything else (rule 12)."""
        ids = [e.claim_id for e in self.entries]
        if claim_id not in ids:
            return self
        at = ids.index(claim_id)
        return AccountState(self.key, self.entries[:at] + self.entries[at + 1:], at)
