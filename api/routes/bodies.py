"""New-type industrial innovation organisations (innovation bodies) and who belongs to them."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from api.deps import IdempotencyKeyDep, LedgerDep, SettleDep, requires
from api.problems import responses
from api.schemas.bodies import BodyCreate, BodyPublic, MemberCreate
from api.schemas.fields import Code
from ledger.principals import Principal, Role

router = APIRouter(tags=["innovation bodies"])
Registrar = Annotated[Principal, Depends(requires(Role.ADMIN, Role.BUREAU, doing="register innovation bodies"))]


@router.post("/v1/innovation-bodies", status_code=201, response_model=BodyPublic,
             responses=responses(401, 403, 404, 409, 422))
def register_body(body: BodyCreate, by: Registrar, ledger: LedgerDep, key: IdempotencyKeyDep,
                  settle: SettleDep) -> dict[str, Any]:
    """Register an innovation body (admin or bureau); its lead organisation is a member from recognised_on."""
    return settle(ledger.register_body(by, body_id=body.id, name=body.name, kind=body.kind,
                                       lead_uscc=body.lead_uscc, recognised_on=body.recognised_on, key=key))


@router.post("/v1/innovation-bodies/{body_id}/members", status_code=201, response_model=BodyPublic,
             responses=responses(401, 403, 404, 409, 422))
def add_member(body_id: Annotated[Code, Path(examples=["CONS-2022-017"])], body: MemberCreate, by: Registrar,
               ledger: LedgerDep, key: IdempotencyKeyDep, settle: SettleDep) -> dict[str, Any]:
    """Add a registered organisation to an innovation body from joined_on (admin or bureau)."""
    return settle(ledger.add_member(by, body_id=body_id, uscc=body.uscc, joined_on=body.joined_on, key=key))
