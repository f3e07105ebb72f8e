"""Rows of cells written as the files people open: CSV (UTF-8 with a BOM, money as plain "1234.56") and XLSX
(money as exact numbers formatted '#,##0.00', bold totals, a red fill on flagged rows). The reconciliation
and the sandbox both build their rows and hand them here, so every file the service writes passes through
`csv_bytes` or `xlsx_bytes`.

Free text (organisation and programme names, principals, notes) may come from anyone who can register an
organisation or paste a draft. A spreadsheet reads a text cell that begins with = + - @ (or a tab or carriage
return) as a formula (CSV injection, OWASP): the CSV writes such text behind a single quote ', the XLSX as an
explicit string cell marked quotePrefix, so it is shown as typed and never evaluated. Only `str` cells are text:
money (Decimal) and counts (int) are written as they are, so "-100.00" stays a number.

Excel keeps 15 significant digits: money with more (999,999,999,999,999.99) cannot be an exact number cell, so
the XLSX writes it as text "999999999999999.99", right-aligned, as the CSV and the JSON give it."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}
Cell = str | Decimal | int | None


@dataclass(frozen=True)
class Line:
    cells: tuple[Cell, ...]
    bold: bool = False
    flagged: bool = False


# What a spreadsheet takes as the start of a formula (OWASP's CSV injection list): = + - @, tab, carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's precision: a number cell with more significant digits than this is shown (and summed) rounded.
EXCEL_DIGITS = 15


def formula_like(value: str) -> bool:
    """Whether a spreadsheet would read this text as a formula rather than as the text it is."""
    return value.startswith(FORMULA_STARTS)


def neutral(value: str) -> str:
    """Free text as a CSV cell: behind a single quote when it would otherwise be read as a formula."""
    return "'" + value if formula_like(value) else value


def exact_number(amount: Decimal) -> bool:
    """Whether the amount survives as a spreadsheet number: finite, at most 15 significant digits."""
    return amount.is_finite() and len(amount.normalize().as_tuple().digits) <= EXCEL_DIGITS


def text(cell: Cell) -> str:
    """A cell as CSV text: money as plain "1234.56", counts as digits, free text neutralised (`neutral`)."""
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:.2f}"
    if isinstance(cell, str):
        return neutral(cell)
    return str(cell)


def csv_bytes(lines: Sequence[Line]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese headers), money as plain "1234.56", free text that would
    start a formula behind a single quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([text(c) for c in line.cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(lines: Sequence[Line], title: str, widths: Sequence[int]) -> bytes:
    """One sheet, its first row frozen; money as numbers formatted '#,##0.00' (as right-aligned text past 15
    significant digits), every str cell an explicit string cell, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title
    bold, red = Font(bold=True), PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    for n, line in enumerate(lines, start=1):
        for col, value in enumerate(line.cells, start=1):
            if isinstance(value, Decimal) and exact_number(value):
                cell = sheet.cell(row=n, column=col, value=value)
                cell.number_format = "#,##0.00"
            elif isinstance(value, Decimal):  # past Excel's 15 digits a number would lose fen: the exact text
                cell = _string(sheet.cell(row=n, column=col), f"{value:.2f}")
                cell.alignment = Alignment(horizontal="right")
            elif isinstance(value, str):
                cell = _string(sheet.cell(row=n, column=col), value)
            else:
                cell = sheet.cell(row=n, column=col, value=value)
            if line.bold:
                cell.font = bold
            if line.flagged:
                cell.fill = red
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _string(cell: Any, value: str) -> Any:
    """`value` as an explicit string cell: openpyxl would store text starting with '=' as a formula, so the type
    is set after the value; text a spreadsheet would read as a formula is marked quotePrefix too, so editing the
    cell in Excel keeps it text."""
    cell.value = value
    cell.data_type = "s"
    if formula_like(value):
        cell.quotePrefix = True
    return cell
