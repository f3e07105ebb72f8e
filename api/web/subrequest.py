"""Asking the JSON API itself, in process, as the signed-in principal: a download page then answers
exactly what the API answers (same principals, same refusals), without the page knowing how it is made."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from api.auth import SUBREQUEST_PRINCIPAL
from ledger.principals import Principal


@dataclass
class Answer:
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)


async def get(request: Request, path: str, params: dict[str, Any], principal: Principal | None,
              lang: str = "en") -> Answer:
    """GET `path` on this very app as `principal` (the session's: the server holds no token to send), in `lang`;
    the whole answer, buffered. The principal travels in the scope's state, which no client can set."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": request.url.scheme, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": urlencode(params).encode(), "client": request.scope.get("client"),
             "server": request.scope.get("server"), "state": {**(request.scope.get("state") or {}),
                                                         SUBREQUEST_PRINCIPAL: principal},
             "headers": [(b"host", request.headers.get("host", "localhost").encode()),
                         (b"accept", b"*/*"), (b"accept-language", lang.encode())]}
    answer = Answer()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await request.app(scope, receive, send)
    return answer
