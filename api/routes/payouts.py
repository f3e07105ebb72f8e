"""Payouts against approved claims, and their reversals, recorded by finance."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.deps import IdempotencyKeyDep, LedgerDep, PrincipalDep, SettleDep, requires
from api.problems import responses
from api.schemas.payouts import PayoutCreate, PayoutPublic, ReversalCreate
from ledger.principals import Principal, Role

router = APIRouter(tags=["payouts"])
Finance = Annotated[Principal, Depends(requires(Role.FINANCE, doing="record payouts and reversals"))]


@router.post("/v1/payouts", status_code=201, response_model=PayoutPublic, responses=responses(401, 403, 404, 409, 422))
def record_payout(body: PayoutCreate, by: Finance, ledger: LedgerDep, key: IdempotencyKeyDep,
                  settle: SettleDep) -> dict[str, Any]:
    """Record money paid against an approved claim (finance); never more than is outstanding."""
    return settle(ledger.record_payout(by, claim_id=body.claim_id, amount=body.amount, paid_on=body.paid_on,
                                       bank_ref=body.bank_ref, key=key))


@router.get("/v1/payouts/{payout_id}", response_model=PayoutPublic, responses=responses(401, 404, 409))
def get_payout(payout_id: str, by: PrincipalDep, ledger: LedgerDep) -> dict[str, Any]:
    """A payout, whether it was reversed, and its claim's balance."""
    return ledger.payout(payout_id)


@router.post("/v1/payouts/{payout_id}/reverse", response_model=PayoutPublic,
             responses=responses(401, 403, 404, 409, 422))
def reverse_payout(payout_id: str, body: ReversalCreate, by: Finance, ledger: LedgerDep, key: IdempotencyKeyDep,
                   settle: SettleDep) -> dict[str, Any]:
    """Reverse a payout with a reason and, optionally, its document (finance); owed again, or less on a recovery."""
    return settle(ledger.reverse_payout(by, payout_id=payout_id, reason=body.reason, document_ref=body.document_ref,
                                        key=key))
