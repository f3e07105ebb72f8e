"""The API docs in a real browser with every other host cut off: Swagger UI and ReDoc render from the app's
own assets, and the page asks no other host for anything. (ReDoc's sidebar shows Redocly's logo from their
CDN; the docs' Content-Security-Policy keeps that image from being asked for at all.)"""
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
    # Only ReDoc's brand image is stopped by the policy: every script and stylesheet came from the app.
    assert all(m.startswith("Loading the image 'https://cdn.redoc.ly/") for m in refused), refused
