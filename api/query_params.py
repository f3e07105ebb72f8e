"""A query parameter the API does not take is refused, as a body field it does not take is (`extra_forbidden`).

Ignoring it answered something else than was asked: `GET /v1/claims/{id}?as_of=2024-01-01` gave the claim as it
is now to an auditor who asked what the ledger knew then, and `GET /v1/claims?stauts=pending` gave every claim.
Only the JSON API (`/v1/...`) is held to it; the pages keep their own forms."""
from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

API_PREFIX = "/v1/"
TAKEN = "_ledger_query_names"  # where a route keeps the names, worked out once (an id() could outlive its app's)


def taken(route: Any) -> tuple[str, ...]:
    """The query parameters a route declares (its own and its dependencies'), by the names a client sends."""
    names = getattr(route, TAKEN, None)
    if names is None:
        found: set[str] = set()
        pending = [getattr(route, "dependant", None)]
        while pending:  # the route's own parameters and every dependency's (FastAPI's Dependant tree)
            dependant = pending.pop()
            if dependant is not None:
                found.update(field.alias for field in dependant.query_params)
                pending.extend(dependant.dependencies)
        names = tuple(sorted(found))
        if route is not None:
            setattr(route, TAKEN, names)
    return names


async def known_query(request: Request) -> None:
    """Refuse, before the route runs, a query parameter the route does not take, naming the ones it does."""
    query = request.scope.get("query_string") or b""
    if not query or not request.url.path.startswith(API_PREFIX):
        return
    route = request.scope.get("route")
    accepted = taken(route)
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in accepted]
    if not unknown:
        return
    where = f"{request.method} {getattr(route, 'path', request.url.path)}"
    if accepted:
        said = f"it takes {', '.join(accepted)}"
        said_zh = f"它接受 {'、'.join(accepted)}"
    else:
        said, said_zh = "it takes none", "它不接受查询参数"
    raise RequestValidationError([
        {"type": "extra_forbidden", "loc": ("query", name), "input": request.query_params.get(name),
         "msg": f"is not a query parameter of {where} ({said}); remove it, or see /docs for what it answers",
         "ctx": {"zh": f"不是 {where} 的查询参数（{said_zh}）；请删除，或查阅 /docs"}}
        for name in unknown])
