"""Rendering: the Jinja2 templates with the language, money filters and CSRF token, and `PageRoute`,
which turns the ledger's refusals into HTML pages with the API's own status codes."""
from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from uuid import uuid4

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api import field_messages
from api.problems import STATUS_BY_KIND, EdgeProblem, chinese_detail
from api.problems import title as problem_title
from api.web import amounts, i18n
from api.web.session import CsrfRefused, SignInNeeded, csrf_token, current, keep_csrf
from ledger import beijing
from ledger.domain.errors import LedgerError
from ledger.messages import render_step

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(yuan=amounts.yuan, wan=amounts.wan, bj=beijing.shown)


def here(request: Request, **params: Any) -> str:
    """This page's URL with `params` set, relative: never built from the Host header the client sent."""
    query = dict(request.query_params) | {k: str(v) for k, v in params.items()}
    return f"{request.url.path}?{urlencode(query)}" if query else request.url.path


templates.env.globals.update(share=amounts.share, new_key=lambda: uuid4().hex, here=here)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the request's language, with who is signed in and a CSRF token for its forms."""
    lang = i18n.language(request)
    t = i18n.translator(lang)
    if "principal" not in context:
        context["principal"] = current(request)
    response = templates.TemplateResponse(request, name, {
        "lang": lang, "t": t, "csrf": csrf_token(request), "other_lang": "en" if lang == "zh" else "zh",
        "event_label": lambda e: i18n.pick(i18n.EVENTS, e, lang) or e,
        "status_label": lambda s: t({"approved": "approved_status"}.get(s, s)),
        "step_detail": lambda step: render_step(step, lang), **context}, status_code=status)
    keep_csrf(response, request)
    if request.query_params.get("lang") in i18n.LANGS:
        response.set_cookie(i18n.COOKIE, lang, path="/ui", samesite="strict", max_age=365 * 86400)
    return response


def refusal(request: Request, status: int, code: str, detail: str) -> HTMLResponse:
    """The refusal page: the problem's status, code and detail, as the API would have answered."""
    lang = i18n.language(request)
    title = i18n.pick(i18n.REFUSALS, code, lang) or problem_title(code, lang)
    return render(request, "refused.html", status, status_code=status, code=code, title=title, detail=detail)


class PageRoute(APIRoute):
    """A route whose refusals are pages: the same status and code as the API, in HTML."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInNeeded:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/ui/sign-in?next={quote(target)}", status_code=303)
            except CsrfRefused:
                return refusal(request, 403, "csrf", "the form's CSRF token does not match this browser's")
            except LedgerError as err:
                detail = chinese_detail(err) if i18n.language(request) == "zh" else err.detail
                return refusal(request, STATUS_BY_KIND.get(err.kind, 422), err.code, detail)
            except EdgeProblem as err:
                return refusal(request, err.status, err.code, err.detail)
            except (RequestValidationError, ValidationError) as err:
                errors = list(err.errors())
                code = next((field_messages.code(e) for e in errors), "invalid_request")
                return refusal(request, 422, code, field_messages.joined(errors, i18n.language(request)))

        return page
