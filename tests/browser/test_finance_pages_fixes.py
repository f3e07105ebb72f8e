"""The finance page against GET /v1/finance/reconciliation: recovery columns and totals, Art. 13 investments apart
with their own total, the fund note, a closed year's close and adjustments, and `?as_of=` honoured (downloads too);
the recovery pages' write-off and repayment facts and organisation names; the statement preview's numbering,
labels and refusal wording; the write page's prefills."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from ledger import beijing
from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "fgj": {"role": "bureau", "bureau": "fgj"},
          "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _org(client: TestClient) -> str:
    uscc = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    return uscc


def _paid_award(client: TestClient, amount: str = "100000.00") -> dict:
    """An ERC award of 2023, approved and partly paid."""
    return paid_erc_award(client, amount)


@pytest.fixture
def year(client) -> dict:
    """2023 with an award revoked after payment (100,000.00 to recover) and an Art. 13 investment."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    revoked = _paid_award(client)
    opened = _api(client, "POST", f"/v1/claims/{revoked['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕17号"}, as_="kjj")
    investor = _org(client)
    _api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("ERC-"), "name": "某工程研究中心", "kind": "erc",
                                                   "lead_uscc": investor, "recognised_on": "2022-09-06"})
    equity = _api(client, "POST", "/v1/claims", {
        "uscc": investor, "programme": "A13.equity", "award_year": 2023, "effective_on": "2023-02-01",
        "subject": "project:EQ-1", "requested_amount": "5000000"}, as_="fgj")
    _api(client, "POST", f"/v1/claims/{equity['id']}/approve", {}, as_="fgj")
    return revoked | {"recovery": opened["recovery_id"], "investor": investor}


def _cells(html: str, testid: str) -> dict[str, str]:
    row = re.search(rf'data-testid="{testid}">(.*?)</tr>', html, re.S).group(1)
    return dict(re.findall(r'data-col="(\w+)">([^<]*)<', row))


def test_the_finance_page_shows_recovery_columns_and_investments_apart_as_the_api(client, year):
    """To recover is shown per row and in the totals; the investment has its own table and total, left out of
    the awards' 合计; the fund's approved figure is explained."""
    wanted = _api(client, "GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    _sign_in(client, "finance")
    page = client.get("/ui/finance?year=2023").text
    assert wanted["totals"]["to_recover"] == "100000.00"
    assert '<dd data-testid="total-to_recover">100,000.00 元</dd>' in page
    award_total = _cells(page, "award-total")
    assert award_total["to_recover"] == "100,000.00 元"
    assert award_total["approved"] == f"{float(wanted['totals']['approved']):,.2f} 元"
    invest_total = _cells(page, "investment-total")
    assert invest_total["approved"] == f"{float(wanted['investments']['approved']):,.2f} 元" != "0.00 元"
    assert "股权投资合计（第13条，不计入专项资金）" in page
    awards = page.split('data-testid="reconciliation"')[1].split("</table>")[0]
    assert "A13.equity" not in awards and "A3.erc" in awards
    assert 'data-testid="fund-note"' in page and "已撤销奖励中已拨付的部分" in page
    english = client.get("/ui/finance?year=2023&lang=en").text
    assert "To recover" in english and "Investments total (Art. 13" in english


def test_the_fund_chart_pays_what_left_the_fund_and_writes_each_unit_once(client, year):
    """A probe: the chart's approved bar kept the paid part of a revoked award charged (as the fund does) while its
    paid bar, drawn from the standing awards' payouts, showed 0.00 元 beside it; the zh fund note wrote every
    amount "元 元". The paid bar is now what left the fund: standing payouts and the revoked awards' paid part."""
    wanted = _api(client, "GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    left = sum(Decimal(wanted["totals"][k]) for k in ("paid", "to_recover", "recovered", "written_off"))
    assert Decimal(wanted["totals"]["to_recover"]) > 0 and left > Decimal(wanted["totals"]["paid"])
    _sign_in(client, "finance")
    page = client.get("/ui/finance?year=2023").text
    chart = page.split('data-testid="appropriation-chart"')[1].split("</svg>")[0]
    assert f"已拨付 {left:,.2f} 元;" in chart, chart
    note = page.split('data-testid="fund-note">')[1].split("</p>")[0]
    assert "元 元" not in note and "元元" not in note and note.count(" 元") == 8, note
    # The chart's paid figure is explained beside the totals row's (an audit probe found 650,000 on the chart, a
    # figure no download carries, beside the row's 200,000, and only the approved gap explained).
    assert f"“已拨付” {left:,.2f} 元为奖补合计已拨付 {Decimal(wanted['totals']['paid']):,.2f} 元" in note, note
    english = client.get("/ui/finance?year=2023&lang=en").text
    assert "yuan yuan" not in english.split('data-testid="fund-note">')[1].split("</p>")[0]
    assert "（北京时间））" not in page and "(Beijing time))" not in english  # the moment shown, in one bracket


def test_a_closed_year_shows_its_close_and_adjustments(client, year):
    """After a close, the page says when (Beijing time) and by whom, and lists what moved since."""
    ledger = client.app.state.ledger
    from ledger.principals import Principal, Role
    figures = _api(client, "GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    ledger.close_year(Principal("finance-closer", Role.FINANCE), year=2023, reconciliation=figures,
                      digest={"position": 7, "digest": "ab" * 32}, as_of="2024-01-05T02:00:00+00:00")
    _paid_award(client, "50000.00")  # after the close: an adjustment
    _sign_in(client, "finance")
    page = client.get("/ui/finance?year=2023").text
    assert 'data-testid="closed"' in page and "已结账" in page
    assert "2024-01-05 10:00:00" in page and "finance-closer" in page
    adjustments = page.split('data-testid="adjustments"')[1].split("</table>")[0]
    assert "A3.erc" in adjustments and "50,000.00 元" in adjustments
    assert "Closed by" in client.get("/ui/finance?year=2023&lang=en").text


def test_as_of_is_honoured_shown_and_carried_to_the_downloads(client, year):
    """A day before anything was recorded shows empty books, says which moment it shows, and the CSV link
    carries the same as_of; a malformed as_of is refused as the API refuses it."""
    _sign_in(client, "finance")
    now = client.get("/ui/finance?year=2023").text
    assert "100,000.00 元" in now
    before = client.get("/ui/finance?year=2023&as_of=2001-01-01")
    assert before.status_code == 200
    assert 'data-testid="as-of"' in before.text and "2001-01-01 23:59:59" in before.text
    assert "100,000.00 元" not in before.text
    assert "format=csv&amp;as_of=2001-01-01" in before.text
    csv = client.get("/ui/finance/reconciliation?year=2023&format=csv&as_of=2001-01-01")
    assert csv.status_code == 200 and "100000.00" not in csv.content.decode("utf-8-sig")
    assert "100000.00" in client.get("/ui/finance/reconciliation?year=2023&format=csv").content.decode("utf-8-sig")
    moment = datetime.now(UTC).isoformat()
    assert "100,000.00 元" in client.get("/ui/finance", params={"year": 2023, "as_of": moment}).text
    assert client.get("/ui/finance?year=2023&as_of=yesterday").status_code == 422
    # a parameter it takes nothing from, and a year sent twice, are said (they were dropped without a word: a probe)
    odd = client.get("/ui/finance?yaer=2023&lang=zh").text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', odd, re.S).group(1)
    assert "查询参数“yaer”（值“2023”）不是本页的筛选条件" in notice and "year、as_of" in notice, notice
    twice = client.get("/ui/finance?year=2023&year=2024&lang=zh").text
    assert "筛选条件“year”给出了多个值，只采用“2024”，2023 已忽略" in twice, twice
    assert 'data-testid="ignored-filters"' not in client.get("/ui/finance?year=2023&lang=zh").text


def test_a_recovery_page_shows_its_write_off_and_repayments_with_who_and_when(client, year):
    """After a repayment and a write-off: the write-off's reason, document, who and when; each repayment's
    recorder and time; the organisation's name beside its USCC, on the page and in the list."""
    rid = year["recovery"]
    ref = unique_id("BACK-")
    _api(client, "POST", f"/v1/recoveries/{rid}/repayments",
         {"amount": "40000.00", "received_on": "2024-03-01", "bank_ref": ref}, as_="finance")
    _api(client, "POST", f"/v1/recoveries/{rid}/write-off",
         {"reason": "企业已注销，无法追回", "document_ref": "滨财核〔2025〕3号"}, as_="finance")
    _sign_in(client, "finance")
    page = client.get(f"/ui/recoveries/{rid}").text
    written = page.split('data-testid="write-off"')[1].split("</section>")[0]
    assert "企业已注销，无法追回" in written and "滨财核〔2025〕3号" in written
    assert "finance-ui" in written and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）", written)
    assert "60,000.00 元" in written
    repayments = page.split('data-testid="repayments"')[1].split("</table>")[0]
    assert ref in repayments and "finance-ui" in repayments and "北京时间" in repayments
    name = f"滨江某科技有限公司{year['uscc'][-4:]}"
    assert name in page
    listed = client.get(f"/ui/recoveries?status=&uscc={year['uscc']}").text
    assert listed.count(name) == 2
    assert "Written off by" in client.get(f"/ui/recoveries/{rid}?lang=en").text


def _bank_file(payout_ref: str, repay_ref: str) -> bytes:
    return ("账号：3301 0400 0012 3456 789\n"
            "交易日期,借方发生额,贷方发生额,对方户名,附言\n"
            f'2023-07-03,"100,000.00",,杭州某某科技有限公司,{payout_ref} 认定奖励\n'
            "2023-13-45,5.00,,银行,手续费\n"
            f'2024-03-01,,"40,000.00",滨江某科技有限公司,{repay_ref}\n').encode("gb18030")


def _preview(client: TestClient, csrf: str, raw: bytes, good_lines: bool | str, lang: str = "zh") -> str:
    ticked = {True: {"import_good_lines": "1"}, False: {}}.get(good_lines, {"import_good_lines": good_lines})
    data = {"csrf": csrf} | ticked
    answer = client.post(f"/ui/finance/statements/preview?lang={lang}", data=data,
                         files={"file": ("对账单.csv", raw, "text/csv")})
    return answer.text


def test_a_statement_preview_numbers_lines_by_the_file_labels_counts_and_says_a_credit_matched(client, year):
    """The refused line and the matched ones carry the file's own line numbers (said on the page); the counts are
    labelled in each language; a credit line matched to a repayment says so; the refusal names the checkbox."""
    payout = _api(client, "GET", f"/v1/payouts/{year['payout']}", as_="finance")
    repay_ref = unique_id("BACK-")
    _api(client, "POST", f"/v1/recoveries/{year['recovery']}/repayments",
         {"amount": "40000.00", "received_on": "2024-03-01", "bank_ref": repay_ref}, as_="finance")
    raw = _bank_file(payout["bank_ref"], repay_ref)
    csrf = _sign_in(client, "finance")
    refused = _preview(client, csrf, raw, good_lines=False)
    assert "import_good_lines=true" not in refused and "有错误行时仍导入其余行" in refused
    for said in ("false", "0", "off"):  # sent by hand: read as not ticked (any text read as ticked, a probe)
        assert "有错误行时仍导入其余行" in _preview(client, csrf, raw, good_lines=said), said
    assert "by ticking" in _preview(client, csrf, raw, good_lines=False, lang="en")
    page = _preview(client, csrf, raw, good_lines=True)
    assert "<tr><td>4</td>" in page.split('data-testid="refused-lines"')[1].split("</table>")[0]
    matched = page.split('data-testid="report-matched"')[1].split("</table>")[0]
    assert "<td>3</td>" in matched and "<td>1</td>" not in matched
    credits = page.split('data-testid="report-credit_lines"')[1].split("</table>")[0]
    assert "<td>5</td>" in credits and "已匹配还款" in credits
    assert 'data-testid="line-numbering"' in page and "文件中的行号" in page
    summary = page.split('data-testid="match-summary"')[1].split("</p>")[0]
    assert "matched_credits" not in summary and "已匹配还款的入账行 1" in summary
    english = _preview(client, csrf, raw, good_lines=True, lang="en")
    summary = english.split('data-testid="match-summary"')[1].split("</p>")[0]
    assert "unmatched_repayments" not in summary and "Credit lines matched to repayments 1" in summary
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    done = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": "对账单.csv",
                                                       "import_good_lines": "1", "key": unique_id("k")},
                       follow_redirects=False)
    imported = client.get(done.headers["location"] + "?lang=zh").text
    assert "已匹配还款" in imported.split('data-testid="report-credit_lines"')[1].split("</table>")[0]
    assert "matched_credits" not in imported and 'data-testid="line-numbering"' in imported
    # The saved statement names its lines as the file does, as the preview did (its note said it counted imported
    # transactions from 1, while the numbers shown were the file's: a probe).
    assert "文件中的行号" in imported and "<td>3</td>" in imported.split('data-testid="report-matched"')[1].split(
        "</table>")[0]
    # The line left out is still named once confirmed, in the page's language (a pages probe: it was listed by the
    # preview alone, and it is money to follow up).
    refused_rows = imported.split('data-testid="refused-lines"')[1].split("</table>")[0]
    assert "<tr><td>4</td>" in refused_rows and "第 4 行" in refused_rows, refused_rows
    english = client.get(done.headers["location"] + "?lang=en").text
    assert "line 4" in english.split('data-testid="refused-lines"')[1].split("</table>")[0]


def test_a_preview_of_money_out_only_counts_the_repayments_no_line_shows_as_the_import_does(client, year):
    """A file with no money in: the preview said no repayment was missing from the bank while the import of the same
    file listed the one received in its period (a pages probe); both count it now."""
    payout = _api(client, "GET", f"/v1/payouts/{year['payout']}", as_="finance")
    back = unique_id("BACK-")
    _api(client, "POST", f"/v1/recoveries/{year['recovery']}/repayments",
         {"amount": "30000.00", "received_on": "2023-07-05", "bank_ref": back}, as_="finance")
    raw = ("交易日期,借方发生额,贷方发生额,对方户名,附言\n"
           f'2023-07-03,"100,000.00",,杭州某某科技有限公司,{payout["bank_ref"]}\n'
           f"2023-07-10,5.00,,银行,{unique_id('FEE-')}\n").encode("gb18030")
    csrf = _sign_in(client, "finance")

    def missing(page: str) -> str:
        summary = page.split('data-testid="match-summary"')[1].split("</p>")[0]
        return re.search(r"未见于银行的还款 (\d+)", summary).group(1)

    page = _preview(client, csrf, raw, good_lines=False)
    content = re.search(r'name="content" value="([^"]+)"', page).group(1)
    before = datetime.now(UTC).isoformat()
    done = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": "对账单.csv",
                                                       "key": unique_id("k")}, follow_redirects=False)
    imported = client.get(done.headers["location"] + "?lang=zh").text
    assert missing(page) == missing(imported) != "0"
    # The finance page as of a moment before the import does not list it (it did: a finance probe); now it does.
    statement = done.headers["location"].rsplit("/", 1)[1]
    assert f'data-statement="{statement}"' not in client.get("/ui/finance", params={"year": 2023,
                                                                                   "as_of": before}).text
    assert f'data-statement="{statement}"' in client.get("/ui/finance", params={"year": 2023}).text
    # Each one counted is listed, with its recovery to follow up (counted, never named: a finance probe).
    for shown in (page, imported):
        listed = shown.split('data-testid="report-unmatched_repayments"')[1].split("</table>")[0]
        assert back in listed and "30,000.00" in listed and f'href="/ui/recoveries/{year["recovery"]}"' in listed
    # The statement's period and totals, as the API gives them, to check against the bank's 合计 row.
    assert 'data-testid="statement-period">2023-07-03 – 2023-07-10<' in imported
    assert re.search(r'data-testid="statement-total">100,005.00\s*元<', imported), imported
    assert re.search(r'data-testid="statement-total-in">0.00\s*元<', imported)


def test_the_write_page_prefills_the_payout_claim_and_the_reversal_payout(client, year):
    """`?claim_id=` fills the payout form's claim, `?payout_id=` the reversal form's payout; junk fills nothing."""
    _sign_in(client, "finance")
    page = client.get(f"/ui/finance/write?claim_id={year['claim']}&payout_id={year['payout']}").text
    payout_form = page.split('data-testid="payout-form"')[1].split("</form>")[0]
    reversal_form = page.split('data-testid="reversal-form"')[1].split("</form>")[0]
    assert f'value="{year["claim"]}"' in payout_form and year["payout"] not in payout_form
    assert f'value="{year["payout"]}"' in reversal_form and year["claim"] not in reversal_form
    assert re.search(r'id="payout-amount"[^>]*value=""', payout_form), payout_form  # nothing to pay on a revoked one
    # What is still to pay on an approved claim is filled in too (a pages probe: the amount came empty; the revoked
    # claim above has nothing to pay); the appropriation's amount is not.
    award = _paid_award(client)
    owed = _api(client, "GET", f"/v1/claims/{award['claim']}", as_="finance")["outstanding_amount"]
    page = client.get(f"/ui/finance/write?claim_id={award['claim']}").text
    payout_form = page.split('data-testid="payout-form"')[1].split("</form>")[0]
    assert owed != "0.00"
    # Grouped as the claim's page shows it (a pages probe read 104000.00 beside 104,000.00 元); the form reads it back.
    shown = f"{Decimal(owed):,.2f}"
    assert re.search(rf'id="payout-amount"[^>]*value="{re.escape(shown)}"', payout_form), payout_form
    appropriation_form = page.split('data-testid="appropriation-form"')[1].split("</form>")[0]
    assert 'value=""' in appropriation_form.split('id="appropriation-amount"')[1].split(">")[0]
    junk = client.get('/ui/finance/write?claim_id="><script>').text
    assert "<script>" not in junk.split('data-testid="payout-form"')[1].split("</form>")[0]


def test_a_repayment_typed_with_thousands_separators_is_recorded(client):
    """The recovery page shows "150,000.00"; typed back that way into the repayment form it was refused: it is
    now read as the approval and appropriation forms read it."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = _paid_award(client)
    revoked = _api(client, "POST", f"/v1/claims/{award['claim']}/revoke",
                   {"reason": "虚报", "document_ref": "杭科〔2024〕9号"}, as_="kjj")
    recovery = revoked["recovery_id"]
    _sign_in(client, "finance")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(f"/ui/recoveries/{recovery}").text).group(1)
    done = client.post(f"/ui/recoveries/{recovery}/repayments", data={
        "csrf": csrf, "amount": "60,000.00", "received_on": "2024-02-01", "bank_ref": unique_id("BACK-"),
        "key": unique_id("k-")}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert _api(client, "GET", f"/v1/recoveries/{recovery}", as_="finance")["recovered"] == "60000.00"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_revoked_claims_reversal_links_its_recovery_page_not_the_api(client, year, lang):
    """Reversing a payout of a revoked claim whose recovery has been repaid since is refused: the repayment is
    reversed first, on the recovery's page. A pages probe read the API's `POST /v1/recoveries/…` path on the page;
    the refusal links the recovery's page."""
    _api(client, "POST", f"/v1/recoveries/{year['recovery']}/repayments", {
        "amount": "100000.00", "received_on": "2024-03-01", "bank_ref": unique_id("BACK-")}, as_="finance")
    _sign_in(client, "finance")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/finance/write").text).group(1)
    refused = client.post(f"/ui/finance/reversals?lang={lang}", data={
        "csrf": csrf, "payout_id": year["payout"], "reason": "银行退票", "key": unique_id("k-")})
    assert refused.status_code == 409, refused.text
    error = refused.text.split('data-testid="form-error"')[1].split("</div>")[0]
    assert "/v1/" not in error and "POST" not in error
    assert f'href="/ui/recoveries/{year["recovery"]}" data-testid="form-error-link"' in error
    assert year["recovery"] in error.split('data-testid="form-error-link"')[0]  # the detail names it too
    assert 'aria-invalid="true"' in refused.text.split('data-testid="reversal-form"')[1].split("</form>")[0]
    assert client.get(f"/ui/recoveries/{year['recovery']}").status_code == 200
    recovery = _api(client, "GET", f"/v1/recoveries/{year['recovery']}", as_="finance")
    assert (recovery["amount"], recovery["recovered"]) == ("100000.00", "100000.00")  # nothing was written


@pytest.mark.parametrize("as_of", ["2023-12-31T00:00:00+08", "20231231T000000Z", "2023-W52-7", "2023-02-29",
                                   "0001-01-01T00:00:00Z"])
def test_the_pages_read_as_of_as_the_api_does(client, year, as_of):
    """The finance and organisation pages took moments without an offset or seconds, and a week date, that their
    own download links and the API then refused (a probe): the page promised "the downloads too" and its links
    answered 422. Every page now reads `?as_of=` as the API does: refused alike, naming the field, in Chinese."""
    _sign_in(client, "finance")
    api = client.get(f"/v1/finance/reconciliation?year=2023&as_of={as_of}",
                     headers={"Authorization": f"Bearer {client.tokens['finance']}", "Accept-Language": "zh"})
    assert api.status_code == 422, api.text
    for path in (f"/ui/finance?year=2023&as_of={as_of}", f"/ui/organisations/{year['investor']}?as_of={as_of}",
                 f"/ui/finance/reconciliation?year=2023&format=csv&as_of={as_of}"):
        page = client.get(path)
        assert page.status_code == 422, (path, page.text[:300])
        assert "as_of" in page.text or "截至" in page.text
    assert client.get("/ui/finance?year=2023&as_of=2023-12-31T00:00:00+08:00").status_code == 200
    today = datetime.now(beijing.ZONE).date().isoformat()  # the organisation was registered today
    assert client.get(f"/ui/organisations/{year['investor']}?as_of={today}").status_code == 200


def test_a_moment_typed_as_the_pages_show_it_is_beijing_time_to_the_end_of_that_second(client, year):
    """An audit probe typed the moment a timeline showed (`2026-12-07 07:25:44`) into 截至 and was refused; the offset
    form it was told to use (`…T07:25:44+08:00`) left out the approval recorded at 07:25:44.328 that the page showed
    at that second. A page reads a moment written as it shows moments (Beijing time, no offset, to the second or the
    minute) as the end of that second, as a day is its end; its downloads carry the moment it read, which the API
    (held to RFC 3339 with an offset) takes. The API itself still refuses a moment without an offset."""
    _sign_in(client, "finance")
    approved = _api(client, "GET", f"/v1/claims/{year['claim']}", as_="finance")["history"]
    moment = next(e["recorded_at"] for e in approved if e["event"] == "Approved")
    shown = datetime.fromisoformat(moment).astimezone(beijing.ZONE).strftime("%Y-%m-%d %H:%M:%S")
    page = client.get("/ui/finance", params={"year": "2023", "as_of": shown})
    assert page.status_code == 200 and 'data-testid="as-of-error"' not in page.text
    end = shown.replace(" ", "T") + ".999999+08:00"  # the end of that second, Beijing time
    assert beijing.local(datetime.fromisoformat(moment)) <= datetime.fromisoformat(end)  # the approval is in it
    read = _api(client, "GET", f"/v1/finance/reconciliation?year=2023&as_of={quote(end)}", as_="finance")
    csv_link = html.unescape(page.text.split('data-testid="download-csv" href="')[1].split('"')[0])
    download = client.get(csv_link)
    assert download.status_code == 200, download.text[:300]
    assert read["totals"]["approved"] in download.text.replace(",", "")
    # Copied from a page with its zone in words, or from a download's row, it reads the same (a pages probe).
    for copied in (f"{shown}（北京时间）", f"{shown} UTC+08:00"):
        again = client.get("/ui/finance", params={"year": "2023", "as_of": copied})
        notice = again.text.split('data-testid="as-of">')[1].split("</p>")[0]
        # the end of that second, or now where the test runs within it (a moment not yet come is the asking's)
        assert again.status_code == 200 and re.search(re.escape(shown) + r"(\.\d{6})?（北京时间）", notice), notice
    # The two readings of one second are told apart (a regression probe met them under one label and one file name):
    # typed as shown, the second itself; with an offset, where it began.
    started = client.get("/ui/finance", params={"year": "2023", "as_of": shown.replace(" ", "T") + "+08:00"}).text
    assert re.search(re.escape(shown) + r"(\.\d{6})?（北京时间）", page.text.split('data-testid="as-of">')[1])
    assert f"{shown}.000000（北京时间）" in started.split('data-testid="as-of">')[1].split("</p>")[0]
    api = client.get(f"/v1/finance/reconciliation?year=2023&as_of={quote(shown)}",
                     headers={"Authorization": f"Bearer {client.tokens['finance']}"})
    assert api.status_code == 422, api.text


@pytest.mark.parametrize("typed", ["2024/01/01", "2024年1月1日", "２０２４-０１-０１"])
def test_an_as_of_the_finance_page_cannot_read_keeps_the_page_and_marks_the_field(client, year, typed):
    """A pages probe typed 2024/01/01 into 截至 and got a bare 422 page worded for the API, the report and what was
    typed gone. The page comes back (422) as things stand now, the field marked and focused, what was typed kept, a
    note in the page's words saying what to type; the downloads are of now, not of what could not be read."""
    _sign_in(client, "finance")
    page = client.get("/ui/finance", params={"year": "2023", "as_of": typed})
    assert page.status_code == 422
    assert re.search(r'id="as-of"[^>]*value="' + re.escape(html.escape(typed)) + '"[^>]*aria-invalid="true"',
                     page.text, re.S), page.text[:2000]
    note = page.text.split('data-testid="as-of-error"')[1].split("</p>")[0]
    if typed.startswith("２"):  # full-width: said so, with what to type (it was "无法识别" alone: a regression probe)
        assert "全角" in note and "2024-01-01" in note and "以下为当前情况" in note, note
    else:
        assert "YYYY-MM-DD" in note and "RFC 3339" not in note, note
    assert 'data-testid="reconciliation"' in page.text
    assert "as_of=" not in page.text.split('data-testid="download-csv"')[1].split(">")[0]


def test_a_day_that_does_not_exist_is_named_so(client):
    """`as_of=2023-02-29` was told it "must be an RFC 3339 moment" (a probe): it is written as a day, and there is
    no such day."""
    for as_of, lang, said in (("2023-02-29", "en", "there is no such day"), ("2023-02-29", "zh", "日历上没有这一天"),
                              ("2023-02-29T00:00:00Z", "en", "there is no such day, time or offset"),
                              ("2023-12-31T24:00:00%2B08:00", "zh", "没有这样的日期、时刻或时区偏移")):
        answer = client.get(f"/v1/finance/reconciliation?year=2023&as_of={as_of}", headers={
            "Authorization": f"Bearer {client.tokens['finance']}", "Accept-Language": lang})
        assert answer.status_code == 422 and said in answer.json()["detail"], answer.text


def test_an_english_refusal_names_the_field_by_its_label_not_the_apis_key(client):
    """"paid_on 2099-01-01 is in the future", "bank_ref 'X' is already …" read on an English page (a pages probe):
    the sentence opens with the field's label."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = _paid_award(client, "1000.00")
    _sign_in(client, "finance")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/finance/write?lang=en").text).group(1)
    future = {"paid_on": "2099-01-01", "bank_ref": unique_id("B-")}
    for fields, said in ((future, "Paid on 2099-01-01 is in the future"),
                         ({"paid_on": "2023-07-04", "bank_ref": award["bank_ref"]}, "Bank reference ")):
        page = client.post("/ui/finance/payouts?lang=en", data={
            "csrf": csrf, "claim_id": award["claim"], "amount": "1.00", "key": unique_id("k-"), **fields})
        assert page.status_code in (409, 422), page.text[:300]
        alert = page.text.split('role="alert"')[1].split("</div>")[0]
        assert said in alert and "paid_on" not in alert and "bank_ref" not in alert, alert


def test_the_fund_note_is_shown_only_where_there_is_a_difference_to_explain(client, year):
    """A finance probe: a year (or a moment) where the fund's approved figure equals the awards' read "相差 0.00 元"
    with the reasons for a difference that was not there. The note is left out then, and shown where there is one."""
    _sign_in(client, "finance")
    early = client.get("/ui/finance?year=2023&as_of=2022-12-31").text
    assert 'data-testid="fund-note"' not in early
    assert 'data-testid="fund-note"' in client.get("/ui/finance?year=2023").text


def test_an_id_that_is_no_id_marks_its_field_on_the_payout_and_reversal_forms(client):
    """A pages probe: `nope` as the claim of a payout (or a payout id one character off) was refused with no field
    marked, where an unknown id marked it. Both mark the field and name it by its label."""
    csrf = _sign_in(client, "finance")
    for path, fields, label in (
            ("/ui/finance/payouts", {"claim_id": "nope", "amount": "1.00", "paid_on": "2023-07-03",
                                     "bank_ref": unique_id("B-")}, "申请编号"),
            ("/ui/finance/reversals", {"payout_id": "581eebf9-38a2-5cd5-836c-4d65093a7faX", "reason": "退汇"},
             "拨付编号")):
        page = client.post(path, data={"csrf": csrf, "key": unique_id("k-"), **fields})
        assert page.status_code == 404, page.text[:300]
        name = next(iter(fields))
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', page.text, re.S), page.text[:3000]
        assert f"请修改：{label}" in page.text


def test_an_empty_id_field_is_a_field_to_fill_in_not_an_unknown_id(client):
    """A pages probe left the reversal form's payout id empty and was told "'' is not a ledger id" (404), where the
    payout form's empty claim id is a field to fill in. Both are 422, the field marked and named."""
    csrf = _sign_in(client, "finance")
    for path, fields, label in (
            ("/ui/finance/payouts", {"claim_id": "  ", "amount": "1.00", "paid_on": "2023-07-03",
                                     "bank_ref": unique_id("B-")}, "申请编号"),
            ("/ui/finance/reversals", {"payout_id": "", "reason": "退汇"}, "拨付编号")):
        page = client.post(path, data={"csrf": csrf, "key": unique_id("k-"), **fields})
        assert page.status_code == 422, (path, page.status_code, page.text[:300])
        name = next(iter(fields))
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', page.text, re.S), page.text[:3000]
        assert f"请修改：{label}" in page.text and "不是台账" not in page.text, page.text[:3000]


def test_full_width_digits_in_a_year_or_a_day_are_said_to_be_full_width(client):
    """A pages probe and a regression probe typed ２０２３ as a year and ２０２４-０１-０１ as a day and read that they
    were not a number or not YYYY-MM-DD; amounts typed so were told the reason and what to type. Years and days
    are too, on the forms as through the API."""
    csrf = _sign_in(client, "finance")
    for path, fields, said in (
            ("/ui/finance/appropriations", {"year": "２０２３", "amount": "1.00", "document_ref": "财9号"},
             "请改为输入 2023"),
            ("/ui/finance/appropriations/correct", {"year": "２０２３", "appropriation_ref": "财1号", "amount": "0",
                                                    "reason": "更正", "document_ref": "财9号"}, "请改为输入 2023"),
            ("/ui/finance/payouts", {"claim_id": "581eebf9-38a2-5cd5-836c-4d65093a7faf", "amount": "1.00",
                                     "paid_on": "２０２４-０１-０１", "bank_ref": unique_id("B-")},
             "请改为 2024-01-01")):
        page = client.post(path, data={"csrf": csrf, "key": unique_id("k-"), **fields})
        assert page.status_code == 422 and "全角" in page.text and said in page.text, (path, page.text[:2000])
    answer = client.post("/v1/payouts", json={"claim_id": "581eebf9-38a2-5cd5-836c-4d65093a7faf", "amount": "1.00",
                                              "paid_on": "２０２４-０１-０１", "bank_ref": "B-1"},
                         headers={"Authorization": f"Bearer {client.tokens['finance']}"})
    assert answer.status_code == 422 and "type it as 2024-01-01" in answer.text, answer.text


def test_the_organisation_page_shows_art_13_investments_apart(client, year):
    """A pages probe read an organisation page whose totals and breakdown left out the 4,272,000 invested in it
    under Art. 13, which the API answers apart (`investments`): the page shows them apart too, with their total."""
    _sign_in(client, "finance")
    state = _api(client, "GET", f"/v1/organisations/{year['investor']}/awards", as_="finance")
    [row] = state["investments"]["programmes"]
    page = client.get(f"/ui/organisations/{year['investor']}").text
    table = page.split('data-testid="investments"')[1].split("</table>")[0]
    assert f'data-programme="{row["programme"]}"' in table and "股权投资合计" in table
    shown = table.split('data-testid="investment-total-approved">')[1].split("<")[0]
    assert shown == f"{Decimal(state['investments']['totals']['approved']):,.2f} 元", shown


def test_a_payout_recorded_on_the_page_is_confirmed_with_its_number_amount_and_claim(client):
    """A pages probe read "已记录：拨付。" and had to find the payout's number on the claim's page to reverse it."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = _paid_award(client, "1000.00")
    _sign_in(client, "finance")
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/finance/write").text).group(1)
    ref = unique_id("B-")
    done = client.post("/ui/finance/payouts", data={"csrf": csrf, "claim_id": award["claim"], "amount": "2,000.00",
                                                    "paid_on": "2023-07-04", "bank_ref": ref,
                                                    "key": unique_id("k-")}, follow_redirects=False)
    assert done.status_code == 303, done.text[:300]
    told = client.get(done.headers["location"]).text.split('data-testid="recorded">')[1].split("</p>")[0]
    [payout] = [p for p in _api(client, "GET", f"/v1/claims/{award['claim']}", as_="finance")["history"]
                if p.get("event") == "PayoutRecorded" and p.get("amount") == "2000.00"]
    assert payout["payout_id"] in told and "2,000.00 元" in told and ref in told, told
    assert f'href="/ui/claims/{award["claim"]}"' in told


def test_the_finance_page_lists_the_imported_statements_each_with_its_matching(client):
    """A pages probe could reach an imported statement's report only right after importing it: the finance page
    lists every imported statement, the latest first, each linked to its matching."""
    _sign_in(client, "finance")
    assert 'data-testid="no-statements"' in client.get("/ui/finance").text
    first = _api(client, "POST", "/v1/finance/bank-statements", {"source": "2023-07.csv", "lines": [
        {"date": "2023-07-04", "amount": "2.00", "reference": unique_id("R-")}]}, as_="finance")
    second = _api(client, "POST", "/v1/finance/bank-statements", {"source": "2023-08.csv", "lines": [
        {"date": "2023-08-04", "amount": "3.00", "reference": unique_id("R-")}]}, as_="finance")
    page = client.get("/ui/finance").text
    listed = re.findall(r'data-statement="([^"]+)"', page.split('data-testid="statements"')[1].split("</table>")[0])
    assert listed[:2] == [second["id"], first["id"]], listed
    assert f'href="/ui/finance/statements/{first["id"]}"' in page and "2023-07.csv" in page
    assert client.get(f"/ui/finance/statements/{first['id']}").status_code == 200


def test_a_statement_uploaded_again_says_it_was_imported_before_on_its_preview_and_landing(client, year):
    """The same statement uploaded again (another tab, a second clerk) previewed as new and, confirmed, landed on the
    first import's page with no word that nothing was recorded (a clerk's probe). The preview says when it was
    imported and links it; the landing says nothing was recorded this time; the first import says neither."""
    payout = _api(client, "GET", f"/v1/payouts/{year['payout']}", as_="finance")
    raw = _bank_file(payout["bank_ref"], unique_id("BACK-"))
    csrf = _sign_in(client, "finance")

    def confirmed(page: str) -> str:
        content = re.search(r'name="content" value="([^"]+)"', page).group(1)
        done = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": "对账单.csv",
                                                           "import_good_lines": "1", "key": unique_id("k")},
                           follow_redirects=False)
        return client.get(done.headers["location"] + ("&" if "?" in done.headers["location"] else "?") + "lang=zh").text

    first = _preview(client, csrf, raw, good_lines=True)
    assert 'data-testid="imported-before"' not in first
    landed = confirmed(first)
    assert 'data-testid="imported-before"' not in landed
    again = _preview(client, csrf, raw, good_lines=True)
    notice = again.split('data-testid="imported-before"')[1].split("</p>")[0]
    assert "已于" in notice and "导入过" in notice and "/ui/finance/statements/" in notice, notice
    events = _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]
    landed_again = confirmed(again)
    assert "本次未记录任何内容" in landed_again.split('data-testid="imported-before"')[1], landed_again
    assert _api(client, "GET", "/v1/audit/digest", as_="admin")["position"] == events  # nothing written


def test_every_wrong_field_of_a_finance_form_is_marked_at_once(client):
    """A clerk's probe (with `required` taken off): an empty payout form marked its claim alone, and a reversal of
    `garbage` with no reason its reason alone; a clerk fixed one field a send. Every wrong field is marked and named,
    the first focused, and nothing is written."""
    csrf = _sign_in(client, "finance")
    before = _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]
    empty = client.post("/ui/finance/payouts?lang=zh", data={"csrf": csrf, "key": unique_id("k-"), "claim_id": "",
                                                            "amount": "", "paid_on": "", "bank_ref": ""})
    assert empty.status_code == 422, empty.text[:500]
    form = empty.text.split('data-testid="payout-form"')[1].split("</form>")[0]
    for name in ("claim_id", "amount", "paid_on", "bank_ref"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', form, re.S), (name, form)
    assert form.count("autofocus") == 1
    said = form.split('data-testid="form-error"')[1].split("</div>")[0]
    assert "申请编号" in said and "金额" in said and "拨付日期" in said, said
    reversal = client.post("/ui/finance/reversals?lang=zh", data={"csrf": csrf, "key": unique_id("k-"),
                                                                 "payout_id": "garbage", "reason": ""})
    form = reversal.text.split('data-testid="reversal-form"')[1].split("</form>")[0]
    for name in ("payout_id", "reason"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', form, re.S), (name, form)
    # A malformed claim id beside the payout's other faults, and a year that is no number beside the correction's
    # (each came alone, the rest left for the next send: a regression probe).
    bad = client.post("/ui/finance/payouts?lang=zh", data={"csrf": csrf, "key": unique_id("k-"), "claim_id": "zz",
                                                          "amount": "x", "paid_on": "2024-13-01", "bank_ref": ""})
    form = bad.text.split('data-testid="payout-form"')[1].split("</form>")[0]
    for name in ("claim_id", "amount", "paid_on", "bank_ref"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', form, re.S), (name, form)
    fix = client.post("/ui/finance/appropriations/correct?lang=zh", data={
        "csrf": csrf, "key": unique_id("k-"), "year": "abc", "amount": "x", "appropriation_ref": "", "reason": "",
        "document_ref": ""})
    assert fix.status_code == 422, fix.text[:500]
    form = fix.text.split('data-testid="appropriation-fix-form"')[1].split("</form>")[0]
    said = form.split('data-testid="form-error"')[1].split("</div>")[0]
    assert "年度应为数字" in said and "请" in said, said
    for name in ("year", "appropriation_ref", "amount", "reason", "document_ref"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', form, re.S), (name, said)
    assert _api(client, "GET", "/v1/audit/digest", as_="admin")["position"] == before


def test_a_budget_document_booked_twice_is_refused_in_the_pages_words(client):
    """The appropriation form's refusal of a document already booked told the officer to fill in document_ref,
    send an Idempotency-Key and GET /v1/appropriations/2024 (a finance probe): the form's 文件文号 and the page."""
    booked = "杭高新财〔2024〕1号"
    _api(client, "POST", "/v1/appropriations", {"year": 2024, "amount": "1000.00", "document_ref": booked},
         as_="finance")
    csrf = _sign_in(client, "finance")
    for lang, wanted in (("zh", "请填写追加预算的文件文号；2024 年度已安排的资金见该年度的财务对账页面"),
                         ("en", "give the supplementary budget's document number; the appropriations of 2024 are")):
        again = client.post(f"/ui/finance/appropriations?lang={lang}", data={
            "csrf": csrf, "key": unique_id("k-"), "year": "2024", "amount": "1000", "document_ref": booked})
        assert again.status_code == 409, again.text[:500]
        said = html.unescape(again.text.split('data-testid="form-error"')[1].split("</div>")[0])
        assert wanted in said, said
        assert "Idempotency-Key" not in said and "/v1/" not in said and "document_ref" not in said, said
