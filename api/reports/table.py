"""Plain-text tables for the terminal: columns padded to their widest cell, East Asian wide characters
counted as two, money right-aligned."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

MONEY = re.compile(r"(?<![\d+-])[+-]?\d++\.\d\d")  # an amount as the ledger writes it: to the fen, no separators


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()) -> str:
    """The rows under their headers; the columns numbered in `right` are right-aligned, an amount in them with its
    thousands grouped as the pages show it (1,300,012.00: a finance officer read 1300012.00 in the terminal and
    1,300,012.00 元 on the page, a zh probe)."""
    cells = [[str(h) for h in headers], *[[_cell(c, i in right) for i, c in enumerate(row)] for row in rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        padded = [(" " * (widths[i] - width(c)) + c) if i in right else (c + " " * (widths[i] - width(c)))
                  for i, c in enumerate(row)]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: object, money: bool) -> str:
    text = "" if value is None else str(value)
    return grouped(text) if money else text


def grouped(amount: object) -> str:
    """An amount as the ledger writes it, its thousands grouped as the pages show it (1,300,012.00; a sign kept);
    anything else as it is."""
    text = "" if amount is None else str(amount)
    if not MONEY.fullmatch(text):
        return text
    return ("+" if text.startswith("+") else "") + f"{Decimal(text):,.2f}"
