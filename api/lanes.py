"""Fast lanes: the busiest command answered straight from the edge, past FastAPI's routing and dependency solving.

`POST /v1/claims` is what the district's bureaus send most (a 免申即享 import or a batch of vouchers is thousands
of them). Through the framework, a claim paid for matching every router twice, solving five dependencies and the
exception and exit-stack layers before the command ran. Here the edge (api/edge.py), which has already named the
principal and read, capped and checked the body, hands such a request to its lane, which does what the route
does with the route's own pieces: the same request model, the same command and settling, the route's own response
model to validate and encode the answer, and the app's own exception handlers for a refusal. Measured in turn
against the tree before it (bench/ab_trees.py, bench/RESULTS.md, issue 17, fourth pass): server CPU per claim
4.85 → 4.05 ms, 169 → 200 claims/s.

A lane takes only the plain case. Anything else (a role that may not submit, a body or key the models refuse, a
content type other than JSON, a query string) it gives back untouched, and the request goes through the framework
as before, which answers it in its own words: the lane never has to word a refusal of its own. `LEDGER_FAST_LANES=0`
switches the lanes off (tests/api/test_lanes.py holds every answer equal either way)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from api import language
from api.deps import KEY_MAX, KEY_PATTERN_RE, Settle
from api.json_text import loads
from api.schemas.claims import ClaimCreate
from ledger.principals import Role

Lane = Callable[[Scope, bytes, Any, Any, Send], Awaitable[bool]]


class Lanes:
    """The lanes by method and path; `route` gives each its APIRoute (for its response model and the metrics'
    route label), looked up once the app's routes exist."""

    def __init__(self) -> None:
        self.lanes: dict[tuple[str, str], Lane] = {("POST", "/v1/claims"): submit_claim}

    def get(self, method: str, path: str) -> Lane | None:
        return self.lanes.get((method, path))


async def submit_claim(scope: Scope, body: bytes, document: Any, principal: Any, send: Send) -> bool:
    """What `api.routes.claims.submit_claim` does, for a bureau's well-formed claim; False: not taken. `document`:
    the body as the edge read it (api/edge.py `read_json`), or UNREAD."""
    from api.edge import UNREAD
    from api.routes.claims import claim_in  # the route's own answer-making

    if principal is None or principal.role is not Role.BUREAU or not _json(scope) or scope.get("query_string"):
        return False  # a query string is for the framework to refuse (api/query_params.py)
    key = _header(scope, b"idempotency-key")
    if key is not None and not (0 < len(key) <= KEY_MAX and KEY_PATTERN_RE.fullmatch(key)):
        return False
    try:
        claim = ClaimCreate.model_validate(loads(body) if document is UNREAD else document)
    except (ValueError, ValidationError):  # not JSON, or not a claim: the framework words the refusal
        return False
    route = _route(scope, "/v1/claims", "POST")
    if route is None:
        return False
    scope["route"] = getattr(route, "original_route", route)  # the metrics' route label, as routing sets it
    request, answer = Request(scope), Response()  # the headers Settle adds, as FastAPI's sub-response holds them
    del answer.headers["content-length"]
    ledger = scope["app"].state.ledger
    settle, lang = Settle(request, answer), language.of(request)
    try:
        content = await run_in_threadpool(
            lambda: claim_in(ledger, lang, settle(ledger.submit_claim(principal, **claim.model_dump(), key=key))))
    except Exception as exc:
        handler = _handler(scope, exc)
        if handler is None:
            raise  # unexpected: api/front.py answers it with the app's 500, as for any route
        response = await handler(request, exc)
    else:
        field = route.response_field
        value, errors = field.validate(content, {}, loc=("response",))
        if errors:  # our own answer does not fit its model: a defect, raised as the framework raises it
            from fastapi.exceptions import ResponseValidationError

            raise ResponseValidationError(errors=errors, body=content)
        response = Response(field.serialize_json(value, by_alias=True), status_code=route.status_code,
                             media_type="application/json")
        response.headers.raw.extend(answer.headers.raw)
    await response(scope, _nothing, send)
    return True


def _json(scope: Scope) -> bool:
    kind = _header(scope, b"content-type") or ""
    return kind.split(";", 1)[0].strip().lower() == "application/json"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _route(scope: Scope, path: str, method: str) -> Any:
    """The app's route for `method path` as the framework would serve it (its effective context inside an
    included router: the response model, the status), found once per app and kept in its state."""
    state = scope["app"].state
    found = getattr(state, "lane_routes", None)
    if found is None:
        found = state.lane_routes = {}
    if (method, path) not in found:
        found[(method, path)] = next((c for c in _contexts(scope["app"].router.routes)
                                      if c.path_format == path and method in c.methods), None)
    return found[(method, path)]


def _contexts(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # an included router
            yield from route.effective_route_contexts()
        elif isinstance(route, APIRoute):
            yield route


def _handler(scope: Scope, exc: Exception) -> Callable[[Request, Exception], Awaitable[Response]] | None:
    """The app's handler for `exc`, as Starlette looks it up (by the exception's class and its bases), leaving
    out the catch-all for `Exception`: that one is api/front.py's to use."""
    handlers = scope["app"].exception_handlers
    for kind in type(exc).__mro__:
        if kind is Exception:
            return None
        if kind in handlers:
            return handlers[kind]
    return None


async def _nothing() -> dict[str, Any]:
    return {"type": "http.disconnect"}  # the body was read by the edge
