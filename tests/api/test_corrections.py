"""Corrections over HTTP: dry runs write nothing, revocations open recoveries finance lists and repays,
and the organisation's awards and the reconciliation show what is to recover."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.support import unique_id


def test_revoke_dry_run_then_for_real_then_repay_over_http(api, world):
    """?dry_run=true answers the consequences and changes nothing; the real revocation lists a recovery."""
    org = world.org()
    payout = world.paid(org, amount="100000.00")
    claim_id = payout["claim_id"]
    body = {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}
    preview = api.ok("POST", f"/v1/claims/{claim_id}/revoke?dry_run=true", body, as_="kjj", status=200)
    assert preview["dry_run"] and preview["status"] == "revoked" and preview["to_recover"] == "100000.00"
    assert api.ok("GET", f"/v1/claims/{claim_id}", as_="auditor")["status"] == "approved"
    revoked = api.ok("POST", f"/v1/claims/{claim_id}/revoke", body, as_="kjj", status=200)
    assert (revoked["released_amount"], revoked["dry_run"]) == ("200000.00", False)
    listed = api.ok("GET", f"/v1/recoveries?status=open&uscc={org}", as_="finance")["recoveries"]
    assert [(r["id"], r["outstanding"]) for r in listed] == [(revoked["recovery_id"], "100000.00")]
    assert api.ok("GET", "/v1/recoveries", as_="jxj")["recoveries"] == []  # another bureau's programmes only
    rid = revoked["recovery_id"]
    api.refused("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "100000.01", "received_on": "2024-04-02",
                                                            "bank_ref": "ICBC-R1"}, "finance", 409, "over_recovered")
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "40000.00", "received_on": "2024-04-02",
                                                       "bank_ref": "ICBC-R1"}, as_="finance", status=201)
    totals = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["totals"]
    assert (totals["paid"], totals["to_recover"], totals["recovered"]) == ("0.00", "60000.00", "40000.00")
    recon = api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    assert Decimal(recon["totals"]["recovered"]) >= Decimal("40000.00")
    assert Decimal(recon["totals"]["to_recover"]) >= Decimal("60000.00")
    api.refused("POST", f"/v1/claims/{claim_id}/withdraw", {"reason": "x"}, "kjj", 409, "invalid_state")
    assert [r["id"] for r in api.ok("GET", f"/v1/recoveries?uscc={org}", as_="admin")["recoveries"]] == [rid]
    api.ok("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业注销", "document_ref": "核销〔2024〕1号"},
           as_="finance", status=200)
    closed = api.refused("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "0.01", "received_on": "2024-04-03",
                                                                     "bank_ref": "ICBC-R2"}, "finance", 409,
                         "over_recovered")
    assert "closed" in closed["detail"] and "write-off/reverse" in closed["detail"], closed
    # Written off again: refused saying nothing is outstanding, not that money received goes back (a finance probe).
    again = api.refused("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "重复核销", "document_ref": "核销-2"},
                        "finance", 409, "invalid_state")
    assert "nothing is outstanding" in again["detail"] and "payer" not in again["detail"], again


def test_a_revoked_award_s_paid_part_still_counts_on_its_cap(api, world):
    """The contract: "what was not paid is released (caps, ladders, fund), what was paid net of reversals becomes
    a recovery". A voucher approved at 300,000 with 100,000 paid, revoked: the year's cap (500,000) counts
    100,000 still, in the awards' caps and for the next claim, which gets 400,000, not 500,000."""
    org = world.org()
    claim_id = world.paid(org, amount="100000.00")["claim_id"]
    revoked = api.ok("POST", f"/v1/claims/{claim_id}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕3号"},
                     as_="kjj", status=200)
    assert (revoked["released_amount"], revoked["to_recover"]) == ("200000.00", "100000.00")
    caps = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["caps"]
    cap = next(c for c in caps if c["scope"] == "enterprise_year" and c["year"] == 2023)
    assert (cap["used"], cap["remaining"]) == ("100000.00", "400000.00")
    again = world.claim(org, "A5.voucher", basis_amount="2000000")
    assert again["entitled_amount"] == "400000.00", again["explanation"]


def test_a_claims_history_says_why_each_correction_was_made_and_on_what_document(api, world) -> None:
    """GET /v1/claims/{id}: a withdrawal carries its reason, an approval its amount and note, a payout its amount
    and day, a revocation its reason, document, released amount and recovery (a black-box probe found them only
    in the organisation's history and the receipt)."""
    pending = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{pending['id']}/withdraw", {"reason": "企业申请撤回"}, as_="kjj", status=200)
    [withdrawn] = [h for h in api.ok("GET", f"/v1/claims/{pending['id']}")["history"] if h["event"] == "Withdrawn"]
    assert withdrawn["reason"] == "企业申请撤回"
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", {"amount": "250000", "note": "按审定金额"}, as_="kjj",
           status=200)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "100000.00", "paid_on": "2023-07-03",
                                   "bank_ref": f"R-{claim['id'][:8]}"}, as_="finance")
    answer = api.ok("POST", f"/v1/claims/{claim['id']}/revoke",
                    {"reason": "虚报材料", "document_ref": "滨科〔2024〕3号"}, as_="kjj", status=200)
    history = {h["event"]: h for h in api.ok("GET", f"/v1/claims/{claim['id']}")["history"]}
    assert (history["Approved"]["amount"], history["Approved"]["note"]) == ("250000.00", "按审定金额")
    assert (history["PayoutRecorded"]["amount"], history["PayoutRecorded"]["paid_on"]) == ("100000.00", "2023-07-03")
    revoked = history["Revoked"]
    assert (revoked["reason"], revoked["document_ref"]) == ("虚报材料", "滨科〔2024〕3号")
    assert (revoked["released_amount"], revoked["kept_amount"]) == ("150000.00", "100000.00")
    assert revoked["recovery_id"] == answer["recovery_id"] is not None


def test_a_withdrawal_keeps_the_document_it_rests_on(api, world) -> None:
    """Every correction names its document: a withdrawal may send one, and a certification's revocation gives its
    own to each pending claim it withdraws (a probe found the claim's Withdrawn event without it)."""
    pending = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{pending['id']}/withdraw",
           {"reason": "企业来函撤回", "document_ref": "撤回函 2024-031"}, as_="kjj", status=200)
    [withdrawn] = [h for h in api.ok("GET", f"/v1/claims/{pending['id']}")["history"] if h["event"] == "Withdrawn"]
    assert (withdrawn["reason"], withdrawn["document_ref"]) == ("企业来函撤回", "撤回函 2024-031")
    org = world.org()
    cert = world.certify(org, "A3.erc", "municipal")
    claim = world.claim(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/certifications/{cert}/revoke",
           {"reason": "复核不再符合认定条件", "effective_on": "2024-01-01", "document_ref": "杭高新科〔2024〕18号"},
           as_="kjj", status=200)
    [withdrawn] = [h for h in api.ok("GET", f"/v1/claims/{claim['id']}")["history"] if h["event"] == "Withdrawn"]
    assert (withdrawn["reason"], withdrawn["document_ref"]) == ("复核不再符合认定条件", "杭高新科〔2024〕18号")


def test_the_days_of_corrections_pass_the_same_day_check_as_every_other_day(api, world):
    """A revocation's effective_on, a repayment's received_on and a district change's effective_on are days
    YYYY-MM-DD within 2000–2099, as everywhere else: a time, a far year or a padded day is 422 and writes nothing."""
    org = world.org()
    payout = world.paid(org, amount="100000.00")
    body = {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}
    rid = api.ok("POST", f"/v1/claims/{payout['claim_id']}/revoke", body, as_="kjj", status=200)["recovery_id"]
    cert = world.certify(world.org(), "A3.erc", "municipal")
    for day in ("2023-03-01T00:00:00Z", "9999-12-31", "1999-01-01", " 2024-01-01", 20240101):
        for path, as_, sent in (
                (f"/v1/certifications/{cert}/revoke", "kjj", {**body, "effective_on": day}),
                (f"/v1/recoveries/{rid}/repayments", "finance", {"amount": "1.00", "received_on": day,
                                                                 "bank_ref": "ICBC-D1"}),
                (f"/v1/organisations/{org}/district-changes", "admin", {"in_district": False, "effective_on": day,
                                                                        **body})):
            problem = api.refused("POST", path, sent, as_, 422, "invalid_request")
            assert problem["errors"][0]["field"] in ("effective_on", "received_on"), problem


def test_a_certification_revoked_from_a_day_to_come_is_refused_and_ends_nothing(api, world):
    """A revocation dated 2099 was taken and revoked a 2023 award at once (a queues probe): it ends the claims
    resting on the certification now, so its day is today or earlier in Beijing; tomorrow is refused, naming
    today, and the claim stands."""
    from ledger import beijing

    org = world.org()
    cert = world.certify(org, "A3.erc", "municipal")
    claim = world.approved(org, "A3.erc", certification_id=cert, award_year=2023, effective_on="2023-06-01")
    before = api.events()
    body = {"reason": "复核不再符合认定条件", "document_ref": "杭高新科〔2024〕19号"}
    tomorrow = (beijing.today() + timedelta(days=1)).isoformat()
    problem = api.refused("POST", f"/v1/certifications/{cert}/revoke", {**body, "effective_on": tomorrow}, "kjj",
                          422, "invalid_request")
    assert f"today is {beijing.today().isoformat()} in Beijing" in problem["detail"], problem
    assert api.events() == before
    assert api.ok("GET", f"/v1/claims/{claim['id']}")["status"] == "approved"
    api.ok("POST", f"/v1/certifications/{cert}/revoke", {**body, "effective_on": beijing.today().isoformat()},
           as_="kjj", status=200)


def test_a_district_move_dated_ahead_is_refused_and_the_organisation_stays_where_it_is(api, world):
    """A departure dated 2099-01-01 was taken, and the organisation read `in_district: false` at once while claims
    of today's facts were still taken (a corrections probe). A move is recorded on or after its day: tomorrow is
    refused, naming today, in the reader's language; today is taken."""
    from ledger import beijing

    org = world.org()
    body = {"in_district": False, "reason": "迁往萧山", "document_ref": "杭高新〔2024〕3号"}
    tomorrow = (beijing.today() + timedelta(days=1)).isoformat()
    for day in ("2099-01-01", tomorrow):
        problem = api.refused("POST", f"/v1/organisations/{org}/district-changes", {**body, "effective_on": day},
                              "admin", 422, "invalid_request", headers={"Accept-Language": "zh"})
        assert f"北京时间 {beijing.today().isoformat()}" in problem["detail"], problem
        assert problem["field"] == "effective_on", problem
    assert api.ok("GET", f"/v1/organisations/{org}")["in_district"] is True
    moved = api.ok("POST", f"/v1/organisations/{org}/district-changes",
                   {**body, "effective_on": beijing.today().isoformat()}, as_="admin", status=200)
    assert moved["in_district"] is False


def test_a_body_recognised_or_a_member_joined_ahead_is_refused_writing_nothing(api, world):
    """An input probe: a body recognised on 2099-01-01 (or tomorrow), a member joined then, were taken: the unit
    stayed outside the body on every claim's day, for good (no route corrects those days, and the right one sent
    after is a conflict). As every other fact, a day after today in Beijing is refused, naming today, writing
    nothing; today is taken."""
    from ledger import beijing

    lead, member = world.org(), world.org()
    today, tomorrow = beijing.today().isoformat(), (beijing.today() + timedelta(days=1)).isoformat()
    body_id = unique_id("FUT-")
    body = {"id": body_id, "name": "某联合体", "kind": "consortium", "lead_uscc": lead}
    before = api.events()
    for day in ("2099-01-01", tomorrow):
        problem = api.refused("POST", "/v1/innovation-bodies", body | {"recognised_on": day}, "kjj", 422,
                              "invalid_request", headers={"Accept-Language": "zh"})
        assert problem["field"] == "recognised_on" and f"北京时间 {today}" in problem["detail"], problem
    assert api.events() == before
    api.ok("POST", "/v1/innovation-bodies", body | {"recognised_on": "2023-01-01"}, as_="kjj")
    before = api.events()
    problem = api.refused("POST", f"/v1/innovation-bodies/{body_id}/members",
                          {"uscc": member, "joined_on": tomorrow}, "kjj", 422, "invalid_request")
    assert problem["field"] == "joined_on" and f"today is {today}" in problem["detail"], problem
    assert api.events() == before
    api.ok("POST", f"/v1/innovation-bodies/{body_id}/members", {"uscc": member, "joined_on": today}, as_="kjj")


def test_money_repaid_on_a_revoked_award_stops_counting_on_its_cap(api, world):
    """What comes back no longer counts where the award was made (a black-box probe: a voucher revoked and
    repaid in full still held its 100,000 on the year's cap, so a new voucher got 400,000 of a 500,000 cap the
    organisation had received nothing of). A repayment takes its amount off the cap, in the awards' caps and for
    the next claim; a write-off does not (the organisation kept that money). The claim's history says so."""
    org = world.org()
    claim_id = world.paid(org, amount="100000.00")["claim_id"]
    rid = api.ok("POST", f"/v1/claims/{claim_id}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕4号"},
                 as_="kjj", status=200)["recovery_id"]

    def cap() -> tuple[str, str]:
        caps = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["caps"]
        found = next(c for c in caps if c["scope"] == "enterprise_year" and c["year"] == 2023)
        return found["used"], found["remaining"]

    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "40000.00", "received_on": "2024-04-02",
                                                       "bank_ref": "ICBC-R7"}, as_="finance", status=201)
    assert cap() == ("60000.00", "440000.00")
    history = api.ok("GET", f"/v1/claims/{claim_id}", as_="auditor")["history"]
    [repaid] = [h for h in history if h["event"] in ("Recovery.Repaid", "RepaymentRecorded")]  # once
    assert (repaid["event"], repaid["amount"], repaid["kept_amount"], repaid["recovery_id"], repaid["received_on"],
            repaid["by"]) == ("Recovery.Repaid", "40000.00", "60000.00", rid, "2024-04-02", "finance-test")
    events = api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")["events"]
    assert [e["event"] for e in events].count("Claim.RepaymentRecorded") == 1
    # The repayment takes effect on the day the bank received it (it had no effective date).
    [received] = [e for e in events if e["event"] == "Recovery.Repaid"]
    assert received["effective_on"] == "2024-04-02", received
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "60000.00", "received_on": "2024-04-09",
                                                       "bank_ref": "ICBC-R8"}, as_="finance", status=201)
    assert cap() == ("0.00", "500000.00")
    again = world.claim(org, "A5.voucher", basis_amount="2000000")
    assert again["entitled_amount"] == "500000.00", again["explanation"]

    # Written off, the money stays with the organisation and on the cap.
    other = world.org()
    paid = world.paid(other, amount="100000.00")["claim_id"]
    rid = api.ok("POST", f"/v1/claims/{paid}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕5号"},
                 as_="kjj", status=200)["recovery_id"]
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "30000.00", "received_on": "2024-04-02",
                                                       "bank_ref": "ICBC-R9"}, as_="finance", status=201)
    api.ok("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业注销", "document_ref": "核销〔2024〕2号"},
           as_="finance", status=200)
    assert world.claim(other, "A5.voucher", basis_amount="2000000")["entitled_amount"] == "430000.00"


def test_a_certification_is_not_revoked_from_a_day_before_it_took_effect(api, world):
    """A revocation's effective_on is the day the certification ceased to hold: a day before it took effect is
    refused (invalid_request, naming the day it took effect, in the reader's language) and writes nothing; the
    day it took effect is taken."""
    org = world.org()
    cert = world.certify(org, "A3.erc", "municipal", effective_on="2023-03-01")
    body = {"reason": "认定撤销", "document_ref": "杭高新科〔2024〕18号", "effective_on": "2023-02-28"}
    problem = api.refused("POST", f"/v1/certifications/{cert}/revoke", body, "kjj", 422, "invalid_request")
    assert "2023-03-01" in problem["detail"] and problem.get("field") == "effective_on", problem
    zh = api.refused("POST", f"/v1/certifications/{cert}/revoke", body, "kjj", 422, "invalid_request",
                     headers={"Accept-Language": "zh-CN"})
    assert "生效日期" in zh["detail"] and "2023-03-01" in zh["detail"], zh
    revoked = api.ok("POST", f"/v1/certifications/{cert}/revoke", {**body, "effective_on": "2023-03-01"},
                     as_="kjj", status=200)
    assert revoked["certification"]["revoked_on"] == "2023-03-01", revoked


def test_a_revoked_awards_paid_part_still_holds_its_rung_in_the_awards_ladders(api, world):
    """The README: the paid part of a revoked award "still counts on the award's caps, ladders and subject". The
    rules counted it (a new municipal claim already_awarded, the provincial top-up cut by it), yet the awards'
    ladder read `reached: null, awarded: 0.00` (a black-box probe). It now shows what the rules hold, until repaid."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    claim = world.claim(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "150000.00", "paid_on": "2023-07-03",
                                   "bank_ref": "ICBC-L1"}, as_="finance")
    rid = api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕9号"},
                 as_="kjj", status=200)["recovery_id"]

    def ladder() -> tuple[str | None, str]:
        [programme] = [p for p in api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")["programmes"]
                       if p["programme"] == "A3.erc"]
        [found] = programme["ladders"]
        return found["reached"], found["awarded"]

    assert ladder() == ("municipal", "150000.00")
    api.refused("POST", "/v1/claims", {"uscc": org, "programme": "A3.erc", "award_year": 2023,
                                       "certification_id": cert, "effective_on": "2023-06-02"}, "kjj", 409,
                "already_awarded")
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "50000.00", "received_on": "2024-04-02",
                                                       "bank_ref": "ICBC-L2"}, as_="finance", status=201)
    assert ladder() == ("municipal", "100000.00")
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "provincial", "effective_on": "2023-09-01",
                                                           "document_ref": "升级〔2023〕1号"}, as_="kjj")
    top = world.claim(org, "A3.erc", certification_id=cert, effective_on="2023-10-01")
    assert top["entitled_amount"] == "400000.00", top["explanation"]
    assert ladder() == ("provincial", "500000.00")
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "100000.00", "received_on": "2024-04-09",
                                                       "bank_ref": "ICBC-L3"}, as_="finance", status=201)
    assert ladder() == ("provincial", "400000.00")  # repaid in full, the municipal award holds nothing


def test_a_correction_answers_the_claim_as_reading_it_does_named_and_in_the_readers_language(api, world):
    """A revocation's, a withdrawal's and a confirmation's answer left `programme_name`, `bureau_name` and
    `tier_name` null and the explanation in both languages, though reading the same claim named them and spoke the
    reader's (a contract probe). They now answer as GET /v1/claims/{id} does."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    revocable = world.claim(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/claims/{revocable['id']}/approve", {}, as_="kjj", status=200)
    pending = world.claim(org, "A5.voucher", basis_amount="100000.00")
    zh = {"Accept-Language": "zh-CN"}
    revoked = api.ok("POST", f"/v1/claims/{revocable['id']}/revoke",
                     {"reason": "申报不实", "document_ref": "撤销〔2024〕8号"}, as_="kjj", status=200, headers=zh)
    withdrawn = api.ok("POST", f"/v1/claims/{pending['id']}/withdraw?dry_run=true", {"reason": "企业申请撤回"},
                       as_="kjj", status=200, headers=zh)
    for answer in (revoked, withdrawn):
        read = api.ok("GET", f"/v1/claims/{answer['id']}", as_="kjj", headers=zh)
        names = ("programme_name", "bureau_name", "tier_name", "explanation")
        assert {k: answer[k] for k in names} == {k: read[k] for k in names}
        assert answer["programme_name"] and answer["bureau_name"]
        assert all(not line["detail"].isascii() for line in answer["explanation"]), answer["explanation"]
    assert revoked["tier_name"]


def test_a_district_change_dry_run_says_it_is_one(api, world):
    """A retry probe: a district change's dry run wrote nothing, but its answer was the real one's to the letter,
    with no `dry_run`, where every other dry run says `"dry_run": true`. It says so now, and the real change
    says false."""
    org = world.org()
    body = {"in_district": False, "effective_on": "2024-01-01", "reason": "迁出滨江", "document_ref": "迁出-1"}
    before = api.events()
    preview = api.ok("POST", f"/v1/organisations/{org}/district-changes?dry_run=true", body, as_="admin", status=200)
    assert preview["dry_run"] is True and preview["in_district"] is False and api.events() == before
    done = api.ok("POST", f"/v1/organisations/{org}/district-changes", body, as_="admin", status=200)
    assert done["dry_run"] is False and api.events() > before


def test_a_revoked_awards_reversal_leaves_the_awards_as_it_leaves_the_reconciliation(api, world):
    """A corrections probe: a voucher paid twice, one payout reversed, then revoked: the organisation's awards read
    `reversed` 100,000.00 and the reconciliation 0.00, for the one reversal. Both now give the standing awards'
    reversals, as they give their approvals and payments; a standing award's reversal still counts in both."""
    org = world.org()
    claim = world.approved(org)  # A5.voucher 2023: 300,000.00
    payouts = [api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": amount, "paid_on": "2023-07-03",
                                              "bank_ref": f"REV-{claim['id'][:8]}-{n}"}, as_="finance")["id"]
               for n, amount in enumerate(("100000.00", "100000.00", "50000.00"))]
    api.ok("POST", f"/v1/payouts/{payouts[0]}/reverse", {"reason": "退汇"}, as_="finance", status=200)
    api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "虚报", "document_ref": "杭科〔2024〕3号"},
           as_="kjj", status=200)
    standing = world.approved(world.org())
    paid = api.ok("POST", "/v1/payouts", {"claim_id": standing["id"], "amount": "20000.00", "paid_on": "2023-07-03",
                                          "bank_ref": f"REV-{standing['id'][:8]}"}, as_="finance")
    api.ok("POST", f"/v1/payouts/{paid['id']}/reverse", {"reason": "退汇"}, as_="finance", status=200)

    def awards_reversed(uscc: str) -> str:
        rows = api.ok("GET", f"/v1/organisations/{uscc}/awards")["programmes"]
        return next(r for r in rows if r["programme"] == "A5.voucher")["reversed"]

    assert awards_reversed(org) == "0.00"
    assert awards_reversed(standing["uscc"]) == "20000.00"
    row = next(r for r in api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")["rows"]
               if r["programme"] == "A5.voucher")
    assert row["reversed"] == "20000.00", row


def test_a_revoked_certification_says_why_on_what_and_by_whom_in_the_api_as_on_its_page(api, world):
    """A corrections probe: GET /v1/certifications/{id} gave a revoked certification's `revoked_on` alone, where its
    page gave the reason, the document, who and when. The answer carries its `revocation`, as the event holds it."""
    cert = world.certify(world.org(), "A3.erc", "municipal")
    assert api.ok("GET", f"/v1/certifications/{cert}")["revocation"] is None
    body = {"reason": "复核不再符合认定条件", "effective_on": "2024-06-01", "document_ref": "杭高新科〔2024〕21号"}
    answered = api.ok("POST", f"/v1/certifications/{cert}/revoke", body, as_="kjj", status=200)
    found = api.ok("GET", f"/v1/certifications/{cert}", as_="auditor")
    revocation = found["revocation"]
    assert answered["certification"]["revocation"] == revocation  # the answer says it too (a regression probe)
    assert {k: revocation[k] for k in body} == body and revocation["by"] == "kjj-test", revocation
    assert revocation["revoked_at"] == found["updated_at"], found


def test_another_bureau_revoking_a_certification_is_told_who_revokes_it(api, world):
    """A bureau probe: jxj revoking kjj's certification was refused `not_lead_bureau` "只有牵头部门可以记录和审批"
    (recording and approving). The refusal is worded for revoking, naming the lead bureau to ask, in either language,
    and writes nothing."""
    org = world.org()
    cert = world.certify(org, "A3.erc", "municipal")
    body = {"reason": "复核不再符合认定条件", "effective_on": "2024-01-01", "document_ref": "杭高新科〔2024〕20号"}
    zh = api.refused("POST", f"/v1/certifications/{cert}/revoke", body, "jxj", 403, "not_lead_bureau",
                     headers={"Accept-Language": "zh"})
    assert "只有牵头部门可以撤销其认定；请由区科技局（kjj）撤销" in zh["detail"], zh
    assert "记录和审批" not in zh["detail"], zh
    english = api.refused("POST", f"/v1/certifications/{cert}/revoke", body, "jxj", 403, "not_lead_bureau")
    assert english["detail"].endswith("Only the lead bureau revokes its certifications; ask kjj to revoke it"), english
    recorded = api.refused("POST", "/v1/certifications", {"uscc": org, "programme": "A3.erc", "tier": "provincial",
                                                          "effective_on": "2023-03-01", "document_ref": "D-1"},
                           "jxj", 403, "not_lead_bureau", headers={"Accept-Language": "zh"})
    assert recorded["detail"].endswith("只有牵头部门可以记录和审批"), recorded  # recording keeps its words


def test_a_claim_for_a_unit_outside_the_district_is_told_how_to_record_its_move_in(api, world):
    """A bureau probe: the out-of-district `not_eligible` said only that Art. 1 benefits units inside Binjiang, not what
    to send for a unit that has since moved in. It names the day and POST /v1/organisations/{uscc}/district-changes,
    in either language; recording the move as told, the claim from its day is taken."""
    org = world.org(in_district=False)
    claim = {"basis_amount": "100000.00", "award_year": 2024, "effective_on": "2024-06-01"}
    english = api.refused("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher", **claim}, "kjj", 409,
                          "not_eligible")
    assert "outside the district on 2024-06-01" in english["detail"], english
    assert f"record the move (POST /v1/organisations/{org}/district-changes with in_district true" in \
        english["detail"], english
    zh = api.refused("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher", **claim}, "kjj", 409,
                     "not_eligible", headers={"Accept-Language": "zh"})
    assert f"请先记录迁入（POST /v1/organisations/{org}/district-changes" in zh["detail"], zh
    # Every field the move needs is named (a regression probe sent in_district and effective_on alone: 422).
    assert all(f in english["detail"] for f in ("effective_on", "reason", "document_ref")), english
    move = {"in_district": True, "effective_on": "2024-05-01", "reason": "迁入滨江",
            "document_ref": "区市场监管〔2024〕1号"}
    api.ok("POST", f"/v1/organisations/{org}/district-changes", move, as_="kjj", status=200)
    assert world.claim(org, **claim)["status"] == "pending"
