"""Official lists of certifications (contract: POST /v1/certifications/imports): every good row recorded
by the decision of `record_certification` (so every rule and proposal applies), every bad row refused with
its line, code and detail, and the list itself kept as a `CertificationImport` keyed by the file's SHA-256.

Rows are recorded in batches of `BATCH_ROWS`, each batch one transaction with one idempotency record keyed
by the digest and its lines: a commit per row cost most of a 10,000-row list's time (bench/RESULTS.md). A
row refused inside a batch is listed and skipped, never blocking the others (a row's decision refuses before
it changes anything). An import cut short and sent again replays the batches already recorded and records
no row twice; once the list is recorded whole, the same file again from the same bureau records nothing and
says so. A list of which no row could be recorded (every row refused: another bureau's programmes, say)
writes nothing at all, not even the list: its answer lists the refusals, and the lead bureau can import the
same file afterwards. An Idempotency-Key gives the first answer again (its fingerprint is the file's digest:
another file under the same key is 409)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Aggregate

from ledger.bulk_read import select_many
from ledger.domain import errors
from ledger.domain.certification_import import CertificationImport
from ledger.domain.innovation_body import InnovationBody
from ledger.domain.organisation import Organisation
from ledger.domain.values import Uscc
from ledger.principals import Principal, Role
from ledger.usecases.common import fingerprint, optional_text, require_role

if TYPE_CHECKING:
    from uuid import UUID

    from ledger.application import Outcome

# Rows a transaction. Resuming an import relies on the same file cutting into the same batches: change it
# only between releases. 250 rows make one save of about a thousand events; larger gained little (bench/).
BATCH_ROWS = 250


def import_view(record: CertificationImport, already: bool) -> dict[str, Any]:
    # A recorded line that proposed nothing keeps why with it (`unproposed`); lists imported before kept no reason.
    why = [{"line": r["line"], **r["unproposed"]} for r in record.recorded if r.get("unproposed")]
    return {"id": str(record.id), "sha256": record.sha256, "rows": record.rows, "recorded": len(record.recorded),
            "certifications": record.recorded, "refused": record.refused, "proposed_claims": record.proposed_claims,
            "unproposed": why, "source": record.source, "imported_by": record.by, "already_imported": already}


class CertificationImports:
    """Importing an official list, mixed into AwardLedger."""

    def certification_import(self, import_id: str) -> dict[str, Any]:
        """An import's answer, as it was given (its id was in the answer, and led nowhere: an imports probe)."""
        from ledger.usecases.common import uuid_of

        iid = uuid_of(import_id, "certification import")
        return import_view(self._get(CertificationImport, iid, f"certification import {import_id}"), True)

    def import_certifications(self, by: Principal, *, sha256: str, total: int, rows: Iterable[tuple[int, dict]],
                              refused: list[dict], source: str | None = None,
                              progress: Callable[[int], None] | None = None, batch_rows: int = BATCH_ROWS,
                              key: str | None = None) -> Outcome:
        """`rows` are (line, fields) already through the request's field checks; `refused` the lines that were not."""

        require_role(by, Role.BUREAU, doing="import certification lists")
        source = optional_text(source, "source")
        # Recorded a batch per transaction, its answer kept with the last: the key is held for the whole import,
        # so a retry sent meanwhile waits and gets the first answer (ledger/key_locks.py).
        # The same file from the same bureau, sent twice at once without a key (a probe, on PostgreSQL): both ran
        # the batches, and the second answered 201 "recorded 0", every row refused `conflict` as already held. One
        # at a time, the second finds the first's list and answers 200 `already_imported`.
        with self.key_locks.held(by.name, key, also=f"list\x00{by.bureau}\x00{sha256}"):
            return self._import_once(by, sha256, total, rows, refused, source, progress, batch_rows, key)

    def _import_once(self, by: Principal, sha256: str, total: int, rows: Iterable[tuple[int, dict]],
                     refused: list[dict], source: str | None, progress: Callable[[int], None] | None,
                     batch_rows: int, key: str | None) -> Outcome:
        from ledger.application import Outcome

        # The list's name joins the key's fingerprint when given: the same key with another name is another
        # request (it replayed the first name's answer: an imports probe); a key kept before stays as it was.
        args = {"sha256": sha256} | ({"source": source} if source else {})
        if key is not None and (replay := self._replay(by, key, fingerprint("import_certifications", args))):
            return replay
        iid = CertificationImport.create_id(sha256, by.bureau)
        earlier = self._get_or_none(CertificationImport, iid)
        if earlier is None:  # imported before imports were kept per bureau: by this principal, it is the same
            legacy = self._get_or_none(CertificationImport, CertificationImport.create_id(sha256))
            earlier = legacy if legacy is not None and legacy.by == by.name else None
        if earlier is not None:
            return Outcome(import_view(earlier, True), None, replayed=True)
        recorded: list[dict] = []
        refusals = list(refused)
        proposed: list[str] = []
        position = None
        good = list(rows)
        for start in range(0, len(good), batch_rows):
            batch = good[start:start + batch_rows]
            done = self._import_batch(by, sha256, iid, total, batch)
            recorded += done.view["recorded"]
            refusals += done.view["refused"]
            proposed += done.view["proposed_claims"]
            position = done.position or position
            if progress is not None:
                progress(len(batch))
        refusals.sort(key=lambda r: r["line"])

        def made() -> CertificationImport:
            return CertificationImport(sha256=sha256, rows=total, recorded=recorded, refused=refusals,
                                       proposed_claims=proposed, source=source, by=by.name, bureau=by.bureau)

        if not recorded:  # nothing could be recorded: the list is not kept either (a refusal writes nothing)
            return Outcome(import_view(made(), False), None)

        def decide() -> tuple[list[Aggregate], dict]:
            found = self._get_or_none(CertificationImport, iid)
            if found is not None:  # the same file, imported at the same moment by another request
                return [], import_view(found, True)
            record = made()
            return [record], import_view(record, False)

        outcome = self._run(by, key, "import_certifications", args, decide)
        return Outcome(outcome.view, outcome.position or position)

    def _tier_by_name(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A row whose tier is exactly the Chinese name the catalogue gives one of its programme's tiers
        (专精特新小巨人, 省级) is read as that tier's code: an office's list names tiers so (a bureau probe had them
        `unknown_tier`), and the name is the catalogue's own, for that programme and the row's day. Anything else is
        left as sent."""
        tier, day = fields.get("tier"), fields.get("effective_on")
        prog = None if day is None else self.catalogue_on(day).programmes.get(fields.get("programme", ""))
        if tier is None or prog is None or prog.tier(tier) is not None:
            return fields
        named = [t.code for t in prog.tiers if t.name_zh == tier]
        return fields | {"tier": named[0]} if len(named) == 1 else fields

    def _prefetched(self, batch: list[tuple[int, dict]]) -> dict[Any, Aggregate | None]:
        """The batch's organisations and bodies, read fresh in one query (ledger/bulk_read.py)."""
        ids = set()
        for _, fields in batch:
            with suppress(errors.LedgerError):  # a bad USCC: the row is refused when it is decided
                ids.add(Organisation.create_id(Uscc.parse(fields["uscc"]).value))
            if fields.get("body_id"):
                ids.add(InnovationBody.create_id(fields["body_id"]))
        found = select_many(self.recorder, sorted(ids))
        if found is None:
            return {}
        return {i: project_aggregate(None, [self.mapper.to_domain_event(e) for e in found.get(i, [])]) for i in ids}

    def _import_batch(self, by: Principal, sha256: str, iid: UUID, total: int,
                      batch: list[tuple[int, dict]]) -> Outcome:
        """One transaction for the batch's rows: each decided on what the rows before it left."""

        def decide() -> tuple[list[Aggregate], dict]:
            view: dict[str, list] = {"recorded": [], "refused": [], "proposed_claims": []}
            touched: dict[Any, Aggregate] = {}
            self._attempt.scope = scope = self._prefetched(batch)
            try:
                for line, fields in batch:
                    source = {"import_id": str(iid), "sha256": sha256, "line": line, "rows": total}
                    self._attempt.row_reads = seen = {}
                    try:
                        certify, _ = self._certifying(by, **self._tier_by_name(fields), source=source)
                        aggregates, row = certify()
                    except errors.LedgerError as refusal:
                        if any(len(scope[i].pending_events) != n for i, n in seen.items() if scope[i] is not None):
                            raise RuntimeError(f"line {line} was refused ({refusal.code}) after changing the"
                                               " ledger; the batch is not recorded") from refusal
                        view["refused"].append({"line": line, "code": refusal.code, "detail": refusal.detail,
                                                "detail_zh": refusal.in_language("zh") or refusal.detail})
                        continue
                    for aggregate in aggregates:
                        touched[aggregate.id] = scope[aggregate.id] = aggregate
                    view["recorded"].append({"line": line, "certification_id": row["id"],
                                             "proposed_claims": row["proposed_claims"],
                                             **({"unproposed": row["unproposed"]} if "unproposed" in row else {})})
                    view["proposed_claims"] += row["proposed_claims"]
            finally:
                self._attempt.scope = self._attempt.row_reads = None
            return list(touched.values()), view

        lines = [line for line, _ in batch]
        return self._run(by, f"import:{sha256}:{lines[0]}-{lines[-1]}", "import_certification_rows",
                         {"sha256": sha256, "lines": lines}, decide)
