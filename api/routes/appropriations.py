"""The special fund of each year: appropriations recorded by finance."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from api.deps import IdempotencyKeyDep, LedgerDep, PrincipalDep, SettleDep, requires
from api.problems import responses
from api.schemas.appropriations import AppropriationCorrection, AppropriationCreate, FundYearPublic
from ledger.principals import Principal, Role

router = APIRouter(tags=["appropriations"])
Finance = Annotated[Principal, Depends(requires(Role.FINANCE, doing="record appropriations"))]
Corrector = Annotated[Principal, Depends(requires(Role.FINANCE, doing="correct appropriations"))]


@router.post("/v1/appropriations", status_code=201, response_model=FundYearPublic,
             responses=responses(401, 403, 409, 422))
def record_appropriation(body: AppropriationCreate, by: Finance, ledger: LedgerDep, key: IdempotencyKeyDep,
                         settle: SettleDep) -> dict[str, Any]:
    """Record an appropriation to a year's special fund (finance); 201 with the year's fund."""
    return settle(ledger.record_appropriation(by, year=body.year, amount=body.amount,
                                              document_ref=body.document_ref, key=key))


@router.post("/v1/appropriations/{year}/correct", response_model=FundYearPublic,
             responses=responses(401, 403, 404, 409, 422))
def correct_appropriation(year: Annotated[int, Path(ge=1900, le=2999, examples=[2023])],
                          body: AppropriationCorrection, by: Corrector, ledger: LedgerDep, key: IdempotencyKeyDep,
                          settle: SettleDep) -> dict[str, Any]:
    """Correct an appropriation (finance): the one on `appropriation_ref` now reads `amount` (0.00 withdraws it)."""
    return settle(ledger.correct_appropriation(by, year=year, appropriation_ref=body.appropriation_ref,
                                               amount=body.amount, reason=body.reason,
                                               document_ref=body.document_ref, key=key))


@router.get("/v1/appropriations/{year}", response_model=FundYearPublic, responses=responses(401, 409, 422))
def get_fund_year(year: Annotated[int, Path(ge=1900, le=2999, examples=[2023])], by: PrincipalDep,
                  ledger: LedgerDep) -> dict[str, Any]:
    """A year's special fund: appropriated, approved against it, headroom, and the Art. 2 floor."""
    return ledger.fund_year(year)
