"""Progress for every long-running command, through tqdm: a live bar on a terminal; off a terminal (a log
file, a pipe, CI) no carriage-return updates at all, only one plain line when a stage ends.

tqdm draws, rate-limits and sizes the bar better than the hand-written `\\r` lines it replaces; it has no
"quiet off a terminal" mode that still reports anything (`disable=None` prints nothing), so the closing
summary line for logs is ours.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    """A stage's progress: `update_to(done, total)`, then `close()`; `desc` names what is counted. `zh`: the
    summary line reads in Chinese (the caller gives `desc` and `unit` in the reader's language)."""

    def __init__(self, desc: str, unit: str, stream: TextIO | None = None, total: int | None = None, *,
                 zh: bool = False, rated: bool = True) -> None:
        # Looked up at call time, not import time: sys.stderr may be replaced (pytest's capture, a daemon).
        self.stream = stream or sys.stderr
        self.live = _is_terminal(self.stream)
        self.zh, self.rated = zh, rated  # rated: counted at a rate; else a wait, summed up as the time it took
        self.desc, self.unit, self.began = desc, unit, time.monotonic()
        self.done, self.total = 0, total
        # A wait is shown as how far it has gone, without a rate or a time left (a close's 12 s wait read
        # "1/12 [00:00<00:02, 3.96 s/s]", a newcomer probe).
        waited = {} if rated else {"bar_format": "{desc}: {n_fmt}/{total_fmt}" + f" {unit}" + " |{bar}| [{elapsed}]"}
        self.bar = tqdm(desc=desc, total=total, unit=f" {unit}", unit_scale=False, file=self.stream,
                        disable=not self.live, dynamic_ncols=True, leave=True, **waited) if self.live else None

    def update_to(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.bar is not None:
            if total is not None and self.bar.total != total:
                self.bar.total = total
            self.bar.update(done - self.bar.n)

    def rate(self) -> float:
        return self.done / max(time.monotonic() - self.began, 1e-6)

    def close(self) -> None:
        """Ends the bar on a terminal; elsewhere writes the stage's one summary line."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
            return
        if self.live is False:
            self.live = None  # once
            of = f"/{self.total:,}" if self.total is not None else ""
            took = time.monotonic() - self.began
            if not self.rated:  # a wait: how long it took is the whole of it ("waited: 2/2 s in 2.5 s" read oddly)
                self.stream.write(f"{self.desc}：{took:.1f} 秒\n" if self.zh else f"{self.desc}: {took:.1f} s\n")
            else:
                self.stream.write(f"{self.desc}：{self.done:,}{of} {self.unit}，用时 {took:.1f} 秒（每秒"
                                  f" {self.rate():,.0f} {self.unit}）\n" if self.zh else
                                  f"{self.desc}: {self.done:,}{of} {self._counted()} in {took:.1f} s"
                                  f" ({self.rate():,.0f} {self.unit}/s)\n")
            self.stream.flush()


    def _counted(self) -> str:
        """The English unit as the count reads it: "1 event", "1/1 event", "2 events"."""
        one = (self.total if self.total is not None else self.done) == 1
        return self.unit[:-1] if one and self.unit.endswith("s") else self.unit


def _is_terminal(stream: TextIO) -> bool:
    """A terminal that can show a bar: one that reports no width (a pty of 0 columns: `script` without a terminal
    of its own, `docker exec -t` before its first resize) got tqdm's bar drawn in no columns, so nothing at all (an
    operator probe); it gets the summary lines, as a log does."""
    try:
        return stream.isatty() and os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, ValueError, OSError):
        return False


class ProgressBar:
    """`award-ledger rebuild`'s progress: called with (done, total, events per second); `close()` ends it."""

    def __init__(self, stream: TextIO | None = None, *, zh: bool = False) -> None:
        self.progress = Progress("重建读模型" if zh else "rebuilding read models", "个事件" if zh else "events",
                                 stream, zh=zh)

    def __call__(self, done: int, total: int, rate: float) -> None:
        self.progress.update_to(done, total)

    def close(self) -> None:
        self.progress.close()
