"""`award-ledger demo`: load a deterministic synthetic Binjiang district, then bring the read models up to it,
so the API answers about it at once. Written through the ledger's idempotency keys: running it again is a no-op."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from api.cli_language import language, tr, whole_number
from api.commands.common import configure_logging, say, settings
from api.signing import load_signer
from api.startup import one_at_a_time
from ledger.application import AwardLedger
from ledger.demo import generate, summary_lines
from ledger.store import store_env
from projections.progress import Progress
from projections.rebuild import catch_up
from projections.view import open_view


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("demo", help=tr(
        "load a demonstration district (same seed, same district; rerun is a no-op)",
        "载入演示用的辖区数据（种子相同则数据相同；重复运行不会改动）"))
    cmd.add_argument("--organisations", type=_organisations, default=500, help=tr(
        f"enterprises to register (500; at most {MAX_ORGANISATIONS:,})",
        f"登记的企业数（500；至多 {MAX_ORGANISATIONS:,}）"))
    cmd.add_argument("--bodies", type=_bodies, default=40, help=tr(
        f"innovation bodies to recognise (40; at most {MAX_BODIES:,})", f"认定的创新载体数（40；至多 {MAX_BODIES:,}）"))
    cmd.add_argument("--seed", type=whole_number(), default=2022, help=tr("the district's random seed (2022)",
                                                              "演示数据的随机种子（2022）"))
    cmd.add_argument("--offer", action="store_true", help=tr(
        "only on an empty store: ask on a terminal whether to load it, else print how to (what `make serve` runs"
        " first)",
        "仅在存储为空时：在终端上询问是否载入，否则打印载入方法（`make serve` 启动前先运行它）"))
    cmd.set_defaults(run=run)


# A district many times Binjiang's (some tens of thousands of enterprises) and still a demo: the district is planned
# in memory before it is written, so a mistyped 99999999999999999 is refused at once instead of eating the memory.
MAX_ORGANISATIONS, MAX_BODIES = 1_000_000, 100_000
_organisations = whole_number(minimum=1, maximum=MAX_ORGANISATIONS)
_bodies = whole_number(minimum=1, maximum=MAX_BODIES)


# The demo's stages (ledger/demo.py) as a Chinese reader reads them.
STAGES_ZH = {"appropriations": "专项资金预算", "organisations": "企业登记", "bodies": "创新载体认定",
             "official list": "认定名单", "certifications": "资质认定", "claims": "申请", "payouts": "拨付",
             "reversals": "冲回", "corrections": "更正"}


class StageBar:
    """Progress per stage on stderr through tqdm (`demo claims`, counted with a rate); one line a stage off a
    terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.stage, self.bar = "", None
        self.zh = language() == "zh"

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage or self.bar is None:
            self.close()
            desc = f"演示{STAGES_ZH.get(stage, stage)}" if self.zh else f"demo {stage}"
            self.stage, self.bar = stage, Progress(desc, "项" if self.zh else "items", self.stream, total,
                                                   zh=self.zh)
        self.bar.update_to(done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        self.stage, self.bar = "", None


def run(args: argparse.Namespace) -> int:
    config = settings(args)
    configure_logging(config)
    if args.offer and not _accepted(config.database_url):
        return 0
    with one_at_a_time(config.database_url):  # a starting API or projector may be creating the tables too
        # Sealed with the service's key, so the snapshots the demo's commands take are ones serve will use.
        ledger = AwardLedger(store_env(config.database_url), seal_key=load_signer(config).seal_key())
    try:
        bar = StageBar()
        try:
            summary = generate(ledger, organisations=args.organisations, bodies=args.bodies, seed=args.seed,
                               progress=bar)
        finally:
            bar.close()
        for line in summary_lines(summary, zh=language() == "zh"):
            say("demo", line)
        view = open_view(config.database_url)
        try:
            # A running projector may fold the same pages; the tracked position makes each apply once.
            applied = catch_up(view, ledger)
            say("demo", tr(f"read models up to date at event {view.position():,} ({applied:,} applied here);"
                           " the API answers about the district now",
                           f"读模型已更新至第 {view.position():,} 个事件（本次应用 {applied:,} 个）；"
                           "接口现在可以查询该辖区"))
        finally:
            view.close()
    finally:
        ledger.close()
    return 0


def _accepted(url: str) -> bool:
    """On an empty store, whether the person at the terminal wants the demo; never blocks without a terminal."""
    store_env(url)  # makes a SQLite file's folder, as every command does on a fresh machine
    view = open_view(url)
    try:
        if view.max_notification_id() > 0:
            return False
    finally:
        view.close()
    if not sys.stdin.isatty():
        say("demo", tr("the store is empty; `award-ledger demo` loads a demonstration district",
                       "存储为空；`award-ledger demo` 可载入演示辖区数据"))
        return False
    try:
        answer = input(tr("award-ledger: the store is empty. Load the demo district? [y/N] ",
                          "award-ledger：存储为空。是否载入演示辖区数据？[y/N] "))
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")
