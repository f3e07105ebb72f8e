"""A page's form or upload larger than the body cap (api/edge.py refuses it before reading it): the refusal as a
page, as every other refusal on /ui is (api/web/pages.py `refusal`), in the page's language (`?lang=`, its
cookie, else Chinese: never the API's Accept-Language), stating the limit and saying what to do with *this* form:
a certification list is split into several files, a bank statement by month, any other form typed shorter."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from api.web import i18n
from api.web.i18n import MESSAGES, REFUSALS
from api.web.pages import refusal

# What each upload page takes; a path not named here is an ordinary form.
KINDS = {"/ui/certifications/imports": "list", "/ui/finance/statements/preview": "statement",
         "/ui/finance/statements": "statement"}  # the confirmation: a previewed statement sent back
REFUSALS.setdefault("body_too_large", ("提交的内容过大", "Too large to accept"))
MESSAGES.update({
    "too_large_list": (
        "上传的认定名单超过本页面的上限 {limit}，未导入任何内容。请将名单拆分为几个较小的文件，逐个上传导入；"
        "如确需一次导入更大的名单，请运维人员调高 {named}。",
        "The uploaded list is larger than this page's limit of {limit}; nothing was imported. Split the list into"
        " several smaller files and import each in turn; to import larger lists at once, ask the operator to"
        " raise {named}."),
    "too_large_statement": (
        "上传的银行流水超过本页面的上限 {limit}，未记录任何内容。请按月拆分流水，逐月上传、预览并确认导入；"
        "如确需一次导入更大的流水，请运维人员调高 {named}。",
        "The uploaded statement is larger than this page's limit of {limit}; nothing was recorded. Split the"
        " statement by month and upload, preview and confirm each month; to import larger statements at once, ask"
        " the operator to raise {named}."),
    "too_large_form": (
        "提交的表单超过上限 {limit}，未写入任何内容。请删减所填内容（如说明、文号）后重新提交。",
        "The form sent is larger than the limit of {limit}; nothing was written. Shorten what was typed (a reason,"
        " a document reference) and send it again."),
    "size_bytes": ("{bytes} 字节（{size}）", "{bytes} bytes ({size})"),
})


def _size(limit: int) -> str:
    """1048576 -> "1 MiB", 1536 -> "1.5 KiB": the limit as people read it."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= scale:
            return f"{limit / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{limit} B"


def page(request: Request, limit: int, named: str) -> Response:
    """The 413 page for a form on /ui refused by the body cap; `limit` is the upload's own limit (bytes), `named`
    the setting that holds it. Sync: it looks up who is signed in (a store read), so call it off the event loop."""
    lang = i18n.language(request)
    t = i18n.translator(lang)
    kind = KINDS.get(request.url.path.rstrip("/"), "form")
    said = t(f"too_large_{kind}", limit=t("size_bytes", bytes=f"{limit:,}", size=_size(limit)), named=named)
    answer = refusal(request, 413, "body_too_large", said)
    answer.headers["Connection"] = "close"  # the rest of the body is never read
    return answer
