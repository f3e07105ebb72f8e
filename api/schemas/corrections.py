"""Corrections and claw-backs: withdrawals, revocations, recoveries, repayments and write-offs."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from api.schemas.certifications import CertificationPublic
from api.schemas.claims import ClaimPublic
from api.schemas.common import CLAIM_ID, ORG_USCC, RECORDED_AT, PublicModel, RequestModel, examples
from api.schemas.fields import Day, MoneyIn, MoneyOut, OptionalText, Text, Timestamp

RECOVERY_ID = "8a3c5e1f-6b2d-4f70-9e84-1c7a2d5b3e96"


class WithdrawalCreate(RequestModel):
    model_config = examples({"reason": "申请单位主动撤回申请"},
                            {"reason": "申请单位来函撤回", "document_ref": "企业撤回函 2024-031"})

    reason: Text
    document_ref: OptionalText | None = Field(None, description="the document the withdrawal rests on, if any (kept on"
                                                         " the claim's Withdrawn event)")


class TopUpCreate(RequestModel):
    model_config = examples({"reason": "市级工程技术研究中心认定被撤销，国家级奖励按全额补足差额",
                             "document_ref": "杭高新科〔2025〕9号"})

    reason: Text
    document_ref: Text


class RevocationCreate(RequestModel):
    model_config = examples({"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"})

    reason: Text
    document_ref: Text


class CertificationRevocationCreate(RevocationCreate):
    model_config = examples({"reason": "复核不再符合认定条件", "effective_on": "2024-01-01",
                             "document_ref": "杭高新科〔2024〕18号"})

    effective_on: Day = Field(description="the day the certification ceased to hold (kept as its revoked_on);"
                                                 " every claim resting on it is withdrawn or revoked, whatever its"
                                                 " date, and none may rest on it again, of any date")


class CorrectedClaim(ClaimPublic):
    to_recover: MoneyOut | None = Field(None, description="what a revocation left to recover (paid net of reversals)")
    dry_run: bool = Field(False, description="true: what the correction would do; nothing was written")


class EndedClaim(PublicModel):
    id: str
    status: Literal["withdrawn", "revoked"]
    released_amount: MoneyOut
    recovery_id: str | None
    to_recover: MoneyOut


class CertificationRevocationPublic(PublicModel):
    certification: CertificationPublic
    claims: list[EndedClaim]
    released_amount: MoneyOut = Field(description="every ended claim's released_amount added up: approved money given"
                                                  " back and pending reservations freed (each apart below)")
    released_from_awards: MoneyOut = Field(description="of it, what revoked awards had approved and not paid (their"
                                                       " fund year and caps get it back)")
    released_reservations: MoneyOut = Field(description="of it, what withdrawn pending claims had reserved on caps"
                                                        " (never charged to a fund)")
    to_recover: MoneyOut
    recoveries: list[str]
    dry_run: bool = False


class RepaymentCreate(RequestModel):
    model_config = examples({"amount": "50000.00", "received_on": "2024-04-02", "bank_ref": "ICBC-20240402-000031"})

    amount: MoneyIn
    received_on: Day
    bank_ref: Text


class WriteOffCreate(RequestModel):
    model_config = examples({"reason": "企业已注销，无可追回财产", "document_ref": "滨财核〔2025〕3号"})

    reason: Text
    document_ref: Text


class RepaymentReversalCreate(RequestModel):
    model_config = examples({"amount": "50000.00", "received_on": "2024-06-20", "bank_ref": "RCV-2024-0620",
                             "reason": "误记入他户追回款项，款项实为另一单位归还",
                             "document_ref": "区财更〔2024〕12号"})

    amount: MoneyIn = Field(description="the repayment's amount, as it was booked")
    received_on: Day = Field(description="its day, as it was booked")
    bank_ref: Text = Field(description="its bank reference, as it was booked")
    reason: Text
    document_ref: Text


class Repayment(PublicModel):
    amount: MoneyOut
    received_on: date
    bank_ref: str
    reversed: bool = Field(False, description="booked in error and reversed (POST .../repayments/reverse): it no"
                                              " longer counts as recovered")
    reversal_reason: str | None = None
    reversal_document_ref: str | None = None


class Reduction(PublicModel):
    amount: MoneyOut = Field(description="how much less is owed: the reversed payout's amount")
    payout_id: str = Field(description="the payout of the revoked award reversed (booked in error)")
    reason: str
    document_ref: str | None = None
    reduced_by: str | None = Field(None, description="the principal who reversed the payout")


class RecoveryPublic(PublicModel):
    model_config = examples({
        "id": RECOVERY_ID, "claim_id": CLAIM_ID, "uscc": ORG_USCC, "programme": "A5.voucher", "award_year": 2023,
        "lead_bureau": "kjj", "amount": "100000.00", "recovered": "50000.00", "written_off": "0.00",
        "outstanding": "50000.00", "status": "open", "reason": "核查发现申报数据不实",
        "document_ref": "杭高新科〔2024〕17号",
        "opened_at": RECORDED_AT, "repayments": [
            {"amount": "50000.00", "received_on": "2024-04-02", "bank_ref": "ICBC-20240402-000031"}]})

    id: str
    claim_id: str
    uscc: str
    programme: str
    award_year: int
    lead_bureau: str
    amount: MoneyOut = Field(description="paid net of reversals when the award was revoked, less the payouts reversed"
                                         " since (`reductions`)")
    recovered: MoneyOut
    written_off: MoneyOut
    outstanding: MoneyOut
    status: Literal["open", "closed"]
    reason: str
    document_ref: str
    opened_at: Timestamp
    updated_at: Timestamp | None = Field(
        None, description="the moment of the last command on it (its opening, a repayment, a write-off):"
                          " `as_of` set to it shows that command whole")
    write_off_reason: str | None = Field(None, description="why what was outstanding was written off")
    write_off_document_ref: str | None = Field(None, description="the document the write-off rests on")
    written_off_by: str | None = Field(None, description="the principal who wrote it off")
    repayments: list[Repayment] = Field(default_factory=list)
    reductions: list[Reduction] = Field(default_factory=list, description=(
        "payouts of the revoked award reversed after the recovery was opened (POST /v1/payouts/{id}/reverse), each"
        " lowering `amount` and `outstanding`"))
    dry_run: bool = False


class RecoveryList(PublicModel):
    recoveries: list[RecoveryPublic]
