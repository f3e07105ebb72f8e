"""The corrections pages over plain HTTP: a certification revoked through its preview, who may correct, CSRF,
and the recoveries list's filters; the same commands and refusals as the JSON API."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def certified(client) -> dict:
    """An ERC certification with an approved, half-paid award resting on it."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = paid_erc_award(client)
    return {"uscc": award["uscc"], "cert": award["cert"], "claim": award["claim"]}


def test_a_certification_is_revoked_through_its_preview(client, certified):
    """The preview lists the award it would revoke and writes nothing; the confirmed form revokes both."""
    csrf = _sign_in(client, "kjj")
    page = client.get(f"/ui/certifications/{certified['cert']}")
    assert page.status_code == 200 and 'data-testid="revoke-cert-form"' in page.text
    form = {"csrf": csrf, "reason": "复核不再符合认定条件", "effective_on": "2023-12-01",
            "document_ref": "杭高新科〔2024〕18号"}
    preview = client.post(f"/ui/certifications/{certified['cert']}/revoke", data=form | {"step": "preview"})
    assert preview.status_code == 200 and 'data-testid="preview"' in preview.text
    assert f'data-claim="{certified["claim"]}"' in preview.text and "100,000.00 元（将开立追回款项）" in preview.text
    # The preview says what its confirmation records: the reason, the day and the document, by their labels (a
    # probe edited the form below the preview, confirmed, and the previewed values were recorded unseen).
    recorded = preview.text.split('data-testid="preview-recorded"', 1)[1].split("</dl>", 1)[0]
    for name in ("reason", "effective_on", "document_ref"):
        assert f'data-field="{name}">{form[name]}</dd>' in recorded, recorded
    assert "确认后按上列内容记录" in preview.text
    assert _api(client, "GET", f"/v1/certifications/{certified['cert']}")["revoked_on"] is None
    done = client.post(f"/ui/certifications/{certified['cert']}/revoke",
                       data=form | {"step": "confirm", "key": unique_id("k")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?corrected=certification")
    assert _api(client, "GET", f"/v1/certifications/{certified['cert']}")["revoked_on"] == "2023-12-01"
    assert _api(client, "GET", f"/v1/claims/{certified['claim']}")["status"] == "revoked"
    again = client.get(done.headers["location"])
    assert 'data-testid="revoked-on"' in again.text and 'revoke-cert-form' not in again.text
    # Sent again from a tab opened before: refused, and said, though the form is no longer offered (a 409 page with
    # nothing on it: a regression probe).
    stale = client.post(f"/ui/certifications/{certified['cert']}/revoke",
                        data=form | {"step": "preview", "key": unique_id("k")})
    assert stale.status_code == 409 and 'data-testid="revoke-refused"' in stale.text, stale.status_code
    assert 'data-testid="form-refusal-detail"' in stale.text.split('data-testid="revoke-refused"')[1]


def test_only_the_lead_bureau_corrects_and_forms_need_their_csrf_token(client, certified):
    """Another bureau sees no form and is refused 403 as in the API; a form without its CSRF token is 403."""
    csrf = _sign_in(client, "jxj")
    assert "revoke-form" not in client.get(f"/ui/claims/{certified['claim']}").text
    refused = client.post(f"/ui/claims/{certified['claim']}/revoke",
                          data={"csrf": csrf, "reason": "x", "document_ref": "y", "step": "preview"})
    assert refused.status_code == 403 and "not_lead_bureau" in refused.text
    _sign_in(client, "kjj")
    no_csrf = client.post(f"/ui/claims/{certified['claim']}/revoke", data={"reason": "x", "document_ref": "y"})
    assert no_csrf.status_code == 403 and "csrf" in no_csrf.text
    assert _api(client, "GET", f"/v1/claims/{certified['claim']}")["status"] == "approved"


def test_the_recoveries_list_filters_by_status_and_organisation(client, certified):
    """Open and closed recoveries are listed apart, per organisation; a malformed USCC is named in a notice, as the
    queue names a filter it cannot apply."""
    opened = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")
    _sign_in(client, "finance")
    listed = client.get(f"/ui/recoveries?status=open&uscc={certified['uscc']}")
    assert f'data-recovery="{opened["recovery_id"]}"' in listed.text and "100,000.00 元" in listed.text
    assert 'data-recovery="' not in client.get(f"/ui/recoveries?status=closed&uscc={certified['uscc']}").text
    malformed = client.get("/ui/recoveries?uscc=123")
    assert malformed.status_code == 200 and 'data-testid="ignored-filters"' in malformed.text
    home = client.get("/ui/")
    assert f'data-recovery="{opened["recovery_id"]}"' in home.text
    # A filter sent twice: its last value that applies, the others named (the last, misspelt, was taken in silence
    # and the list shown as open; a pages probe), and the language link carries what was applied.
    twice = client.get(f"/ui/recoveries?status=open&status=opne&uscc={certified['uscc']}&lang=zh").text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', twice, re.S).group(1)
    assert "筛选条件“status”给出了多个值，只采用“open”，opne 已忽略" in notice, notice
    assert f'data-recovery="{opened["recovery_id"]}"' in twice
    switch = re.search(r'href="(/ui/recoveries\?[^"]*lang=en[^"]*)"', twice)[1].replace("&amp;", "&")
    assert "status=open&" in switch and "opne" not in switch, switch
    closed = client.get(f"/ui/recoveries?status=closed&status=open&status=closed&uscc={certified['uscc']}").text
    assert "只采用“closed”，open 已忽略" in closed and 'data-recovery="' not in closed, closed
    none = client.get(f"/ui/recoveries?status=x&status=y&uscc={certified['uscc']}").text
    assert "给出了多个值（x、y），均不适用" in none and f'data-recovery="{opened["recovery_id"]}"' in none, none
    blank = client.get(f"/ui/recoveries?status=open&status=&uscc={certified['uscc']}&lang=zh").text
    assert "只采用“全部”，open 已忽略" in blank, blank  # blank is 全部, said so (it read 只采用“”)
    typo = client.get(f"/ui/recoveries?stauts=closed&uscc={certified['uscc']}&lang=zh").text
    assert "查询参数“stauts”（值“closed”）不是本页的筛选条件" in typo and "status、uscc" in typo, typo
    same = client.get(f"/ui/recoveries?uscc={certified['uscc'].lower()}&uscc={certified['uscc']}").text
    assert "给出了多个值" not in same and f'data-recovery="{opened["recovery_id"]}"' in same
    # One USCC and a blank one (a form's empty field after a link's): the one is applied, not the blank last the
    # framework took, which listed every organisation's recoveries under a filter that read as applied.
    one = client.get(f"/ui/recoveries?uscc={certified['uscc']}&uscc=").text
    assert f'value="{certified["uscc"]}"' in one and "给出了多个值" not in one, one


def test_a_recovery_page_is_for_its_lead_bureau_not_another(client, certified):
    """As GET /v1/recoveries/{id}: the lead bureau (kjj), finance and admin open the recovery's page and the list;
    another bureau (jxj) is refused, as the list already leaves the recovery out for it."""
    opened = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕18号"}, as_="kjj")
    page = f"/ui/recoveries/{opened['recovery_id']}"
    for who in ("kjj", "finance", "admin"):  # admin reads all, as the API lets it (its page was refused: a probe)
        _sign_in(client, who)
        assert client.get(page).status_code == 200, who
        listed = client.get(f"/ui/recoveries?uscc={certified['uscc']}")
        assert listed.status_code == 200 and f'data-recovery="{opened["recovery_id"]}"' in listed.text, who
        assert 'href="/ui/recoveries"' in listed.text, who
        assert f'href="{page}"' in client.get(f"/ui/claims/{certified['claim']}").text, who
    _sign_in(client, "jxj")
    refused = client.get(page)
    assert refused.status_code == 403 and "not_lead_bureau" in refused.text and certified["uscc"] not in refused.text
    # and the claim's page, which any principal reads, leads jxj to no recovery it may not open (it linked it
    # four times, each a 403: a clerk's probe)
    claim_page = client.get(f"/ui/claims/{certified['claim']}")
    assert claim_page.status_code == 200 and "/ui/recoveries/" not in claim_page.text, claim_page.text


def test_a_revocations_notice_says_what_it_released_and_what_it_recovers(client):
    """A pages probe read "奖补已撤销。" and had to work out the rest: the notice after the redirect gives the released
    figure, and the recovery's only when one was opened (here the one payout was reversed: nothing to recover)."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = paid_erc_award(client, "50000.00")
    _api(client, "POST", f"/v1/payouts/{award['payout']}/reverse", {"reason": "户名不符，银行退回"}, as_="finance")
    csrf = _sign_in(client, "kjj")
    done = client.post(f"/ui/claims/{award['claim']}/revoke", data={
        "csrf": csrf, "reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号", "step": "confirm",
        "key": unique_id("k")}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?corrected=revoked"), done.text[:500]
    notice = client.get(done.headers["location"]).text.split('data-testid="corrected">', 1)[1].split("</p>", 1)[0]
    assert notice == "奖补已撤销：未拨付的 200,000.00 元已释放（额度、等次与专项资金）。", notice
    english = client.get(done.headers["location"] + "&lang=en").text
    assert "The award is revoked: the 200,000.00 yuan not paid is released" in english


def test_finance_reverses_a_repayment_booked_in_error_through_its_preview(client, certified):
    """A finance probe booked a receipt on the wrong recovery and the page had no way back. The recovery page names
    the last standing repayment, previews its reversal (nothing written) and confirms it: the row stays, struck
    through and marked reversed with why and on what document, and the amount is owed again. Written off, the
    recovery offers the write-off's reversal (money came back after all), and reversed it takes repayments again."""
    opened = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")
    rid = opened["recovery_id"]
    _api(client, "POST", f"/v1/recoveries/{rid}/repayments",
         {"amount": "100000.00", "received_on": "2024-06-20", "bank_ref": "RCV-2024-0620"}, as_="finance")
    csrf = _sign_in(client, "finance")
    page = client.get(f"/ui/recoveries/{rid}").text
    assert 'data-testid="unrepay-form"' in page and "RCV-2024-0620" in page.split('data-testid="unrepay-which"')[1]
    form = {"csrf": csrf, "amount": "100000.00", "received_on": "2024-06-20", "bank_ref": "RCV-2024-0620",
            "reason": "误记入他户追回款项", "document_ref": "区财更〔2024〕12号"}
    # A repayment the form names that is not there (its hidden fields edited one fen off, or a stale page): the form
    # comes back as typed, the standing repayment named, in the page's words (it was a bare 404 page that threw
    # the reason and document away: a regression probe).
    for lang, words in (("zh", "现有"), ("en", "give the amount, day and bank reference of one it holds")):
        typo = client.post(f"/ui/recoveries/{rid}/repayments/reverse?lang={lang}",
                           data=form | {"amount": "100000.01", "step": "preview"})
        assert typo.status_code == 404 and 'data-testid="form-refusal"' in typo.text, typo.text[:300]
        assert "误记入他户追回款项" in typo.text and "区财更〔2024〕12号" in typo.text and words in typo.text
        assert "RCV-2024-0620" in typo.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    client.get("/ui/?lang=zh")
    preview = client.post(f"/ui/recoveries/{rid}/repayments/reverse", data=form | {"step": "preview"})
    assert preview.status_code == 200 and 'data-testid="unrepay-preview"' in preview.text
    assert "100,000.00 元" in preview.text.split('data-testid="preview-outstanding">')[1][:40]
    assert _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")["status"] == "closed"  # nothing written
    done = client.post(f"/ui/recoveries/{rid}/repayments/reverse", data=form | {"step": "confirm",
                                                                                "key": unique_id("k")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=unrepaid"), done.text[:500]
    after = client.get(done.headers["location"]).text
    assert "该笔还款已冲回" in after and 'data-reversed="1"' in after
    assert "已冲回：误记入他户追回款项（区财更〔2024〕12号）" in after
    assert 'data-testid="unrepay-form"' not in after  # nothing standing is left to reverse
    off = {"csrf": csrf, "reason": "企业已注销", "document_ref": "W-1"}
    shown = client.post(f"/ui/recoveries/{rid}/write-off", data=off | {"step": "preview"})
    assert shown.status_code == 200 and 'data-testid="preview"' in shown.text
    assert "100,000.00 元" in shown.text.split('data-testid="preview-written-off">')[1][:40]
    assert _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")["status"] == "open"  # nothing written
    done = client.post(f"/ui/recoveries/{rid}/write-off", data=off | {"step": "confirm", "key": unique_id("k")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=wrote_off"), done.text[:500]
    closed = client.get(f"/ui/recoveries/{rid}").text
    assert 'data-testid="unwrite-off-form"' in closed and 'data-testid="repay-form"' not in closed
    assert 'data-testid="write-off-form"' not in closed
    form = {"csrf": csrf, "reason": "法院强制执行收回", "document_ref": "（2024）浙0108执123号"}
    shown = client.post(f"/ui/recoveries/{rid}/write-off/reverse", data=form | {"step": "preview"})
    assert shown.status_code == 200 and 'data-testid="unwrite-off-preview"' in shown.text
    done = client.post(f"/ui/recoveries/{rid}/write-off/reverse", data=form | {"step": "confirm",
                                                                               "key": unique_id("k")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=unwrote_off")
    reopened = client.get(done.headers["location"]).text
    assert "核销已冲回" in reopened and 'data-testid="repay-form"' in reopened
    # The write-off reversed is shown as reversed, with its why and document, not as a write-off standing.
    assert 'data-testid="write-off"' not in reopened and 'data-testid="write-off-reversal"' in reopened
    assert "法院强制执行收回" in reopened and "（2024）浙0108执123号" in reopened


BACK = {"amount": "100000.00", "received_on": "2025-01-10", "bank_ref": "BACK-1"}


def _net_of_a_revoked_lower_rung(client, certified) -> tuple[dict, dict]:
    """The certification upgraded to national, that rung approved net of the municipal award (800,000), then the
    municipal award revoked (its 100,000 paid owed back): (the national award, the revocation's answer)."""
    _api(client, "POST", "/v1/appropriations", {"year": 2024, "amount": "300000000.00", "document_ref": "财2号"},
         as_="finance")
    _api(client, "POST", f"/v1/certifications/{certified['cert']}/upgrades", {
        "tier": "national", "effective_on": "2024-03-01", "document_ref": "国科发〔2024〕7号"}, as_="kjj")
    higher = _api(client, "POST", "/v1/claims", {"uscc": certified["uscc"], "programme": "A3.erc",
                                                  "award_year": 2024, "effective_on": "2024-03-01",
                                                  "certification_id": certified["cert"]}, as_="kjj")
    _api(client, "POST", f"/v1/claims/{higher['id']}/approve", {}, as_="kjj")
    revoked = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
                   {"reason": "市级认定材料不实", "document_ref": "撤〔2025〕1号"}, as_="kjj")
    return higher, revoked


def test_an_award_is_topped_up_from_its_page_through_a_preview(client, certified):
    """The paid municipal award repaid after its revocation; the national rung approved net of it (800,000) shows a
    top-up form whose preview names the 200,000 owed and writes nothing; confirmed, the award's page links its
    pending top-up, and the top-up's page links back to the award with why."""
    higher, revoked = _net_of_a_revoked_lower_rung(client, certified)
    _api(client, "POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments", BACK, as_="finance")
    csrf = _sign_in(client, "kjj")
    page = client.get(f"/ui/claims/{higher['id']}").text
    assert 'data-testid="top-up-form"' in page and "补足差额" in page
    form = {"csrf": csrf, "reason": "市级认定撤销，国家级按全额补足", "document_ref": "杭高新科〔2025〕9号"}
    preview = client.post(f"/ui/claims/{higher['id']}/top-up", data=form | {"step": "preview"})
    assert preview.status_code == 200 and 'data-testid="top-up-preview"' in preview.text
    assert "200,000.00 元" in preview.text.split('data-testid="preview-top-up">')[1][:40]
    assert _api(client, "GET", f"/v1/claims/{higher['id']}")["top_ups"] == []  # nothing written
    done = client.post(f"/ui/claims/{higher['id']}/top-up", data=form | {"step": "confirm", "key": unique_id("k")},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?corrected=topped_up"), done.text[:500]
    after = client.get(done.headers["location"]).text
    [top] = _api(client, "GET", f"/v1/claims/{higher['id']}")["top_ups"]
    assert "补足差额的申请已提交" in after and f'href="/ui/claims/{top}" data-testid="top-up-link"' in after
    topped = client.get(f"/ui/claims/{top}").text
    assert f'href="/ui/claims/{higher["id"]}" data-testid="tops-up-link"' in topped and form["reason"] in topped
    assert 'data-testid="top-up-form"' not in topped  # pending, and a top-up is never topped up itself
    nothing = client.post(f"/ui/claims/{higher['id']}/top-up", data=form | {"step": "preview"})
    assert 'data-testid="form-refusal-code">conflict' in nothing.text  # its top-up is pending: decided first


def test_the_organisation_timeline_says_why_a_correction_was_made(client, certified):
    """A pages probe read "撤销奖补 操作人：kjj" on the timeline, the reason and document only on the claim's page."""
    _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
         {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")
    _sign_in(client, "kjj")
    page = client.get(f"/ui/organisations/{certified['uscc']}").text
    timeline = page.split('data-testid="timeline"')[1].split("</ol>")[0]
    assert "原因：核查发现申报数据不实" in timeline and "杭高新科〔2024〕17号" in timeline, timeline
    # and what it moved: 100,000 not paid released, the 100,000 paid kept (owed back); the claim as submitted
    figures = timeline.split('data-testid="timeline-figures">')
    assert "释放金额：100,000.00 元" in figures[-2] and "应追回：100,000.00 元" in figures[-1], timeline
    # which claim, of which programme (a regression probe could not tell two claims of one programme apart), and a
    # payout by its own day and bank reference, not an "effective" day
    revoked = timeline.split("<li>")[-1]
    assert f'href="/ui/claims/{certified["claim"]}"' in revoked and "A3.erc" in revoked, revoked
    payout = next(li for li in timeline.split("<li>") if "记录拨付" in li)
    assert "拨付日期：2023-07-03" in payout and "银行流水号" in payout and "生效日期" not in payout, payout
    assert "应享：200,000.00 元" in figures[1], timeline


def test_the_organisation_timeline_gives_a_reversal_its_amount(client):
    """A pages probe read "冲回拨付 操作人：finance" on the timeline: the reversal's event names no amount."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = paid_erc_award(client, amount="60000.00")
    _api(client, "POST", f"/v1/payouts/{award['payout']}/reverse", {"reason": "户名不符，银行退回"}, as_="finance")
    _sign_in(client, "kjj")
    timeline = client.get(f"/ui/organisations/{award['uscc']}").text.split('data-testid="timeline"')[1]
    reversal = timeline.split("</ol>")[0].split("<li>")[-1]
    assert "冲回" in reversal and "60,000.00 元" in reversal and "户名不符，银行退回" in reversal, reversal
    assert f'href="/ui/claims/{award["claim"]}"' in reversal, reversal  # the claim whose payout it took back


def test_a_write_off_confirmed_after_its_figure_moved_comes_back_previewed_anew(client, certified):
    """A repayment recorded between a write-off's preview and its confirmation moved the figure: 98,000.00 was
    written off under a confirmation of 98,999.99, the page saying "written off" alone (a finance probe). The
    confirmation carries the figure it showed; moved, it comes back naming both and writes nothing; confirmed
    again, it writes off the new figure and the page says how much."""
    rid = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
               {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")["recovery_id"]
    owed = _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")["outstanding"]
    csrf = _sign_in(client, "finance")
    off = {"csrf": csrf, "reason": "企业已注销", "document_ref": "W-2"}
    preview = client.post(f"/ui/recoveries/{rid}/write-off", data=off | {"step": "preview"}).text
    confirm = preview.split('data-testid="preview"')[1].split("</form>")[0]
    assert re.search(rf'name="shown" value="{owed}"', confirm), confirm
    _api(client, "POST", f"/v1/recoveries/{rid}/repayments",
         {"amount": "999.99", "received_on": "2024-06-02", "bank_ref": unique_id("REP-")}, as_="finance")
    moved = client.post(f"/ui/recoveries/{rid}/write-off",
                        data=off | {"step": "confirm", "key": unique_id("k"), "shown": owed})
    assert moved.status_code == 409 and "金额在预览后已变动" in moved.text
    now = _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")
    assert now["status"] == "open" and now["written_off"] == "0.00", now  # nothing written off
    said = moved.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert f"{Decimal(owed):,} 元" in said and f"{Decimal(now['outstanding']):,} 元" in said, said
    for edited in ("Infinity", "1e999", "sNaN", "NaN"):  # a hidden field edited by hand: a 500, or "NaN 元"
        odd = client.post(f"/ui/recoveries/{rid}/write-off",
                          data=off | {"step": "confirm", "key": unique_id("k"), "shown": edited})
        assert odd.status_code == 409 and "NaN 元" not in odd.text, (edited, odd.status_code)
    assert _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")["written_off"] == "0.00"
    again = moved.text.split('data-testid="preview"')[1].split("</form>")[0]
    assert f'name="shown" value="{now["outstanding"]}"' in again
    done = client.post(f"/ui/recoveries/{rid}/write-off", data=off | {
        "step": "confirm", "key": unique_id("k"), "shown": now["outstanding"]}, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    landing = client.get(done.headers["location"]).text.split('data-testid="done">')[1].split("</p>")[0]
    assert landing == f"已核销 {Decimal(now['outstanding']):,} 元。", landing


def test_a_form_of_several_blank_fields_is_told_each_in_one_sentence(client, certified):
    """The write-off's refusal for blank fields read "Reason: Give a reason (it cannot be blank).; Document
    reference: …" (a finance probe): each fix ends its own sentence, then the separator came. Nothing is written."""
    rid = _api(client, "POST", f"/v1/claims/{certified['claim']}/revoke",
               {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")["recovery_id"]
    csrf = _sign_in(client, "finance")
    for lang, stop in (("en", ".;"), ("zh", "。；")):
        page = client.post(f"/ui/recoveries/{rid}/write-off?lang={lang}",
                           data={"csrf": csrf, "reason": "", "document_ref": "", "step": "preview"})
        assert page.status_code == 422, page.status_code
        said = html.unescape(page.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0])
        assert stop not in said and said.count(stop[1]) == 1, said
        assert said.endswith("." if lang == "en" else "。"), said
    assert said.startswith("原因：请填写原因（不能为空）；"), said
    assert _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")["written_off"] == "0.00"


def _confirm_of(page: str) -> dict[str, str]:
    """The hidden fields of a preview's confirmation form."""
    confirm = page.split('data-testid="preview"')[1].split("</form>")[0] if 'data-testid="preview"' in page else \
        page.split('data-testid="top-up-preview"')[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm))


def test_a_revocation_confirmed_after_a_payout_moved_it_comes_back_previewed_anew(client, certified):
    """A regression probe: a payout recorded between a revocation's preview ("nothing to recover") and its
    confirmation opened a recovery of 50,000.00 without a word. The confirmation carries what its preview showed;
    moved, it comes back (409) saying both, writes nothing, and confirmed again it records what the new preview
    showed. The certification's revocation is bound alike."""
    csrf = _sign_in(client, "kjj")
    form = {"csrf": csrf, "reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕21号"}
    preview = client.post(f"/ui/claims/{certified['claim']}/revoke", data=form | {"step": "preview"}).text
    sent = _confirm_of(preview)
    assert sent["shown"].startswith("1|100000.00|100000.00|"), sent
    _api(client, "POST", "/v1/payouts", {"claim_id": certified["claim"], "amount": "50000.00", "paid_on": "2023-08-01",
                                         "bank_ref": unique_id("ICBC-")}, as_="finance")
    moved = client.post(f"/ui/claims/{certified['claim']}/revoke", data=sent | {"key": unique_id("k")})
    assert moved.status_code == 409 and "金额在预览后已变动" in moved.text, moved.status_code
    assert _api(client, "GET", f"/v1/claims/{certified['claim']}")["status"] == "approved"  # nothing written
    said = moved.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert "释放 100,000.00 元，应追回 100,000.00 元" in said, said
    assert "释放 50,000.00 元，应追回 150,000.00 元" in said, said
    again = _confirm_of(moved.text)
    assert again["shown"].startswith("1|50000.00|150000.00|"), again
    once = again | {"key": unique_id("k")}
    done = client.post(f"/ui/claims/{certified['claim']}/revoke", data=once, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    twice = client.post(f"/ui/claims/{certified['claim']}/revoke", data=once, follow_redirects=False)
    assert twice.status_code == 303 and twice.headers["location"] == done.headers["location"]  # answered as first
    revoked = _api(client, "GET", f"/v1/claims/{certified['claim']}")
    assert revoked["status"] == "revoked"
    assert _api(client, "GET", f"/v1/recoveries/{revoked['recovery_id']}", as_="finance")["amount"] == "150000.00"


def test_a_certifications_revocation_is_bound_to_its_preview(client, certified):
    """The certification's revocation carries the claims and figures its preview listed: a payout between preview
    and confirmation comes back previewed anew."""
    csrf = _sign_in(client, "kjj")
    form = {"csrf": csrf, "reason": "复核不再符合认定条件", "effective_on": "2023-03-01",
            "document_ref": "杭高新科〔2024〕22号"}
    preview = client.post(f"/ui/certifications/{certified['cert']}/revoke", data=form | {"step": "preview"}).text
    sent = _confirm_of(preview)
    _api(client, "POST", "/v1/payouts", {"claim_id": certified["claim"], "amount": "100000.00",
                                         "paid_on": "2023-08-01", "bank_ref": unique_id("ICBC-")}, as_="finance")
    moved = client.post(f"/ui/certifications/{certified['cert']}/revoke", data=sent | {"key": unique_id("k")})
    assert moved.status_code == 409 and "金额在预览后已变动" in moved.text, moved.status_code
    assert _api(client, "GET", f"/v1/certifications/{certified['cert']}")["revoked_on"] is None
    done = client.post(f"/ui/certifications/{certified['cert']}/revoke",
                       data=_confirm_of(moved.text) | {"key": unique_id("k")}, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    assert _api(client, "GET", f"/v1/certifications/{certified['cert']}")["revoked_on"] == "2023-03-01"


def test_a_top_up_confirmed_after_its_figure_moved_comes_back_previewed_anew(client, certified):
    """The top-up's confirmation carries the figure its preview showed: a repayment reversed in between (the lower
    rung's paid part counts again) moves it, and the confirmation comes back naming both, writing nothing."""
    higher, revoked = _net_of_a_revoked_lower_rung(client, certified)
    back = BACK
    _api(client, "POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments", back, as_="finance")
    csrf = _sign_in(client, "kjj")
    form = {"csrf": csrf, "reason": "市级认定撤销，国家级按全额补足", "document_ref": "杭高新科〔2025〕9号"}
    sent = _confirm_of(client.post(f"/ui/claims/{higher['id']}/top-up", data=form | {"step": "preview"}).text)
    assert sent["shown"] == "200000.00", sent
    _api(client, "POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments/reverse",
         back | {"reason": "误登记", "document_ref": "区财更〔2025〕2号"}, as_="finance")
    moved = client.post(f"/ui/claims/{higher['id']}/top-up", data=sent | {"key": unique_id("k")})
    assert moved.status_code == 409, moved.status_code
    said = moved.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert "200,000.00 元" in said and "100,000.00 元" in said, said
    assert _api(client, "GET", f"/v1/claims/{higher['id']}")["top_ups"] == []  # nothing written
    for edited in ("Infinity", "1e999", "sNaN", "NaN"):  # the hidden figure edited by hand: a 500 on Infinity
        odd = client.post(f"/ui/claims/{higher['id']}/top-up", data=sent | {"key": unique_id("k"), "shown": edited})
        assert odd.status_code == 409 and "NaN" not in odd.text.split("<main")[1], (edited, odd.status_code)
    assert _api(client, "GET", f"/v1/claims/{higher['id']}")["top_ups"] == []
