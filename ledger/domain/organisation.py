"""An organisation that may benefit: registered with its USCC, joined to innovation bodies, designated;
it may leave the district on a date and re-enter it later (claims are judged by where it was that day)."""
from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate
from ledger.rules.facts import Membership, OrganisationFacts


class Organisation(LedgerAggregate):
    @staticmethod
    def create_id(uscc: str) -> UUID:
        return natural_id("organisation", uscc)

    @event("Registered")
    def __init__(self, uscc: str, name: str, in_district: bool, by: str) -> None:
        self.uscc = uscc
        self.name = name
        self.in_district = in_district
        self.registered_in_district = in_district
        self.memberships: list[dict] = []
        self.designations: dict[str, dict] = {}
        self.district_changes: list[dict] = []
        self.certifications: dict[str, str] = {}  # certification id -> programme (what a new fact may open)
        self.proposals: dict[str, dict] = {}      # open proposals (免申即享): claim id -> the fact it rests on
        self.declined: set[tuple[str | None, str | None]] = set()  # (certification, tier) of withdrawn proposals

    @event("Joined")
    def join(self, body_id: str, body_kind: str, joined_on: date, recognised_on: date, is_lead: bool,
             by: str) -> None:
        self.memberships.append({"body_id": body_id, "body_kind": body_kind, "joined_on": joined_on,
                                 "recognised_on": recognised_on, "is_lead": is_lead})

    @event("Designated")
    def designate(self, programme: str, effective_on: date, certification_id: str, by: str) -> None:
        current = self.designations.get(programme)
        if current is None or effective_on < current["effective_on"]:
            self.designations[programme] = {"effective_on": effective_on, "certification_id": certification_id}

    @event("DesignationRevoked")
    def revoke_designation(self, programme: str, certification_id: str, by: str) -> None:
        """The designation's certification was revoked: from now on no claim may rest on it (catalogue: A6.chain_leader
        is the prerequisite of A6.chain_leader_rd and A8.orders), whatever the claim's date, as for a certification."""
        if (self.designations.get(programme) or {}).get("certification_id") == certification_id:
            del self.designations[programme]

    @event("Certified")
    def note_certification(self, certification_id: str, programme: str, by: str) -> None:
        """Kept so a later membership or designation finds the certifications it may open claims on."""
        self.certifications[certification_id] = programme

    @event("ProposalOpened")
    def open_proposal(self, claim_id: str, programme: str, tier: str | None, certification_id: str | None,
                      body_id: str | None, subject: str | None, by: str) -> None:
        self.proposals[claim_id] = {"programme": programme, "tier": tier, "certification_id": certification_id,
                                    "body_id": body_id, "subject": subject}

    @event("ProposalClosed")
    def close_proposal(self, claim_id: str, outcome: str, by: str) -> None:
        """Confirmed, replaced by a submitted claim, dismissed or withdrawn by a revocation. A withdrawn one (the
        bureau declined it, or its certification was revoked) is not proposed again for the same fact."""
        closed = self.proposals.pop(claim_id, None)
        if outcome == "withdrawn" and closed is not None:
            self.declined.add((closed["certification_id"], closed["tier"]))

    @event("DistrictChanged")
    def change_district(self, in_district: bool, effective_on: date, reason: str, document_ref: str,
                        by: str) -> None:
        self.district_changes.append({"in_district": in_district, "effective_on": effective_on, "reason": reason,
                                      "document_ref": document_ref})
        self.district_changes.sort(key=lambda c: c["effective_on"])
        self.in_district = self.district_changes[-1]["in_district"]

    def in_district_on(self, day: date | None) -> bool:
        """Inside the district on the day: the last change on or before it, else as registered."""
        if day is None:
            return self.in_district
        held = [c for c in self.district_changes if c["effective_on"] <= day]
        return held[-1]["in_district"] if held else self.registered_in_district

    def member_of(self, body_id: str) -> bool:
        return any(m["body_id"] == body_id for m in self.memberships)

    def facts(self, on: date | None = None) -> OrganisationFacts:
        """What the rules see of the organisation; `on` a claim's effective day, for where it was then."""
        return OrganisationFacts(
            uscc=self.uscc, in_district=self.in_district_on(on),
            memberships=tuple(Membership(**m) for m in self.memberships),
            designations={p: d["effective_on"] for p, d in self.designations.items()},
            designation_ids={p: d["certification_id"] for p, d in self.designations.items()},
        )
