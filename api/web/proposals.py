"""免申即享 on the pages: a bureau uploads an official list (the same reading and command as
POST /v1/certifications/imports) and sees each line recorded or refused; it confirms proposals from its
queue in bulk (the same command as POST /v1/claims/confirm), each confirmed or refused with its reason."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.certification_list import COLUMNS, read_list
from api.deps import LedgerDep, Settle, checked_key
from api.schemas.proposals import BulkConfirmationCreate
from api.web import refusal_words
from api.web.claims import declined_ids
from api.web.i18n import MESSAGES, language, status_name, translator
from api.web.not_found import wrong_method
from api.web.pages import PageRoute, refusal, render
from api.web.session import CsrfChecked, PagePrincipal, allowing
from ledger.application import AwardLedger
from ledger.domain.errors import InvalidInput, LedgerError
from ledger.domain.text import file_source
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Bureau = allowing(Role.BUREAU, doing="import certification lists and confirm proposals")
MESSAGES.update({
    "proposals": ("免申即享：待确认奖补", "Proposed awards (免申即享)"),
    "proposals_intro": ("记录认定后，账本按政策自动测算其应享奖补，经确认即转为待审批申请，企业无需申请。",
                        "A recorded certification proposes the award it entitles; confirmed, it is pending as if"
                        " submitted, with no application."),
    "open_proposals": ("待确认", "Open"), "proposals_total": ("应享合计", "Total"),
    "oldest": ("最早一项", "Oldest"), "days": ("{n} 天", "{n} days"), "no_proposals": ("没有待确认的奖补。",
                                                                                  "No open proposals."),
    "confirm_selected": ("确认所选", "Confirm selected"), "select": ("选择", "Select"),
    "confirm_result": ("确认结果", "Confirmation"), "confirmed": ("已确认（转为待审批）", "Confirmed (now pending)"),
    "not_confirmed": ("未确认", "Not confirmed"), "back_to_queue": ("返回待办", "Back to the queue"),
    "import_list": ("导入认定名单", "Import an official list"),
    "import_intro": ("上传省、市公布的认定名单（CSV，UTF-8 或 GBK），每行记录一项认定并测算其奖补。",
                     "Upload an official list (CSV, UTF-8 or GBK): each row records a certification and proposes"
                     " its award."),
    "list_file": ("名单文件（CSV 或 JSON）", "List file (CSV or JSON)"), "columns": ("列", "Columns"),
    "import": ("导入", "Import"), "import_result": ("导入结果", "Import result"),
    "rows": ("行数", "Rows"), "recorded_rows": ("已记录", "Recorded"), "refused_rows": ("未记录", "Refused"),
    "proposed_claims": ("生成待确认奖补", "Proposals made"), "already_imported": (
        "该文件此前已导入，本次未记录任何内容；以下为当时的结果。被拒绝的行修正后，请只将这些行另存为新文件再导入。",
        "This file was imported before; nothing new was recorded, and below is what it gave then. To record refused"
        " lines once fixed, save only those lines as a new file and import that."),
    "certification": ("认定", "Certification"), "see_proposals": ("查看待确认奖补", "See the proposals"),
    "unproposed_why": ("未生成待确认奖补的原因", "Why nothing was proposed"),
    "import_outcome": ("生成的待确认奖补（或未生成的原因）", "Proposals made (or why none was)"),
})


@router.get("/ui/certifications/imports", dependencies=[Bureau])
def import_form(request: Request) -> Response:
    """The upload form."""
    return render(request, "certification_import.html", columns=COLUMNS, answer=None)


@router.post("/ui/certifications/imports", dependencies=[Bureau, CsrfChecked])
async def import_list(request: Request, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """Import the uploaded list; show every line recorded or refused, and the proposals made."""
    form = await request.form()
    upload = form.get("file")
    data = b"" if upload is None or isinstance(upload, str) else await upload.read()
    name = "" if upload is None or isinstance(upload, str) else (upload.filename or "")
    if not data and name:  # a file chosen that holds nothing: said so, not "choose a file" (a regression probe)
        raise InvalidInput(f"the file {name[:80]!r} is empty; choose the list's file, saved with its rows; nothing was"
                           " imported", zh=f"文件 {name[:80]!r} 是空的；请选择保存了各行内容的名单文件；未导入任何内容",
                           field="file")
    if not data:  # no file chosen: it was "the CSV header lacks uscc, ..." (an imports probe)
        raise InvalidInput("choose the list's file (CSV with the header " + ",".join(COLUMNS) + ", or a .json"
                           " {\"rows\": [...]}) before importing; nothing was imported",
                           zh="请先选择名单文件（CSV，表头为 " + ",".join(COLUMNS) + "；或 .json 文件"
                              " {\"rows\": [...]}）再导入；未导入任何内容", field="file")
    kind = "application/json" if name.lower().endswith(".json") else "text/csv"
    listed = await run_in_threadpool(read_list, data, kind)  # a 1 MiB list held the loop 0.44 s (an intake probe)
    outcome = await run_in_threadpool(ledger.import_certifications, by, sha256=listed.sha256, total=listed.rows,
                                      rows=listed.good, refused=listed.refused, source=file_source(name))
    if not outcome.view["already_imported"]:
        await run_in_threadpool(Settle(request, Response()), outcome)  # the queue then shows the proposals
    lang = language(request)
    def said(r: dict) -> str:
        return refusal_words.named(r.get("detail_zh") if lang == "zh" and r.get("detail_zh") else r["detail"], lang)

    refused = [r | {"said": said(r)} for r in outcome.view["refused"]]
    # A recorded line that proposed nothing says why beside it (outside the district, say: a bureau probe).
    recorded = [r | ({"why": said(r["unproposed"]), "why_code": r["unproposed"]["code"]} if r.get("unproposed") else {})
                for r in outcome.view["certifications"]]
    return render(request, "certification_import.html", 200 if outcome.view["already_imported"] else 201,
                  columns=COLUMNS, answer=outcome.view | {"refused": refused, "certifications": recorded})


# How many proposals one confirmation takes: the API's own bound (POST /v1/claims/confirm), as its model states it.
AT_ONCE: int = BulkConfirmationCreate.model_json_schema()["properties"]["ids"]["maxItems"]
# The form parser counts every field (the claims, csrf, key) and by default stops at 1,000, answering as if a
# JSON body were malformed. Read well past the limit instead, so the page can say what the limit is; the body
# cap (LEDGER_MAX_BODY_BYTES) bounds the work, and past this the pages' own "too many fields" refusal answers.
FIELDS_READ = 10 * AT_ONCE
MESSAGES.update({
    "no_claims_ticked": ("未选择任何待确认奖补；请勾选要确认的项目后再提交。未确认任何一项。",
                         "No proposal was ticked; tick the ones to confirm and send the form again. Nothing was"
                         " confirmed."),
    "what_to_do": ("处理建议", "What to do"), "organisation": ("企业", "Organisation"),
    "confirm_now_pending": ("该项已经确认过，现为“{status}”，无需再确认；请打开申请，审核后批准或驳回。",
                            "It was already confirmed and is now {status}; nothing to confirm. Open the claim to"
                            " approve or reject it."),
    "confirm_now_closed": ("该项已是“{status}”，不能再确认；请打开申请查看原因，如仍应享受，请重新提交申请。",
                           "It is {status} and can no longer be confirmed; open the claim to see why, and submit a"
                           " new claim if the award is still due."),
    "confirm_now_declined": ("该项已“不予确认”，不能再确认；请打开申请查看不予确认的理由。",
                             "It was declined and can no longer be confirmed; open the claim to read why."),
    "confirm_now_decided": ("该申请已是“{status}”，无需确认；请打开申请查看。",
                            "The claim is already {status}; nothing to confirm. Open the claim to see it."),
    "confirm_other": ("请打开申请查看详情。", "Open the claim for the details."),
    "this_claim": ("该申请", "this claim"),
    "too_many_claims": ("一次最多确认 {most:,} 项奖补，本次提交了 {sent:,} 项；请分批确认，每批不超过 {most:,} 项。"
                        "未确认任何一项。",
                        "At most {most:,} proposals can be confirmed at once, and {sent:,} were sent; confirm them"
                        " in batches of {most:,} or fewer. Nothing was confirmed."),
})


@router.get("/ui/claims/confirm")
def confirm_opened(request: Request) -> Response:
    """The bulk confirmation's address opened again: the 405 page, not /ui/claims/{id}'s "'confirm' is not a claim
    id" (a regression probe)."""
    return wrong_method(request, ["POST"])


@router.post("/ui/claims/confirm", dependencies=[Bureau, CsrfChecked], form_limits={"max_fields": FIELDS_READ})
async def confirm(request: Request, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """Confirm the proposals ticked on the queue: each re-assessed, then pending; refusals shown with why."""
    form = await request.form()
    ids = [str(v) for v in form.getlist("claim")]
    if not ids or len(ids) > AT_ONCE:  # the API's bounds, worded for a form of ticked claims rather than `ids`
        t = translator(language(request))
        said = t("too_many_claims", most=AT_ONCE, sent=len(ids)) if ids else t("no_claims_ticked")
        return refusal(request, 422, "invalid_request", said)
    body = BulkConfirmationCreate.model_validate({"ids": ids})
    outcome = await run_in_threadpool(ledger.confirm_claims, by, ids=body.ids,
                                      key=checked_key(str(form.get("key") or "")))
    answer: dict[str, Any] = await run_in_threadpool(Settle(request, Response()), outcome)
    answer = await run_in_threadpool(_worded, ledger, answer, language(request))
    return render(request, "confirmations.html", answer=answer, programmes=ledger.catalogue().programmes)


_CLOSED = ("withdrawn",)
_DECIDED = ("approved", "rejected", "revoked")


def _worded(ledger: AwardLedger, answer: dict[str, Any], lang: str) -> dict[str, Any]:
    """The bulk confirmation's answer for a clerk: each claim with its organisation's name, and each refusal
    said with the claim's status by name and what to do on the page, never the API's paths or status codes."""
    t = translator(lang)
    names: dict[str, str | None] = {}

    def name(uscc: str) -> str | None:
        if uscc not in names:
            try:
                names[uscc] = ledger.organisation(uscc)["name"]
            except LedgerError:
                names[uscc] = None
        return names[uscc]

    confirmed = [c | {"name": name(c["uscc"])} for c in answer.get("confirmed", [])]
    refused = []
    for r in answer.get("refused", []):
        try:
            claim: dict[str, Any] | None = ledger.claim(r["id"], with_history=False)
        except LedgerError:
            claim = None
        status = claim["status"] if claim else None
        shut = bool(claim) and claim["id"] in declined_ids(ledger, [claim])  # 不予确认, as the claim's page says it
        if r["code"] == "invalid_state" and shut:  # no page resubmits one: its reason is what there is to read
            said = t("confirm_now_declined")
        elif r["code"] == "invalid_state" and claim and claim.get("replaced_by"):
            # The one that replaced it is the one to confirm: "submit a new claim" was advice no page can follow,
            # and a second claim beside the open proposal (a clerk's probe).
            said = t("confirm_now_replaced", id=claim["replaced_by"])
        elif r["code"] == "invalid_state" and status == "pending":
            said = t("confirm_now_pending", status=status_name(status, lang))
        elif r["code"] == "invalid_state" and status in _CLOSED:
            said = t("confirm_now_closed", status=status_name(status, lang))
        elif r["code"] == "invalid_state" and status in _DECIDED:
            said = t("confirm_now_decided", status=status_name(status, lang))
        else:
            text = r.get("detail_zh") if lang == "zh" and r.get("detail_zh") else r["detail"]
            text = text.replace(f"申请 {r['id']}", t("this_claim")).replace(f"claim {r['id']}", t("this_claim"))
            said = refusal_words.named(text, lang) + (t("sentence_sep") + t("confirm_other") if claim else "")
        refused.append(r | {"said": said, "status": status, "claim": claim, "declined": shut,
                            "name": name(claim["uscc"]) if claim else None})
    return answer | {"confirmed": confirmed, "refused": refused}
