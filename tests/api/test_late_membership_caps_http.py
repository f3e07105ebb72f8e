"""A membership recorded after a unit's standards claims (A11, capped per innovation organisation per year, "summed over
its member units") makes the body's cap count them, and the claim records it (`Claim.CountedOn`), over HTTP on both
stores. A rules probe found the count held on the cap for good: a 200,000 claim rejected (or withdrawn, or
re-assessed to nothing) went on using the body's 1,000,000, so another member was paid 300,000 of the 500,000 it was
owed; and the organisation's awards page never showed the counted claim, reading "500,000 remaining" while every
decision counted 1,000,000."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import quote

import pytest


def _body_cap(api, uscc: str, body: str) -> tuple[str, str]:
    caps = api.ok("GET", f"/v1/organisations/{uscc}/awards", as_="auditor")["caps"]
    [cap] = [c for c in caps if c["scope"] == "organisation_year" and body in (c.get("account") or "")
             and c.get("year") == 2023]
    return cap["used"], cap["remaining"]


def _standard(world, uscc: str, tier: str, subject: str, **extra) -> dict:
    return world.claim(uscc, "A11.standard", as_="scjgj", tier=tier, subject=f"standard:{subject}",
                       effective_on="2023-03-01", **extra)


@pytest.mark.parametrize("ending", ["reject", "withdraw"])
def test_a_claim_counted_on_a_body_through_a_late_membership_leaves_its_cap_when_it_ends(api, world, ending) -> None:
    lead, member, other = world.org(), world.org(member=False), world.org(member=False)
    body = world.body(lead=lead, kind="consortium")
    api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": member, "joined_on": "2022-10-01"}, as_="admin")
    world.body(lead=other, kind="alliance")
    first = _standard(world, lead, "international_participate", f"S1-{lead[-6:]}")
    api.ok("POST", f"/v1/claims/{first['id']}/approve", {}, as_="scjgj", status=200)
    pending = _standard(world, other, "national", f"S6-{other[-6:]}", rank=1)
    assert pending["entitled_amount"] == "200000.00"
    api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": other, "joined_on": "2023-01-01"}, as_="admin")
    counted = api.ok("GET", f"/v1/claims/{pending['id']}", as_="auditor")["history"][-1]
    assert (counted["event"], counted["amount"], counted["body_id"]) == ("CountedOn", "200000.00", body), counted
    assert _body_cap(api, lead, body) == ("700000.00", "300000.00")  # the page shows what the decisions count
    api.ok("POST", f"/v1/claims/{pending['id']}/{ending}", {"reason": "材料不全"}, as_="scjgj", status=200)
    assert _body_cap(api, lead, body) == ("500000.00", "500000.00")
    owed = _standard(world, member, "international_participate", f"S2-{member[-6:]}")
    assert owed["entitled_amount"] == "500000.00", owed["explanation"]


def test_an_approved_award_counted_through_a_late_membership_shows_on_the_body_cap(api, world) -> None:
    lead, member, other = world.org(), world.org(member=False), world.org(member=False)
    body = world.body(lead=lead, kind="consortium")
    api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": member, "joined_on": "2022-10-01"}, as_="admin")
    world.body(lead=other, kind="alliance")
    for uscc, subject in ((lead, "S1"), (other, "S6")):
        claim = _standard(world, uscc, "international_participate", f"{subject}-{uscc[-6:]}")
        api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="scjgj", status=200)
    api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": other, "joined_on": "2023-01-01"}, as_="admin")
    assert _body_cap(api, lead, body) == ("1000000.00", "0.00")
    assert _body_cap(api, other, body) == ("1000000.00", "0.00")  # the unit's own page names the body's cap too
    api.refused("POST", "/v1/claims", {"uscc": member, "programme": "A11.standard", "award_year": 2023,
                                       "tier": "industry", "rank": 1, "subject": f"standard:S2-{member[-6:]}",
                                       "effective_on": "2023-03-01"}, "scjgj", 409, "cap_exceeded")


def _body_caps(api, uscc: str, body: str, as_of: str | None = None) -> list[tuple[str, str, int]]:
    query = "" if as_of is None else f"?as_of={quote(as_of)}"
    caps = api.ok("GET", f"/v1/organisations/{uscc}/awards{query}", as_="auditor")["caps"]
    return [(c["used"], c["remaining"], c["claims"]) for c in caps
            if c["scope"] == "organisation_year" and body in (c.get("account") or "")]


@pytest.mark.parametrize("decided", [True, False], ids=["approved", "pending"])
def test_every_members_page_as_of_a_moment_counts_a_claim_counted_on_the_body_late(api, world, decided) -> None:
    """An oracle probe: after U's A11 claim was counted on body b2 through a membership recorded late, b2's other
    member V read b2's yearly cap as of that moment at 200,000.00 used by one claim, where the ledger said (and U's
    page as of the same moment said) 400,000.00 by two: the as-of fold met U's `CountedOn` without the claim's
    submission. Every page as of a moment answers what the ledger answered then, the claim pending or approved."""
    first_lead, second_lead = world.org(), world.org()
    late, member = world.org(member=False), world.org(member=False)
    b1 = world.body(lead=first_lead, kind="consortium")
    b2 = world.body(lead=second_lead, kind="consortium")
    for body, uscc in ((b1, late), (b2, member)):
        api.ok("POST", f"/v1/innovation-bodies/{body}/members", {"uscc": uscc, "joined_on": "2022-10-01"},
               as_="admin")
    counted = _standard(world, late, "national", f"U1-{late[-6:]}", rank=1)
    if decided:
        api.ok("POST", f"/v1/claims/{counted['id']}/approve", {}, as_="scjgj", status=200)
    _standard(world, member, "national", f"V1-{member[-6:]}", rank=1)
    api.ok("POST", f"/v1/innovation-bodies/{b2}/members", {"uscc": late, "joined_on": "2023-01-01"}, as_="admin")
    time.sleep(0.01)
    moment = datetime.now(UTC).isoformat()
    now = [("400000.00", "600000.00", 2)]
    assert _body_caps(api, member, b2) == now and _body_caps(api, late, b2) == now
    assert _body_caps(api, member, b2, moment) == now  # was 200,000.00 used by one claim
    assert _body_caps(api, late, b2, moment) == now
    api.ok("POST", f"/v1/claims/{counted['id']}/{'revoke' if decided else 'withdraw'}",
           {"reason": "材料不全", **({"document_ref": "撤销〔2024〕1号"} if decided else {})}, as_="scjgj", status=200)
    later = datetime.now(UTC).isoformat()
    [after] = _body_caps(api, member, b2)
    assert after[:2] == ("200000.00", "800000.00")
    assert _body_caps(api, member, b2, later) == [after] == _body_caps(api, late, b2, later)
    assert _body_caps(api, member, b2, moment) == now  # what was known then stays so
