"""Which line of a CSV file a record starts on: the csv module's `line_num` is the last line it read, and a
quoted cell may hold line breaks, so a refused record spanning lines 2-3 was reported at line 3."""
from __future__ import annotations

import re
from collections.abc import Iterable

BREAK = re.compile(r"\r\n|\r|\n")  # what io.StringIO(newline="") splits lines on


def record_start(line_num: int, cells: Iterable[str | None]) -> int:
    """The first line of the record just read, given the reader's `line_num` after it and the record's cells."""
    return line_num - sum(len(BREAK.findall(cell)) for cell in cells if cell)
