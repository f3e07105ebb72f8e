"""The reconciliation as CSV and XLSX: every row and the 合计 equal what the test itself paid and reversed."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from api.reports.reconciliation import HEADERS, TOTAL
from ledger.catalogue import current

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLOOR = current().policy.special_fund_floor


def _scenario(books):
    """Two programmes, several claims, a partial payout, a full payout and a reversal."""
    a = books.approve("A5.voucher")                              # 300,000.00
    b = books.approve("A5.voucher", basis_amount="123456.78")    # 37,037.03
    c = books.approve("A3.erc")                                  # 200,000.00
    books.pay(a, "100000.00")
    books.pay(b, "37037.03")
    books.reverse(books.pay(c, "200000.00"))
    books.pay(c, "50000.50")
    return books


def _expected(books):
    names = {p.code: (p.name_zh, current().bureau(p.lead).name_zh) for p in current().programmes.values()}
    rows = {}
    for prog in sorted(books.approved):
        approved, paid = books.approved[prog], books.paid.get(prog, Decimal(0))
        rows[prog] = [prog, *names[prog], approved, paid, books.reversed.get(prog, Decimal(0)), approved - paid,
                      books.claims[prog]]
    totals = [TOTAL, None, None, *(sum(r[i] for r in rows.values()) for i in range(3, 7)),
              sum(r[7] for r in rows.values())]
    return rows, totals


def _money(cell):
    return None if cell in (None, "") else Decimal(str(cell)).quantize(Decimal("0.01"))


def test_csv_rows_and_totals_are_the_ledgers_own_figures(api, books):
    """The CSV has a BOM, the Chinese headers, one row per programme and a 合计 equal to the sums paid."""
    rows, totals = _expected(_scenario(books))
    response = api.call("GET", "/v1/finance/reconciliation?year=2023&format=csv", as_="finance")
    assert response.status_code == 200 and response.headers["content-type"] == CSV
    assert response.headers["content-disposition"] == 'attachment; filename="reconciliation-2023.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(table[0]) == HEADERS
    body = {r[0]: r for r in table[1:len(rows) + 1]}
    assert set(body) == set(rows)
    for prog, expected in rows.items():
        got = body[prog]
        assert got[:3] == expected[:3]
        assert [Decimal(x) for x in got[3:7]] == expected[3:7] and int(got[7]) == expected[7]
        assert all(len(x.split(".")[1]) == 2 and "," not in x for x in got[3:7])  # plain "1234.56"
    total = table[len(rows) + 1]
    assert total[0] == TOTAL and [Decimal(x) for x in total[3:7]] == totals[3:7] and int(total[7]) == totals[7]
    block = {r[0]: r for r in table if r}
    assert Decimal(block["已安排预算"][3]) == Decimal("300000000.00")
    assert Decimal(block["已批准占用"][3]) == totals[3]
    assert Decimal(block["剩余额度"][3]) == Decimal("300000000.00") - totals[3]
    assert Decimal(block["最低安排"][3]) == FLOOR and block["低于最低安排"][3] == "否"


def test_xlsx_has_exact_numbers_a_bold_total_and_the_fund(api, books):
    """The XLSX sheet carries the same rows as numbers formatted '#,##0.00', a bold 合计, and the fund block."""
    rows, totals = _expected(_scenario(books))
    response = api.call("GET", "/v1/finance/reconciliation?year=2023&format=xlsx", as_="auditor")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="reconciliation-2023.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    grid = [[c for c in row] for row in sheet.iter_rows()]
    assert tuple(c.value for c in grid[0][:len(HEADERS)]) == HEADERS
    for n, prog in enumerate(sorted(rows), start=1):
        cells = grid[n]
        expected = rows[prog]
        assert [c.value for c in cells[:3]] == expected[:3]
        assert [_money(c.value) for c in cells[3:7]] == expected[3:7] and cells[7].value == expected[7]
        assert all(isinstance(c.value, int | float) and c.number_format == "#,##0.00" for c in cells[3:7])
    total = grid[len(rows) + 1]
    assert total[0].value == TOTAL and all(c.font.b for c in total[:8] if c.value is not None)
    assert [_money(c.value) for c in total[3:7]] == totals[3:7] and total[7].value == totals[7]
    labels = {row[0].value: row for row in grid if row[0].value}
    assert _money(labels["已安排预算"][3].value) == Decimal("300000000.00")
    assert _money(labels["最低安排"][3].value) == FLOOR
    assert labels["低于最低安排"][3].value == "否"


def test_an_appropriation_below_the_floor_is_flagged(api, unfunded_world):
    """A year appropriated below the catalogue's floor says 是 in the CSV and is filled red and bold in the XLSX."""
    short = FLOOR - Decimal("0.01")
    api.ok("POST", "/v1/appropriations", {"year": 2024, "amount": str(short), "document_ref": "D"}, as_="finance")
    table = list(csv.reader(io.StringIO(api.call("GET", "/v1/finance/reconciliation?year=2024&format=csv",
                                                 as_="finance").content.decode("utf-8-sig"))))
    block = {r[0]: r for r in table if r}
    assert Decimal(block["已安排预算"][3]) == short and block["低于最低安排"][3] == "是"
    assert table[1][0] == TOTAL and [Decimal(x) for x in table[1][3:7]] == [Decimal("0.00")] * 4
    sheet = load_workbook(io.BytesIO(api.call("GET", "/v1/finance/reconciliation?year=2024&format=xlsx",
                                              as_="finance").content)).active
    flag = next(row for row in sheet.iter_rows() if row[0].value == "低于最低安排")
    assert flag[3].value == "是" and flag[0].font.b and flag[0].fill.fgColor.rgb.endswith("FFC7CE")


def test_accept_header_picks_the_format_and_format_wins(api, world):
    """Accept: text/csv or the XLSX type chooses the file; an explicit format= beats the header; JSON is the default."""
    path = "/v1/finance/reconciliation?year=2023"
    assert api.call("GET", path, as_="finance", headers={"Accept": "text/csv"}).headers["content-type"] == CSV
    assert api.call("GET", path, as_="finance", headers={"Accept": XLSX}).headers["content-type"] == XLSX
    assert api.call("GET", path + "&format=json", as_="finance",
                    headers={"Accept": "text/csv"}).json()["year"] == 2023
    assert api.call("GET", path, as_="finance", headers={"Accept": "*/*"}).json()["year"] == 2023
    # q=0 refuses a type (RFC 9110): CSV so refused is not answered, the next acceptable type is (a probe).
    for accept in ("text/csv;q=0, application/json", "TEXT/CSV; q=0.0, */*", f"text/csv;q=0, {XLSX}"):
        answer = api.call("GET", path, as_="finance", headers={"Accept": accept})
        assert answer.headers["content-type"] != CSV, accept
    assert api.call("GET", path, as_="finance", headers={"Accept": f"text/csv;q=0, {XLSX}"}).headers[
        "content-type"] == XLSX
    assert api.call("GET", path, as_="finance", headers={"Accept": "text/csv;q=0.5"}).headers["content-type"] == CSV


def test_only_finance_and_auditors_read_the_files(api, world):
    """A bureau asking for the CSV is 403 `forbidden`; no token is 401."""
    api.refused("GET", "/v1/finance/reconciliation?year=2023&format=csv", None, "kjj", 403, "forbidden")
    api.refused("GET", "/v1/finance/reconciliation?year=2023&format=xlsx", None, None, 401, "unauthenticated")


def test_the_openapi_document_names_the_file_types(api):
    """The reconciliation is JSON, and its files have operations of their own (one media type each, so generated
    clients read them right, issue 21); the bank statement import takes JSON or CSV."""
    doc = api.client.get("/openapi.json").json()
    paths = doc["paths"]
    assert set(paths["/v1/finance/reconciliation"]["get"]["responses"]["200"]["content"]) == {"application/json"}
    assert set(paths["/v1/finance/reconciliation.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}
    assert set(paths["/v1/finance/reconciliation.xlsx"]["get"]["responses"]["200"]["content"]) == {XLSX}
    body = doc["paths"]["/v1/finance/bank-statements"]["post"]["requestBody"]["content"]
    assert {"application/json", "text/csv"} <= set(body)


def test_the_files_answer_as_of_a_moment_as_the_json_does(api, books):
    """`as_of` was ignored by the files (a black-box probe: the CSV and XLSX of a moment before a revocation's
    repayment showed today's figures, 200, nothing said): each way of asking for a file now answers the JSON's
    figures as of that moment."""
    from urllib.parse import quote

    a = books.approve("A5.voucher")
    books.pay(a, "100000.00")
    moment = quote(api.ok("GET", f"/v1/claims/{a['id']}", as_="finance")["history"][-1]["recorded_at"])
    books.pay(a, "150000.00")  # after the moment
    then = api.ok("GET", f"/v1/finance/reconciliation?year=2023&as_of={moment}", as_="finance")
    paid_then = sum(Decimal(r["paid"]) for r in then["rows"] if r["programme"] == "A5.voucher")
    for path, headers in ((f"?year=2023&as_of={moment}&format=csv", {}), (f".csv?year=2023&as_of={moment}", {}),
                          (f"?year=2023&as_of={moment}", {"Accept": "text/csv"})):
        response = api.call("GET", f"/v1/finance/reconciliation{path}", as_="finance", headers=headers)
        assert response.status_code == 200 and response.headers["content-type"] == CSV, response.text
        table = {r[0]: r for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) if r}
        assert Decimal(table["A5.voucher"][4]) == paid_then == Decimal("100000.00"), (path, table["A5.voucher"])
    sheet = api.call("GET", f"/v1/finance/reconciliation.xlsx?year=2023&as_of={moment}", as_="finance")
    rows = {r[0]: r for r in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True) if r}
    assert _money(rows["A5.voucher"][4]) == Decimal("100000.00")
    now = api.call("GET", "/v1/finance/reconciliation.csv?year=2023", as_="finance")
    table = {r[0]: r for r in csv.reader(io.StringIO(now.content.decode("utf-8-sig"))) if r}
    assert Decimal(table["A5.voucher"][4]) == Decimal("250000.00")


def test_money_headers_use_the_finance_pages_words():
    """A clerk reads one word for one figure: the CSV's money columns are the finance page's names of them
    (已拨付, 待拨付), not synonyms (已支付, 未支付) a reader must guess are the same."""
    from api.web.i18n import MESSAGES
    assert HEADERS[3:7] == tuple(MESSAGES[key][0] + "金额" for key in ("approved", "paid", "reversed", "outstanding"))
