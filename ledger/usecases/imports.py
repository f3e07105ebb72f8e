"""Official lists of certifications (contract: POST /v1/certifications/imports): every good row recorded
through `record_certification` (so every rule and proposal applies), every bad row refused with its line,
code and detail, and the list itself kept as a `CertificationImport` keyed by the file's SHA-256.

Each row is its own transaction with an idempotency key derived from the digest and the line: an import
cut short (a crash, a timeout) and sent again resumes where it stopped and records no row twice; once the
list is recorded whole, the same file again records nothing and says so."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from eventsourcing.domain import Aggregate

from ledger.domain import errors
from ledger.domain.certification_import import CertificationImport
from ledger.principals import Principal, Role
from ledger.usecases.common import require_role

if TYPE_CHECKING:
    from ledger.application import Outcome


def import_view(record: CertificationImport, already: bool) -> dict[str, Any]:
    return {"id": str(record.id), "sha256": record.sha256, "rows": record.rows, "recorded": len(record.recorded),
            "certifications": record.recorded, "refused": record.refused, "proposed_claims": record.proposed_claims,
            "source": record.source, "imported_by": record.by, "already_imported": already}


class CertificationImports:
    """Importing an official list, mixed into AwardLedger."""

    def import_certifications(self, by: Principal, *, sha256: str, total: int, rows: Iterable[tuple[int, dict]],
                              refused: list[dict], source: str | None = None,
                              progress: Callable[[int], None] | None = None) -> Outcome:
        """`rows` are (line, fields) already through the request's field checks; `refused` the lines that were not."""
        from ledger.application import Outcome

        require_role(by, Role.BUREAU, doing="import certification lists")
        iid = CertificationImport.create_id(sha256)
        earlier = self._get_or_none(CertificationImport, iid)
        if earlier is not None:
            return Outcome(import_view(earlier, True), None, replayed=True)
        recorded: list[dict] = []
        refusals = list(refused)
        proposed: list[str] = []
        position = None
        for line, fields in rows:
            source_of = {"import_id": str(iid), "sha256": sha256, "line": line, "rows": total}
            try:
                outcome = self.record_certification(by, **fields, source=source_of, key=f"import:{sha256}:{line}")
            except errors.LedgerError as refusal:
                refusals.append({"line": line, "code": refusal.code, "detail": refusal.detail})
            else:
                recorded.append({"line": line, "certification_id": outcome.view["id"]})
                proposed += outcome.view.get("proposed_claims", [])
                position = outcome.position or position
            if progress is not None:
                progress(1)
        refusals.sort(key=lambda r: r["line"])

        def decide() -> tuple[list[Aggregate], dict]:
            found = self._get_or_none(CertificationImport, iid)
            if found is not None:  # the same file, imported at the same moment by another request
                return [], import_view(found, True)
            record = CertificationImport(sha256=sha256, rows=total, recorded=recorded, refused=refusals,
                                         proposed_claims=proposed, source=source, by=by.name)
            return [record], import_view(record, False)

        outcome = self._run(by, None, "import_certifications", {"sha256": sha256}, decide)
        return Outcome(outcome.view, outcome.position or position)
