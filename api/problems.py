"""THE one place where refusals become HTTP: every error leaves as application/problem+json (RFC 9457).

Domain errors carry a stable `code` and a `kind`; the kind picks the status. Request validation, auth,
an unreachable store and anything unforeseen are mapped here too, so no route ever builds an error body.
"""
from __future__ import annotations

import logging
import re
import sqlite3
from typing import Any, ClassVar, Literal

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import field_messages, language
from ledger.audit import receipts
from ledger.audit.tampering import Unfolded
from ledger.connection import STORE_ERRORS, check_idle, pool_exhausted, sqlite_locked
from ledger.domain.errors import LedgerError

log = logging.getLogger("award_ledger.api")

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://award-ledger.example/problems/"
RETRY_AFTER_SECONDS = "2"
MAX_ERRORS = 100  # field errors a refusal lists (it counts them all: `errors_total`)
STATUS_BY_KIND = {"invalid": 422, "forbidden": 403, "conflict": 409, "not_found": 404, "unavailable": 503}
HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# Each code's title in Chinese (RFC 9457's `title`): what a person reads first. English titles stay the code's
# words ("Cap exceeded"), as they always were, so English clients see no change.
TITLES_ZH: dict[str, str] = {
    "invalid_request": "请求有误", "invalid_uscc": "统一社会信用代码无效",
    "invalid_amount": "金额无效", "missing_field": "缺少必填信息",
    "unknown_programme": "无此政策条目", "unknown_tier": "无此等次",
    "not_an_upgrade": "不是晋级",
    "outside_policy_term": "超出政策期",
    "not_eligible": "不符合条件", "cap_exceeded": "超出上限",
    "already_awarded": "已获奖励", "superseded": "从优从高不重复，已被覆盖",
    "fund_exhausted": "专项资金不足",
    "over_approved": "超出批准金额", "over_recovered": "还款金额超过未追回余额",
    "invalid_catalogue": "政策目录草案有误",
    "invalid_state": "当前状态不允许此操作", "conflict": "与已有记录冲突", "tampering": "发现篡改",
    "not_found": "未找到", "forbidden": "无权操作",
    "not_lead_bureau": "非牵头部门", "busy": "系统繁忙，请重试",
    "unauthenticated": "未登录或令牌无效", "not_implemented": "暂未提供",
    "bad_request": "请求有误", "method_not_allowed": "不支持此请求方法",
    "store_unavailable": "数据存储暂不可用",
    "internal_error": "系统内部错误",
    "not_ready": "服务尚未就绪", "invalid_statement": "银行对账单有误", "csv_unreadable": "无法按银行对账单读取",
    "body_too_large": "请求体过大", "request_timeout": "请求体发送超时",
}
# The same sentences the API writes itself, for a Chinese reader.
DETAILS_ZH = {
    "internal": "台账发生意外错误，已记录日志。请使用相同的 Idempotency-Key 重试；如仍出错，请连同请求时间一并报告",
    "store": "暂时无法连接台账存储，未写入任何内容；请稍后使用相同的 Idempotency-Key 重试",
    "store_read": "暂时无法连接台账存储；请稍后重试",
    "cut_off": "保存操作时台账存储中断，操作可能已被记录：请使用相同的 Idempotency-Key 重新发送（不会重复写入；"
               "如已记录，将返回首次的结果）",
    "cut_off_unkeyed": "保存操作时台账存储中断，操作可能已被记录：请先查询核实（该企业的申请、申请或追回款项的页面、"
                       "待办队列），再决定是否重新发送，否则可能重复记录；每个操作都附带 Idempotency-Key，重试才安全",
    "internal_read": "台账发生意外错误，已记录日志。请重试；如仍出错，请连同请求时间一并报告",
    "pool": "本工作进程可用的数据库连接（LEDGER_DB_POOL）在等待期间一直全部占用或无法建立，未写入任何内容；"
            "请在 Retry-After 秒后使用相同的 Idempotency-Key 重新发送",
    "no_resource": "{path} 没有此资源；台账的资源见 /docs",
    "not_json": "请求体不是 UTF-8 JSON 文本；请以 Content-Type: application/json 发送 JSON 对象",
    "method": "{path} 不支持 {method} 请求方法；请改用 {allowed}（见 /docs）",
    "recorded": "操作已记录，但暂时无法读回其结果；请使用相同的 Idempotency-Key 重新发送（不会重复写入），"
                "或稍后读取该资源",
    "http": "HTTP {status}：无法处理此请求；请对照接口文档（/docs）核对后重新发送",
    "locked": "另一个连接占用着 SQLite 存储的写锁（长事务、备份或另一个写入进程），未写入任何内容；"
              "请在 Retry-After 秒后使用相同的 Idempotency-Key 重新发送；如持续出现，请查找占用该文件的进程",
}


def title(code: str, lang: str = "en") -> str:
    """The code's title in `lang`; a code without one reads as its words."""
    english = code.replace("_", " ").capitalize()
    return TITLES_ZH.get(code, english) if lang == "zh" else english


def chinese_detail(exc: LedgerError | EdgeProblem) -> str:
    """The refusal for a Chinese reader: the raise site's own sentence, else the code's title before the detail."""
    return exc.in_language("zh") or f"{title(exc.code, 'zh')}：{exc.detail}"


class FieldError(BaseModel):
    """One malformed field of a request."""

    field: str = Field(description="the field's dotted path in its location, e.g. lines.0.amount")
    location: str = Field(description="body, query, path or header")
    message: str = Field(description="what is wrong and what to send instead")
    code: str = Field(description="invalid_amount, invalid_uscc or invalid_request")


class Problem(BaseModel):
    """An error, as RFC 9457 problem details with the ledger's stable machine `code`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": TYPE_BASE + "cap_exceeded", "title": "Cap exceeded", "status": 409, "code": "cap_exceeded",
        "detail": "A5.voucher: 杭州某某科技有限公司 has used 500,000.00 of its 2023 cap of 500,000.00",
        "instance": "/v1/claims",
    }]})

    type: str = Field(description="a URI naming the kind of problem; ends with the code")
    title: str
    status: int
    detail: str = Field(description="what went wrong and what to do next, for a person")
    code: str = Field(description="stable machine code, e.g. invalid_uscc, cap_exceeded, not_lead_bureau")
    instance: str | None = Field(None, description="the request path")
    errors: list[FieldError] | None = Field(None, description="422 on a malformed request: each field at fault")
    store: Literal["ok", "unreachable"] | None = Field(None, description="readiness (503 not_ready): the store")
    projection_lag: int | None = Field(None, description="readiness: events the read models are behind")
    max_lag: int | None = Field(None, description="readiness: LEDGER_READY_MAX_LAG")


class EdgeProblem(Exception):
    """A refusal that belongs to HTTP itself rather than to the ledger (no token, not built yet)."""

    status = 400
    code = "bad_request"
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str, zh_detail: str | None = None, *, zh: str | None = None,
                 field: str | None = None, location: str = "query") -> None:
        super().__init__(detail)
        # The Chinese detail as LedgerError takes it (`zh=`), or as the second argument; None: rendered from the
        # code's Chinese title and the English detail, as for a LedgerError.
        self.detail, self.zh_detail = detail, zh if zh is not None else zh_detail
        # The parameter at fault, for `errors: [{field, location, message, code}]` as a malformed request's problem
        # has them (a client mapping errors[].field to an input got nothing for a bad status, bureau or cursor).
        self.field, self.location = field, location

    @property
    def zh(self) -> str | None:
        return self.zh_detail

    def in_language(self, lang: str) -> str | None:
        """The detail in `lang` when the raise site gave one."""
        return self.zh_detail if lang == "zh" else self.detail


class Unauthenticated(EdgeProblem):
    status = 401
    code = "unauthenticated"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class InvalidBody(EdgeProblem):
    """A body FastAPI would take, but no request of ours means (`null` where an object's fields are all optional)."""

    status = 422
    code = "invalid_request"


class NotYetAvailable(EdgeProblem):
    status = 501
    code = "not_implemented"


def problem(request: Request, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None,
            zh_detail: str | None = None, lang: str | None = None, **extensions: Any) -> JSONResponse:
    """The problem+json response; its title and (given `zh_detail`) its detail in the reader's language (`lang`,
    else the request's Accept-Language)."""
    lang = lang or language.of(request)
    if lang == "zh" and zh_detail is not None:
        detail = zh_detail
    body: dict[str, Any] = {"type": TYPE_BASE + code, "title": title(code, lang),
                            "status": status, "detail": detail, "code": code, "instance": request.url.path}
    # Extension members never overwrite the standard ones.
    body.update({k: v for k, v in jsonable_encoder(extensions).items() if k not in body})
    headers = {**(headers or {}), "Content-Language": lang, "Vary": "Accept-Language"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _ledger_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LedgerError)
    status = STATUS_BY_KIND.get(exc.kind, 422)
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else None
    if getattr(exc, "replayed", False):  # the refusal first given to this Idempotency-Key (ledger.refused_keys)
        headers = {"Idempotent-Replayed": "true"}
    return problem(request, status, exc.code, exc.detail, headers=headers, zh_detail=chinese_detail(exc),
                   **exc.context_in(language.of(request)))


async def located(request: Request, exc: Unfolded) -> LedgerError | None:
    """A record whose stored events no longer fold, refused naming where the chain check finds its events changed
    and logged as an ERROR (the API's answer and the pages'); None when the check finds them intact: then the
    ledger cannot read its own, a fault to answer as one."""
    notary = getattr(request.app.state, "notary", None)
    found = exc if notary is None else await run_in_threadpool(receipts.located, notary, exc)
    if found is not None:
        log.error("%s %s refused: %s", request.method, request.url.path, found.detail)
    return found


async def _unfolded(request: Request, exc: Exception) -> JSONResponse:
    """409 `tampering` for a record whose stored events no longer fold; a 500 when its events are intact."""
    assert isinstance(exc, Unfolded)
    found = await located(request, exc)
    if found is None:
        return await _internal_error(request, exc.__cause__ or exc)
    return await _ledger_error(request, found)


async def _edge_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, EdgeProblem)
    zh = chinese_detail(exc)
    errors = {}
    if exc.field is not None:
        said = zh if language.of(request) == "zh" else exc.detail
        errors = {"errors": [{"field": exc.field, "location": exc.location, "message": said, "code": exc.code}],
                  "errors_total": 1}
    return problem(request, exc.status, exc.code, exc.detail, headers=exc.headers or None, zh_detail=zh, **errors)


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = language.of(request)
    found = exc.errors()
    # The first MAX_ERRORS, and how many there were: 100,000 faulty lines (or 90,000 unknown keys) made an answer of
    # tens of megabytes, its making held the event loop for seconds, and nobody reads past the first few.
    errors = [field_messages.field_error(e) for e in found[:MAX_ERRORS]]
    code = next((e["code"] for e in errors), "invalid_request")
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    zh = "；".join(f"{e['field']}：{e['message_zh']}" for e in errors)
    for e in errors:  # each entry keeps the contract's keys, its message in the reader's language
        chinese = e.pop("message_zh")
        if lang == "zh":
            e["message"] = chinese
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()[:40]
    if any(tuple(e.get("loc", ())) == ("body",) and e.get("type") in field_messages.NOT_AN_OBJECT for e in found) \
            and not kind.endswith("json"):
        # The framework reads a body as JSON only under a JSON media type: a good object sent as text/plain, a form
        # or with no Content-Type is "not an object" to it, so say what is wrong.
        detail += (f"; the body was sent as {kind or 'no Content-Type'}: send the JSON object with Content-Type:"
                   " application/json")
        zh += (f"；请求体的类型为 {kind or '（未声明 Content-Type）'}：请以 Content-Type: application/json"
               " 发送该 JSON 对象")
    if len(found) > MAX_ERRORS:
        detail += f"; and {len(found) - MAX_ERRORS:,} more faults of the same request"
        zh += f"；另有 {len(found) - MAX_ERRORS:,} 处同类错误"
    return problem(request, 422, code, detail or "the request is malformed", errors=errors,
                   zh_detail=zh or "请求格式有误", errors_total=len(found))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's only 400: a body that is not text at all. Malformed JSON is 422; so is this, alike.
        return problem(request, 422, "invalid_request", "the body cannot be read as JSON text (UTF-8); send a JSON"
                       " object with Content-Type: application/json", errors=[
                           {"field": "body", "location": "body", "code": "invalid_request", "message":
                            "不是 UTF-8 JSON 文本" if language.of(request) == "zh" else "is not UTF-8 JSON"}],
                       zh_detail=DETAILS_ZH["not_json"])
    code = HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail if isinstance(exc.detail, str) else "the request cannot be served"
    zh = DETAILS_ZH["http"].format(status=exc.status_code)
    if exc.status_code == 404:
        detail = f"there is no resource at {request.url.path}; see /docs for the ledger's resources"
        zh = DETAILS_ZH["no_resource"].format(path=request.url.path)
    elif exc.status_code == 405:
        # The English said only "Method Not Allowed", and Allow named the first matching route's methods only
        # (GET missing where GET and POST are two routes), while the Chinese named them all (a regression probe).
        allowed = _methods_of(request, exc)
        zh = DETAILS_ZH["method"].format(path=request.url.path, method=request.method,
                                         allowed="、".join(allowed) or "该路径支持的请求方法")
        detail = (f"{request.url.path} does not take {request.method}; use "
                  f"{', '.join(allowed) or 'a method the path takes'} (see /docs)")
        if allowed:  # HEAD is served wherever GET is (api/front.py): Allow says so
            listed = ", ".join(sorted({*allowed, "HEAD"} if "GET" in allowed else set(allowed)))
            return problem(request, 405, code, detail, headers={**(getattr(exc, "headers", None) or {}),
                                                                 "Allow": listed}, zh_detail=zh)
    return problem(request, exc.status_code, code, detail, headers=getattr(exc, "headers", None), zh_detail=zh)


def _methods_of(request: Request, exc: StarletteHTTPException) -> list[str]:
    """The methods the request's path takes, as the API documents them (Starlette's Allow header names the first
    matching route's only: GET and POST /v1/organisations are two routes); else as the Allow header names them."""
    path, found = request.url.path, set()
    paths: dict[str, Any] = request.app.openapi().get("paths", {}) if hasattr(request.app, "openapi") else {}
    for template in ([path] if path in paths else paths):
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path):
            found |= {method.upper() for method in paths[template] if method.upper() in HTTP_METHODS}
    if not found:
        allowed = (getattr(exc, "headers", None) or {}).get("Allow", "")
        found = {method.strip() for method in allowed.split(",") if method.strip()}
    return sorted(found - {"HEAD"})


async def store_unavailable(request: Request, exc: Exception, lang: str) -> JSONResponse:
    """The answer to a store error in `lang`: `busy`, `store_unavailable`, or a bug (the pages render it as a
    page: api/web/pages.py)."""
    return await _store_unavailable(request, exc, lang)


async def _store_unavailable(request: Request, exc: Exception, lang: str | None = None) -> JSONResponse:
    if isinstance(exc, sqlite3.OperationalError) and not _sqlite_transient(exc):
        return await _internal_error(request, exc, lang)  # "no such table" and friends are bugs, not outages
    recorded = getattr(request.state, "recorded", False)
    cut_off = getattr(exc, "save_cut_off", False)  # the store went away while this command's save was under way
    # A pool that waited in vain is `busy` when its connections were all in use, and the store is away when it
    # could not open one: a connection of its own, tried once, tells them apart.
    if pool_exhausted(exc) and not recorded and not cut_off and await run_in_threadpool(_store_answers,
                                                                                         request.app.state):
        log.warning("no database connection free on %s %s: %s", request.method, request.url.path, exc)
        return problem(request, 503, "busy", "every database connection this worker may open (LEDGER_DB_POOL) was in"
                       " use, or could not be opened, for the whole wait, and nothing was written; send the request"
                       " again after Retry-After seconds (with the same Idempotency-Key)",
                       headers={"Retry-After": RETRY_AFTER_SECONDS},
                       zh_detail=DETAILS_ZH["pool"], lang=lang)
    if sqlite_locked(exc) and not recorded and not cut_off:
        # Not away: another connection holds the file's write lock past the ledger's wait (a long transaction, a
        # backup, a second writer). Said as `busy` with its cause, where "cannot be reached" sent people looking
        # for a server that is not there (a crash probe).
        log.warning("SQLite store locked on %s %s: %s", request.method, request.url.path, exc)
        return problem(request, 503, "busy", "another connection holds the SQLite store's write lock (a long"
                       " transaction, a backup, a second writer) and nothing was written; send the request again"
                       " after Retry-After seconds (with the same Idempotency-Key), and if it lasts, find the process"
                       " holding the file", headers={"Retry-After": RETRY_AFTER_SECONDS},
                       zh_detail=DETAILS_ZH["locked"], lang=lang)
    log.warning("store unavailable on %s %s: %s", request.method, request.url.path, exc)
    await run_in_threadpool(_check_connections, request.app.state)
    if recorded:
        return problem(request, 503, "store_unavailable", "the command was recorded, but its answer could not be"
                       " read back; send it again with the same Idempotency-Key (it writes nothing twice), or read"
                       " the resource shortly", headers={"Retry-After": RETRY_AFTER_SECONDS}, recorded=True,
                       zh_detail=DETAILS_ZH["recorded"], lang=lang)
    if cut_off:
        if request.headers.get("Idempotency-Key"):
            return problem(request, 503, "store_unavailable", "the ledger's store went away while the command was"
                           " being saved, so it may have been recorded: send it again with the same Idempotency-Key"
                           " (it writes nothing twice, and answers as the first did if that was recorded)",
                           headers={"Retry-After": RETRY_AFTER_SECONDS}, maybe_recorded=True,
                           zh_detail=DETAILS_ZH["cut_off"], lang=lang)
        # No key to send again with (a second regression probe was told to, and recorded its claims twice).
        return problem(request, 503, "store_unavailable", "the ledger's store went away while the command was being"
                       " saved, so it may have been recorded: look for it (the organisation's claims, the claim's or"
                       " recovery's own page, the work queue) before sending it again, since sent again it may be"
                       " recorded twice; send an Idempotency-Key with every command to make retries safe",
                       headers={"Retry-After": RETRY_AFTER_SECONDS}, maybe_recorded=True,
                       zh_detail=DETAILS_ZH["cut_off_unkeyed"], lang=lang)
    if request.method in ("GET", "HEAD"):  # a read: nothing to write, no key to keep
        return problem(request, 503, "store_unavailable", "the ledger's store cannot be reached right now; retry"
                       " shortly", headers={"Retry-After": RETRY_AFTER_SECONDS}, zh_detail=DETAILS_ZH["store_read"],
                       lang=lang)
    return problem(request, 503, "store_unavailable",
                   "the ledger's store cannot be reached right now and nothing was written; retry shortly "
                   "(with the same Idempotency-Key)", headers={"Retry-After": RETRY_AFTER_SECONDS},
                   zh_detail=DETAILS_ZH["store"], lang=lang)


def _store_answers(state: Any) -> bool:
    """Whether the store takes a new connection now (one, outside every pool, closed at once; SQLite: yes)."""
    import psycopg

    from ledger.store import _postgres_parts, is_postgres

    url = getattr(getattr(state, "settings", None), "database_url", "")
    if not is_postgres(url):
        return True
    parts = _postgres_parts(url)
    try:
        psycopg.connect(host=parts["host"], port=parts["port"], user=parts["user"], password=parts["password"] or None,
                        dbname=parts["dbname"], connect_timeout=2, application_name="award-ledger check").close()
    except psycopg.Error:
        return False
    return True


def _check_connections(state: Any) -> None:
    """Replace the dead connections a server restart left in the ledger's and the read models' pools."""
    ledger = getattr(state, "ledger", None)
    if ledger is not None:
        ledger.check_connections()
    read_models = getattr(state, "read_models", None)
    check_idle(getattr(getattr(read_models, "view", None), "datastore", None))


def _sqlite_transient(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("locked", "busy", "unable to open", "disk i/o"))


async def _internal_error(request: Request, exc: Exception, lang: str | None = None) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if request.method in ("GET", "HEAD"):
        return problem(request, 500, "internal_error", "the ledger failed unexpectedly; the error is logged. Retry;"
                       " if it persists, report it with the time of the request",
                       zh_detail=DETAILS_ZH["internal_read"], lang=lang)
    return problem(request, 500, "internal_error",
                   "the ledger failed unexpectedly; the error is logged. Retry with the same Idempotency-Key; "
                   "if it persists, report it with the time of the request", zh_detail=DETAILS_ZH["internal"],
                   lang=lang)


def install(app: FastAPI) -> None:
    """Register every error mapping on the app."""
    app.add_exception_handler(LedgerError, _ledger_error)
    app.add_exception_handler(Unfolded, _unfolded)
    app.add_exception_handler(EdgeProblem, _edge_problem)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for store_error in STORE_ERRORS:
        app.add_exception_handler(store_error, _store_unavailable)
    app.add_exception_handler(Exception, _internal_error)


DESCRIPTIONS = {
    401: "No bearer token, or one that matches no principal",
    403: "This principal's role or bureau may not do this",
    404: "Not in the ledger",
    409: "Refused by the policy, already known, or an Idempotency-Key reused for another request",
    422: "The request is malformed; `detail` and `errors` name the field",
    501: "Not available in this version yet",
    503: "The store is unreachable or busy; nothing was written; retry after Retry-After seconds",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problems a route may answer with (plus 503, which any route may)."""
    return {s: {"model": Problem, "description": DESCRIPTIONS[s]} for s in sorted({*statuses, 503})}


def as_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents every response as application/json; errors are application/problem+json."""
    for operation in (op for path in schema.get("paths", {}).values() for op in path.values()):
        for status, response in operation.get("responses", {}).items():
            content = response.get("content", {})
            if status[0] in "45" and "application/json" in content:
                content[MEDIA_TYPE] = content.pop("application/json")
    return schema
