"""Asking the JSON API itself, in process, as the signed-in principal: a download page then answers
exactly what the API answers (same principals, same refusals), without the page knowing how it is made."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request


@dataclass
class Answer:
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: bytearray = field(default_factory=bytearray)


async def get(request: Request, path: str, params: dict[str, Any], token: str) -> Answer:
    """GET `path` on this very app with `Authorization: Bearer <token>`; the whole answer, buffered."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": request.url.scheme, "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": urlencode(params).encode(), "client": request.scope.get("client"),
             "server": request.scope.get("server"), "state": dict(request.scope.get("state") or {}),
             "headers": [(b"host", request.headers.get("host", "localhost").encode()),
                         (b"authorization", f"Bearer {token}".encode()), (b"accept", b"*/*")]}
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
