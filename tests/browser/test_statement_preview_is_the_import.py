"""The statement preview says what the import will record: the same counts and the same verdict on each line, for a
statement that overlaps one imported before (its copy of a transaction is what the first said, and the preview says
which statement holds it), and for a file imported before (the stored statement's report), on both stores (a finance
probe's preview said "paid again" of a copy the import then matched, and "no repayment" of a pending 退汇)."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api, funded_page_client, paid_erc_award, signed_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}, "admin": {"role": "admin"}}
SECTIONS = ("matched", "amount_mismatches", "reversed_but_on_statement", "returned_payouts", "repeated_bank_lines",
            "unmatched_bank_lines")


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with funded_page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _weekly(first: str, second: str) -> bytes:
    """A GB18030 export with the bank's serials: the first payout, paid twice (two serials), the second payout and
    its money back (退汇, not yet reversed in the ledger), and a fee."""
    return ("中国银行 对公账户交易明细\n"
            "交易日期,交易流水号,借方发生额（元）,贷方发生额（元）,用途,对方户名\n"
            f'2023-07-03,SN0001,"100,000.00",,认定奖励 {first},杭州某某科技有限公司\n'
            f'2023-07-03,SN0002,"100,000.00",,认定奖励 {first},杭州某某科技有限公司\n'
            f'2023-07-03,SN0003,"60,000.00",,认定奖励 {second},杭州某某科技有限公司\n'
            f'2023-07-05,SN0004,,"60,000.00",退汇 {second} 账户已销户,杭州某某科技有限公司\n'
            "2023-07-05,SN0005,12.50,,手续费,\n").encode("gb18030")


def _monthly(first: str) -> bytes:
    """A UTF-8 export (BOM, one signed amount and 借贷标志) overlapping the weekly one on its first line."""
    return ("\ufeff交易日期,交易时间,交易流水号,交易金额,借贷标志,摘要,对方户名\n"
            f'2023-07-03,10:01:02,SN0001,"100,000.00",借,认定奖励 {first},杭州某某科技有限公司\n'
            "2023-07-06,10:05:00,SN0009,8.00,借,手续费,\n").encode()


def _said(page: str) -> dict:
    """What a report on a page says: its summary, and the file's line numbers under each verdict."""
    summary = re.sub(r"\s+", " ", page.split('data-testid="match-summary"')[1].split("</p>")[0]).strip()
    found = {"summary": summary}
    for key in SECTIONS:
        if f'data-testid="report-{key}"' in page:
            table = page.split(f'data-testid="report-{key}"')[1].split("</table>")[0]
            found[key] = sorted(int(n) for n in re.findall(r"<tr><td>(\d+)</td>", table))
    if 'data-testid="report-credit_lines"' in page:
        table = page.split('data-testid="report-credit_lines"')[1].split("</table>")[0]
        found["credits"] = [re.sub(r"<[^>]+>", "", c).strip() for c in
                            re.findall(r'data-testid="credit-match">(.*?)</td>', table, re.S)]
    return found


def _preview(client: TestClient, csrf: str, raw: bytes, name: str, lang: str) -> str:
    answer = client.post(f"/ui/finance/statements/preview?lang={lang}", data={"csrf": csrf},
                         files={"file": (name, raw, "text/csv")})
    assert answer.status_code == 200, answer.text
    return answer.text


def _confirm(client: TestClient, csrf: str, preview: str, name: str, lang: str) -> str:
    content = re.search(r'name="content" value="([^"]+)"', preview).group(1)
    done = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": name,
                                                       "key": unique_id("k")}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return done.headers["location"]


def _weekly_imported(client: TestClient, csrf: str, lang: str) -> tuple[bytes, str]:
    """Two payouts and the weekly export imported, its preview checked against its import; (the file, the first
    payout's reference)."""
    first, second = paid_erc_award(client), paid_erc_award(client, "60000.00")
    weekly = _weekly(first["bank_ref"], second["bank_ref"])
    page = _preview(client, csrf, weekly, "weekly.csv", lang)
    landing = _confirm(client, csrf, page, "weekly.csv", lang)
    stored = client.get(f"{landing}?lang={lang}").text
    assert _said(page) == _said(stored)
    assert _said(stored)["matched"] == [3, 5] and _said(stored)["repeated_bank_lines"] == [4]
    return weekly, first["bank_ref"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_preview_of_a_statement_overlapping_an_imported_one_says_what_its_import_records(client, lang):
    """The monthly export holds line 3 of the weekly one again (same day, amount, reference and serial): the same
    money, matched where the weekly statement matched it, and the preview names that statement."""
    csrf = signed_in(client, "finance")
    _, ref = _weekly_imported(client, csrf, lang)
    monthly = _monthly(ref)
    page = _preview(client, csrf, monthly, "monthly.csv", lang)
    assert _said(page).get("matched") == [2], _said(page)
    assert "repeated_bank_lines" not in _said(page)
    copy = page.split('data-testid="already-on"')[1].split("</table>")[0]
    assert "weekly.csv" in copy and "<td>2</td>" in copy and "<td>3</td>" not in copy
    assert ("已在对账单 weekly.csv 中导入" if lang == "zh" else "already on statement weekly.csv") in copy
    landing = _confirm(client, csrf, page, "monthly.csv", lang)
    stored = client.get(f"{landing}?lang={lang}").text
    assert _said(page) == _said(stored)
    answer = api(client, "GET", f"/v1/finance/bank-statements/{landing.rsplit('/', 1)[1]}", as_="finance")
    assert answer["report"]["counts"]["matched"] == 1 and answer["report"]["counts"]["repeated_bank_lines"] == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_preview_of_a_file_imported_before_is_that_statements_report(client, lang):
    """The weekly file again: its preview is the stored statement's report (the payout paid twice still paid twice,
    the 退汇 still waiting for its reversal, not "no repayment"), and says the file was imported before."""
    csrf = signed_in(client, "finance")
    weekly, _ = _weekly_imported(client, csrf, lang)
    page = _preview(client, csrf, weekly, "weekly.csv", lang)
    assert 'data-testid="imported-before"' in page and 'data-testid="already-on"' not in page
    again = _confirm(client, csrf, page, "weekly.csv", lang)
    assert "?imported=before&once=" in again
    stored = client.get(f"{again.split('?')[0]}?lang={lang}").text
    assert _said(page) == _said(stored)
    said = _said(page)
    assert said["matched"] == [3, 5] and said["repeated_bank_lines"] == [4], said
    assert said["credits"] == ["退汇：请冲回该拨付" if lang == "zh" else "a payout returned: reverse it in the ledger"]
    # The API's answer to the same bytes is that statement's report, counted as the preview counted it.
    answer = client.post("/v1/finance/bank-statements", content=weekly, headers={
        "Content-Type": "text/csv", "Authorization": f"Bearer {client.tokens['finance']}"})
    assert answer.status_code == 200 and answer.json()["already_imported"] is True
    counts = answer.json()["report"]["counts"]
    assert (counts["matched"], counts["repeated_bank_lines"], counts["returned_but_not_reversed"]) == (2, 1, 1)
