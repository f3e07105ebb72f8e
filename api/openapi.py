"""The OpenAPI document SDK generators read: FastAPI's, finished so every reference resolves, every refusal is
our Problem, every header we send is declared, and every operation has a short name that outlives its path.

Finishing happens on the generated document (not per route) so routes other modules add later get it too.
"""
from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel

from api import problems

SERVERS = [{"url": "http://127.0.0.1:8000", "description": "`award-ledger serve` on this machine (LEDGER_HOST and"
            " LEDGER_PORT move it); behind a load balancer, use its address"}]
CONTACT = {"name": "award-ledger maintainers", "url": "https://award-ledger.example/",
           "email": "ledger-maintainers@award-ledger.example"}
LICENSE = {"name": "Proprietary: for the Binjiang district's bureaus, finance and auditors",
           "url": "https://award-ledger.example/licence"}
TAG_DESCRIPTIONS = {
    "health": "Liveness, readiness and metrics for orchestrators and Prometheus; no token needed",
    "programmes": "The catalogue in force: what the policy pays, by programme",
    "organisations": "Organisations that may benefit, by their unified social credit code",
    "innovation bodies": "New-type industrial innovation organisations and their members",
    "certifications": "Certifications and upgrades recorded by a programme's lead bureau",
    "claims": "Claims with their entitlement and explanation, and the lead bureau's decisions",
    "proposals": "免申即享: awards the ledger proposes from recorded facts, confirmed by the lead bureau; official"
                 " lists of certifications imported in one go",
    "work queues": "Claims by status, programme, bureau and year, and organisations by code or name, oldest first",
    "corrections": "Withdrawals, revocations, recoveries (追回), repayments and write-offs; each takes ?dry_run=true",
    "appropriations": "The special fund of each year",
    "payouts": "Money paid against approved claims, and reversals",
    "awards": "What an organisation has been awarded, now or as the ledger knew it then",
    "finance": "Reconciliation per programme and bureau, and bank statements matched against payouts",
    "audit": "The tamper-evidence chain, its signed digest and Merkle proofs, claim receipts, and the stored event log",
    "sandbox": "The recorded claims replayed under a draft catalogue beside the one in force; nothing written",
}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "this request's id: the caller's X-Request-ID when it is a plain token of up to"
                                    " 128 characters, else a new one; the log line of the request carries it",
                     "required": True, "schema": {"type": "string", "maxLength": 128}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored first answer to the same Idempotency-Key"
                                           " and body; nothing was written", "schema": {"type": "string",
                                                                                         "enum": ["true"]}},
    "Read-Models-Lag": {"description": "`true` when the command is recorded but the read models did not show it"
                                       " within LEDGER_WAIT_TIMEOUT; a GET may not see it yet",
                        "schema": {"type": "string", "enum": ["true"]}},
    "Retry-After": {"description": "seconds to wait before retrying (with the same Idempotency-Key)",
                    "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$", "examples": ["2"]}},
    "WWW-Authenticate": {"description": "how to authenticate: `Bearer`", "required": True,
                         "schema": {"type": "string", "examples": ["Bearer"]}},
}


def operation_id(route: APIRoute) -> str:
    """The route function's name (`submit_claim`): short, and unchanged when the path is renamed."""
    return route.name


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """Complete FastAPI's document in place and return it."""
    problems.as_problem_media_type(document)
    components = document.setdefault("components", {})
    _hoist_defs(document, components.setdefault("schemas", {}))
    _restore_examples(components["schemas"])
    components["headers"] = {name: dict(header) for name, header in HEADERS.items()}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            _finish_operation(path, method, operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(unused, None)
    document["servers"] = SERVERS
    document["info"] |= {"contact": CONTACT, "license": LICENSE}
    used = [t for ops in document.get("paths", {}).values() for op in ops.values() for t in op.get("tags", [])]
    document["tags"] = [{"name": t, **({"description": TAG_DESCRIPTIONS[t]} if t in TAG_DESCRIPTIONS else {})}
                        for t in dict.fromkeys(used)]
    return document


def _finish_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    if not path.startswith("/v1"):
        operation["security"] = []  # probes answer without a token; generators then send none
    for status, response in operation.get("responses", {}).items():
        if status == "422":  # FastAPI's own HTTPValidationError never leaves this server: ours is a Problem
            response["description"] = problems.DESCRIPTIONS[422]
            response["content"] = {problems.MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        names = ["X-Request-ID"]
        if status.startswith("2") and method == "post":
            names += ["Idempotent-Replayed", "Read-Models-Lag"]
        names += {"401": ["WWW-Authenticate"], "503": ["Retry-After"]}.get(status, [])
        headers = response.setdefault("headers", {})
        for name in names:
            headers.setdefault(name, {"$ref": f"#/components/headers/{name}"})


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    """Move every `$defs` a model schema left inline (openapi_extra bodies) to components/schemas.

    A `model_json_schema(ref_template="#/components/schemas/{model}")` points its nested models there but keeps
    them in its own `$defs`, so the references dangle; generators then drop the body or stop.
    """
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            if schemas.setdefault(name, schema) != schema:
                raise ValueError(f"two different schemas are both named {name}; rename one of the models")
        for value in node.values():
            _hoist_defs(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _hoist_defs(value, schemas)


def _restore_examples(schemas: dict[str, Any]) -> None:
    """Put back the `null`s FastAPI strips from every example (its document is encoded with exclude_none).

    Without them an answer's example lacks its required nullable fields, and mock servers serving it break SDKs.
    """
    models: dict[str, list[type[BaseModel]]] = {}
    stack = list(BaseModel.__subclasses__())
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model.__module__.startswith("api."):
            models.setdefault(model.__name__, []).append(model)
    for name, schema in schemas.items():
        found = models.get(name, [])
        extra = found[0].model_config.get("json_schema_extra") if len(found) == 1 else None
        if "examples" in schema and isinstance(extra, dict) and "examples" in extra:
            schema["examples"] = extra["examples"]
