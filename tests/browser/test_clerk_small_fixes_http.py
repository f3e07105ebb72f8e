"""Small page defects a clerk's probe found, over plain HTTP on both stores: a declined proposal named as
declined, an as-of moment to the second, a repeated queue filter, a pasted amount and a typed date told precisely
what to write."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger import beijing
from tests.browser.conftest import api, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}, "admin": {"role": "admin"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def proposal(client: TestClient) -> dict:
    """An organisation whose municipal ERC certification proposed its award (免申即享)."""
    uscc, body = unique_uscc(), unique_id("ERC-")
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                  "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A3.erc", "tier": "municipal",
                                               "effective_on": "2023-03-01", "document_ref": "D1",
                                               "body_id": body}, as_="kjj")
    [found] = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
    return {"uscc": uscc, "id": found["id"]}


def test_a_declined_proposal_is_named_declined_not_withdrawn(client, proposal):
    """不予确认 on a proposal's page: the landing, the reason's label and the history say it was declined, not
    that a claim was withdrawn."""
    csrf = signed_in(client, "kjj")
    previewed = client.post(f"/ui/claims/{proposal['id']}/withdraw", data={
        "csrf": csrf, "reason": "企业已迁出辖区，不予确认", "step": "preview"}).text.split('data-testid="preview"')[1]
    row = previewed.split(f'data-claim="{proposal["id"]}"')[1].split("</tr>")[0]
    assert "不予确认" in row and "已撤回" not in row and "确定不予确认" in previewed, previewed
    done = client.post(f"/ui/claims/{proposal['id']}/withdraw", data={
        "csrf": csrf, "reason": "企业已迁出辖区，不予确认", "step": "confirm", "key": unique_id("k-")})
    page = done.text
    assert "已不予确认：本项待确认奖补已关闭。" in page, page
    assert "不予确认理由" in page and "不予确认待确认奖补" in page
    assert "撤回理由" not in page and "撤回申请" not in page and "申请已撤回" not in page
    # and so says the organisation's timeline (a pages probe read 撤回申请 there)
    timeline = client.get(f"/ui/organisations/{proposal['uscc']}").text.split('data-testid="timeline"')[1]
    last = timeline.split("</ol>")[0].split("<li>")[-1]
    assert "不予确认待确认奖补" in last and "不予确认理由" in last and "撤回申请" not in last, last
    # and the certification's page, among the claims resting on it (a regression probe read 已撤回 there)
    cert_id = api(client, "GET", f"/v1/claims/{proposal['id']}")["certification_id"]
    on_cert = client.get(f"/ui/certifications/{cert_id}").text.split('data-testid="claims-on-cert"')[1]
    row = on_cert.split(f'data-claim="{proposal["id"]}"')[1].split("</tr>")[0]
    assert "不予确认" in row and "已撤回" not in row, row


def test_a_declined_proposal_is_named_declined_in_every_list_of_claims(client, proposal):
    """Once declined, the proposal is 不予确认 in the queue's row, the organisation's claim summary, the bulk
    confirmation's result when confirmed from a stale queue, and the corrections page (each read 已撤回, a pages
    probe); an empty reason is refused naming 不予确认理由, the field the form shows, not 撤回理由."""
    csrf = signed_in(client, "kjj")
    empty = client.post(f"/ui/claims/{proposal['id']}/withdraw", data={"csrf": csrf, "reason": "", "step": "preview"})
    assert empty.status_code == 422 and "不予确认理由" in empty.text.split('data-testid="form-refusal"')[1], empty.text
    assert "撤回理由" not in empty.text
    done = client.post(f"/ui/claims/{proposal['id']}/withdraw", data={
        "csrf": csrf, "reason": "不符合条件", "step": "confirm", "key": unique_id("k-")})
    assert done.status_code == 200, done.text
    queue = client.get(f"/ui/?status=withdrawn&uscc={proposal['uscc']}&lang=zh").text
    row = queue.split(f'data-claim="{proposal["id"]}"')[1].split("</tr>")[0]
    assert ">不予确认<" in row and "已撤回" not in row, row
    summary = client.get(f"/ui/organisations/{proposal['uscc']}").text.split(f'data-testid="claim-{proposal["id"]}"')
    assert ">不予确认<" in summary[1].split("</summary>")[0], summary[1]
    stale = client.post("/ui/claims/confirm", data={"csrf": csrf, "claim": proposal["id"], "key": unique_id("k-")})
    refused = stale.text.split('data-testid="not-confirmed"')[1].split("</tr>")[1]
    assert ">不予确认<" in refused and "该项已“不予确认”" in refused and "已撤回" not in refused, refused
    assert "重新提交申请" not in refused  # no page resubmits a claim (a clerk's probe)
    again = client.post(f"/ui/claims/{proposal['id']}/revoke", data={
        "csrf": csrf, "reason": "核查不实", "document_ref": "D-9", "step": "preview"})
    assert 'data-testid="claim-status">不予确认<' in again.text, again.text
    # a claim withdrawn that was never proposed keeps 已撤回 there
    pending = api(client, "POST", "/v1/claims", {"uscc": proposal["uscc"], "programme": "A5.voucher",
                                                 "award_year": 2023, "effective_on": "2023-06-01",
                                                 "basis_amount": "100000.00"}, as_="kjj")
    api(client, "POST", f"/v1/claims/{pending['id']}/withdraw", {"reason": "企业申请撤回"}, as_="kjj")
    queue = client.get(f"/ui/?status=withdrawn&uscc={proposal['uscc']}&lang=zh").text
    assert ">已撤回<" in queue.split(f'data-claim="{pending["id"]}"')[1].split("</tr>")[0]


def test_a_repeated_filter_applies_its_last_value_that_applies_not_a_misspelt_last(client, proposal):
    """programme=A5.voucher&programme=A5.voucer filters the queue by A5.voucher (the misspelt last left it
    unfiltered, the A3.erc proposal listed), and names A5.voucer as ignored; so for a year."""
    signed_in(client, "kjj")
    listed = client.get("/ui/?programme=A3.erc&lang=zh").text
    assert proposal["id"][:8] in listed
    page = client.get("/ui/?programme=A5.voucher&programme=A5.voucer&lang=zh").text
    assert "筛选条件“programme”给出了多个值，只采用“A5.voucher”，A5.voucer 已忽略" in page, page
    assert proposal["id"][:8] not in page, page
    years = client.get("/ui/?programme=A3.erc&year=2023&year=20233&lang=zh").text
    assert "只采用“2023”，20233 已忽略" in years and proposal["id"][:8] in years, years
    elsewhere = client.get("/ui/?programme=A3.erc&year=2024&year=20244&lang=zh").text
    assert proposal["id"][:8] not in elsewhere, elsewhere
    # The page's own links (the language switch, as 下一页) carry the value applied, not the ignored last one (a
    # regression probe's next page was a 422).
    switch = re.search(r'href="(/ui/\?[^"]*lang=en[^"]*)"', page)[1].replace("&amp;", "&")
    assert "programme=A5.voucher&" in switch and "voucer" not in switch, switch
    none = client.get("/ui/?programme=A5.voucer&programme=bogus&lang=zh").text
    assert "给出了多个值（A5.voucer、bogus），均不适用，已全部忽略" in none and "只采用" not in none, none
    assert proposal["id"][:8] in none  # nothing applied: the queue unfiltered, as it says
    same = client.get(f"/ui/?uscc={proposal['uscc'].lower()}&uscc={proposal['uscc']}&lang=zh")
    assert "给出了多个值" not in same.text and proposal["id"][:8] in same.text, same.text  # one value, written twice
    blank = client.get("/ui/?programme=A5.voucher&programme=&lang=zh").text
    assert "给出了多个值" not in blank and proposal["id"][:8] not in blank, blank


def test_a_decline_sent_again_from_a_stale_tab_says_why_it_was_refused(client, proposal):
    """不予确认 sent again once the proposal is closed (a stale tab, a second clerk): 409 with the refusal's code and
    words on the page, where the form no longer is (it answered with no word, a regression probe); so a revocation
    and a top-up of a claim not approved."""
    csrf = signed_in(client, "kjj")
    form = {"csrf": csrf, "reason": "不符合条件", "step": "confirm", "key": unique_id("k-")}
    assert client.post(f"/ui/claims/{proposal['id']}/withdraw", data=form).status_code == 200
    again = client.post(f"/ui/claims/{proposal['id']}/withdraw", data=form | {"key": unique_id("k-")})
    assert again.status_code == 409 and 'data-testid="form-refusal-code">invalid_state' in again.text, again.text
    said = again.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert "“不予确认”" in said and "已撤回" not in said, said  # as the page says it (a regression probe)
    confirm = client.post(f"/ui/claims/{proposal['id']}/confirm", data={"csrf": csrf, "key": unique_id("k-")})
    said = confirm.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert confirm.status_code == 409 and "“不予确认”" in said and "已撤回" not in said, said
    for action in ("revoke", "top-up"):
        stale = client.post(f"/ui/claims/{proposal['id']}/{action}", data={
            "csrf": csrf, "reason": "核查不实", "document_ref": "D-9", "step": "preview", "key": unique_id("k-")})
        assert stale.status_code == 409 and 'data-testid="form-refusal-detail"' in stale.text, (action, stale.text)
    page = client.get(f"/ui/claims/{proposal['id']}").text
    assert 'data-testid="claim-status">不予确认<' in page, page  # its status badge, as its notes say
    # In English too: declining again, approving or rejecting from a stale tab read "is already withdrawn" (a
    # regression probe); and the stale decline form's empty reason is named 不予确认理由, as its form labelled it.
    for action, data in (("withdraw", form | {"key": unique_id("k-")}), ("approve", {"csrf": csrf}),
                         ("reject", {"csrf": csrf, "reason": "不符"})):
        english = client.post(f"/ui/claims/{proposal['id']}/{action}?lang=en", data=data)
        said = english.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
        assert "declined" in said and "already withdrawn" not in said, (action, said)
    empty = client.post(f"/ui/claims/{proposal['id']}/withdraw?lang=zh", data={"csrf": csrf, "reason": "",
                                                                                "step": "preview"})
    assert "不予确认理由" in empty.text.split('data-testid="form-refusal"')[1] and "撤回理由" not in empty.text
    # A revocation sent to a claim still pending is refused once, above its forms, not again in the withdraw form
    pending = api(client, "POST", "/v1/claims", {"uscc": proposal["uscc"], "programme": "A5.voucher",
                                                 "award_year": 2023, "effective_on": "2023-06-01",
                                                 "basis_amount": "100000.00"}, as_="kjj")
    wrong = client.post(f"/ui/claims/{pending['id']}/revoke", data={
        "csrf": csrf, "reason": "核查不实", "document_ref": "D-9", "step": "preview", "key": unique_id("k-")})
    assert wrong.status_code == 409 and wrong.text.count('data-testid="form-refusal"') == 1, wrong.text
    assert "核查不实" not in wrong.text.split('data-testid="withdraw-form"')[1].split("</form>")[0]


def test_a_proposal_the_certifications_revocation_closed_is_not_said_declined(client, proposal):
    """A certification revoked closes its open proposal: the ledger's doing, said so in Chinese, never 不予确认 (a
    regression probe read 不予确认理由 on the claim, the timeline and the certification's page)."""
    signed_in(client, "kjj")
    cert_id = api(client, "GET", f"/v1/claims/{proposal['id']}")["certification_id"]
    revocation = {"reason": "认定被上级撤销", "effective_on": "2023-09-01", "document_ref": "撤-1"}
    api(client, "POST", f"/v1/certifications/{cert_id}/revoke", revocation, as_="kjj")
    claim = client.get(f"/ui/claims/{proposal['id']}").text
    assert "不予确认" not in claim and "认定被上级撤销" in claim and "已撤销（自 2023-09-01 起）" in claim, claim
    assert "was revoked" not in claim
    timeline = client.get(f"/ui/organisations/{proposal['uscc']}").text.split('data-testid="timeline"')[1]
    assert "不予确认" not in timeline.split("</ol>")[0]
    row = client.get(f"/ui/certifications/{cert_id}").text.split(f'data-claim="{proposal["id"]}"')[1]
    assert "已撤回" in row.split("</tr>")[0] and "不予确认" not in row.split("</tr>")[0]


def test_a_proposal_closed_by_a_revocation_recorded_before_the_ledgers_note_is_not_said_declined(client, proposal):
    """Revocations recorded before the ledger wrote its own note kept the revocation's reason and document on the
    proposals they closed (a regression probe's old store read 不予确认). Such a withdrawal, the same reason and
    document as its certification's revocation (made here as such a store holds it), is not a decline on the
    claim page, the timeline or the certification page."""
    signed_in(client, "kjj")
    cert_id = api(client, "GET", f"/v1/claims/{proposal['id']}")["certification_id"]
    closed = {"reason": "认定被上级撤销", "document_ref": "撤-1"}
    api(client, "POST", f"/v1/claims/{proposal['id']}/withdraw", closed, as_="kjj")
    api(client, "POST", f"/v1/certifications/{cert_id}/revoke", closed | {"effective_on": "2023-09-01"}, as_="kjj")
    claim = client.get(f"/ui/claims/{proposal['id']}").text
    assert "不予确认" not in claim and 'data-testid="claim-status">已撤回<' in claim, claim
    timeline = client.get(f"/ui/organisations/{proposal['uscc']}").text.split('data-testid="timeline"')[1]
    assert "不予确认" not in timeline.split("</ol>")[0]
    row = client.get(f"/ui/certifications/{cert_id}").text.split(f'data-claim="{proposal["id"]}"')[1]
    assert "不予确认" not in row.split("</tr>")[0]


def test_an_as_of_today_is_shown_to_the_second_and_a_slashed_day_told_the_pages_forms(client, proposal):
    """?as_of=<today> is read as the moment of asking, shown 截至 2026-12-07 10:32:03（北京时间） with no
    microseconds; 2026/12/07 is told to write 2026-12-07 or 2026-12-07 10:30:00, not RFC 3339."""
    signed_in(client, "kjj")
    today = beijing.today().isoformat()
    page = client.get(f"/ui/organisations/{proposal['uscc']}?as_of={today}&lang=zh").text
    shown = re.search(r'data-testid="as-of">以下为截至 ([^（]+)（北京时间）', page)
    assert shown and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", shown[1]), shown and shown[1]
    slashed = client.get(f"/ui/organisations/{proposal['uscc']}?as_of={today.replace('-', '/')}&lang=zh")
    assert slashed.status_code == 422
    assert f"请写作 {today} 或 {today} 10:30:00（北京时间）" in slashed.text and "RFC 3339" not in slashed.text
    # No such time, or typed full-width, as the page writes a moment: quoted as typed and told the page's forms (it
    # quoted 2026-12-07T25:00:00.999999+08:00 and offered the API's, an audit probe)
    late = client.get(f"/ui/organisations/{proposal['uscc']}?as_of={today} 25:00:00&lang=zh")
    assert late.status_code == 422 and f"“{today} 25:00:00”中没有这样的日期或时刻" in late.text, late.text
    assert "999999" not in late.text and "+08:00" not in late.text and f"{today} 10:30:00（北京时间）" in late.text
    wide = today.replace("2", "２") + " 10:00:00"
    typed = client.get(f"/ui/organisations/{proposal['uscc']}?as_of={wide}&lang=zh")
    assert typed.status_code == 422 and f"请改为半角输入：{today} 10:00:00" in typed.text, typed.text
    assert "+08:00" not in typed.text


def test_a_repeated_programme_filter_names_the_value_it_dropped(client):
    """programme=A5.voucher&programme=A4.challenge applies the last and says A5.voucher was ignored, in the
    existing 以下筛选条件未被采用 notice; two statuses are told to go in one value."""
    signed_in(client, "kjj")
    page = client.get("/ui/?programme=A5.voucher&programme=A4.challenge&lang=zh").text
    assert "以下筛选条件未被采用" in page
    assert "筛选条件“programme”给出了多个值，只采用“A4.challenge”，A5.voucher 已忽略" in page, page
    statuses = client.get("/ui/?status=pending&status=approved&lang=zh").text
    assert "status=pending,approved" in statuses
    same = client.get("/ui/?programme=A5.voucher&programme=A5.voucher&lang=zh").text  # nothing dropped: no notice
    assert "给出了多个值" not in same, same


def test_a_stale_decision_on_an_approved_claim_says_to_revoke_it(client, proposal):
    """Reject or approve again from a stale tab once the claim was approved: told only that pending claims are
    decided (a clerk's probe); it says an approval is corrected by revoking it, the API route left out on the page."""
    csrf = signed_in(client, "kjj")
    api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "1000000.00",
                                               "document_ref": unique_id("财〔2023〕")}, as_="finance")
    pending = api(client, "POST", "/v1/claims", {"uscc": proposal["uscc"], "programme": "A5.voucher",
                                                 "award_year": 2023, "effective_on": "2023-06-01",
                                                 "basis_amount": "100000.00"}, as_="kjj")
    api(client, "POST", f"/v1/claims/{pending['id']}/approve", {}, as_="kjj")
    stale = client.post(f"/ui/claims/{pending['id']}/reject?lang=zh", data={"csrf": csrf, "reason": "材料不全"})
    said = stale.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert stale.status_code == 409 and "请将其撤销" in said and "/v1/" not in said, said
    english = client.post(f"/ui/claims/{pending['id']}/approve?lang=en", data={"csrf": csrf})
    said = english.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert "corrected by revoking it" in said and "/v1/" not in said, said


def test_a_stale_confirmation_of_a_proposal_an_upgrade_replaced_names_the_one_that_replaced_it(client, proposal):
    """Bulk-confirmed from a tab opened before the upgrade, it was told "如仍应享受，请重新提交申请", which no page can
    do and which would make a second claim beside the open proposal (a clerk's probe): it names the proposal that
    replaced it, the one to confirm."""
    cert = api(client, "GET", f"/v1/claims/{proposal['id']}", as_="kjj")["certification_id"]
    api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "provincial", "effective_on": "2023-06-01",
                                                                "document_ref": "浙发改〔2023〕7号"}, as_="kjj")
    replaced_by = api(client, "GET", f"/v1/claims/{proposal['id']}", as_="kjj")["replaced_by"]
    assert replaced_by
    csrf = signed_in(client, "kjj")
    stale = client.post("/ui/claims/confirm?lang=zh", data={"csrf": csrf, "claim": proposal["id"],
                                                            "key": unique_id("k-")})
    refused = stale.text.split('data-testid="not-confirmed"')[1].split("</table>")[0]
    assert f"该项已由申请 {replaced_by} 取代" in refused and "重新提交申请" not in refused, refused


def test_a_proposal_another_claim_replaced_names_it_when_declined_from_a_stale_tab_and_confirmed_by_the_api(
        client, proposal):
    """A regression probe: declining an upgrade's replaced proposal from a stale tab said only "已是“已撤回”状态…此申请
    已无需更正", and POST /v1/claims/{id}/confirm and the bulk POST /v1/claims/confirm "withdrawn, not proposed", in
    both languages, where the page's confirmations name the replacing claim. Each names it now, and why; the page
    links to it. Nothing is recorded."""
    cert = api(client, "GET", f"/v1/claims/{proposal['id']}", as_="kjj")["certification_id"]
    api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "provincial", "effective_on": "2023-06-01",
                                                                "document_ref": "浙发改〔2023〕7号"}, as_="kjj")
    replaced_by = api(client, "GET", f"/v1/claims/{proposal['id']}", as_="kjj")["replaced_by"]
    assert replaced_by
    csrf = signed_in(client, "kjj")
    form = {"csrf": csrf, "reason": "不符合条件", "step": "confirm", "key": unique_id("k-")}
    for lang, said in (("zh", "认定已晋级为"), ("en", "the certification was upgraded to")):
        stale = client.post(f"/ui/claims/{proposal['id']}/withdraw?lang={lang}", data=form | {"key": unique_id("k-")})
        assert stale.status_code == 409, stale.text
        detail = stale.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
        assert replaced_by in detail and said in detail and "/v1/" not in detail, detail
        assert f'href="/ui/claims/{replaced_by}" data-testid="form-refusal-link"' in stale.text, stale.text
    headers = {"Authorization": f"Bearer {client.tokens['kjj']}"}
    for lang, said in (("en", f"claim {replaced_by}, which took its place"), ("zh", f"取代它的申请 {replaced_by}")):
        one = client.post(f"/v1/claims/{proposal['id']}/confirm", headers=headers | {"Accept-Language": lang})
        assert one.status_code == 409 and one.json()["code"] == "invalid_state", one.text
        assert said in one.json()["detail"] and "upgraded" in one.json()["detail"].replace("晋级", "upgraded"), one
        bulk = client.post("/v1/claims/confirm", json={"ids": [proposal["id"]]},
                           headers=headers | {"Accept-Language": lang}).json()
        [refused] = bulk["refused"]
        assert bulk["confirmed"] == [] and said in refused["detail"], bulk
    assert api(client, "GET", f"/v1/claims/{proposal['id']}", as_="kjj")["status"] == "withdrawn"
