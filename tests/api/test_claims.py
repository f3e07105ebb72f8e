"""Claims over HTTP: entitlement with its explanation, decisions, and the policy's refusals."""
from __future__ import annotations

from tests.support import unique_id


def test_a_claim_answers_its_entitlement_and_explanation(api, world):
    """201 pending, entitled_amount as a two-place string, and an explanation citing articles."""
    org = world.org()
    claim = api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher", "award_year": 2023,
                                          "effective_on": "2023-06-01", "basis_amount": "1000000.00"}, as_="kjj")
    assert claim["status"] == "pending" and claim["entitled_amount"] == "300000.00"
    assert claim["basis_amount"] == "1000000.00"
    steps = claim["explanation"]
    assert steps and all({"rule", "article", "detail", "amount"} <= step.keys() for step in steps)
    assert any(step["article"] == 5 for step in steps)
    read = api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")
    assert read["entitled_amount"] == "300000.00" and read["explanation"] == steps
    assert [(h["event"], h["by"]) for h in read["history"]] == [("Submitted", "kjj-test")]


def test_a_claim_on_a_certification(api, world):
    """An A3.erc claim on a municipal certification is entitled to the municipal tier."""
    org = world.org()
    cert_id = world.certify(org)
    claim = world.claim(org, "A3.erc", certification_id=cert_id)
    assert claim["entitled_amount"] == "200000.00" and claim["tier"] == "municipal"


def test_approve_for_the_entitlement_or_less(api, world):
    """Approval defaults to the entitlement (even with no body), may lower it, never raise it."""
    org = world.org()
    whole = world.claim(org)
    approved = api.ok("POST", f"/v1/claims/{whole['id']}/approve", None, as_="kjj", status=200)
    assert approved["status"] == "approved" and approved["approved_amount"] == "300000.00"
    lower = world.claim(world.org())
    api.refused("POST", f"/v1/claims/{lower['id']}/approve", {"amount": "300000.01"}, "kjj", 409, "cap_exceeded")
    approved = api.ok("POST", f"/v1/claims/{lower['id']}/approve", {"amount": 250000, "note": "经审核，同意"},
                      as_="kjj", status=200)
    assert approved["approved_amount"] == "250000.00" and approved["decision_note"] == "经审核，同意"
    api.refused("POST", f"/v1/claims/{lower['id']}/approve", {}, "kjj", 409, "invalid_state")
    history = api.ok("GET", f"/v1/claims/{lower['id']}")["history"]
    assert [h["event"] for h in history] == ["Submitted", "Approved"]


def test_reject_a_claim(api, world):
    """Rejection needs a reason, answers 200 rejected, and leaves nothing to approve."""
    claim = world.claim(world.org())
    api.refused("POST", f"/v1/claims/{claim['id']}/reject", {}, "kjj", 422, "invalid_request")
    rejected = api.ok("POST", f"/v1/claims/{claim['id']}/reject", {"reason": "技术服务合同未经认定登记"}, as_="kjj",
                      status=200)
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "技术服务合同未经认定登记"
    api.refused("POST", f"/v1/claims/{claim['id']}/approve", {}, "kjj", 409, "invalid_state")


def test_claim_refusals_keep_their_codes(api, world):
    """cap_exceeded, not_eligible, outside_policy_term, missing_field, not_found, not_lead_bureau."""
    org = world.org()
    world.approved(org)
    world.approved(org, basis_amount="666666.67")  # 200,000.00: the 2023 cap of 500,000.00 is used up
    voucher = {"uscc": org, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
               "basis_amount": "1000000.00"}
    api.refused("POST", "/v1/claims", voucher, "kjj", 409, "cap_exceeded")
    outsider = world.org(member=False)
    api.refused("POST", "/v1/claims", {**voucher, "uscc": outsider}, "kjj", 409, "not_eligible")
    api.refused("POST", "/v1/claims", {**voucher, "award_year": 2026, "effective_on": "2026-01-01"}, "kjj", 409,
                "outside_policy_term")
    api.refused("POST", "/v1/claims", {k: v for k, v in voucher.items() if k != "basis_amount"}, "kjj", 422,
                "missing_field")
    api.refused("POST", "/v1/claims", {**voucher, "programme": "A5.voucher", "uscc": world.org(),
                                       "certification_id": "3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"}, "kjj", 404,
                "not_found")
    api.refused("POST", "/v1/claims", {**voucher, "uscc": world.org()}, "jxj", 403, "not_lead_bureau")
    api.refused("POST", "/v1/claims", {**voucher, "rank": 0}, "kjj", 422, "invalid_request")


def test_deciding_an_unknown_claim_is_not_found(api, world):
    """Approve, reject and GET of an id the ledger never gave are 404 `not_found`."""
    calls = (("POST", "/v1/claims/{}/approve", {}), ("POST", "/v1/claims/{}/reject", {"reason": "x"}),
             ("GET", "/v1/claims/{}", None))
    for method, path, body in calls:
        for claim_id in ("3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f", unique_id("nope-")):
            api.refused(method, path.format(claim_id), body, "kjj", 404, "not_found")


def test_only_the_lead_bureau_decides(api, world):
    """jxj may not approve or reject a kjj claim: 403 `not_lead_bureau`, and the claim stays pending."""
    claim = world.claim(world.org())
    api.refused("POST", f"/v1/claims/{claim['id']}/approve", {}, "jxj", 403, "not_lead_bureau")
    api.refused("POST", f"/v1/claims/{claim['id']}/reject", {"reason": "x"}, "jxj", 403, "not_lead_bureau")
    assert api.ok("GET", f"/v1/claims/{claim['id']}")["status"] == "pending"


def test_approval_beyond_the_fund_is_fund_exhausted(api, unfunded_world):
    """With no appropriation for the year, an approval is 409 `fund_exhausted` and writes nothing."""
    claim = unfunded_world.claim(unfunded_world.org())
    api.refused("POST", f"/v1/claims/{claim['id']}/approve", {}, "kjj", 409, "fund_exhausted")


def test_a_claim_dated_before_the_term_is_outside_it_with_or_without_its_certification(api, world):
    """Rule 1 names the term whatever the claim rests on: dated before the term and naming a certification
    effective on the term's first day, a claim was told not_eligible (the certification's date), while the same
    claim found by its body was told outside_policy_term (a rules probe)."""
    org = world.org()
    cert_id = world.certify(org, effective_on="2022-09-06")
    early = {"uscc": org, "programme": "A3.erc", "award_year": 2022, "effective_on": "2022-09-01"}
    for body in ({**early, "certification_id": cert_id}, early):
        refused = api.refused("POST", "/v1/claims", body, "kjj", 409, "outside_policy_term")
        assert "2022-09-06" in refused["detail"] and refused["term"]
    claim = world.claim(org, "A3.erc", certification_id=cert_id, award_year=2022, effective_on="2022-09-06")
    assert claim["entitled_amount"] == "200000.00"
