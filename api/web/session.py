"""Who is signed in: the API's own principals, found through a server-side session (api/web/sessions.py)
whose random id is kept in an HttpOnly, SameSite=Strict cookie (`Secure` when LEDGER_COOKIE_SECURE); and the
double-submit CSRF token every form posts back."""
from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from api.auth import token_hash
from api.web import sessions
from ledger.domain.errors import Forbidden
from ledger.principals import Principal, Role, role_refusal_zh

SESSION_COOKIE = "ledger_session"
CSRF_COOKIE = "ledger_csrf"
PATH = "/ui"


class SignInNeeded(Exception):
    """No session cookie, or one whose session is unknown, signed out or expired."""


class CsrfRefused(Exception):
    """A form came back without the CSRF token this browser was given."""


def find(request: Request, token: str | None) -> Principal | None:
    """The principal of an API token typed into the sign-in form."""
    return None if not token else request.app.state.principals.find(token)


def current(request: Request) -> Principal | None:
    """Who this request's session signs in (looked up once per request), or None."""
    state = request.scope.setdefault("state", {})
    if "ui_principal" not in state:
        state["ui_principal"] = sessions.principal(request.app.state, request.cookies.get(SESSION_COOKIE))
    return state["ui_principal"]


def _principal(request: Request) -> Principal:  # sync: FastAPI runs it off the event loop (a store lookup)
    found = current(request)
    if found is None:
        raise SignInNeeded
    return found


PagePrincipal = Annotated[Principal, Depends(_principal)]


def allowing(*roles: Role, doing: str):
    """The page twin of `api.deps.requires`: the same roles, the same refusal (403 `forbidden`)."""
    allowed = " or ".join(r.value for r in roles)

    async def gate(by: PagePrincipal) -> Principal:
        if by.role not in roles:
            raise Forbidden(f"{by.name} ({by.role.value}) may not {doing}; that needs {allowed}",
                            zh=role_refusal_zh(by.name, by.role.value, doing, tuple(r.value for r in roles)))
        return by

    return Depends(gate)


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, made once and kept on the request until the page sets its cookie."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if token is None:
        token = request.state.csrf = secrets.token_urlsafe(24)
    return token


async def _checked_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, csrf):
        raise CsrfRefused


CsrfChecked = Depends(_checked_csrf)


def _cookie(response: Response, request: Request, name: str, value: str, *, max_age: int | None = None) -> None:
    # `Secure` by setting, never by a forwarded header a client can send.
    response.set_cookie(name, value, path=PATH, httponly=True, samesite="strict", max_age=max_age,
                        secure=request.app.state.settings.cookie_secure)


def remember(response: Response, request: Request, token: str) -> None:
    """Open a session for the principal of `token` and give the browser its id (never the token)."""
    seconds = request.app.state.settings.session_minutes * 60
    session_id = sessions.open_session(request.app.state, token_hash(token), seconds)
    _cookie(response, request, SESSION_COOKIE, session_id, max_age=seconds)


def forget(response: Response, request: Request) -> None:
    """End the session server-side (its cookie is refused from now on, wherever copied) and drop the cookie."""
    sessions.close_session(request.app.state, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path=PATH)


def keep_csrf(response: Response, request: Request) -> None:
    """Set the CSRF cookie if this request made the token."""
    made = getattr(request.state, "csrf", None)
    if made is not None and not request.cookies.get(CSRF_COOKIE):
        _cookie(response, request, CSRF_COOKIE, made)
