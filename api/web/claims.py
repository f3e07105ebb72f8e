"""A claim's page, and the lead bureau's decision: the same `AwardLedger` commands as the API."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep
from api.schemas.claims import ApprovalCreate, RejectionCreate
from api.web.correction_forms import FormState, attempt
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, PagePrincipal
from ledger.application import Outcome
from ledger.audit.receipts import for_claim

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form()]
DECIDED = "/ui/claims/{}?done=1"  # where a recorded decision lands: the claim page, saying so


def _claim_page(request: Request, ledger: LedgerDep, claim_id: str, action: str = "",
                state: FormState | Response | None = None) -> Response:
    """The claim page; with a refused decision form (`action`) shown again as it was typed."""
    if isinstance(state, Response):
        return state
    found = ledger.claim(claim_id)
    catalogue = ledger.catalogue()
    programme = catalogue.programme(found["programme"])
    tier = programme.tier(found["tier"]) if programme and found["tier"] else None
    return render(request, "claim.html", state.status if state else 200, claim=found, programme=programme,
                  tier=tier, bureau=catalogue.bureau(found["lead_bureau"]), programmes=catalogue.programmes,
                  done=request.query_params.get("done"), action=action, form=state or FormState({}))


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
            note: Text = "", key: Text = "") -> Response:
    """Approve for the entitlement or a lower amount (lead bureau only, as in the API); a refused approval comes
    back as typed, naming the field to fix."""
    typed = {"amount": amount, "note": note}

    def command(dry_run: bool, once: str | None) -> Outcome:
        body = ApprovalCreate.model_validate({"amount": amount.strip() or None, "note": note.strip() or None})
        return ledger.approve_claim(by, claim_id=claim_id, amount=body.amount, note=body.note, key=once)

    state = attempt(request, typed, "confirm", key, command, DECIDED.format(claim_id), "approve",
                    {"amount": "fix_approve_amount"})
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
