"""Finance's reconciliation: per programme and bureau, approved, paid, reversed, outstanding; headroom."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from api.deps import ReadModelsDep, requires
from api.problems import NotYetAvailable, responses
from api.schemas.fields import AwardYear
from api.schemas.finance import ReconciliationPublic
from ledger.principals import Principal, Role

router = APIRouter(tags=["finance"])
Reconciler = Annotated[Principal, Depends(requires(Role.FINANCE, Role.AUDITOR, doing="read the reconciliation"))]


@router.get("/v1/finance/reconciliation", response_model=ReconciliationPublic,
            responses=responses(401, 403, 422, 501))
def get_reconciliation(year: Annotated[AwardYear, Query()], by: Reconciler, read_models: ReadModelsDep,
                       format: Literal["json", "csv", "xlsx"] = "json") -> dict[str, Any]:
    """A year's reconciliation per programme and bureau, with the appropriation and headroom (finance, auditor)."""
    if format != "json":
        raise NotYetAvailable(f"the {format} form of the reconciliation is not in this version yet; ask for "
                              "format=json, which carries the same figures")
    return read_models.reconciliation(year)
