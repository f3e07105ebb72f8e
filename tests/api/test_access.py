"""Who may call what: every route × every role, against the contract's table. 401 without a principal,
403 for a role or bureau that may not act, and neither refusal writes anything."""
from __future__ import annotations

import pytest

from tests.support import unique_id, unique_uscc

EVERYONE = ("kjj", "jxj", "scjgj", "finance", "auditor", "admin")
REGISTRARS = {"admin", "kjj", "jxj", "scjgj"}
KJJ_LEADS = {"kjj"}  # the programmes below (A3.erc, A5.voucher) are led by kjj; other bureaus: not_lead_bureau
FINANCE = {"finance"}


@pytest.fixture
def routes(api, world):
    """(method, path, body, roles allowed) for every resource of the contract, on real ids."""
    org = world.org()
    body_id = world.body(org)
    cert_id = world.certify(org)
    claim_id = world.claim(org)["id"]
    listed = {"rows": [{"uscc": org, "programme": "A3.erc", "tier": tier, "effective_on": "2023-03-01",
                        "document_ref": "D", "body_id": world.body(org, kind="erc", recognised_on="2022-09-06")}
                       for tier in ("municipal", "national")]}
    imported = api.ok("POST", "/v1/certifications/imports", listed, as_="kjj")
    first, second = imported["proposed_claims"][:2]
    payout_id = world.paid(world.org())["id"]
    statement = {"lines": [{"date": "2023-07-03", "amount": "1.00", "reference": unique_id("R-")}]}
    statement_id = api.ok("POST", "/v1/finance/bank-statements", statement, as_="finance")["id"]
    approved_id = world.approved(world.org())["id"]
    revoked = world.paid(world.org())["claim_id"]
    recovery_id = api.ok("POST", f"/v1/claims/{revoked}/revoke", {"reason": "r", "document_ref": "D"},
                         as_="kjj", status=200)["recovery_id"]
    readers = {"finance", "auditor", "admin", "kjj", "jxj", "scjgj"}  # admin reads all
    return [
        ("GET", "/v1/programmes", None, set(EVERYONE)),
        ("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "杭州某某科技有限公司", "in_district": True},
         REGISTRARS),
        ("GET", f"/v1/organisations/{org}", None, set(EVERYONE)),
        ("POST", "/v1/innovation-bodies", {"id": unique_id("B-"), "name": "联合体", "kind": "consortium",
                                           "lead_uscc": org, "recognised_on": "2022-10-01"}, REGISTRARS),
        ("POST", f"/v1/innovation-bodies/{body_id}/members", {"uscc": unique_uscc(), "joined_on": "2023-01-01"},
         REGISTRARS),
        ("POST", "/v1/certifications", {"uscc": org, "programme": "A3.erc", "tier": "municipal",
                                        "effective_on": "2023-03-01", "document_ref": "D"}, KJJ_LEADS),
        ("GET", f"/v1/certifications/{cert_id}", None, set(EVERYONE)),
        ("POST", f"/v1/certifications/{cert_id}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                            "document_ref": "D"}, KJJ_LEADS),
        ("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher", "award_year": 2024,
                                "effective_on": "2024-06-01", "basis_amount": "100.00"}, KJJ_LEADS),
        ("POST", f"/v1/claims/{claim_id}/approve", {}, KJJ_LEADS),
        ("POST", f"/v1/claims/{claim_id}/reject", {"reason": "材料不全"}, KJJ_LEADS),
        ("GET", f"/v1/claims/{claim_id}", None, set(EVERYONE)),
        ("POST", "/v1/appropriations", {"year": 2023, "amount": "1.00", "document_ref": "D"}, FINANCE),
        ("GET", "/v1/appropriations/2023", None, set(EVERYONE)),
        ("POST", "/v1/appropriations/2023/correct", {"appropriation_ref": "财1号", "amount": "300000000.00",
                                                     "reason": "更正", "document_ref": "财9号"}, FINANCE),
        ("POST", "/v1/payouts", {"claim_id": claim_id, "amount": "1.00", "paid_on": "2023-07-01", "bank_ref": "B"},
         FINANCE),
        ("GET", f"/v1/payouts/{payout_id}", None, set(EVERYONE)),
        ("POST", f"/v1/payouts/{payout_id}/reverse", {"reason": "退回"}, FINANCE),
        ("GET", f"/v1/organisations/{org}/awards", None, set(EVERYONE)),
        ("GET", f"/v1/organisations/{org}/history", None, set(EVERYONE)),
        ("GET", "/v1/finance/reconciliation?year=2023", None, {"finance", "auditor"}),
        ("GET", "/v1/finance/reconciliation.csv?year=2023", None, {"finance", "auditor"}),
        ("GET", "/v1/finance/reconciliation.xlsx?year=2023", None, {"finance", "auditor"}),
        ("POST", "/v1/finance/bank-statements", {"lines": [{"date": "2023-07-04", "amount": "2.00",
                                                            "reference": "R"}]}, FINANCE),
        ("GET", f"/v1/finance/bank-statements/{statement_id}", None, {"finance", "auditor"}),
        ("GET", "/v1/audit/verify", None, {"auditor", "admin"}),
        ("GET", "/v1/audit/digest", None, set(EVERYONE)),  # a signed head, as every receipt carries
        ("GET", "/v1/audit/events", None, {"auditor", "admin"}),
        ("POST", f"/v1/organisations/{org}/district-changes", {"in_district": False, "effective_on": "2025-01-01",
                                                               "reason": "迁出", "document_ref": "D"}, REGISTRARS),
        ("POST", f"/v1/claims/{claim_id}/withdraw", {"reason": "撤回"}, KJJ_LEADS),
        ("POST", f"/v1/claims/{first}/confirm", {}, KJJ_LEADS),
        # Any bureau may ask; a proposal of a programme it does not lead is listed as refused (not_lead_bureau).
        ("POST", "/v1/claims/confirm", {"ids": [second]}, {"kjj", "jxj", "scjgj"}),
        ("POST", "/v1/certifications/imports", {"rows": []}, {"kjj", "jxj", "scjgj"}),
        ("GET", f"/v1/certifications/imports/{imported['id']}", None, set(EVERYONE)),
        ("GET", "/v1/proposals/summary", None, set(EVERYONE)),
        ("POST", f"/v1/claims/{approved_id}/top-up", {"reason": "补足", "document_ref": "D"}, KJJ_LEADS),
        ("POST", f"/v1/claims/{approved_id}/revoke", {"reason": "不实", "document_ref": "D"}, KJJ_LEADS),
        ("POST", f"/v1/certifications/{cert_id}/revoke", {"reason": "r", "effective_on": "2025-01-01",
                                                          "document_ref": "D"}, KJJ_LEADS),
        ("GET", "/v1/claims?status=pending", None, set(EVERYONE)),
        ("GET", "/v1/organisations?q=9133", None, set(EVERYONE)),
        ("POST", "/v1/simulations", None, {"auditor", "admin", "kjj", "jxj", "scjgj"}),
        ("GET", "/v1/recoveries", None, readers),
        # One recovery: its lead bureau (kjj), not another bureau (the list leaves it out for them too).
        ("GET", f"/v1/recoveries/{recovery_id}", None, readers - {"jxj", "scjgj"}),
        ("POST", f"/v1/recoveries/{recovery_id}/repayments", {"amount": "1.00", "received_on": "2024-01-02",
                                                              "bank_ref": "R"}, FINANCE),
        ("POST", f"/v1/recoveries/{recovery_id}/repayments/reverse", {
            "amount": "1.00", "received_on": "2024-01-02", "bank_ref": "R", "reason": "r", "document_ref": "D"},
         FINANCE),
        ("POST", f"/v1/recoveries/{recovery_id}/write-off/reverse", {"reason": "r", "document_ref": "D"}, FINANCE),
        ("POST", f"/v1/recoveries/{recovery_id}/write-off", {"reason": "r", "document_ref": "D"}, FINANCE),
        ("GET", "/v1/audit/consistency?first=0&second=1", None, set(EVERYONE)),
        ("GET", "/v1/audit/keys", None, set(EVERYONE)),
        ("GET", f"/v1/claims/{claim_id}/receipt", None, set(EVERYONE)),
    ]


def test_the_table_covers_every_route_of_the_app(api, routes):
    """The matrix is complete: as many /v1 operations as the app's OpenAPI document lists."""
    paths = api.client.get("/openapi.json").json()["paths"]
    served = [(method, path) for path, operations in paths.items() if path.startswith("/v1") for method in operations]
    assert len(served) == len(routes)


def test_no_principal_is_401_everywhere(api, routes, subtests):
    """No token, an unknown token, or another scheme: 401 `unauthenticated` with WWW-Authenticate: Bearer."""
    for method, path, body, _ in routes:
        for label, headers in (("none", {}), ("unknown", {"Authorization": "Bearer not-a-real-token"}),
                               ("basic", {"Authorization": "Basic YWRtaW46YWRtaW4="}),
                               ("empty", {"Authorization": "Bearer "})):
            with subtests.test(route=f"{method} {path}", token=label):
                response = api.call(method, path, body, as_=None, headers=headers)
                assert response.status_code == 401, response.text
                assert response.headers["WWW-Authenticate"] == "Bearer"
                assert response.json()["code"] == "unauthenticated"
    assert api.ok("GET", "/healthz", as_=None) == {"status": "ok"}  # the one route anyone may call


def test_every_role_the_table_does_not_list_is_403(api, routes, subtests):
    """Each role outside a route's row is 403: `not_lead_bureau` for another bureau, else `forbidden`."""
    for method, path, body, allowed in routes:
        for role in sorted(set(EVERYONE) - allowed):
            code = "not_lead_bureau" if "kjj" in allowed and role in ("jxj", "scjgj") else "forbidden"
            with subtests.test(route=f"{method} {path}", role=role):
                problem = api.refused(method, path, body, role, 403, code)
                assert role in problem["detail"] or f"{role}-test" in problem["detail"]


def test_every_role_the_table_lists_may_read(api, routes, subtests):
    """Every GET answers each role its row lists."""
    for method, path, _, allowed in routes:
        if method != "GET":
            continue
        for role in sorted(allowed):
            with subtests.test(route=path, role=role):
                expected = 200
                assert api.call(method, path, as_=role).status_code == expected


def test_without_a_principals_file_a_401_names_where_the_development_tokens_are(database_url, tmp_path, monkeypatch):
    """A newcomer probe: a server run without LEDGER_AUTH_FILE (as `make serve` runs it) answered a missing token with
    "a token whose SHA-256 is in LEDGER_AUTH_FILE", which it does not have; its tokens are in var/dev-tokens.json.
    The 401 says so, and how to use a principals file of one's own; with one, it names LEDGER_AUTH_FILE as before."""
    import json

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    monkeypatch.chdir(tmp_path)
    settings = Settings(database_url=database_url, auth_file=None, signing_key_file=tmp_path / "key.pem")
    with TestClient(create_app(settings)) as client:
        for lang, said in (("en", "from var/dev-tokens.json (this server runs without LEDGER_AUTH_FILE"),
                           ("zh", "取自 var/dev-tokens.json（本服务未设置 LEDGER_AUTH_FILE")):
            answer = client.get("/v1/programmes", headers={"Accept-Language": lang})
            assert answer.status_code == 401 and said in answer.json()["detail"], answer.text
        token = json.loads((tmp_path / "var" / "dev-tokens.json").read_text())["dev-auditor"]
        assert client.get("/v1/programmes", headers={"Authorization": f"Bearer {token}"}).status_code == 200
