"""`award-ledger recheck`: run the rules in force over every recorded claim's facts, in recorded order, and
list each claim whose booked amount differs from what the rules now give, with both explanations: how a
ledger that paid under an older reading finds what to correct. Exit 0 when nothing differs, 1 otherwise."""
from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from typing import Any

from api.cli_language import events, language, tr
from api.commands import chain_check
from api.commands.common import POSITIONS, configure_logging, say, settings, stage
from api.reports.sheet import neutral

COLUMNS = ("claim_id", "uscc", "programme", "award_year", "status", "booked", "now", "difference", "refusal")


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("recheck", help=tr("list claims whose booked amount the rules in force would not give",
                                                 "列出按现行规则核算金额与入账金额不符的申请"))
    form = cmd.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help=tr("print the differing claims as JSON on stdout",
                                                             "以 JSON 在标准输出打印不符的申请"))
    form.add_argument("--csv", action="store_true", help=tr("print the differing claims as CSV on stdout",
                                                            "以 CSV 在标准输出打印不符的申请"))
    chain_check.add_flag(cmd)
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ledger.application import AwardLedger
    from ledger.replay import Replay, stored_events
    from ledger.store import store_env

    config = settings(args)
    configure_logging(config)
    # The chain first, as replay's: a changed event's amount would be listed as "booked", to be corrected with new
    # events (an operations probe), where it is tampering, for verify to locate and a backup to restore.
    if not chain_check.intact("recheck", config.database_url, accept_tampered=args.accept_tampered):
        return 1
    app = AwardLedger(store_env(config.database_url))
    try:
        total = app.recorder.max_notification_id() or 0
        # The log's highest position: on PostgreSQL a sequence a rolled-back save leaves gaps in, so the events read
        # may end below it (a race probe read "54/134", then "134 events read"); the verdict counts what was read.
        bar = stage("recheck", (f"running the rules in force over the recorded claims (the log up to position"
                                f" {total:,})", f"正在按现行规则重新核算已记录的申请（日志至位置 {total:,}）"),
                    ("log read", "已读日志"), total, unit=POSITIONS)
        read = [0]
        try:
            # Counted in log positions, as the total is (a regression probe's bar stopped at "109/129" on a store
            # with gaps); the verdict counts the events read.
            events_read = _counted(stored_events(app, at=bar.update_to), read)
            rows = [r for r in Replay(app.catalogue_on).run(events_read) if r.differs]
            bar.update_to(total)
        finally:
            bar.close()
    finally:
        app.close()
    if args.json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    elif args.csv:
        out = csv.writer(sys.stdout)
        out.writerow([*COLUMNS, "booked_explanation", "now_explanation"])
        for r in rows:
            d = r.as_dict()
            # The explanations are free text (a subject, a name): neutralised as every CSV the service writes
            # (api/reports/sheet.py); the other columns are codes and money, "-100.00" a number.
            out.writerow([*(d[c] for c in COLUMNS), neutral(_text(d["booked_explanation"])),
                          neutral(_text(d["now_explanation"]))])
    else:
        zh = language() == "zh"
        for r in rows:
            if zh:
                print(f"{r.claim_id}  {r.uscc}  {r.programme:<20} {r.award_year}  {r.status:<9} 入账 {r.booked:>15,}"
                      f"  现行规则 {r.now:>15,}" + (f"（现行规则拒绝：{r.refusal}）" if r.refusal else ""))
            else:
                print(f"{r.claim_id}  {r.uscc}  {r.programme:<20} {r.award_year}  {r.status:<9} booked"
                      f" {r.booked:>15,}  now {r.now:>15,}" + (f"  (now refused: {r.refusal})" if r.refusal else ""))
    if rows:
        say("recheck", tr(f"{len(rows):,} of the recorded claims differ from what the rules in force give; correct"
                          " them with new events (re-assessment on approval, or the corrections commands), never by"
                          " editing",
                          f"有 {len(rows):,} 笔已记录的申请与现行规则核算的结果不符；请以新的事件更正（审批时重新核定，"
                          "或使用更正类命令），切勿直接修改"))
        return 1
    say("recheck", tr(f"every recorded claim matches the rules in force ({events(read[0])} read)",
                      f"所有已记录的申请均与现行规则相符（已读 {read[0]:,} 个事件）"))
    return 0


def _counted(events: Iterator[Any], read: list[int]) -> Iterator[Any]:
    """The events, each counted in `read[0]` as it is read."""
    for read[0], event in enumerate(events, 1):
        yield event


def _text(steps: list[dict]) -> str:
    return " | ".join(f"{s.get('rule')}: {s.get('detail')}" for s in steps)
