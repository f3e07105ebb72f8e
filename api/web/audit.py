"""The audit page: the tamper-evidence chain verified end to end, and its current digest."""
from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, allowing
from ledger.audit import receipts
from ledger.audit.chain import AuditChain, InvalidDigest
from ledger.audit.receipts import KIND
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Verifier = allowing(Role.AUDITOR, Role.ADMIN, doing="verify the audit chain")


@router.get("/ui/audit", dependencies=[Verifier])
def audit(request: Request) -> Response:
    """Verification status and the digest to keep outside the system (auditors and admin, as in the API)."""
    return _page(request, None)


@router.post("/ui/audit/check", dependencies=[Verifier, CsrfChecked])
async def check_upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Check an uploaded digest or receipt: its signature under one of the ledger's keys, and its content."""
    try:
        document = json.loads(await file.read(1_000_000 + 1))
        if not isinstance(document, dict):
            raise ValueError
    except ValueError:
        return _page(request, [{"part": "file", "problem": "not a JSON digest or receipt"}])
    return _page(request, await run_in_threadpool(_problems, request, document))


def _problems(request: Request, document: dict) -> list[dict[str, str]]:
    notary = request.app.state.notary
    known = {k["key_id"]: k["public_key"] for k in notary.known_keys()}
    if document.get("receipt") == KIND and document.get("key_id") in known:
        return receipts.check(document, known[document["key_id"]])  # every part, each fault located
    if (why := notary.check_signed(document)) is not None:
        return [{"part": "signature", "problem": why}]
    try:
        verdict = notary.chain.verify(document)
    except InvalidDigest as err:
        return [{"part": "digest", "problem": str(err)}]
    if verdict["ok"]:
        return []
    return [{"part": f"position {verdict['first_bad_position']}", "problem": verdict["reason"]}]


def _page(request: Request, checked: list[dict[str, str]] | None) -> Response:
    return page(request, checked=checked)


def page(request: Request, status: int = 200, checked: list[dict[str, str]] | None = None,
         **extra: object) -> Response:
    """The audit page, with what another section adds (api/web/audit_digest.py: a saved digest's verdict)."""
    chain: AuditChain = request.app.state.audit_chain
    return render(request, "audit.html", status, verified=chain.verify(app=request.app.state.ledger),
                  digest=request.app.state.notary.digest(), checked=checked, **extra)
