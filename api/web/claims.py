"""A claim's page, and the lead bureau's decision: the same `AwardLedger` commands as the API."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.schemas.claims import ApprovalCreate, RejectionCreate
from api.web import i18n, query_notice, refusal_words
from api.web.amounts import plain_amount
from api.web.approvals import approval_held
from api.web.correction_forms import FormState, attempt, resent_about_claim
from api.web.pages import PageRoute, render, templates
from api.web.session import CsrfChecked, PagePrincipal
from ledger.application import Outcome
from ledger.audit.receipts import for_claim
from ledger.domain.errors import LedgerError
from ledger.messages import persons_reason

router = APIRouter(route_class=PageRoute, include_in_schema=False)
templates.env.globals["bureau_name"] = refusal_words.bureau_name  # a bureau by name (区科技局), never its code


def reads_recovery(principal: Any, claim: dict[str, Any]) -> bool:
    """Whether `principal` may open the claim's recovery, as GET /v1/recoveries/{id} lets it: finance, auditors,
    admin, and the lead bureau; another bureau was shown links to it that answered 403 (a clerk's probe)."""
    return principal is not None and (principal.role.value != "bureau" or principal.bureau == claim.get("lead_bureau"))


templates.env.globals["reads_recovery"] = reads_recovery
Text = Annotated[str, Form()]
DECIDED = "/ui/claims/{}?done=1"  # where a recorded decision lands: the claim page, saying so
APPROVED = "/ui/claims/{}?done=approved"  # an approval's landing names the amount it booked
CONFIRMED = "/ui/claims/{}?done=confirmed"  # where a confirmed proposal lands
i18n.MESSAGES.update({
    "decided_confirmed": ("已确认：本项奖补已转为待审批申请，请审核后批准或驳回。",
                          "Confirmed: the award is now a pending claim; approve or reject it below."),
    "organisation": ("企业", "Organisation"),
    "payouts": ("拨付记录", "Payouts"), "no_payouts": ("尚无拨付。", "Nothing paid yet."),
    "payout_status": ("拨付状态", "Status"), "payout_paid": ("已拨付", "paid"),
    "payout_reversed": ("已冲回", "reversed"),
    "record_payout": ("记录拨付", "Record a payout"), "reverse_payout": ("冲回", "Reverse"),
    "confirm_h": ("确认奖补（免申即享）", "Confirm the proposed award"),
    "confirm_hint": ("确认后，账本按当前台账重新测算，本项即转为待审批申请（与待办列表中“确认所选”相同）。",
                     "Confirmed, it is re-assessed on the ledger as it stands and becomes a pending claim (the same"
                     " as “Confirm selected” on the queue)."),
    "confirm_proposal": ("确认", "Confirm"),
    # (the bulk confirmation's, api/web/proposals.py, and the claim page's own confirm)
    "confirm_now_replaced": ("该项已由申请 {id} 取代（认定晋级后按新等次另行生成，或已就同一事实提交申请），"
                             "不能再确认；请打开申请 {id} 处理。",
                             "It was replaced by claim {id} (proposed anew for an upgraded tier, or claimed for the"
                             " same fact) and can no longer be confirmed; open claim {id} and deal with it there."),
    "open_replacing": ("打开申请 {id}", "Open claim {id}"),
    # (a stale tab's decline or withdrawal of a proposal another claim closed, api/web/corrections.py)
    "decline_now_replaced": ("该项已关闭：{note}。无需再不予确认或撤回；请打开申请 {id} 处理。",
                             "It is closed: {note}. There is nothing to decline or withdraw here; open claim {id} and"
                             " deal with it there."),
    "declined_event": ("不予确认待确认奖补", "Proposal declined"),
    "declined_status": ("不予确认", "declined"),
    "decline_reason": ("不予确认理由", "Reason for declining"),
    "corrected_declined": ("已不予确认：本项待确认奖补已关闭。", "Declined: the proposal is closed."),
    "nothing_to_approve": ("本申请应享 0.00 元，已无可批准的金额（见上方测算说明）：请驳回或撤回本申请以结案。",
                           "This claim is entitled to 0.00 yuan, so there is nothing to approve (see its explanation"
                           " above): reject or withdraw it to close it."),
})


def _payouts(ledger: LedgerDep, claim_id: str, history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claim's payouts, in the order they were recorded, each as GET /v1/payouts/{id} answers it."""
    ids = dict.fromkeys(h["payout_id"] for h in history if h.get("event") == "PayoutRecorded" and h.get("payout_id"))
    return ledger.payouts_of(claim_id, list(ids)) if ids else []


def _organisation_name(ledger: LedgerDep, uscc: str) -> str | None:
    try:
        return ledger.organisation(uscc)["name"]
    except LedgerError:
        return None


def declined(claim: dict[str, Any], revocation: dict[str, Any] | None = None) -> bool:
    """A proposal the lead bureau declined (不予确认): withdrawn while still proposed, by a person's reason, not the
    ledger's own note (a departure's withdrawal) nor a replacement, nor its certification's revocation
    (`revocation`, as the certification holds it: one recorded before the ledger wrote its note for it kept the
    revocation's reason and document, a regression probe); the ledger records it as any withdrawal."""
    if claim["status"] != "withdrawn" or claim.get("replaced_by"):
        return False
    history = claim.get("history") or []
    events = [h.get("event") for h in history]
    withdrawn = next((h for h in reversed(history) if h.get("event") == "Withdrawn"), {})
    why = withdrawn.get("reason") or ""
    said = (why, withdrawn.get("document_ref"))
    if revocation and said == (revocation.get("reason"), revocation.get("document_ref")):
        return False
    return "Proposed" in events and "Confirmed" not in events and persons_reason(why)


def revocation_of(ledger: Any, claim: dict[str, Any]) -> dict[str, Any] | None:
    """The revocation of the certification a withdrawn proposal rests on, if it was revoked."""
    if claim["status"] != "withdrawn" or not claim.get("certification_id"):
        return None
    try:
        return ledger.certification(claim["certification_id"]).get("revocation")
    except LedgerError:
        return None


def declined_ids(ledger: Any, rows: list[dict[str, Any]]) -> set[str]:
    """Which of the claims a page lists (rows of the read models, with no history) were declined (`declined`): the
    history is read only for a claim closed by a withdrawal (a queue's row does not say whether it was proposed), so
    the queue, the organisation's claims and the bulk confirmation's result say 不予确认 as the claim's own page does
    (a pages probe read 已撤回 there)."""
    found = set()
    for row in rows:
        if row.get("status") != "withdrawn" or row.get("replaced_by"):
            continue
        try:
            whole = ledger.claim(row["id"])
        except LedgerError:
            continue
        if declined(whole, revocation_of(ledger, whole)):
            found.add(row["id"])
    return found


def _claim_page(request: Request, ledger: LedgerDep, claim_id: str, action: str = "",
                state: FormState | Response | None = None) -> Response:
    """The claim page; with a refused decision form (`action`) shown again as it was typed."""
    if isinstance(state, Response):
        return state
    found = ledger.claim(claim_id)
    if state and action == "approve" and state.preview and state.refusal:
        # An approval held back (rule 12: re-assessed since the page showed it): the figure and explanation the
        # approval would book, beside the form carrying them; the page showed the old ones, the deduction of a claim
        # withdrawn since included (a clerk's probe). Nothing was recorded: its status and history are as they are.
        found = found | {k: state.preview[k] for k in ("entitled_amount", "gross_amount", "explanation")
                         if k in state.preview}
    catalogue = ledger.catalogue()
    programme = catalogue.programme(found["programme"])
    tier = programme.tier(found["tier"]) if programme and found["tier"] else None
    lang = i18n.language(request)
    was_declined = declined(found, revocation_of(ledger, found))
    if state:
        resent_about_claim(state, found, lang, was_declined)
    outstanding = Decimal(found["outstanding_amount"] or "0")
    return render(request, "claim.html", state.status if state else 200, claim=found, programme=programme,
                  tier=tier, bureau=catalogue.bureau(found["lead_bureau"]), programmes=catalogue.programmes,
                  bureau_label=refusal_words.bureau_name(found["lead_bureau"], lang),
                  organisation_name=_organisation_name(ledger, found["uscc"]),
                  payouts=_payouts(ledger, found["id"], found.get("history") or []),
                  payable=found["status"] == "approved" and outstanding > 0,
                  declined=was_declined,
                  nothing_to_approve=found["status"] == "pending" and Decimal(found["entitled_amount"] or "0") <= 0,
                  done=_landed(request, found), action=action, form=state or FormState({}),
                  corrected=query_notice.landed(request, "corrected", {
                      "withdrawn": found["status"] == "withdrawn", "revoked": found["status"] == "revoked",
                      "topped_up": bool(found.get("top_ups"))}))


def _landed(request: Request, found: dict[str, Any]) -> str | None:
    """The decision notice the page landed with (`?done=`), where the claim bears it out: rejected (`1`), approved,
    or confirmed and pending."""
    events = {h.get("event") for h in found.get("history") or []}
    return query_notice.landed(request, "done", {
        "1": found["status"] == "rejected", "approved": found["status"] == "approved",
        "confirmed": found["status"] == "pending" and "Confirmed" in events})


@router.get("/ui/claims/{claim_id}")
def claim(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """The claim, its explanation and history; decision forms for a bureau while it is pending."""
    return _claim_page(request, ledger, claim_id)


@router.get("/ui/claims/{claim_id}/receipt")
def receipt(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """The claim's receipt as a download, the same document as GET /v1/claims/{id}/receipt."""
    found = for_claim(ledger, request.app.state.notary, claim_id)
    return Response(json.dumps(found, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="receipt-{found["claim_id"]}.json"'})


@router.post("/ui/claims/{claim_id}/approve", dependencies=[CsrfChecked])
def approve(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, amount: Text = "",
            note: Text = "", shown: Text = "", key: Text = "") -> Response:
    """Approve for the entitlement or a lower amount (lead bureau only, as in the API): first a dry run, so that
    an entitlement re-assessed since the page showed it (`shown`, rule 12) or a lowered amount with no note comes
    back to the clerk instead of being booked; a refused approval comes back as typed, naming the field to fix."""
    typed = {"amount": amount, "note": note}

    def command(dry_run: bool, once: str | None) -> Outcome:
        body = ApprovalCreate.model_validate({"amount": plain_amount(amount) or None, "note": note.strip() or None})
        return ledger.approve_claim(by, claim_id=claim_id, amount=body.amount, note=body.note, dry_run=dry_run,
                                    key=once)

    hints = {"amount": "fix_approve_amount"}
    checked = attempt(request, typed, "preview", key, command, APPROVED.format(claim_id), "approve", hints)
    # A refused dry run goes on to the approval itself: a form sent twice is answered as the first was.
    if isinstance(checked, FormState) and checked.refusal is None and not checked.errors and (
            held := approval_held(checked, shown or ledger.claim(claim_id)["entitled_amount"], note,
                                  i18n.language(request))):
        return _claim_page(request, ledger, claim_id, "approve", held)
    state = attempt(request, typed, "confirm", key, command, APPROVED.format(claim_id), "approve", hints)
    return _claim_page(request, ledger, claim_id, "approve", state)


@router.post("/ui/claims/{claim_id}/reject", dependencies=[CsrfChecked])
def reject(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
           key: Text = "") -> Response:
    """Reject with a reason (lead bureau only, as in the API); a refused rejection comes back as typed."""
    typed = {"reason": reason}

    def command(dry_run: bool, once: str | None) -> Outcome:
        body = RejectionCreate.model_validate(typed)
        return ledger.reject_claim(by, claim_id=claim_id, reason=body.reason, key=once)

    state = attempt(request, typed, "confirm", key, command, DECIDED.format(claim_id), "reject")
    return _claim_page(request, ledger, claim_id, "reject", state)


@router.post("/ui/claims/{claim_id}/confirm", dependencies=[CsrfChecked])
def confirm(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, key: Text = "") -> Response:
    """Confirm one proposal from its own page (lead bureau only): the same command as POST /v1/claims/{id}/confirm
    and the queue's bulk confirmation; it is re-assessed, then pending."""

    def command(dry_run: bool, once: str | None) -> Outcome:
        return ledger.confirm_claim(by, claim_id=claim_id, key=once)

    state = attempt(request, {}, "confirm", key, command, CONFIRMED.format(claim_id), "confirm")
    refused = state.refusal if isinstance(state, FormState) else None
    if refused and refused["code"] == "invalid_state" and not refused.get("resent") and (
            by_claim := ledger.claim(claim_id, with_history=False).get("replaced_by")):
        # A stale tab's confirm of a proposal another claim replaced: the one to confirm, as the bulk confirmation
        # names it; "已撤回，不是待确认" sent the clerk looking (a regression probe).
        t = i18n.translator(i18n.language(request))
        refused |= {"detail": t("confirm_now_replaced", id=by_claim), "link": f"/ui/claims/{by_claim}",
                    "link_label": t("open_replacing", id=by_claim)}
    return _claim_page(request, ledger, claim_id, "confirm", state)
