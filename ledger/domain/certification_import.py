"""An official list imported in one go (a provincial 专精特新 list, a recognition notice): which file (its
SHA-256), how many rows, who imported it, which lines became which certifications, which were refused and
why, and the claims proposed. Keyed by the importing bureau and the file's digest, so the same file again from
the same bureau records nothing new, and another bureau's import of it (each records only the rows of the
programmes it leads) is its own. Lists imported before the bureau was part of the key are keyed by the digest
alone (`bureau` None)."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate


class CertificationImport(LedgerAggregate):
    @staticmethod
    def create_id(sha256: str, bureau: str | None = None) -> UUID:
        return natural_id("certification-import", sha256 if bureau is None else f"{bureau}:{sha256}")

    @event("Recorded")
    def __init__(self, sha256: str, rows: int, recorded: list[dict], refused: list[dict], proposed_claims: list[str],
                 source: str | None, by: str, bureau: str | None = None) -> None:
        self.bureau = bureau
        self.sha256 = sha256
        self.rows = rows
        self.recorded = recorded
        self.refused = refused
        self.proposed_claims = proposed_claims
        self.source = source
        self.by = by
