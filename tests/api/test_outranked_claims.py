"""A pending claim that an approval leaves worth nothing (a lower rung once the higher is awarded, rule 3; a lower
standing on a subject once a better award is approved, rule 4) is re-assessed to nothing at that approval (rule 12,
its own event), over HTTP on both stores. Two black-box probes found such a claim still counted in
`totals.entitled` (1,200,000 on an ERC ladder worth 1,000,000; 5,300,000 on a subject owed 5,000,000) and still
holding its reservation on a shared per-project cap, so a co-undertaker's award depended on the order of claims."""
from __future__ import annotations


def _totals(api, org: str) -> dict:
    return api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["totals"]


def test_a_lower_rung_left_pending_comes_to_nothing_once_the_higher_is_approved(api, world) -> None:
    """Municipal ERC claimed (200,000, pending), the certification upgraded to national and claimed (800,000),
    the national claim approved at 1,000,000 (only what was awarded is deducted): the municipal claim is
    re-assessed to nothing, stays pending, and its approval is refused `already_awarded`; the totals count the
    ladder once."""
    org = world.org()
    body = world.body(lead=org, kind="erc", recognised_on="2022-09-06")
    cert = world.certify(org, "A3.erc", "municipal", body_id=body)
    lower = world.claim(org, "A3.erc", certification_id=cert)
    assert lower["entitled_amount"] == "200000.00"
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-03-01",
                                                            "document_ref": "国科发〔2024〕7号"}, as_="kjj")
    higher = world.claim(org, "A3.erc", certification_id=cert, award_year=2024, effective_on="2024-03-01")
    assert higher["entitled_amount"] == "800000.00"
    approved = api.ok("POST", f"/v1/claims/{higher['id']}/approve", {}, as_="kjj", status=200)
    assert approved["approved_amount"] == "1000000.00"
    now = api.ok("GET", f"/v1/claims/{lower['id']}", as_="auditor")
    assert (now["status"], now["entitled_amount"]) == ("pending", "0.00"), now
    reassessed = now["history"][-1]
    assert reassessed["event"] == "Reassessed" and reassessed["previous_entitled_amount"] == "200000.00"
    assert reassessed["explanation"][-1]["rule"] == "already_awarded", reassessed
    assert _totals(api, org)["entitled"] == "1000000.00"
    state = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    [ladder] = next(p["ladders"] for p in state["programmes"] if p["programme"] == "A3.erc")
    assert (ladder["reached"], ladder["awarded"]) == ("national", "1000000.00"), ladder
    zh = api.refused("POST", f"/v1/claims/{lower['id']}/approve", {}, "kjj", 409, "already_awarded",
                     headers={"Accept-Language": "zh"})
    assert zh["detail"]
    queue = api.ok("GET", f"/v1/claims?status=pending&uscc={org}", as_="kjj")["claims"]
    assert [(c["id"], c["entitled_amount"]) for c in queue] == [(lower["id"], "0.00")]
    api.ok("POST", f"/v1/claims/{lower['id']}/reject", {"reason": "已按国家级补足"}, as_="kjj", status=200)
    assert _totals(api, org)["entitled"] == "1000000.00"


def _challenge(world, org: str, project: str, rd: str) -> dict:
    return world.claim(org, "A4.challenge", subject=project, basis_amount=rd)


def test_an_outranked_claim_frees_the_shared_project_cap_whatever_the_order(api, world) -> None:
    """X's A4 challenge claim (300,000 of 1,000,000 R&D, pending), then X's national first prize for the same
    project (5,000,000) approved: X's A4 claim comes to nothing (superseded) and no longer holds 300,000 of the
    project's 5,000,000 cap, so co-undertaker Y's A4 claim on 20,000,000 of R&D is worth the whole cap, as it is
    when X's claims come the other way round."""
    results = []
    for prize_first in (False, True):
        x, y = world.org(), world.org()
        project = f"project:JB-{x[-6:]}"
        if prize_first:
            prize = world.claim(x, "A9.national_award", tier="first", rank=1, subject=project)
            api.ok("POST", f"/v1/claims/{prize['id']}/approve", {}, as_="kjj", status=200)
            api.refused("POST", "/v1/claims", {"uscc": x, "programme": "A4.challenge", "subject": project,
                                               "basis_amount": "1000000", "award_year": 2023,
                                               "effective_on": "2023-06-01"}, "kjj", 409, "superseded")
        else:
            pending = _challenge(world, x, project, "1000000")
            assert pending["entitled_amount"] == "300000.00"
            prize = world.claim(x, "A9.national_award", tier="first", rank=1, subject=project)
            api.ok("POST", f"/v1/claims/{prize['id']}/approve", {}, as_="kjj", status=200)
            after = api.ok("GET", f"/v1/claims/{pending['id']}", as_="auditor")
            assert (after["status"], after["entitled_amount"]) == ("pending", "0.00"), after
            assert after["history"][-1]["explanation"][-1]["rule"] == "superseded"
            # The steps that gave the 300,000 it would stand at are kept, so its reader can redo the figure (a
            # rules probe found only the term and eligibility before the refusal).
            worked = {step["rule"]: step["amount"] for step in after["explanation"]}
            assert worked.get("rate") == "300000.00" and worked["superseded"] == "0.00", after["explanation"]
        assert _totals(api, x)["entitled"] == "5000000.00"
        results.append(_challenge(world, y, project, "20000000")["entitled_amount"])
    assert results == ["5000000.00", "5000000.00"]
