"""What a claim's and a recovery's pages say after a form, over plain HTTP on both stores: a landing notice only
where the record bears it out (a hand-edited or stale address showed 已核销 0.00 元 and 审批已记录), an unknown one
said as any parameter the page does not read; a stale tab's confirm of a replaced proposal names the claim that
replaced it; and a confirmation at the proposal's own figure shows no re-assessment arrow."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import erc_proposal, page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        _api(c, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
             as_="finance")
        yield c


def _proposal(client: TestClient) -> tuple[str, str]:
    """A municipal ERC certification and the 免申即享 proposal it made: (certification, proposal)."""
    made = erc_proposal(client)
    return made["cert"], made["proposal"]


def _notice(text: str, testid: str = "done") -> str | None:
    found = re.search(rf'data-testid="{testid}">(.*?)</p>', text, re.S)
    return found[1] if found else None


def test_a_stale_confirm_of_a_replaced_proposal_names_the_claim_that_replaced_it(client):
    """Confirmed on its own page from a tab opened before the upgrade replaced it: the page said "已撤回，不是待确认";
    it names the replacing claim, with a link to it, as the bulk confirmation does, in both languages."""
    cert, old = _proposal(client)
    csrf = _sign_in(client, "kjj")
    _api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                                "document_ref": "D2"}, as_="kjj")
    new = _api(client, "GET", f"/v1/claims/{old}", as_="kjj")["replaced_by"]
    assert new
    for lang, said in (("zh", f"该项已由申请 {new} 取代"), ("en", f"It was replaced by claim {new}")):
        page = client.post(f"/ui/claims/{old}/confirm?lang={lang}", data={"csrf": csrf, "key": unique_id("k")})
        assert page.status_code == 409, page.text[:500]
        refusal = page.text.split('data-testid="form-refusal"')[1].split("</div>")[0]
        assert said in refusal and f'href="/ui/claims/{new}"' in refusal, refusal
        assert "待确认" not in refusal and "not proposed" not in refusal


def test_a_confirmation_at_the_proposals_figure_shows_no_arrow(client):
    """A proposal confirmed with no change in figure read "200,000.00 元 → 200,000.00 元" in its history, as if
    re-assessed (a clerk's probe): the arrow is shown only where the figure moved, on the claim's page and on the
    organisation's timeline (a regression probe found the timeline's still there, in both languages)."""
    made = erc_proposal(client)
    proposal = made["proposal"]
    _api(client, "POST", f"/v1/claims/{proposal}/confirm", {}, as_="kjj")
    _sign_in(client, "kjj")
    page = client.get(f"/ui/claims/{proposal}?lang=zh").text
    confirmed = page.split('data-event="Confirmed"')[1].split("</li>")[0]
    assert 'class="reassessed"' not in confirmed and "→" not in confirmed, confirmed
    for lang in ("zh", "en"):
        timeline = client.get(f"/ui/organisations/{made['uscc']}?lang={lang}").text
        timeline = timeline.split('data-testid="timeline"')[1].split("</ol>")[0]
        assert "200,000.00" in timeline and "→" not in timeline and 'class="reassessed"' not in timeline, timeline


def test_a_claims_landing_notice_shows_only_where_the_claim_bears_it_out(client):
    """`?done=anything` said 审批已记录; `?done=1` (a rejection's) on an approved claim and `?corrected=revoked` on
    one never revoked said so too. An unknown value is named as a parameter the page does not read."""
    award = paid_erc_award(client)
    _sign_in(client, "kjj")
    page = client.get(f"/ui/claims/{award['claim']}?done=anything&lang=zh").text
    assert _notice(page) is None and "审批已记录" not in page
    unread = page.split('data-testid="unread-params"')[1].split("</div>")[0]
    assert "“done”（值“anything”）" in unread, unread
    for stale in ("done=1", "done=confirmed", "corrected=revoked", "corrected=withdrawn"):
        shown = client.get(f"/ui/claims/{award['claim']}?{stale}").text
        assert _notice(shown) is None and _notice(shown, "corrected") is None, stale
        assert 'data-testid="unread-params"' not in shown, stale  # a value the page knows: not unread
    approved = client.get(f"/ui/claims/{award['claim']}?done=approved").text
    assert "已批准" in (_notice(approved) or ""), _notice(approved)
    english = client.get(f"/ui/claims/{award['claim']}?done=anything&lang=en").text
    assert "“done” (value “anything”)" in english and _notice(english) is None


def test_a_recoverys_landing_notice_shows_only_while_its_write_off_stands(client):
    """`?done=wrote_off` on a recovery never written off showed "已核销 0.00 元", and again once the write-off was
    reversed: shown only while a write-off stands; an unknown value is an unread parameter."""
    award = paid_erc_award(client)
    revoked = _api(client, "POST", f"/v1/claims/{award['claim']}/revoke",
                   {"reason": "不再符合条件", "document_ref": "杭科〔2024〕1号"}, as_="kjj")
    recovery = revoked["recovery_id"]
    _sign_in(client, "finance")
    address = f"/ui/recoveries/{recovery}?lang=zh&done="
    page = client.get(address + "wrote_off").text
    assert _notice(page) is None and "已核销 0.00" not in page
    assert _notice(client.get(address + "repaid").text) is None  # nothing repaid
    unknown = client.get(address + "zzz").text
    assert _notice(unknown) is None and "“done”（值“zzz”）" in unknown
    _api(client, "POST", f"/v1/recoveries/{recovery}/write-off", {"reason": "企业已注销", "document_ref": "滨财核1号"},
         as_="finance")
    assert _notice(client.get(address + "wrote_off").text) == "已核销 100,000.00 元。"
    _api(client, "POST", f"/v1/recoveries/{recovery}/write-off/reverse",
         {"reason": "误核销", "document_ref": "滨财核2号"}, as_="finance")
    assert _notice(client.get(address + "wrote_off").text) is None  # the old landing reloaded
    assert _notice(client.get(address + "unwrote_off").text)


def test_a_certifications_and_a_payouts_landing_notices_show_only_where_the_record_bears_them_out(client):
    """A regression probe: `?corrected=certification` said 认定已撤销 of a certification never revoked and
    `?upgraded=1` an upgrade never made; `/ui/finance/write?done=reversal&recorded=P` said a payout was reversed that
    was not. Each is shown only where the record bears it out."""
    cert, _ = _proposal(client)
    _sign_in(client, "kjj")
    page = client.get(f"/ui/certifications/{cert}?corrected=certification&upgraded=1&lang=zh").text
    assert 'data-testid="corrected"' not in page and 'data-testid="upgraded"' not in page
    _api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "provincial", "effective_on": "2023-09-01",
                                                                  "document_ref": "升〔2023〕1号"}, as_="kjj")
    assert 'data-testid="upgraded"' in client.get(f"/ui/certifications/{cert}?upgraded=1").text
    award = paid_erc_award(client)
    _sign_in(client, "finance")
    write = f"/ui/finance/write?lang=zh&recorded={award['payout']}&done="
    assert 'data-testid="recorded"' not in client.get(write + "reversal").text  # never reversed
    assert 'data-testid="recorded"' in client.get(write + "payout").text
    assert 'data-testid="recorded"' not in client.get("/ui/finance/write?done=payout").text  # no payout named
    _api(client, "POST", f"/v1/payouts/{award['payout']}/reverse", {"reason": "户名不符"}, as_="finance")
    assert 'data-testid="recorded"' in client.get(write + "reversal").text
    assert 'data-testid="recorded"' not in client.get(write + "payout").text  # it stands reversed now


def test_a_certifications_unknown_landing_value_is_said_as_an_unread_parameter(client):
    """`?recorded=2`, `?corrected=foo` and `?upgraded=yes` were dropped in silence, where `?zzz=1` beside them was
    named: each is said as a parameter the page does not read, in the page's language, with no notice; the values
    its forms land with are not."""
    cert, _ = _proposal(client)
    _sign_in(client, "kjj")
    for name, value in (("recorded", "2"), ("corrected", "foo"), ("upgraded", "yes")):
        page = client.get(f"/ui/certifications/{cert}?{name}={value}&lang=zh").text
        unread = page.split('data-testid="unread-params"')[1].split("</div>")[0]
        assert f"“{name}”（值“{value}”）" in unread, (name, unread)
        assert all(f'data-testid="{n}"' not in page for n in ("recorded", "corrected", "upgraded")), name
    english = client.get(f"/ui/certifications/{cert}?corrected=foo&lang=en").text
    assert "“corrected” (value “foo”)" in english
    recorded = client.get(f"/ui/certifications/{cert}?recorded=1").text
    assert 'data-testid="recorded"' in recorded and 'data-testid="unread-params"' not in recorded


def _statement(client: TestClient, csrf: str, raw: bytes, key: str) -> str:
    """The statement page's form: `raw` previewed, then imported under the form's `key`; where it landed."""
    preview = client.post("/ui/finance/statements/preview", data={"csrf": csrf},
                          files={"file": ("七月.csv", raw, "text/csv")})
    assert preview.status_code == 200, preview.text[:500]
    content = re.search(r'name="content" value="([^"]+)"', preview.text).group(1)
    done = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": "七月.csv",
                                                       "key": key}, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    return done.headers["location"]


def test_a_statements_imported_before_notice_shows_only_where_nothing_was_recorded(client):
    """`?imported=before` said "此前已于…导入，本次未记录任何内容" on any statement, one just imported too, and
    `?imported=yes` was dropped in silence: the notice is shown where the form that landed there (its key) recorded
    nothing, and an unknown value is an unread parameter."""
    csrf = _sign_in(client, "finance")
    raw = ("交易日期,交易流水号,借方发生额（元）,贷方发生额（元）,用途\n"
           f"2023-07-05,{unique_id('SN')},12.50,,手续费\n").encode()
    first = unique_id("k")
    landing = _statement(client, csrf, raw, first)
    assert "?" not in landing  # imported now
    for hand_edited in ("?imported=before", f"?imported=before&once={first}"):
        page = client.get(landing + hand_edited).text
        assert 'data-testid="imported-before"' not in page and "本次未记录任何内容" not in page, hand_edited
        assert 'data-testid="unread-params"' not in page, hand_edited  # a value the page knows
    unknown = client.get(landing + "?imported=yes&lang=zh").text
    assert 'data-testid="imported-before"' not in unknown
    assert "“imported”（值“yes”）" in unknown.split('data-testid="unread-params"')[1].split("</div>")[0]
    again = _statement(client, csrf, raw, unique_id("k"))  # the same file uploaded again: nothing recorded
    assert again.startswith(landing + "?imported=before&once="), again
    for lang, said in (("zh", "本次未记录任何内容"), ("en", "nothing was recorded this time")):
        page = client.get(f"{again}&lang={lang}").text
        assert said in page.split('data-testid="imported-before"')[1].split("</p>")[0], lang


def test_an_appropriations_and_its_corrections_landing_notices_show_only_where_the_fund_bears_them_out(client):
    """`/ui/finance/write?done=appropriation` said 已记录：资金安排 with nothing recorded, as `?done=appropriation_fix`
    said a correction was (a regression probe). Each now names the year and document its form recorded and shows
    only while the fund holds it: not for a document the year does not hold, nor once the appropriation is
    withdrawn; a value no form lands with is said as a parameter the page does not read."""
    csrf = _sign_in(client, "finance")
    for address in ("done=appropriation", "done=appropriation_fix", "done=appropriation&recorded=2023:财404号",
                    "done=appropriation_fix&recorded=2023:财1号", "done=appropriation&recorded=2030:财1号",
                    "done=appropriation&recorded=财1号"):
        page = client.get(f"/ui/finance/write?lang=zh&{address}").text
        assert _notice(page, "recorded") is None, address
        assert 'data-testid="unread-params"' not in page, address  # a landing the page knows: not unread
    for unknown in ("zzz", "statement"):  # a statement lands on its own page, never here
        page = client.get(f"/ui/finance/write?lang=zh&done={unknown}").text
        assert _notice(page, "recorded") is None
        unread = page.split('data-testid="unread-params"')[1].split("</div>")[0]
        assert f"“done”（值“{unknown}”）" in unread, unread
    document = unique_id("财追")
    sent = client.post("/ui/finance/appropriations?lang=zh", follow_redirects=False, data={
        "csrf": csrf, "key": unique_id("k"), "year": "2023", "amount": "1,000.00", "document_ref": document})
    assert sent.status_code == 303, sent.text[:500]
    landed = client.get(sent.headers["location"]).text
    said = _notice(landed, "recorded") or ""
    assert "已记录：资金安排" in said and "2023 年度" in said and document in said, said
    fix = client.post("/ui/finance/appropriations/correct?lang=en", follow_redirects=False, data={
        "csrf": csrf, "key": unique_id("k"), "year": "2023", "appropriation_ref": document, "amount": "0",
        "reason": "误录", "document_ref": f"{document}-更"})
    assert fix.status_code == 303, fix.text[:500]
    corrected = _notice(client.get(fix.headers["location"] + "&lang=en").text, "recorded") or ""
    assert f"The appropriation of 2023 on {document} corrected from 1,000.00 yuan to 0.00 yuan" in corrected
    # Withdrawn by that correction: the appropriation's own landing, reloaded, no longer says it was recorded.
    assert _notice(client.get(sent.headers["location"]).text, "recorded") is None
