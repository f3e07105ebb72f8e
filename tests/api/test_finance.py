"""Finance over HTTP: appropriations, payouts and reversals, and the refusals that protect the fund."""
from __future__ import annotations

from tests.support import unique_id


def test_appropriate_and_read_a_fund_year(api):
    """201 with the year's fund; appropriations add up; GET shows headroom and the Art. 2 floor."""
    first = api.ok("POST", "/v1/appropriations", {"year": 2024, "amount": "200000000.00",
                                                  "document_ref": "杭高新财〔2024〕1号"}, as_="finance")
    assert first["appropriated"] == "200000000.00" and first["below_floor"] is True
    second = api.ok("POST", "/v1/appropriations", {"year": 2024, "amount": "100000000", "document_ref": "追加"},
                    as_="finance")
    assert (second["appropriated"], second["headroom"], second["floor"]) == ("300000000.00", "300000000.00",
                                                                               "300000000.00")
    assert second["below_floor"] is False and len(second["appropriations"]) == 2
    assert api.ok("GET", "/v1/appropriations/2024", as_="kjj") == second


def test_appropriation_refusals(api):
    """A year outside the policy term is 409 `outside_policy_term`; zero is `invalid_amount`."""
    api.refused("POST", "/v1/appropriations", {"year": 2030, "amount": "1.00", "document_ref": "D"}, "finance", 409,
                "outside_policy_term")
    api.refused("POST", "/v1/appropriations", {"year": 2023, "amount": "0.00", "document_ref": "D"}, "finance", 422,
                "invalid_amount")
    api.refused("POST", "/v1/appropriations", {"year": 2023, "amount": "1.00"}, "finance", 422, "invalid_request")


def test_pay_read_and_reverse(api, world):
    """A payout lowers what is outstanding; its reversal raises it again and is recorded, not deleted."""
    org = world.org()
    claim = world.approved(org)
    payout = api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100000.00", "paid_on": "2023-07-03",
                                            "bank_ref": "ICBC-20230703-000187"}, as_="finance")
    assert payout["status"] == "paid" and payout["amount"] == "100000.00" and payout["paid_on"] == "2023-07-03"
    assert payout["claim"] == {"approved_amount": "300000.00", "paid_amount": "100000.00",
                               "outstanding_amount": "200000.00"}
    assert api.ok("GET", f"/v1/payouts/{payout['id']}", as_="auditor") == payout
    reversed_ = api.ok("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "收款账户户名不符，银行退回"},
                       as_="finance", status=200)
    assert reversed_["status"] == "reversed" and reversed_["reversal_reason"] == "收款账户户名不符，银行退回"
    assert reversed_["claim"]["outstanding_amount"] == "300000.00"
    api.refused("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "again"}, "finance", 409, "invalid_state")


def test_a_reversal_keeps_its_document_and_the_claims_history_says_why(api, world):
    """Every correction keeps who, why and its document (contract, "Corrections"): a reversal may name the bank's
    return notice, which was refused as an unknown field, and the claim's history showed the reversal with no
    reason (a finance probe). Both are kept, on the payout and on the claim's own event; without one, as before."""
    claim = world.approved(world.org())
    first, second = (api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100000.00",
                                                   "paid_on": "2023-07-03", "bank_ref": unique_id("ICBC-")},
                            as_="finance") for _ in range(2))
    noticed = api.ok("POST", f"/v1/payouts/{first['id']}/reverse", {"reason": "收款账户已销户，银行退回",
                                                                     "document_ref": "工行退汇通知 2024-0712"},
                     as_="finance", status=200)
    assert (noticed["reversal_reason"], noticed["reversal_document_ref"]) == ("收款账户已销户，银行退回",
                                                                            "工行退汇通知 2024-0712")
    read = api.ok("GET", f"/v1/payouts/{first['id']}", as_="auditor")
    assert read["reversal_document_ref"] == "工行退汇通知 2024-0712"
    plain = api.ok("POST", f"/v1/payouts/{second['id']}/reverse", {"reason": "户名不符"}, as_="finance", status=200)
    assert plain["reversal_document_ref"] is None
    history = [h for h in api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")["history"]
               if h["event"] == "PayoutReversed"]
    assert [(h.get("reason"), h.get("document_ref")) for h in history] == [
        ("收款账户已销户，银行退回", "工行退汇通知 2024-0712"), ("户名不符", None)]
    api.refused("POST", f"/v1/payouts/{second['id']}/reverse", {"reason": "x", "document_ref": " "}, "finance", 422,
                "invalid_request")


def test_a_claims_history_names_each_payouts_bank_reference_and_a_reversals_amount(api, world):
    """The claim's history gave `bank_ref: null` on a payout and `amount: null` on a reversal, where the organisation's
    timeline gave both (a finance probe): each entry now carries the payout's bank reference, a reversal its amount."""
    claim = world.approved(world.org())
    refs = [unique_id("ICBC-"), unique_id("ICBC-")]
    paid = [api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": amount, "paid_on": "2023-07-03",
                                           "bank_ref": ref}, as_="finance") for amount, ref in
            zip(("100000.00", "50000.05"), refs, strict=True)]
    api.ok("POST", f"/v1/payouts/{paid[1]['id']}/reverse", {"reason": "户名不符"}, as_="finance", status=200)
    history = api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")["history"]
    said = [(h["event"], h["payout_id"], h["amount"], h["bank_ref"]) for h in history
            if h["event"] in ("PayoutRecorded", "PayoutReversed")]
    assert said == [("PayoutRecorded", paid[0]["id"], "100000.00", refs[0]),
                    ("PayoutRecorded", paid[1]["id"], "50000.05", refs[1]),
                    ("PayoutReversed", paid[1]["id"], "50000.05", refs[1])], said


def test_payout_refusals(api, world):
    """Paying more than is outstanding is `over_approved`; a pending claim is `invalid_state`; unknown is 404."""
    org = world.org()
    claim = world.approved(org)
    pay = {"claim_id": claim["id"], "amount": "300000.01", "paid_on": "2023-07-03", "bank_ref": unique_id("B-")}
    api.refused("POST", "/v1/payouts", pay, "finance", 409, "over_approved")
    api.ok("POST", "/v1/payouts", {**pay, "amount": "300000.00"}, as_="finance")
    full = api.refused("POST", "/v1/payouts", {**pay, "amount": "0.01"}, "finance", 409, "over_approved",
                       headers={"Accept-Language": "zh"})
    # paid in full: said so, with what to do, the claim at fault, not "pay at most 0.00" (a finance probe)
    assert "已全额拨付" in full["detail"] and "最多拨付 0.00" not in full["detail"], full
    assert full["field"] == "claim_id", full
    pending = world.claim(world.org())
    api.refused("POST", "/v1/payouts", {**pay, "claim_id": pending["id"]}, "finance", 409, "invalid_state")
    api.refused("POST", "/v1/payouts", {**pay, "claim_id": "3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"}, "finance", 404,
                "not_found")
    api.refused("GET", "/v1/payouts/3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f", None, "finance", 404, "not_found")
    api.refused("POST", "/v1/payouts/3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f/reverse", {"reason": "x"}, "finance", 404,
                "not_found")


def test_unknown_reconciliation_formats_and_missing_years_are_refused(api):
    """A format other than json, csv or xlsx, or no year, is 422 `invalid_request`."""
    api.refused("GET", "/v1/finance/reconciliation?year=2023&format=pdf", None, "finance", 422, "invalid_request")
    api.refused("GET", "/v1/finance/reconciliation", None, "finance", 422, "invalid_request")


def test_one_budget_document_is_appropriated_once(api):
    """A finance probe: the same document booked twice (a clerk sending again after a timeout, without the
    Idempotency-Key) doubled the year's fund for good and let approvals past the real budget. The same document
    again, its spaces or letter case aside, is a `conflict` that writes nothing and says what to send; the same key
    still gets the first answer; a supplementary budget on its own document adds up."""
    first = {"year": 2025, "amount": "200000.00", "document_ref": "区财预〔2025〕12号 Rev-A"}
    booked = api.ok("POST", "/v1/appropriations", first, as_="finance", key="budget-12")
    assert api.ok("POST", "/v1/appropriations", first, as_="finance", key="budget-12") == booked
    for again in (first, {**first, "amount": "1"}, {**first, "document_ref": " 区财预〔2025〕12号  rev-a "},
                  {**first, "document_ref": "区财预〔2025〕12号 ＲＥＶ－Ａ"},
                  {**first, "document_ref": "区财预〔2025〕12号Rev–A"}):
        problem = api.refused("POST", "/v1/appropriations", again, "finance", 409, "conflict",
                              headers={"Accept-Language": "zh"})
        assert "区财预〔2025〕12号 Rev-A" in problem["detail"] and "追加预算另有文号" in problem["detail"], problem
    english = api.refused("POST", "/v1/appropriations", first, "finance", 409, "conflict")
    assert "send its document_ref" in english["detail"] and "Idempotency-Key" in english["detail"], english
    more = api.ok("POST", "/v1/appropriations", {**first, "document_ref": "区财预〔2025〕31号"}, as_="finance")
    assert more["appropriated"] == "400000.00" and len(more["appropriations"]) == 2
    assert api.ok("GET", "/v1/appropriations/2025", as_="finance")["appropriated"] == "400000.00"


def test_an_appropriation_is_corrected_by_a_new_event_with_its_reason_and_document(api, unfunded_world):
    """A figure mistyped at booking had no way back: too much could not be taken off a year's fund. A correction
    sets what the booked document appropriates (0.00 withdraws it), with who, why and the document it rests on;
    the year's fund, its history and the reconciliation follow; the same key answers as before; what the year's
    approvals charge is never left without its appropriation; a withdrawn document may be booked again."""
    w = unfunded_world
    api.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "3000000.00", "document_ref": "区财〔2023〕1号"},
           as_="finance")
    api.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "200000.00", "document_ref": "区财〔2023〕9号"},
           as_="finance")
    w.approved(w.org())  # 2023: charges 300,000.00 (A5.voucher, 30% of 1,000,000.00)
    fix = {"appropriation_ref": "区财(2023)1号", "amount": "300000.00", "reason": "录入时多打了一个零",
           "document_ref": "区财〔2023〕11号"}
    fund = api.ok("POST", "/v1/appropriations/2023/correct", fix, as_="finance", status=200, key="fix-1")
    assert (fund["appropriated"], fund["approved"], fund["headroom"]) == ("500000.00", "300000.00", "200000.00")
    assert fund["appropriations"] == [{"amount": "300000.00", "document_ref": "区财〔2023〕1号"},
                                      {"amount": "200000.00", "document_ref": "区财〔2023〕9号"}]
    assert api.ok("POST", "/v1/appropriations/2023/correct", fix, as_="finance", status=200, key="fix-1") == fund
    assert api.ok("GET", "/v1/appropriations/2023", as_="auditor") == fund
    line = api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")["appropriation"]
    assert (line["appropriated"], line["headroom"]) == ("500000.00", "200000.00")

    same = api.refused("POST", "/v1/appropriations/2023/correct", fix, "finance", 409, "conflict")
    assert "already reads 300,000.00" in same["detail"], same
    # Withdrawing the 9号 document leaves 300,000.00 for the approved 300,000.00: taken; then the 1号 one cannot go
    # down to 100,000.00 under the approvals' 300,000.00, and the refusal writes nothing.
    api.ok("POST", "/v1/appropriations/2023/correct", {**fix, "appropriation_ref": "区财〔2023〕9号", "amount": "0",
                                                       "reason": "预算调减"}, as_="finance", status=200)
    short = api.refused("POST", "/v1/appropriations/2023/correct", {**fix, "amount": "100000.00"}, "finance", 409,
                        "fund_exhausted", headers={"Accept-Language": "zh"})
    assert "已批准 300,000.00 元" in short["detail"] and short["field"] == "amount", short
    missing = api.refused("POST", "/v1/appropriations/2023/correct", {**fix, "appropriation_ref": "区财〔2023〕9号"},
                          "finance", 404, "not_found")
    assert "区财〔2023〕1号" in missing["detail"], missing  # it names what the year does hold
    api.refused("POST", "/v1/appropriations/2023/correct", {k: v for k, v in fix.items() if k != "document_ref"},
                "finance", 422, "invalid_request")
    api.refused("POST", "/v1/appropriations/2023/correct", {**fix, "amount": "-1.00"}, "finance", 422,
                "invalid_amount")
    api.refused("POST", "/v1/appropriations/2023/correct", fix, "kjj", 403, "forbidden")
    again = api.ok("POST", "/v1/appropriations",
                   {"year": 2023, "amount": "50000.00", "document_ref": "区财〔2023〕9号"}, as_="finance")
    assert again["appropriated"] == "350000.00" and len(again["appropriations"]) == 2

    # The answer lists each correction, oldest first, with who, why, on what and when (a pages probe found none).
    listed = api.ok("GET", "/v1/appropriations/2023", as_="auditor")["corrections"]
    assert [(c["appropriation_ref"], c["was"], c["amount"], c["reason"], c["document_ref"], c["by"])
            for c in listed] == [
        ("区财〔2023〕1号", "3000000.00", "300000.00", "录入时多打了一个零", "区财〔2023〕11号", "finance-test"),
        ("区财〔2023〕9号", "200000.00", "0.00", "预算调减", "区财〔2023〕11号", "finance-test")]
    from ledger.domain.fund_year import FundYear

    ledger = api.client.app.state.ledger
    kept = [e for e in ledger.events.get(FundYear.create_id(2023)) if type(e).__name__ == "AppropriationCorrected"]
    assert [e.at for e in kept] == [c["corrected_at"] for c in listed] == [e.timestamp.isoformat() for e in kept]
    assert [(e.appropriation_ref, str(e.was), str(e.amount), e.reason, e.document_ref, e.by) for e in kept] == [
        ("区财〔2023〕1号", "3000000.00", "300000.00", "录入时多打了一个零", "区财〔2023〕11号", "finance-test"),
        ("区财〔2023〕9号", "200000.00", "0.00", "预算调减", "区财〔2023〕11号", "finance-test")]
