"""A repayment booked on the wrong company's recovery, over HTTP on both stores (a finance probe's month): the
bank statement flags it, the clerk reverses it and books it on the right recovery, and the recoveries, the
organisations' totals, the reconciliation and the statement's matching all come right; refusals in Chinese."""
from __future__ import annotations

from tests.api.conftest import Api, World
from tests.support import unique_id

ZH = {"Accept-Language": "zh-CN"}


def _recovery(api: Api, world: World) -> tuple[str, str]:
    """An organisation's voucher award paid 50,000 and revoked: (its USCC, its recovery's id)."""
    code = world.org()
    claim = world.approved(code)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "50000.00", "paid_on": "2023-07-03",
                                   "bank_ref": unique_id("PAY-")}, as_="finance")
    revoked = api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "核查发现申报数据不实",
                                                                  "document_ref": "杭高新科〔2024〕17号"},
                     as_="kjj", status=200)
    return code, revoked["recovery_id"]


def test_a_receipt_booked_on_the_wrong_recovery_is_reversed_and_booked_on_the_right_one(api: Api,
                                                                                         world: World) -> None:
    payer, right = _recovery(api, world)
    other, wrong = _recovery(api, world)
    ref = unique_id("RCV-2024-")
    receipt = {"amount": "50000.00", "received_on": "2024-06-20", "bank_ref": ref}
    closed = api.ok("POST", f"/v1/recoveries/{wrong}/repayments", receipt, as_="finance")
    assert closed["status"] == "closed"
    line = {"date": "2024-06-20", "amount": "50000.00", "reference": ref, "counterparty": "付款单位",
            "direction": "credit"}
    flagged = api.ok("POST", "/v1/finance/bank-statements", {"lines": [line]}, as_="finance")["report"]
    assert [r["recovery_id"] for m in flagged["matched_credits"] for r in m["repayments"]] == [wrong]

    reversal = receipt | {"reason": "误记入他户追回款项，款项实为另一单位归还", "document_ref": "区财更〔2024〕12号"}
    api.refused("POST", f"/v1/recoveries/{wrong}/repayments/reverse", reversal, "kjj", 403, "forbidden")
    reopened = api.ok("POST", f"/v1/recoveries/{wrong}/repayments/reverse", reversal, as_="finance", status=200)
    assert (reopened["status"], reopened["recovered"], reopened["outstanding"]) == ("open", "0.00", "50000.00")
    assert reopened["repayments"][0]["reversed"] is True
    assert reopened["repayments"][0]["reversal_document_ref"] == "区财更〔2024〕12号"
    # Sent again without a key: it is reversed already, said so (a race probe was told there was no such repayment).
    again = api.refused("POST", f"/v1/recoveries/{wrong}/repayments/reverse", reversal, "finance", 409,
                        "invalid_state", headers=ZH)
    assert "已经冲回" in again["detail"] and "误记入他户追回款项" in again["detail"], again
    unknown = api.refused("POST", f"/v1/recoveries/{wrong}/repayments/reverse", reversal | {"bank_ref": "NO-SUCH"},
                          "finance", 404, "not_found", headers=ZH)
    assert "没有" in unknown["detail"] and "有效还款" in unknown["detail"], unknown
    api.ok("POST", f"/v1/recoveries/{right}/repayments", receipt, as_="finance")

    listed = {r["id"]: r for r in api.ok("GET", "/v1/recoveries", as_="finance")["recoveries"]}
    assert (listed[wrong]["status"], listed[wrong]["outstanding"]) == ("open", "50000.00")
    assert listed[wrong]["repayments"] == reopened["repayments"]
    assert (listed[right]["status"], listed[right]["recovered"]) == ("closed", "50000.00")
    for code, recovered, to_recover in ((payer, "50000.00", "0.00"), (other, "0.00", "50000.00")):
        totals = api.ok("GET", f"/v1/organisations/{code}/awards", as_="auditor")["totals"]
        assert (totals["recovered"], totals["to_recover"]) == (recovered, to_recover), (code, totals)
    # The statement, sent again (the same statement: 200), now matches the right recovery's repayment, and the
    # reversed one is no repayment.
    matched = api.ok("POST", "/v1/finance/bank-statements", {"lines": [line]}, as_="finance", status=200)["report"]
    assert [r["recovery_id"] for m in matched["matched_credits"] for r in m["repayments"]] == [right], matched
    assert wrong not in {r["recovery_id"] for r in matched["unmatched_repayments"]}
    history = api.ok("GET", f"/v1/claims/{listed[wrong]['claim_id']}", as_="auditor")["history"]
    assert [h["event"] for h in history][-2:] == ["Recovery.Repaid", "Recovery.RepaymentReversed"]
