"""Rendering: the Jinja2 templates with the language, money filters and CSRF token, and `PageRoute`,
which turns the ledger's refusals into HTML pages with the API's own status codes."""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from uuid import uuid4

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api import labels
from api.logs import PAGE_REFUSAL
from api.problems import STATUS_BY_KIND, EdgeProblem, located, store_unavailable
from api.web import amounts, i18n, query_notice, refusal_words
from api.web.session import SESSION_COOKIE, CsrfRefused, SignInNeeded, csrf_token, current, keep_csrf
from ledger import beijing
from ledger.audit.tampering import Unfolded
from ledger.connection import STORE_ERRORS
from ledger.domain.errors import LedgerError
from ledger.messages import render_step, system_note

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def _lang(context: Any) -> str:
    return context.get("lang") or i18n.DEFAULT


def shown(moment: object, lang: str, *, exact: bool = False) -> str:
    """A stored moment in Beijing time, saying so in `lang`: `2026-12-03 19:40:12（北京时间）` (`exact`: with its
    fraction of a second where it has one, as an `as_of` is shown)."""
    found = beijing.local(moment)  # type: ignore[arg-type]
    return "" if found is None else i18n.translator(lang)("beijing_time", at=beijing.clock(found, exact=exact))


# Filters in the page's language: money in 元 or yuan, moments named as Beijing time, a claim's subject by kind.
templates.env.filters.update(yuan=pass_context(lambda c, v: amounts.yuan(v, _lang(c))),
                             wan=pass_context(lambda c, v: amounts.wan(v, _lang(c))), grouped=amounts.grouped,
                             bj=pass_context(lambda c, v: shown(v, _lang(c))),
                             bj_exact=pass_context(lambda c, v: shown(v, _lang(c), exact=True)),
                             note=pass_context(lambda c, v, programme=None: system_note(
                                 v, _lang(c), labels.tier_namer(programme, _lang(c)))),
                             subject=pass_context(lambda c, v: i18n.subject_name(v, _lang(c))))


def here(request: Request, **params: Any) -> str:
    """This page's URL with `params` set (None: left out), relative: never built from the Host header the client
    sent. A parameter sent more than once keeps the value the page applied (`request.state.applied_query`, the
    queue's repeated filters), not the last sent: the next page's link carried an ignored value (a regression
    probe's 下一页 led to a 422)."""
    applied = getattr(request.state, "applied_query", {})
    query = {k: str(v) for k, v in (dict(request.query_params) | applied | params).items() if v is not None}
    return f"{request.url.path}?{urlencode(query)}" if query else request.url.path


# Every page's router but the 404's (api/web/__init__.py fills it; api/web/not_found.py reads it): the routes under
# /ui/ that are pages.
PAGES: list[APIRouter] = []
# A form's address that a page's route with an id would otherwise take for a page (/ui/claims/{id}).
FORM_ONLY = frozenset({"/ui/claims/confirm"})
NOT_PAGES = ("/ui/sign-in", "/ui/static/")  # addresses a GET takes that are no page to land on


def _is_page(request: Request, path: str) -> bool:
    """Whether a GET of `path` opens one of the pages (not a form's address, the sign-in page or a static file)."""
    if not path.startswith("/ui/") or path in FORM_ONLY or path.startswith(NOT_PAGES):
        return False
    routes = [route for pages in PAGES for route in pages.routes]
    if fixed := [route for route in routes if getattr(route, "path", None) == path]:
        # An address of its own is what its own routes take: /ui/finance/statements/preview is a form's, not the
        # page of a statement whose id is "preview".
        return any("GET" in (getattr(route, "methods", None) or ()) for route in fixed)
    scope = {"type": "http", "method": "GET", "path": path, "root_path": request.scope.get("root_path", ""),
             "query_string": b"", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in routes)


def sent_from(request: Request) -> str:
    """The page a form was sent from, relative: its Referer's path and query when that is one of these pages on
    this host (Referrer-Policy `same-origin`, api/edge.py: browsers send it only here), else the nearest page the
    form's address lies under, by the app's own routes (`/ui/claims/{id}/reject` is the claim's page,
    `/ui/recoveries/{id}/write-off/reverse` the recovery's), else the home page. A refused form comes back at its
    own address, which takes no GET: a form sent again from there names that address as its Referer, which is no
    page, and is placed by its address the same way. Never built from the Host header."""
    said = urlsplit(request.headers.get("referer", ""))
    if said.netloc in ("", request.url.netloc) and said.scheme in ("", "http", "https") and \
            _is_page(request, said.path):
        query = urlencode(parse_qsl(said.query, keep_blank_values=True))
        return quote(said.path, safe="/%") + (f"?{query}" if query else "")
    path = request.url.path
    while path.startswith("/ui/") and path != "/ui/":  # the address, then up one segment at a time
        if _is_page(request, path):
            return quote(path, safe="/%")
        path = path.rstrip("/").rsplit("/", 1)[0] or "/"
        path = "/ui/" if path == "/ui" else path
    return "/ui/"


def in_language(request: Request, lang: str) -> str:
    """Where the language link leads: this page in `lang`; after a form (a refused one comes back at the form's
    address, which takes no GET) the page the form was sent from (`sent_from`) in `lang` (a pages probe: a clerk
    switching language to read a refusal landed on the home page, and, with no Referer ever sent, did still).
    Relative, never the Host header's."""
    if request.method in ("GET", "HEAD"):
        return here(request, lang=lang)
    page = urlsplit(sent_from(request))
    return f"{page.path}?{urlencode(dict(parse_qsl(page.query)) | {'lang': lang})}"


def sign_in_again(request: Request) -> str:
    """Where a page sends a browser whose session is absent or over: the sign-in page, and from it, once signed in,
    back to this page; for a form (a POST, which wrote nothing), to the page it was sent from (`sent_from`), never to
    the form's own address, which takes no GET (a clerk's probe: signing in again after the session expired under
    a rejection landed on the 405 page), saying the session is over and the form was not recorded (`expired=form`).
    A page opened with a session cookie that no longer signs anyone in says the session is over
    (`expired=page`); a browser that never signed in is not told so."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "page" if request.cookies.get(SESSION_COOKIE) else None
    else:
        target, expired = sent_from(request), "form"
    return f"/ui/sign-in?{urlencode({'next': target} | ({'expired': expired} if expired else {}), safe='/')}"


templates.env.globals.update(share=amounts.share, new_key=lambda: uuid4().hex, here=here, in_language=in_language)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with who is signed in and a CSRF token for its forms."""
    lang = i18n.language(request)
    t = i18n.translator(lang)
    if "principal" not in context:
        context["principal"] = current(request)
    if "ignored" not in context and status == 200:  # a list says its own (api/web/query_notice.py)
        context["unread_params"] = query_notice.unread(request, lang)
    response = templates.TemplateResponse(request, name, {
        "lang": lang, "t": t, "csrf": csrf_token(request), "other_lang": "en" if lang == "zh" else "zh",
        "event_label": lambda e: i18n.pick(i18n.EVENTS, e, lang) or e,
        "status_label": lambda s: i18n.status_name(s, lang), "rule_label": lambda r: i18n.rule_name(r, lang),
        "role_label": lambda r: i18n.role_name(r, lang),
        "field_label": lambda f, form=None: i18n.field_label(f, lang, form),
        "step_detail": lambda step: render_step(step, lang), **context}, status_code=status)
    keep_csrf(response, request)
    if request.query_params.get("lang") in i18n.LANGS:
        # Secure by the same setting as the session's and the CSRF cookie's (this one was not: an operator probe).
        response.set_cookie(i18n.COOKIE, lang, path="/ui", samesite="strict", max_age=365 * 86400,
                            secure=request.app.state.settings.cookie_secure)
    return response


def refusal(request: Request, status: int, code: str, detail: str, title: str | None = None,
            back: str | None = None) -> HTMLResponse:
    """The refusal page: the problem's status, code and detail, as the API would have answered; `title` and the
    `back` link's words where the page has its own."""
    lang = i18n.language(request)
    request.scope.setdefault("state", {})[PAGE_REFUSAL] = code  # for the request's log line (api/logs.py)
    title = title or refusal_words.title(code, lang, form=request.method == "POST")
    try:
        who = current(request)
    except STORE_ERRORS:  # the store that refused the page cannot say who is signed in either
        who = None
    return render(request, "refused.html", status, status_code=status, code=code, title=title, detail=detail,
                  principal=who, back=back)


_TOO_MANY = re.compile(r"Too many (fields|files)\. Maximum number of \w+ is (\d+)\.")


def _unreadable_form(said: str, lang: str) -> str:
    """Why a form could not be read (Starlette's English), and what to do, in `lang`."""
    if found := _TOO_MANY.fullmatch(said):
        most = int(found[2])
        if found[1] == "files":
            return (f"表单最多可附 {most:,} 个文件；请减少文件后重新提交。未写入任何内容。" if lang == "zh" else
                    f"The form carries more than {most:,} files; send fewer. Nothing was written.")
        if lang == "zh":
            return f"表单项过多：此页面一次最多读取 {most:,} 项；请减少所选项目，分批提交。未写入任何内容。"
        return (f"The form has more than {most:,} fields, as many as this page reads at once; send fewer, in batches."
                " Nothing was written.")
    return ("无法读取提交的表单；请返回上一页，重新填写后提交。未写入任何内容。" if lang == "zh" else
            f"The form could not be read ({said}); go back to the page and send it again. Nothing was written.")


# A page's form and the API route that does what it does, where that route's path is not the page's under /v1/.
API_OF_FORM = {"/ui/certifications/new": "/v1/certifications", "/ui/finance/appropriations": "/v1/appropriations",
               "/ui/finance/appropriations/correct": "/v1/appropriations/{year}/correct",
               "/ui/finance/payouts": "/v1/payouts", "/ui/finance/reversals": "/v1/payouts/{payout_id}/reverse",
               "/ui/finance/statements": "/v1/finance/bank-statements", "/ui/sandbox": "/v1/simulations"}
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _not_a_form(request: Request, form: str) -> HTMLResponse | None:
    """The refusal of a body sent to the page form `form` (a route's path) that is no form (JSON, as to the API):
    it was told the form had expired and to reload a page it never loaded (a robustness probe). It is told the
    address is a page's form, and the API route to use where there is one; else to send the form from its page."""
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if request.method != "POST" or not kind or kind in FORM_TYPES:
        return None
    api = API_OF_FORM.get(form, form.replace("/ui/", "/v1/", 1))
    paths: dict[str, Any] = request.app.openapi().get("paths", {}) if hasattr(request.app, "openapi") else {}
    zh = i18n.language(request) == "zh"
    if "post" in paths.get(api, {}):
        # the page's own ids in the API's path (POST /v1/claims/C-1/approve), the others as the API documents them
        api = re.sub(r"\{(\w+)\}", lambda found: str(request.path_params.get(found[1], found[0]))[:100], api)
        said = (f"{request.url.path} 是页面表单的提交地址，只接受从页面提交的表单，本次请求的类型为 {kind[:40]}；"
                f"程序请改用接口 POST {api}（以 Authorization: Bearer <令牌> 发送 JSON，见 /docs）。未写入任何内容。"
                if zh else
                f"{request.url.path} is a page's form: it takes the form its page sends, and this request was sent as"
                f" {kind[:40]}. A program uses the API's POST {api} instead (JSON, with Authorization: Bearer <token>;"
                " see /docs). Nothing was written.")
    else:
        said = (f"{request.url.path} 是页面表单的提交地址，只接受从页面提交的表单（application/x-www-form-urlencoded"
                f"），本次请求的类型为 {kind[:40]}；请在浏览器中打开该页面，从页面提交。未写入任何内容。" if zh else
                f"{request.url.path} is a page's form: it takes the form its page sends"
                f" (application/x-www-form-urlencoded), and this request was sent as {kind[:40]}. Open the page in a"
                " browser and send the form from it. Nothing was written.")
    title = "此地址是页面表单" if zh else "This address is a page's form"
    return refusal(request, 415, "invalid_request", said, title=title)


class PageRoute(APIRoute):
    """A route whose refusals are pages: the same status and code as the API, in HTML."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        form = self.path

        async def page(request: Request) -> Response:
            if (refused := _not_a_form(request, form)) is not None:
                return refused
            try:
                return await handler(request)
            except SignInNeeded:
                return RedirectResponse(sign_in_again(request), status_code=303)
            except CsrfRefused:
                return refusal(request, 403, "csrf", "表单的 CSRF 令牌与本浏览器的不一致；请刷新页面后重新提交"
                               if i18n.language(request) == "zh" else
                               "the form's CSRF token does not match this browser's")
            except Unfolded as unfolded:
                if (found := await located(request, unfolded)) is None:
                    raise (unfolded.__cause__ or unfolded) from None
                return refusal(request, 409, found.code, refusal_words.detail(found, i18n.language(request)))
            except LedgerError as err:
                detail = refusal_words.detail(err, i18n.language(request))
                return refusal(request, STATUS_BY_KIND.get(err.kind, 422), err.code, detail)
            except EdgeProblem as err:
                return refusal(request, err.status, err.code, refusal_words.detail(err, i18n.language(request)))
            except (RequestValidationError, ValidationError) as err:
                errors = list(err.errors())
                code, detail = refusal_words.fields(errors, i18n.language(request))
                return refusal(request, 422, code, detail)
            except STORE_ERRORS as err:  # the API's answer (busy, store_unavailable), as a page
                answer = await store_unavailable(request, err, i18n.language(request))
                said = json.loads(bytes(answer.body))
                page_ = refusal(request, answer.status_code, said["code"], said["detail"])
                if "retry-after" in answer.headers:
                    page_.headers["Retry-After"] = answer.headers["retry-after"]
                return page_
            except HTTPException as err:
                if err.status_code != 400:
                    raise
                # The form parser's refusal (too many fields, a broken multipart body): the API's handler would
                # advise sending JSON, which no form can; say what a person at this page can do instead.
                return refusal(request, 422, "invalid_request", _unreadable_form(str(err.detail),
                                                                                 i18n.language(request)))

        return page
