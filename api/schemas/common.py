"""What every resource model shares: strict request bodies, and the realistic examples the docs show."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    """A request body: unknown fields are refused, so a misspelt optional field is never silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PublicModel(BaseModel):
    """An answer: exactly the documented fields."""


class Names(PublicModel):
    zh: str
    en: str


# One small, consistent world for the examples of every route (valid USCCs, real programme codes).
ORG_USCC = "91330108MA2H0T5X61"
ORG_NAME = "杭州某某科技有限公司"
MEMBER_USCC = "91330108MA27XQ2L4Q"
MEMBER_NAME = "杭州滨江某某智能制造有限公司"
BODY_ID = "CONS-2022-017"
BODY_NAME = "滨江智能视觉企业创新联合体"
CERT_ID = "0b8f4c7e-2d1a-4e59-9a63-5f0d2c7b8e14"
CLAIM_ID = "5e2a9d3c-7f41-4b8e-a1c6-3d9e0f8b2a57"
PAYOUT_ID = "c4d7e1a9-3b62-4f0e-8d15-a2b9c6e3f471"
RECORDED_AT = "2023-06-01T01:30:15.123456+00:00"


def examples(*values: dict) -> ConfigDict:
    """A model's config carrying realistic examples for the OpenAPI document."""
    return ConfigDict(json_schema_extra={"examples": list(values)})
