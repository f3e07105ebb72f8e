"""What every request meets before any route: the token checked before a byte of the body is read, the
body capped, a JSON body with a repeated key (or an API query with a repeated parameter) refused, and the
security headers on every answer.

Why an ASGI middleware rather than dependencies: FastAPI reads and parses a JSON body before it runs a
route's dependencies, on the event loop, so a 42 MB body without a token was read and parsed in full
before its 401 (and stalled /healthz meanwhile). Here nothing is read until the caller is known, and
never more than the stated limit.
"""
from __future__ import annotations

import json
import re
import sys
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit, urlunsplit

import anyio
from anyio import to_thread
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import language, problems
from api.auth import SUBREQUEST_PRINCIPAL
from api.dev_principals import FOLDER as DEV_FOLDER
from api.dev_principals import TOKENS as DEV_TOKENS
from api.http_protocol import LAST_LOOK
from api.json_text import DuplicateKey, TooDeep, loads_once
from api.lanes import Lanes
from api.settings import Settings
from ledger.bank_files.decoding import READABLE, charset

PROTECTED = "/v1/"  # every resource under it needs a principal (the contract's table)
STATEMENTS = "/v1/finance/bank-statements"  # bank files may be larger: their own, stated limit
IMPORTS = "/v1/certifications/imports"  # so may official lists of certifications: the same stated limit
SIMULATIONS = "/v1/simulations"  # a draft catalogue: the general body limit
# The statement page's confirmation sends the previewed file back as URL-safe base64 (api/web/finance_forms.py):
# a third larger than the file the preview took, plus its few short fields (CSRF token, key, file name).
CONFIRM = "/ui/finance/statements"
CONFIRM_FIELDS = 16 * 1024
SHOWN_KEY = 80  # a refusal quotes at most this much of a key it names (a probe's 500 KB key came back whole)
THREAD_FROM = 64 * 1024  # a JSON body above this is checked off the event loop
# The pages use one stylesheet and one script of their own (and inline widths for the cap bars). The API docs
# load Swagger UI and ReDoc from this app too (/docs-assets): nothing from another host, so a machine without
# the internet shows them whole. Their pages start the UI with an inline script, ReDoc sets inline styles and
# searches in a worker it makes from a blob.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self';"
               " frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
DOCS_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'"
               " 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'")
# `same-origin`: a browser names the page a form was sent from to this site only (the pages' language link and
# sign-in after an expired session lead back to it, api/web/pages.py `sent_from`); no address of this site, with
# its ids and filters, ever leaves it in a Referer. `no-referrer` left the pages no way to tell (a clerk's probe).
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PART_NAME = re.compile(rb'name="([^"]*)"')


def _not_utf8_field(kind: str, body: bytes) -> str | None:
    """The name of the first field of a multipart body (a part that is no file) whose value is not UTF-8, or None.
    A file's bytes are the route's to read (a bank file may be GB18030)."""
    found = _BOUNDARY.search(kind)
    if found is None or not body:
        return None
    for part in body.split(b"--" + found.group(1).encode("latin-1")):
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep or b"filename=" in head.lower():
            continue
        try:
            value.removesuffix(b"\r\n").decode("utf-8")
        except UnicodeDecodeError:
            name = _PART_NAME.search(head)
            return name.group(1).decode("utf-8", "replace") if name else "?"
    return None


def _not_utf8_form(body: bytes) -> str | None:
    """The name of the first field of a urlencoded form whose percent escapes are not UTF-8 (GBK's 测试 sent as
    %B2%E2%CA%D4), or None: the form parser reads them as U+FFFD, and the text check then told the clerk to remove an
    invisible character never sent (an input probe), as it once did for a query."""
    if b"%" not in body:
        return None
    for pair in body.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
    return None


FORM_EN = "send the form from its page, or percent-encode its fields as UTF-8 (charset=utf-8, or no charset)"
FORM_ZH = "请从页面提交表单，或将各字段按 UTF-8 百分号编码（charset=utf-8 或不声明）"

class TooLarge(Exception):
    """The body passed its limit while being read."""


DEEP = "too_deep"  # read_json's answer for JSON nested too deep
LONG = "too_long_a_number"  # read_json's answer for a JSON number of more digits than Python converts


UNREAD = object()  # read_json's document for a body that is not JSON, or not JSON this API reads


def _repeated(query: bytes) -> str | None:
    """The first query parameter named twice (`?status=a&status=b`), which a route would read only one of."""
    if b"&" not in query:
        return None
    seen: set[str] = set()
    for name, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if name in seen:
            return name
        seen.add(name)
    return None


SINGLE_HEADERS = (b"authorization", b"idempotency-key")  # who asks, and which first answer a retry gets


def _repeated_header(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The first of SINGLE_HEADERS sent twice: two tokens (or two keys) of which one would be read silently (a
    probe's admin token then auditor's was served as admin)."""
    seen: set[bytes] = set()
    for name, _ in headers:
        name = name.lower()
        if name in SINGLE_HEADERS:
            if name in seen:
                return name.decode("latin-1").title()
            seen.add(name)
    return None


def read_json(body: bytes) -> tuple[str | None, Any]:
    """(the first key some object of this JSON names twice, `DEEP` for JSON nested too deep to read, or None; the
    document, or `UNREAD`). A body that is not JSON is (None, UNREAD): the route refuses it in its own words. The
    document is what `json.loads` gives, so a lane need not read the body again."""
    try:
        return None, loads_once(body)
    except DuplicateKey as err:
        return err.key, UNREAD
    except TooDeep:
        return DEEP, UNREAD
    except ValueError as err:  # malformed, not UTF-8, or an integer past Python's 4,300 digits (int's own limit)
        too_long = not isinstance(err, json.JSONDecodeError | UnicodeDecodeError) and "digits" in str(err)
        return LONG if too_long else None, UNREAD


def _store_gone(scope: Scope) -> tuple[str, str] | None:
    """The SQLite file the app opened gone from its path, in both languages (api/routes/health.py), or None."""
    from api.routes.health import file_gone

    app = scope.get("app")
    return None if app is None else file_gone(app.state)


def _not_utf8(scope: Scope) -> tuple[str, str] | None:
    """Which part of the address (query or path, in English and Chinese) holds percent escapes that are not UTF-8."""
    for part, raw, names in (("query", scope.get("query_string", b""), ("query", "查询参数")),
                             ("path", scope.get("raw_path") or b"", ("path", "请求路径"))):
        if b"%" not in raw:
            continue
        try:
            unquote_to_bytes(raw.replace(b"+", b" ") if part == "query" else raw).decode("utf-8")
        except UnicodeDecodeError:
            return names
    return None


class Edge:
    """Authenticate, cap, check the JSON's keys, then hand over the body already read (api/front.py calls it)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.lanes = Lanes() if settings.fast_lanes else None

    async def admit(self, scope: Scope, headers: Headers, principal: Any, receive: Receive, send: Send) -> None:
        """The checks, given the request's headers and the principal its bearer token names (api/front.py
        looks both up once for every layer); `send` already adds the security headers."""
        path = scope["path"]
        if "\x00" in path or b"%00" in scope.get("query_string", b""):  # PostgreSQL text cannot hold one: a 500
            await self._refuse(scope, send, 422, "invalid_request", "the address holds a NUL character (U+0000,"
                               " sent as %00), which no resource or parameter takes; send it without", None,
                               zh_detail="请求地址中含有控制字符 NUL（U+0000，即 %00），任何资源或参数都不接受；"
                                         "请去掉后重新发送")
            return
        if (where := _not_utf8(scope)) is not None:
            # Starlette reads such escapes as U+FFFD, and the text check then said to remove an invisible character
            # the client never sent (a hostile-input probe): the bytes themselves are what to fix.
            await self._refuse(scope, send, 400, "bad_request", f"the {where[0]}'s percent escapes are not UTF-8 text"
                               " (a byte such as %FF, or a character cut short, such as %E4%B8); encode the text as"
                               " UTF-8 percent escapes (企业 is %E4%BC%81%E4%B8%9A), as an HTTP library does", None,
                               zh_detail=f"{where[1]}中的百分号编码不是 UTF-8 文本（例如 %FF 这样的字节，或被截断的字符"
                                         "如 %E4%B8）；请按 UTF-8 进行百分号编码（“企业”为 %E4%BC%81%E4%B8%9A），"
                                         "HTTP 客户端库会自动编码")
            return
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and (gone := _store_gone(scope)) is not None:
            # Written now, a command would land in a file no one finds and be lost at the restart (an operations
            # probe deleted the SQLite file under a running server: 201, then nothing).
            await self._refuse(scope, send, 503, "store_unavailable", f"{gone[0]}: nothing is recorded until the"
                               " server is stopped, the file put back at its path (or restored from a backup) and the"
                               " server started again; then send the request again",
                               {"Retry-After": problems.RETRY_AFTER_SECONDS},
                               zh_detail=f"{gone[1]}：在停止服务、把文件放回原路径（或从备份恢复）并重新启动之前，"
                                         "不会记录任何内容；之后请重新发送请求")
            return
        if path.startswith("/v1/") and (twice := _repeated(scope.get("query_string", b""))) is not None:
            await self._refuse(scope, send, 422, "invalid_request", f"the query names the parameter {twice!r} more"
                               " than once, and only one value would be read; send it once (several values of a"
                               " filter that takes them go in one parameter, separated by commas)", None,
                               zh_detail=f"查询参数 {twice!r} 出现了不止一次，只会读取其中一个值；请只发送一次"
                                         "（可取多个值的筛选条件，请在同一参数中以英文逗号分隔）")
            return
        if (twice := _repeated_header(scope["headers"])) is not None:
            await self._refuse(scope, send, 422, "invalid_request", f"the request sends the header {twice} more than"
                               " once, and only one would be read; send it once", None,
                               zh_detail=f"请求头 {twice} 出现了不止一次，只会读取其中一个；请只发送一次")
            return
        if path.startswith(PROTECTED) and principal is None and (scope.get("state") or {}).get(
                SUBREQUEST_PRINCIPAL) is None:  # a page asking the API in process, for its signed-in principal
            if self.settings.auth_file is not None:
                where, where_zh = "whose SHA-256 is in LEDGER_AUTH_FILE", "的 SHA-256 须在 LEDGER_AUTH_FILE 中登记"
            else:  # development principals: their tokens are in a file of their own (a newcomer probe was sent on)
                tokens = DEV_FOLDER / DEV_TOKENS
                where = (f"from {tokens} (this server runs without LEDGER_AUTH_FILE, on development principals;"
                         " to use a principals file of your own, set LEDGER_AUTH_FILE to it and restart serve)")
                where_zh = (f"取自 {tokens}（本服务未设置 LEDGER_AUTH_FILE，使用开发用身份；如要使用自己的身份文件，"
                            "请将 LEDGER_AUTH_FILE 设为该文件并重新启动 serve）")
            await self._refuse(scope, send, 401, "unauthenticated", "this resource needs a principal: send"
                               f" Authorization: Bearer <token> with a token {where}", {"WWW-Authenticate": "Bearer"},
                               zh_detail="此资源需要身份凭证：请在请求头中发送 Authorization: Bearer <令牌>，令牌"
                                         + where_zh)
            return
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding not in ("", "identity"):  # no route decodes one: a gzip body was read as if it were plain
            await self._refuse(scope, send, 422, "invalid_request", f"the body is sent with Content-Encoding"
                               f" {encoding[:40]!r}, which this service does not decode; send it uncompressed,"
                               " without Content-Encoding", None,
                               zh_detail=f"请求体使用了 Content-Encoding {encoding[:40]!r}，本服务不解码压缩内容；"
                                         "请发送未压缩的内容，不要带 Content-Encoding")
            return
        codings = [c.strip().lower() for c in headers.get("transfer-encoding", "").split(",")]
        if unknown := [c for c in codings if c not in ("", "chunked", "identity")]:
            # The server de-chunks a body and decodes no other coding: a body sent `gzip, chunked` was read as if
            # plain and recorded (a robustness probe). RFC 9112 6.1: a coding the server does not understand is 501.
            said = ", ".join(unknown)[:40]
            await self._refuse(scope, send, 501, "not_implemented", f"the body is sent with Transfer-Encoding"
                               f" {said!r}, which this service does not decode; send it uncompressed, with"
                               " Transfer-Encoding: chunked alone or with a Content-Length", {"Connection": "close"},
                               zh_detail=f"请求体使用了 Transfer-Encoding {said!r}，本服务不解码此类编码；"
                                         "请发送未压缩的内容，只用 Transfer-Encoding: chunked 或带 Content-Length 发送")
            return
        kind = headers.get("content-type", "")
        form = FORM in kind.lower()
        if (declared := charset(kind)) is not None and (declared not in READABLE or (("json" in kind.lower() or form)
                                                        and declared not in ("utf-8", "utf8"))):
            # Read as UTF-8 whatever it declared, a body could be recorded as other text than was sent (a probe's
            # GBK name became another valid UTF-8 name): JSON is UTF-8 (RFC 8259), a CSV UTF-8 or GB18030/GBK.
            said, json_body = declared[:40], "json" in kind.lower()
            send_en, send_zh = (("send JSON as UTF-8 (charset=utf-8, or no charset)",
                                 "JSON 请以 UTF-8 发送（charset=utf-8 或不声明）") if json_body else
                                (FORM_EN, FORM_ZH) if form else
                                ("send the file as UTF-8 or GB18030/GBK, declaring which (or no charset)",
                                 "文件请以 UTF-8 或 GB18030/GBK 发送，并如实声明（或不声明）"))
            await self._refuse(scope, send, 422, "invalid_request", f"the body declares charset={said!r}, which this"
                               f" service does not read: {send_en}", None,
                               zh_detail=f"请求体声明的字符集 charset={said!r} 本服务不读取：{send_zh}")
            return
        limit, named = self._limit(scope)
        stated = headers.get("content-length", "")
        if stated.isdigit() and int(stated) > limit:
            await self._too_large(scope, send, limit, named)
            return
        if scope["method"] in ("GET", "HEAD") and not stated and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body to read, cap or check: the route reads none either
            return
        try:
            body = await _read(receive, limit, self.settings.body_seconds)
        except TooLarge:
            await self._too_large(scope, send, limit, named)
            return
        except TimeoutError:
            seconds = f"{self.settings.body_seconds:g}"
            await self._refuse(scope, send, 408, "request_timeout", f"the request body did not arrive within"
                               f" {seconds} s of its headers (LEDGER_BODY_SECONDS); send the whole body at once, or"
                               " ask the operator to raise LEDGER_BODY_SECONDS for a slow link",
                               {"Connection": "close"}, seconds=self.settings.body_seconds,
                               zh_detail=f"请求头到达后 {seconds} 秒内未收到完整的请求体（LEDGER_BODY_SECONDS）；请一次"
                                         "发送完整的请求体，或请运维人员为慢速链路调高 LEDGER_BODY_SECONDS")
            return
        document = UNREAD
        if MULTIPART in kind.lower() and (named := _not_utf8_field(kind, body)) is not None:
            # A field (not a file) of a multipart form in another charset was read as Latin-1 by the form parser and
            # recorded as other text than typed (the regression probe's GBK 拨款测试, sent as multipart).
            await self._refuse(scope, send, 422, "invalid_request", f"the form's field {named[:40]!r} is not UTF-8"
                               f" text; {FORM_EN}", zh_detail=f"表单字段 {named[:40]!r} 不是 UTF-8 文本；{FORM_ZH}")
            return
        if form and body.isascii() and not path.startswith("/v1/") and (named := _not_utf8_form(body)) is not None:
            await self._refuse(scope, send, 422, "invalid_request", f"the form's field {named[:40]!r} is not UTF-8"
                               f" text; {FORM_EN}", zh_detail=f"表单字段 {named[:40]!r} 不是 UTF-8 文本；{FORM_ZH}")
            return
        if form and not body.isascii() and not path.startswith("/v1/"):
            # The API's routes take no form: each says what it does take (`curl --data-binary` sends a draft
            # catalogue as a form unless told otherwise, and was told to "send the form from its page").
            # A form's body is percent-encoded ASCII (its page sends UTF-8 so); raw bytes of another charset were
            # read as Latin-1 and recorded as other text than was typed (a probe's GBK 拨款测试 became ²¦¿î²âÊÔ).
            await self._refuse(scope, send, 422, "invalid_request", "the form's body holds bytes that are not"
                               f" percent-encoded; {FORM_EN}",
                               zh_detail=f"表单请求体含有未经百分号编码的字节；{FORM_ZH}")
            return
        if body and "json" in headers.get("content-type", "").lower():
            if json.detect_encoding(body[:4]) not in ("utf-8", "utf-8-sig"):  # RFC 8259: JSON on the wire is UTF-8
                await self._refuse(scope, send, 422, "invalid_request", "the JSON body is not UTF-8 text (it reads as"
                                   f" {json.detect_encoding(body[:4]).upper()}); save or send it as UTF-8",
                                   zh_detail="JSON 请求体不是 UTF-8 文本（看来是"
                                             f" {json.detect_encoding(body[:4]).upper()}）；请以 UTF-8 编码发送",
                                   body_field="body")
                return
            found, document = read_json(body) if len(body) < THREAD_FROM else await to_thread.run_sync(read_json, body)
            if found == DEEP:
                await self._refuse(scope, send, 422, "invalid_request", "the JSON body nests deeper than any"
                                   " request of this API (about a thousand levels); send the object the route"
                                   " documents (GET /openapi.json)",
                                   zh_detail="JSON 请求体嵌套层数过深（约一千层以上），本 API 没有这样的请求；"
                                             "请按接口文档（GET /openapi.json）发送对象", body_field="body")
                return
            if found == LONG:
                await self._refuse(scope, send, 422, "invalid_request", "the JSON body holds a number of more than"
                                   f" {sys.get_int_max_str_digits():,} digits, which no field takes; send amounts as"
                                   ' decimal strings such as "300000.00" and years as a few digits',
                                   zh_detail=f"JSON 请求体中有超过 {sys.get_int_max_str_digits():,} 位的数字，没有任何"
                                             '字段接受；金额请写成十进制数字字符串，如 "300000.00"，年度只写几位数字',
                                   body_field="body")
                return
            if found is not None:
                key = found if len(found) <= SHOWN_KEY else found[:SHOWN_KEY] + "…"  # never the whole 500 KB
                await self._refuse(scope, send, 422, "invalid_request", f"the JSON body names the key {key!r}"
                                   " twice; send each key once",
                                   zh_detail=f"JSON 请求体中键 {key!r} 出现了两次；每个键只发送一次", body_field=key)
                return
        lane = self.lanes.get(scope["method"], path) if self.lanes is not None else None
        if lane is not None and await lane(scope, body, document, principal, send):
            return  # answered past the framework (api/lanes.py); a request the lane gives back goes on below
        await self.app(scope, _replaying(body, receive), send)

    def _limit(self, scope: Scope) -> tuple[int, str]:
        if scope["path"].rstrip("/") in (STATEMENTS, IMPORTS):
            return self.settings.max_statement_bytes, "LEDGER_MAX_STATEMENT_BYTES"
        if scope["path"].rstrip("/") == CONFIRM:  # whatever previewed (at most the body limit) can be confirmed
            return 4 * -(-self.settings.max_body_bytes // 3) + CONFIRM_FIELDS, "LEDGER_MAX_BODY_BYTES"
        return self.settings.max_body_bytes, "LEDGER_MAX_BODY_BYTES"

    async def _too_large(self, scope: Scope, send: Send, limit: int, named: str) -> None:
        if scope["path"].startswith("/ui/"):  # a page's form: a page in its language, with what to do with it
            from api.web.too_large import page  # the pages' templates and words, loaded once a page is refused
            response = await to_thread.run_sync(page, Request(scope), self.settings.max_body_bytes, named)

            async def nothing() -> Message:  # the rest of the body is never read
                return {"type": "http.disconnect"}

            await response(scope, nothing, send)
            return
        en, zh = _less(scope["path"].rstrip("/"))
        await self._refuse(scope, send, 413, "body_too_large", f"the request body is larger than {limit:,} bytes"
                           f" ({named}); {en}, or ask the operator to raise {named}", {"Connection": "close"},
                           limit=limit,
                           zh_detail=f"请求体超过 {limit:,} 字节（{named}）；{zh}，或请运维人员调高 {named}")

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, code: str, detail: str,
                      headers: dict[str, str] | None = None, *, zh_detail: str | None = None,
                      body_field: str | None = None, **extensions: Any) -> None:
        """`body_field`: the malformed body's fault, listed in `errors` as a framework refusal lists its fields (the
        README's Conventions: a client showing `errors[]` beside its fields got none for a duplicate key)."""
        if scope["path"].startswith("/ui/"):  # a page's refusal is a page (README, "Pages"), in its language
            response = await to_thread.run_sync(_page, Request(scope), status, code, detail, zh_detail)
            response.headers.update(headers or {})
        else:
            if body_field is not None:
                said = zh_detail if zh_detail and language.of(Request(scope)) == "zh" else detail
                extensions["errors"] = [{"field": body_field, "location": "body", "message": said, "code": code}]
            response = problems.problem(Request(scope), status, code, detail, headers=headers, zh_detail=zh_detail,
                                        **extensions)

        async def nothing() -> Message:  # the body is never read: the caller is refused before it
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)


def _page(request: Request, status: int, code: str, detail: str, zh_detail: str | None) -> Any:
    """The refusal page of a refusal made here, before the pages' own routes (a NUL in a page's address was
    answered problem+json in English). Sync: it looks up who is signed in, so call it off the event loop."""
    from api.web import i18n  # the pages' templates and words, loaded once a page is refused here
    from api.web.pages import refusal

    return refusal(request, status, code, zh_detail if zh_detail and i18n.language(request) == "zh" else detail)


async def _read(receive: Receive, limit: int, seconds: float) -> bytes:
    """The request's body, at most `limit` bytes (TooLarge past it), within `seconds` of its headers (TimeoutError
    past them), taking a last look first (api/http_protocol.py LAST_LOOK): after the worker stalled longer than the
    bound, the timer fired before the body that had reached the socket in time was read, and the client was told
    it was too slow (a probe)."""
    chunks, size, done = [], 0, False

    async def rest() -> None:
        nonlocal size, done
        while not done:
            message = await receive()
            if message["type"] != "http.request":
                done = True
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
            done = not message.get("more_body", False)

    for allowed in (seconds, LAST_LOOK):
        with anyio.move_on_after(allowed):
            await rest()
        if done:
            return b"".join(chunks)
    raise TimeoutError


def _replaying(body: bytes, receive: Receive) -> Receive:
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the disconnect, when it comes

    return replay


def relative(location: str) -> str:
    """A redirect's target without scheme and host: Starlette builds absolute ones (a trailing-slash redirect)
    from the request's Host header, which the client chooses; a relative one sends it back to this server."""
    parts = urlsplit(location)
    if not parts.scheme and not parts.netloc:
        return location
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def _less(path: str) -> tuple[str, str]:
    """What to send instead of a body too large, for the route it was sent to, (English, Chinese)."""
    if path == STATEMENTS:
        return "split the statement by month and send each part", "请按月拆分流水，分别发送"
    if path == IMPORTS:
        return "split the list into several files and import each", "请将名单拆分为几个文件，分别导入"
    if path == SIMULATIONS:
        return ("send the catalogue file alone (the one in force is about 14,000 bytes)",
                "请只发送政策目录文件本身（现行目录约 14,000 字节）")
    return ("send only the fields the route takes (see /docs), each as short as its value",
            "请只发送该接口所需的字段（见 /docs），内容从简")
