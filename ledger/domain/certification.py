"""A certification a lead bureau records: a recognition at a tier, a designation, or an award won."""
from __future__ import annotations

from datetime import date

from eventsourcing.domain import event

from ledger.domain.moment import LedgerAggregate


class Certification(LedgerAggregate):
    @event("Recorded")
    def __init__(self, uscc: str, programme: str, tier: str | None, effective_on: date, document_ref: str,
                 subject: str | None, body_id: str | None, by: str) -> None:
        self.uscc = uscc
        self.programme = programme
        self.tier = tier
        self.effective_on = effective_on
        self.document_ref = document_ref
        self.subject = subject
        self.body_id = body_id
        self.tiers: list[dict] = [{"tier": tier, "effective_on": effective_on, "document_ref": document_ref}]
        self.revoked_on: date | None = None
        self.revocation: dict | None = None
        self.source: dict | None = None  # the official list it was imported from, if it was
        # Recorded without the subject its programme's awards are keyed by: the subject each claim resting on it
        # named, by claim id (ledger/application.py `_unnamed_subject`).
        self.claimed_subjects: dict[str, str] = {}

    @event("Upgraded")
    def upgrade(self, tier: str, effective_on: date, document_ref: str, by: str) -> None:
        self.tier = tier
        self.tiers.append({"tier": tier, "effective_on": effective_on, "document_ref": document_ref})

    @event("Imported")
    def note_source(self, import_id: str, sha256: str, line: int, rows: int, by: str) -> None:
        """Provenance: the list (its SHA-256, row count, importer) and the line this certification came from."""
        self.source = {"import_id": import_id, "sha256": sha256, "line": line, "rows": rows, "imported_by": by}

    @event("SubjectNamed")
    def name_subject(self, claim_id: str, subject: str, by: str) -> None:
        """A claim resting on this certification, recorded without its subject, named the subject. Every such claim
        records it here, so claims sent at once on two rungs write to one record and cannot both name their own
        (a regression probe: 1,000,000 and 5,000,000 paid for two projects on one upgraded prize)."""
        self.claimed_subjects = {**getattr(self, "claimed_subjects", {}), claim_id: subject}

    @event("Revoked")
    def revoke(self, reason: str, effective_on: date, document_ref: str, by: str) -> None:
        self.revoked_on = effective_on
        self.revocation = {"reason": reason, "effective_on": effective_on, "document_ref": document_ref}

    @property
    def revoked(self) -> bool:
        """Revoked, whatever the day it was revoked from: its revocation ended every claim resting on it, of any
        date (the contract), so no claim may rest on it again, not even one dated before that day."""
        return self.revoked_on is not None

    def tier_on(self, day: date) -> str | None:
        """The tier in force on a day: upgrades count from their own effective date."""
        held = [t for t in self.tiers if t["effective_on"] <= day]
        return held[-1]["tier"] if held else None
