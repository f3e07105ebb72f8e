"""Which line of a CSV file a record starts on: the csv module's `line_num` is the last line it read, and a
quoted cell may hold line breaks, so a refused record spanning lines 2-3 was reported at line 3."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

BREAK = re.compile(r"\r\n|\r|\n")  # what io.StringIO(newline="") splits lines on


def record_start(line_num: int, cells: Iterable[str | None]) -> int:
    """The first line of the record just read, given the reader's `line_num` after it and the record's cells."""
    return line_num - sum(len(BREAK.findall(cell)) for cell in cells if cell)


def open_to_the_end(text: str, line: int, cells: list[str]) -> int | None:
    """The line a quote never closed opens on, if the file's last record (read from `line`, its `cells` as read)
    is one; else None. Read leniently, the csv module takes the rest of the file as the cell and says nothing, so
    the rows swallowed would go unnamed; read strictly from the record's lines, it finds the file ending inside a
    quoted cell. A file ending in a line break put that break inside the cell too, so the record began a line
    after where counting its breaks puts it. Only the record's own lines are read again."""
    lines = text.splitlines(keepends=True)
    try:
        for _ in csv.reader(io.StringIO("".join(lines[max(line - 1, 0):]), newline=""), strict=True):
            pass
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            return line + (1 if text.endswith(("\n", "\r")) else 0)
    return None
