"""Claims: the entitlement the rules give, with its explanation; then the lead bureau's decision."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from api import labels, language
from api.deps import IdempotencyKeyDep, LedgerDep, NotNullBody, PrincipalDep, Settle, SettleDep, requires
from api.language import LanguageDep
from api.problems import responses
from api.schemas.claims import ApprovalCreate, ClaimCreate, ClaimDetail, ClaimPublic, RejectionCreate
from api.schemas.common import BODY_ID, CERT_ID, ORG_USCC
from ledger.application import AwardLedger
from ledger.messages import localise, proposal_in, system_note
from ledger.principals import Principal, Role

router = APIRouter(tags=["claims"])
Claimant = Annotated[Principal, Depends(requires(Role.BUREAU, doing="submit claims"))]
Decider = Annotated[Principal, Depends(requires(Role.BUREAU, doing="decide claims"))]

EXAMPLES = {
    "voucher": {"summary": "A5.voucher: 30% of a 1,000,000.00 service contract", "value": {
        "uscc": ORG_USCC, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
        "basis_amount": "1000000.00", "document_ref": "杭科券〔2023〕0412号"}},
    "erc": {"summary": "A3.erc on a municipal certification", "value": {
        "uscc": ORG_USCC, "programme": "A3.erc", "award_year": 2023, "effective_on": "2023-06-01",
        "certification_id": CERT_ID}},
    "national_award": {"summary": "A9.national_award first prize, third-ranked unit", "value": {
        "uscc": ORG_USCC, "programme": "A9.national_award", "award_year": 2023, "effective_on": "2023-06-01",
        "tier": "first", "rank": 3, "subject": "project:2022-国家科技进步-017", "body_id": BODY_ID}},
}


@router.post("/v1/claims", status_code=201, response_model=ClaimPublic, responses=responses(401, 403, 404, 409, 422))
async def submit_claim(body: Annotated[ClaimCreate, Body(openapi_examples=EXAMPLES)], by: Claimant,
                       key: IdempotencyKeyDep, request: Request, response: Response) -> dict[str, Any]:
    """Submit a claim (lead bureau): 201 pending, with entitled_amount and the rules' explanation."""
    # async, with the command in a worker thread: one hand-off a request, where a plain `def` route also sends
    # its answer's validation to a thread and back; the ledger, the settling and the language made here rather
    # than as dependencies, three fewer to solve (bench/RESULTS.md, issue 17, third pass).
    ledger: AwardLedger = request.app.state.ledger
    settle, lang = Settle(request, response), language.of(request)
    return await run_in_threadpool(
        lambda: claim_in(ledger, lang, settle(ledger.submit_claim(by, **body.model_dump(), key=key))))


@router.post("/v1/claims/{claim_id}/approve", response_model=ClaimPublic,
             responses=responses(401, 403, 404, 409, 422))
def approve_claim(claim_id: str, by: Decider, _: NotNullBody, ledger: LedgerDep, key: IdempotencyKeyDep,
                  settle: SettleDep, lang: LanguageDep, body: ApprovalCreate | None = None) -> dict[str, Any]:
    """Approve a pending claim (lead bureau), for its entitlement or a lower amount."""
    decision = body or ApprovalCreate()
    outcome = ledger.approve_claim(by, claim_id=claim_id, amount=decision.amount, note=decision.note, key=key)
    return claim_in(ledger, lang, settle(outcome))


@router.post("/v1/claims/{claim_id}/reject", response_model=ClaimPublic, responses=responses(401, 403, 404, 409, 422))
def reject_claim(claim_id: str, body: RejectionCreate, by: Decider, ledger: LedgerDep, key: IdempotencyKeyDep,
                 settle: SettleDep, lang: LanguageDep) -> dict[str, Any]:
    """Reject a pending claim with a reason (lead bureau); its reservations on caps are released."""
    return claim_in(ledger, lang, settle(ledger.reject_claim(by, claim_id=claim_id, reason=body.reason, key=key)))


@router.get("/v1/claims/{claim_id}", response_model=ClaimDetail, responses=responses(401, 404, 409))
def get_claim(claim_id: str, by: PrincipalDep, ledger: LedgerDep, lang: LanguageDep) -> dict[str, Any]:
    """A claim with its explanation and the history of its events (the explanation in Accept-Language's zh or en)."""
    return claim_in(ledger, lang, ledger.claim(claim_id))


def claim_in(ledger: AwardLedger, lang: str, claim: dict[str, Any]) -> dict[str, Any]:
    """The claim with its explanation's sentences in `lang` (and its history's: a submission's, a re-assessment's),
    and the names beside its codes."""
    named = labels.names(ledger.catalogue(), programme=claim["programme"], bureau=claim.get("lead_bureau"),
                         tier=claim.get("tier"))
    history = [event | {"explanation": localise(event["explanation"], lang)} if event.get("explanation") else event
               for event in claim.get("history") or ()]  # a re-assessment's steps read as the claim's do
    # A proposal's closing note, written by the ledger, in the reader's language (Chinese: a tier it names by name).
    tiers = labels.tier_namer(claim["programme"], lang) if lang == "zh" else None
    history = [event | {"reason": system_note(event["reason"], lang, tiers)} if event.get("reason") else event
               for event in history]
    note = {"decision_note": system_note(claim["decision_note"], lang, tiers)} if "decision_note" in claim else {}
    if claim.get("proposal"):  # the ledger's own words on why it proposed the claim, as its notes are
        note["proposal"] = proposal_in(claim["proposal"], lang)
    return claim | named | note | {"explanation": localise(claim.get("explanation") or [], lang)} | (
        {"history": history} if "history" in claim else {})
