"""Acceptance scenarios for what black-box probes of the contract found at stop 30: the order of decisions on a
ladder or a subject, a re-assessment in the claim's own history, imports by another bureau and under an
Idempotency-Key, corrections (a certification's revocation, a revoked award's paid part, a closed recovery)
and amounts written with more than two places. Same harness as ../shared/acceptance/public.py:

    .venv/bin/python tests/acceptance/decisions_and_corrections.py --exe .venv/bin/award-ledger
"""
import os
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared harness: beside public.py where scripts/acceptance.sh was given it (`make acceptance SHARED=...`),
# else ../shared beside the project.
sys.path.insert(0, os.environ.get("LEDGER_ACCEPTANCE_HARNESS") or os.path.join(HERE, "..", "..", "..", "shared",
                                                                            "acceptance"))

from harness import Failure, money, run  # noqa: E402


def expect(cond, what):
    if not cond:
        raise Failure(what)


def approved_total(w, org):
    return money(w.api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["totals"]["approved"])


def a_pending_lower_rung_rejected_after_the_higher_one_was_approved_leaves_nothing_short(w):
    org = w.org()
    cert = w.recognise(org, "A3.erc", "provincial", effective_on="2023-02-01")
    lower = w.claim(org, "A3.erc", certification_id=cert, award_year=2023)
    w.upgrade(cert, "national", effective_on="2024-03-01")
    higher = w.claim(org, "A3.erc", certification_id=cert, award_year=2024, effective_on="2024-03-01")
    expect(money(higher["entitled_amount"]) == money("500000"), f"pending lower rung deducted: {higher}")
    done = w.api.ok("POST", f"/v1/claims/{higher['id']}/approve", {}, as_="kjj")
    expect(money(done["approved_amount"]) == money("1000000"), f"approval deducts only what was awarded: {done}")
    w.api.refused("POST", f"/v1/claims/{lower['id']}/approve", {}, "kjj", "already_awarded")
    w.api.ok("POST", f"/v1/claims/{lower['id']}/reject", {"reason": "已晋升"}, as_="kjj")
    expect(approved_total(w, org) == money("1000000"), "the ladder pays its top rung")


def a_pending_lower_prize_rejected_after_the_higher_one_was_approved_leaves_nothing_short(w):
    org = w.org()
    provincial = w.claim(org, "A9.provincial_award", tier="second", rank=1, subject="project:PR-1")
    national = w.claim(org, "A9.national_award", tier="first", rank=1, subject="project:PR-1")
    expect(money(national["entitled_amount"]) == money("4800000"), f"{national['entitled_amount']}")
    w.api.ok("POST", f"/v1/claims/{national['id']}/approve", {}, as_="kjj")
    w.api.ok("POST", f"/v1/claims/{provincial['id']}/reject", {"reason": "从高不重复"}, as_="kjj")
    expect(approved_total(w, org) == money("5000000"), "the subject pays its highest award once")


def a_reassessment_shows_in_the_claim_s_own_history(w):
    org = w.org()
    first = w.claim(org, "A5.voucher", basis_amount="1000000", award_year=2024)
    cut = w.claim(org, "A5.voucher", basis_amount="1000000", award_year=2024)
    expect(money(cut["entitled_amount"]) == money("200000"), f"cut by the cap: {cut['entitled_amount']}")
    w.api.ok("POST", f"/v1/claims/{first['id']}/reject", {"reason": "合同未登记"}, as_="kjj")
    w.api.ok("POST", f"/v1/claims/{cut['id']}/approve", {}, as_="kjj")
    history = w.api.ok("GET", f"/v1/claims/{cut['id']}", as_="auditor")["history"]
    step = next((e for e in history if "Reassess" in e["event"]), None)
    expect(step is not None, f"no re-assessment in {history}")
    expect(money(step["previous_entitled_amount"]) == money("200000") and
           money(step["entitled_amount"]) == money("300000"), f"figures: {step}")


def honours_rows(w, n):
    return [{"uscc": w.org(), "programme": "A6.honour", "tier": "provincial_sme", "effective_on": "2023-05-01",
             "document_ref": f"浙经信-{uuid.uuid4().hex[:6]}"} for _ in range(n)]


def another_bureau_s_import_writes_nothing_and_the_lead_bureau_imports_the_list(w):
    rows = {"rows": honours_rows(w, 2)}
    refused = w.api.ok("POST", "/v1/certifications/imports", rows, as_="kjj")
    expect(refused["recorded"] == 0 and {r["code"] for r in refused["refused"]} == {"not_lead_bureau"},
           f"kjj may record none of jxj's rows: {refused}")
    led = w.api.ok("POST", "/v1/certifications/imports", rows, as_="jxj", expect=(201,))
    expect(led["recorded"] == 2 and len(led["proposed_claims"]) == 2, f"the lead bureau records them: {led}")


def an_import_under_an_idempotency_key(w):
    key = {"Idempotency-Key": f"list-{uuid.uuid4().hex}"}
    rows = {"rows": honours_rows(w, 1)}
    first = w.api.ok("POST", "/v1/certifications/imports", rows, as_="jxj", expect=(201,), headers=key)
    again = w.api.ok("POST", "/v1/certifications/imports", rows, as_="jxj", expect=(201,), headers=key)
    expect(again == first, f"the first answer again: {again} != {first}")
    status, doc = w.api.call("POST", "/v1/certifications/imports", {"rows": honours_rows(w, 1)}, as_="jxj",
                             headers=key)
    expect(status == 409 and doc.get("code") == "conflict", f"another list under the key: {status} {doc}")


def revoking_a_certification_ends_every_claim_resting_on_it(w):
    org = w.org()
    cert = w.recognise(org, "A3.erc", "municipal", effective_on="2023-03-01")
    claim = w.claim(org, "A3.erc", certification_id=cert, award_year=2023)
    w.api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj")
    w.api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "50000", "paid_on": "2023-08-01",
                                     "bank_ref": f"B-{uuid.uuid4().hex[:8]}"}, as_="finance")
    answer = w.api.ok("POST", f"/v1/certifications/{cert}/revoke",
                      {"reason": "复核不合格", "effective_on": "2024-06-01", "document_ref": "撤销认定〔2024〕1号"},
                      as_="kjj")
    ended = {c["id"]: c for c in answer["claims"]}
    expect(ended.get(claim["id"], {}).get("status") == "revoked" and ended[claim["id"]].get("recovery_id"),
           f"the approved claim is revoked with a recovery: {answer}")


def a_revoked_award_s_paid_part_still_counts_on_its_cap(w):
    org = w.org()
    claim = w.claim(org, "A5.voucher", basis_amount="1000000", award_year=2023)
    w.api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj")
    w.api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100000", "paid_on": "2023-08-01",
                                     "bank_ref": f"B-{uuid.uuid4().hex[:8]}"}, as_="finance")
    revoked = w.api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "申报不实", "document_ref": "D-r"},
                       as_="kjj")
    expect(money(revoked["released_amount"]) == money("200000") and revoked.get("recovery_id"), f"{revoked}")
    w.entitled(org, "A5.voucher", "400000", basis_amount="2000000", award_year=2023, approve=False)
    recoveries = w.api.ok("GET", f"/v1/recoveries?uscc={org}", as_="finance")["recoveries"]
    rid = recoveries[0]["id"]
    w.api.ok("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业注销", "document_ref": "核销-1"},
             as_="finance")
    w.api.refused("POST", f"/v1/recoveries/{rid}/repayments",
                  {"amount": "0.01", "received_on": "2024-02-01", "bank_ref": "R-1"}, "finance", "over_recovered")


def amounts_with_more_than_two_places_are_refused_even_as_zeros(w):
    org = w.org()
    for written in ("100000.000", "5.0000"):
        w.refused_claim(org, "A5.voucher", "invalid_amount", basis_amount=written)


SCENARIOS = [a_pending_lower_rung_rejected_after_the_higher_one_was_approved_leaves_nothing_short,
             a_pending_lower_prize_rejected_after_the_higher_one_was_approved_leaves_nothing_short,
             a_reassessment_shows_in_the_claim_s_own_history,
             another_bureau_s_import_writes_nothing_and_the_lead_bureau_imports_the_list,
             an_import_under_an_idempotency_key, revoking_a_certification_ends_every_claim_resting_on_it,
             a_revoked_award_s_paid_part_still_counts_on_its_cap,
             amounts_with_more_than_two_places_are_refused_even_as_zeros]

if __name__ == "__main__":
    sys.exit(run(SCENARIOS))
