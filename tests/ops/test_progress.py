"""Progress through tqdm: a live bar on a terminal, and no carriage-return spam when stderr is a file."""
from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from projections.progress import Progress
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]
DEMO = ["demo", "--organisations", "40", "--bodies", "4", "--seed", "5"]


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE}
    return {**env, "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": url, "LEDGER_LOG_FORMAT": "text"}


def test_demo_with_stderr_in_a_file_writes_one_line_a_stage_and_no_carriage_return(database_url, tmp_path) -> None:
    """`award-ledger demo 2> file` writes no `\\r` at all: one summary line per stage with its count and rate."""
    log = tmp_path / "demo.err"
    with log.open("w") as err:
        done = subprocess.run([sys.executable, "-m", "api.cli", *DEMO], env=_env(database_url), cwd=tmp_path,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, timeout=300)
    text = log.read_text()
    assert done.returncode == 0, text
    assert "\r" not in text
    stages = [line for line in text.splitlines() if line.startswith("demo ")]
    assert {line.split(":")[0] for line in stages} >= {"demo organisations", "demo claims", "demo payouts"}
    assert len(stages) == len({line.split(":")[0] for line in stages})  # one line a stage, not an update each
    assert all("/s)" in line for line in stages)


def _through_a_terminal(rows: int, columns: int, *, rated: bool = True) -> str:
    """What a stage's progress (50 items in steps of 10) writes to a pty of this size."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    try:
        with os.fdopen(follower, "w", closefd=False) as stream:
            bar = Progress("demo claims", "items", stream, total=50, rated=rated)
            for done in range(0, 51, 10):
                bar.update_to(done, 50)
            bar.close()
        written = b""
        while select.select([leader], [], [], 0.2)[0]:  # the terminal hands its output back in pieces
            written += os.read(leader, 65536)
        return written.decode()
    finally:
        os.close(leader)
        os.close(follower)


def test_on_a_terminal_the_bar_redraws_in_place() -> None:
    """With a terminal as its stream, progress is tqdm's bar redrawn with `\\r`, ending at the total."""
    written = _through_a_terminal(24, 100)  # a terminal has a size
    assert "\r" in written and "demo claims" in written and "50/50" in written


def test_a_wait_on_a_terminal_shows_how_far_it_has_gone_without_a_rate_or_a_time_left() -> None:
    """A newcomer probe: close's 12 s wait read "1/12 [00:00<00:02, 3.96 s/s]": a time left that was not, and a rate
    of seconds a second. A wait's bar shows the count and the time so far."""
    written = _through_a_terminal(24, 100, rated=False)
    assert "50/50 items" in written and "/s" not in written and "<" not in written, repr(written)


def test_a_terminal_of_no_width_gets_the_closing_line() -> None:
    """A pty reporting 0 columns (`script` without a terminal, `docker exec -t` before its resize) showed nothing at
    all: tqdm drew its bar in no columns (an operator probe). It gets the closing line, as a log does."""
    written = _through_a_terminal(0, 0)
    assert "demo claims: 50/50 items in" in written and "\r\x1b" not in written, repr(written)


def test_off_a_terminal_progress_writes_only_its_closing_line() -> None:
    """A stream that is not a terminal gets nothing while updating, then one line with the count and rate."""
    stream = io.StringIO()
    bar = Progress("award-ledger verify: events checked", "events", stream)
    for done in range(0, 10_000, 100):
        bar.update_to(done)
    assert stream.getvalue() == ""
    bar.close()
    bar.close()  # closing twice writes once
    (line,) = stream.getvalue().splitlines()
    assert line.startswith("award-ledger verify: events checked: 9,900 events in") and "events/s)" in line


def test_a_chinese_closing_line_reads_in_chinese() -> None:
    """For a Chinese reader (`zh=True`) the closing line off a terminal words its count, time and rate in Chinese."""
    stream = io.StringIO()
    bar = Progress("award-ledger verify：已核验事件", "个", stream, total=300, zh=True)
    bar.update_to(300)
    bar.close()
    (line,) = stream.getvalue().splitlines()
    assert line.startswith("award-ledger verify：已核验事件：300/300 个，用时 ") and "秒（每秒 " in line
    assert line.endswith(" 个）") and " in " not in line and "/s" not in line
