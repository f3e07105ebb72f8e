"""`award-ledger export --year Y [--as-of T] --format csv|xlsx|json [--output PATH]`: a year's reconciliation as a
file, now or as the ledger knew it at T (as GET /v1/finance/reconciliation?as_of= answers it)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from api.cli_language import os_reason_zh, reason_zh, refuse, then, tr, whole_number
from api.commands import chain_check
from api.commands.common import (
    ProtectedOutput,
    configure_logging,
    output_format,
    refuse_protected,
    say,
    settings,
    write_whole,
)
from api.commands.replay import read_or_refuse
from api.reports import reconciliation as report
from api.reports.closing import with_close
from ledger import beijing
from ledger.domain.errors import OutsidePolicyTerm
from ledger.domain.text import cut


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("export", help=tr("export a year's reconciliation (CSV, XLSX or JSON)",
                                                "导出某年度的对账结果（CSV、XLSX 或 JSON）"))
    cmd.add_argument("--year", type=whole_number(), required=True,
                     help=tr("the award year, e.g. 2023", "奖补年度，如 2023"))
    # The API's export takes `as_of` (its CSV and XLSX too); `export` had none, and `--as-of` was "unrecognised" (a
    # regression probe). Read as the API reads it, through `replay --as-of`'s reading of the API's own validator.
    cmd.add_argument("--as-of", metavar="T", help=tr(
        "the figures as the ledger knew them at a recorded time, as GET /v1/finance/reconciliation?as_of= takes it:"
        " RFC 3339 (2024-01-01T00:00:00+08:00), or a date alone, the end of that day in Beijing time",
        "台账在某一记录时刻所知的数字，取值同 GET /v1/finance/reconciliation?as_of=：RFC 3339 格式"
        "（2024-01-01T00:00:00+08:00），只写日期表示北京时间当日结束时"))
    cmd.add_argument("--format", choices=("csv", "xlsx", "json"),
                     help=tr("the file's format (default: from the --output file's extension, else csv)",
                             "文件格式（默认按 --output 文件的扩展名判断，否则为 csv）"))
    cmd.add_argument("--output", metavar="PATH", help=tr(
        "where to write it (default reconciliation-<year>.<format> here; '-' for stdout)",
        "写入位置（默认当前目录下的 reconciliation-<年度>.<格式>；'-' 表示标准输出）"))
    chain_check.add_flag(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from projections.ledger_as_of import reconciliation_as_of
    from projections.readmodels import ReadModels
    from projections.rebuild import catch_up
    from projections.view import open_ledger

    config = settings(args)
    configure_logging(config)
    if not 1900 <= args.year <= 2999:
        year = cut(str(args.year))  # 20 digits at most, but quoted as every value is
        refuse("export", "argument_invalid", f"--year {year} is not a year; give the award year, e.g. --year 2023",
               f"--year {year} 不是年份；请给出奖励年度，例如 --year 2023")
        return 2
    as_of = None
    if args.as_of is not None and (as_of := read_or_refuse("export", args.as_of)) is None:
        return 2
    if (fmt := output_format("export", args.output, args.format, "csv")) is None:
        return 2
    args.format = fmt
    if args.output not in (None, "-"):
        try:  # before the chain check and the fold, which take a while on a district's log
            refuse_protected(Path(args.output))
        except ProtectedOutput as err:
            refuse("export", "output_unwritable", f"cannot write {args.output}: {err.strerror}. Choose another"
                   " --output", then(f"无法写入 {args.output}：{err.zh}", "请用 --output 换一个位置"))
            return 2
    try:
        report.require_year(args.year)
    except OutsidePolicyTerm as err:
        refuse("export", err.code, err.detail, reason_zh(err))
        return 2
    # A report finance hands on rests on the events: a changed store was exported as if intact, exit 0, where
    # close, rebuild and replay refuse it (an audit probe).
    if not chain_check.intact("export", config.database_url, accept_tampered=args.accept_tampered):
        return 1
    read_models = ReadModels.open(config.database_url)
    app = open_ledger(config.database_url)
    try:
        catch_up(read_models.view, app)  # no projector may be running: bring the read models to the log's head
        if as_of is None:
            figures = read_models.reconciliation(args.year)
        else:  # as the API answers `as_of`: the year's events folded to then (api/routes/finance.py `year_figures`)
            figures = reconciliation_as_of(app, args.year, as_of, read_models=read_models)
        closed = app.year_close(args.year, as_of)
    finally:
        app.close()
        read_models.close()
    if args.format == "json":
        # As GET /v1/finance/reconciliation answers it: `closed` (null while open) and `post_close_adjustments`.
        document = with_close(report.arranged(figures), closed)
        content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    else:
        content = report.RENDERERS[args.format](with_close(figures, closed))  # a closed year says so in files too
    if args.output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    path = Path(args.output or report.filename(args.year, args.format, figures.get("as_of")))
    try:
        write_whole(path, content)
    except OSError as err:
        refuse("export", "output_unwritable", f"cannot write {path}: {err.strerror}. Choose another --output",
               then(f"无法写入 {path}：{os_reason_zh(err)}", "请用 --output 换一个位置"))
        return 2
    lines = len(figures["rows"])
    said = f"{lines:,} programme line{'' if lines == 1 else 's'}"
    if as_of is None:
        say("export", tr(f"wrote the {args.year} reconciliation ({said}) to {path}",
                         f"已将 {args.year} 年度对账结果（{lines} 个项目行）写入 {path}"))
    else:
        at = beijing.shown(as_of, exact=True)
        say("export", tr(f"wrote the {args.year} reconciliation as known at {at} ({said}) to {path}",
                         f"已将截至 {at} 所知的 {args.year} 年度对账结果（{lines} 个项目行）写入 {path}"))
    return 0
