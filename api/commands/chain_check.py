"""The chain verified before a command trusts the event log: `rebuild` (which serves what it folds), `replay`
(which prints it) and `close` (which signs it) first recompute the tamper-evidence chain, with progress, and
refuse a tampered store (`close` whatever the operator accepts).

It reads every event once more (bench/RESULTS.md: about 40 s a million; README "Rebuild the read models"), which
is why it lives here, on the command line, and not in the library's rebuild the benchmarks time.
`--accept-tampered` lets an operator who knows the store was changed (investigating it) go on: the refusal is
still said, as a warning, and the command then reads the events as they now stand.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from api.cli_language import language, refuse, tr
from api.commands.common import say
from ledger.audit.chain import AuditChain
from ledger.audit.tampering import CODE, found, what_to_do
from ledger.store import SQLITE_SHARED_MEMORY, is_postgres, sqlite_path
from projections.progress import Progress

# What a command does with a store it just made empty, said after "no ledger was there" (`no_ledger_there`).
NOTHING_THERE = {
    "verify": ("there is nothing to verify", "没有可核验的内容"),
    "export": ("the reconciliation exported holds nothing recorded, all zeros",
               "导出的对账结果不含任何已记录的内容，数字均为零"),
    "replay": ("there is nothing to replay", "没有可重放的内容"),
    "rebuild": ("there is nothing to rebuild", "没有可重建的内容"),
}


def add_flag(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--accept-tampered", action="store_true", help=tr(
        "go on even if the tamper-evidence chain breaks (the events read may have been changed; investigating"
        " only)", "即使防篡改链断裂也继续（读到的事件可能已被改动；仅用于调查）"))


def say_tampering(command: str, report: dict, more_en: str = "", more_zh: str = "") -> None:
    """The chain's first break as `[tampering]`: where, why, what to do (and `more`, what this command did)."""
    en, zh = found(report["first_bad_position"], report["reason"], report["reason_zh"], report.get("failure"),
                   what_to_do(report))
    refuse(command, CODE, f"{en}. {more_en}" if more_en else en, f"{zh}。{more_zh}" if more_zh else zh)


def no_store_yet(url: str) -> str | None:
    """The SQLite file a URL names, where no file is there yet (None for PostgreSQL, memory, or a file present)."""
    if is_postgres(url):
        return None
    path = sqlite_path(url)
    return None if path == SQLITE_SHARED_MEMORY or path.startswith("file:") or Path(path).exists() else \
        str(Path(path).resolve())


def no_ledger_there(command: str, new: str | None) -> None:
    """Said where the command found no SQLite file at `new` (`no_store_yet`, read before the store was opened): it
    made the empty store there (every command does, as the contract has it) and goes on over nothing, so a mistyped
    path is not read as a ledger; `verify` said "intact", then `export` wrote a reconciliation of zeros, exit 0
    (robustness and regression probes)."""
    if new is None:
        return
    en, zh = NOTHING_THERE.get(command, ("", ""))
    say(command, tr(f"no ledger was at {new}: an empty one was made there{f', and {en}' if en else ''}; if the ledger"
                    " lives elsewhere, set LEDGER_DATABASE_URL to its file",
                    f"{new} 处原本没有台账：已在该处建立一个空台账{f'，{zh}' if zh else ''}；"
                    "如台账在别处，请把 LEDGER_DATABASE_URL 设为该文件"))


def intact(command: str, url: str, *, accept_tampered: bool, signs: bool = False) -> bool:
    """Verify the store's chain end to end, with progress; True when the command may go on (the chain is intact,
    or the operator accepts it is not), False once refused (exit 1). `signs`: the command signs what it records
    (`close`), so it is never done on changed events, accepted or not. A SQLite file that was not there is said so
    (`no_ledger_there`)."""
    new = no_store_yet(url)
    bar = Progress(tr(f"award-ledger {command}: chain checked", f"award-ledger {command}: 已核验链上事件"),
                   tr("events", "个事件"), zh=language() == "zh")
    try:
        chain = AuditChain.open(url)
        caught_up(command, chain)
        no_ledger_there(command, new)
        report = chain.verify(progress=lambda checked, _at: bar.update_to(checked), logged=False)
        bar.update_to(report["events_checked"])  # up to the break, which may come before the first page ends
    finally:
        bar.close()
    if report["ok"]:
        return True
    if signs:
        say_tampering(command, report, "Nothing was recorded: a close signs the figures it records, and these would"
                      " rest on changed events. Find the change (award-ledger verify), restore the store from a"
                      " backup taken before it, then close",
                      "未记录任何内容：结账会对所记录的数字签名，而这些数字将基于被改动的事件。请先查明改动"
                      "（award-ledger verify），用改动之前的备份恢复存储，再结账")
        return False
    if accept_tampered:
        say_tampering(command, report, "Going on as --accept-tampered asks: what follows reads the events as they"
                      " now stand, changed ones included",
                      "按 --accept-tampered 继续：以下内容按事件当前的样子读出，包括被改动的事件")
        return True
    say_tampering(command, report, "Nothing was done. To go on with the events as they now stand, knowingly, add"
                  " --accept-tampered", "未做任何操作。如确需按事件当前的样子继续，请加 --accept-tampered")
    return False


def caught_up(command: str, chain: AuditChain) -> None:
    """Said when opening the store linked events up to its upgrade point (`ledger/audit/linking.py`): right after
    an upgrade from a version that chained in the background, that is the catching up; on a store no such version
    ran, the upgrade point was moved and the links are an intruder's (an audit probe moved it over a forged event,
    and `verify` chained the forgery and said intact without a word; then `export`, run first, did so unsaid)."""
    if chain.appended_range is None:
        return
    count, (first, last) = chain.appended, chain.appended_range
    say(command, tr(f"note: opening the store linked {count:,} events (positions {first:,} to {last:,}) recorded"
                     " before this version first opened it, which an earlier version had not chained yet. If no"
                     " earlier version (one that chained in the background) ever ran on this store, those events were"
                     " not the ledger's to link: treat it as tampering, keep the store as it is and check it with a"
                     " digest kept outside the system (`award-ledger verify --digest FILE`)",
                     f"注意：打开存储时链接了 {count:,} 个事件（位置 {first:,} 至 {last:,}），它们记录于本版本首次"
                     "打开该存储之前，早期版本尚未将其链接。如果该存储从未运行过早期版本（在后台链接的版本），这些事件"
                     "本不应由台账链接：请按篡改处理，保持存储原样，并用保存在系统之外的摘要核验"
                     "（`award-ledger verify --digest FILE`）"))
