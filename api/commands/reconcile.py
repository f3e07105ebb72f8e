"""`award-ledger reconcile FILE.csv`: import a bank statement as finance and match its debits against the
payouts and its credits against the repayments of recoveries. Exits 0 when every line, payout and repayment
matches, 1 on any discrepancy, 2 when the file cannot be used."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from api.cli_language import language, os_reason_zh, reason_zh, refusal_adds, refusals_as_documents, refuse, then, tr
from api.commands.common import acting_as, configure_logging, read_input, settings
from api.reports.table import grouped, render
from api.statement_words import count_name
from ledger.domain.text import file_source, printable

CLI_PRINCIPAL = "cli-finance"


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("reconcile", help=tr(
        "import a bank statement CSV and match it with payouts and repayments",
        "导入银行流水 CSV，并与拨付和还款逐笔匹配"))
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
    from ledger.application import AwardLedger
    from ledger.bank_files.decoding import decode
    from ledger.bank_files.reading import accepted_lines, read_bank_file
    from ledger.domain.errors import LedgerError
    from ledger.domain.statement_fields import check_size
    from ledger.principals import Principal, Role
    from ledger.store import store_env
    from projections.readmodels import ReadModels
    from projections.rebuild import catch_up

    if args.json:  # a script reading stdout gets any refusal there too, as the API answers it
        refusals_as_documents(imported=False, source=file_source(Path(args.file).name))
    config = settings(args)
    configure_logging(config)
    by = acting_as("reconcile", args.principal, CLI_PRINCIPAL, config)
    if by is None:
        return 2
    column_map = _column_map(config.bank_columns)
    if column_map is None:
        return 2
    path = Path(args.file)
    try:
        # The bounds POST /v1/finance/bank-statements keeps: LEDGER_MAX_STATEMENT_BYTES, then MAX_LINES lines.
        raw = read_input("reconcile", path, config.max_statement_bytes, ("a bank statement", "银行流水"),
                         ("split the statement by month and import each part, or ask the operator to raise"
                          " LEDGER_MAX_STATEMENT_BYTES", "请按月拆分流水后分别导入，"
                          "或请运维人员调高 LEDGER_MAX_STATEMENT_BYTES"))
        if raw is None:
            return 2
        check_size(decode(raw)[0])  # at most MAX_LINES lines, as a JSON statement's `lines`
        found_file = read_bank_file(raw, column_map)
        lines = accepted_lines(found_file, import_good_lines=args.import_good_lines)
    except OSError as err:
        refuse("reconcile", "file_unreadable", f"cannot read {path}: {err.strerror}. Give the path of the bank's CSV"
               " export", then(f"无法读取 {path}：{os_reason_zh(err)}", "请给出银行导出的 CSV 文件路径"))
        return 2
    except LedgerError as err:
        # The ledger's words name the API's parameter; the command's own flag is what a reader of it can pass.
        detail = err.detail.replace("with import_good_lines=true", "with --import-good-lines")
        zh = reason_zh(err).replace("（import_good_lines=true）", "（--import-good-lines）")
        # The API's `invalid_request` for a file it cannot read as text (neither UTF-8 nor GB18030) is, for a file
        # on the command line, the CLI's `csv_unreadable` (an operations probe: a code not in the CLI's table).
        code = "csv_unreadable" if err.code == "invalid_request" else err.code
        refusal_adds(**err.context_in(language()))  # each refused line with its code, in the reader's language
        # Said once: a refusal that says so already is not told again (a regression probe read it twice).
        said = "nothing was imported" in detail.lower()
        refuse("reconcile", code, f"{path}: {detail}" + ("" if said else ". Nothing was imported"),
               f"{path}：{zh}" if "未导入任何内容" in zh else then(f"{path}：{zh}", "未导入任何内容"))
        return 2
    except csv.Error as err:
        refuse("reconcile", "csv_unreadable", f"{path} is not readable as CSV ({err}); export the statement from the"
               " bank again", f"{path} 无法按 CSV 读取；请从网银重新导出对账单")
        return 2
    ledger = AwardLedger(store_env(config.database_url))
    read_models = ReadModels.open(config.database_url)
    try:
        catch_up(read_models.view, ledger)  # a memo's references are chosen by what the ledger knows (reading.py)
        found_file.choose_references(read_models.reference_kinds)
        lines = accepted_lines(found_file, import_good_lines=args.import_good_lines)
        outcome = ledger.import_bank_statement(Principal(by, Role.FINANCE), lines=lines, source=file_source(path.name),
                                               refused=[r.kept() for r in found_file.refused])
        catch_up(read_models.view, ledger)  # the matching reads the read models: bring them to the log's head
        found = read_models.bank_statement(outcome.view["id"])
    finally:
        read_models.close()
        ledger.close()
    assert found is not None, "the read models have folded the statement they were just caught up with"
    found["already_imported"] = outcome.view["already_imported"]
    found["encoding"] = found_file.encoding
    # In the reader's language, as the API answers them (a regression probe read English messages under LEDGER_LANG=zh)
    found["refused_lines"] = [r.in_language(language()) for r in found_file.refused]
    table_refused = [r.as_dict() | {"message_zh": r.in_language("zh")["message"]} for r in found_file.refused]
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
    else:
        print(describe(found | {"refused_lines": table_refused}))
    # A line of the bank's left out (--import-good-lines) is money the statement shows and the ledger has not
    # matched: a discrepancy, exit 1, however well the imported lines matched (a finance probe: exit 0).
    return 0 if found["report"]["all_matched"] and not found_file.refused else 1


def _column_map(path: Path | None):
    """The column map in force (LEDGER_BANK_COLUMNS's file, or the one shipped), or None once refused as
    `settings_invalid` (api/bank_columns.py `unusable`; the settings' check refuses it first, api/commands/
    preflight.py, unless the file changed since)."""
    from api.bank_columns import bank_columns, unusable

    if path is None or (found := unusable(path)) is None:
        return bank_columns(path)
    why, why_zh = found
    refuse("reconcile", "settings_invalid",
           f"LEDGER_BANK_COLUMNS {str(path)!r} cannot be used as the bank column map: {why}. Point it at a TOML"
           " column map laid out as ledger/bank_files/columns.toml, or unset it to use that one. Nothing was imported",
           f"LEDGER_BANK_COLUMNS {str(path)!r} 无法用作银行列名对照表：{why_zh}。请将它指向格式与"
           " ledger/bank_files/columns.toml 相同的 TOML 列名对照表，或不设置以使用该文件。未导入任何内容")
    return None


# What each row of the report table says, in each language: (result, note).
ROWS_ZH = {
    "matched": ("已匹配", ""),
    "AMOUNT MISMATCH": ("金额不符", "银行金额与拨付金额不同"),
    "NO PAYOUT": ("无对应拨付", "没有拨付带有此参考号"),
    "NOT ON STATEMENT": ("未见于流水", "拨付 {0} 不在任何已导入的流水中"),
    "REVERSED": ("已冲回", "该拨付已冲回，但银行仍支付了"),
    "PAID AGAIN": ("重复支付", "该拨付已由另一行匹配：银行可能支付了两次"),
    "REPAYMENT": ("还款", "追回款项 {0}"),
    "REPAYMENT MISMATCH": ("还款金额不符", "入账金额与登记的还款金额不同"),
    "MONEY IN, NO REPAYMENT": ("入账无对应还款", "没有还款带有此参考号：如是追回款项的还款，请在该追回款项下登记；"
                                           "利息等其他入账无需登记"),
    "REPAYMENT NOT ON STATEMENT": ("还款未见于流水", "追回款项 {0} 的还款不在任何已导入的流水中"),
    "REPAID AGAIN": ("重复入账", "该还款已由另一行匹配：款项可能入账两次"),
    "RETURNED": ("退汇", "该拨付已冲回，款项已由银行退回"),
    "RETURNED, NOT REVERSED": ("退汇未冲回", "银行已退回拨付 {0}，但台账仍记为已拨付：请冲回该拨付（其奖补已撤销的，"
                                           "请在该奖补的追回款项下登记为还款）"),
    "REFUSED": ("已拒绝", "{0}（未导入）"),
}
def describe(found: dict, *, zh: bool | None = None) -> str:
    """The report as a person reads it, in the reader's language: one row per line or payout, with what is
    wrong (--json keeps the field names)."""
    zh = language() == "zh" if zh is None else zh
    r = found["report"]
    rows: list[tuple] = []

    def row(result: str, line, day, reference, bank, ours, note: str = "", *fill: str) -> None:
        if zh:
            result, note = ROWS_ZH[result][0], ROWS_ZH[result][1].format(*fill) if ROWS_ZH[result][1] else ""
        rows.append((result, line, day, reference, bank, ours, note))

    for m in r["matched"]:
        row("matched", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
            ", ".join(p["amount"] for p in m["payouts"]))
    for m in r["amount_mismatches"]:
        row("AMOUNT MISMATCH", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["bank_amount"],
            m["payout_amount"], "the bank's amount differs from the payout's")
    for ln in r["unmatched_bank_lines"]:
        row("NO PAYOUT", ln["line"], ln["date"], ln["reference"], ln["amount"], "", "no payout bears this reference")
    for p in r["unmatched_payouts"]:
        row("NOT ON STATEMENT", "", p["paid_on"], p["bank_ref"], "", p["amount"],
            f"payout {p['id']} is on no imported statement", p["id"])
    for m in r["reversed_but_on_statement"]:
        row("REVERSED", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
            ", ".join(p["amount"] for p in m["payouts"]), "the payout was reversed, yet the bank paid it")
    for key in ("returned_payouts", "returned_credit_lines"):
        for m in r.get(key, []):
            row("RETURNED", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
                ", ".join(p["amount"] for p in m["payouts"]), "the payout was reversed and the bank returned it")
    for m in r.get("returned_but_not_reversed", []):
        row("RETURNED, NOT REVERSED", m["line"]["line"], m["line"]["date"], m["line"]["reference"],
            m["line"]["amount"], ", ".join(p["amount"] for p in m["payouts"]),
            f"the bank returned payout {m['payouts'][0]['id']}, yet the ledger counts it paid: reverse it",
            m["payouts"][0]["id"])
    for m in r.get("repeated_bank_lines", []):
        row("PAID AGAIN", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
            ", ".join(p["amount"] for p in m["payouts"]), "another line already matched this payout: the bank may"
            " have paid it twice")
    for m in r.get("matched_credits", []):
        recoveries = ", ".join(p["recovery_id"] for p in m["repayments"])
        row("REPAYMENT", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
            ", ".join(p["amount"] for p in m["repayments"]), "recovery " + recoveries, recoveries)
    for m in r.get("credit_amount_mismatches", []):
        row("REPAYMENT MISMATCH", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["bank_amount"],
            m["repayment_amount"], "the money in differs from the repayment recorded")
    for m in r.get("repeated_credit_lines", []):
        row("REPAID AGAIN", m["line"]["line"], m["line"]["date"], m["line"]["reference"], m["line"]["amount"],
            ", ".join(p["amount"] for p in m["repayments"]), "another line already matched this repayment: the money"
            " may have come in twice")
    for ln in r.get("unmatched_credit_lines", []):
        row("MONEY IN, NO REPAYMENT", ln["line"], ln["date"], ln["reference"], ln["amount"], "",
            "no repayment bears this reference: record it against its recovery")
    for p in r.get("unmatched_repayments", []):
        row("REPAYMENT NOT ON STATEMENT", "", p["received_on"], p["bank_ref"], "", p["amount"],
            f"repayment of recovery {p['recovery_id']} is on no imported statement", p["recovery_id"])
    for refused in found.get("refused_lines", []):
        row("REFUSED", refused["line"], "", "", "", "", refused["message"] + " (not imported)",
            refused.get("message_zh") or refused["message"])
    period, total, total_in = found["period"], grouped(found["total"]), grouped(found.get("total_in") or "0.00")
    if zh:
        head = (f"流水 {found['id']}（{found['source'] or '无来源'}）：{found['lines']} 行，"
                f"{period['from']} 至 {period['to']}，支出合计 {total}，收入合计 {total_in}"
                + ("——此前已导入，未写入任何内容" if found.get("already_imported") else ""))
    else:
        head = (f"statement {found['id']} ({found['source'] or 'no source'}): {found['lines']} lines, "
                f"{period['from']} to {period['to']}, total out {total}, in {total_in}"
                + (" — already imported, nothing written" if found.get("already_imported") else ""))
    # Lines recorded before the text check could hold escape sequences: never send them to the terminal raw.
    head = printable(head)
    rows = [tuple(printable(c) if isinstance(c, str) else c for c in row) for row in rows]
    columns = (("结果", "行号", "日期", "参考号", "银行金额", "台账金额", "说明") if zh else
               ("result", "line", "date", "reference", "bank", "ledger", "note"))
    table = render(columns, rows, right=(1, 4, 5))
    left_out = len(found.get("refused_lines") or [])  # --import-good-lines: lines of the bank's not imported
    if zh:
        counts = "，".join(f"{count_name(k, True)}：{v}" for k, v in r["counts"].items())
        verdict = "全部匹配" if r["all_matched"] else "发现不符"
        if left_out:
            verdict = f"发现不符：{left_out} 行被拒绝、未导入，需核对（已导入的行{verdict}）"
    else:
        counts = ", ".join(f"{count_name(k, False)}: {v}" for k, v in r["counts"].items())
        verdict = "all matched" if r["all_matched"] else "DISCREPANCIES found"
        if left_out:
            verdict = (f"DISCREPANCIES found: {left_out} line(s) refused and not imported, to be checked (the lines"
                       f" imported: {verdict})")
    return f"{head}\n\n{table}\n\n{counts}\n{verdict}"
