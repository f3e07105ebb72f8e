"""A recognised new-type industrial innovation organisation (新型产业创新组织) and its member units."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate


class InnovationBody(LedgerAggregate):
    @staticmethod
    def create_id(body_id: str) -> UUID:
        return natural_id("innovation-body", body_id)

    @event("Recognised")
    def __init__(self, body_id: str, name: str, kind: str, lead_uscc: str, recognised_on: date, by: str) -> None:
        self.body_id = body_id
        self.name = name
        self.kind = kind
        self.lead_uscc = lead_uscc
        self.recognised_on = recognised_on
        self.members: dict[str, date] = {lead_uscc: recognised_on}
        self.certifications: dict[str, list[str]] = {}  # programme -> certification ids, oldest first

    @event("Certified")
    def certify(self, programme: str, certification_id: str, by: str) -> None:
        """A recognition of the body was recorded (rule 13: the award's level comes from it)."""
        self.certifications.setdefault(programme, []).append(certification_id)

    @event("MemberAdded")
    def add_member(self, uscc: str, joined_on: date, by: str) -> None:
        self.members[uscc] = joined_on
