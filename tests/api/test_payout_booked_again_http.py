"""A payout booked in error (on the wrong claim, for the wrong amount) is reversed and the same bank transfer
booked again, right, under its own reference; the bank statement's line then matches the booking that stands
(a finance probe could only make a reference up, and the statement never came clean)."""
from __future__ import annotations

from tests.support import unique_id

ZH = {"Accept-Language": "zh"}


def _approved(api, world) -> str:
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    return claim["id"]


def _pay(api, claim: str, amount: str, ref: str, day: str = "2023-08-15") -> dict:
    return api.ok("POST", "/v1/payouts", {"claim_id": claim, "amount": amount, "paid_on": day, "bank_ref": ref},
                  as_="finance")


def test_a_payout_on_the_wrong_claim_is_booked_again_on_the_right_one(api, world):
    wrong, right = _approved(api, world), _approved(api, world)
    ref = unique_id("PAY-")
    first = _pay(api, wrong, "100000.00", ref)
    taken = api.refused("POST", "/v1/payouts", {"claim_id": right, "amount": "100000.00", "paid_on": "2023-08-15",
                                                "bank_ref": ref}, "finance", 409, "conflict")
    assert taken["payout_id"] == first["id"]  # standing: the reference is its own
    api.ok("POST", f"/v1/payouts/{first['id']}/reverse", {"reason": "误记到其他企业的申请", "document_ref": "更正-1"},
           as_="finance", status=200)
    again = _pay(api, right, "100000.00", f" {ref.lower()} ")  # the same reference, as any case writes it
    assert again["id"] != first["id"] and again["claim_id"] == right
    assert api.ok("GET", f"/v1/claims/{wrong}", as_="auditor")["paid_amount"] == "0.00"
    assert api.ok("GET", f"/v1/claims/{right}", as_="auditor")["paid_amount"] == "100000.00"
    # Standing again, the reference is taken again: named by the booking that stands.
    third = api.refused("POST", "/v1/payouts", {"claim_id": wrong, "amount": "100000.00", "paid_on": "2023-08-15",
                                                "bank_ref": ref}, "finance", 409, "conflict", headers=ZH)
    assert third["payout_id"] == again["id"] and "已用于拨付" in third["detail"]
    # The bank's line is the standing booking's: matched, and the statement clean.
    line = {"date": "2023-08-15", "amount": "100000.00", "reference": ref, "counterparty": "某科技有限公司"}
    report = api.ok("POST", "/v1/finance/bank-statements", {"lines": [line]}, as_="finance")["report"]
    assert [p["id"] for m in report["matched"] for p in m["payouts"]] == [again["id"]], report
    assert report["all_matched"] is True and report["counts"]["reversed_but_on_statement"] == 0, report["counts"]


def test_a_payout_of_the_wrong_amount_is_booked_again_for_the_right_one(api, world):
    claim = _approved(api, world)
    ref = unique_id("PAY-")
    line = {"date": "2023-08-20", "amount": "100000.00", "reference": ref, "counterparty": "某科技有限公司"}
    typo = _pay(api, claim, "10000.00", ref, "2023-08-20")
    before = api.ok("POST", "/v1/finance/bank-statements", {"lines": [line]}, as_="finance")["report"]
    assert before["counts"]["amount_mismatches"] == 1, before["counts"]
    api.ok("POST", f"/v1/payouts/{typo['id']}/reverse", {"reason": "金额录入错误"}, as_="finance", status=200)
    twice = api.refused("POST", f"/v1/payouts/{typo['id']}/reverse", {"reason": "再次冲回"}, "finance", 409,
                        "invalid_state", headers=ZH)
    assert "以原银行流水号重新登记" in twice["detail"], twice  # says what to do for a booking error
    right = _pay(api, claim, "100000.00", ref, "2023-08-20")
    # The same statement sent again (200: imported once) reads as it stands now.
    report = api.ok("POST", "/v1/finance/bank-statements", {"lines": [line]}, as_="finance", status=200)["report"]
    assert [p["id"] for m in report["matched"] for p in m["payouts"]] == [right["id"]], report
    assert report["all_matched"] is True, report["counts"]
    # Reversed in turn (a third booking), the reference is free once more, and each booking keeps its own id.
    api.ok("POST", f"/v1/payouts/{right['id']}/reverse", {"reason": "金额录入错误"}, as_="finance", status=200)
    third = _pay(api, claim, "100000.00", ref, "2023-08-20")
    assert len({typo["id"], right["id"], third["id"]}) == 3


def test_the_bank_returning_a_reference_booked_again_returns_the_booking_that_stands(api, world):
    """One transfer, booked on the wrong claim, reversed, booked again on the right one, then returned by the bank
    (退汇): the money back is the standing booking's, a discrepancy until finance reverses it (a regression probe
    had it put on the reversed booking error, the report all matched and the right claim still counted it paid)."""
    wrong, right = _approved(api, world), _approved(api, world)
    ref = unique_id("PAY-")
    first = _pay(api, wrong, "100000.00", ref, "2023-06-01")
    api.ok("POST", f"/v1/payouts/{first['id']}/reverse", {"reason": "记错申请"}, as_="finance", status=200)
    again = _pay(api, right, "100000.00", ref, "2023-06-01")
    lines = [{"date": "2023-06-01", "amount": "100000.00", "reference": ref, "counterparty": "某科技有限公司"},
             {"date": "2023-06-05", "amount": "100000.00", "reference": ref, "counterparty": "某科技有限公司",
              "direction": "credit"}]
    report = api.ok("POST", "/v1/finance/bank-statements", {"lines": lines}, as_="finance")["report"]
    assert [p["id"] for m in report["returned_but_not_reversed"] for p in m["payouts"]] == [again["id"]], report
    assert report["returned_credit_lines"] == [] and report["all_matched"] is False, report["counts"]
    api.ok("POST", f"/v1/payouts/{again['id']}/reverse", {"reason": "银行退汇"}, as_="finance", status=200)
    settled = api.ok("POST", "/v1/finance/bank-statements", {"lines": lines}, as_="finance", status=200)["report"]
    assert [p["id"] for m in settled["returned_credit_lines"] for p in m["payouts"]] == [again["id"]], settled
    assert settled["all_matched"] is True, settled["counts"]
