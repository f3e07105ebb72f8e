"""Money to be clawed back (应追回): what was paid net of reversals on an award that was later revoked.

Opened by the revocation, it closes when repayments and write-offs have covered it. Finance records both;
a repayment above what is outstanding is refused before it gets here, so `outstanding` never goes below 0."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate

ZERO = Decimal("0.00")


class Recovery(LedgerAggregate):
    @staticmethod
    def create_id(claim_id: str) -> UUID:
        # One recovery per claim: a claim is revoked once, and two racing revocations collide here.
        return natural_id("recovery", claim_id)

    @event("Opened")
    def __init__(self, claim_id: str, uscc: str, programme: str, award_year: int, lead: str, amount: Decimal,
                 reason: str, document_ref: str, by: str) -> None:
        self.claim_id = claim_id
        self.uscc = uscc
        self.programme = programme
        self.award_year = award_year
        self.lead = lead
        self.amount = amount
        self.reason = reason
        self.document_ref = document_ref
        self.recovered = ZERO
        self.written_off = ZERO
        self.repayments: list[dict] = []
        self.reductions: list[dict] = []  # payouts of the revoked award reversed since (`reduce`)
        self.write_off_reason: str | None = None
        self.write_off_document_ref: str | None = None
        self.written_off_by: str | None = None

    @event("Repaid")
    def repay(self, amount: Decimal, received_on: date, bank_ref: str, by: str) -> None:
        self.recovered += amount
        self.repayments.append({"amount": amount, "received_on": received_on, "bank_ref": bank_ref})

    @event("RepaymentReversed")
    def reverse_repayment(self, amount: Decimal, received_on: date, bank_ref: str, reason: str, document_ref: str,
                          by: str, repaid_version: int) -> None:
        """A repayment booked in error (on the wrong recovery, twice, or for the wrong amount) taken back, with why
        and the document it rests on: the last standing repayment, as only it can be (a use-case rule), recorded by
        this recovery's event `repaid_version`."""
        self.recovered -= amount
        standing = [p for p in self.repayments if not p.get("reversed")]
        standing[-1].update(reversed=True, reversal_reason=reason, reversal_document_ref=document_ref)

    @event("WrittenOff")
    def write_off(self, amount: Decimal, reason: str, document_ref: str, by: str) -> None:
        self.written_off += amount
        self.write_off_reason = reason
        self.write_off_document_ref = document_ref
        self.written_off_by = by

    @event("WriteOffReversed")
    def reverse_write_off(self, amount: Decimal, reason: str, document_ref: str, by: str) -> None:
        """What was written off (`amount`, all of it) is owed again, with why and the document: money came back
        after all (a debtor paying through the courts), or the write-off was recorded in error. The repayment is
        then recorded as any other, within what is outstanding (the contract: over_recovered above it)."""
        self.written_off -= amount
        self.write_off_reason = None
        self.write_off_document_ref = None
        self.written_off_by = None

    @event("Reduced")
    def reduce(self, amount: Decimal, payout_id: str, reason: str, document_ref: str | None, by: str) -> None:
        """Less is owed: payout `payout_id` of the revoked award (`amount` of what was paid, and so owed back) was
        booked in error and is reversed, with why and the document it rests on. The award was paid that much less;
        what is to recover is what it was paid, net of reversals, as when the recovery was opened. No more than
        what is outstanding (a use-case rule: money already repaid or written off is reversed first)."""
        self.amount -= amount
        self.reductions.append({"amount": amount, "payout_id": payout_id, "reason": reason,
                                "document_ref": document_ref, "by": by})

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.recovered - self.written_off

    @property
    def status(self) -> str:
        return "open" if self.outstanding > 0 else "closed"
