"""Claims: submitted with the entitlement the rules give and its explanation, then approved or rejected."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from api.schemas.common import (
    BODY_ID,
    CLAIM_ID,
    ORG_USCC,
    RECORDED_AT,
    Names,
    PublicModel,
    RequestModel,
    examples,
)
from api.schemas.fields import (
    Code,
    Day,
    DayText,
    LedgerId,
    MoneyIn,
    MoneyOut,
    ProgrammeCode,
    SubjectText,
    Text,
    TierCode,
    Timestamp,
    Uscc,
    YearIn,
)

EXPLANATION_EXAMPLE = [
    {"rule": "term", "article": 16, "amount": None,
     "detail": "effective 2023-06-01 and award year 2023 fall inside the term 2022-09-06 to 2025-09-05 inclusive"},
    {"rule": "eligibility", "article": 1, "amount": None,
     "detail": f"{ORG_USCC} is inside the district and a member of innovation organisation {BODY_ID} on 2023-06-01"},
    {"rule": "rate", "article": 5, "amount": "300000.00",
     "detail": "30% of registered technical-service contract amount 1,000,000.00 = 300,000.00, rounded down to the"
               " fen"},
    {"rule": "cap:enterprise_year", "article": 5, "amount": "300000.00",
     "detail": "cap 500,000.00 per enterprise per year: 0.00 used, 500,000.00 left; not cut"},
    {"rule": "entitlement", "article": None, "detail": "entitled now: 300,000.00", "amount": "300000.00"},
]
CLAIM_EXAMPLE = {
    "id": CLAIM_ID, "uscc": ORG_USCC, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
    "tier": None, "rank": None, "subject": None, "body_id": BODY_ID, "certification_id": None,
    "basis_amount": "1000000.00", "requested_amount": None, "document_ref": "杭科券〔2023〕0412号", "status": "pending",
    "gross_amount": "300000.00", "entitled_amount": "300000.00", "approved_amount": None, "paid_amount": "0.00",
    "outstanding_amount": "0.00", "decision_note": None, "explanation": EXPLANATION_EXAMPLE,
    "policy_version": "2022.1", "lead_bureau": "kjj", "submitted_at": RECORDED_AT, "updated_at": RECORDED_AT,
    "programme_name": {"zh": "创新券", "en": "Innovation voucher"},
    "bureau_name": {"zh": "区科技局", "en": "District Science and Technology Bureau"}, "tier_name": None,
}


class ClaimCreate(RequestModel):
    model_config = examples({
        "uscc": ORG_USCC, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
        "basis_amount": "1000000.00", "document_ref": "杭科券〔2023〕0412号"})

    uscc: Uscc
    programme: ProgrammeCode = Field(description="a programme code of the catalogue, e.g. A3.erc, A5.voucher")
    award_year: YearIn
    effective_on: Day = Field(description="the day the facts claimed for took effect")
    subject: SubjectText | None = Field(None, description="the project or product the award is for, e.g. project:P-9")
    certification_id: LedgerId | None = Field(None, description="the certification the claim rests on")
    tier: TierCode | None = None
    rank: int | None = Field(None, ge=1, le=1000, strict=True,
                             description="the organisation's rank among the award's winners")
    body_id: Code | None = None
    basis_amount: MoneyIn | None = Field(None, description="the declared basis a rate applies to")
    requested_amount: MoneyIn | None = Field(None, description="what is asked for (capped, as-required programmes)")
    document_ref: Text | None = None


class ApprovalCreate(RequestModel):
    model_config = examples({"amount": "300000.00", "note": "经审核，同意拨付"}, {})

    amount: MoneyIn | None = Field(None, description="defaults to the entitlement; may lower it, never raise it")
    note: Text | None = None


class RejectionCreate(RequestModel):
    model_config = examples({"reason": "技术服务合同未经认定登记"})

    reason: Text


class ExplanationStep(PublicModel):
    rule: str
    article: int | None = Field(description="the policy article the rule comes from")
    detail: str
    amount: MoneyOut | None = Field(description="the running amount after this rule, if it sets one")
    facts: dict[str, Any] | None = Field(None, description="the figures the sentence was made from, with its message"
                                         " `key`; `detail` is rendered from them in the language Accept-Language"
                                         " asks for (zh or en). Absent on steps recorded before they were kept")


class ClaimPublic(PublicModel):
    model_config = examples(CLAIM_EXAMPLE)

    id: str
    uscc: str
    programme: str
    award_year: int
    effective_on: date
    tier: str | None
    rank: int | None
    subject: str | None
    body_id: str | None
    certification_id: str | None
    basis_amount: MoneyOut | None
    requested_amount: MoneyOut | None
    document_ref: str | None
    status: Literal["proposed", "pending", "approved", "rejected", "withdrawn", "revoked"]
    gross_amount: MoneyOut = Field(description="what the rules give before earlier awards and caps")
    entitled_amount: MoneyOut = Field(description="what the rules give this claim now")
    approved_amount: MoneyOut | None
    paid_amount: MoneyOut
    outstanding_amount: MoneyOut
    decision_note: str | None
    explanation: list[ExplanationStep] = Field(description="each rule applied, in order, citing its article")
    policy_version: str
    lead_bureau: str
    submitted_at: Timestamp
    updated_at: Timestamp
    released_amount: MoneyOut | None = Field(None, description="what a withdrawal or revocation gave back")
    recovery_id: str | None = Field(None, description="the recovery a revocation opened for what was paid")
    proposal: dict[str, Any] | None = Field(None, description="a proposal (免申即享): the fact the ledger proposed it"
                                            " on — {because, fact_id, recorded_on, by, text}")
    replaced_by: str | None = Field(None, description="a proposal closed by a claim submitted for the same fact")
    tops_up: str | None = Field(None, description="a top-up (POST /v1/claims/{id}/top-up): the approved award it"
                                " completes")
    top_up_reason: str | None = Field(None, description="a top-up: why it was made (its document is document_ref)")
    top_ups: list[str] = Field([], description="an award topped up: the claims made for its difference, oldest first")
    programme_name: Names | None = Field(None, description="the programme's name beside its code, zh and en")
    bureau_name: Names | None = Field(None, description="the lead bureau's name beside its code")
    tier_name: Names | None = Field(None, description="the tier's name beside its code, when the claim has a tier")


class ClaimEvent(PublicModel):
    event: str
    version: int
    recorded_at: Timestamp
    by: str | None
    # A re-assessment (rule 12: `Reassessed` before a decision, `Confirmed` for a proposal) carries its figures.
    previous_entitled_amount: MoneyOut | None = Field(
        None, description="Reassessed, Confirmed: the entitlement before the rules were run again")
    previous_amount: MoneyOut | None = Field(
        None, description="the same as previous_entitled_amount, named as in the organisation's history")
    entitled_amount: MoneyOut | None = Field(None, description="Reassessed, Confirmed: the entitlement after")
    explanation: list[ExplanationStep] | None = Field(None, description="Reassessed, Confirmed: the new explanation")
    reason: str | None = Field(None, description="Rejected, Withdrawn, Revoked, Replaced, Outranked: why")
    note: str | None = Field(None, description="Approved: the bureau's note")
    document_ref: str | None = Field(None, description="Revoked (and a submission that names one): the document it"
                                                       " rests on")
    amount: MoneyOut | None = Field(None, description="Approved: the amount approved; PayoutRecorded: the amount paid;"
                                                      " PayoutReversed: the payout's amount; RepaymentRecorded: the"
                                                      " amount repaid")
    payout_id: str | None = Field(None, description="PayoutRecorded, PayoutReversed: the payout")
    paid_on: DayText | None = Field(None, description="PayoutRecorded: the day it was paid")
    released_amount: MoneyOut | None = Field(None, description="Revoked: what was not paid, released")
    kept_amount: MoneyOut | None = Field(None, description="Revoked: what was paid, still counted on its caps;"
                                                           " Recovery.Repaid: what still counts once the"
                                                           " repayment is taken off")
    recovery_id: str | None = Field(None, description="Revoked, RepaymentRecorded: the recovery of what was paid")
    replaced_by: str | None = Field(None, description="Replaced: the claim submitted for the same fact;"
                                                      " Outranked: the approved claim that left the proposal"
                                                      " nothing to pay")
    received_on: DayText | None = Field(None, description="Recovery.Repaid, RepaymentRecorded: the day it was"
                                                          " received")
    bank_ref: str | None = Field(None, description="Recovery.Repaid: its bank reference; PayoutRecorded,"
                                                   " PayoutReversed: the payout's")
    account: str | None = Field(None, description="CountedOn: the body's yearly cap that counts the claim from a"
                                                  " membership recorded after it (amount: what it counts there)")
    body_id: str | None = Field(None, description="CountedOn: the body whose cap it is")
    top_up_id: str | None = Field(None, description="ToppedUp: the claim made for the difference the award is owed"
                                                    " (its reason, document_ref and amount beside it)")


class ClaimDetail(ClaimPublic):
    model_config = examples({**CLAIM_EXAMPLE, "history": [
        {"event": "Submitted", "version": 1, "recorded_at": RECORDED_AT, "by": "kjj-clerk"}]})

    history: list[ClaimEvent] = Field(description="the claim's events, oldest first")
