"""A year's close (finance): the reconciliation as it stood and the signed chain digest it rests on.

Recorded once per award year, never edited. Corrections to the year recorded after it do not change it:
the reconciliation shows them as post-close adjustments against these figures."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate


class YearClose(LedgerAggregate):
    @staticmethod
    def create_id(year: int) -> UUID:
        return natural_id("year-close", str(year))

    @event("Closed")
    def __init__(self, year: int, reconciliation: dict[str, Any], digest: dict[str, Any], as_of: str,
                 by: str) -> None:
        self.year = year
        self.reconciliation = reconciliation
        self.digest = digest
        self.as_of = as_of
        self.by = by
