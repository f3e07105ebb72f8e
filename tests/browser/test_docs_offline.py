"""The API docs in a real browser with every other host cut off: Swagger UI and ReDoc render from the app's
own assets, and the page asks no other host for anything, nor names one the Content-Security-Policy must stop
(ReDoc's sidebar named Redocly's logo on their CDN: the policy stopped it, and the console said so, a newcomer
probe; api/docs_offline.py serves the bundle with an image of its own)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .info .title"), ("/redoc", ".api-info h1")])
def test_the_docs_render_with_no_other_host(page, live, path, ready):
    """Requests to any host but the app's are refused and counted; the docs render, and none was made."""
    ours = urlsplit(live.url).netloc
    elsewhere: list[str] = []
    refused: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if urlsplit(url).netloc == ours or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            elsewhere.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(path)
    expect(page.locator(ready)).to_contain_text("award-ledger", timeout=30_000)
    if path == "/docs":
        expect(page.locator(".opblock-tag").first).to_be_visible()
    else:
        expect(page.locator("[data-role='search:results']").or_(page.locator("[role='search']")).first).to_be_attached()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"docs-offline{path.replace('/', '-')}.png"))  # the first screen
    assert elsewhere == [], elsewhere
    assert refused == [], refused  # nothing the policy had to stop
