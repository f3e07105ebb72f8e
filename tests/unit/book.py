"""A ledger in miniature for the rule tests: organisations, claims, and the account tallies claims leave.

The rules engine is pure: it is given the tallies of the accounts a claim draws on. `Book` plays the
ledger's part, recording each entitlement's amount into every account the entitlement names, so that a
sequence of claims runs as it would in the ledger, without a store.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from ledger.catalogue import current
from ledger.domain.errors import LedgerError
from ledger.domain.values import money
from ledger.rules import AccountState, ClaimFacts, Entitlement, Entry, Membership, OrganisationFacts, evaluate
from tests.support import make_uscc

CATALOGUE = current()
TERM_START = date(2022, 9, 6)
ON = date(2023, 3, 1)
_serials = count(1)


def new_uscc() -> str:
    """A valid USCC no other organisation in this test run has."""
    return make_uscc(next(_serials))


def member(uscc: str | None = None, body: str = "B-1", *, lead: bool = False, joined_on: date = TERM_START,
           in_district: bool = True, chain_leader: bool = False, kind: str = "consortium") -> OrganisationFacts:
    """An organisation inside the district, member (or lead) of one recognised innovation organisation."""
    designations = {"A6.chain_leader": TERM_START} if chain_leader else {}
    return OrganisationFacts(uscc or new_uscc(), in_district,
                             (Membership(body, kind, joined_on, TERM_START, lead),), designations)


def claimant(code: str, **kw: object) -> OrganisationFacts:
    """An organisation able to claim `code`: the lead of a recognised body of an Art. 3 programme's kind
    (rule 13), a designated chain leader leading its body for the chain-leader programmes, else a member."""
    programme = CATALOGUE.programme(code)
    if programme is not None and programme.body_kind:
        uscc = kw.pop("uscc", None) or new_uscc()
        kw.setdefault("body", f"B-{programme.body_kind}-{uscc}")
        return member(uscc, lead=True, kind=programme.body_kind, **kw)  # type: ignore[arg-type]
    if code in ("A6.chain_leader_rd", "A8.orders"):
        return member(lead=True, chain_leader=True, **kw)  # type: ignore[arg-type]
    return member(**kw)  # type: ignore[arg-type]


def outsider(uscc: str | None = None) -> OrganisationFacts:
    """An organisation inside the district that belongs to no innovation organisation."""
    return OrganisationFacts(uscc or new_uscc(), True)


def facts(org: OrganisationFacts, programme: str, *, award_year: int = 2023, effective_on: date = ON,
          **given: object) -> ClaimFacts:
    """Claim facts, with money given as strings read by money(), as the ledger's edge reads them."""
    for key in ("basis_amount", "requested_amount"):
        if given.get(key) is not None:
            given[key] = money(given[key])  # type: ignore[arg-type]
    recognises = CATALOGUE.programme(programme)
    if recognises is not None and recognises.body_kind:
        # As the ledger does for a claim naming its body: it rests on the body's certification (rule 13).
        led = [m for m in org.memberships if m.is_lead and m.body_kind == recognises.body_kind]
        if led and "body_id" not in given:
            given["body_id"] = led[0].body_id
        if given.get("body_id") and recognises.tiers and "certification_id" not in given:
            given["certification_id"] = f"CERT-{given['body_id']}"
    return ClaimFacts(org.uscc, programme, award_year, effective_on, **given)  # type: ignore[arg-type]


class Book:
    """Account tallies built from the claims run through it, as the ledger would keep them."""

    def __init__(self, catalogue=CATALOGUE) -> None:
        self.catalogue = catalogue
        self.entries: dict[str, list[Entry]] = {}
        self.recorded: dict[str, tuple[OrganisationFacts, str, dict]] = {}
        self._ids = count(1)

    @property
    def accounts(self) -> dict[str, AccountState]:
        return {key: AccountState(key, tuple(entries)) for key, entries in self.entries.items()}

    def evaluate(self, org: OrganisationFacts, programme: str, **given: object) -> Entitlement:
        """What the rules entitle this claim to now, without recording it."""
        return evaluate(self.catalogue, facts(org, programme, **given), org, self.accounts)

    def claim(self, org: OrganisationFacts, programme: str, *, status: str = "pending",
              **given: object) -> tuple[str, Entitlement]:
        """Evaluate a claim and record its amount, under a new claim id, into every account it names."""
        entitlement = self.evaluate(org, programme, **given)
        claim_id = f"C-{next(self._ids)}"
        self.recorded[claim_id] = (org, programme, dict(given))
        entry = Entry(claim_id, entitlement.programme, status, entitlement.amount, entitlement.standing,
                      entitlement.tier, org.uscc)
        for key in entitlement.accounts:
            self.entries.setdefault(key, []).append(entry)
        return claim_id, entitlement

    def amount(self, org: OrganisationFacts, programme: str, **given: object) -> Decimal:
        """The amount a recorded claim is entitled to."""
        return self.claim(org, programme, **given)[1].amount

    def refused(self, org: OrganisationFacts, programme: str, code: str, **given: object) -> LedgerError:
        """Assert the claim is refused with `code`, and that the refusal recorded nothing."""
        before = self.accounts
        with pytest.raises(LedgerError) as caught:
            self.evaluate(org, programme, **given)
        assert caught.value.code == code, caught.value.detail
        assert self.accounts == before
        return caught.value

    def set_status(self, claim_id: str, status: str, amount: Decimal | None = None) -> None:
        """Approve (possibly for less) or reject a recorded claim everywhere it is entered."""
        for entries in self.entries.values():
            entries[:] = [replace(e, status=status, amount=e.amount if amount is None else amount)
                          if e.claim_id == claim_id else e for e in entries]
        if status != "rejected":
            return
        self.recorded.pop(claim_id, None)

    def reassess(self, claim_id: str) -> Entitlement:
        """Rule 12: run a recorded pending claim again against the accounts as they are now, and revise its
        entries to the new figure, as the ledger does before an approval."""
        org, programme, given = self.recorded[claim_id]
        entitlement = evaluate(self.catalogue, facts(org, programme, **given), org, self.accounts, claim_id=claim_id)
        for entries in self.entries.values():
            entries[:] = [replace(e, amount=entitlement.amount, gross=entitlement.standing)
                          if e.claim_id == claim_id else e for e in entries]
        return entitlement

    def used(self, key: str) -> Decimal:
        return self.accounts.get(key, AccountState(key)).used
