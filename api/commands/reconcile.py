"""`award-ledger reconcile FILE.csv`: import a bank statement as finance and match its debits against the
payouts and its credits against the repayments of recoveries. Exits 0 when every line, payout and repayment
matches, 1 on any discrepancy, 2 when the file cannot be used."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from api.cli_language import os_reason_zh, reason_zh, refuse, then, tr
from api.commands.common import acting_as, configure_logging, settings
from api.reports.table import render
from ledger.domain.text import printable

CLI_PRINCIPAL = "cli-finance"


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("reconcile", help=tr(
        "import a bank statement CSV and match it with payouts and repayments",
        "导入银行流水 CSV，并与拨付和退回逐笔匹配"))
    cmd.add_argument("file", metavar="FILE.csv", help=tr(
        "the statement as the bank exported it: UTF-8 (BOM or not) or GB18030/GBK; Chinese or English headers,"
        " mapped by the bank column map (LEDGER_BANK_COLUMNS)",
        "银行导出的流水原件：UTF-8（带或不带 BOM）或 GB18030/GBK；中文或英文表头，"
        "按银行列映射（LEDGER_BANK_COLUMNS）对应"))
    cmd.add_argument("--import-good-lines", action="store_true", help=tr(
        "when some lines are refused, import the others (default: import nothing)",
        "部分行被拒时，仍导入其余各行（默认：一行都不导入）"))
    cmd.add_argument("--as", dest="principal", default=CLI_PRINCIPAL, metavar="NAME", help=tr(
        f"the finance principal the import is recorded under ({CLI_PRINCIPAL}); with LEDGER_AUTH_FILE set, a"
        " finance principal of that file",
        f"记为导入人的财政账号（{CLI_PRINCIPAL}）；设置了 LEDGER_AUTH_FILE 时，须为该文件中的财政主体"))
    cmd.add_argument("--json", action="store_true", help=tr("print the statement and its report as JSON",
                                                            "以 JSON 输出流水及其匹配报告"))
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from api.bank_columns import bank_columns
    from ledger.application import AwardLedger
    from ledger.bank_files.reading import accepted_lines, read_bank_file
    from ledger.domain.errors import LedgerError
    from ledger.principals import Principal, Role
    from ledger.store import store_env
    from projections.readmodels import ReadModels
    from projections.rebuild import catch_up

    config = settings(args)
    configure_logging(config)
    by = acting_as("reconcile", args.principal, CLI_PRINCIPAL, config)
    if by is None:
        return 2
    path = Path(args.file)
    try:
        found_file = read_bank_file(path.read_bytes(), bank_columns(config.bank_columns))
        lines = accepted_lines(found_file, import_good_lines=args.import_good_lines)
    except OSError as err:
        refuse("reconcile", "file_unreadable", f"cannot read {path}: {err.strerror}. Give the path of the bank's CSV"
               " export", then(f"无法读取 {path}：{os_reason_zh(err)}", "请给出银行导出的 CSV 文件路径"))
        return 2
    except LedgerError as err:
        refuse("reconcile", err.code, f"{path}: {err.detail}. Nothing was imported",
               then(f"{path}：{reason_zh(err)}", "未导入任何内容"))
        return 2
    except csv.Error as err:
        refuse("reconcile", "csv_unreadable", f"{path} is not readable as CSV ({err}); export the statement from the"
               " bank again", f"{path} 无法按 CSV 读取；请从网银重新导出对账单")
        return 2
    ledger = AwardLedger(store_env(config.database_url))
    read_models = ReadModels.open(config.database_url)
    try:
        outcome = ledger.import_bank_statement(Principal(by, Role.FINANCE), lines=lines, source=path.name)
        catch_up(read_models.view, ledger)  # the matching reads the read models: bring them to the log's head
        found = read_models.bank_statement(outcome.view["id"])
    finally:
        read_models.close()
        ledger.close()
    assert found is not None, "the read models have folded the statement they were just caught up with"
    found["already_imported"] = outcome.view["already_imported"]
    found["encoding"] = found_file.encoding
    found["refused_lines"] = [r.as_dict() for r in found_file.refused]
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print(describe(found))
    return 0 if found["report"]["all_matched"] else 1


def describe(found: dict) -> str:
    """The report as a person reads it: one row per line or payout, with what is wrong."""
    r = found["report"]
    rows: list[tuple] = []
    for m in r["matched"]:
        rows.append(("matched", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
                     ", ".join(p["amount"] for p in m["payouts"]), ""))
    for m in r["amount_mismatches"]:
        rows.append(("AMOUNT MISMATCH", m["line"]["line"], m["line"]["date"], m["line"]["reference"],
                     m["bank_amount"], m["payout_amount"], "the bank's amount differs from the payout's"))
    for ln in r["unmatched_bank_lines"]:
        rows.append(("NO PAYOUT", ln["line"], ln["date"], ln["reference"], ln["amount"], "",
                     "no payout bears this reference"))
    for p in r["unmatched_payouts"]:
        rows.append(("NOT ON STATEMENT", "", p["paid_on"], p["bank_ref"], "", p["amount"],
                     f"payout {p['id']} is on no imported statement"))
    for m in r["reversed_but_on_statement"]:
        rows.append(("REVERSED", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
                     ", ".join(p["amount"] for p in m["payouts"]), "the payout was reversed, yet the bank paid it"))
    for m in r.get("matched_credits", []):
        rows.append(("REPAYMENT", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
                     ", ".join(p["amount"] for p in m["repayments"]),
                     "recovery " + ", ".join(p["recovery_id"] for p in m["repayments"])))
    for m in r.get("credit_amount_mismatches", []):
        rows.append(("REPAYMENT MISMATCH", m["line"]["line"], m["line"]["date"], m["line"]["reference"],
                     m["bank_amount"], m["repayment_amount"], "the money in differs from the repayment recorded"))
    for ln in r.get("unmatched_credit_lines", []):
        rows.append(("MONEY IN, NO REPAYMENT", ln["line"], ln["date"], ln["reference"], ln["amount"], "",
                     "no repayment bears this reference: record it against its recovery"))
    for p in r.get("unmatched_repayments", []):
        rows.append(("REPAYMENT NOT ON STATEMENT", "", p["received_on"], p["bank_ref"], "", p["amount"],
                     f"repayment of recovery {p['recovery_id']} is on no imported statement"))
    for refused in found.get("refused_lines", []):
        rows.append(("REFUSED", refused["line"], "", "", "", "", refused["message"] + " (not imported)"))
    head = printable(f"statement {found['id']} ({found['source'] or 'no source'}): {found['lines']} lines, "
            f"{found['period']['from']} to {found['period']['to']}, total {found['total']}"
            + (" — already imported, nothing written" if found.get("already_imported") else ""))
    # Lines recorded before the text check could hold escape sequences: never send them to the terminal raw.
    rows = [tuple(printable(c) if isinstance(c, str) else c for c in row) for row in rows]
    table = render(("result", "line", "date", "reference", "bank", "ledger", "note"), rows, right=(1, 4, 5))
    counts = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in r["counts"].items())
    verdict = "all matched" if r["all_matched"] else "DISCREPANCIES found"
    return f"{head}\n\n{table}\n\n{counts}\n{verdict}"
