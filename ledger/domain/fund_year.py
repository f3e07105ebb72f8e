"""The special fund of one year (Art. 2): appropriations recorded by finance, approvals charged to it."""
from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate

ZERO = Decimal("0.00")


class FundYear(LedgerAggregate):
    @staticmethod
    def create_id(year: int) -> UUID:
        return natural_id("fund-year", str(year))

    @event("Opened")
    def __init__(self, year: int) -> None:
        self.year = year
        self.appropriations: list[dict] = []
        self.appropriated = ZERO
        self.approved = ZERO

    @event("Appropriated")
    def appropriate(self, amount: Decimal, document_ref: str, by: str) -> None:
        # The entry keeps what it kept when the store's snapshots were taken: a field more here would make every
        # snapshot of a fund year taken before read as altered (`verify`, an audit probe). Who recorded an entry
        # and when is in the year's history.
        self.appropriations.append({"amount": amount, "document_ref": document_ref})
        self.appropriated += amount

    def booked(self, document_ref: str) -> dict | None:
        """The year's appropriation recorded on `document_ref` (spaces and letter case aside), or None."""
        same = " ".join(document_ref.split()).casefold()
        return next((a for a in self.appropriations if " ".join(a["document_ref"].split()).casefold() == same), None)

    @event("Charged")
    def charge(self, claim_id: str, amount: Decimal, by: str) -> None:
        self.approved += amount

    @event("Released")
    def release(self, claim_id: str, amount: Decimal, by: str) -> None:
        # A revoked award gives back the approved part that was never paid.
        self.approved -= amount

    @property
    def headroom(self) -> Decimal:
        return self.appropriated - self.approved
