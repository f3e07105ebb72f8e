"""Every CSV and XLSX the service writes, built for real (over HTTP, from the pages, and by the command line) on
both stores: free text a spreadsheet would read as a formula (a name starting with = + - @) is never one. The
XLSX holds it as an explicit string cell (no <f>) that reads back exactly, leading character and all; the CSV
holds it behind a single quote. Money stays as it was: "-100000.00" is a number in both files, and money past
Excel's 15 significant digits is written as its exact text instead of a number that loses the fen (a
black-box probe found both)."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from api.cli import main
from tests.sandbox.drafts import edit
from tests.support import unique_uscc

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Names a black-box probe (and OWASP's CSV-injection list) would try, one per leading character.
EVIL_NAMES = ("=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")
EVIL_PROGRAMME = '=HYPERLINK("http://evil.example/","点击查看")'
TOML = {"Content-Type": "application/toml"}
HUGE = "999999999999999.99"  # 17 significant digits: no spreadsheet number holds it


def _draft() -> str:
    """A5.voucher at 20 % instead of 30 % (so the deltas are negative), its Chinese name a live formula."""
    text = edit("A5.voucher", r'rate = "0.30"', 'rate = "0.20"')
    return edit("A5.voucher", r'name_zh = "[^"]*"', f"name_zh = '{EVIL_PROGRAMME}'", text)


def _csv(raw: bytes) -> list[list[str]]:
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _assert_csv_safe(table: list[list[str]]) -> None:
    """No CSV cell starts a formula, unless it is a plain amount such as "-100000.00" (a number, left alone)."""
    for row in table:
        for cell in row:
            if cell.startswith(FORMULA_STARTS):
                assert re.fullmatch(r"-\d+\.\d\d", cell), f"CSV cell {cell!r} would be read as a formula"


def _xlsx(raw: bytes):
    """The sheet, after checking its XML holds no formula at all."""
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in book.read(name).decode("utf-8") and "<f " not in book.read(name).decode("utf-8")
    sheet = load_workbook(io.BytesIO(raw)).active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                assert cell.data_type == "s" and cell.quotePrefix, f"{cell.coordinate} {cell.value!r}"
    return sheet


def _values(sheet) -> list[tuple]:
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def _check_simulation_files(csv_raw: bytes, xlsx_raw: bytes, orgs: dict[str, str]) -> None:
    """The organisations' names and the draft's programme name exactly as typed; the money unchanged."""
    table = _csv(csv_raw)
    _assert_csv_safe(table)
    by_code = {}
    for row in table:
        if row:
            by_code.setdefault(row[0], row)
    for uscc, name in orgs.items():
        assert by_code[uscc][1] == "'" + name
        assert by_code[uscc][2:5] == ["300000.00", "200000.00", "-100000.00"]  # negative money is not neutralised
    assert by_code["A5.voucher"][1] == "'" + EVIL_PROGRAMME
    assert by_code["A5.voucher"][4] == f"-{100000 * len(orgs)}.00"

    sheet = _xlsx(xlsx_raw)
    rows = {}
    for cells in sheet.iter_rows():
        if cells and cells[0].value is not None:
            rows.setdefault(cells[0].value, cells)
    for uscc, name in orgs.items():
        cells = rows[uscc]
        assert cells[1].value == name and cells[1].data_type == "s"
        assert [c.value for c in cells[2:5]] == [300000, 200000, -100000]
        assert all(c.data_type == "n" and c.number_format == "#,##0.00" for c in cells[2:5])
    assert rows["A5.voucher"][1].value == EVIL_PROGRAMME and rows["A5.voucher"][1].data_type == "s"
    assert rows["A5.voucher"][4].value == -100000 * len(orgs)


# --- over HTTP (both stores, through the api and world fixtures of tests/finance/conftest.py) -----------------


def _evil_orgs(api, world) -> dict[str, str]:
    """One organisation per dangerous leading character, each with an approved A5.voucher claim of 300,000."""
    orgs = {}
    for name in EVIL_NAMES:
        uscc = unique_uscc()
        api.ok("POST", "/v1/organisations", {"uscc": uscc, "name": name, "in_district": True})
        assert api.ok("GET", f"/v1/organisations/{uscc}")["name"] == name  # the validator accepts it
        world.body(lead=uscc)
        world.approved(uscc, "A5.voucher", basis_amount="1000000.00")
        orgs[uscc] = name
    return orgs


def _simulate(api, query: str):
    response = api.client.post(f"/v1/simulations{query}", content=_draft().encode("utf-8"),
                               headers={**TOML, "Authorization": f"Bearer {api.tokens['auditor']}"})
    assert response.status_code == 200, response.text
    return response


def test_simulation_files_over_http_hold_names_as_text_never_formulas(api, world) -> None:
    """POST /v1/simulations?format=csv|xlsx with organisations named like formulas and a draft programme named
    =HYPERLINK(...): the XLSX cells are strings reading back exactly, the CSV cells start with a quote."""
    orgs = _evil_orgs(api, world)
    first = next(iter(orgs))
    _check_simulation_files(_simulate(api, f"?format=csv&uscc={first}").content,
                            _simulate(api, f"?format=xlsx&uscc={first}").content, orgs)
    assert _simulate(api, "").json()["programmes"]  # JSON is untouched: names as registered
    named = {o["uscc"]: o["name"] for o in _simulate(api, "").json()["organisations_losing"]}
    assert named == orgs


def test_the_sandbox_pages_downloads_hold_names_as_text_never_formulas(api, world) -> None:
    """The /ui/sandbox form's CSV and XLSX buttons build the same files, as safe."""
    orgs = _evil_orgs(api, world)
    client = api.client
    client.cookies.clear()
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    signed = client.post("/ui/sign-in", data={"csrf": csrf, "token": api.tokens["auditor"]}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    files = {}
    for fmt in ("csv", "xlsx"):
        answer = client.post("/ui/sandbox", data={"csrf": csrf, "draft": _draft(), "uscc": "", "format": fmt})
        assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"], answer.text
        files[fmt] = answer.content
    _check_simulation_files(files["csv"], files["xlsx"], orgs)


@pytest.fixture
def cli_env(database_url: str, settings, monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(settings.signing_key_file))
    monkeypatch.delenv("LEDGER_AUTH_FILE", raising=False)


@pytest.mark.usefixtures("cli_env")
def test_a_reconciliation_closed_by_a_formula_named_principal_stays_text(api, books, tmp_path, capsys) -> None:
    """`close --as '=HYPERLINK(...)'` records that name; the reconciliation's CSV and XLSX (over HTTP and from
    `award-ledger export`) show it as text in 结账人, and a negative post-close adjustment stays a number."""
    closer = '=HYPERLINK("http://evil.example/","结账")'
    claim = books.approve(basis_amount="1000000.00")
    payout = books.pay(claim, "100000.00")
    assert main(["close", "--year", "2023", "--as", closer]) == 0
    books.reverse(payout | {"programme": claim["programme"]})
    capsys.readouterr()
    assert main(["export", "--year", "2023", "--format", "csv", "--output", str(tmp_path / "r.csv")]) == 0
    assert main(["export", "--year", "2023", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 0
    csvs = [api.call("GET", "/v1/finance/reconciliation?year=2023&format=csv", as_="finance").content,
            api.call("GET", "/v1/finance/reconciliation.csv?year=2023", as_="auditor").content,
            (tmp_path / "r.csv").read_bytes()]
    xlsxs = [api.call("GET", "/v1/finance/reconciliation?year=2023&format=xlsx", as_="finance").content,
             api.call("GET", "/v1/finance/reconciliation.xlsx?year=2023", as_="auditor").content,
             (tmp_path / "r.xlsx").read_bytes()]
    for raw in csvs:
        table = _csv(raw)
        _assert_csv_safe(table)
        cells = {r[0]: r for r in table if r}
        assert cells["结账人"][3] == "'" + closer
        after = table[table.index(next(r for r in table if r and r[0].startswith("结账后调整"))) + 1]
        assert after[0] == "A5.voucher" and after[4] == "-100000.00"
    for raw in xlsxs:
        rows = {cells[0].value: cells for cells in _xlsx(raw).iter_rows() if cells[0].value}
        assert rows["结账人"][3].value == closer and rows["结账人"][3].data_type == "s"
        grid = [cells for cells in _xlsx(raw).iter_rows()]
        after = grid[next(i for i, r in enumerate(grid) if str(r[0].value or "").startswith("结账后调整")) + 1]
        assert after[4].value == -100000 and after[4].data_type == "n" and after[4].number_format == "#,##0.00"


# --- money past Excel's 15 significant digits ---------------------------------------------------------------


@pytest.mark.usefixtures("cli_env")
def test_money_past_fifteen_digits_keeps_its_fen_in_the_xlsx(api, world, tmp_path) -> None:
    """An appropriation of 999,999,999,999,999.99 (twice): the XLSX (HTTP and `export`) gives the exact figures
    the JSON gives, as text, where a number would have rounded away the fen; ordinary amounts stay numbers."""
    for n in range(2):
        api.ok("POST", "/v1/appropriations", {"year": 2023, "amount": HUGE, "document_ref": f"D-HUGE-{n}"},
               as_="finance")
    fund = api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")["appropriation"]
    expected = {"已安排预算": fund["appropriated"], "剩余额度": fund["headroom"]}
    assert len(Decimal(fund["appropriated"]).as_tuple().digits) > 15 and fund["appropriated"].endswith(".98")
    assert main(["export", "--year", "2023", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 0
    for raw in (api.call("GET", "/v1/finance/reconciliation?year=2023&format=xlsx", as_="finance").content,
                (tmp_path / "r.xlsx").read_bytes()):
        rows = {cells[0].value: cells for cells in _xlsx(raw).iter_rows() if cells[0].value}
        for label, figure in expected.items():
            cell = rows[label][3]
            assert cell.value == figure and cell.data_type == "s", (label, cell.value, figure)
            assert cell.alignment.horizontal == "right"
        floor = rows["最低安排"][3]
        assert floor.data_type == "n" and floor.number_format == "#,##0.00"
        assert Decimal(str(floor.value)).quantize(Decimal("0.01")) == Decimal(fund["floor"])
    table = _csv(api.call("GET", "/v1/finance/reconciliation?year=2023&format=csv", as_="finance").content)
    assert {r[0]: r[3] for r in table if r and r[0] in expected} == expected


# --- the command line on both stores ------------------------------------------------------------------------


@pytest.fixture
def store_world(database_url: str, monkeypatch):
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.delenv("LEDGER_AUTH_FILE", raising=False)
    ledger = AwardLedger(store_env(database_url))
    w = World(ledger)
    w.appropriate(2023)
    w.appropriate(2024, HUGE)
    yield w
    ledger.close()


def test_simulate_output_files_hold_names_as_text_never_formulas(store_world, tmp_path, capsys) -> None:
    """`award-ledger simulate --output x.csv|x.xlsx` over organisations registered with formula-like names: the
    same safe files; the fund's appropriation of 999,999,999,999,999.99 keeps its fen in the XLSX."""
    from tests.store.conftest import ADMIN

    orgs = {}
    for name in EVIL_NAMES:
        uscc = unique_uscc()
        store_world.ledger.register_organisation(ADMIN, uscc=uscc, name=name, in_district=True)
        store_world.body(lead=uscc)
        store_world.approved(uscc, "A5.voucher", basis_amount="1000000.00")
        orgs[uscc] = name
    draft = tmp_path / "draft.toml"
    draft.write_text(_draft(), encoding="utf-8")
    for fmt in ("csv", "xlsx"):
        assert main(["simulate", "--catalogue", str(draft), "--uscc", next(iter(orgs)),
                     "--output", str(tmp_path / f"x.{fmt}")]) == 0
    capsys.readouterr()
    _check_simulation_files((tmp_path / "x.csv").read_bytes(), (tmp_path / "x.xlsx").read_bytes(), orgs)
    sheet = load_workbook(tmp_path / "x.xlsx").active
    fund = next(row for row in sheet.iter_rows() if row[0].value == 2024 and row[1].value == "2024年度"
                and len(row) > 6 and row[6].value is not None)
    assert fund[6].value == HUGE and fund[6].data_type == "s"
    table = _csv((tmp_path / "x.csv").read_bytes())
    assert next(r for r in table if r[:2] == ["2024", "2024年度"] and len(r) > 6)[6] == HUGE
