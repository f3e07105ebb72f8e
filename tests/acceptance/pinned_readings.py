"""Black-box scenarios for the readings catalogue.md pins (rules 2-6, 10-13), in the shared harness's style:
each finding of the auditors' run, with its own facts. scripts/acceptance.sh runs it on both stores:

    python tests/acceptance/pinned_readings.py --exe $PWD/.venv/bin/award-ledger [--database-url postgresql://...]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared harness: beside public.py where scripts/acceptance.sh was given it (`make acceptance SHARED=...`),
# else ../shared beside the project.
sys.path.insert(0, os.environ.get("LEDGER_ACCEPTANCE_HARNESS") or os.path.join(HERE, "..", "..", "..", "shared",
                                                                            "acceptance"))

from harness import Failure, money, run  # noqa: E402


def expect(cond, what):
    if not cond:
        raise Failure(what)


def certification_is_paid_once_whatever_the_subject(w):
    org = w.org()
    cert = w.recognise(org, "A3.erc", "municipal", effective_on="2023-02-01")
    w.entitled(org, "A3.erc", "200000", certification_id=cert)
    w.refused_claim(org, "A3.erc", "invalid_request", certification_id=cert, subject="project:ELSEWHERE")
    w.refused_claim(org, "A3.erc", "already_awarded", certification_id=cert, award_year=2024)
    w.upgrade(cert, "national", effective_on="2024-03-01")
    w.entitled(org, "A3.erc", "800000", certification_id=cert, award_year=2024)


def best_of_after_caps_in_either_order(w):
    one, two = w.org(), w.org()
    w.entitled(one, "A9.national_award", "5000000", tier="first", rank=1, subject="project:BO-1")
    w.refused_claim(one, "A4.challenge", "superseded", basis_amount="20000000", subject="project:BO-1")
    w.entitled(two, "A4.challenge", "5000000", basis_amount="20000000", subject="project:BO-2")
    w.refused_claim(two, "A9.national_award", "superseded", tier="first", rank=1, subject="project:BO-2")


def co_undertakers_share_the_project_cap(w):
    w.entitled(w.org(), "A4.challenge", "3000000", basis_amount="10000000", subject="project:CU-1")
    w.entitled(w.org(), "A4.challenge", "2000000", basis_amount="10000000", subject="PROJECT:cu-1 ")
    w.refused_claim(w.org(), "A4.challenge", "cap_exceeded", basis_amount="100", subject="project:CU-1")


def recognition_awards_belong_to_the_body(w):
    lead, member = w.org(body=False), w.org(body=False)
    body = w.body(lead=lead, kind="consortium", recognised_on="2022-09-06")
    w.join(body, member)
    cert = w.certify(lead, "A3.consortium", "provincial", body_id=body)
    w.entitled(lead, "A3.consortium", "500000", certification_id=cert)
    doc = w.refused_claim(member, "A3.consortium", "not_eligible", body_id=body, award_year=2024)
    expect(body in doc["detail"], f"the refusal names the body: {doc['detail']}")
    doc = w.refused_claim(lead, "A3.erc", "missing_field", tier="national")
    expect("body_id" in doc["detail"], f"the refusal names the field: {doc['detail']}")
    doc = w.refused_claim(lead, "A3.erc", "not_eligible", tier="national", body_id=body)
    expect("consortium" in doc["detail"], f"the refusal names the body's kind: {doc['detail']}")


def prize_grades_top_up(w):
    org = w.org()
    w.entitled(org, "A9.provincial_award", "200000", tier="second", rank=1, subject="project:PG-1")
    w.entitled(org, "A9.provincial_award", "300000", tier="first", rank=1, subject="project:PG-1", award_year=2024)
    w.refused_claim(org, "A9.provincial_award", "already_awarded", tier="second", rank=1, subject="project:PG-1",
                    award_year=2024)


def one_unit_per_rank_and_the_year_follows_the_facts(w):
    holder = w.claim(w.org(), "A9.national_award", tier="second", rank=1, subject="project:RK-1")
    doc = w.refused_claim(w.org(), "A9.national_award", "conflict", tier="second", rank=1, subject="project:RK-1")
    expect(holder["id"] in doc["detail"], f"the refusal names the claim holding the rank: {doc['detail']}")
    w.refused_claim(w.org(), "A5.voucher", "invalid_request", basis_amount="1000000", award_year=2023,
                    effective_on="2024-06-01")


def one_product_however_written(w):
    org = w.org()
    w.entitled(org, "A10.first_set", "500000", as_="jxj", requested_amount="500000", subject="product:X-9")
    for variant in ("product:X-9 ", "ＰＲＯＤＵＣＴ：Ｘ－９", "Product:  x-9"):
        w.refused_claim(org, "A10.first_set", "already_awarded", as_="jxj", requested_amount="500000",
                        subject=variant, award_year=2024)
    w.refused_claim(org, "A10.first_set", "invalid_request", as_="jxj", requested_amount="500000",
                    subject="product:X-9\u200b")


def decided_amounts_are_stated(w):
    w.refused_claim(w.org(), "A13.equity", "missing_field", as_="fgj", subject="project:EQ-1")
    w.refused_claim(w.org(), "A13.equity", "cap_exceeded", as_="fgj", subject="project:EQ-1",
                    requested_amount="20000000.01")
    w.entitled(w.org(), "A13.equity", "6000000", as_="fgj", subject="project:EQ-1", requested_amount="6000000")


def approval_reassesses(w):
    org = w.org()
    cert = w.recognise(org, "A3.erc", "municipal", effective_on="2023-02-01")
    lower = w.claim(org, "A3.erc", certification_id=cert)
    w.upgrade(cert, "national", effective_on="2024-03-01")
    upper = w.entitled(org, "A3.erc", "800000", certification_id=cert, award_year=2024, approve=False)
    w.api.ok("POST", f"/v1/claims/{lower['id']}/reject", {"reason": "材料不全"}, as_="kjj")
    done = w.api.ok("POST", f"/v1/claims/{upper['id']}/approve", {}, as_="kjj")
    expect(money(done["approved_amount"]) == money("1000000"), f"approved after re-assessment: {done}")


SCENARIOS = [certification_is_paid_once_whatever_the_subject, best_of_after_caps_in_either_order,
             co_undertakers_share_the_project_cap, recognition_awards_belong_to_the_body, prize_grades_top_up,
             one_unit_per_rank_and_the_year_follows_the_facts, one_product_however_written,
             decided_amounts_are_stated, approval_reassesses]

if __name__ == "__main__":
    sys.exit(run(SCENARIOS))
