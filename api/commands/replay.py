"""`award-ledger replay --as-of T`: the whole ledger's state as it was known at a past moment, replayed
from the event log through the read models' fold in memory, once the chain is verified; progress on stderr."""
from __future__ import annotations

import argparse
import json
from datetime import datetime

from api.cli_language import events as count
from api.cli_language import language, refuse, tr
from api.commands import chain_check
from api.commands.common import configure_logging, say, settings
from api.reports.table import render
from ledger import beijing
from ledger.domain.text import cut
from projections.progress import Progress


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("replay", help=tr("print the ledger's state as known at a past moment",
                                                "打印台账在过去某一时刻所知的状态"))
    cmd.add_argument("--as-of", required=True, metavar="T", help=tr(
        "a recorded time, RFC 3339 (2024-01-01T00:00:00+08:00); a date alone means the end of that day, Beijing"
        " time",
        "记录时刻，RFC 3339 格式（2024-01-01T00:00:00+08:00）；只写日期表示北京时间当日结束时"))
    cmd.add_argument("--json", action="store_true", help=tr("print the state as JSON on stdout",
                                                            "以 JSON 在标准输出打印状态"))
    chain_check.add_flag(cmd)
    cmd.set_defaults(run=run)


def moment(text: str) -> datetime:
    """What GET /v1/finance/reconciliation's and GET awards' `as_of` take, by their own validator
    (api/schemas/awards.py `AsOf`): an RFC 3339 timestamp with seconds and an offset, or a bare date, the end of
    that day in Beijing time. Anything the API refuses (a time without seconds or an offset, a moment outside the
    range the ledger can hold, text around it) is refused here too (ValueError)."""
    from pydantic import TypeAdapter, ValidationError

    from api.schemas.awards import AsOf

    try:
        return TypeAdapter(AsOf).validate_python(text)
    except ValidationError as err:
        said = (err.errors()[0].get("ctx") or {}) if err.errors() else {}
        refused = MomentRefused(f"{text!r} is neither a day nor an RFC 3339 timestamp with seconds and an offset")
        # The validator's own words where it has some (a full-width day: what to type), as the API says them.
        refused.detail, refused.zh = said.get("detail"), said.get("zh")
        raise refused from err


def read_or_refuse(command: str, text: str) -> datetime | None:
    """`--as-of` read by `moment`, or None once refused on stderr (`replay`'s and `export`'s, alike)."""
    try:
        return moment(text)
    except MomentRefused as err:
        # The validator's own words where they say more than "not a moment": full-width, no such day, outside the
        # years the ledger holds (1899-12-31 was told to give a day: an audit probe).
        if err.detail and "is not an RFC 3339 timestamp" not in err.detail:
            refuse(command, "argument_invalid", f"--as-of {err.detail}", f"--as-of {err.zh or err.detail}")
            return None
        refuse(command, "argument_invalid",
               f"--as-of {cut(text)!r} is not a moment; give RFC 3339, e.g. 2024-01-01T00:00:00+08:00 (seconds"
               " and an offset), or a day (2024-01-01: its end, Beijing time)",
               f"--as-of {cut(text)!r} 不是一个时间；请按 RFC 3339 给出带秒和时区偏移的时间，例如"
               " 2024-01-01T00:00:00+08:00，或只给日期（如 2024-01-01，按北京时间当天结束时计）")
        return None


class MomentRefused(ValueError):
    """`moment`'s refusal, with the API validator's words for it (`detail`, `zh`) where it gives any."""

    detail: str | None = None
    zh: str | None = None


def run(args: argparse.Namespace) -> int:
    from projections.ledger_as_of import ledger_as_of

    config = settings(args)
    configure_logging(config)
    if (as_of := read_or_refuse("replay", args.as_of)) is None:
        return 2
    if not chain_check.intact("replay", config.database_url, accept_tampered=args.accept_tampered):
        return 1
    bar = Progress(tr("award-ledger replay: events read", "award-ledger replay: 已读事件"), tr("events", "个"),
                   zh=language() == "zh")
    try:
        state = ledger_as_of(config.database_url, as_of, bar.update_to)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(state, indent=2, ensure_ascii=False))
    else:
        print(describe(state))
    shown, shown_zh = beijing.shown(state["as_of"], exact=True), beijing.shown_zh(state["as_of"], exact=True)
    say("replay", tr(f"{count(state['events_replayed'])} recorded by {shown} replayed",
                     f"已重放截至 {shown_zh}记录的 {state['events_replayed']:,} 个事件"))
    return 0


def describe(state: dict) -> str:
    """The state as tables, in the reader's language (--json keeps the field names)."""
    zh = language() == "zh"
    money = ("entitled", "approved", "paid", "outstanding", "to_recover", "recovered", "written_off")
    orgs = [(o["uscc"], o["name"], o["claims"], *(o["totals"][k] for k in money)) for o in state["organisations"]]
    t = state["totals"]
    orgs.append(("合计" if zh else "total", "", sum(o["claims"] for o in state["organisations"]),
                 *(t[k] for k in money)))
    below = "低于最低安排" if zh else "BELOW FLOOR"
    funds = [(f["year"], f["appropriated"], f["approved"], f["headroom"], f["floor"],
              below if f["below_floor"] else "") for f in state["fund_years"]]
    # exact: two instants a microsecond apart are two books, and their headings said one time (an audit probe)
    shown = (beijing.shown_zh if zh else beijing.shown)(state["as_of"], exact=True)
    events, position = state["events_replayed"], state["position"]
    head = (f"台账截至 {shown}所知的状态（{events:,} 个事件，至位置 {position:,}）" if zh else
            f"the ledger as known at {shown} ({count(events)}, up to position {position:,})")
    # A revoked award's recovery is part of what the ledger knew (a parity probe: the table had no column for it
    # where `--json` and GET awards have to_recover, recovered and written_off).
    org_columns = (("统一社会信用代码", "名称", "申请笔数", "应得", "已批准", "已拨付", "未拨付", "应追回", "已追回",
                    "已核销") if zh else
                   ("uscc", "name", "claims", "entitled", "approved", "paid", "outstanding", "to recover",
                    "recovered", "written off"))
    fund_columns = (("资金年度", "已安排预算", "已批准占用", "剩余额度", "最低安排", "") if zh else
                    ("fund year", "appropriated", "approved", "headroom", "floor", ""))
    return "\n".join([head, "", render(org_columns, orgs, right=tuple(range(2, 10))), "",
                      render(fund_columns, funds, right=(1, 2, 3, 4))])
