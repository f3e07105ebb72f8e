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
    # Read in Chinese, the history's steps are Chinese as the claim's own explanation is (a rules probe had them
    # in English under Accept-Language: zh), and in English for an English reader.
    for lang, han in (("zh", True), ("en", False)):
        read = api.ok("GET", f"/v1/claims/{cut['id']}", as_="auditor", headers={"Accept-Language": lang})
        for event in read["history"][:2]:
            said = " ".join(s["detail"] for s in event["explanation"])
            assert any("\u4e00" <= ch <= "\u9fff" for ch in said) is han, (lang, event["event"], said)
    then = api.client.get(f"/v1/organisations/{org}/awards", params={"as_of": before},
                          headers={"Authorization": f"Bearer {api.tokens['auditor']}"}).json()
    now = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    assert then["totals"]["entitled"] == "200000.00" and then["totals"]["approved"] == "0.00"
    assert now["totals"]["approved"] == "300000.00"
    cap = next(c for c in now["caps"] if c["scope"] == "enterprise_year")
    assert (cap["used"], cap["remaining"]) == ("300000.00", "200000.00")


def test_a_confirmation_that_moves_the_figure_records_the_reassessment_as_its_own_event(api, world):
    """Contract: "A re-assessment (catalogue rule 12) appears in the claim's history as its own event with the old
    and new entitled_amount", and confirming a proposal re-assesses it. The probe: a little-giant proposal whose
    figure had moved since it was made was confirmed with the move only inside `Confirmed`. Each move is now its own
    `Reassessed` event (old and new figures), at the moment the ledger changed under the proposal: the pending SME
    claim's rejection gives the ladder back, and the SME rung claimed again while the proposal waits takes 200,000
    of it (a proposals probe: the queue showed 1,000,000 until the confirmation). The confirmation then moves
    nothing, and the totals and the ladder count the award once."""
    org = world.org()
    cert = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "provincial_sme",
                                                  "effective_on": "2023-03-01", "document_ref": "浙经信〔2023〕7号"},
                  as_="jxj")
    [first] = cert["proposed_claims"]
    first = first["id"] if isinstance(first, dict) else first
    api.ok("POST", f"/v1/claims/{first}/confirm", {}, as_="jxj", status=200)
    upgraded = api.ok("POST", f"/v1/certifications/{cert['id']}/upgrades", {
        "tier": "little_giant", "effective_on": "2024-05-10", "document_ref": "工信部〔2024〕2号"}, as_="jxj")
    [second] = upgraded["proposed_claims"]
    second = second["id"] if isinstance(second, dict) else second
    assert api.ok("GET", f"/v1/claims/{second}", as_="auditor")["entitled_amount"] == "800000.00"
    api.ok("POST", f"/v1/claims/{first}/reject", {"reason": "材料不全"}, as_="jxj", status=200)
    raised = api.ok("GET", f"/v1/claims/{second}", as_="auditor")
    assert [(e["event"], e.get("previous_amount"), e.get("entitled_amount")) for e in raised["history"]] == [
        ("Proposed", None, "800000.00"), ("Reassessed", "800000.00", "1000000.00")], raised["history"]
    api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A6.honour", "award_year": 2023, "tier": "provincial_sme",
                                  "effective_on": "2023-03-01"}, as_="jxj")
    cut = api.ok("GET", f"/v1/claims/{second}", as_="auditor")
    assert cut["entitled_amount"] == "800000.00"
    step = cut["history"][-1]
    assert (step["event"], step["previous_amount"], step["entitled_amount"]) == (
        "Reassessed", "1000000.00", "800000.00"), cut["history"]
    assert step["explanation"][-1]["amount"] == "800000.00"
    queue = api.ok("GET", f"/v1/claims?status=proposed&uscc={org}", as_="jxj")["claims"]
    assert [(row["id"], row["entitled_amount"]) for row in queue] == [(second, "800000.00")], queue
    confirmed = api.ok("POST", f"/v1/claims/{second}/confirm", {}, as_="jxj", status=200)
    assert (confirmed["status"], confirmed["entitled_amount"]) == ("pending", "800000.00")
    history = api.ok("GET", f"/v1/claims/{second}", as_="auditor")["history"]
    assert [e["event"] for e in history] == ["Proposed", "Reassessed", "Reassessed", "Confirmed"], history
    assert (history[3]["previous_amount"], history[3]["entitled_amount"]) == ("800000.00", "800000.00")
    api.ok("POST", f"/v1/claims/{second}/approve", {}, as_="jxj", status=200)
    totals = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["totals"]
    # approved, the little giant outranks the pending SME rung (re-assessed to nothing): the ladder pays 1,000,000 once
    assert (totals["entitled"], totals["approved"]) == ("1000000.00", "1000000.00"), totals


def test_a_confirmation_cut_by_a_body_cap_moves_the_cap_once(api, world):
    """The same under a cap the read models keep (A11, per innovation organisation and year): the body's cap shows
    the confirmed claim's new figure, not the proposal's added to it."""
    lead = world.org()
    body = world.body(lead=lead, kind="consortium")
    other = world.org(member=False)
    api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": other, "joined_on": "2022-10-01"}, as_="admin")
    cert = api.ok("POST", "/v1/certifications", {"uscc": lead, "programme": "A11.standard",
                                                  "tier": "international_lead", "effective_on": "2023-03-01",
                                                  "subject": f"standard:IEC-{lead[-6:]}", "body_id": body,
                                                  "document_ref": "国标委〔2023〕3号"}, as_="scjgj")
    proposals = [p["id"] if isinstance(p, dict) else p for p in cert["proposed_claims"]]
    assert api.ok("GET", f"/v1/claims/{proposals[0]}", as_="auditor")["entitled_amount"] == "1000000.00"
    taken = world.claim(other, "A11.standard", as_="scjgj", tier="international_participate", body_id=body,
                        subject=f"standard:ISO-{other[-6:]}")
    api.ok("POST", f"/v1/claims/{taken['id']}/approve", {}, as_="scjgj", status=200)
    confirmed = api.ok("POST", f"/v1/claims/{proposals[0]}/confirm", {}, as_="scjgj", status=200)
    assert confirmed["entitled_amount"] == "500000.00", confirmed
    history = api.ok("GET", f"/v1/claims/{proposals[0]}", as_="auditor")["history"]
    # the other unit's approval re-assessed the open proposal to what the cap left (as the queue showed it then)
    assert [e["event"] for e in history] == ["Proposed", "Reassessed", "Confirmed"], history
    assert (history[1]["previous_amount"], history[1]["entitled_amount"]) == ("1000000.00", "500000.00")
    caps = api.ok("GET", f"/v1/organisations/{lead}/awards", as_="auditor")["caps"]
    mine = [c for c in caps if c["scope"] == "organisation_year" and body in (c.get("account") or "")]
    assert [(c["used"], c["remaining"]) for c in mine] == [("1000000.00", "0.00")], caps
