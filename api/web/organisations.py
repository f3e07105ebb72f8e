"""Finding an organisation, and its page: totals, programmes, cap headroom, timeline, explanations."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, ReadModelsDep
from api.web import search
from api.web.pages import PageRoute, render
from api.web.session import PagePrincipal
from ledger.domain.errors import NotFound
from ledger.domain.values import Uscc

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/ui/organisations")
def find_organisation(request: Request, by: PagePrincipal, read_models: ReadModelsDep, q: str = "") -> Response:
    """Organisations by USCC or by (part of) their name; a USCC that is known opens its page directly."""
    found = search.organisations(read_models, q)
    if search.looks_like_uscc(q.strip()) and len(found) == 1:
        return RedirectResponse(f"/ui/organisations/{found[0]['uscc']}", status_code=303)
    return render(request, "search.html", q=q, found=found)


@router.get("/ui/organisations/{uscc}")
def organisation(request: Request, uscc: str, by: PagePrincipal, read_models: ReadModelsDep,
                 ledger: LedgerDep) -> Response:
    """What the API's awards and history resources say about the organisation, and each claim's explanation."""
    code = Uscc.parse(uscc).value  # a malformed code is `invalid_uscc`, as in the API
    state = read_models.award_state(code)
    if state is None:
        raise NotFound(f"organisation {code} is not in the ledger")
    claims = [claim | {"explanation": ledger.claim(claim["id"], with_history=False)["explanation"]}
              for claim in search.claims_of(read_models, code)]
    catalogue = ledger.catalogue()
    return render(request, "organisation.html", state=state, claims=claims, events=read_models.history(code),
                  programmes=catalogue.programmes)
