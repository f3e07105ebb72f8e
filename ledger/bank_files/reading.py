"""A bank file read line by line into the ledger's statement lines: the header found (banks print a few
lines about the account first), each row mapped, money read with its thousands separators and direction
(debit: money out, matched to payouts; credit: money in, for repayments), every refused line kept with its
number and what is wrong, so one reading names all of a file's faults at once."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from ledger.bank_files.column_map import ColumnMap, load
from ledger.bank_files.decoding import decode
from ledger.domain.bank_statement import StatementLine, statement_line
from ledger.domain.errors import InvalidInput, LedgerError

HEADER_SEARCH = 20  # rows a bank may print before its header
_DAY = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
        re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?"))


@dataclass(frozen=True)
class RefusedLine:
    line: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "message": self.message}


@dataclass
class BankFile:
    encoding: str
    lines: list[StatementLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    skipped: int = 0  # rows before the header and blank rows


def _day(text: str) -> str:
    for pattern in _DAY:
        if found := pattern.fullmatch(text.strip()):  # a day and nothing else: never a time after it
            year, month, day = (int(g) for g in found.groups())
            return date(year, month, day).isoformat()  # ValueError for 2024-13-01
    raise ValueError(text)


def _cell(row: list[str], columns: list[int] | None) -> str:
    for at in columns or ():
        if at < len(row) and row[at].strip():
            return row[at].strip()
    return ""


def _money(row: list[str], cols: dict[str, list[int]]) -> tuple[str, str]:
    """The line's amount (no sign, separators kept for the validator) and its direction."""
    debit, credit = _cell(row, cols.get("debit")), _cell(row, cols.get("credit"))
    if debit and credit:
        raise ValueError("has both a debit and a credit amount; a line moves money one way")
    if debit or credit:
        return (debit or credit).lstrip("+"), "debit" if debit else "credit"
    if signed := _cell(row, cols.get("signed_amount")):
        return (signed[1:], "debit") if signed.startswith("-") else (signed.lstrip("+"), "credit")
    if plain := _cell(row, cols.get("amount")):
        return plain.lstrip("-"), "debit"
    raise ValueError("has no amount")


def _reference(row: list[str], cols: dict[str, list[int]], pattern: re.Pattern[str]) -> str:
    if whole := _cell(row, cols.get("reference")):
        return whole
    memos = [row[at].strip() for at in cols.get("memo", ()) if at < len(row) and row[at].strip()]
    for memo in memos:
        if found := pattern.search(memo):
            return found.group(0)
    return memos[0] if memos else ""


def _line(row: list[str], cols: dict[str, list[int]], column_map: ColumnMap, n: int) -> StatementLine:
    raw_day = _cell(row, cols.get("date"))
    try:
        day = _day(raw_day)
    except ValueError:
        raise InvalidInput(f"line {n}: date {raw_day!r} is not a day written YYYY-MM-DD (2024-07-02), YYYYMMDD"
                           " or YYYY/MM/DD, with no time after it") from None
    try:
        amount, direction = _money(row, cols)
    except ValueError as err:
        raise InvalidInput(f"line {n}: {err}") from None
    line = statement_line({"date": day, "amount": amount, "reference": _reference(row, cols, column_map.memo_pattern),
                           "counterparty": _cell(row, cols.get("counterparty"))}, f"line {n}")
    return line if direction == "debit" else line.credited()


def read_bank_file(raw: bytes, column_map: ColumnMap | None = None) -> BankFile:
    """Every line of the file read, or refused with its number; InvalidInput if no header can be found."""
    column_map = column_map or load()
    text, encoding = decode(raw)
    found = BankFile(encoding)
    reader = csv.reader(io.StringIO(text, newline=""))
    cols: dict[str, list[int]] | None = None
    width = 0  # the header's cells: a line with more filled cells is shifted and would be read wrongly
    try:
        for row in reader:
            n = reader.line_num
            if not any(cell.strip() for cell in row):
                found.skipped += 1
                continue
            if cols is None:
                candidate = column_map.columns(row)
                if column_map.usable(candidate):
                    cols, width = candidate, len(row)
                elif n >= HEADER_SEARCH:
                    break
                else:
                    found.skipped += 1
                continue
            if any(cell.strip() for cell in row[width:]):
                found.refused.append(RefusedLine(n, f"line {n} has more cells than the header names ({width}); a"
                                                    " shifted line would be read wrongly"))
                continue
            try:
                found.lines.append(_line(row, cols, column_map, n))
            except LedgerError as err:
                found.refused.append(RefusedLine(n, err.detail))
    except csv.Error as err:
        found.refused.append(RefusedLine(reader.line_num, f"line {reader.line_num}: not readable as CSV ({err})"))
    if cols is None:
        raise InvalidInput("no header row names the statement's columns; the column map knows "
                           + column_map.described())
    if not found.lines and not found.refused:
        raise InvalidInput("the statement has no lines")
    return found


class StatementRefused(InvalidInput):
    code = "invalid_statement"


def accepted_lines(found: BankFile, *, import_good_lines: bool) -> list[StatementLine]:
    """The lines to import: all of them, or, when some are refused, none unless the good ones are asked for."""
    if found.refused and not import_good_lines:
        named = "; ".join(r.message for r in found.refused[:20]) + ("; ..." if len(found.refused) > 20 else "")
        raise StatementRefused(f"{len(found.refused)} line(s) of the statement cannot be read, so nothing was"
                               f" imported: {named}. Correct the file, or import the {len(found.lines)} good line(s)"
                               " with import_good_lines=true", refused_lines=[r.as_dict() for r in found.refused])
    if not found.lines:
        raise StatementRefused("no line of the statement can be read; nothing was imported",
                               refused_lines=[r.as_dict() for r in found.refused])
    return found.lines
