"""`simulate`, `recheck` and `close` show their progress as every long-running command does: off a terminal (stderr
captured here, as in a log file), one line as the stage starts and one as it ends with the count and the time,
no carriage return, in the reader's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.cli import main
from api.commands.common import POSITIONS
from ledger.application import AwardLedger
from ledger.store import store_env

ROOT = Path(__file__).resolve().parents[2]
IN_FORCE = sorted((ROOT / "ledger" / "catalogue").glob("*.toml"))[-1]  # a draft identical to the policy in force


@pytest.fixture
def district(demo_district: str) -> str:
    return demo_district


def _events(url: str) -> int:
    ledger = AwardLedger(store_env(url))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def _said(argv: list[str], lang: str, url: str, monkeypatch, capsys) -> tuple[str, int]:
    """(stderr, events in the log before) of `award-ledger ARGV` for a reader of `lang`; exit 0 (recheck: or 1)."""
    monkeypatch.setenv("LEDGER_LANG", lang)
    events = _events(url)
    capsys.readouterr()
    assert main(argv) in ((0, 1) if argv[0] == "recheck" else (0,))
    return capsys.readouterr().err, events


def _assert_start_and_end(err: str, command: str, lang: str, starting: str, counted: str, events: int,
                          unit: tuple[str, str] = ("events", "个事件")) -> None:
    """One start line, then one closing line with the count, the time and the rate; no `\\r` anywhere."""
    assert "\r" not in err, err
    lines = err.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(f"award-ledger {command}: {starting}")]
    if lang == "zh":
        end = (rf"award-ledger {command}: {counted}：{events:,}/{events:,} {unit[1]}，用时 \d+\.\d 秒"
               rf"（每秒 [\d,]+ {unit[1]}）")
    else:
        end = (rf"award-ledger {command}: {counted}: {events:,}/{events:,} {unit[0]} in \d+\.\d s"
               rf" \([\d,]+ {unit[0]}/s\)")
    ends = [i for i, line in enumerate(lines) if re.fullmatch(end, line)]
    assert len(starts) == 1 and len(ends) == 1 and starts[0] < ends[0], err


def test_simulate_says_when_its_replay_starts_and_ends(district: str, monkeypatch, capsys) -> None:
    """`simulate` off a terminal: `replaying the log's N events …`, then `events replayed: N/N events in …`."""
    argv = ["simulate", "--catalogue", str(IN_FORCE), "--json"]
    err, events = _said(argv, "en", district, monkeypatch, capsys)
    _assert_start_and_end(err, "simulate", "en", f"replaying the log's {events:,} events", "events replayed", events)
    err, events = _said(argv, "zh", district, monkeypatch, capsys)
    _assert_start_and_end(err, "simulate", "zh", f"正在按现行目录和草案重放事件日志（共 {events:,} 个事件）",
                          "已重放事件", events)


def test_recheck_says_when_its_reading_starts_and_ends(district: str, monkeypatch, capsys) -> None:
    """`recheck` off a terminal: `running the rules in force … (the log up to position N)`, then `events read:
    N/N …` (a position, not a count: on PostgreSQL the log's positions may have gaps)."""
    err, events = _said(["recheck", "--json"], "en", district, monkeypatch, capsys)
    _assert_start_and_end(err, "recheck", "en", "running the rules in force over the recorded claims"
                          f" (the log up to position {events:,})", "log read", events, POSITIONS)
    err, events = _said(["recheck", "--json"], "zh", district, monkeypatch, capsys)
    _assert_start_and_end(err, "recheck", "zh", f"正在按现行规则重新核算已记录的申请（日志至位置 {events:,}）",
                          "已读日志", events, POSITIONS)


def test_close_says_when_its_fold_starts_and_ends(district: str, monkeypatch, capsys) -> None:
    """`close` off a terminal: `folding the log into the Y reconciliation (the log up to position N)`, then `log
    folded: N/N …` (a position, as recheck says: a corrections probe read "the log's 687 events" where verify
    counted 670 on PostgreSQL); its hand-written `\\r` line is gone."""
    err, events = _said(["close", "--year", "2023"], "en", district, monkeypatch, capsys)
    _assert_start_and_end(err, "close", "en", "folding the log into the 2023 reconciliation (the log up to position"
                          f" {events:,})", "log folded", events, POSITIONS)
    err, events = _said(["close", "--year", "2024"], "zh", district, monkeypatch, capsys)
    _assert_start_and_end(err, "close", "zh", f"正在将事件日志汇总为 2024 年度对账结果（日志至位置 {events:,}）",
                          "已汇总日志", events, POSITIONS)


def test_recheck_counts_log_positions_to_the_end_on_a_log_with_gaps(district: str, monkeypatch, capsys) -> None:
    """A regression probe: on a PostgreSQL log with gaps (rolled-back saves), recheck's bar counted events read
    against the head position and stopped at "109/129 log positions". It counts the positions it reads, so it ends
    at the head, whatever the gaps; the verdict still counts the events."""
    import psycopg

    from ledger.store import is_postgres, postgres_conninfo
    from tests.store.conftest import World

    if is_postgres(district):  # twenty positions no event holds, as twenty rolled-back saves leave them
        with psycopg.connect(postgres_conninfo(district)) as conn:
            conn.execute("SELECT nextval('awardledger_events_notification_id_seq') FROM generate_series(1, 20)")
    ledger = AwardLedger(store_env(district))
    try:
        World(ledger).org()
    finally:
        ledger.close()
    err, head = _said(["recheck", "--json"], "en", district, monkeypatch, capsys)
    _assert_start_and_end(err, "recheck", "en", "running the rules in force over the recorded claims"
                          f" (the log up to position {head:,})", "log read", head, POSITIONS)
