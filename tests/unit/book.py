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
           in_district: bool = True, chain_leader: bool = False) -> OrganisationFacts:
    """An organisation inside the district, member (or lead) of one recognised innovation organisation."""
    designations = {"A6.chain_leader": TERM_START} if chain_leader else {}
    return OrganisationFacts(uscc or new_uscc(), in_district,
                             (Membership(body, "consortium", joined_on, TERM_START, lead),), designations)


def outsider(uscc: str | None = None) -> OrganisationFacts:
    """An organisation inside the district that belongs to no innovation organisation."""
    return OrganisationFacts(uscc or new_uscc(), True)


def facts(org: OrganisationFacts, programme: str, *, award_year: int = 2023, effective_on: date = ON,
          **given: object) -> ClaimFacts:
    """Claim facts, with money given as strings read by money(), as the ledger's edge reads them."""
    for key in ("basis_amount", "requested_amount"):
        if given.get(key) is not None:
            given[key] = money(given[key])  # type: ignore[arg-type]
    return ClaimFacts(org.uscc, programme, award_year, effective_on, **given)  # type: ignore[arg-type]


class Book:
    """Account tallies built from the claims run through it, as the ledger would keep them."""

    def __init__(self, catalogue=CATALOGUE) -> None:
        self.catalogue = catalogue
        self.entries: dict[str, list[Entry]] = {}
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
        entry = Entry(claim_id, entitlement.programme, status, entitlement.amount, entitlement.standing,
                      entitlement.tier)
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

    def set_status(self, claim_id: str, status: str) -> None:
        """Approve or reject a recorded claim everywhere it is entered."""
        for entries in self.entries.values():
            entries[:] = [replace(e, status=status) if e.claim_id == claim_id else e for e in entries]

    def used(self, key: str) -> Decimal:
        return self.accounts.get(key, AccountState(key)).used
