"""Corrections and claw-backs: the lead bureau withdraws and revokes, finance recovers. Every correction
takes `?dry_run=true` to answer what it would do without writing anything."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import IdempotencyKeyDep, LedgerDep, ReadModelsDep, SettleDep, requires
from api.language import LanguageDep
from api.problems import responses
from api.routes.claims import claim_in
from api.schemas.claims import ClaimPublic
from api.schemas.corrections import (
    CertificationRevocationCreate,
    CertificationRevocationPublic,
    CorrectedClaim,
    RecoveryList,
    RecoveryPublic,
    RepaymentCreate,
    RepaymentReversalCreate,
    RevocationCreate,
    TopUpCreate,
    WithdrawalCreate,
    WriteOffCreate,
)
from api.schemas.fields import Uscc
from ledger.principals import Principal, Role

router = APIRouter(tags=["corrections"])
Corrector = Annotated[Principal, Depends(requires(Role.BUREAU, doing="correct claims and certifications"))]
Finance = Annotated[Principal, Depends(requires(Role.FINANCE, doing="record repayments and write-offs"))]
# Admin "reads all" (the contract's roles), recoveries included; the recoveries pages admit the same.
RECOVERY_READERS = (Role.FINANCE, Role.AUDITOR, Role.BUREAU, Role.ADMIN)
Reader = Annotated[Principal, Depends(requires(*RECOVERY_READERS, doing="read recoveries"))]
DryRun = Annotated[bool, Query(description="true: answer what the correction would do, and write nothing")]
ERRORS = responses(401, 403, 404, 409, 422)


@router.post("/v1/claims/{claim_id}/withdraw", response_model=CorrectedClaim, responses=ERRORS)
def withdraw_claim(claim_id: str, body: WithdrawalCreate, by: Corrector, ledger: LedgerDep, key: IdempotencyKeyDep,
                   settle: SettleDep, lang: LanguageDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Withdraw a pending or proposed claim (lead bureau); every reservation it holds is released."""
    return claim_in(ledger, lang, settle(ledger.withdraw_claim(by, claim_id=claim_id, reason=body.reason,
                                                               document_ref=body.document_ref or None,
                                                               dry_run=dry_run, key=key)))


@router.post("/v1/claims/{claim_id}/revoke", response_model=CorrectedClaim, responses=ERRORS)
def revoke_claim(claim_id: str, body: RevocationCreate, by: Corrector, ledger: LedgerDep, key: IdempotencyKeyDep,
                 settle: SettleDep, lang: LanguageDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Revoke an approved claim (lead bureau): the unpaid part is released, the paid part becomes a recovery."""
    return claim_in(ledger, lang, settle(ledger.revoke_claim(by, claim_id=claim_id, reason=body.reason,
                                                             document_ref=body.document_ref, dry_run=dry_run,
                                                             key=key)))


@router.post("/v1/claims/{claim_id}/top-up", response_model=ClaimPublic, status_code=201, responses=ERRORS)
def top_up_claim(claim_id: str, body: TopUpCreate, by: Corrector, ledger: LedgerDep, key: IdempotencyKeyDep,
                 settle: SettleDep, lang: LanguageDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Claim the difference an approved award is owed now (lead bureau): a new pending claim naming it (tops_up)."""
    return claim_in(ledger, lang, settle(ledger.top_up_claim(by, claim_id=claim_id, reason=body.reason,
                                                             document_ref=body.document_ref, dry_run=dry_run,
                                                             key=key)))


@router.post("/v1/certifications/{certification_id}/revoke", response_model=CertificationRevocationPublic,
             responses=ERRORS)
def revoke_certification(certification_id: str, body: CertificationRevocationCreate, by: Corrector,
                         ledger: LedgerDep, key: IdempotencyKeyDep, settle: SettleDep,
                         dry_run: DryRun = False) -> dict[str, Any]:
    """Revoke a certification from a day (lead bureau); every claim resting on it is withdrawn or revoked."""
    return settle(ledger.revoke_certification(by, certification_id=certification_id, reason=body.reason,
                                              effective_on=body.effective_on, document_ref=body.document_ref,
                                              dry_run=dry_run, key=key))


@router.get("/v1/recoveries", response_model=RecoveryList, responses=responses(401, 403, 422))
def list_recoveries(by: Reader, read_models: ReadModelsDep,
                    status: Annotated[Literal["open", "closed"] | None, Query()] = None,
                    uscc: Annotated[Uscc | None, Query()] = None) -> dict[str, Any]:
    """Recoveries (finance, auditors, admin; a bureau sees those of the programmes it leads), oldest first."""
    lead = by.bureau if by.role == Role.BUREAU else None
    return {"recoveries": read_models.recoveries(status=status, uscc=uscc, lead=lead)}


@router.get("/v1/recoveries/{recovery_id}", response_model=RecoveryPublic, responses=responses(401, 403, 404))
def get_recovery(recovery_id: str, by: Reader, ledger: LedgerDep) -> dict[str, Any]:
    """A recovery with every repayment recorded against it (a bureau: of the programmes it leads)."""
    return ledger.recovery(recovery_id, by)


@router.post("/v1/recoveries/{recovery_id}/repayments", status_code=201, response_model=RecoveryPublic,
             responses=ERRORS)
def record_repayment(recovery_id: str, body: RepaymentCreate, by: Finance, ledger: LedgerDep,
                     key: IdempotencyKeyDep, settle: SettleDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Record money repaid (finance); refused `over_recovered` above what is outstanding."""
    return settle(ledger.record_repayment(by, recovery_id=recovery_id, amount=body.amount,
                                          received_on=body.received_on, bank_ref=body.bank_ref, dry_run=dry_run,
                                          key=key))


@router.post("/v1/recoveries/{recovery_id}/repayments/reverse", response_model=RecoveryPublic, responses=ERRORS)
def reverse_repayment(recovery_id: str, body: RepaymentReversalCreate, by: Finance, ledger: LedgerDep,
                      key: IdempotencyKeyDep, settle: SettleDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Reverse the last standing repayment, booked in error (finance), naming it by amount, day and bank_ref."""
    return settle(ledger.reverse_repayment(by, recovery_id=recovery_id, amount=body.amount,
                                           received_on=body.received_on, bank_ref=body.bank_ref, reason=body.reason,
                                           document_ref=body.document_ref, dry_run=dry_run, key=key))


@router.post("/v1/recoveries/{recovery_id}/write-off/reverse", response_model=RecoveryPublic, responses=ERRORS)
def reverse_write_off(recovery_id: str, body: WriteOffCreate, by: Finance, ledger: LedgerDep, key: IdempotencyKeyDep,
                      settle: SettleDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Reverse the write-off (finance): what was written off is owed again, so money that comes back is repaid."""
    return settle(ledger.reverse_write_off(by, recovery_id=recovery_id, reason=body.reason,
                                           document_ref=body.document_ref, dry_run=dry_run, key=key))


@router.post("/v1/recoveries/{recovery_id}/write-off", response_model=RecoveryPublic, responses=ERRORS)
def write_off(recovery_id: str, body: WriteOffCreate, by: Finance, ledger: LedgerDep, key: IdempotencyKeyDep,
              settle: SettleDep, dry_run: DryRun = False) -> dict[str, Any]:
    """Write off what is outstanding (finance), with the reason and the document it rests on."""
    return settle(ledger.write_off_recovery(by, recovery_id=recovery_id, reason=body.reason,
                                            document_ref=body.document_ref, dry_run=dry_run, key=key))
