"""The OpenAPI document integrators generate SDKs from: published as openapi.json exactly as served, every
reference resolving, short stable operation names, every example valid against its schema, formats declared."""
from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from prance import ResolvingParser

from api.app import build_app
from api.openapi_file import PUBLISHED, render

STALE = ("openapi.json is not what the server serves. Run `make openapi` and commit openapi.json (after merging"
         " branches that add or change routes, the lead reruns `make openapi`); review its diff as the API's change")


@pytest.fixture(scope="module")
def served() -> dict[str, Any]:
    """The document as the app answers GET /openapi.json (no store needed to serve it)."""
    return TestClient(build_app()).get("/openapi.json").json()


def test_the_published_document_is_the_served_one(served):
    """openapi.json in the repository is byte for byte what `make openapi` writes from the served document."""
    assert PUBLISHED.read_text(encoding="utf-8") == render(served), STALE


def test_every_reference_resolves(tmp_path, served):
    """prance follows every $ref (openapi-spec-validator alone does not) and validates the resolved document."""
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(served))
    resolved = ResolvingParser(str(path), backend="openapi-spec-validator", strict=True).specification
    assert set(resolved["paths"]) == set(served["paths"])


def test_a_dangling_reference_is_caught(tmp_path, served):
    """The check above fails on a reference to a schema the document lacks (what StatementLineIn once was)."""
    broken = copy.deepcopy(served)
    del broken["components"]["schemas"]["StatementLineIn"]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(Exception, match="StatementLineIn"):
        ResolvingParser(str(path), backend="openapi-spec-validator", strict=True)


def test_operation_ids_are_short_stable_names(served):
    """Each operationId is its route function's snake_case name: unique, without path, version or method."""
    ids = [op["operationId"] for ops in served["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", operation_id), operation_id
        assert not re.search(r"(^|_)(v1|get|post)$", operation_id), operation_id
        assert len(operation_id) <= 40, operation_id
    assert {"submit_claim", "get_claim", "import_bank_statement", "export_reconciliation_csv"} <= set(ids)


def _examples(node: Any, where: str = "") -> Any:
    """(where, schema, example) for every schema's `examples` list and every media type's or parameter's examples."""
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list) and ("type" in node or "properties" in node or "anyOf" in node):
            for example in node["examples"]:
                yield where, {k: v for k, v in node.items() if k != "examples"}, example
        if isinstance(node.get("examples"), dict) and "schema" in node:
            for name, example in node["examples"].items():
                yield f"{where}/examples/{name}", node["schema"], example["value"]
        if "example" in node and "schema" in node:
            yield where, node["schema"], node["example"]
        for key, value in node.items():
            if key not in ("examples", "example"):
                yield from _examples(value, f"{where}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _examples(value, f"{where}/{n}")


def test_every_example_is_valid_against_its_schema(served):
    """Every example (schemas, properties, request bodies, parameters) validates, required nullable fields and all."""
    checked = 0
    for where, schema, example in _examples(served):
        if schema.get("format") == "binary":
            continue
        validator = Draft202012Validator({**schema, "components": served["components"]},
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(example)]
        assert not errors, f"{where}: {errors}"
        checked += 1
    assert checked > 50


def test_problems_are_ours_everywhere(served):
    """No operation declares the framework's validation error; every 4xx/5xx is a Problem with errors[] declared."""
    assert "HTTPValidationError" not in served["components"]["schemas"]
    problem = served["components"]["schemas"]["Problem"]
    assert "errors" in problem["properties"]
    for path, ops in served["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if status[0] in "45":
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, status)
                assert "X-Request-ID" in response["headers"], (method, path, status)
            if status == "503":
                assert "Retry-After" in response["headers"]


def test_days_and_moments_declare_their_formats(served):
    """Properties named *_at are date-time and *_on, date, from and to are dates, in every schema."""
    for name, schema in served["components"]["schemas"].items():
        for field, declared in schema.get("properties", {}).items():
            formats = {s.get("format") for s in declared.get("anyOf", [declared])} - {None}
            if field.endswith("_at"):
                assert formats == {"date-time"}, (name, field)
            elif field.endswith("_on") or field in ("date", "from", "to"):
                assert formats == {"date"}, (name, field)


def test_the_document_names_its_server_owner_and_probes(served):
    """servers, contact, licence and described tags are present; the health probes need no security."""
    assert served["servers"] and served["info"]["contact"]["name"] and served["info"]["license"]["name"]
    assert all(tag.get("description") for tag in served["tags"])
    for path in ("/healthz", "/readyz", "/metrics"):
        assert served["paths"][path]["get"]["security"] == []
    statuses = served["components"]["schemas"]["ClaimPublic"]["properties"]["status"]["enum"]
    assert {"proposed", "withdrawn", "revoked"} <= set(statuses)
    assert served["components"]["schemas"]["ApprovalCreate"]["properties"]["amount"]["anyOf"][0] == {
        "$ref": "#/components/schemas/Money"}
