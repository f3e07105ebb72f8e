"""The audit page: the tamper-evidence chain verified end to end, and its current digest."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from api.json_text import loads_document as loads
from api.long_queries import long_query
from api.web import i18n, refusal_words
from api.web.claims import declined, revocation_of
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, allowing
from ledger.audit import receipts
from ledger.audit.chain import InvalidDigest
from ledger.audit.keys import KeysAltered
from ledger.audit.reasons import Reason
from ledger.audit.receipts import KIND, proved
from ledger.audit.signing import check, load_public, unknown_key
from ledger.audit.tampering import difference_zh, read_models_reason, read_models_verdict, what_to_do
from ledger.domain.errors import LedgerError, LongQueriesBusy
from ledger.domain.text import cut
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Verifier = allowing(Role.AUDITOR, Role.ADMIN, doing="verify the audit chain")


@router.get("/ui/audit", dependencies=[Verifier])
def audit(request: Request, read_models: str = "") -> Response:
    """Verification status and the digest to keep outside the system (auditors and admin, as in the API); with
    `?read_models=true`, the read models compared with a replay of the events too, as GET /v1/audit/verify
    ?read_models=true and `verify --read-models` compare them (the page said "verified, chain intact" over a
    630,000 debt hidden in rm_recoveries, and offered no such check: an audit probe)."""
    given = request.query_params.getlist("read_models")
    if len(given) != 1 or read_models.strip().lower() not in TRUE:  # `abc` refused the whole page, in JSON's words
        # A value the page cannot read (`maybe`, or true and false at once) is said, not passed over as "no" (a
        # regression probe: every other parameter a page cannot read is noticed).
        unread = (len(given) > 1 or read_models.strip().lower() not in (*TRUE, *FALSE)) and given
        return page(request, checked=None, read_models_unread=cut(" & ".join(given)) if unread else None)
    from projections import consistency  # as the API's route loads it: on the request that asks

    try:
        with long_query(request).slot():  # the whole log replayed in memory: one of the process's long queries
            compared = read_models_verdict(consistency.check(request.app.state.settings.database_url))
    except LongQueriesBusy:
        return page(request, 503, read_models_busy=True)
    differences = compared["read_models"]["differences"]
    if differences:  # said as the page lists them, not by the API's JSON key, and with no API path (a regression probe)
        en, zh = read_models_reason(len(differences), (" (listed above)", "（见上方列表）"))
        compared |= {"reason": refusal_words.named(en, "en"), "reason_zh": refusal_words.named(zh, "zh")}
    shown = differences[:SHOWN]
    return page(request, compared=compared | {"shown": shown if i18n.language(request) == "en" else
                                               [difference_zh(d) for d in shown]})


SHOWN = 20  # differences listed on the page (the API's report lists up to 200)
TRUE, FALSE = ("true", "1", "yes", "on"), ("", "false", "0", "no", "off")


@router.post("/ui/audit/check", dependencies=[Verifier, CsrfChecked])
async def check_upload(request: Request, file: Annotated[UploadFile, File()]) -> Response:
    """Check an uploaded digest or receipt: its signature under one of the ledger's keys, and its content."""
    try:
        document = loads(await file.read(1_000_000 + 1))
        if not isinstance(document, dict):
            raise ValueError
    except ValueError as err:
        # Ours say what is wrong: a key named twice (a checker reading its last copy, a person the first: a trust
        # probe), half a character escaped, a number too long; the parser's own, only where it stopped.
        said = Reason(str(err), err.zh) if isinstance(getattr(err, "zh", None), str) else NOT_JSON
        return await run_in_threadpool(_page, request, [problem(("file", "文件"), said)])
    if document.get("receipt") != KIND and not {"position", "digest"} <= document.keys():
        # JSON, but neither: said so, not judged by a signature it does not carry ("signed by key None": a probe).
        return await run_in_threadpool(_page, request, [problem(("file", "文件"), NEITHER)])
    # Both the check and the page verify the chain, reading the whole log: in a worker thread, not on the loop.
    try:
        checked = await run_in_threadpool(_problems, request, document)
    except LongQueriesBusy:
        return await run_in_threadpool(page, request, 503)
    kind = "receipt" if document.get("receipt") == KIND else "digest"
    if checked:
        # Which side is at fault: the file (its signature or content), or the ledger, which no longer bears out a
        # sound file (`_against_chain`); and, for a receipt at fault, what to do next, as `verify-receipt` says it.
        ledger_side = all(p.get("side") == "ledger" for p in checked)
        after = ledger_side and all(p.get("after") for p in checked)  # it still agrees up to the file's head
        # Its signatures verify and only what it states breaks the rules: this ledger issued it so, over a store
        # changed before (as `verify-receipt` says; the page said to fetch a new receipt, which is now refused).
        issued_so = kind == "receipt" and all(p.get("part") == "summary" for p in checked)
        # Only the chain's own records missing: the events still hash to the file's head, so it matches as far as
        # the events go (the page said the ledger no longer agreed, and the events were unchecked, beside a saved-digest
        # check of the same head that said it matched: an audit probe).
        links = ledger_side and all(p.get("links") for p in checked)
        return await run_in_threadpool(page, request, checked=checked, kind=kind, ledger_side=ledger_side,
                                       ledger_after=after, ledger_links=links, store_changed=issued_so)
    if kind != "receipt":
        return await run_in_threadpool(_page, request, checked)
    since = await run_in_threadpool(_since, request.app.state.ledger, document)
    # What it proves, as `verify-receipt` says it: the page said "valid" alone (a journey probe).
    en, zh = proved(document)
    proves = {"claim": document.get("claim_id"), "status": document.get("status"), "issued": document.get("issued_at"),
              "what": {"en": en, "zh": zh}}
    return await run_in_threadpool(page, request, checked=checked, since=since, proves=proves)


def _since(ledger: Any, receipt: dict) -> dict[str, Any] | None:
    """What the ledger recorded on a validly receipted claim after the receipt was issued (a trust probe: a receipt
    taken before the claim's revocation was said to agree with the ledger): when it was issued, the later events of
    the claim and its recovery, and the claim's status now; None when the receipt still shows all of it."""
    claim_id = str(receipt.get("claim_id"))
    try:
        now = ledger.claim(claim_id)
    except LedgerError:
        return None  # the receipt verified against the chain; a claim the ledger cannot show is verify's to name
    shown_then: dict[str, int] = {}  # each record's (the claim's, its recovery's) last version the receipt shows
    for e in receipt.get("events") or ():
        record = str(e.get("aggregate_id"))
        shown_then[record] = max(shown_then.get(record, 0), int(e.get("version") or 0))
    # A recovery's events are named "Recovery.…" and belong to it; the claim's own (its `Revoked` too, which names
    # the recovery it opened) are the claim's: a receipt taken after a revocation was told the revocation came later
    # (a pages probe).
    later = [h["event"] if "." in h["event"] else f"Claim.{h['event']}" for h in now.get("history") or ()
             if h.get("version", 0) > shown_then.get(_record(h, claim_id), 0)]
    if not later:
        return None
    shut = declined(now, revocation_of(ledger, now))  # a proposal declined: said so, as its page says it

    def name(event: str, lang: str) -> str:
        if shut and event == "Claim.Withdrawn":
            return i18n.translator(lang)("declined_event")
        return i18n.pick(i18n.EVENTS, event, lang) or event

    named = {lang: sep.join(name(e, lang) for e in later) for lang, sep in (("zh", "、"), ("en", ", "))}
    return {"issued": receipt.get("issued_at"), "count": len(later), "events": named, "status": now["status"],
            "declined": shut}


def _record(entry: dict[str, Any], claim_id: str) -> str:
    """The record a history entry is an event of: its recovery's for a recovery's event, else the claim's."""
    if str(entry.get("event", "")).startswith("Recovery.") and entry.get("recovery_id"):
        return str(entry["recovery_id"])
    return claim_id


NOT_JSON = Reason("not a JSON digest or receipt", "不是 JSON 格式的摘要或回执")
NEITHER = Reason("JSON, but not a digest (it has no position and digest) nor a receipt (it has no \"receipt\": \""
                 f"{KIND}\"); upload a digest saved from this page or a claim's receipt",
                 f"是 JSON，但既不是摘要（没有 position 和 digest）也不是回执（没有 \"receipt\": \"{KIND}\"）；"
                 "请上传从本页保存的摘要或申请的回执")


def problem(part: tuple[str, str], why: str) -> dict[str, str]:
    """A problem the check found, its part and what is wrong in both languages (as `receipts.check` words
    them); the page shows the reader's (audit.html). A reason without Chinese shows its English in both."""
    return {"part": part[0], "problem": str(why), "part_zh": part[1],
            "problem_zh": getattr(why, "zh", None) or str(why)}


def signature_fault(notary: Any, document: dict) -> Reason | None:
    """Why a signed digest or receipt is not this ledger's, in both languages (None when its signature holds
    under one of the ledger's keys, the current one or any earlier): `Notary.check_signed`'s check, worded."""
    known = {k["key_id"]: k["public_key"] for k in notary.known_keys()}
    if (why := unknown_key(known, document)) is not None:
        return why
    return check(document, load_public(known[document["key_id"]]))


def _problems(request: Request, document: dict) -> list[dict[str, str]]:
    notary = request.app.state.notary
    known = {k["key_id"]: k["public_key"] for k in notary.known_keys()}
    if document.get("receipt") == KIND and document.get("key_id") in known:
        faults = receipts.check(document, known[document["key_id"]])  # every part, each fault located
        # Sound by itself, a receipt's signed head is a digest kept outside the ledger: checked against this
        # ledger's chain as an uploaded digest is, before the page says the two agree (an audit probe rewrote an
        # approval and its chain, and a receipt from before was told it agreed with this ledger).
        return faults or _against_chain(request, document["head"], ("head", "链头"))
    if (why := signature_fault(notary, document)) is not None:
        return [problem(("signature", "签名"), why)]
    return _against_chain(request, document, ("digest", "摘要"))


def _against_chain(request: Request, digest: dict, part: tuple[str, str]) -> list[dict[str, str]]:
    """A signed digest (or a receipt's head) against the events the ledger holds: [] when they bear it out."""
    try:
        with long_query(request).slot():
            verdict = request.app.state.notary.chain.verify(digest, attested=True)  # its signature held: ours
    except InvalidDigest as err:
        return [problem(part, Reason(str(err), err.zh))]
    if verdict["ok"]:
        return []
    at, todo = verdict["first_bad_position"], what_to_do(verdict, beside_reason=True) or ("", "")
    en, zh = verdict["reason"], verdict.get("reason_zh") or verdict["reason"]
    return [problem((f"position {at}", f"位置 {at}"),
                    Reason(f"{en}. {todo[0]}" if todo[0] else en, f"{zh.rstrip('。')}。{todo[1]}" if todo[1] else zh))
            | {"side": "ledger", "after": "yes" if at is not None and at > digest["position"] else "",
               "links": "yes" if verdict["failure"] == "link_missing" else ""}]


def _page(request: Request, checked: list[dict[str, str]] | None) -> Response:
    return page(request, checked=checked)


def page(request: Request, status: int = 200, checked: list[dict[str, str]] | None = None,
         **extra: object) -> Response:
    """The audit page, with what another section adds (api/web/audit_digest.py: a saved digest's verdict).

    The chain's verdict comes from a verification run in the background (api/audit_runs.py): the page waits
    a moment for it, then shows how far it has got and reloads itself. While as many long queries run as a
    process allows, it says the chain was not verified this time (503)."""
    run, last = request.app.state.chain_verifications.view()
    digest = _shown_digest(request.app.state.notary)  # beside the verdict, which says what is wrong
    if run.busy and status < 400:
        status = 503
    # the reason's next step, as the command line says it (where the reason does not end with it)
    todo = what_to_do(run.verdict, beside_reason=True) if run.verdict else None
    return render(request, "audit.html", status, run=run, last=last, verified=run.verdict, todo=todo,
                  reload=None if run.done.is_set() else run.reload_after(digest["position"]), digest=digest,
                  checked=checked, **extra)


def _shown_digest(notary: Any) -> dict[str, Any]:
    """The digest the page shows: signed, or, where the key registry refuses the signing (its key's row deleted, or
    swapped), the head unsigned, so the page still opens on the verification that says why (it answered 409 in its
    place: an audit probe deleted the key's row)."""
    try:
        return notary.digest(checked=False)
    except KeysAltered:
        return notary.head(notary.tree.refresh())
