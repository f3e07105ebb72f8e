"""Organisations that may benefit, registered by their unified social credit code."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.deps import IdempotencyKeyDep, LedgerDep, PrincipalDep, SettleDep, requires
from api.problems import responses
from api.schemas.fields import Uscc
from api.schemas.organisations import OrganisationCreate, OrganisationPublic
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
