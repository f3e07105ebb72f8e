"""Rows of cells written as the files people open: CSV (UTF-8 with a BOM, money as plain "1234.56") and XLSX
(money as exact numbers formatted '#,##0.00', bold totals, a red fill on flagged rows). The reconciliation
and the sandbox both build their rows and hand them here."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": CSV_MEDIA_TYPE, "xlsx": XLSX_MEDIA_TYPE}
Cell = str | Decimal | int | None


@dataclass(frozen=True)
class Line:
    cells: tuple[Cell, ...]
    bold: bool = False
    flagged: bool = False


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return f"{cell:.2f}"
    return str(cell)


def csv_bytes(lines: Sequence[Line]) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese headers), money as plain "1234.56"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([text(c) for c in line.cells])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(lines: Sequence[Line], title: str, widths: Sequence[int]) -> bytes:
    """One sheet, its first row frozen; openpyxl writes Decimal cells as exact numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title
    bold, red = Font(bold=True), PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    for n, line in enumerate(lines, start=1):
        for col, value in enumerate(line.cells, start=1):
            cell = sheet.cell(row=n, column=col, value=value)
            if isinstance(value, Decimal):
                cell.number_format = "#,##0.00"
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
