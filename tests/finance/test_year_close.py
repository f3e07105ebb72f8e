"""Year-end close: recorded once with its reconciliation and signed digest; later corrections show as
post-close adjustments; the reconciliation answers as known at any earlier time."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import quote

import pytest

from api.cli import main
from ledger.audit.signing import check
from ledger.domain import errors
from ledger.principals import Principal, Role
from tests.finance.conftest import Books


def _moment() -> str:
    """Now, with a breath either side, so events recorded before and after fall clearly on their side."""
    time.sleep(0.05)
    moment = datetime.now(UTC).isoformat()
    time.sleep(0.05)
    return quote(moment)


@pytest.fixture
def cli_env(database_url: str, settings, monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(settings.signing_key_file))


@pytest.mark.usefixtures("cli_env")
def test_close_then_a_correction_shows_as_a_post_close_adjustment(books: Books, capsys) -> None:
    """After `close --year 2023`, the reconciliation carries the close and no adjustment; a payout reversed
    afterwards shows as one (paid down, reversed up) while the closed figures stay as they were."""
    claim = books.approve(basis_amount="1000000.00")
    payout = books.pay(claim, "100000.00")
    before_close = _moment()
    assert main(["close", "--year", "2023"]) == 0
    said = capsys.readouterr().err
    # the year's recoveries beside its approvals and payments (a finance probe: a close said nothing of them)
    assert "2023 closed as of" in said and ("approved 300,000.00, paid 100,000.00, to recover 0.00, recovered 0.00,"
                                            " written off 0.00, 1 claims") in said, said
    closed = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    assert closed["closed"]["by"] == "cli-finance" and closed["post_close_adjustments"] == []
    digest = books.api.ok("GET", "/v1/audit/digest", as_="auditor")
    assert closed["closed"]["key_id"] == digest["key_id"]
    after_close = _moment()
    books.reverse(payout | {"programme": claim["programme"]})
    now = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")
    (adjustment,) = now["post_close_adjustments"]
    assert (adjustment["programme"], adjustment["paid"], adjustment["reversed"]) == ("A5.voucher", "-100000.00",
                                                                                     "100000.00")
    assert now["closed"] == closed["closed"]
    then = books.api.ok("GET", f"/v1/finance/reconciliation?year=2023&as_of={after_close}", as_="finance")
    assert then["post_close_adjustments"] == [] and then["closed"] == closed["closed"]
    assert Decimal(then["totals"]["paid"]) == Decimal(closed["totals"]["paid"]) == Decimal("100000.00")
    earlier = books.api.ok("GET", f"/v1/finance/reconciliation?year=2023&as_of={before_close}", as_="finance")
    assert earlier["closed"] is None and earlier["totals"] == closed["totals"]


@pytest.mark.usefixtures("cli_env")
def test_a_year_closes_once_and_only_by_finance(books: Books, capsys) -> None:
    """A second close is refused (exit 1, nothing recorded); a bureau may not close a year; the close event
    holds a digest signed by the ledger's key."""
    books.approve(basis_amount="1000000.00")
    assert main(["close", "--year", "2023"]) == 0
    events = books.api.events()
    assert main(["close", "--year", "2023"]) == 1
    assert "was closed by the finance principal cli-finance" in capsys.readouterr().err and books.api.events() == events
    ledger = books.api.client.app.state.ledger
    with pytest.raises(errors.Forbidden):
        ledger.close_year(Principal("kjj-clerk", Role.BUREAU, "kjj"), year=2024, reconciliation={}, digest={},
                          as_of="2024-12-31T00:00:00+08:00")
    assert check(ledger.year_close(2023)["digest"]) is None


@pytest.mark.usefixtures("cli_env")
def test_a_revocation_after_the_close_shows_where_the_paid_money_went(books: Books, capsys) -> None:
    """A paid award revoked after the close, part repaid: the adjustment takes the 400,000 out of approved and
    paid and puts it in recovered (150,000) and to_recover (250,000), so it balances (a black-box probe found the
    money leaving `paid` and landing nowhere: the adjustment had no recovery columns)."""
    claim = books.approve("A5.voucher", basis_amount="2000000.00")  # 500,000, the year's cap
    books.pay(claim, "400000.00")
    assert main(["close", "--year", "2023"]) == 0
    capsys.readouterr()
    revoked = books.api.ok("POST", f"/v1/claims/{claim['id']}/revoke",
                           {"reason": "虚报", "document_ref": "杭科〔2024〕9号"}, as_="kjj", status=200)
    books.api.ok("POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments",
                 {"amount": "150000.00", "received_on": "2024-02-01", "bank_ref": "BACK-1"}, as_="finance")
    now = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    (adjustment,) = now["post_close_adjustments"]
    assert {k: adjustment[k] for k in ("approved", "paid", "recovered", "to_recover", "written_off")} == {
        "approved": "-500000.00", "paid": "-400000.00", "recovered": "150000.00", "to_recover": "250000.00",
        "written_off": "0.00"}, adjustment


@pytest.mark.usefixtures("cli_env")
def test_the_files_of_a_closed_year_say_so_with_their_adjustments(books: Books, capsys) -> None:
    """A closed year's CSV and XLSX (over HTTP and from `export`) carry the close: when in Beijing time, by whom,
    the digest, and each post-close adjustment; an open year's say nothing of one (the files had said nothing
    of a close, a black-box probe)."""
    import csv
    import io

    from openpyxl import load_workbook

    claim = books.approve(basis_amount="1000000.00")
    payout = books.pay(claim, "100000.00")
    opened = books.api.call("GET", "/v1/finance/reconciliation.csv?year=2023", as_="finance").content
    assert "年度结账".encode() not in opened
    assert main(["close", "--year", "2023"]) == 0
    capsys.readouterr()
    books.reverse(payout | {"programme": claim["programme"]})
    table = list(csv.reader(io.StringIO(books.api.call(
        "GET", "/v1/finance/reconciliation?year=2023&format=csv", as_="finance").content.decode("utf-8-sig"))))
    cells = {r[0]: r for r in table if r}
    assert "2023年度结账" in cells and cells["结账人"][3] == "cli-finance"
    assert "UTC+08:00" in cells["结账截至（北京时间）"][3]
    after = table[table.index(next(r for r in table if r and r[0].startswith("结账后调整"))) + 1]
    assert after[0] == "A5.voucher" and Decimal(after[4]) == Decimal("-100000.00") and Decimal(after[5]) == 100000
    sheet = books.api.call("GET", "/v1/finance/reconciliation.xlsx?year=2023", as_="finance").content
    first = [r[0] for r in load_workbook(io.BytesIO(sheet)).active.iter_rows(values_only=True)]
    assert "2023年度结账" in first and "结账人" in first
    assert main(["export", "--year", "2023", "--format", "csv", "--output", "-"]) == 0
    assert "2023年度结账" in capsys.readouterr().out


@pytest.mark.usefixtures("cli_env")
def test_post_close_adjustments_come_in_article_order_as_the_rows_do(books: Books, capsys) -> None:
    """Payouts after the close on an A10 and an A5 award: the JSON's adjustments listed A10 first (string order)
    where its rows and its CSV put A5 first (a finance probe). They now come in article order."""
    voucher = books.approve(basis_amount="1000000.00")
    org = books.world.org()
    first = books.world.claim(org, "A10.first_set", as_="jxj", requested_amount="500000", subject="product:X-7")
    first = books.api.ok("POST", f"/v1/claims/{first['id']}/approve", {}, as_="jxj", status=200)
    assert main(["close", "--year", "2023"]) == 0
    capsys.readouterr()
    books.pay(first, "1000.00")
    books.pay(voucher, "1000.00")
    now = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")
    adjusted = [a["programme"] for a in now["post_close_adjustments"]]
    assert adjusted == ["A5.voucher", "A10.first_set"]
    rows = [r["programme"] for r in now["rows"] if r["programme"] in adjusted]
    assert rows.index("A5.voucher") < rows.index("A10.first_set")


@pytest.mark.usefixtures("cli_env")
def test_the_special_funds_change_since_the_close_is_shown_with_the_adjustments(books: Books, capsys) -> None:
    """A corrections probe: a supplementary appropriation for a closed year (and a revocation's paid part charged
    after the close) moved the year's special fund, and no post-close adjustment said so. `post_close_fund` gives
    the change in what was appropriated, what approvals charge and the headroom (null while the year is open,
    zeros when nothing moved), and the CSV adds a block for it when something did."""
    import csv
    import io

    books.approve(basis_amount="1000000.00")
    assert books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")["post_close_fund"] is None
    assert main(["close", "--year", "2023"]) == 0
    capsys.readouterr()
    closed = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    assert closed["post_close_fund"] == {"appropriated": "0.00", "approved": "0.00", "headroom": "0.00"}
    books.api.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "1000000.00",
                                                "document_ref": "杭高新财〔2024〕1号 追加"}, as_="finance")
    books.approve(basis_amount="100000.00")
    moved = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="auditor")["post_close_fund"]
    assert moved == {"appropriated": "1000000.00", "approved": "30000.00", "headroom": "970000.00"}, moved
    table = list(csv.reader(io.StringIO(books.api.call(
        "GET", "/v1/finance/reconciliation?year=2023&format=csv", as_="finance").content.decode("utf-8-sig"))))
    at = table.index(next(r for r in table if r and r[0].startswith("专项资金结账后变动")))
    assert [(r[0], Decimal(r[3])) for r in table[at + 1:at + 4]] == [
        ("已安排预算", Decimal("1000000.00")), ("已批准占用", Decimal("30000.00")), ("剩余额度", Decimal("970000.00"))]
    # The finance page says it too, beside the adjustments.
    import re

    client = books.api.client
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    client.post("/ui/sign-in", data={"csrf": csrf, "token": books.api.tokens["finance"]}, follow_redirects=False)
    page = client.get("/ui/finance?year=2023&lang=zh").text
    shown = re.search(r'data-testid="fund-moved">(.*?)</dl>', page, re.S)
    assert shown and "专项资金结账后变动" in page and "1,000,000.00" in shown.group(1), page
