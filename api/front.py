"""The one ASGI middleware every request meets first: what were three (the request log, the principals file's
rotation, the edge) in one layer, with one wrapper around `send` and the request's headers and principal
looked up once, where each layer wrapped `send` again, parsed the headers again and hashed the token again
(bench/RESULTS.md, issue 17, third pass).

In order: the request gets its id (its log line is written at the end, api/logs.py), the principals file
is looked at (api/rotation.py), then the edge's checks run before a byte of the body is read (api/edge.py)."""
from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import BEARER_PRINCIPAL
from api.edge import DOCS_POLICY, PAGE_POLICY, SECURITY_HEADERS, Edge, relative
from api.logs import CURRENT_REQUEST, PROBLEM, REQUEST_ID, RequestLog
from api.metrics import Metrics
from api.rotation import CHECK_SECONDS, ReloadPrincipals
from api.settings import Settings

DOCS = ("/docs", "/redoc", "/docs/oauth2-redirect")
SECURITY = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
PAGE_CSP, DOCS_CSP, RAW_PROBLEM = PAGE_POLICY.encode(), DOCS_POLICY.encode(), PROBLEM.encode()
NO_STORE = (b"cache-control", b"no-store")


class Front:
    """ASGI middleware: rotation check, request id and log line, then the edge's checks, in one layer."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics, auth_file: Path | None = None) -> None:
        self.app = app
        self.edge = Edge(app, settings)
        self.log = RequestLog(metrics)
        self.rotation = ReloadPrincipals(auth_file) if auth_file is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = scope
        head = scope["method"] == "HEAD"
        if head:  # a GET's answer without its body (RFC 9110 9.3.2): it was 405 on every page and on /healthz,
            scope = {**scope, "method": "GET"}  # which monitors and load balancers ask with HEAD (a regression probe)
        started = time.perf_counter()
        headers = Headers(scope=scope)
        given = headers.get("x-request-id", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        CURRENT_REQUEST.set(request_id)
        rotation = self.rotation  # after the id (a reload's log line names the request), before the token's lookup
        if rotation is not None and time.monotonic() - rotation.checked >= CHECK_SECONDS:
            rotation.refresh(scope["app"])
        token, principal = _bearer(scope, headers)
        state[BEARER_PRINCIPAL] = (token, principal)
        seen: dict[str, Any] = {"status": 500, "problem": False, "replayed": False, "body": b""}
        docs = scope["path"] in DOCS
        # What a signed-in reader was shown is not kept by the browser: Back after signing out showed the last
        # user's page from its cache on a shared office PC (a pages probe). The pages' static files set their own.
        private = scope["path"].startswith(("/ui", "/v1"))
        raw_id = request_id.encode()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["started"] = True
                seen["status"] = message["status"]
                raw = message.get("headers")
                raw = message["headers"] = list(raw) if raw is not None else []
                names = set()
                for name, value in raw:
                    name = name.lower()
                    names.add(name)
                    if name == b"content-type":
                        seen["problem"] = value.startswith(RAW_PROBLEM)
                    elif name == b"idempotent-replayed":
                        seen["replayed"] = value.lower() == b"true"
                raw.extend(header for header in SECURITY if header[0] not in names)
                if private and b"cache-control" not in names:
                    raw.append(NO_STORE)
                if b"content-security-policy" not in names:
                    raw.append((b"content-security-policy", DOCS_CSP if docs else PAGE_CSP))
                if b"x-request-id" not in names:
                    raw.append((b"x-request-id", raw_id))
                if b"location" in names or b"x-request-id" in names:  # rare: through Starlette's headers
                    mutable = MutableHeaders(scope=message)
                    mutable["X-Request-ID"] = request_id
                    if "location" in mutable:
                        mutable["location"] = relative(mutable["location"])
            elif message["type"] == "http.response.body":
                if seen["problem"]:
                    seen["body"] += message.get("body", b"")  # a problem is small; its `code` goes in the log
                if head:
                    message = {**message, "body": b""}
            await send(message)

        try:
            await self.edge.admit(scope, headers, principal, receive, sending)
        except Exception as exc:
            # Starlette answers an unhandled error outside every middleware, so its 500 would carry no request
            # id. Answer it here with the app's own handler; the error still goes up to be logged as before.
            handler = getattr(scope.get("app"), "exception_handlers", {}).get(Exception)
            if handler is not None and "started" not in seen:
                response = await handler(Request(scope), exc)
                await response(scope, receive, sending)
            raise
        finally:
            named = principal if token is not None else state.get("ui_principal")  # a page's: its session's principal
            if head:  # logged as asked, HEAD, under the route its GET took and with what it left in its state
                asked = {**asked, "route": scope.get("route"), "state": state}
            self.log.record(asked, seen, request_id, time.perf_counter() - started, named)


def _bearer(scope: Scope, headers: Headers) -> tuple[str | None, Any]:
    """The request's bearer token (None: it sends none), and the principal it names (None: no one)."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None, None
    return token, scope["app"].state.principals.find(token)
