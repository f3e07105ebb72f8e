"""The audit page: the tamper-evidence chain verified end to end, and its current digest."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.json_text import loads
from api.long_queries import long_query
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, allowing
from ledger.audit import receipts
from ledger.audit.chain import InvalidDigest
from ledger.audit.receipts import KIND
from ledger.domain.errors import LongQueriesBusy
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
        document = loads(await file.read(1_000_000 + 1))
        if not isinstance(document, dict):
            raise ValueError
    except ValueError:
        return await run_in_threadpool(_page, request, [{"part": "file", "problem": "not a JSON digest or receipt"}])
    # Both the check and the page verify the chain, reading the whole log: in a worker thread, not on the loop.
    try:
        checked = await run_in_threadpool(_problems, request, document)
    except LongQueriesBusy:
        return await run_in_threadpool(page, request, 503)
    return await run_in_threadpool(_page, request, checked)


def _problems(request: Request, document: dict) -> list[dict[str, str]]:
    notary = request.app.state.notary
    known = {k["key_id"]: k["public_key"] for k in notary.known_keys()}
    if document.get("receipt") == KIND and document.get("key_id") in known:
        return receipts.check(document, known[document["key_id"]])  # every part, each fault located
    if (why := notary.check_signed(document)) is not None:
        return [{"part": "signature", "problem": why}]
    try:
        with long_query(request).slot():
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
    """The audit page, with what another section adds (api/web/audit_digest.py: a saved digest's verdict).

    The chain's verdict comes from a verification run in the background (api/audit_runs.py): the page waits
    a moment for it, then shows how far it has got and reloads itself. While as many long queries run as a
    process allows, it says the chain was not verified this time (503)."""
    run, last = request.app.state.chain_verifications.view()
    digest = request.app.state.notary.digest()
    if run.busy and status < 400:
        status = 503
    return render(request, "audit.html", status, run=run, last=last, verified=run.verdict,
                  reload=None if run.done.is_set() else run.reload_after(digest["position"]), digest=digest,
                  checked=checked, **extra)
