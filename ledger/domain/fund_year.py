"""The special fund of one year (Art. 2): appropriations recorded by finance, approvals charged to it."""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate

ZERO = Decimal("0.00")


def _document_key(text: str) -> str:
    """A document reference as a clerk reads it: its letters, digits and characters only, full-width forms and letter
    case aside. 区财〔2024〕1号, 区财[2024]1号, 区财（2024）1号 and 区财【2024】1号 are one 文号, as are BJCZ-2024-07,
    BJCZ/2024/07 and BJCZ 2024 07. (a regression probe booked each again)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum()).casefold()


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
        """The year's appropriation recorded on `document_ref` as a clerk reads it (`_document_key`), or None (a
        regression probe re-sent BJCZ-2023-01 full-width, with en dashes and with spaces inside, each adding to the
        fund). Of look-alikes a store booked before documents were compared so, the one spelt exactly so, else the
        first: the one a correction names."""
        same = [a for a in self.appropriations if _document_key(a["document_ref"]) == _document_key(document_ref)]
        return next((a for a in same if a["document_ref"] == document_ref.strip()), same[0] if same else None)

    @event("AppropriationCorrected")
    def correct(self, appropriation_ref: str, amount: Decimal, was: Decimal, reason: str, document_ref: str,
                by: str, at: str) -> None:
        """The appropriation booked on `appropriation_ref` now reads `amount` (nothing: withdrawn, its document free to
        be booked again), on the correcting `document_ref` and for `reason`. The entry keeps its two fields (the
        snapshots' shape); the correction is listed in `corrections`, made with the first one, so a fund year never
        corrected keeps the shape its stored snapshots have (a pages probe: no page or answer showed a correction)."""
        self.corrections = [*getattr(self, "corrections", []), {
            "appropriation_ref": appropriation_ref, "was": was, "amount": amount, "reason": reason,
            "document_ref": document_ref, "by": by, "at": at}]
        # One entry, named by its exact spelling: a store booked before documents were compared by `_document_key`
        # may hold look-alikes (区财〔2024〕1号 and 区财[2024]1号), and rewriting every one moved the fund by one
        # entry's difference (a regression probe: 8M + 8M in a fund of 13M).
        place = next(i for i, entry in enumerate(self.appropriations) if entry["document_ref"] == appropriation_ref)
        kept = list(self.appropriations)
        if amount:
            kept[place] = {"amount": amount, "document_ref": appropriation_ref}
        else:
            del kept[place]
        self.appropriations = kept
        self.appropriated += amount - was

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
