"""The finance subcommands of `award-ledger`: reconcile, export and replay, on each store."""
from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from openpyxl import load_workbook

from api.cli import main
from api.reports.reconciliation import HEADERS, TOTAL
from ledger.application import AwardLedger
from ledger.store import store_env
from tests.store.conftest import FINANCE, KJJ, World
from tests.support import unique_id


@pytest.fixture
def ledger(database_url, monkeypatch):
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    app = AwardLedger(store_env(database_url))
    yield app
    app.close()


@pytest.fixture
def world(ledger):
    w = World(ledger)
    w.appropriate(2023)
    return w


def _paid(world, amount="100000.00", paid_on=date(2023, 7, 3)):
    claim = world.approved(world.org(), "A5.voucher", basis_amount=Decimal("1000000.00"))
    return world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal(amount), paid_on=paid_on,
                                      bank_ref=unique_id("ICBC-")).view


def _statement(tmp_path, *lines):
    path = tmp_path / f"{unique_id('statement-')}.csv"
    path.write_text("date,amount,reference,counterparty\n" + "".join(f"{ln}\n" for ln in lines), encoding="utf-8")
    return path


def test_reconcile_all_matched_exits_zero_and_records_the_cli_principal(world, tmp_path, capsys):
    """A statement whose lines all match exits 0, prints the table, and its event names `cli-finance`."""
    payout = _paid(world)
    path = _statement(tmp_path, f"2023-07-03,100000.00,{payout['bank_ref']},某公司")
    assert main(["reconcile", str(path)]) == 0
    out = capsys.readouterr().out
    assert "matched" in out and payout["bank_ref"] in out and "all matched" in out
    assert "total out 100,000.00, in 0.00" in out, out  # grouped as in the table (a regression probe)
    assert main(["reconcile", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["already_imported"] is True and found["report"]["all_matched"] is True
    [imported] = list(world.ledger.events.get(UUID(found["id"])))
    assert imported.by == "cli-finance"


def test_a_line_left_out_by_import_good_lines_is_a_discrepancy(world, tmp_path, capsys):
    """A finance probe: with --import-good-lines, a statement whose imported lines all matched exited 0, "all
    matched", though a line of the bank's was refused and not imported. That line is money the statement shows and
    the ledger has not matched: exit 1, and the verdict says how many lines were left out."""
    payout = _paid(world)
    path = _statement(tmp_path, f"2023-07-03,100000.00,{payout['bank_ref']},某公司", "2023-07-04,abc,X-1,某人")
    assert main(["reconcile", str(path), "--import-good-lines"]) == 1
    out = capsys.readouterr().out
    assert "REFUSED" in out and "DISCREPANCIES found: 1 line(s) refused and not imported, to be checked (the lines" \
        " imported: all matched)" in out, out
    # The line left out is kept with the statement, as the API and the pages keep it (a pages probe).
    [statement] = [r for r in world.ledger.recorder.select_notifications(start=1, limit=10**6)
                   if r.topic.endswith("BankStatement.Imported")][-1:]
    found = world.ledger.repository.get(statement.originator_id)
    assert [(r["line"], r["code"]) for r in found.refused] == [(3, "invalid_amount")], found.refused


def test_a_refusal_says_nothing_was_imported_once(world, tmp_path, capsys):
    """A regression probe read "nothing was imported" twice in one refusal, in either language."""
    path = _statement(tmp_path, "2023-07-04,abc,X-1,某人")
    assert main(["reconcile", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.lower().count("nothing was imported") == 1, err


def test_reconcile_with_discrepancies_exits_one(world, tmp_path, capsys):
    """A line no payout explains and a payout missing from the statement exit 1, each named in the table."""
    payout = _paid(world, paid_on=date(2023, 7, 5))
    stray = unique_id("ICBC-")
    path = _statement(tmp_path, f"2023-07-03,5.00,{stray},某人", "2023-07-09,1.00," + unique_id("X-") + ",")
    assert main(["reconcile", str(path), "--as", "finance-2"]) == 1
    out = capsys.readouterr().out
    assert "NO PAYOUT" in out and stray in out and "NOT ON STATEMENT" in out and payout["bank_ref"] in out
    assert "DISCREPANCIES" in out


@pytest.mark.parametrize(("content", "fragment"), [
    ("date,amount\n2023-07-01,5\n", "reference"),
    ("date,amount,reference\n2023-07-01,abc,R\n", "is not an amount such as 1234.56"),
    ("date,amount,reference\n2023-07-01,1,2,3,R\n", "more cells than the header"),
    ("date,amount,reference\n2023-07-01,5.00,R\x00X\n", "U+0000"),
    ("date,amount,reference\n2023-07-01T08:00:00,5.00,R\n", "YYYY-MM-DD"),
])
def test_reconcile_bad_input_exits_two_saying_what_to_fix(world, tmp_path, capsys, content, fragment):
    """A malformed statement or a missing file exits 2 with what to fix, and imports nothing."""
    before = world.events()
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    assert main(["reconcile", str(path)]) == 2
    assert fragment in capsys.readouterr().err
    assert main(["reconcile", str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert world.events() == before


def test_export_writes_csv_xlsx_and_json_with_the_ledgers_totals(world, tmp_path, capsys):
    """`export` writes each format; the 合计 in the CSV and XLSX and the JSON totals equal what was paid."""
    _paid(world, "100000.00")
    _paid(world, "2345.67")
    approved, paid = Decimal("600000.00"), Decimal("102345.67")
    assert main(["export", "--year", "2023", "--format", "csv", "--output", str(tmp_path / "r.csv")]) == 0
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    total = next(r for r in table if r and r[0] == TOTAL)
    assert tuple(table[0]) == HEADERS and [Decimal(x) for x in total[3:7]] == [approved, paid, Decimal(0),
                                                                               approved - paid]
    assert main(["export", "--year", "2023", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 0
    sheet = load_workbook(tmp_path / "r.xlsx").active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == TOTAL)
    assert [Decimal(str(v)) for v in row[3:5]] == [approved, paid]
    assert main(["export", "--year", "2023", "--format", "json", "--output", "-"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["totals"]["paid"] == str(paid) and figures["totals"]["claims"] == 2


def test_export_writes_the_format_its_output_file_is_named_for(world, tmp_path, capsys):
    """A README probe: `export --output recon.xlsx` without --format wrote CSV text under that name, which Excel
    will not open. The extension names the format (as `simulate` takes it); one export does not write is refused
    before anything is read (exit 2), and without --output the default is CSV still."""
    _paid(world, "100000.00")
    assert main(["export", "--year", "2023", "--output", str(tmp_path / "recon.xlsx")]) == 0
    assert load_workbook(tmp_path / "recon.xlsx").active.max_row > 1
    assert main(["export", "--year", "2023", "--output", str(tmp_path / "recon.JSON")]) == 0
    assert json.loads((tmp_path / "recon.JSON").read_text(encoding="utf-8"))["year"] == 2023
    capsys.readouterr()
    assert main(["export", "--year", "2023", "--output", str(tmp_path / "recon.pdf")]) == 2
    assert ".pdf is not a format export writes" in capsys.readouterr().err and not (tmp_path / "recon.pdf").exists()


def test_export_by_default_names_the_file_after_the_year(world, tmp_path, monkeypatch, capsys):
    """Without --output the file is reconciliation-<year>.<format> in the working directory."""
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--year", "2023", "--format", "xlsx"]) == 0
    assert (tmp_path / "reconciliation-2023.xlsx").exists()
    assert "reconciliation-2023.xlsx" in capsys.readouterr().err


def test_replay_before_and_after_a_payout_gives_different_totals(world, capsys):
    """Replaying to a moment before a payout shows nothing paid; after it, the payout; progress goes to stderr."""
    claim = world.approved(world.org(), "A5.voucher", basis_amount=Decimal("1000000.00"))
    time.sleep(0.01)
    before = datetime.now(UTC)
    time.sleep(0.01)
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal("100000.00"), paid_on=date(2023, 7, 3),
                               bank_ref=unique_id("ICBC-"))
    assert main(["replay", "--as-of", before.isoformat(), "--json"]) == 0
    captured = capsys.readouterr()
    then = json.loads(captured.out)
    assert "events read" in captured.err
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat(), "--json"]) == 0
    now = json.loads(capsys.readouterr().out)
    assert then["totals"]["approved"] == now["totals"]["approved"] == "300000.00"
    assert (then["totals"]["paid"], now["totals"]["paid"]) == ("0.00", "100000.00")
    assert now["events_replayed"] > then["events_replayed"]
    assert [f["year"] for f in now["fund_years"]] == [2023] and now["fund_years"][0]["approved"] == "300000.00"
    mine = next(o for o in now["organisations"] if o["uscc"] == claim["uscc"])
    assert mine["totals"]["outstanding"] == "200000.00"
    assert main(["replay", "--as-of", "2000-01-01"]) == 0
    assert "0 events" in capsys.readouterr().out
    # The tables group an amount's thousands as the pages do (a zh probe read 1300012.00 in the terminal).
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat()]) == 0
    table = capsys.readouterr().out
    assert "300,000.00" in table and "200,000.00" in table and "300000.00" not in table, table


def test_replay_table_shows_a_revoked_awards_recovery(world, capsys, monkeypatch):
    """The table has the recovery's columns, as --json and GET awards do (a parity probe): a revoked award paid
    300,000 of which 60,000 came back shows 240,000 to recover and 60,000 recovered, in both languages."""
    claim = world.approved(world.org(), "A5.voucher", basis_amount=Decimal("1000000.00"))
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal("300000.00"), paid_on=date(2024, 7, 2),
                               bank_ref=unique_id("PAY-"))
    revoked = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="核查发现申报数据不实",
                                        document_ref="杭高新科〔2024〕17号").view
    world.ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=Decimal("60000.00"),
                                  received_on=date(2024, 7, 15), bank_ref=unique_id("REC-"))
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat()]) == 0
    table = capsys.readouterr().out
    head, row = next(ln for ln in table.splitlines() if ln.startswith("uscc")), \
        next(ln for ln in table.splitlines() if ln.startswith(claim["uscc"]))
    assert "to recover" in head and "recovered" in head and head.rstrip().endswith("written off"), head
    assert row.split()[-3:] == ["240,000.00", "60,000.00", "0.00"], row
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["replay", "--as-of", datetime.now(UTC).isoformat()]) == 0
    table = capsys.readouterr().out
    assert "应追回" in table and "已追回" in table and "已核销" in table, table


def test_replay_refuses_a_moment_it_cannot_read(world, capsys):
    """A malformed --as-of exits 2 saying which form to use."""
    assert main(["replay", "--as-of", "yesterday"]) == 2
    assert "RFC 3339" in capsys.readouterr().err


def test_the_printed_report_never_carries_a_terminal_escape() -> None:
    """A line recorded before the text check, holding an escape sequence, is printed escaped."""
    from api.commands.reconcile import describe

    line = {"line": 1, "date": "2023-07-03", "amount": "1.00", "reference": "R\x1b[2J\x1b]0;pwned\x07",
            "counterparty": ""}
    report = {"matched": [], "amount_mismatches": [], "unmatched_bank_lines": [line], "unmatched_payouts": [],
              "reversed_but_on_statement": [], "counts": {"unmatched_bank_lines": 1}, "all_matched": False}
    printed = describe({"id": "s", "source": "a\x1b[31m.csv", "lines": 1, "period": {"from": "2023-07-03",
                        "to": "2023-07-03"}, "total": "1.00", "report": report})
    assert "\x1b" not in printed and "\x07" not in printed and "\\x1b[2J" in printed


def test_reconcile_json_lists_refused_lines_with_codes_in_the_readers_language(world, tmp_path, capsys,
                                                                             monkeypatch):
    """A regression probe: `reconcile --json --import-good-lines` under LEDGER_LANG=zh listed the refused lines'
    messages in English, where the API answers them in Chinese; an amount with two signs was coded
    invalid_request. Each refused line carries its code, and its message in the reader's language."""
    payout = _paid(world)
    path = _statement(tmp_path, f"2023-07-03,100000.00,{payout['bank_ref']},某公司", "2023-07-04,abc,X-1,某人",
                      "2023-07-04,+-5.00,X-2,某人", "2023-07-04,5.00,X-3,某人,sideways")
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["reconcile", str(path), "--import-good-lines", "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)["refused_lines"]
    assert [(r["line"], r["code"]) for r in refused] == [(3, "invalid_amount"), (4, "invalid_amount"),
                                                         (5, "invalid_request")], refused
    assert all(r["message"].startswith(f"第 {r['line']} 行") for r in refused), refused


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reconcile_json_prints_the_refusal_when_no_line_is_imported(world, tmp_path, capsys, monkeypatch, lang):
    """A regression probe: `reconcile --json` on a file refused whole printed nothing on stdout (the refused lines'
    codes only in stderr's text). It prints the refusal as the API answers it: code, detail, each refused line with
    its code and message in the reader's language, and exits 2 having written nothing."""
    payout = _paid(world)
    path = _statement(tmp_path, f"2023-07-03,100000.00,{payout['bank_ref']},某公司", "2023-07-04,abc,X-1,某人")
    monkeypatch.setenv("LEDGER_LANG", lang)
    head = world.ledger.recorder.max_notification_id()
    assert main(["reconcile", str(path), "--json"]) == 2
    out = capsys.readouterr()
    printed = json.loads(out.out)
    assert printed["code"] == "invalid_statement" and printed["imported"] is False, printed
    assert printed["refused_count"] == 1 and [(r["line"], r["code"]) for r in printed["refused_lines"]] == [
        (3, "invalid_amount")], printed
    assert printed["refused_lines"][0]["message"].startswith("第 3 行" if lang == "zh" else "line 3"), printed
    assert "[invalid_statement]" in out.err
    assert world.ledger.recorder.max_notification_id() == head


@pytest.mark.parametrize("case", ["missing", "folder", "too-large", "unknown-principal", "bad-column-map"])
def test_reconcile_json_prints_every_refusal_on_stdout(world, tmp_path, capsys, monkeypatch, case):
    """A regression probe: `reconcile --json` printed its refusal on stdout for a statement refused by its lines,
    but nothing for a file missing, a folder, a file too large, an unknown --as or an unusable column map. Each
    prints one JSON document there (code, detail, imported false) beside stderr's refusal, exit 2."""
    path, argv = tmp_path / "statement.csv", []
    path.write_text("date,amount,reference\n2023-07-03,1.00,X-1\n", encoding="utf-8")
    if case == "missing":
        path = tmp_path / "nowhere.csv"
    elif case == "folder":
        path = tmp_path
    elif case == "too-large":
        monkeypatch.setenv("LEDGER_MAX_STATEMENT_BYTES", "10")
    elif case == "unknown-principal":
        auth = tmp_path / "principals.json"
        auth.write_text(json.dumps({"principals": [{"name": "fin", "role": "finance", "token_sha256": "0" * 64}]}))
        monkeypatch.setenv("LEDGER_AUTH_FILE", str(auth))
        argv = ["--as", "nobody"]
    else:
        columns = tmp_path / "columns.toml"
        columns.write_text("not = [toml")
        monkeypatch.setenv("LEDGER_BANK_COLUMNS", str(columns))
    code = main(["reconcile", str(path), "--json", *argv])
    out = capsys.readouterr()
    assert code == 2, out.err
    printed = json.loads(out.out)
    assert printed["imported"] is False and printed["code"] in out.err and printed["detail"], printed
    assert main(["reconcile", str(path), *argv]) == 2 and capsys.readouterr().out == ""  # without --json: nothing
