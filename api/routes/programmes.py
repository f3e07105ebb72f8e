"""The catalogue in force: what the policy pays, by programme, as data."""
from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep, PrincipalDep
from api.problems import responses
from api.schemas.programmes import CataloguePublic

router = APIRouter(tags=["programmes"])


@router.get("/v1/programmes", response_model=CataloguePublic, responses=responses(401))
def list_programmes(by: PrincipalDep, ledger: LedgerDep) -> CataloguePublic:
    """The catalogue in force: each programme's article, lead bureau, kind, tiers, rate, caps and term."""
    return CataloguePublic.of(ledger.catalogue())
