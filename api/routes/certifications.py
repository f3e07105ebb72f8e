"""Certifications recorded by a programme's lead bureau, and upgrades up the programme's ladder."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends

from api.deps import IdempotencyKeyDep, LedgerDep, PrincipalDep, SettleDep, requires
from api.language import LanguageDep
from api.problems import responses
from api.schemas.certifications import CertificationCreate, CertificationPublic, UpgradeCreate
from api.schemas.common import ORG_USCC
from ledger.principals import Principal, Role

router = APIRouter(tags=["certifications"])
LeadBureau = Annotated[Principal, Depends(requires(Role.BUREAU, doing="record certifications"))]

EXAMPLES = {
    "erc_municipal": {"summary": "A3.erc municipal engineering research centre (kjj)", "value": {
        "uscc": ORG_USCC, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改高技〔2023〕15号"}},
    "chain_leader": {"summary": "A6.chain_leader designation, no tier (jxj)", "value": {
        "uscc": ORG_USCC, "programme": "A6.chain_leader", "effective_on": "2023-01-10",
        "document_ref": "区经信〔2023〕3号"}},
}


@router.post("/v1/certifications", status_code=201, response_model=CertificationPublic,
             responses=responses(401, 403, 404, 409, 422))
def record_certification(body: Annotated[CertificationCreate, Body(openapi_examples=EXAMPLES)], by: LeadBureau,
                         ledger: LedgerDep, key: IdempotencyKeyDep, settle: SettleDep, lang: LanguageDep
                         ) -> dict[str, Any]:
    """Record a certification under a programme the calling bureau leads; 201 with its id."""
    return said_why(settle(ledger.record_certification(by, **body.model_dump(), key=key)), lang)


@router.get("/v1/certifications/{certification_id}", response_model=CertificationPublic,
            responses=responses(401, 404))
def get_certification(certification_id: str, by: PrincipalDep, ledger: LedgerDep) -> dict[str, Any]:
    """A certification with every tier it has stood at."""
    return ledger.certification(certification_id)


@router.post("/v1/certifications/{certification_id}/upgrades", status_code=201, response_model=CertificationPublic,
             responses=responses(401, 403, 404, 409, 422))
def record_upgrade(certification_id: str, body: UpgradeCreate, by: LeadBureau, ledger: LedgerDep,
                   key: IdempotencyKeyDep, settle: SettleDep, lang: LanguageDep) -> dict[str, Any]:
    """Record an upgrade to a higher tier on the certification's ladder (lead bureau only)."""
    return said_why(settle(ledger.record_upgrade(by, certification_id=certification_id, **body.model_dump(), key=key)),
                    lang)


def said_why(answer: dict[str, Any], lang: str) -> dict[str, Any]:
    """An answer that proposed nothing says why (`unproposed`) in the reader's language, as an import's line does."""
    why = answer.get("unproposed")
    if not why:
        return answer
    return answer | {"unproposed": {"code": why["code"],
                                    "detail": why.get("detail_zh") or why["detail"] if lang == "zh" else why["detail"]}}
