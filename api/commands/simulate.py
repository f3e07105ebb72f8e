"""`award-ledger simulate --catalogue DRAFT.toml`: every recorded claim replayed under the draft beside the
catalogue in force, writing nothing; the totals and who gains and loses as a table, JSON, CSV or XLSX.
Exit 0, or 2 for a draft (or an argument) that does not validate, naming the field and line at fault."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from api.cli_language import language, os_reason_zh, reason_zh, refuse, then, tr, whole_number
from api.commands.common import (
    ProtectedOutput,
    configure_logging,
    output_format,
    read_input,
    refuse_protected,
    say,
    settings,
    stage,
    write_whole,
)
from api.reports import simulation as report
from api.reports.table import grouped, render
from ledger.sandbox.answer import name_organisations
from ledger.sandbox.simulation import TOP_MAX


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("simulate", help=tr(
        "replay the recorded claims under a draft catalogue (writes nothing)",
        "按政策草案重放已记录的申请（不写入任何内容）"))
    cmd.add_argument("--catalogue", required=True, metavar="FILE.toml", help=tr("the draft catalogue",
                                                                               "政策草案目录文件"))
    cmd.add_argument("--json", action="store_true", help=tr("print the answer as JSON on stdout",
                                                            "以 JSON 在标准输出打印结果"))
    cmd.add_argument("--format", choices=("json", "csv", "xlsx"), help=tr(
        "the --output file's format (default: from its extension, else json)",
        "--output 文件的格式（默认按扩展名判断，否则为 json）"))
    cmd.add_argument("--output", metavar="PATH", help=tr("write the answer to this file ('-' for stdout)",
                                                         "将结果写入此文件（'-' 表示标准输出）"))
    cmd.add_argument("--uscc", help=tr("also explain each claim of this organisation, before and after",
                                       "另外逐笔说明该组织每笔申请在草案前后的核算"))
    cmd.add_argument("--top", type=whole_number(minimum=0, maximum=TOP_MAX), default=10, help=tr(
        "how many gaining and losing organisations (10)", "列出增减最多的组织各几家（10）"))
    cmd.add_argument("--processes", type=whole_number(), choices=(1, 2), help=tr(
        "2: a second process on a second core: half the organisations in each where no claim draws on an account"
        " organisations share, otherwise the draft's replay there (default: 2 when the machine has one and the"
        " log holds 200,000 events or more)",
        "2：在第二个核上启用第二个进程：若没有申请动用多个组织共用的额度账户，两个进程各重放一半组织，"
        "否则由它重放草案（默认：机器有第二个核且日志不少于 200,000 个事件时为 2）"))
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ledger.catalogue.draft import MAX_DRAFT_BYTES, DraftError, read_draft
    from ledger.domain.errors import InvalidUscc
    from ledger.domain.values import Uscc

    path = Path(args.catalogue)
    try:
        # The sandbox's bound on a draft (POST /v1/simulations refuses a larger one too), checked before reading.
        raw = read_input("simulate", path, MAX_DRAFT_BYTES, ("a draft catalogue", "政策目录草案"),
                         ("give the draft catalogue's TOML file with --catalogue",
                          "请用 --catalogue 给出草案目录的 TOML 文件"))
        if raw is None:
            return 2
        draft = read_draft(raw.decode("utf-8"), path.name)
        uscc = None if args.uscc is None else str(Uscc.parse(args.uscc))
    except OSError as err:
        refuse("simulate", "file_unreadable", f"cannot read {path}: {err.strerror}; give the draft catalogue's path"
               " with --catalogue",
               then(f"无法读取 {path}：{os_reason_zh(err)}", "请用 --catalogue 给出草案目录文件的路径"))
        return 2
    except UnicodeDecodeError as err:
        refuse("simulate", "file_unreadable", f"cannot read {path}: it is not UTF-8 text (byte {err.start + 1}); save"
               " the draft catalogue as UTF-8 TOML and give it with --catalogue",
               then(f"无法读取 {path}：它不是 UTF-8 文本（第 {err.start + 1} 个字节）",
                    "请将草案目录另存为 UTF-8 编码的 TOML 文件，再用 --catalogue 给出"))
        return 2
    except DraftError as err:
        where = f" (field {err.field}" + (f", line {err.line})" if err.line else ")") if err.field else ""
        where_zh = f"（字段 {err.field}" + (f"，第 {err.line} 行）" if err.line else "）") if err.field else ""
        # The catalogue reader words each refusal in Chinese too (`err.zh`); tomllib's own words stay English.
        refuse("simulate", "invalid_catalogue", f"the draft does not validate{where}: {err}. Nothing was simulated",
               then(f"草案未通过校验{where_zh}：{reason_zh(err)}", "未进行模拟"))
        return 2
    except InvalidUscc as err:
        refuse("simulate", err.code, f"--uscc: {err.detail}", f"--uscc：{reason_zh(err)}")
        return 2
    if args.top < 0:
        refuse("simulate", "argument_invalid", "--top must be 0 or more", "--top 应为 0 或更大的整数")
        return 2
    if args.output:
        if (fmt := output_format("simulate", args.output, args.format, "json")) is None:
            return 2
        args.format = fmt
    if args.output and args.output != "-" and (why := _unwritable(Path(args.output))) is not None:
        # Found before the replay, which takes seconds to minutes on a district's log (a probe waited for it).
        refuse("simulate", "output_unwritable", f"cannot write {args.output}: {why[0]}. Choose another --output",
               then(f"无法写入 {args.output}：{why[1]}", "请用 --output 换一个位置"))
        return 2
    answer = _simulate(args, draft, uscc)
    return _write(args, answer)


def _unwritable(path: Path) -> tuple[str, str] | None:
    """Why `path` cannot be written, (English, Chinese); None when it seems it can (the write itself still says)."""
    try:
        refuse_protected(path)
    except ProtectedOutput as err:
        return str(err.strerror), err.zh
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return "No such directory", "目录不存在"
    if path.is_dir():
        return "Is a directory", "这是一个目录"
    if not os.access(path if path.exists() else folder, os.W_OK):
        return "Permission denied", "没有写入权限"
    return None


def _simulate(args: argparse.Namespace, draft, uscc: str | None) -> dict:
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from projections.replay_log import simulate_log

    config = settings(args)
    configure_logging(config)
    app = AwardLedger(store_env(config.database_url))
    try:
        total = app.recorder.max_notification_id() or 0
        bar = stage("simulate", (f"replaying the log's {total:,} events under the catalogue in force and the draft",
                                 f"正在按现行目录和草案重放事件日志（共 {total:,} 个事件）"),
                    ("events replayed", "已重放事件"), total)
        try:
            def on_page(reached: int, _head: int) -> None:
                # The bar follows the log's position: the events the replays skip are never read out of the store.
                bar.update_to(max(0, min(reached, total)))

            split = None if args.processes is None else args.processes == 2
            answer = simulate_log(app, draft, uscc=uscc, top=args.top, on_page=on_page, url=config.database_url,
                                  split=split).as_json()
        finally:
            bar.close()
        return name_organisations(app, answer)
    finally:
        app.close()


def _write(args: argparse.Namespace, answer: dict) -> int:
    """--output gets the chosen format; stdout gets JSON with --json, else, with no --output, a table: with one,
    stdout carries nothing more, as export's (a newcomer probe read the whole table after writing the file)."""
    as_json = (json.dumps(answer, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if args.output:
        fmt = args.format if args.format in report.RENDERERS else "json"
        content = report.RENDERERS[fmt](answer) if fmt in report.RENDERERS else as_json
        if args.output == "-":
            sys.stdout.buffer.write(content)
        else:
            try:
                write_whole(Path(args.output), content)
            except OSError as err:
                refuse("simulate", "output_unwritable", f"cannot write {args.output}: {err.strerror}. Choose another"
                       " --output", then(f"无法写入 {args.output}：{os_reason_zh(err)}", "请用 --output 换一个位置"))
                return 2
            say("simulate", tr(f"wrote the simulation ({fmt}) to {args.output}",
                               f"已将模拟结果（{fmt}）写入 {args.output}"))
    if args.json and args.output != "-":
        sys.stdout.buffer.write(as_json)
    elif not args.output:
        sys.stdout.buffer.write((_table(answer) + "\n").encode("utf-8"))
    sys.stdout.flush()
    base, drafted = answer["baseline"], answer["simulated"]
    was, now, delta = grouped(base["entitled"]), grouped(drafted["entitled"]), grouped(answer["delta"])
    say("simulate", tr(f"{answer['claims']:,} claims replayed under {drafted['policy_version']} beside"
                       f" {base['policy_version']}: {was} → {now} ({delta}); nothing was written to the store",
                       f"已按 {drafted['policy_version']} 与 {base['policy_version']} 分别重放"
                       f" {answer['claims']:,} 笔申请：{was} → {now}（{delta}）；未向存储写入任何内容"))
    return 0


def _table(answer: dict) -> str:
    """The programmes' totals as a table in the reader's language (the CSV and XLSX keep their own headings)."""
    zh = language() == "zh"
    rows = [(p["code"], p["name_zh"] if zh else p.get("name_en") or p["name_zh"], p["baseline"], p["simulated"],
             p["delta"], p["claims"]) for p in answer["programmes"]]
    rows.append(("合计" if zh else "total", "", answer["baseline"]["entitled"], answer["simulated"]["entitled"],
                 answer["delta"], answer["claims"]))
    columns = (("项目", "名称", "现行政策", "草案", "差额", "笔数") if zh else
               ("programme", "name", "in force", "draft", "difference", "claims"))
    warned = [("提示：" if zh else "note: ") + (w["message_zh"] if zh else w["message"])
              for w in answer.get("warnings") or ()]
    return "\n".join([*warned, render(columns, rows, right=(2, 3, 4, 5))])
