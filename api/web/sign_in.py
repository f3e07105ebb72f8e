"""Signing in and out with a token, and the pages' static files (the home page is api/web/home.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.web.pages import HERE, PageRoute, render
from api.web.session import CsrfChecked, find, forget, remember
from ledger.domain.errors import NotFound

router = APIRouter(route_class=PageRoute, include_in_schema=False)
STATIC = {"style.css": "text/css", "app.js": "text/javascript", "favicon.svg": "image/svg+xml"}


def _safe_next(target: str | None) -> str:
    # Only a page of this site: never an absolute or scheme-relative URL (an open redirect).
    if target and target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui/"


def _expired(said: str | None) -> str | None:
    # Why the browser was sent here (api/web/pages.py `sign_in_again`): a form sent after the session was over
    # ("form"), or a page opened with a session cookie that signs no one in any more ("page").
    return said if said in ("form", "page") else None


@router.get("/ui/sign-in")
def sign_in_form(request: Request, next: str | None = None, expired: str | None = None) -> Response:
    """The sign-in form; sent here by a page once the session is over (`expired`), it says so, and for a form that
    what was sent was not recorded."""
    return render(request, "sign_in.html", next=_safe_next(next), expired=_expired(expired))


@router.post("/ui/sign-in", dependencies=[CsrfChecked])
def sign_in(request: Request, token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/ui/",
            expired: Annotated[str, Form()] = "") -> Response:
    """Check the token against the principals file; open a server-side session, its id in an HttpOnly cookie."""
    if not token.strip():  # nothing typed: asked for, not told it matches no one (a clerk's probe)
        return render(request, "sign_in.html", 422, next=_safe_next(next), failed="no_token",
                      expired=_expired(expired))
    if find(request, token.strip()) is None:
        return render(request, "sign_in.html", 401, next=_safe_next(next), failed="bad_token",
                      expired=_expired(expired))
    response = RedirectResponse(_safe_next(next), status_code=303)
    remember(response, request, token.strip())
    return response


@router.post("/ui/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request) -> Response:
    """End the session server-side and forget its cookie."""
    response = RedirectResponse("/ui/sign-in", status_code=303)
    forget(response, request)
    return response


@router.get("/")
def root() -> Response:
    """The site's root is the dashboard: people who type the host name land on /ui/."""
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui")
def home_without_slash() -> Response:
    """/ui is /ui/."""
    return RedirectResponse("/ui/", status_code=307)


@router.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon where browsers look for it first, so no page's first view logs a 404."""
    return static("favicon.svg")


@router.get("/ui/static/{name}")
def static(name: str) -> Response:
    """The pages' stylesheet and their one small script."""
    if name not in STATIC:
        raise NotFound(f"there is no static file {name!r}", zh=f"没有静态文件 {name!r}；请从首页重新打开页面")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name],
                        headers={"Cache-Control": "public, max-age=300"})
