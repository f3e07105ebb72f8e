"""An address under /ui/ that is no page: a 404 page in the reader's language, in the site's layout with its
navigation, linking home. The JSON API's unknown paths stay problem+json (api/problems.py)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.routing import Match

from api.web import i18n
from api.web.i18n import MESSAGES
from api.web.pages import FORM_ONLY, PAGES, PageRoute, refusal

router = APIRouter(route_class=PageRoute, include_in_schema=False)
ANYWHERE = "/ui/{rest:path}"
MESSAGES.update({
    "no_page_title": ("页面不存在", "No such page"),
    "no_page": ("本站没有 {path} 这个页面；请从首页重新打开所需页面。",
                "There is no page at {path}; open the page you need from the home page."),
    "go_home": ("返回首页", "Go to the home page"),
    "no_method_title": ("此地址不能这样打开", "This address is not opened that way"),
    "no_method": ("{path} 是表单提交的地址，只接受 {allowed}，不能用 {method} 打开（例如刷新、书签或粘贴的链接）；"
                  "请回到相应页面，用页面上的按钮重新操作。未写入任何内容。",
                  "{path} is where a form is sent; it takes {allowed}, not {method} (a refresh, a bookmark or a"
                  " pasted link); go back to the page and use its button again. Nothing was written."),
    "no_method_page": ("{path} 是页面地址，只能直接打开（{allowed}），不接受 {method}；请从首页或页面上的链接打开它。"
                       "未写入任何内容。",
                       "{path} is a page: it is opened ({allowed}), not sent {method}; open it from the home page or a"
                       " link. Nothing was written."),
})


def _elsewhere(request: Request) -> Response | None:
    """What Starlette's router answers when no route takes the request, for the paths this route now takes: a
    page's path asked with another method is still refused 405, and a page's path with or without its trailing
    slash still redirected to the page."""
    others = [route for pages in PAGES for route in pages.routes]
    allowed = sorted({m for route in others if route.matches(request.scope)[0] is Match.PARTIAL
                      for m in getattr(route, "methods", None) or ()})
    if request.url.path in FORM_ONLY:  # its GET is the 405 page below, not a page (a regression probe)
        allowed = ["POST"]
    if allowed:
        return wrong_method(request, allowed)
    path = request.url.path
    toggled = dict(request.scope, path=path.rstrip("/") if path.endswith("/") else path + "/")
    if any(route.matches(toggled)[0] is not Match.NONE for route in others):
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(toggled["path"] + query, status_code=307)
    return None


def wrong_method(request: Request, allowed: list[str]) -> Response:
    """A page's address asked with a method it does not take: a form's address opened again (a refresh, a bookmark,
    a pasted link) read JSON in English (a zh probe); it is a page in the site's layout, with the API's status and
    code, saying what to do, and the Allow header."""
    t = i18n.translator(i18n.language(request))
    allowed = [m for m in allowed if m != "HEAD"]
    answer = refusal(request, 405, "method_not_allowed",
                     t("no_method_page" if "GET" in allowed else "no_method", path=request.url.path,
                       method=request.method, allowed=", ".join(allowed)),
                     title=t("no_method_title"), back=t("go_home"))
    # HEAD is served wherever GET is (api/front.py), so Allow says so (a regression probe).
    answer.headers["Allow"] = ", ".join(sorted({*allowed, "HEAD"} if "GET" in allowed else set(allowed)))
    return answer


@router.api_route(ANYWHERE, methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def no_page(request: Request, rest: str) -> Response:
    """No page at this address: say so and link home, signed in or not."""
    if (answer := _elsewhere(request)) is not None:
        return answer
    t = i18n.translator(i18n.language(request))
    return refusal(request, 404, "not_found", t("no_page", path=request.url.path), title=t("no_page_title"),
                   back=t("go_home"))
