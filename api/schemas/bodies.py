"""New-type industrial innovation organisations (新型产业创新组织) and their members."""
from __future__ import annotations

from datetime import date

from pydantic import Field

from api.schemas.common import BODY_ID, BODY_NAME, MEMBER_USCC, ORG_USCC, PublicModel, RequestModel, examples
from api.schemas.fields import BodyKind, Code, Day, Text, Uscc
from ledger.catalogue import current

KINDS = ", ".join(current().body_kinds)


class BodyCreate(RequestModel):
    model_config = examples({
        "id": BODY_ID, "name": BODY_NAME, "kind": "consortium", "lead_uscc": ORG_USCC,
        "recognised_on": "2022-10-01"})

    id: Code = Field(description="the body's own reference, used in its URL")
    name: Text
    kind: BodyKind = Field(description=f"one of the catalogue's body kinds: {KINDS}")
    lead_uscc: Uscc = Field(description="the leading organisation, a member from recognised_on")
    recognised_on: Day


class MemberCreate(RequestModel):
    model_config = examples({"uscc": MEMBER_USCC, "joined_on": "2023-01-15"})

    uscc: Uscc
    joined_on: Day


class Member(PublicModel):
    uscc: str
    joined_on: date


class BodyPublic(PublicModel):
    model_config = examples({
        "id": BODY_ID, "name": BODY_NAME, "kind": "consortium", "lead_uscc": ORG_USCC,
        "recognised_on": "2022-10-01",
        "members": [{"uscc": ORG_USCC, "joined_on": "2022-10-01"}, {"uscc": MEMBER_USCC, "joined_on": "2023-01-15"}],
    })

    id: str
    name: str
    kind: str
    lead_uscc: str
    recognised_on: date
    members: list[Member]
