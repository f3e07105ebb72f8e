"""The audit page: the tamper-evidence chain verified end to end, and its current digest."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.web.pages import PageRoute, render
from api.web.session import allowing
from ledger.audit.chain import AuditChain
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Verifier = allowing(Role.AUDITOR, Role.ADMIN, doing="verify the audit chain")


@router.get("/ui/audit", dependencies=[Verifier])
def audit(request: Request) -> Response:
    """Verification status and the digest to keep outside the system (auditors and admin, as in the API)."""
    chain: AuditChain = request.app.state.audit_chain
    return render(request, "audit.html", verified=chain.verify(), digest=chain.digest())
