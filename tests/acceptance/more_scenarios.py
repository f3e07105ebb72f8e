"""More black-box scenarios in the shared harness's style: every cross-cutting rule and contract convention
the public examples leave out. Run like the public ones (scripts/acceptance.sh runs both):

    python tests/acceptance/more_scenarios.py --exe $PWD/.venv/bin/award-ledger [--database-url postgresql://...]
"""
import os
import sys
import uuid
from datetime import UTC, datetime

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared harness: beside public.py where scripts/acceptance.sh was given it (`make acceptance SHARED=...`),
# else ../shared beside the project.
sys.path.insert(0, os.environ.get("LEDGER_ACCEPTANCE_HARNESS") or os.path.join(HERE, "..", "..", "..", "shared",
                                                                            "acceptance"))

from harness import Failure, money, run, uscc  # noqa: E402


def expect(cond, what):
    if not cond:
        raise Failure(what)


def computing_cap_spans_the_term(w):
    org = w.org()
    w.entitled(org, "A5.computing", "600000", basis_amount="3000000", award_year=2023)
    w.entitled(org, "A5.computing", "400000", basis_amount="3000000", award_year=2024)
    w.refused_claim(org, "A5.computing", "cap_exceeded", basis_amount="100", award_year=2025)


def standards_cap_per_body_per_year(w):
    lead = w.org(body=False)
    body = w.body(lead=lead)
    other = w.org(body=body)
    w.entitled(lead, "A11.standard", "1000000", as_="scjgj", tier="international_lead", subject="standard:ISO-1",
               body_id=body)
    w.refused_claim(other, "A11.standard", "cap_exceeded", as_="scjgj", tier="national", rank=1,
                    subject="standard:GB-2", body_id=body)
    w.entitled(other, "A11.standard", "200000", as_="scjgj", tier="national", rank=2, subject="standard:GB-3",
               body_id=body, award_year=2024)
    w.refused_claim(other, "A11.standard", "not_eligible", as_="scjgj", tier="industry", rank=3,
                    subject="standard:HB-4", award_year=2024)


def provincial_award_first_unit_only(w):
    first, second = w.org(), w.org()
    w.entitled(first, "A9.provincial_award", "200000", tier="second", rank=1, subject="project:PA-1")
    w.refused_claim(second, "A9.provincial_award", "not_eligible", tier="second", rank=2, subject="project:PA-1")


def orders_need_a_chain_leader_over_the_threshold(w):
    org = w.org()
    w.refused_claim(org, "A8.orders", "not_eligible", as_="jxj", basis_amount="150000000")
    w.certify(org, "A6.chain_leader", as_="jxj")
    w.refused_claim(org, "A8.orders", "not_eligible", as_="jxj", basis_amount="99999999.99")
    w.refused_claim(org, "A8.orders", "cap_exceeded", as_="jxj", basis_amount="100000000",
                    requested_amount="1000000.01")
    w.entitled(org, "A8.orders", "800000", as_="jxj", basis_amount="100000000", requested_amount="800000")


def tech_transfer_needs_no_membership_but_the_district(w):
    inside, outside = w.org(body=False), w.org(body=False, in_district=False)
    w.entitled(inside, "A8.tech_transfer", "200000.20", as_="jxj", basis_amount="1000001")
    w.refused_claim(outside, "A8.tech_transfer", "not_eligible", as_="jxj", basis_amount="1000000")
    w.refused_claim(inside, "A5.voucher", "not_eligible", basis_amount="1000000")


def honours_ladder_tops_up(w):
    org = w.org()
    cert = w.certify(org, "A6.honour", "provincial_sme", as_="jxj")
    w.entitled(org, "A6.honour", "200000", as_="jxj", certification_id=cert)
    w.upgrade(cert, "little_giant", as_="jxj")
    w.entitled(org, "A6.honour", "800000", as_="jxj", certification_id=cert, award_year=2024)
    w.refused_claim(org, "A6.honour", "already_awarded", as_="jxj", certification_id=cert, award_year=2024)
    w.entitled(org, "A6.honour", "2000000", as_="jxj", tier="single_champion", award_year=2024)


def rates_round_down_to_the_fen(w):
    org = w.org()
    w.entitled(org, "A5.voucher", "0.30", basis_amount="1.01")
    w.entitled(org, "A4.challenge", "99999.99", basis_amount="333333.33", subject="project:R-1")


def lead_bureau_and_roles(w):
    org = w.org()
    w.api.refused("POST", "/v1/certifications", {"uscc": org, "programme": "A3.erc", "tier": "municipal",
                  "effective_on": "2023-03-01", "document_ref": "D"}, "jxj", "not_lead_bureau", statuses=(403,))
    status, _ = w.api.call("POST", "/v1/claims", w.claim_body(org, "A5.voucher", basis_amount="1"), as_=None)
    expect(status == 401, f"no token -> {status}")
    for who in ("auditor", "finance", "admin"):
        status, doc = w.api.call("POST", "/v1/claims", w.claim_body(org, "A5.voucher", basis_amount="1"), as_=who)
        expect(status == 403, f"{who} claiming -> {status} {doc}")
    status, _ = w.api.call("POST", "/v1/appropriations", {"year": 2024, "amount": "1", "document_ref": "X"},
                           as_="kjj")
    expect(status == 403, f"bureau appropriating -> {status}")


def money_conventions(w):
    org = w.org()
    for bad in (1000.5, "-5", "1.001"):
        status, doc = w.api.call("POST", "/v1/claims", w.claim_body(org, "A5.voucher", basis_amount=bad), as_="kjj")
        expect(status in (400, 422) and doc.get("code"), f"basis {bad!r} -> {status} {doc}")
    doc = w.claim(org, "A5.voucher", basis_amount=1000)
    expect(doc["entitled_amount"] == "300.00", f"integer basis -> {doc['entitled_amount']!r}")
    w.api.refused("POST", "/v1/organisations", {"uscc": "91330108MA00000010", "name": "x", "in_district": True},
                  "admin", "invalid_uscc")


def payouts_reversals_and_finance(w):
    org = w.org()
    doc = w.entitled(org, "A3.erc", "200000", certification_id=w.recognise(org, "A3.erc", "municipal"))
    paid = w.api.ok("POST", "/v1/payouts", {"claim_id": doc["id"], "amount": "150000", "paid_on": "2023-08-01",
                                            "bank_ref": "BK-" + uuid.uuid4().hex[:8]}, as_="finance")
    w.api.refused("POST", "/v1/payouts", {"claim_id": doc["id"], "amount": "50000.01", "paid_on": "2023-08-02",
                                          "bank_ref": "BK-2"}, "finance", "over_approved")
    before = datetime.now(UTC).isoformat()
    w.api.ok("POST", f"/v1/payouts/{paid['id']}/reverse", {"reason": "账户错误"}, as_="finance")
    now = w.api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    expect(money(now["totals"]["paid"]) == 0 and money(now["totals"]["outstanding"]) == money("200000"),
           f"after reversal {now['totals']}")
    then = w.api.ok("GET", f"/v1/organisations/{org}/awards?as_of={before.replace('+', '%2B')}", as_="auditor")
    expect(money(then["totals"]["paid"]) == money("150000"), f"as of before reversal {then['totals']}")
    history = w.api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")
    expect(len(history if isinstance(history, list) else history.get("events", [])) >= 4, f"history {history}")
    rec = w.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")
    expect("rows" in rec or "programmes" in rec, f"reconciliation {rec}")


def fund_exhausted_in_an_unfunded_year(w):
    org = w.org()
    cert = w.recognise(org, "A3.erc", "municipal", effective_on="2022-10-01")
    doc = w.claim(org, "A3.erc", certification_id=cert, award_year=2022, effective_on="2022-10-01")
    w.api.refused("POST", f"/v1/claims/{doc['id']}/approve", {}, "kjj", "fund_exhausted")


def idempotency_keys(w):
    org = w.org()
    body = w.claim_body(org, "A5.voucher", basis_amount="1000000")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    s1, d1 = w.api.call("POST", "/v1/claims", body, as_="kjj", headers=key)
    s2, d2 = w.api.call("POST", "/v1/claims", body, as_="kjj", headers=key)
    expect(s1 == s2 == 201 and d1["id"] == d2["id"], f"retry -> {s1} {s2}")
    s3, d3 = w.api.call("POST", "/v1/claims", {**body, "basis_amount": "5"}, as_="kjj", headers=key)
    expect(s3 == 409, f"other body same key -> {s3} {d3}")
    doc = w.claim(org, "A5.voucher", basis_amount="1000000")
    expect(doc["entitled_amount"] == "200000.00", f"the retry reserved twice: {doc['entitled_amount']}")


def audit_verifies(w):
    doc = w.api.ok("GET", "/v1/audit/verify", as_="auditor")
    expect(doc.get("ok") is True and doc.get("events_checked", 0) > 0, f"verify {doc}")
    status, _ = w.api.call("GET", "/v1/audit/verify", as_="kjj")
    expect(status == 403, f"bureau verifying -> {status}")


def unknown_things_are_clear(w):
    status, doc = w.api.call("GET", f"/v1/organisations/{uscc(9999999)}", as_="auditor")
    expect(status == 404 and doc.get("code"), f"unknown org -> {status} {doc}")
    org = w.org()
    w.refused_claim(org, "A99.nothing", "unknown_programme")


SCENARIOS = [computing_cap_spans_the_term, standards_cap_per_body_per_year, provincial_award_first_unit_only,
             orders_need_a_chain_leader_over_the_threshold, tech_transfer_needs_no_membership_but_the_district,
             honours_ladder_tops_up, rates_round_down_to_the_fen, lead_bureau_and_roles, money_conventions,
             payouts_reversals_and_finance, fund_exhausted_in_an_unfunded_year, idempotency_keys, audit_verifies,
             unknown_things_are_clear]

if __name__ == "__main__":
    sys.exit(run(SCENARIOS))
