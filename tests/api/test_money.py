"""Money on the wire: decimal strings or JSON integers in, two-place strings out; floats never."""
from __future__ import annotations

import pytest

REFUSED = [
    pytest.param(1000000.0, id="float"),
    pytest.param(1000000.5, id="float-with-fraction"),
    pytest.param("1000000.001", id="three-places"),
    pytest.param("1000000.000", id="three-places-all-zeros"),
    pytest.param("5.0000", id="four-places-all-zeros"),
    pytest.param("-1000.00", id="negative-string"),
    pytest.param(-1000, id="negative-integer"),
    pytest.param(True, id="bool"),
    pytest.param("1e6", id="exponent"),
    pytest.param("NaN", id="nan"),
    pytest.param("", id="empty"),
    pytest.param(" 100", id="padded"),
    pytest.param("1,000.00", id="thousands-separator"),
    pytest.param(["1", "0"], id="list"),
    pytest.param(10**30, id="beyond-any-budget"),
]


@pytest.mark.parametrize("amount", REFUSED)
def test_bad_amounts_are_invalid_amount_and_write_nothing(api, amount):
    """Every way an amount can be wrong is 422 `invalid_amount`, naming the field."""
    problem = api.refused("POST", "/v1/appropriations", {"year": 2023, "amount": amount, "document_ref": "预算"},
                          "finance", 422, "invalid_amount")
    assert problem["errors"][0]["field"] == "amount"


def test_integers_and_short_decimals_come_back_with_two_places(api, world):
    """An integer basis and a one-place approval are accepted and answered as two-place strings."""
    org = world.org()
    claim = world.claim(org, basis_amount=1000000)
    assert (claim["basis_amount"], claim["entitled_amount"]) == ("1000000.00", "300000.00")
    approved = api.ok("POST", f"/v1/claims/{claim['id']}/approve", {"amount": "250000.5"}, as_="kjj", status=200)
    assert approved["approved_amount"] == "250000.50"
    fund = api.ok("POST", "/v1/appropriations", {"year": 2024, "amount": 5, "document_ref": "追加"}, as_="finance")
    assert fund["appropriated"] == "300000005.00"


def test_money_fields_of_every_command_refuse_floats(api, world):
    """basis_amount, requested_amount, approval amount and payout amount all refuse a float."""
    org = world.org()
    claim = world.claim(org)
    base = {"uscc": org, "programme": "A5.voucher", "award_year": 2024, "effective_on": "2024-06-01"}
    api.refused("POST", "/v1/claims", {**base, "basis_amount": 1000000.0}, "kjj", 422, "invalid_amount")
    api.refused("POST", "/v1/claims", {**base, "basis_amount": "1", "requested_amount": 0.3}, "kjj", 422,
                "invalid_amount")
    api.refused("POST", f"/v1/claims/{claim['id']}/approve", {"amount": 100.25}, "kjj", 422, "invalid_amount")
    approved = api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)
    api.refused("POST", "/v1/payouts", {"claim_id": approved["id"], "amount": 1.5, "paid_on": "2023-07-01",
                                        "bank_ref": "B"}, "finance", 422, "invalid_amount")


def test_an_amount_typed_in_full_width_says_so_and_what_to_type(api):
    """A hostile-input probe: a clerk's input method in full-width mode typed １０００ (or １，０００), and the
    refusal said "not a decimal string" for what looked like a number. It says the characters are full-width, in
    the reader's language, and gives the half-width amount to type; it writes nothing."""
    # With 元 after it, which the pages take, it is still the full-width digits that are wrong (a clerk's
    # １５０，０００．００ 元 was told it carried a unit); 万 is a unit, said so with the figure in yuan.
    for typed, plain in (("１０００", "1000"), ("１，０００．５", "1000.5"), ("３０００００.００", "300000.00"),
                         ("１５０，０００．００ 元", "150000.00"), ("１５０，０００．００元", "150000.00")):
        problem = api.refused("POST", "/v1/appropriations", {"year": 2024, "amount": typed, "document_ref": "预算"},
                              "finance", 422, "invalid_amount")
        assert "full-width" in problem["detail"] and f"type it as {plain}" in problem["detail"], problem
        zh = api.refused("POST", "/v1/appropriations", {"year": 2024, "amount": typed, "document_ref": "预算"},
                         "finance", 422, "invalid_amount", headers={"Accept-Language": "zh"})
        assert "全角" in zh["detail"] and f"请改为输入 {plain}" in zh["detail"], zh
    # Never an amount that is refused in turn (a regression probe was told to type -100 and 10000.123); the point
    # of the full-width mode (。) is read as one.
    for typed, offered in (("－１００", None), ("１００００.１２３", None), ("１００００。５０", "10000.50")):
        problem = api.refused("POST", "/v1/appropriations", {"year": 2024, "amount": typed, "document_ref": "预算"},
                              "finance", 422, "invalid_amount")
        assert "full-width" in problem["detail"], problem
        assert (f"type it as {offered}" in problem["detail"]) if offered else "type it as" not in problem["detail"]
    body = {"year": 2024, "amount": "２０万", "document_ref": "预算"}
    ten_thousands = api.refused("POST", "/v1/appropriations", body, "finance", 422, "invalid_amount")
    assert "carries a unit" in ten_thousands["detail"] and "200000.00" in ten_thousands["detail"], ten_thousands
