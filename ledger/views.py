"""Aggregates rendered as the contract's JSON-ready answers: money as two-place strings, dates ISO."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.domain.bank_statement import BankStatement
from ledger.domain.certification import Certification
from ledger.domain.claim import Claim
from ledger.domain.fund_year import FundYear
from ledger.domain.innovation_body import InnovationBody
from ledger.domain.organisation import Organisation
from ledger.domain.payout import Payout
from ledger.domain.recovery import Recovery
from ledger.domain.values import fmt


def _m(amount: Decimal | None) -> str | None:
    return None if amount is None else fmt(amount)


def _d(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _t(moment: datetime) -> str:
    return moment.isoformat()


def organisation(org: Organisation) -> dict[str, Any]:
    return {
        "uscc": org.uscc, "name": org.name, "in_district": org.in_district,
        "registered_at": _t(org.created_on),
        "memberships": [{"body_id": m["body_id"], "body_kind": m["body_kind"], "joined_on": _d(m["joined_on"]),
                         "is_lead": m["is_lead"]} for m in org.memberships],
        "designations": [{"programme": p, "effective_on": _d(d["effective_on"]),
                          "certification_id": d["certification_id"]} for p, d in org.designations.items()],
        "district_changes": [{"in_district": c["in_district"], "effective_on": _d(c["effective_on"]),
                              "reason": c["reason"], "document_ref": c["document_ref"]}
                             for c in org.district_changes],
    }


def body(b: InnovationBody) -> dict[str, Any]:
    return {"id": b.body_id, "name": b.name, "kind": b.kind, "lead_uscc": b.lead_uscc,
            "recognised_on": _d(b.recognised_on),
            "members": [{"uscc": u, "joined_on": _d(d)} for u, d in b.members.items()]}


def certification(c: Certification) -> dict[str, Any]:
    return {"id": str(c.id), "uscc": c.uscc, "programme": c.programme, "tier": c.tier,
            "effective_on": _d(c.effective_on), "document_ref": c.document_ref, "subject": c.subject,
            "body_id": c.body_id, "recorded_at": _t(c.created_on), "updated_at": _t(c.modified_on),
            "revoked_on": _d(c.revoked_on),
            "tiers": [{"tier": t["tier"], "effective_on": _d(t["effective_on"]), "document_ref": t["document_ref"]}
                      for t in c.tiers],
            # The tier it stands at, on its own day and document: beside `effective_on` and `document_ref`, the
            # first recording's, an upgraded one read "省级 · 2024-02-20 · the municipal document" (a journey probe).
            "tier_effective_on": _d(c.tiers[-1]["effective_on"]) if c.tiers else _d(c.effective_on),
            "tier_document_ref": c.tiers[-1]["document_ref"] if c.tiers else c.document_ref,
            "source": c.source}


def claim(c: Claim) -> dict[str, Any]:
    return {
        "id": str(c.id), "uscc": c.uscc, "programme": c.programme, "award_year": c.award_year,
        "effective_on": _d(c.effective_on), "tier": c.tier, "rank": c.rank, "subject": c.subject,
        "body_id": c.body_id, "certification_id": c.certification_id, "basis_amount": _m(c.basis_amount),
        "requested_amount": _m(c.requested_amount), "document_ref": c.document_ref, "status": c.status,
        "gross_amount": _m(c.gross_amount), "entitled_amount": _m(c.entitled_amount),
        "approved_amount": _m(c.approved_amount), "paid_amount": fmt(c.paid_amount),
        "outstanding_amount": fmt(c.outstanding_amount), "decision_note": c.decision_note,
        "explanation": c.explanation, "policy_version": c.policy_version, "lead_bureau": c.lead,
        "submitted_at": _t(getattr(c, "confirmed_on", None) or c.created_on), "updated_at": _t(c.modified_on),
        "released_amount": _m(c.released_amount), "recovery_id": c.recovery_id,
        "proposal": c.proposal, "replaced_by": c.replaced_by,
        # A top-up names the award it completes and why; an award names its top-ups.
        "tops_up": c.tops_up, "top_up_reason": c.top_up_reason, "top_ups": list(c.top_ups),
    }


def payout(p: Payout, c: Claim) -> dict[str, Any]:
    return {"id": str(p.id), "claim_id": p.claim_id, "uscc": p.uscc, "programme": p.programme,
            "award_year": p.award_year, "amount": fmt(p.amount), "paid_on": _d(p.paid_on), "bank_ref": p.bank_ref,
            "status": "reversed" if p.reversed else "paid", "reversal_reason": p.reversal_reason,
            "reversal_document_ref": getattr(p, "reversal_document_ref", None),
            "recorded_at": _t(p.created_on), "reversed_at": _t(p.modified_on) if p.reversed else None,
            "claim": {"approved_amount": _m(c.approved_amount), "paid_amount": fmt(c.paid_amount),
                      "outstanding_amount": fmt(c.outstanding_amount)}}


def recovery(r: Recovery) -> dict[str, Any]:
    return {"id": str(r.id), "claim_id": r.claim_id, "uscc": r.uscc, "programme": r.programme,
            "award_year": r.award_year, "lead_bureau": r.lead, "amount": fmt(r.amount), "recovered": fmt(r.recovered),
            "written_off": fmt(r.written_off), "outstanding": fmt(r.outstanding), "status": r.status,
            "reason": r.reason, "document_ref": r.document_ref, "opened_at": _t(r.created_on),
            "updated_at": _t(r.modified_on),
            # The write-off's own why and document (reason and document_ref above are the revocation's).
            "write_off_reason": r.write_off_reason, "write_off_document_ref": r.write_off_document_ref,
            "written_off_by": r.written_off_by,
            "repayments": [_repayment(p) for p in r.repayments],
            "reductions": [_reduction(x) for x in r.reductions]}


def _reduction(x: dict[str, Any]) -> dict[str, Any]:
    """A payout of the revoked award reversed after the recovery was opened: how much less is owed, and why."""
    return {"amount": fmt(x["amount"]), "payout_id": x["payout_id"], "reason": x["reason"],
            "document_ref": x["document_ref"], "reduced_by": x["by"]}


def _repayment(p: dict[str, Any]) -> dict[str, Any]:
    """A repayment as a recovery lists it: its money, day and reference, and, once reversed (booked in error), why
    and on what document."""
    said = {"amount": fmt(p["amount"]), "received_on": _d(p["received_on"]), "bank_ref": p["bank_ref"],
            "reversed": bool(p.get("reversed"))}
    if p.get("reversed"):
        said |= {"reversal_reason": p.get("reversal_reason"), "reversal_document_ref": p.get("reversal_document_ref")}
    return said


def fund_year(f: FundYear, floor: Decimal) -> dict[str, Any]:
    return {"year": f.year, "appropriated": fmt(f.appropriated), "approved": fmt(f.approved),
            "headroom": fmt(f.headroom), "floor": fmt(floor), "below_floor": f.appropriated < floor,
            "appropriations": [{"amount": fmt(a["amount"]), "document_ref": a["document_ref"]}
                               for a in f.appropriations],
            "corrections": [{"appropriation_ref": c["appropriation_ref"], "was": fmt(c["was"]),
                             "amount": fmt(c["amount"]), "reason": c["reason"], "document_ref": c["document_ref"],
                             "by": c["by"], "corrected_at": c["at"]} for c in getattr(f, "corrections", [])]}


def revocation(revoked: Any, revoked_on: Any) -> dict[str, Any]:
    """A certification's revocation as its `Revoked` event holds it: why, on what document, from which day, by whom
    and when (the certification's GET and the revocation's own answer)."""
    return {"reason": revoked.reason, "document_ref": revoked.document_ref, "effective_on": _d(revoked_on),
            "by": revoked.by, "revoked_at": _t(revoked.timestamp)}


def event_summary(event: Any) -> dict[str, Any]:
    summary = {"event": type(event).__name__, "version": event.originator_version,
               "recorded_at": _t(event.timestamp), "by": getattr(event, "by", None)}
    if type(event).__name__ in ("Submitted", "Proposed"):  # what the rules gave it when it was made, and why
        summary.update(entitled_amount=fmt(event.entitled_amount), explanation=event.explanation)
    if type(event).__name__ in ("Reassessed", "Confirmed"):  # rule 12: the old and new figures, and why
        previous = fmt(event.previous_amount)
        summary.update(previous_entitled_amount=previous, previous_amount=previous,
                       entitled_amount=fmt(event.entitled_amount), explanation=event.explanation)
    # A decision or correction says why and on what document (the contract: every correction is an event with
    # who, why and the document it rests on), and what it moved.
    for name in DECISION_TEXT:
        if (value := getattr(event, name, None)) is not None:
            summary[name] = value
    for name in DECISION_MONEY:
        if (value := getattr(event, name, None)) is not None:
            summary[name] = fmt(value)
    if (day := getattr(event, "paid_on", None)) is not None:
        summary["paid_on"] = _d(day)
    if type(event).__name__ == "RepaymentRecorded" and (day := getattr(event, "received_on", None)) is not None:
        summary["received_on"] = _d(day)
    if (claim := getattr(event, "by_claim", None)) is not None:
        summary["replaced_by"] = claim
    if (top_up := getattr(event, "top_up_id", None)) is not None:
        summary["top_up_id"] = top_up
    if type(event).__name__ == "CountedOn":  # the body's yearly cap a membership recorded late counts it on
        summary.update(account=event.account, body_id=event.body_id)
    return summary


DECISION_TEXT = ("reason", "note", "document_ref", "payout_id", "recovery_id")
DECISION_MONEY = ("amount", "released_amount", "kept_amount")


def claim_history(claim_events: Iterable[Any], recovery_events: Iterable[Any] = (),
                  payouts: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A claim's history: its own events, then its recovery's (`Recovery.create_id(claim_id)`; opened by the
    revocation), read from the events themselves, not from either aggregate's state. A repayment is recorded on
    the recovery and, where the revoked award kept its paid part, echoed on the claim (`RepaymentRecorded`: what
    it still keeps on its caps); the history shows it once, as the recovery's, with the echo's `kept_amount`.
    `payouts`: each payout's `Payout.Recorded` event by id, whose bank reference a payout's and a reversal's entry
    carry, and whose amount a reversal's (on a standing award its event holds none: a finance probe read
    `amount: null` where the organisation's timeline gave both)."""
    own, echoes = [], {name: [] for name in ECHOED}
    for event in claim_events:
        (echoes.get(type(event).__name__, own)).append(event)
    recovery = list(recovery_events)

    def summary(event: Any) -> dict[str, Any]:
        return _with_payout(event_summary(event), payouts or {})

    kept: dict[int, str] = {}
    for echo, name in ECHOED.items():  # a repayment, and a repayment reversed (`RepaymentReversed` on both)
        done = [e for e in recovery if type(e).__name__ == name]
        if len(echoes[echo]) != len(done):  # not one echo each: show both as they are
            every = [e for name in ECHOED for e in echoes[name]]
            return [*map(summary, [*own, *every]), *map(recovery_event, recovery)]
        kept |= {id(r): fmt(e.kept_amount) for r, e in zip(done, echoes[echo], strict=True)}
    return [*map(summary, own),
            *(recovery_event(e) | ({"kept_amount": kept[id(e)]} if id(e) in kept else {}) for e in recovery)]


def _with_payout(summary: dict[str, Any], payouts: dict[str, Any]) -> dict[str, Any]:
    """A payout's or a reversal's entry with the payout's bank reference, and its amount where the entry has none."""
    if summary["event"] not in ("PayoutRecorded", "PayoutReversed") or (
            recorded := payouts.get(summary.get("payout_id") or "")) is None:
        return summary
    return summary | {"bank_ref": recorded.bank_ref} | (
        {} if summary.get("amount") is not None else {"amount": fmt(recorded.amount)})


# The claim's echo of a recovery's event, by name: the claim's event and the recovery's.
ECHOED = {"RepaymentRecorded": "Repaid", "RepaymentReversed": "RepaymentReversed"}


def recovery_event(event: Any) -> dict[str, Any]:
    """A recovery's event in its claim's history, named `Recovery.<event>`: who and when, the amount opened,
    repaid or written off, a repayment's day and bank reference, a write-off's (or the revocation's) reason and
    document."""
    summary = event_summary(event) | {"event": f"Recovery.{type(event).__name__}",
                                      "recovery_id": str(event.originator_id)}
    if (day := getattr(event, "received_on", None)) is not None:
        summary["received_on"] = _d(day)
    if (bank_ref := getattr(event, "bank_ref", None)) is not None:
        summary["bank_ref"] = bank_ref
    return summary


def bank_statement(b: BankStatement, *, already_imported: bool) -> dict[str, Any]:
    """The statement's head: `total` is its money out (debits, what payouts answer for), `total_in` its money in."""
    days = sorted(line["date"] for line in b.lines)

    def total(direction: str) -> str:
        return fmt(sum((Decimal(line["amount"]) for line in b.lines if line.get("direction", "debit") == direction),
                       Decimal("0.00")))

    return {"id": str(b.id), "digest": b.digest, "source": b.source, "lines": len(b.lines),
            "period": {"from": days[0], "to": days[-1]}, "total": total("debit"), "total_in": total("credit"),
            "imported_at": _t(b.created_on), "already_imported": already_imported}


def year_close(closed: Any) -> dict[str, Any]:
    """A year's close: when, by whom, the figures and the digest they rest on."""
    return {"year": closed.year, "as_of": closed.as_of, "by": closed.by,
            "recorded_at": closed.created_on.isoformat(), "reconciliation": closed.reconciliation,
            "digest": closed.digest}
