"""A payout dated in the future or before its claim's facts, or reusing another payout's bank reference, is
refused saying which and why, and writes nothing (ledger/payout_checks.py documents refuse vs. accept)."""
from __future__ import annotations

from datetime import timedelta

from ledger import beijing
from tests.support import unique_id


def _approved(api, world) -> str:
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    return claim["id"]


def test_a_future_payout_is_refused(api, world):
    """Tomorrow in Beijing is refused on paid_on; today is accepted."""
    claim = _approved(api, world)
    tomorrow = (beijing.today() + timedelta(days=1)).isoformat()
    problem = api.refused("POST", "/v1/payouts", {"claim_id": claim, "amount": "1.00", "paid_on": tomorrow,
                                                  "bank_ref": unique_id("F-")}, "finance", 422, "invalid_request")
    assert problem["field"] == "paid_on" and "future" in problem["detail"]
    api.ok("POST", "/v1/payouts", {"claim_id": claim, "amount": "1.00", "paid_on": beijing.today().isoformat(),
                                   "bank_ref": unique_id("F-")}, as_="finance")


def test_a_payout_before_the_claims_facts_is_refused(api, world):
    """A claim effective 2023-06-01 cannot have been paid on 2023-05-31."""
    claim = _approved(api, world)
    problem = api.refused("POST", "/v1/payouts", {"claim_id": claim, "amount": "1.00", "paid_on": "2023-05-31",
                                                  "bank_ref": unique_id("E-")}, "finance", 422, "invalid_request",
                          headers={"Accept-Language": "zh"})
    assert problem["field"] == "paid_on" and "早于申请的生效日期 2023-06-01" in problem["detail"]


def test_a_reused_bank_reference_is_refused_naming_the_payout(api, world):
    """The second payout with one bank reference (any case, any spaces around it) is a conflict naming the first."""
    first_claim, second_claim = _approved(api, world), _approved(api, world)
    ref = unique_id("ICBC-")
    first = api.ok("POST", "/v1/payouts", {"claim_id": first_claim, "amount": "100.00", "paid_on": "2023-07-03",
                                           "bank_ref": ref}, as_="finance")
    for reused in (ref, f" {ref.lower()} "):
        problem = api.refused("POST", "/v1/payouts", {"claim_id": second_claim, "amount": "100.00",
                                                      "paid_on": "2023-07-04", "bank_ref": reused}, "finance", 409,
                              "conflict")
        assert problem["payout_id"] == first["id"] and problem["field"] == "bank_ref"
        assert first_claim in problem["detail"]


def test_a_payout_appears_once_in_the_organisations_timeline(api, world):
    """The page's timeline shows the payout's own event and not the claim's echo of the same command."""
    from api.web.organisations import once_per_payout

    org = world.org()
    claim = world.claim(org)
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", None, as_="kjj", status=200)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100.00", "paid_on": "2023-07-03",
                                   "bank_ref": unique_id("T-")}, as_="finance")
    history = api.client.app.state.read_models.history(org)
    events = [e["event"] for e in history]
    assert events.count("Payout.Recorded") == 1 and events.count("Claim.PayoutRecorded") == 1
    assert {e["effective_on"] for e in history if e["event"].endswith("PayoutRecorded")} == {"2023-07-03"}
    shown = [e["event"] for e in once_per_payout(api.client.app.state.read_models.history(org))]
    assert shown.count("Payout.Recorded") == 1 and "Claim.PayoutRecorded" not in shown
