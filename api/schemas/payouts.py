"""Payouts recorded by finance against approved claims; a reversal is recorded, never a deletion."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from api.schemas.common import CLAIM_ID, ORG_USCC, PAYOUT_ID, RECORDED_AT, PublicModel, RequestModel, examples
from api.schemas.fields import Day, LedgerId, MoneyIn, MoneyOut, OptionalText, Text, Timestamp


class PayoutCreate(RequestModel):
    model_config = examples({
        "claim_id": CLAIM_ID, "amount": "300000.00", "paid_on": "2023-07-03", "bank_ref": "ICBC-20230703-000187"})

    claim_id: LedgerId
    amount: MoneyIn
    paid_on: Day
    bank_ref: Text


class ReversalCreate(RequestModel):
    model_config = examples({"reason": "收款账户户名不符，银行退回"},
                            {"reason": "收款账户已销户，银行退回", "document_ref": "工行退汇通知 2024-0712"})

    reason: Text
    document_ref: OptionalText | None = Field(None, description="the document the reversal rests on, if any (the bank's"
                                                         " return notice): kept on the payout and the claim")


class ClaimBalance(PublicModel):
    approved_amount: MoneyOut | None
    paid_amount: MoneyOut
    outstanding_amount: MoneyOut


class PayoutPublic(PublicModel):
    model_config = examples({
        "id": PAYOUT_ID, "claim_id": CLAIM_ID, "uscc": ORG_USCC, "programme": "A5.voucher", "award_year": 2023,
        "amount": "300000.00", "paid_on": "2023-07-03", "bank_ref": "ICBC-20230703-000187", "status": "paid",
        "reversal_reason": None, "recorded_at": RECORDED_AT, "reversed_at": None,
        "claim": {"approved_amount": "300000.00", "paid_amount": "300000.00", "outstanding_amount": "0.00"}})

    id: str
    claim_id: str
    uscc: str
    programme: str
    award_year: int
    amount: MoneyOut
    paid_on: date
    bank_ref: str
    status: Literal["paid", "reversed"]
    reversal_reason: str | None
    reversal_document_ref: str | None = Field(None, description="the document the reversal rests on, if it named one")
    recorded_at: Timestamp
    reversed_at: Timestamp | None = Field(None, description="the reversal's moment: `as_of` set to it shows the payout"
                                          " reversed (`recorded_at` is the payout's own)")
    claim: ClaimBalance
