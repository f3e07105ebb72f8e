"""The outside as documented: OpenAPI with a description and example for every route, the catalogue,
and problem+json for every kind of error, including routes and methods that do not exist."""
from __future__ import annotations

from api.routes import certifications, claims
from api.schemas import appropriations, bodies, organisations, payouts
from api.schemas import certifications as cert_schemas
from api.schemas import claims as claim_schemas
from ledger.domain.values import Uscc

REQUEST_MODELS = [organisations.OrganisationCreate, bodies.BodyCreate, bodies.MemberCreate,
                  cert_schemas.CertificationCreate, cert_schemas.UpgradeCreate, claim_schemas.ClaimCreate,
                  claim_schemas.ApprovalCreate, claim_schemas.RejectionCreate, appropriations.AppropriationCreate,
                  payouts.PayoutCreate, payouts.ReversalCreate]


def test_every_operation_is_described_and_documents_its_problems(api):
    """Each /v1 operation has a one-line description, declares bearer auth, and its errors are problem+json."""
    document = api.client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            assert op.get("summary") and op.get("description"), where
            assert "\n" not in op["description"].strip(), f"{where}: the description is one line"
            if path.startswith("/v1"):
                assert op.get("security") == [{"HTTPBearer": []}], where
                assert "401" in op["responses"], where
            for status, response in op["responses"].items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (where, status)


def test_every_request_body_has_a_realistic_example(api):
    """Each request schema carries an example that its own model accepts, with valid USCCs."""
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for model in REQUEST_MODELS:
        examples = schemas[model.__name__].get("examples")
        assert examples, model.__name__
        for example in examples:
            model.model_validate(example)
            for field in ("uscc", "lead_uscc"):
                if field in example:
                    Uscc.parse(example[field])
    for named in (certifications.EXAMPLES, claims.EXAMPLES):
        for example in named.values():
            assert example["summary"]
            (cert_schemas.CertificationCreate if named is certifications.EXAMPLES
             else claim_schemas.ClaimCreate).model_validate(example["value"])


def test_the_documented_examples_work(api):
    """Sent in order, the examples of the docs register, certify, claim, appropriate and approve for real."""
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]

    def example(name: str) -> dict:
        return schemas[name]["examples"][0]

    org = example("OrganisationCreate")
    api.ok("POST", "/v1/organisations", org)
    member = example("MemberCreate")
    api.ok("POST", "/v1/organisations", {"uscc": member["uscc"], "name": "杭州滨江某某智能制造有限公司",
                                         "in_district": True})
    body = api.ok("POST", "/v1/innovation-bodies", example("BodyCreate"))
    api.ok("POST", f"/v1/innovation-bodies/{body['id']}/members", member)
    api.ok("POST", "/v1/certifications", example("CertificationCreate"), as_="kjj")
    api.ok("POST", "/v1/appropriations", example("AppropriationCreate"), as_="finance")
    claim = api.ok("POST", "/v1/claims", example("ClaimCreate"), as_="kjj")
    assert claim["entitled_amount"] == "300000.00"
    approved = api.ok("POST", f"/v1/claims/{claim['id']}/approve", example("ApprovalCreate"), as_="kjj", status=200)
    api.ok("POST", "/v1/payouts", {**example("PayoutCreate"), "claim_id": approved["id"]}, as_="finance")


def test_docs_are_served(api):
    """/docs is the interactive documentation, /openapi.json its document; both need no token."""
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
    assert api.client.get("/openapi.json").json()["info"]["title"] == "award-ledger"


def test_the_catalogue_in_force(api):
    """GET /v1/programmes lists each programme with names, article, lead, kind, tiers, rate, caps, term, the
    body kind an Art. 3 award recognises, the subject kind it pays for, and the pools programmes share."""
    catalogue = api.ok("GET", "/v1/programmes", as_="auditor")
    assert catalogue["policy"]["term"] == {"effective_from": "2022-09-06", "effective_to": "2025-09-05",
                                           "article": 16}
    programmes = {p["code"]: p for p in catalogue["programmes"]}
    erc = programmes["A3.erc"]
    assert (erc["article"], erc["lead_bureau"], erc["kind"]) == (3, "kjj", "tiered")
    assert erc["names"] == {"zh": "工程研究中心认定奖励", "en": "Engineering research centre recognition award"}
    assert {t["code"]: t["amount"] for t in erc["tiers"]} == {"national": "1000000.00", "provincial": "500000.00",
                                                              "municipal": "200000.00"}
    assert erc["ladders"] == [["municipal", "provincial", "national"]]
    assert erc["term"] == catalogue["policy"]["term"]
    voucher = programmes["A5.voucher"]
    assert voucher["rate"] == "0.30"
    assert voucher["caps"] == [{"scope": "enterprise_year", "limit": "500000.00", "reading": "", "pool": None}]
    assert erc["body_kind"] == "erc" and voucher["body_kind"] is None
    assert programmes["A10.first_set"]["subject_kind"] == "product"
    pooled = [c for c in programmes["A13.follow_on"]["caps"] if c["scope"] == "pool"]
    assert [(c["pool"], c["limit"]) for c in pooled] == [("A13.fund", "100000000.00")]
    assert {p["code"]: sorted(p["programmes"]) for p in catalogue["pools"]} == {
        "A13.fund": ["A13.equity", "A13.follow_on"]}
    national = programmes["A9.national_award"]
    assert [(s["from_rank"], s["to_rank"], s["share"]) for s in national["rank_shares"]] == [(1, 1, "1"), (2, 5, "0.5")]
    assert programmes["A6.chain_leader"]["tiers"] == [] and programmes["A6.chain_leader"]["kind"] == "designation"


def test_unknown_routes_and_methods_are_problems(api):
    """A path that does not exist is 404 `not_found`, a wrong method 405 `method_not_allowed`, as problems."""
    api.refused("GET", "/v1/nothing-here", None, "admin", 404, "not_found")
    api.refused("DELETE", "/v1/organisations", None, "admin", 405, "method_not_allowed")


def test_a_problem_carries_the_request_path(api):
    """`instance` names the request's path, so a logged problem says where it came from."""
    problem = api.refused("GET", "/v1/claims/3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f", None, "admin", 404, "not_found")
    assert problem["instance"] == "/v1/claims/3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"


def test_a_json_object_sent_as_another_type_is_told_to_send_application_json(api):
    """A probe: a good JSON object sent as text/plain, a form or with no Content-Type got "body: must be a JSON
    object", never naming the header at fault. The refusal names it, in both languages, and writes nothing."""
    import json

    from tests.support import unique_uscc

    body = json.dumps({"uscc": unique_uscc(), "name": "杭州某科技有限公司", "in_district": True}).encode()
    for kind in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Authorization": f"Bearer {api.tokens['admin']}"} | ({"Content-Type": kind} if kind else {})
        answer = api.client.post("/v1/organisations", content=body, headers=headers)
        assert answer.status_code == 422, answer.text
        assert "send the JSON object with Content-Type: application/json" in answer.json()["detail"]
        assert (kind or "no Content-Type") in answer.json()["detail"]
        zh = api.client.post("/v1/organisations", content=body, headers=headers | {"Accept-Language": "zh"})
        assert "请以 Content-Type: application/json 发送" in zh.json()["detail"]
    good = api.client.post("/v1/organisations", content=body, headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert good.status_code == 201, good.text  # nothing was written by the refusals


def test_every_operation_that_takes_an_idempotency_key_documents_its_conflict(api):
    """The contract answers a key sent again with another body 409 conflict, so every operation taking the header
    lists 409 (the sandbox's did not: a contract probe)."""
    document = api.client.get("/openapi.json").json()
    keyed = [(method.upper(), path, op) for path, operations in document["paths"].items()
             for method, op in operations.items()
             if any(p.get("name", "").lower() == "idempotency-key" for p in op.get("parameters", []))]
    assert len(keyed) > 10
    assert [f"{m} {p}" for m, p, op in keyed if "409" not in op["responses"]] == []
