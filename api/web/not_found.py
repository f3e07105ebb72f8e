"""An address under /ui/ that is no page: a 404 page in the reader's language, in the site's layout with its
navigation, linking home. The JSON API's unknown paths stay problem+json (api/problems.py)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api.web import i18n
from api.web.i18n import MESSAGES
from api.web.pages import PageRoute, refusal

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ANYWHERE = "/ui/{rest:path}"
PAGES: list[APIRouter] = []  # every other page's router (api/web/__init__.py): the only routes under /ui/
MESSAGES.update({
    "no_page_title": ("页面不存在", "No such page"),
    "no_page": ("本站没有 {path} 这个页面；请从首页重新打开所需页面。",
                "There is no page at {path}; open the page you need from the home page."),
    "go_home": ("返回首页", "Go to the home page"),
})


def _elsewhere(request: Request) -> Response | None:
    """What Starlette's router answers when no route takes the request, for the paths this route now takes: a
    page's path asked with another method is still refused 405, and a page's path with or without its trailing
    slash still redirected to the page."""
    others = [route for pages in PAGES for route in pages.routes]
    for route in others:
        if route.matches(request.scope)[0] is Match.PARTIAL:
            raise HTTPException(405, headers={"Allow": ", ".join(sorted(getattr(route, "methods", None) or ()))})
    path = request.url.path
    toggled = dict(request.scope, path=path.rstrip("/") if path.endswith("/") else path + "/")
    if any(route.matches(toggled)[0] is not Match.NONE for route in others):
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(toggled["path"] + query, status_code=307)
    return None


@router.api_route(ANYWHERE, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
def no_page(request: Request, rest: str) -> Response:
    """No page at this address: say so and link home, signed in or not."""
    if (answer := _elsewhere(request)) is not None:
        return answer
    t = i18n.translator(i18n.language(request))
    return refusal(request, 404, "not_found", t("no_page", path=request.url.path), title=t("no_page_title"),
                   back=t("go_home"))
