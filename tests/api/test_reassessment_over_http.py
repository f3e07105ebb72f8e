"""Rule 12 over HTTP: a re-assessment is its own event in the organisation's history, and as-of answers show
the figure the ledger knew before and after it."""
from __future__ import annotations

import time
from datetime import UTC, datetime


def test_reassessment_in_history_and_as_of(api, world):
    """A voucher cut by the year's cap is re-assessed when the earlier voucher is rejected: the history holds a
    Claim.Reassessed with the old and new entitlement, and awards as of before it show the old figure."""
    org = world.org()
    first = world.claim(org, "A5.voucher", basis_amount="1000000")
    cut = world.claim(org, "A5.voucher", basis_amount="1000000")
    assert cut["entitled_amount"] == "200000.00"
    api.ok("POST", f"/v1/claims/{first['id']}/reject", {"reason": "合同未登记"}, as_="kjj", status=200)
    time.sleep(0.01)
    before = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    approved = api.ok("POST", f"/v1/claims/{cut['id']}/approve", {}, as_="kjj", status=200)
    assert approved["approved_amount"] == "300000.00"
    events = api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")["events"]
    reassessed = [e for e in events if e["event"] == "Claim.Reassessed"]
    assert len(reassessed) == 1
    assert (reassessed[0]["summary"]["previous_amount"], reassessed[0]["summary"]["entitled_amount"]) == (
        "200000.00", "300000.00")
    # The claim's own history (the contract: "appears in the claim's history as its own event with the old and
    # new entitled_amount"), between its submission and its approval, with the new explanation.
    history = api.ok("GET", f"/v1/claims/{cut['id']}", as_="auditor")["history"]
    assert [e["event"] for e in history] == ["Submitted", "Reassessed", "Approved"]
    step = history[1]
    assert (step["previous_entitled_amount"], step["previous_amount"], step["entitled_amount"]) == (
        "200000.00", "200000.00", "300000.00")
    assert step["explanation"][-1]["amount"] == "300000.00" and step["by"]
    then = api.client.get(f"/v1/organisations/{org}/awards", params={"as_of": before},
                          headers={"Authorization": f"Bearer {api.tokens['auditor']}"}).json()
    now = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    assert then["totals"]["entitled"] == "200000.00" and then["totals"]["approved"] == "0.00"
    assert now["totals"]["approved"] == "300000.00"
    cap = next(c for c in now["caps"] if c["scope"] == "enterprise_year")
    assert (cap["used"], cap["remaining"]) == ("300000.00", "200000.00")
