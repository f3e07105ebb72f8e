"""Organisations that may benefit, registered by their unified social credit code."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import IdempotencyKeyDep, LedgerDep, PrincipalDep, SettleDep, requires
from api.problems import responses
from api.schemas.fields import Uscc
from api.schemas.organisations import DistrictChangeAnswer, DistrictChangeCreate, OrganisationCreate, OrganisationPublic
from ledger.principals import Principal, Role

router = APIRouter(tags=["organisations"])
Registrar = Annotated[Principal, Depends(requires(Role.ADMIN, Role.BUREAU, doing="register organisations"))]


@router.post("/v1/organisations", status_code=201, response_model=OrganisationPublic,
             responses=responses(401, 403, 409, 422))
def register_organisation(body: OrganisationCreate, by: Registrar, ledger: LedgerDep, key: IdempotencyKeyDep,
                          settle: SettleDep) -> dict[str, Any]:
    """Register an organisation by its USCC (admin or bureau); 409 if it is already registered."""
    return settle(ledger.register_organisation(by, uscc=body.uscc, name=body.name, in_district=body.in_district,
                                               key=key))


@router.get("/v1/organisations/{uscc}", response_model=OrganisationPublic, responses=responses(401, 404, 422))
def get_organisation(uscc: Uscc, by: PrincipalDep, ledger: LedgerDep) -> dict[str, Any]:
    """An organisation with its memberships of innovation bodies and its designations."""
    return ledger.organisation(uscc)


@router.post("/v1/organisations/{uscc}/district-changes", response_model=DistrictChangeAnswer,
             responses=responses(401, 403, 404, 409, 422))
def change_district(uscc: Uscc, body: DistrictChangeCreate, by: Registrar, ledger: LedgerDep, key: IdempotencyKeyDep,
                    settle: SettleDep,
                    dry_run: Annotated[bool, Query(description="true: answer, and write nothing")] = False
                    ) -> dict[str, Any]:
    """Record the organisation leaving (or re-entering) the district on a day; earlier awards stand."""
    return settle(ledger.change_district(by, uscc=uscc, in_district=body.in_district, effective_on=body.effective_on,
                                         reason=body.reason, document_ref=body.document_ref, dry_run=dry_run,
                                         key=key))
