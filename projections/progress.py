"""A progress bar for `award-ledger rebuild`: position reached of the store's head, and the rate."""
from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    """Call with (done, total, events per second); `close()` ends the line."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        # Looked up at call time, not import time: sys.stderr may be replaced (pytest's capture, a daemon).
        self.stream, self.width = stream or sys.stderr, width

    def __call__(self, done: int, total: int, rate: float) -> None:
        share = done / total if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\rrebuilding read models [{bar}] {done:,}/{total:,} ({share:.0%}) {rate:,.0f} events/s")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()
