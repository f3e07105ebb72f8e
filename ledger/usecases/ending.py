"""How a claim ends under a correction, shared by every correction that ends claims: a pending (or
proposed) claim is withdrawn, an approved one revoked. A withdrawn claim releases each account it reserved on,
whatever its family (caps, ladders, subjects, rank slots, pools...), so later claims are judged on what
stands. A revoked award releases what was not paid (the contract: "what was not paid is released (caps,
ladders, fund), what was paid net of reversals becomes a recovery"): its paid part still counts on its caps,
ladders, subject, one-time and per-certification slots (`AwardAccount.keep`, rules/accounts.py KEEPS_PAID) and
stays charged to its fund year, and is owed as a recovery; its rank slots are released whole."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger.domain.award_account import AwardAccount
from ledger.domain.claim import Claim
from ledger.domain.fund_year import FundYear
from ledger.domain.organisation import Organisation
from ledger.domain.recovery import Recovery
from ledger.domain.values import fmt
from ledger.principals import Principal
from ledger.rules.accounts import KEEPS_PAID, keeps_paid

if TYPE_CHECKING:
    from ledger.application import AwardLedger

WITHDRAWABLE = ("pending", "proposed")


class Touched:
    """The aggregates one decision changes, each loaded once: two claims on one cap change one account."""

    def __init__(self, ledger: AwardLedger) -> None:
        self.ledger = ledger
        self.loaded: dict[UUID, Aggregate] = {}

    def add(self, aggregate: Aggregate) -> Aggregate:
        return self.loaded.setdefault(aggregate.id, aggregate)

    def account(self, key: str) -> AwardAccount:
        found = self.loaded.get(AwardAccount.create_id(key))
        return found if isinstance(found, AwardAccount) else self.add(self.ledger._account(key))  # type: ignore[return-value]

    def fund(self, year: int) -> FundYear:
        found = self.loaded.get(FundYear.create_id(year))
        if isinstance(found, FundYear):
            return found
        return self.add(self.ledger._get_or_none(FundYear, FundYear.create_id(year)) or FundYear(year=year))  # type: ignore[return-value]

    def organisation(self, uscc: str) -> Organisation:
        found = self.loaded.get(Organisation.create_id(uscc))
        return found if isinstance(found, Organisation) else self.add(self.ledger._organisation(uscc))  # type: ignore[return-value]

    def all(self) -> list[Aggregate]:
        return list(self.loaded.values())

    def accounts(self) -> dict[str, AwardAccount]:
        return {a.key: a for a in self.loaded.values() if isinstance(a, AwardAccount)}

    def offer_freed(self, ended: list[Claim], by: Principal) -> None:
        """What the ended claims held is offered again to the proposals waiting on it (`_freed_proposals`)."""
        for aggregate in self.ledger._freed_proposals(ended, self.accounts(), by, self.organisation, self.loaded):
            self.add(aggregate)


def end_claim(touched: Touched, claim: Claim, by: str, reason: str, document_ref: str | None) -> dict[str, Any]:
    """Withdraw a pending claim or revoke an approved one; what happened, as the answers list it."""
    cid = str(claim.id)
    touched.add(claim)
    revoking = claim.status == "approved"
    if claim.status == "proposed":  # a proposal reserved nothing: only the organisation's index of them moves
        touched.organisation(claim.uscc).close_proposal(cid, "withdrawn", by)
        claim.withdraw(reason, by, document_ref)
        return {"id": cid, "status": "withdrawn", "released_amount": fmt(Decimal("0.00")), "recovery_id": None,
                "to_recover": fmt(Decimal("0.00"))}
    paid = claim.paid_amount  # net of reversals; nothing for a pending claim
    for key in claim.accounts:
        account = touched.account(key)
        if cid in account.entries:
            if paid > 0 and keeps_paid(key):  # the contract: "what was not paid is released (caps, ladders, fund)"
                account.keep(cid, paid, by)
            else:
                account.release(cid, by, status="revoked" if revoking else "withdrawn")
    if not revoking:
        released = claim.entitled_amount
        claim.withdraw(reason, by, document_ref)
        return {"id": cid, "status": "withdrawn", "released_amount": fmt(released), "recovery_id": None,
                "to_recover": fmt(Decimal("0.00"))}
    released = (claim.approved_amount or Decimal("0.00")) - paid
    if claim.pays_award and released > 0:
        touched.fund(claim.award_year).release(cid, released, by)
    recovery_id = None
    if paid > 0:
        recovery = Recovery(claim_id=cid, uscc=claim.uscc, programme=claim.programme, award_year=claim.award_year,
                            lead=claim.lead, amount=paid, reason=reason, document_ref=document_ref or "", by=by)
        touched.add(recovery)
        recovery_id = str(recovery.id)
    claim.revoke(reason, document_ref or "", released, recovery_id, by, kept_amount=paid, kept_on=list(KEEPS_PAID))
    return {"id": cid, "status": "revoked", "released_amount": fmt(released), "recovery_id": recovery_id,
            "to_recover": fmt(paid)}
