"""Organisations: registered by USCC, with the innovation bodies they belong to and their designations."""
from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool

from api.schemas.common import ORG_NAME, ORG_USCC, RECORDED_AT, PublicModel, RequestModel, examples
from api.schemas.fields import Day, Text, Timestamp, Uscc


class OrganisationCreate(RequestModel):
    model_config = examples({"uscc": ORG_USCC, "name": ORG_NAME, "in_district": True})

    uscc: Uscc
    name: Text
    in_district: StrictBool = Field(description="区内: whether the organisation is inside Binjiang district")


class Membership(PublicModel):
    body_id: str
    body_kind: str
    joined_on: date
    is_lead: bool


class Designation(PublicModel):
    programme: str
    effective_on: date
    certification_id: str


class DistrictChange(PublicModel):
    in_district: bool
    effective_on: date
    reason: str
    document_ref: str


class DistrictChangeCreate(RequestModel):
    model_config = examples({"in_district": False, "effective_on": "2024-03-01", "reason": "注册地迁出滨江区",
                             "document_ref": "滨市监变〔2024〕031号"})

    in_district: StrictBool = Field(description="false: it leaves the district on that day; true: it re-enters")
    effective_on: Day
    reason: Text
    document_ref: Text


class OrganisationPublic(PublicModel):
    model_config = examples({
        "uscc": ORG_USCC, "name": ORG_NAME, "in_district": True, "registered_at": RECORDED_AT,
        "memberships": [{"body_id": "CONS-2022-017", "body_kind": "consortium", "joined_on": "2022-10-01",
                         "is_lead": True}],
        "designations": []})

    uscc: str
    name: str
    in_district: bool
    registered_at: Timestamp
    memberships: list[Membership]
    designations: list[Designation]
    district_changes: list[DistrictChange] = Field(default_factory=list)


class DistrictChangeAnswer(OrganisationPublic):
    """The organisation after a district change; with `?dry_run=true`, as it would be, nothing written."""

    dry_run: bool = Field(False, description="true: what the change would do; nothing was written")
