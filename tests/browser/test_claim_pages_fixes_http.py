"""Fixes to the claim pages found by a browser probe, over plain HTTP on both stores: a claim's payouts and
finance's links to pay and reverse, the organisation's name, confirming a proposal from its own page, approvals
typed with thousands separators, a form sent again after Back, the queue's bulk confirmation worded for a clerk,
and names (tiers, bureaus, refusal titles, approved amounts) rather than codes on Chinese pages."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.web.amounts import plain_amount
from tests.browser.conftest import api, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "finance": {"role": "finance"}, "auditor": {"role": "auditor"}, "admin": {"role": "admin"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _organisation(client: TestClient, name: str) -> tuple[str, str]:
    """An organisation with an ERC certification, which proposes its award (免申即享); the USCC and proposal."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"{name}{uscc[-4:]}", "in_district": True})
    body = unique_id("ERC-")
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                   "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    api(client, "POST", "/v1/certifications", {
        "uscc": uscc, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改〔2023〕15号", "body_id": body}, as_="kjj")
    proposed = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
    assert len(proposed) == 1, proposed
    return uscc, proposed[0]["id"]


@pytest.fixture
def world(client: TestClient) -> dict:
    """One organisation with its ERC award confirmed, approved (200,000) and 100,000 paid, and a pending voucher
    claim (300,000); another with an open proposal."""
    api(client, "POST", "/v1/appropriations",
        {"year": 2023, "amount": "300000000.00", "document_ref": "财〔2023〕1号"}, as_="finance")
    uscc, erc = _organisation(client, "滨江链芯科技有限公司")
    api(client, "POST", f"/v1/claims/{erc}/confirm", {}, as_="kjj")
    api(client, "POST", f"/v1/claims/{erc}/approve", {}, as_="kjj")
    bank_ref = unique_id("ICBC-")
    payout = api(client, "POST", "/v1/payouts", {"claim_id": erc, "amount": "100000.00", "paid_on": "2023-07-03",
                                                  "bank_ref": bank_ref}, as_="finance")
    voucher = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                                  "effective_on": "2023-06-01", "basis_amount": "1000000.00"},
                  as_="kjj")
    other, proposal = _organisation(client, "滨江芯火微电子有限公司")
    name = api(client, "GET", f"/v1/organisations/{uscc}")["name"]
    return {"uscc": uscc, "name": name, "erc": erc, "payout": payout["id"], "bank_ref": bank_ref,
            "voucher": voucher["id"], "other": other, "proposal": proposal,
            "other_name": api(client, "GET", f"/v1/organisations/{other}")["name"]}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.split(r"<main[^>]*>", page, maxsplit=1)[1]))


def _key(page: str, form: str) -> str:
    return re.search(rf'data-testid="{form}".*?name="key" value="([^"]+)"', page, re.S).group(1)


def test_a_claim_page_shows_its_payouts_and_finance_links_to_pay_and_reverse(client, world):
    """The claim page lists each payout (id, bank reference, amount, day, reversed or not) and the organisation by
    name; finance gets 记录拨付 while something is outstanding and 冲回 beside each payout not reversed."""
    signed_in(client, "finance")
    page = client.get(f"/ui/claims/{world['erc']}").text
    table = re.search(r'data-testid="payouts".*?</table>', page, re.S).group(0)
    row = re.search(rf'<tr data-payout="{world["payout"]}">.*?</tr>', table, re.S).group(0)
    assert world["bank_ref"] in row and "100,000.00 元" in row and "2023-07-03" in row and "已拨付" in row
    # Each link lands on the form it fills (a pages probe: the page opened at its top, the form 1,700 px below).
    assert f'href="/ui/finance/write?payout_id={world["payout"]}#reversal-h"' in row and ">冲回<" in row
    assert f'href="/ui/finance/write?claim_id={world["erc"]}#payout-h"' in page and "记录拨付" in page
    assert f'data-testid="organisation-name">{world["name"]}<' in page
    english = client.get(f"/ui/claims/{world['erc']}?lang=en").text
    assert "Payouts" in english and ">Reverse<" in english and "Record a payout" in english
    # Reversed, the payout says so and offers no second reversal.
    api(client, "POST", f"/v1/payouts/{world['payout']}/reverse", {"reason": "账号有误"}, as_="finance")
    page = client.get(f"/ui/claims/{world['erc']}?lang=zh").text
    row = re.search(rf'<tr data-payout="{world["payout"]}">.*?</tr>', page, re.S).group(0)
    assert "已冲回" in row and "payout_id=" not in row
    # A bureau sees the payouts, never finance's links; a pending claim has none to show.
    signed_in(client, "kjj")
    page = client.get(f"/ui/claims/{world['erc']}").text
    assert world["bank_ref"] in page and "/ui/finance/write" not in page
    pending = client.get(f"/ui/claims/{world['voucher']}").text
    assert 'data-testid="no-payouts"' in pending and world["name"] in pending


def test_a_proposal_is_confirmed_from_its_own_page_by_its_lead_bureau(client, world):
    """A proposal's page offers its lead bureau 确认 beside 撤回申请: confirmed, it is pending, as from the queue;
    another bureau sees no form, and a refused confirmation is said on the page."""
    path = f"/ui/claims/{world['proposal']}"
    signed_in(client, "jxj")
    assert 'data-testid="confirm-proposal-form"' not in client.get(path).text
    csrf = signed_in(client, "kjj")
    page = client.get(path).text
    assert 'data-testid="confirm-proposal-form"' in page and 'data-testid="withdraw-form"' in page
    # Declining a proposal frees nothing, and the page says so (a sandbox probe read "releases caps and funds").
    hint = page.split('data-testid="withdraw-hint">')[1].split("</p>")[0]
    assert "不予确认" in page and "不释放任何金额" in hint and "全部释放" not in hint, hint
    done = client.post(f"{path}/confirm", data={"csrf": csrf, "key": _key(page, "confirm-proposal-form")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=confirmed"
    assert api(client, "GET", f"/v1/claims/{world['proposal']}")["status"] == "pending"
    landed = client.get(done.headers["location"]).text
    assert "已确认" in landed and 'data-testid="approve-form"' in landed
    again = client.post(f"{path}/confirm", data={"csrf": csrf, "key": unique_id("k-")})
    assert again.status_code == 409 and 'data-testid="form-refusal"' in again.text
    said = re.search(r'data-testid="form-refusal-detail">([^<]+)<', again.text).group(1)
    assert "“待审批”" in said and "/approve" not in said and "（proposed）" not in said and "申请页面" in said


def test_an_approval_typed_with_thousands_separators_is_accepted(client, world):
    """The page shows 300,000.00; typed back as 100,000.00 (or with full-width commas) it is approved."""
    assert plain_amount(" 1,000,000.00 ") == "1000000.00" and plain_amount("1，000") == "1000"
    assert plain_amount("1,00,0") == "1,00,0" and plain_amount("50000") == "50000"
    csrf = signed_in(client, "kjj")
    claim = f"/ui/claims/{world['voucher']}"
    done = client.post(f"{claim}/approve", data={"csrf": csrf, "amount": "100,000.00", "note": "同意",
                                                 "key": unique_id("k-")}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert api(client, "GET", f"/v1/claims/{world['voucher']}")["approved_amount"] == "100000.00"


def test_an_approval_typed_full_width_is_told_so_on_the_form(client, world):
    """A pages probe: １０００ typed in the approve form got the form's general hint (more than 0.00, at most the
    entitlement, two places), where the API and the payout form say the digits are full-width and what to type. The
    form now gives those words, and keeps what was typed; nothing is approved."""
    csrf = signed_in(client, "kjj")
    claim = f"/ui/claims/{world['voucher']}"
    said = client.post(f"{claim}/approve", data={"csrf": csrf, "amount": "１０００", "note": "同意",
                                                 "key": unique_id("k-")}, follow_redirects=False)
    assert said.status_code == 422, said.text
    assert "全角" in said.text and "请改为输入 1000" in said.text and 'value="１０００"' in said.text, said.text
    assert api(client, "GET", f"/v1/claims/{world['voucher']}")["status"] == "pending"
    general = client.post(f"{claim}/approve", data={"csrf": csrf, "amount": "abc", "key": unique_id("k-")},
                          follow_redirects=False)
    assert "留空即按应享金额批准" in general.text, general.text  # the form's own hint where the API says no more

def test_a_form_sent_again_after_back_is_told_in_words(client, world):
    """A rejection recorded, then its form sent again (Back, then send, with something else typed): the page
    says the form was already sent and the claim is rejected, with a link to it, and no idempotency jargon."""
    csrf = signed_in(client, "kjj")
    claim = f"/ui/claims/{world['voucher']}"
    key = unique_id("k-")
    done = client.post(f"{claim}/reject", data={"csrf": csrf, "reason": "材料不全", "key": key},
                       follow_redirects=False)
    assert done.status_code == 303
    again = client.post(f"{claim}/reject", data={"csrf": csrf, "reason": "材料不全，请补充", "key": key})
    assert again.status_code == 409
    refusal = re.search(r'data-testid="form-refusal">.*?</div>', again.text, re.S).group(0)
    assert "此表单已经提交过" in refusal and "“已驳回”" in refusal and f'href="{claim}"' in refusal
    assert "Idempotency" not in again.text and "键值" not in again.text
    english = client.post(f"{claim}/reject?lang=en", data={"csrf": csrf, "reason": "other", "key": key})
    assert "This form was already sent" in english.text and "now rejected" in english.text
    assert "Idempotency" not in english.text


def test_bulk_confirmation_refusals_are_worded_for_a_clerk(client, world):
    """Two proposals ticked on the queue, one confirmed and one declined elsewhere meanwhile: each refusal names
    the company, links to its claim, says its status in Chinese and what to do; no API path or status code."""
    _, third = _organisation(client, "滨江星河光电有限公司")
    api(client, "POST", f"/v1/claims/{world['proposal']}/confirm", {}, as_="kjj")
    api(client, "POST", f"/v1/claims/{third}/withdraw", {"reason": "企业已注销"}, as_="kjj")
    csrf = signed_in(client, "kjj")
    page = client.post("/ui/claims/confirm", data={"csrf": csrf, "key": unique_id("k-"),
                                                   "claim": [world["proposal"], third]})
    assert page.status_code == 200, page.text
    table = re.search(r'data-testid="not-confirmed".*?</table>', page.text, re.S).group(0)
    shown = _text("<main>" + table)
    assert "/approve" not in shown and "/reject" not in shown and "（proposed）" not in shown
    assert "proposed" not in shown and world["proposal"] not in shown and third not in shown
    confirmed = re.search(rf'<tr data-claim="{world["proposal"]}">.*?</tr>', table, re.S).group(0)
    assert world["other_name"] in confirmed and f'href="/ui/claims/{world["proposal"]}"' in confirmed
    assert "待审批" in confirmed and "批准或驳回" in confirmed
    withdrawn = re.search(rf'<tr data-claim="{third}">.*?</tr>', table, re.S).group(0)
    assert "滨江星河光电有限公司" in withdrawn and f'href="/ui/claims/{third}"' in withdrawn
    assert "不予确认" in withdrawn and "查看不予确认的理由" in withdrawn  # the bureau declined it: said so, not 已撤回
    english = client.post("/ui/claims/confirm?lang=en", data={"csrf": csrf, "key": unique_id("k-"),
                                                              "claim": [third]}).text
    assert "can no longer be confirmed" in english and "/approve" not in english


def test_chinese_pages_name_tiers_bureaus_refusals_and_approved_amounts(client, world):
    """On Chinese pages: the tier by name only (市级, not municipal), the lead bureau by name (区科技局), a refused
    form's heading by its title (超出上限, not cap_exceeded), and the queue of approved claims shows what was
    approved beside the entitlement."""
    signed_in(client, "jxj")
    page = client.get(f"/ui/claims/{world['voucher']}").text
    assert "本申请由 区科技局 牵头审批" in page and "kjj" not in _text(page).replace("kjj-ui", "")
    assert "（区级部门 区经信局）" in page and "区级部门 jxj" not in page  # who is signed in, by the bureau's name
    csrf = signed_in(client, "kjj")
    erc = client.get(f"/ui/claims/{world['erc']}").text
    tier = re.search(r'data-testid="tier">(.*?)</dd>', erc, re.S).group(1)
    assert "市级" in tier and "municipal" not in _text("<main>" + tier)
    assert re.search(r'data-testid="lead-bureau"[^>]*>\s*区科技局\s*<', erc)
    english = client.get(f"/ui/claims/{world['erc']}?lang=en").text
    assert "Science and Technology Bureau" in english
    above = client.post(f"/ui/claims/{world['voucher']}/approve?lang=zh",
                        data={"csrf": csrf, "amount": "1,000,000.00", "key": unique_id("k-")})
    assert above.status_code == 409
    heading = re.search(r'data-testid="form-refusal">\s*<h3>(.*?)</h3>', above.text, re.S).group(1)
    assert "超出上限" in heading and "cap_exceeded" not in heading
    api(client, "POST", f"/v1/claims/{world['voucher']}/approve", {"amount": "120000.00"}, as_="kjj")
    queue = client.get("/ui/", params={"status": "approved", "uscc": world["uscc"]}).text
    row = re.search(rf'<tr data-claim="{world["voucher"]}">.*?</tr>', queue, re.S).group(0)
    assert "300,000.00 元" in row and re.search(r'data-testid="approved-amount">120,000.00 元<', row)
    assert "municipal" not in _text(queue)


def test_a_claim_decided_in_another_tab_is_not_a_form_to_correct(client, world):
    """A pages probe: a claim approved in one tab, then approved from another, came back "未能提交，请修改后重试"
    (correct the form and try again), though no field of the form was at fault. The heading says only that it was
    not sent, and the refusal why; a field at fault still asks for the correction."""
    csrf = signed_in(client, "kjj")
    claim = f"/ui/claims/{world['voucher']}"
    api(client, "POST", f"/v1/claims/{world['voucher']}/approve", {}, as_="kjj")
    for lang, heading, fix in (("zh", "未能提交：", "请修改后重试"), ("en", "Not sent: ", "correct the form")):
        stale = client.post(f"{claim}/approve?lang={lang}", data={"csrf": csrf, "key": unique_id("k-")})
        assert stale.status_code == 409
        said = re.search(r'data-testid="form-refusal">\s*<h3>(.*?)</h3>', stale.text, re.S).group(1)
        assert said.startswith(heading) and fix not in said, said
    other = api(client, "POST", "/v1/claims", {"uscc": world["uscc"], "programme": "A5.voucher", "award_year": 2024,
                                               "effective_on": "2024-06-01", "basis_amount": "100000.00"}, as_="kjj")
    typo = client.post(f"/ui/claims/{other['id']}/approve?lang=zh",
                       data={"csrf": csrf, "amount": "一万", "key": unique_id("k-")})
    said = re.search(r'data-testid="form-refusal">\s*<h3>(.*?)</h3>', typo.text, re.S).group(1)
    assert "请修改后重试" in said, said


def test_a_claim_page_reads_its_claim_as_often_whatever_its_payouts(client, world):
    """Each payout row read the whole claim again (a stall probe: 800 payouts took 7.8 s, in the square of them).
    The claim is read as many times for a page of many payouts as for one of one: the reads of the store are counted
    (the real store, on both), not timed."""
    from ledger.domain.claim import Claim

    ledger = client.app.state.ledger
    signed_in(client, "finance")
    real, reads = ledger._get, []

    def counted(cls, *args, **kwargs):
        reads.append(cls)
        return real(cls, *args, **kwargs)

    def claim_reads() -> int:
        reads.clear()
        ledger._get = counted
        try:
            assert client.get(f"/ui/claims/{world['erc']}").status_code == 200
        finally:
            ledger._get = real
        return reads.count(Claim)

    one = claim_reads()
    for n in range(6):
        api(client, "POST", "/v1/payouts", {"claim_id": world["erc"], "amount": "1.00", "paid_on": "2023-07-03",
                                            "bank_ref": unique_id(f"ICBC-{n}-")}, as_="finance")
    assert claim_reads() == one, (one, reads.count(Claim))
