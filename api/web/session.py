"""Who is signed in: the API's own principals, found by the token kept in an HttpOnly, SameSite=Strict
cookie; and the double-submit CSRF token every form posts back."""
from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Form, Request, Response

from api.auth import Principals
from ledger.domain.errors import Forbidden
from ledger.principals import Principal, Role

TOKEN_COOKIE = "ledger_session"
CSRF_COOKIE = "ledger_csrf"
PATH = "/ui"


class SignInNeeded(Exception):
    """No session cookie, or one whose token matches no principal."""


class CsrfRefused(Exception):
    """A form came back without the CSRF token this browser was given."""


def find(request: Request, token: str | None) -> Principal | None:
    principals: Principals = request.app.state.principals
    return None if not token else principals.find(token)


async def _principal(request: Request) -> Principal:
    found = find(request, request.cookies.get(TOKEN_COOKIE))
    if found is None:
        raise SignInNeeded
    return found


PagePrincipal = Annotated[Principal, Depends(_principal)]


def allowing(*roles: Role, doing: str):
    """The page twin of `api.deps.requires`: the same roles, the same refusal (403 `forbidden`)."""
    allowed = " or ".join(r.value for r in roles)

    async def gate(by: PagePrincipal) -> Principal:
        if by.role not in roles:
            raise Forbidden(f"{by.name} ({by.role.value}) may not {doing}; that needs {allowed}")
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


def _cookie(response: Response, request: Request, name: str, value: str, *, http_only: bool = True) -> None:
    response.set_cookie(name, value, path=PATH, httponly=http_only, samesite="strict",
                        secure=request.url.scheme == "https")


def remember(response: Response, request: Request, token: str) -> None:
    _cookie(response, request, TOKEN_COOKIE, token)


def forget(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path=PATH)


def keep_csrf(response: Response, request: Request) -> None:
    """Set the CSRF cookie if this request made the token."""
    made = getattr(request.state, "csrf", None)
    if made is not None and not request.cookies.get(CSRF_COOKIE):
        _cookie(response, request, CSRF_COOKIE, made)
