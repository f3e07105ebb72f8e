"""A claim's page, and the lead bureau's decision: the same `AwardLedger` commands as the API."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, Settle, checked_key
from api.schemas.claims import ApprovalCreate, RejectionCreate
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, PagePrincipal
from ledger.application import Outcome
from ledger.audit.receipts import for_claim

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/ui/claims/{claim_id}")
def claim(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, done: str | None = None) -> Response:
    """The claim, its explanation and history; decision forms for a bureau while it is pending."""
    found = ledger.claim(claim_id)
    catalogue = ledger.catalogue()
    return render(request, "claim.html", claim=found, programme=catalogue.programme(found["programme"]),
                  bureau=catalogue.bureau(found["lead_bureau"]), programmes=catalogue.programmes, done=done)


@router.get("/ui/claims/{claim_id}/receipt")
def receipt(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """The claim's receipt as a download, the same document as GET /v1/claims/{id}/receipt."""
    found = for_claim(ledger, request.app.state.notary, claim_id)
    return Response(json.dumps(found, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="receipt-{found["claim_id"]}.json"'})


def _decided(request: Request, claim_id: str, outcome: Outcome) -> Response:
    # Wait, as the API does, until the read models show the decision, so the next page agrees with it.
    Settle(request, Response())(outcome)
    return RedirectResponse(f"/ui/claims/{claim_id}?done=1", status_code=303)


@router.post("/ui/claims/{claim_id}/approve", dependencies=[CsrfChecked])
def approve(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, amount: Text = "",
            note: Text = "", key: Text = "") -> Response:
    """Approve for the entitlement or a lower amount (lead bureau only, as in the API)."""
    decision = ApprovalCreate.model_validate({"amount": amount.strip() or None, "note": note.strip() or None})
    outcome = ledger.approve_claim(by, claim_id=claim_id, amount=decision.amount, note=decision.note,
                                   key=checked_key(key))
    return _decided(request, claim_id, outcome)


@router.post("/ui/claims/{claim_id}/reject", dependencies=[CsrfChecked])
def reject(request: Request, claim_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
           key: Text = "") -> Response:
    """Reject with a reason (lead bureau only, as in the API)."""
    decision = RejectionCreate.model_validate({"reason": reason})
    return _decided(request, claim_id, ledger.reject_claim(by, claim_id=claim_id, reason=decision.reason,
                                                           key=checked_key(key)))
