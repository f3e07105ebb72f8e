"""/docs and /redoc work without the internet: every script, stylesheet and icon they load is served by the
app itself (fastapi-offline's packaged Swagger UI and ReDoc), never by a CDN."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest


class _Assets(HTMLParser):
    """The URLs a page loads: <script src>, <link href> (stylesheets and icons), <img src>."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        if wanted and named.get(wanted):
            self.found.append((tag, named[wanted]))


def _assets(html: str) -> list[tuple[str, str]]:
    parser = _Assets()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_load_nothing_from_another_host(api, page):
    """Every script and stylesheet /docs and /redoc reference is a path on this app, and it answers 200."""
    answer = api.client.get(page)
    assert answer.status_code == 200 and "text/html" in answer.headers["content-type"]
    assets = _assets(answer.text)
    assert any(tag == "script" for tag, _ in assets), answer.text  # the UI itself, not an empty page
    if page == "/docs":
        assert any(tag == "link" and url.endswith(".css") for tag, url in assets), answer.text
    assert "fonts.googleapis.com" not in answer.text and "cdn." not in answer.text
    for tag, url in assets:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), f"{page} loads {url} from elsewhere"
        served = api.client.get(url)
        assert served.status_code == 200 and len(served.content) > 1000, (url, served.status_code)
        if tag == "script":
            assert "javascript" in served.headers["content-type"], url


def test_the_docs_assets_need_no_token_and_are_not_resources(api):
    """The assets are public like /docs, and appear in no operation of the OpenAPI document."""
    paths = api.client.get("/openapi.json").json()["paths"]
    assert not any(path.startswith("/docs") or path.startswith("/redoc") for path in paths)
    assert api.client.get("/docs-assets/redoc.standalone.js").status_code == 200
    assert api.client.get("/docs-assets/no-such-file.js").status_code == 404
