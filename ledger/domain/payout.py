"""Money paid by finance against an approved claim; a reversal is an event, never a deletion."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate


class Payout(LedgerAggregate):
    @staticmethod
    def create_id(bank_ref: str) -> UUID:
        """One payout per bank reference: a second payout reusing a reference collides with the first in the
        store, so two concurrent commands cannot both record it (the loser is decided again and refused)."""
        return natural_id("payout", bank_ref.strip().casefold())

    @staticmethod
    def booking_id(bank_ref: str, booking: int) -> UUID:
        """The id of the `booking`-th payout under one bank reference: 0 is the first (`create_id`); each later
        one books the reference again once the one before it was reversed (a booking error: the wrong claim, the
        wrong amount). Derived, as the first is, so two commands booking a reference again at once collide."""
        if booking == 0:
            return Payout.create_id(bank_ref)
        return natural_id("payout-booked-again", f"{booking}:{bank_ref.strip().casefold()}")

    @classmethod
    def book(cls, booking: int, **recorded: object) -> Payout:
        """A payout, the `booking`-th under its bank reference (`booking_id`); its event is the same
        `Payout.Recorded`, only its id tells a reference booked again."""
        if booking == 0:
            return cls(**recorded)  # type: ignore[arg-type]
        return cls._create(cls.Recorded, id=cls.booking_id(str(recorded["bank_ref"]), booking),  # type: ignore[attr-defined]
                           **recorded)

    @event("Recorded")
    def __init__(self, claim_id: str, uscc: str, programme: str, award_year: int, amount: Decimal, paid_on: date,
                 bank_ref: str, by: str) -> None:
        self.claim_id = claim_id
        self.uscc = uscc
        self.programme = programme
        self.award_year = award_year
        self.amount = amount
        self.paid_on = paid_on
        self.bank_ref = bank_ref
        self.reversed = False
        self.reversal_reason: str | None = None
        self.reversal_document_ref: str | None = None

    @event("Reversed")
    def reverse(self, reason: str, by: str, document_ref: str | None = None) -> None:
        """`document_ref`: the document the reversal rests on (the bank's return notice), where it names one;
        reversals recorded before it was kept carry none."""
        self.reversed = True
        self.reversal_reason = reason
        self.reversal_document_ref = document_ref
