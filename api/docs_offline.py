"""ReDoc's bundle as /redoc loads it, less the one address on another host it names: Redocly's logo at the foot of
its sidebar (https://cdn.redoc.ly/redoc/logo-mini.svg). The docs' Content-Security-Policy kept the browser from
asking for it, and the browser said so on the console of every /redoc (a newcomer probe); the logo is now an image
of the page's own, an empty SVG, so nothing on another host is named at all."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import Response
from starlette.routing import Route

LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
OWN_LOGO = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"
BUNDLE = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"


@cache
def _bundle() -> bytes:
    return BUNDLE.read_bytes().replace(LOGO, OWN_LOGO)


def serve_redoc_bundle(app: FastAPI, assets: str) -> None:
    """Answer `{assets}/redoc.standalone.js` with the bundle above, ahead of fastapi-offline's mount of its files."""

    async def bundle(request: object) -> Response:
        return Response(_bundle(), media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.router.routes.insert(0, Route(f"{assets}/redoc.standalone.js", bundle, methods=["GET", "HEAD"]))
