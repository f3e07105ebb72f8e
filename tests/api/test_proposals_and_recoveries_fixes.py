"""Fixes from a black-box probe of the second round, over HTTP on both stores: a claim that replaces a proposal
rests on its certification (so revoking the certification ends it), a proposal the bureau withdrew is not
proposed again by a later membership, and the recoveries list says what each recovery's own answer says."""
from __future__ import annotations


def _honour(api, world, org: str) -> tuple[str, str]:
    """A little-giant certification for `org` and the proposal it opens: (certification id, proposal id)."""
    answer = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "little_giant",
                                                    "effective_on": "2023-03-01", "document_ref": "浙经信〔2023〕5号"},
                    as_="jxj")
    [proposal] = answer["proposed_claims"]
    return answer["id"], proposal["id"] if isinstance(proposal, dict) else proposal


def test_a_claim_replacing_a_proposal_rests_on_its_certification_and_ends_with_it(api, world):
    """The probe: a claim submitted without certification_id replaced the certification's proposal, but was not
    ended when the certification was revoked (the answer listed no claims) and could still be approved."""
    for approve in (False, True):
        org = world.org()
        cert, proposal = _honour(api, world, org)
        claim = api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A6.honour", "tier": "little_giant",
                                              "award_year": 2023, "effective_on": "2023-06-01"}, as_="jxj")
        assert claim["certification_id"] == cert, claim
        assert api.ok("GET", f"/v1/claims/{proposal}", as_="auditor")["status"] == "withdrawn"
        if approve:
            api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="jxj", status=200)
        revoked = api.ok("POST", f"/v1/certifications/{cert}/revoke",
                         {"reason": "复核不合格", "effective_on": "2024-01-01", "document_ref": "撤〔2024〕1号"},
                         as_="jxj", status=200)
        ended = "revoked" if approve else "withdrawn"
        assert [(c["id"], c["status"]) for c in revoked["claims"]] == [(claim["id"], ended)], revoked
        assert api.ok("GET", f"/v1/claims/{claim['id']}", as_="auditor")["status"] == ended
        totals = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["totals"]
        assert (totals["entitled"], totals["approved"]) == ("0.00", "0.00"), totals


def test_a_withdrawn_proposal_is_not_proposed_again_by_a_later_membership(api, world):
    """The bureau declined a proposal; the organisation then joins another body: no new proposal for the same
    certification and tier (the probe found one back on the bureau's queue)."""
    org = world.org()
    _, proposal = _honour(api, world, org)
    api.ok("POST", f"/v1/claims/{proposal}/withdraw", {"reason": "企业放弃"}, as_="jxj", status=200)
    other = world.body(lead=world.org())
    api.ok("POST", f"/v1/innovation-bodies/{other}/members", {"uscc": org, "joined_on": "2023-01-01"}, as_="admin")
    claims = api.ok("GET", f"/v1/claims?uscc={org}", as_="auditor")["claims"]
    assert [c["status"] for c in claims] == ["withdrawn"], claims


def test_the_recoveries_list_shows_write_offs_and_repayments_as_the_recovery_does(api, world):
    org = world.org()
    claim_id = world.paid(org, amount="100000.00")["claim_id"]
    rid = api.ok("POST", f"/v1/claims/{claim_id}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕6号"},
                 as_="kjj", status=200)["recovery_id"]
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "40000.00", "received_on": "2024-04-02",
                                                       "bank_ref": "ICBC-R11"}, as_="finance", status=201)
    api.ok("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业破产", "document_ref": "核销〔2024〕9号"},
           as_="finance", status=200)
    one = api.ok("GET", f"/v1/recoveries/{rid}", as_="finance")
    [listed] = api.ok("GET", f"/v1/recoveries?uscc={org}", as_="finance")["recoveries"]
    assert listed == one
    assert (listed["write_off_reason"], listed["write_off_document_ref"], listed["repayments"]) == (
        "企业破产", "核销〔2024〕9号", [{"amount": "40000.00", "received_on": "2024-04-02", "bank_ref": "ICBC-R11",
                                     "reversed": False, "reversal_reason": None, "reversal_document_ref": None}])


def test_a_repayment_received_before_the_policy_began_is_refused(api, world):
    """A repayment received on 2020-01-01, before any award of the policy was paid, was recorded (a probe): it is
    now refused naming the field and the term's first day, and nothing is written."""
    org = world.org()
    claim_id = world.paid(org, amount="100000.00")["claim_id"]
    rid = api.ok("POST", f"/v1/claims/{claim_id}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕7号"},
                 as_="kjj", status=200)["recovery_id"]
    refused = api.refused("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "1.00", "received_on": "2020-01-01",
                                                                      "bank_ref": "ICBC-OLD"}, "finance", 422,
                          "invalid_request")
    assert "2022-09-06" in refused["detail"], refused
    assert api.ok("GET", f"/v1/recoveries/{rid}", as_="finance")["recovered"] == "0.00"


def test_a_repayment_received_before_the_award_was_paid_is_refused(api, world):
    """Money is not repaid before it was paid out: a repayment dated before the claim's first standing payout
    (2023-07-03 here; the reversed one of 2023-06-02 paid nothing) was recorded. The payout's own day is taken."""
    org = world.org()
    claim = world.approved(org)
    early = api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "50000.00", "paid_on": "2023-06-02",
                                           "bank_ref": "ICBC-EARLY-" + org}, as_="finance")
    api.ok("POST", f"/v1/payouts/{early['id']}/reverse", {"reason": "账号有误"}, as_="finance", status=200)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100000.00", "paid_on": "2023-07-03",
                                   "bank_ref": "ICBC-PAY-" + org}, as_="finance")
    rid = api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕8号"},
                 as_="kjj", status=200)["recovery_id"]
    before = api.events()
    for day in ("2023-06-02", "2023-07-02"):
        refused = api.refused("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "1.00", "received_on": day,
                                                                          "bank_ref": "ICBC-BACK"}, "finance", 422,
                              "invalid_request")
        assert "before the award was paid (2023-07-03" in refused["detail"], refused
    assert api.events() == before
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "1.00", "received_on": "2023-07-03",
                                                       "bank_ref": "ICBC-BACK"}, as_="finance", status=201)
    assert api.ok("GET", f"/v1/recoveries/{rid}", as_="finance")["recovered"] == "1.00"


def test_a_lower_rung_named_after_the_certification_rose_is_already_awarded(api, world):
    """Rule 3: "a lower or equal rung after a higher one is already_awarded". Naming the municipal tier on a
    certification that stands at national on the claim's day was refused invalid_request ("tier disagrees"), as if
    it were a typing slip (a probe); a tier above the certification's is still that."""
    org = world.org()
    cert = world.certify(org, "A3.erc", "municipal", effective_on="2023-03-01")
    world.approved(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                          "document_ref": "国科发〔2024〕3号"}, as_="kjj")
    world.approved(org, "A3.erc", certification_id=cert, award_year=2024)
    body = {"uscc": org, "programme": "A3.erc", "certification_id": cert, "award_year": 2024,
            "effective_on": "2024-06-01"}
    api.refused("POST", "/v1/claims", body | {"tier": "municipal"}, "kjj", 409, "already_awarded")
    api.refused("POST", "/v1/claims", body | {"tier": "provincial"}, "kjj", 409, "already_awarded")
    other = world.org()
    low = world.certify(other, "A3.erc", "municipal", effective_on="2023-03-01")
    api.refused("POST", "/v1/claims", {"uscc": other, "programme": "A3.erc", "certification_id": low,
                                       "tier": "national", "award_year": 2023, "effective_on": "2023-06-01"},
                "kjj", 422, "invalid_request")


def test_registering_a_body_proposes_what_its_lead_s_membership_opens(api, world):
    """免申即享: the lead of a newly registered body is a member from the recognition on, as an added member is
    from joining; adding a member proposed the awards its certifications open, registering the body did not
    (a probe: a little giant with no body got its proposal only by being added to some other body)."""
    org = world.org(member=False)
    answer = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "little_giant",
                                                    "effective_on": "2023-03-01", "document_ref": "浙经信〔2023〕9号"},
                    as_="jxj")
    assert answer["proposed_claims"] == [], answer
    world.body(lead=org, recognised_on="2023-04-01")
    [listed] = api.ok("GET", f"/v1/claims?uscc={org}", as_="auditor")["claims"]
    proposal = api.ok("GET", f"/v1/claims/{listed['id']}", as_="auditor")
    assert (proposal["status"], proposal["entitled_amount"], proposal["certification_id"]) == (
        "proposed", "1000000.00", answer["id"]), proposal
    assert proposal["effective_on"] == "2023-04-01", proposal


def test_a_claim_for_the_lower_rung_leaves_the_upgrade_s_proposal_open(api, world):
    """The fact a proposal rests on is its certification at its rung: a claim for a provincial specialised SME's
    2023 award withdrew the 2024 little-giant proposal the upgrade had opened, as "the same fact" (a probe). Now
    the upgrade's proposal stays, and confirming it owes the 800,000 difference over the pending lower rung."""
    org = world.org()
    answer = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "provincial_sme",
                                                    "effective_on": "2023-03-01", "document_ref": "浙经信〔2023〕7号"},
                    as_="jxj")
    cert = answer["id"]
    upgraded = api.ok("POST", f"/v1/certifications/{cert}/upgrades",
                      {"tier": "little_giant", "effective_on": "2024-05-10", "document_ref": "工信部〔2024〕2号"},
                      as_="jxj")
    [upper] = upgraded["proposed_claims"]
    upper = upper["id"] if isinstance(upper, dict) else upper
    lower = world.claim(org, "A6.honour", as_="jxj", certification_id=cert, award_year=2023,
                        effective_on="2023-06-01")
    assert (lower["tier"], lower["entitled_amount"]) == ("provincial_sme", "200000.00"), lower
    assert api.ok("GET", f"/v1/claims/{upper}", as_="auditor")["status"] == "proposed"
    confirmed = api.ok("POST", f"/v1/claims/{upper}/confirm", {}, as_="jxj", status=200)
    assert (confirmed["status"], confirmed["tier"], confirmed["entitled_amount"]) == (
        "pending", "little_giant", "800000.00"), confirmed


def test_a_departure_from_the_district_withdraws_the_proposals_it_makes_ineligible(api, world):
    """The probe: an organisation recorded outside the district from before its certification kept its proposal
    open at 2,000,000 in the queue and the summary until confirming was refused `not_eligible`. The departure now
    withdraws it, naming why and on which document; a proposal dated before the departure stays open."""
    org = world.org()
    early = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "little_giant",
                                                  "effective_on": "2023-03-01", "document_ref": "浙经信〔2023〕5号"},
                   as_="jxj")["proposed_claims"]
    late = api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "single_champion",
                                                 "effective_on": "2024-06-01", "subject": "product:阀门",
                                                 "document_ref": "工信〔2024〕2号"}, as_="jxj")["proposed_claims"]
    [early_id], [late_id] = ([p["id"] if isinstance(p, dict) else p for p in ids] for ids in (early, late))
    before = api.ok("GET", "/v1/proposals/summary", as_="jxj")
    api.ok("POST", f"/v1/organisations/{org}/district-changes",
           {"in_district": False, "effective_on": "2024-01-01", "reason": "迁出滨江", "document_ref": "迁〔2024〕3号"},
           as_="admin", status=200)
    gone = api.ok("GET", f"/v1/claims/{late_id}", as_="auditor")
    assert gone["status"] == "withdrawn" and "2024-01-01" in gone["decision_note"], gone
    assert api.ok("GET", f"/v1/claims/{early_id}", as_="auditor")["status"] == "proposed"
    after = api.ok("GET", "/v1/proposals/summary", as_="jxj")
    assert after["open"] == before["open"] - 1, (before, after)
    proposed = api.ok("GET", f"/v1/claims?status=proposed&uscc={org}", as_="jxj")["claims"]
    assert [c["id"] for c in proposed] == [early_id], proposed


def test_a_re_entry_proposes_again_what_a_departure_withdrew_and_order_does_not_matter(api, world):
    """The regression probe: after the departure fix, certified then out then back left the proposal withdrawn for
    good, while out then back then certified left it proposed (and a departure undone the same day kept it
    withdrawn). A re-entry proposes what the certifications open from its day; a proposal the bureau declined
    stays declined."""
    def moved(org, inside, day):
        api.ok("POST", f"/v1/organisations/{org}/district-changes",
               {"in_district": inside, "effective_on": day, "reason": "登记", "document_ref": "迁〔2023〕1号"},
               as_="admin", status=200)

    def proposed(org):
        return [(c["status"], c["entitled_amount"]) for c in api.ok("GET", f"/v1/claims?uscc={org}",
                                                                     as_="jxj")["claims"] if c["status"] == "proposed"]

    def certify(org):
        return api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "single_champion",
                                                     "effective_on": "2023-06-01", "subject": "product:阀门",
                                                     "document_ref": "工信〔2023〕2号"}, as_="jxj")

    first, second, undone, declined = (world.org() for _ in range(4))
    certify(first)
    moved(first, False, "2023-01-01")
    moved(first, True, "2023-02-01")
    moved(second, False, "2023-01-01")
    moved(second, True, "2023-02-01")
    certify(second)
    certify(undone)
    moved(undone, False, "2023-06-01")
    moved(undone, True, "2023-06-01")
    assert proposed(first) == proposed(second) == proposed(undone) == [("proposed", "2000000.00")]
    [proposal] = certify(declined)["proposed_claims"]
    api.ok("POST", f"/v1/claims/{proposal['id'] if isinstance(proposal, dict) else proposal}/withdraw",
           {"reason": "企业放弃"}, as_="jxj", status=200)
    moved(declined, False, "2023-07-01")
    moved(declined, True, "2023-08-01")
    assert proposed(declined) == []


def test_a_re_entry_recorded_before_a_certification_dated_outside_proposes_it_from_the_re_entry(api, world):
    """A proposals probe: a certification effective while the organisation was outside the district, recorded
    after its re-entry, proposed nothing, while the same facts recorded certification first proposed the award from
    the re-entry; and a certification upgraded outside the district left its lower rung's proposal open beside the
    new one at the re-entry (the summary counting both). Either order proposes once, on the rung in force."""
    def moved(org, inside, day):
        api.ok("POST", f"/v1/organisations/{org}/district-changes",
               {"in_district": inside, "effective_on": day, "reason": "登记", "document_ref": "迁〔2023〕1号"},
               as_="admin", status=200)

    def proposed(org, lead="jxj"):
        return sorted((c["programme"], c["tier"], c["award_year"], c["entitled_amount"])
                      for c in api.ok("GET", f"/v1/claims?uscc={org}&status=proposed", as_=lead)["claims"])

    def honour(org):
        api.ok("POST", "/v1/certifications", {"uscc": org, "programme": "A6.honour", "tier": "provincial_sme",
                                              "effective_on": "2023-08-01", "document_ref": "浙经信〔2023〕8号"},
               as_="jxj")

    certified_first, moved_first = world.org(), world.org()
    honour(certified_first)
    for org in (certified_first, moved_first):
        moved(org, False, "2023-06-01")
        moved(org, True, "2024-01-10")
    honour(moved_first)
    assert proposed(certified_first) == proposed(moved_first) == [("A6.honour", "provincial_sme", 2024, "200000.00")]

    lead = world.org()
    cert = world.certify(lead, "A3.erc", "municipal", effective_on="2023-03-01")
    assert proposed(lead, "kjj") == [("A3.erc", "municipal", 2023, "200000.00")]
    moved(lead, False, "2023-06-01")
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2023-09-01",
                                                            "document_ref": "国科〔2023〕9号"}, as_="kjj")
    moved(lead, True, "2024-01-10")
    assert proposed(lead, "kjj") == [("A3.erc", "national", 2024, "1000000.00")]
