"""Certifications (认定) recorded by a programme's lead bureau, and their upgrades up a ladder."""
from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from api.schemas.common import BODY_ID, CERT_ID, ORG_USCC, RECORDED_AT, PublicModel, RequestModel, examples
from api.schemas.fields import Code, Day, ProgrammeCode, SubjectText, Text, TierCode, Timestamp, Uscc


class CertificationCreate(RequestModel):
    model_config = examples({
        "uscc": ORG_USCC, "programme": "A3.consortium", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭科高〔2023〕15号", "body_id": BODY_ID})

    uscc: Uscc
    programme: ProgrammeCode = Field(description="a programme code of the catalogue (GET /v1/programmes)")
    tier: TierCode | None = Field(None, description="the tier certified; none for a designation (A6.chain_leader)")
    effective_on: Day
    document_ref: Text = Field(description="the recognising document's reference number")
    subject: SubjectText | None = Field(None, description="what was certified, e.g. project:P-9, product:...")
    body_id: Code | None = Field(None, description="the innovation body the certification recognises; required for"
                                                   " an Art. 3 recognition (rule 13), whose body must be of the"
                                                   " programme's kind and led by `uscc`")


class UpgradeCreate(RequestModel):
    model_config = examples({
        "tier": "national", "effective_on": "2024-05-10", "document_ref": "发改高技〔2024〕612号"})

    tier: TierCode
    effective_on: Day
    document_ref: Text


class TierStep(PublicModel):
    tier: str | None
    effective_on: date
    document_ref: str


class Revocation(PublicModel):
    reason: str
    document_ref: str
    effective_on: date
    by: str
    revoked_at: Timestamp


class Unproposed(PublicModel):
    code: str = Field(description="the refusal the claim it opens met (`not_eligible`, say), or `figure_not_held` for"
                                  " an award paid by a figure the ledger does not hold")
    detail: str = Field(description="why, in the reader's language, and what to do instead")


class CertificationPublic(PublicModel):
    model_config = examples({
        "id": CERT_ID, "uscc": ORG_USCC, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改高技〔2023〕15号", "subject": None, "body_id": None, "recorded_at": RECORDED_AT,
        "tiers": [{"tier": "municipal", "effective_on": "2023-03-01", "document_ref": "杭发改高技〔2023〕15号"}]})

    id: str
    uscc: str
    programme: str
    tier: str | None = Field(description="the tier it stands at now (after upgrades)")
    effective_on: date = Field(description="the day it was first certified (its first tier's); the tier it stands at"
                                           " now took effect on `tier_effective_on`")
    document_ref: str = Field(description="the document it was first certified on; the tier it stands at now rests"
                                          " on `tier_document_ref`")
    tier_effective_on: date | None = Field(None, description="the day the tier it stands at now took effect (its"
                                                             " last upgrade's, or `effective_on`)")
    tier_document_ref: str | None = Field(None, description="the document the tier it stands at now rests on")
    subject: str | None
    body_id: str | None
    recorded_at: Timestamp
    updated_at: Timestamp | None = Field(
        None, description="the moment of the last command on it (its recording, an upgrade, a revocation):"
                          " `as_of` set to it shows that command whole")
    tiers: list[TierStep] = Field(description="every tier it has stood at, oldest first")
    revoked_on: date | None = Field(None, description="revoked from this day (claims from it may not rest on it)")
    revocation: Revocation | None = Field(None, description="a revoked certification's revocation: why, on what"
                                          " document, from which day, by whom and when (GET only)")
    proposed_claims: list[str] = Field(default_factory=list, description="claims this record proposed (免申即享),"
                                       " in the answer to a POST or an upgrade; in a GET, the proposals resting on"
                                       " it that are still open: GET /v1/claims?status=proposed")
    unproposed: Unproposed | None = Field(None, description="in the answer to a POST or an upgrade that proposed"
                                          " nothing (免申即享), why; absent where the fact opens no claim of its own"
                                          " (a designation)")
    source: dict[str, Any] | None = Field(None, description="provenance of a certification recorded from an official"
                                          " list: {import_id, sha256, line, rows, imported_by}")
