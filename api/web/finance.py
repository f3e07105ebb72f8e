"""The finance page: a year's totals, the appropriation's use as a chart, and reconciliation downloads."""
from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReadModelsDep
from api.reports import reconciliation
from api.web import i18n, subrequest
from api.web.pages import PageRoute, refusal, render
from api.web.session import allowing, current
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Reconciler = allowing(Role.FINANCE, Role.AUDITOR, doing="read the reconciliation")
Year = Annotated[int | None, Query(ge=1900, le=2999)]
PASSED_ON = ("content-type", "content-disposition", "content-length")


def _year(ledger: LedgerDep, year: int | None) -> tuple[int, list[int]]:
    years = list(ledger.catalogue().policy.years)
    return (year if year is not None else min(max(date.today().year, years[0]), years[-1])), years


@router.get("/ui/finance", dependencies=[Reconciler])
def finance(request: Request, read_models: ReadModelsDep, ledger: LedgerDep, year: Year = None) -> Response:
    """The reconciliation of a year (finance and auditors, as in the API)."""
    chosen, years = _year(ledger, year)
    reconciliation.require_year(chosen)
    report = reconciliation.arranged(read_models.reconciliation(chosen))
    return render(request, "finance.html", year=chosen, years=years, report=report,
                  programmes=ledger.catalogue().programmes)


@router.get("/ui/finance/reconciliation", dependencies=[Reconciler])
async def download(request: Request, year: Annotated[int, Query(ge=1900, le=2999)],
                   format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The API's /v1/finance/reconciliation download, answered for the signed-in principal."""
    answer = await subrequest.get(request, "/v1/finance/reconciliation", {"year": year, "format": format},
                                  current(request), i18n.language(request))
    if answer.status >= 400:
        try:
            problem = json.loads(answer.body)
        except ValueError:
            problem = {}
        return refusal(request, answer.status, problem.get("code", "http_error"),
                       problem.get("detail", "the reconciliation cannot be downloaded"))
    headers = {k: v for k, v in answer.headers.items() if k in PASSED_ON and k != "content-length"}
    return Response(bytes(answer.body), status_code=answer.status, headers=headers)
