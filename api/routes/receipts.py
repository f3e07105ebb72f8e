"""Receipts an outsider can check: a claim's events with their Merkle proofs and a signed chain head."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.deps import LedgerDep, requires
from api.problems import responses
from ledger.audit.receipts import for_claim
from ledger.principals import Principal, Role

router = APIRouter(tags=["audit"])
Reader = Annotated[Principal, Depends(requires(Role.BUREAU, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                                               doing="read claim receipts"))]


@router.get("/v1/claims/{claim_id}/receipt", responses=responses(401, 403, 404, 409))
def claim_receipt(claim_id: str, by: Reader, ledger: LedgerDep, request: Request) -> dict[str, Any]:
    """A claim's receipt: its and its payouts' events with inclusion proofs under a signed head, checkable offline."""
    return for_claim(ledger, request.app.state.notary, claim_id)
