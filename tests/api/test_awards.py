"""Reads from the read models: an organisation's awards (now and as of a past moment), its history,
and finance's reconciliation. Each command's answer waits until these reads show it."""
from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import quote

from tests.support import unique_uscc


def test_awards_follow_each_command_at_once(api, world):
    """Right after each command's answer, the awards show it: read-your-writes, no polling."""
    org = world.org()
    cert_id = world.certify(org)
    claim = world.claim(org, "A3.erc", certification_id=cert_id)
    state = api.ok("GET", f"/v1/organisations/{org}/awards", as_="auditor")
    assert state["uscc"] == org and state["as_of"] is None
    assert state["totals"] == {"entitled": "200000.00", "approved": "0.00", "paid": "0.00", "outstanding": "0.00",
                               "to_recover": "0.00", "recovered": "0.00", "written_off": "0.00"}
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)
    api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "50000.00", "paid_on": "2023-07-03",
                                   "bank_ref": "ICBC-1"}, as_="finance")
    state = api.ok("GET", f"/v1/organisations/{org}/awards", as_="kjj")
    assert state["totals"] == {"entitled": "200000.00", "approved": "200000.00", "paid": "50000.00",
                               "outstanding": "150000.00", "to_recover": "0.00", "recovered": "0.00",
                               "written_off": "0.00"}
    (erc,) = state["programmes"]
    assert erc["programme"] == "A3.erc" and erc["approved"] == "200000.00"


def test_caps_show_their_headroom(api, world):
    """A voucher claim uses its enterprise-year cap: limit, used and remaining, as two-place strings."""
    org = world.org()
    world.approved(org)
    (cap,) = api.ok("GET", f"/v1/organisations/{org}/awards")["caps"]
    assert (cap["scope"], cap["year"], cap["limit"], cap["used"], cap["remaining"]) == (
        "enterprise_year", 2023, "500000.00", "300000.00", "200000.00")


def test_an_approval_below_the_entitlement_counts_at_its_amount_so_the_total_keeps_to_the_cap(api, world):
    """450,000 approved at 200,000 frees 250,000 of the year's 500,000 cap, which a later voucher takes (300,000):
    the organisation's entitled total is 500,000, as the cap shows, not 750,000 (a probe found the total past
    the cap); the first claim keeps the entitlement the rules gave it."""
    org = world.org()
    first = world.claim(org, basis_amount="1500000.00")
    api.ok("POST", f"/v1/claims/{first['id']}/approve", {"amount": "200000.00"}, as_="kjj", status=200)
    assert world.claim(org, basis_amount="1000000.00")["entitled_amount"] == "300000.00"
    state = api.ok("GET", f"/v1/organisations/{org}/awards")
    assert (state["totals"]["entitled"], state["totals"]["approved"]) == ("500000.00", "200000.00")
    (cap,) = state["caps"]
    assert (cap["used"], cap["remaining"]) == ("500000.00", "0.00")
    assert api.ok("GET", f"/v1/claims/{first['id']}")["entitled_amount"] == "450000.00"


def test_a_moment_not_yet_come_is_answered_as_of_the_asking_and_says_so(api, world):
    """The ledger cannot know a moment ahead: asked for one (a moment hours ahead, a year ahead, today's bare day,
    whose end is ahead), the answer is the state at the asking and its `as_of` says so, in UTC, where it echoed the
    moment asked and the same question then answered otherwise once later events came (an enterprise probe). The
    reconciliation reads moments the same way."""
    from datetime import UTC, timedelta

    from ledger import beijing

    org = world.org()
    world.approved(org)
    ahead = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    for moment in (ahead, "2030-01-01T00:00:00+08:00", beijing.today().isoformat()):
        asked = datetime.now(UTC)
        answer = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(moment)}")
        answered = datetime.fromisoformat(answer["as_of"])
        assert asked <= answered <= datetime.now(UTC) and answered.utcoffset() == timedelta(0), (moment, answer)
        assert answer["totals"]["approved"] == "300000.00"
        year = api.ok("GET", f"/v1/finance/reconciliation?year=2023&as_of={quote(moment)}", as_="finance")
        assert asked <= datetime.fromisoformat(year["as_of"]) <= datetime.now(UTC), year["as_of"]
    # A past moment keeps its answer and is echoed in UTC, whatever offset it was sent with.
    then = datetime.now(beijing.ZONE)
    past = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(then.isoformat())}")
    assert past["as_of"] == then.astimezone(UTC).isoformat() and past["as_of"].endswith("+00:00"), past["as_of"]


def test_awards_as_of_a_past_moment(api, world):
    """With as_of, the state is as the ledger knew it then, however the offset is written."""
    org = world.org()
    world.approved(org)
    time.sleep(0.01)
    between = datetime.now().astimezone()
    time.sleep(0.01)
    world.approved(org, basis_amount="100000.00")
    now = api.ok("GET", f"/v1/organisations/{org}/awards")
    assert now["totals"]["approved"] == "330000.00"
    stamp = between.isoformat()
    then = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(stamp)}")
    assert then["totals"]["approved"] == "300000.00" and then["as_of"] is not None
    # RFC 3339 takes any number of a second's digits: beyond the microsecond they are dropped (an audit probe's
    # ten were refused), the same moment as its six.
    longer = stamp.replace("+", "0000+", 1) if "." in stamp else stamp.replace("+", ".0000000000+", 1)
    assert api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(longer)}")["totals"] == then["totals"]
    naive = "2023-06-01T00:00:00.1234567890"  # refused for its missing offset, quoted as sent
    problem = api.refused("GET", f"/v1/organisations/{org}/awards?as_of={naive}", None, "admin", 422,
                          "invalid_request")
    assert repr(naive) in problem["detail"], problem
    # An unencoded "+08:00" reaches the server as " 08:00"; it is read as the offset it was.
    unencoded = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={stamp}")
    assert unencoded["totals"] == then["totals"]
    api.refused("GET", f"/v1/organisations/{org}/awards?as_of=2023-06-01T00:00:00", None, "admin", 422,
                "invalid_request")  # no offset: ambiguous, refused
    api.refused("GET", f"/v1/organisations/{org}/awards?as_of=yesterday", None, "admin", 422, "invalid_request")
    # Not RFC 3339, though pydantic alone reads them: Unix seconds, and a time without its seconds.
    for loose in ("1800000000", quote("2023-06-01T11:41Z"), quote("2023-06-01T11:41+08:00")):
        problem = api.refused("GET", f"/v1/organisations/{org}/awards?as_of={loose}", None, "admin", 422,
                              "invalid_request")
        assert "RFC 3339" in problem["detail"] and "2024-01-01T00:00:00+08:00" in problem["detail"], problem
    zh = api.call("GET", f"/v1/organisations/{org}/awards?as_of=1800000000", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 422 and "不是 RFC 3339 时间" in zh.json()["detail"], zh.text


def test_awards_of_an_unknown_organisation(api):
    """An unregistered USCC is 404 `not_found`; a malformed one 422 `invalid_uscc`."""
    api.refused("GET", f"/v1/organisations/{unique_uscc()}/awards", None, "admin", 404, "not_found")
    api.refused("GET", f"/v1/organisations/{unique_uscc()}/history", None, "admin", 404, "not_found")
    api.refused("GET", "/v1/organisations/91330108MA2H0T5X60/awards", None, "admin", 422, "invalid_uscc")


def test_history_is_every_event_oldest_first_with_who_and_when(api, world):
    """History lists the organisation's events in order, each with its principal and recorded time."""
    org = world.org()
    world.approved(org)
    events = api.ok("GET", f"/v1/organisations/{org}/history", as_="auditor")["events"]
    names = [e["event"] for e in events]
    assert names[0] == "Organisation.Registered" and "Claim.Submitted" in names and "Claim.Approved" in names
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)
    assert {e["by"] for e in events} >= {"admin-test", "kjj-test"}
    assert all(e["recorded_at"][-6] in "+-" for e in events)
    submitted = next(e for e in events if e["event"] == "Claim.Submitted")
    assert submitted["effective_on"] == "2023-06-01"


def test_reconciliation_per_programme_and_bureau(api, world):
    """Approved, paid, reversed and outstanding per programme and bureau, with the year's fund and headroom."""
    org = world.org()
    payout = world.paid(org, amount="100000.00")
    api.ok("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "银行退回"}, as_="finance", status=200)
    world.paid(world.org(), amount="300000.00")
    report = api.ok("GET", "/v1/finance/reconciliation?year=2023&format=json", as_="finance")
    assert report == api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")
    (voucher,) = [r for r in report["rows"] if r["programme"] == "A5.voucher"]
    assert (voucher["bureau"], voucher["approved"], voucher["paid"], voucher["reversed"], voucher["outstanding"]) == (
        "kjj", "600000.00", "300000.00", "100000.00", "300000.00")
    fund = report["appropriation"]
    assert (fund["appropriated"], fund["approved"], fund["headroom"]) == ("300000000.00", "600000.00",
                                                                          "299400000.00")


def test_awards_list_programmes_in_article_order_with_names(api, world):
    """A3 comes before A5 and A10 (not in code order), now and as of a moment; each programme carries its
    programme's and lead bureau's names in zh and en, its certifications their tier's, its caps the programme's."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    world.claim(org, "A3.erc", certification_id=cert)
    world.claim(org, "A10.first_set", as_="jxj", requested_amount="500000", subject="product:X-9")
    world.claim(org)
    for query in ("", "?as_of=2999-12-31"):
        state = api.ok("GET", f"/v1/organisations/{org}/awards{query}", as_="auditor")
        rows = {r["programme"]: r for r in state["programmes"]}
        assert [r["programme"] for r in state["programmes"]] == ["A3.erc", "A5.voucher", "A10.first_set"], query
        assert rows["A3.erc"]["programme_name"] == {"zh": "工程研究中心认定奖励",
                                                    "en": "Engineering research centre recognition award"}
        assert rows["A10.first_set"]["lead_bureau"] == "jxj"
        assert rows["A10.first_set"]["bureau_name"]["zh"] == "区经信局", rows["A10.first_set"]
        assert rows["A5.voucher"]["bureau_name"] == {"zh": "区科技局", "en": "Science and Technology Bureau"}
        assert rows["A3.erc"]["certifications"][0]["tier_name"]["zh"], rows["A3.erc"]["certifications"]
        assert state["caps"] and all(c["programme_name"]["zh"] for c in state["caps"])


def test_ladders_show_their_rungs_and_top_rung(api, world):
    """Each programme's ladders: a body's recognition ladder (rule 13) and a prize's grades for one project (rule 3),
    each with its rungs in climbing order, the rung reached and what it awarded; as of now, the same."""
    org = world.org()
    body_id = world.body(lead=org, kind="erc", recognised_on="2022-09-06")
    cert = world.certify(org, "A3.erc", "municipal", body_id=body_id)
    world.approved(org, "A3.erc", certification_id=cert)
    api.ok("POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                            "document_ref": "国科发〔2024〕1号"}, as_="kjj")
    world.approved(org, "A3.erc", certification_id=cert, award_year=2024)
    project = f"project:NA-{org[-6:]}"
    world.approved(org, "A9.national_award", tier="second", rank=1, subject=project)
    state = api.ok("GET", f"/v1/organisations/{org}/awards")
    ladders = {p["programme"]: p["ladders"] for p in state["programmes"]}
    assert ladders["A3.erc"] == [{"rungs": ["municipal", "provincial", "national"], "subject": None,
                                  "body_id": body_id, "reached": "national", "awarded": "1000000.00"}]
    assert ladders["A9.national_award"] == [{"rungs": ["second", "first"], "subject": project, "reached": "second",
                                             "awarded": "1000000.00"}]
    then = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(datetime.now().astimezone().isoformat())}")
    assert {p["programme"]: p["ladders"] for p in then["programmes"]} == ladders


def test_a_command_is_known_whole_at_its_own_moment(api, world):
    """A payout records the payout and the claim's payment in one transaction: both carry one moment, and the
    awards as of the payout's own `recorded_at` show it paid (they once showed the payout's moment without the
    claim's payment, a millisecond later)."""
    org = world.org()
    payout = world.paid(org, amount="120000.00")
    history = api.ok("GET", f"/v1/organisations/{org}/history")["events"]
    made = [e for e in history if e["recorded_at"] == history[-1]["recorded_at"]]
    assert len(made) >= 2 and {e["aggregate_id"] for e in made} >= {payout["id"], payout["claim_id"]}, history
    then = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(payout['recorded_at'])}")
    assert then["totals"]["paid"] == "120000.00" and then["totals"]["outstanding"] == "180000.00", then["totals"]


def test_a_reversal_answers_its_own_moment(api, world):
    """A reversal's answer is the payout, whose `recorded_at` is the payout's: `as_of` set to it showed the payout
    standing (a probe). The answer now carries `reversed_at`, the reversal's moment, at which the awards show the
    payout reversed; a payout not reversed has none."""
    org = world.org()
    payout = world.paid(org, amount="120000.00")
    assert payout["reversed_at"] is None
    reversed_ = api.ok("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "账号有误"}, as_="finance",
                       status=200)
    assert reversed_["recorded_at"] == payout["recorded_at"] and (
        datetime.fromisoformat(reversed_["reversed_at"]) > datetime.fromisoformat(payout["recorded_at"]))
    assert api.ok("GET", f"/v1/payouts/{payout['id']}", as_="finance")["reversed_at"] == reversed_["reversed_at"]
    then = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(reversed_['reversed_at'])}")
    assert then["totals"]["paid"] == "0.00" and then["totals"]["outstanding"] == "300000.00", then["totals"]
    before = api.ok("GET", f"/v1/organisations/{org}/awards?as_of={quote(payout['recorded_at'])}")
    assert before["totals"]["paid"] == "120000.00", before["totals"]


def test_a_long_as_of_is_quoted_cut_in_its_refusal(api, world):
    """A 10,000-character `as_of` came back whole, twice, in a 20 KB refusal (an inputs probe): quoted at most 40
    characters, an ellipsis marking the rest, in both languages."""
    org = world.org()
    for lang in ("en", "zh-CN"):
        problem = api.refused("GET", f"/v1/organisations/{org}/awards?as_of={'x' * 10_000}", None, "admin", 422,
                              "invalid_request", headers={"Accept-Language": lang})
        said = str(problem)
        assert len(said) < 3_000 and "x" * 41 not in said and "x" * 39 + "…" in said, said[:500]
