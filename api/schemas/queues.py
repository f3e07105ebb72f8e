"""Work queues and search: claims by status, programme, bureau and year; organisations by code or name."""
from __future__ import annotations

from pydantic import Field

from api.schemas.common import CLAIM_ID, ORG_NAME, ORG_USCC, RECORDED_AT, Names, PublicModel, examples
from api.schemas.fields import MoneyOut, Timestamp

STATUSES = ("proposed", "pending", "approved", "rejected", "withdrawn", "revoked")


class ClaimListItem(PublicModel):
    id: str
    uscc: str
    name: str | None = Field(description="the organisation's registered name")
    programme: str
    programme_name: Names | None = None
    status: str = Field(description=" | ".join(STATUSES))
    award_year: int
    entitled_amount: MoneyOut
    approved_amount: MoneyOut | None = None
    paid_amount: MoneyOut
    unpaid_amount: MoneyOut | None = Field(None, description="approved less paid (approved claims only)")
    lead_bureau: str
    bureau_name: Names | None = None
    tier: str | None = None
    tier_name: Names | None = Field(None, description="the tier's name beside its code, when the claim has a tier")
    subject: str | None = None
    submitted_at: Timestamp


class ClaimPage(PublicModel):
    model_config = examples({"claims": [{
        "id": CLAIM_ID, "uscc": ORG_USCC, "name": ORG_NAME, "programme": "A5.voucher",
        "programme_name": {"zh": "创新券", "en": "Innovation voucher"}, "status": "pending", "award_year": 2023,
        "entitled_amount": "300000.00", "approved_amount": None, "paid_amount": "0.00", "unpaid_amount": None,
        "lead_bureau": "kjj", "bureau_name": {"zh": "区科技局", "en": "District Science and Technology Bureau"},
        "tier": None, "subject": None, "submitted_at": RECORDED_AT}], "next_cursor": "1042"})

    claims: list[ClaimListItem]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class OrganisationListItem(PublicModel):
    uscc: str
    name: str
    in_district: bool


class OrganisationPage(PublicModel):
    model_config = examples({"organisations": [{"uscc": ORG_USCC, "name": ORG_NAME, "in_district": True}],
                             "next_cursor": None})

    organisations: list[OrganisationListItem]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")
