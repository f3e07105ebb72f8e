"""Each principal's home over plain HTTP on both stores: a bureau's queue, finance's unpaid claims, an
auditor's recent decisions; the organisation page as of a day; times in Beijing time with the zone."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "finance": {"role": "finance"}, "auditor": {"role": "auditor"}, "admin": {"role": "admin"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def seeded(client: TestClient) -> dict:
    uscc = unique_uscc()
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "1000000.00", "document_ref": "财〔2023〕1号"},
         "finance")
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"杭州队列科技有限公司{uscc[-4:]}",
                                                "in_district": True})
    _api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "联合体", "kind": "consortium",
                                                   "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    claim = {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01"}
    pending = _api(client, "POST", "/v1/claims", claim | {"basis_amount": "100000.00"}, "kjj")
    approved = _api(client, "POST", "/v1/claims", claim | {"basis_amount": "200000.00"}, "kjj")
    _api(client, "POST", f"/v1/claims/{approved['id']}/approve", {}, "kjj")
    return {"uscc": uscc, "pending": pending, "approved": approved}


def test_each_role_finds_its_work_on_the_home_page(client, seeded):
    """kjj sees its pending claim with counts; jxj sees none; finance the unpaid one; the auditor the decision."""
    _sign_in(client, "kjj")
    home = client.get("/ui/").text
    queue = home[home.index('data-testid="queue"'):]
    assert seeded["pending"]["id"] in queue and seeded["approved"]["id"] not in queue
    assert "30,000.00 元" in queue and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）", queue)
    assert re.search(r"待审批 1\b", home) and re.search(r"已批准 1\b", home)
    assert seeded["pending"]["id"] not in client.get("/ui/?year=2024").text
    _sign_in(client, "jxj")
    assert 'data-testid="queue-empty"' in client.get("/ui/").text
    _sign_in(client, "finance")
    unpaid = client.get("/ui/").text
    assert seeded["approved"]["id"] in unpaid and seeded["pending"]["id"] not in unpaid and "60,000.00 元" in unpaid
    _sign_in(client, "auditor")
    decisions = client.get("/ui/").text
    assert 'data-testid="decisions"' in decisions and seeded["approved"]["id"] in decisions


def test_only_the_lead_bureau_gets_decision_forms(client, seeded):
    """The claim page shows approve/reject to kjj (its lead) only; jxj reads a hint naming the lead bureau."""
    _sign_in(client, "kjj")
    assert "/approve" in client.get(f"/ui/claims/{seeded['pending']['id']}").text
    _sign_in(client, "jxj")
    page = client.get(f"/ui/claims/{seeded['pending']['id']}").text
    assert "/approve" not in page and "/reject" not in page and 'data-testid="not-lead"' in page


def test_organisation_page_as_of_a_day_is_the_end_of_that_day_in_beijing(client, seeded):
    """`?as_of=` a day before anything was recorded shows no claim; today shows them; a bad day is a 422 page."""
    _sign_in(client, "auditor")
    before = client.get(f"/ui/organisations/{seeded['uscc']}?as_of=2000-01-01")
    assert before.status_code == 404  # the organisation was not registered yet
    assert "2000-01-01 23:59:59（北京时间）" in before.text  # a day is its end in Beijing
    unencoded = client.get(f"/ui/organisations/{seeded['uscc']}?as_of=2000-01-01T00:00:00+08:00")
    assert unencoded.status_code == 404 and "2000-01-01 00:00:00（北京时间）" in unencoded.text  # not " 08:00"
    # Registered later: said so, with the moment in Beijing time, as the API says it; it said "register it first"
    # with the moment as sent (UTC, microseconds), though it was registered (a zh probe).
    utc = client.get(f"/ui/organisations/{seeded['uscc']}?as_of=2000-01-01T20:00:00Z")
    assert utc.status_code == 404 and "2000-01-02 04:00:00（北京时间）" in utc.text and "其登记在此之后" in utc.text
    assert "先登记" not in utc.text and "T20:00" not in utc.text and "as_of" not in utc.text.split("<main", 1)[-1]
    # A day not yet come is answered as of the asking, as the API answers it (an enterprise probe): the page says
    # the moment it shows, not the end of a day the ledger cannot know yet.
    now = client.get(f"/ui/organisations/{seeded['uscc']}?as_of=2999-12-31").text
    assert "2999-12-31 23:59:59" not in now and seeded["pending"]["id"] in now
    assert client.get(f"/ui/organisations/{seeded['uscc']}?as_of=soon").status_code == 422


def test_organisation_page_as_of_a_moment_shows_each_claim_as_it_stood_then(client, seeded):
    """At the moment the approved claim was submitted it was pending: the page as of then said 已批准, today's
    status under a banner saying the past (a pages probe). Its status and entitlement are now those of then."""
    _sign_in(client, "auditor")
    approved = seeded["approved"]
    moment = approved["submitted_at"].replace("+", "%2B")
    then = client.get(f"/ui/organisations/{seeded['uscc']}?as_of={moment}").text
    item = then[then.index(f'data-testid="claim-{approved["id"]}"'):]
    summary = item[:item.index("</summary>")]
    assert 'class="status pending"' in summary, summary
    now = client.get(f"/ui/organisations/{seeded['uscc']}").text
    item = now[now.index(f'data-testid="claim-{approved["id"]}"'):]
    assert 'name="as_of" value=""' in now
    assert 'class="status approved"' in item[:item.index("</summary>")]


def test_organisation_page_as_of_an_evening_in_utc_fills_the_field_with_its_moment_in_beijing(client, seeded):
    """20:00 UTC on 6 December is 04:00 on the 7th in Beijing: the notice said the 7th, the day field the 6th (the
    text's first ten characters), so pressing 显示 asked for 16:00 UTC on the 6th, four hours earlier (a zh probe)."""
    import time
    from datetime import UTC, datetime, timedelta

    from ledger import beijing

    _sign_in(client, "auditor")
    # A moment that has come (one not yet come is answered as of the asking), sent in UTC: its day in Beijing, which
    # differs from its UTC day from 16:00 UTC on (as when this test was written, at 18:00 UTC).
    moment = datetime.fromisoformat(seeded["approved"]["submitted_at"]).astimezone(UTC)
    local = beijing.local(moment)
    page = client.get(f"/ui/organisations/{seeded['uscc']}",
                      params={"as_of": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}).text
    assert local.strftime("%Y-%m-%d %H:%M:%S（北京时间）") in page, page[:2000]
    assert f'value="{local.strftime("%Y-%m-%d %H:%M:%S.%f")}"' in page  # in Beijing time, as sent
    # sent to the second with an offset, it is that second's start, shown with its fraction so that 显示 again
    # answers the same moment (shown as the bare second, it was read again as that second's end: a regression probe)
    second = (local + timedelta(seconds=1)).replace(microsecond=0)  # after the organisation was registered
    time.sleep(max(0.0, (second - datetime.now(UTC)).total_seconds()) + 0.1)  # and come
    page = client.get(f"/ui/organisations/{seeded['uscc']}", params={"as_of": second.isoformat()}).text
    shown = re.search(r'name="as_of" value="([^"]+)"', page)[1]
    assert shown == second.strftime("%Y-%m-%d %H:%M:%S.000000"), shown
    again = client.get(f"/ui/organisations/{seeded['uscc']}", params={"as_of": shown}).text
    assert re.search(r'name="as_of" value="([^"]+)"', again)[1] == shown


def test_queues_and_the_organisation_page_name_every_code_in_article_order(client, seeded):
    """Programme, bureau and tier names stand beside their codes on the queues (a tier under its programme,
    the lead bureau on finance's), and the organisation page lists A3 before A5 before A10 with each lead bureau."""
    uscc = seeded["uscc"]
    body = _api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("ERC-"), "name": "工程研究中心",
                                                          "kind": "erc", "lead_uscc": uscc,
                                                          "recognised_on": "2022-09-06"})
    cert = _api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A3.erc", "tier": "municipal",
                                                        "effective_on": "2023-03-01", "body_id": body["id"],
                                                        "document_ref": "杭发改〔2023〕1号"}, "kjj")
    erc = _api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2023,
                                              "effective_on": "2023-06-01", "certification_id": cert["id"]}, "kjj")
    first = _api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A10.first_set", "award_year": 2023,
                                                "effective_on": "2023-06-01", "requested_amount": "500000",
                                                "subject": "product:X-9"}, "jxj")
    _api(client, "POST", f"/v1/claims/{first['id']}/approve", {}, "jxj")
    _sign_in(client, "kjj")
    queue = client.get("/ui/").text
    row = queue[queue.index(f'data-claim="{erc["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert "工程研究中心认定奖励" in row and "municipal" in row and "市级" in row, row
    _sign_in(client, "finance")
    unpaid = client.get("/ui/").text
    row = unpaid[unpaid.index(f'data-claim="{first["id"]}"'):]
    row = row[:row.index("</tr>")]
    assert "首台（套）产品奖励" in row and "jxj" in row and "区经信局" in row, row
    page = client.get(f"/ui/organisations/{uscc}").text
    table = page[page.index('data-testid="programmes"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'data-programme="([^"]+)"', table) == ["A3.erc", "A5.voucher", "A10.first_set"]
    assert "区科技局" in table and "区经信局" in table and "首台（套）产品奖励" in table
    english = client.get(f"/ui/organisations/{uscc}?lang=en").text
    assert "Economy and Information Technology Bureau" in english


def test_finances_home_says_which_filters_it_left_out(client, seeded):
    """`award_year=1999` on finance's home was applied without a word, an empty list read as nothing to pay (a
    finance probe). A year outside the term, an unknown programme or parameter is named and left out, as on a
    bureau's queue; one that applies filters the unpaid claims."""
    _sign_in(client, "finance")
    page = client.get("/ui/?award_year=1999&programme=A99.none&stauts=x").text
    notice = page.split('data-testid="ignored-filters"')[1].split("</div>")[0]
    assert "“1999”" in notice and "“A99.none”" in notice and "“stauts”" in notice, notice
    assert seeded["approved"]["id"] in page  # left out, not applied: the unpaid claim is still listed
    year = seeded["approved"]["award_year"]
    assert seeded["approved"]["id"] in client.get(f"/ui/?award_year={year}").text
    assert seeded["approved"]["id"] not in client.get(f"/ui/?award_year={year + 1}").text
    assert 'data-testid="ignored-filters"' not in client.get(f"/ui/?award_year={year}").text


def test_the_auditors_and_administrators_home_say_a_parameter_was_ignored(client, seeded):
    """An auditor's home lists recent decisions and takes no filter: `?programme=A5.voucher` showed every decision
    without a word, read as the programme's. A parameter sent is named as ignored, in the reader's language; none
    sent, no notice."""
    for who in ("auditor", "admin"):
        _sign_in(client, who)
        page = client.get("/ui/?programme=A5.voucher&year=2023").text
        notice = page.split('data-testid="ignored-filters"')[1].split("</div>")[0]
        assert "“programme”" in notice and "“A5.voucher”" in notice and "“year”" in notice, notice
        assert "本页不按任何参数筛选" in notice, notice
        english = client.get("/ui/?programme=A5.voucher&lang=en").text
        assert "this page takes no filter" in english.split('data-testid="ignored-filters"')[1]
        assert 'data-testid="ignored-filters"' not in client.get("/ui/?lang=zh").text
        if who == "auditor":  # every decision still listed
            assert seeded["approved"]["id"] in client.get("/ui/?programme=A9.none").text


def test_organisation_page_names_a_parameter_it_reads_nothing_from_and_an_as_of_sent_twice(client, seeded):
    """`?asof=2020-01-01` (a typo) showed today's figures with no word that the moment was not read; `as_of` sent
    twice read the last in silence. Both are named; the page reads the last as_of, as it says."""
    _sign_in(client, "auditor")
    uscc = seeded["uscc"]
    page = client.get(f"/ui/organisations/{uscc}?asof=2023-01-01").text
    notice = page.split('data-testid="ignored-filters"')[1].split("</div>")[0]
    assert "“asof”" in notice and "as_of" in notice, notice
    assert 'data-testid="as-of"' not in page  # shown as it stands now, and said why
    page = client.get(f"/ui/organisations/{uscc}?as_of=2020-01-01&as_of=2099-01-01").text
    notice = page.split('data-testid="ignored-filters"')[1].split("</div>")[0]
    assert "只采用“2099-01-01”" in notice and "2020-01-01" in notice, notice
    assert 'data-testid="ignored-filters"' not in client.get(f"/ui/organisations/{uscc}?as_of=2099-01-01").text
    assert 'data-testid="ignored-filters"' not in client.get(f"/ui/organisations/{uscc}?lang=en").text


def test_the_queues_year_is_shown_selected_as_it_was_applied(client, seeded):
    """`year=2023.0` or `02023` filtered the queue to 2023 while the year list showed 全部, so 显示 again widened it
    to every year (a clerk's probe). The year applied is the one selected; one not applied selects none."""
    _sign_in(client, "kjj")
    for typed in ("2023.0", "02023", " 2023 ", "2023"):
        page = client.get(f"/ui/?year={typed}").text
        assert re.search(r'<option selected>2023</option>', page), typed
        assert seeded["pending"]["id"] in page
    ignored = client.get("/ui/?year=1999").text
    assert "<option selected>" not in ignored and 'data-testid="ignored-filters"' in ignored


def test_a_long_filter_value_is_quoted_cut_in_the_notice(client, seeded):
    """A 5,000-character USCC or programme was quoted whole in the notice, one unbreakable string 47,528 px wide (a
    clerk's probe): quoted to 40 characters, an ellipsis marking the rest, on the queue and the recoveries list."""
    _sign_in(client, "kjj")
    for query in ("uscc=" + "x" * 5000, "programme=" + "y" * 5000, "stauts=" + "z" * 5000, "status=" + "w" * 5000):
        notice = client.get(f"/ui/?{query}").text.split('data-testid="ignored-filters"')[1].split("</div>")[0]
        assert "…" in notice and len(notice) < 2000, (query[:8], len(notice))
    _sign_in(client, "finance")
    for query in ("uscc=" + "x" * 5000, "status=" + "w" * 5000):
        notice = client.get(f"/ui/recoveries?{query}").text.split('data-testid="ignored-filters"')[1]
        assert len(notice.split("</div>")[0]) < 2000, query[:8]


def test_the_timeline_says_why_an_approval_was_made_and_which_payout_came_back(client, seeded):
    """A journey probe: an approval below what the rules give showed no note on the organisation's timeline, and a
    reversal of one of two payouts of one amount did not say which came back. The note is shown beside the approval,
    and the reversal names the payout's bank reference."""
    uscc = seeded["uscc"]
    claim = _api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                                "effective_on": "2023-06-01", "basis_amount": "300000.00"}, "kjj")
    _api(client, "POST", f"/v1/claims/{claim['id']}/approve", {"amount": "50000.00", "note": "研发投入未达要求，酌减"},
         "kjj")
    refs = [unique_id("ICBC-A-"), unique_id("ICBC-B-")]
    paid = [_api(client, "POST", "/v1/payouts", {"claim_id": claim["id"], "amount": "20000.00",
                                                 "paid_on": "2023-07-03", "bank_ref": ref}, "finance") for ref in refs]
    _api(client, "POST", f"/v1/payouts/{paid[0]['id']}/reverse", {"reason": "账号有误"}, "finance")
    _sign_in(client, "kjj")
    timeline = client.get(f"/ui/organisations/{uscc}?lang=zh").text.split('data-testid="timeline"')[1]
    assert "审批意见：研发投入未达要求，酌减" in timeline, timeline
    reversal = next(item for item in timeline.split("<li>") if "账号有误" in item)
    assert refs[0] in reversal and refs[1] not in reversal, reversal
