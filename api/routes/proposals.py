"""Proactive entitlement (免申即享): proposals are confirmed (one, or many from the bureau's queue) or
dismissed (POST /v1/claims/{id}/withdraw), official lists of certifications imported, and what the open
proposals are worth summed up."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from api import language
from api.certification_list import COLUMNS, SOURCE_MOST, read_list
from api.deps import IdempotencyKeyDep, LedgerDep, NotNullBody, PrincipalDep, ReadModelsDep, SettleDep, requires
from api.language import LanguageDep
from api.problems import responses
from api.routes.claims import claim_in
from api.schemas.claims import ClaimPublic
from api.schemas.proposals import (
    BulkConfirmation,
    BulkConfirmationCreate,
    CertificationImportPublic,
    ConfirmationCreate,
    ProposalSummary,
)
from ledger.domain.errors import InvalidInput
from ledger.principals import Principal, Role

router = APIRouter(tags=["proposals"])
Confirmer = Annotated[Principal, Depends(requires(Role.BUREAU, doing="confirm proposed claims"))]
Importer = Annotated[Principal, Depends(requires(Role.BUREAU, doing="import certification lists"))]
Reader = Annotated[Principal, Depends(requires(Role.BUREAU, Role.FINANCE, Role.AUDITOR, Role.ADMIN,
                                               doing="read the proposals' summary"))]
LIST_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example": ",".join(COLUMNS) + "\n"
                 "91330108MA0000001X,A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,erc-1\n"},
    "application/json": {"schema": {"type": "object", "required": ["rows"], "properties": {
        "rows": {"type": "array", "items": {"type": "object"}}, "source": {"type": "string"}}}}}}}


@router.post("/v1/claims/confirm", response_model=BulkConfirmation, responses=responses(401, 403, 409, 422))
def confirm_claims(body: BulkConfirmationCreate, by: Confirmer, ledger: LedgerDep, key: IdempotencyKeyDep,
                   settle: SettleDep, request: Request) -> dict[str, Any]:
    """Confirm many proposals (lead bureau), each re-assessed and then pending; refusals listed, not raised."""
    answer = in_reader_language(settle(ledger.confirm_claims(by, ids=body.ids, key=key)), request)
    lang = language.of(request)  # each confirmed claim named as one confirmed alone is (its names were null)
    return answer | {"confirmed": [claim_in(ledger, lang, claim) for claim in answer.get("confirmed") or ()]}


def in_reader_language(answer: dict[str, Any], request: Request) -> dict[str, Any]:
    """The answer's refusals (`refused[].detail`) and an import's notes (`unproposed[].detail`) in the reader's
    language: each is kept in both (`detail_zh` beside the English), and a refusal recorded before that was kept in
    English alone stays so."""
    if language.of(request) != "zh" or not (answer.get("refused") or answer.get("unproposed")):
        return answer
    return {**answer, **{part: [{**r, "detail": r.get("detail_zh") or r["detail"]} for r in answer[part]]
                         for part in ("refused", "unproposed") if answer.get(part)}}


@router.post("/v1/claims/{claim_id}/confirm", response_model=ClaimPublic, responses=responses(401, 403, 404, 409, 422))
def confirm_claim(claim_id: str, by: Confirmer, _: NotNullBody, ledger: LedgerDep, key: IdempotencyKeyDep,
                  settle: SettleDep, lang: LanguageDep, body: ConfirmationCreate | None = None) -> dict[str, Any]:
    """Confirm a proposal (lead bureau): re-assessed first (rule 12), then pending as if submitted."""
    return claim_in(ledger, lang, settle(ledger.confirm_claim(by, claim_id=claim_id, key=key)))


@router.post("/v1/certifications/imports", status_code=201, response_model=CertificationImportPublic,
             openapi_extra=LIST_BODY, responses={
                 200: {"model": CertificationImportPublic,
                       "description": "This file was imported before: nothing recorded, the first answer"},
                 **responses(401, 403, 409, 422)})
async def import_certifications(request: Request, by: Importer, ledger: LedgerDep, settle: SettleDep,
                                response: Response, key: IdempotencyKeyDep,
                                source: Annotated[str | None, Query(max_length=SOURCE_MOST,
                                                                    description="the list's name, e.g. its file")]
                                = None) -> dict[str, Any]:
    """Import an official list (lead bureau): good rows recorded and proposed, bad rows refused by line."""
    from starlette.concurrency import run_in_threadpool

    body = await request.body()  # read and checked row by row in a worker thread: a list may be 100,000 rows
    listed = await run_in_threadpool(read_list, body, request.headers.get("content-type", ""))
    if source is not None and listed.source is not None and source != listed.source:
        raise InvalidInput(f"the list is named twice, {source!r} in ?source= and {listed.source!r} in the body; give"
                           " one name", zh=f"名单的名称给了两个：?source= 中为 {source!r}，请求体中为"
                                          f" {listed.source!r}；请只给一个")
    # A JSON list's own "source" was taken and dropped (an imports probe): it names the list as ?source= does.
    outcome = await run_in_threadpool(ledger.import_certifications, by, sha256=listed.sha256, total=listed.rows,
                                      rows=listed.good, refused=listed.refused,
                                      source=source if source is not None else listed.source, key=key)
    if outcome.view["already_imported"]:
        response.status_code = 200
        return in_reader_language(outcome.view, request)
    return in_reader_language(await run_in_threadpool(settle, outcome), request)


@router.get("/v1/certifications/imports/{import_id}", response_model=CertificationImportPublic,
            responses=responses(401, 404))
def get_certification_import(import_id: str, by: PrincipalDep, ledger: LedgerDep,
                             request: Request) -> dict[str, Any]:
    """An import's answer as it was given: every line recorded or refused, the proposals, the file's SHA-256."""
    return in_reader_language(ledger.certification_import(import_id), request)


@router.get("/v1/proposals/summary", response_model=ProposalSummary, responses=responses(401, 403))
def proposal_summary(by: Reader, read_models: ReadModelsDep) -> dict[str, Any]:
    """Open proposals per programme and lead bureau (a bureau sees its own), their total, the oldest's age."""
    return read_models.proposal_summary(by.bureau if by.role is Role.BUREAU else None)
