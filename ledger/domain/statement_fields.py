"""How a bank statement's file and fields are read, strictly: its size, a booking day, an amount.

Kept apart from the statement aggregate so that every reader of bank files (the CSV parser today; an
encoding-detecting or Chinese-header reader later) calls the same checks and refuses alike.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from ledger.domain.errors import InvalidAmount, InvalidInput
from ledger.domain.text import FULL_WIDTH, MOST_FIGURE
from ledger.domain.values import MAX_INTEGER_DIGITS, money

MAX_LINES = 100_000  # the same bound as a JSON statement's `lines`
MAX_LINE_CHARS = 2_000  # a CSV line: four short fields, with room to spare
# References read from one memo (a contract number, a day, a sum and the payout's own, in any order): the rest of
# a memo is not read for references. Each is kept on the line and indexed, so a memo of hundreds (a probe's 3 MB
# file of 200 a line) would cost the import and every report in proportion.
MEMO_REFERENCES = 8
# A booking day the ledger can be about: the policy runs 2022–2025; this leaves decades either side
# and refuses the year-1 and year-9999 days a slipped export produces.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Plain digits, or digits grouped in threes by commas ("1,234,567.89"); at most two places.
_PLAIN = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?")
# A day written year first as a spreadsheet writes it (2024/5/1, 2024-5-1, 2024.5.1, 2024年5月1日): refused, as the
# contract pins YYYY-MM-DD, but with the day to write (a bureau probe had a list from Excel refused row by row).
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
# Begun only where a run of spaces begins (`(?<!\s)`): tried from each space of a run, it was quadratic in it (a
# date of 30,000 spaces held a worker 15 s: a regression probe).
_TIME_AFTER = re.compile(r"(?:(?<!\s)\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                         r"(?:\s*(?:Z|[+-][0-9]{2}:?[0-9]{2}))?$")
_YEAR_FIRST = re.compile(r"([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?")


class StatementTooLarge(InvalidInput):
    code = "statement_too_large"


def check_size(text: str) -> None:
    """Refuse a statement with more lines, or a longer line, than a bank export has."""
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise StatementTooLarge(f"line {number} is {len(line):,} characters long; a statement line has at most"
                                    f" {MAX_LINE_CHARS:,}. Check the file is the bank's CSV export",
                                    zh=f"第 {number} 行长 {len(line):,} 个字符，流水每行最多 {MAX_LINE_CHARS:,} 个；"
                                    "请确认上传的是网银导出的 CSV 文件")
        count = number
    if count > MAX_LINES + 1:  # the header, then the lines
        raise StatementTooLarge(f"the statement has {count - 1:,} lines; import at most {MAX_LINES:,} at a time"
                                " (split it by month)",
                                zh=f"流水共 {count - 1:,} 行，每次最多导入 {MAX_LINES:,} 行；请按月拆分后分别导入")


def where_zh(where: str) -> str:
    """`line 3` (a CSV's) or `lines[2]` (a JSON body's, counted from 0) as a Chinese reader counts lines."""
    if found := re.fullmatch(r"line (\d+)", where):
        return f"第 {found.group(1)} 行"
    if found := re.fullmatch(r"lines\[(\d+)\]", where):
        return f"第 {int(found.group(1)) + 1} 行"
    return where


def _bounded(text: str, where: str, what: str, what_zh: str, write: str, write_zh: str) -> None:
    """A day or an amount longer than any is refused before it is read (`MOST_FIGURE`): normalising it is quadratic
    in combining marks out of order (a stall probe)."""
    if len(text) > MOST_FIGURE:
        shown = repr(text[:39] + "…")  # cut visibly, as a long amount is quoted elsewhere
        raise InvalidInput(f"{where}: {what} {shown} is {len(text):,} characters long, more than any {what} is"
                           f" ({MOST_FIGURE} at most); write {write}",
                           zh=f"{where_zh(where)}：{what_zh} {shown} 长 {len(text):,} 个字符，超过任何{what_zh}"
                              f"的长度（最多 {MOST_FIGURE} 个）；请填写{write_zh}")


def booking_day(raw: object, where: str) -> date:
    """A `YYYY-MM-DD` day between FIRST_DAY and LAST_DAY; never a time, a timestamp or another layout."""
    text = str(raw if raw is not None else "").strip()
    if not text:  # nothing typed: asked for, not told '' is no day written YYYY-MM-DD (a clerk's probe)
        raise InvalidInput(f"{where}: no date was given; write one YYYY-MM-DD, such as 2023-07-03",
                           zh=f"{where_zh(where)}：未填写日期；请按 YYYY-MM-DD 填写，例如 2023-07-03")
    _bounded(text, where, "date", "日期", "a day YYYY-MM-DD such as 2023-07-03",
             "YYYY-MM-DD 格式的日期，例如 2023-07-03")
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        if _DAY.fullmatch(text):  # written right, but no such day: 2023-02-29, 2024-04-31, 2024-13-01
            raise InvalidInput(f"{where}: date {text!r} is written YYYY-MM-DD but there is no such day (check the"
                               " month and the day of the month)",
                               zh=f"{where_zh(where)}：日期 {text!r} 格式正确，但日历上没有这一天（请核对月份和日期）"
                               ) from None
        if FULL_WIDTH.search(text):
            # An input method in full-width mode: said so, with the day to type where it is one, as amounts are (a
            # pages probe read "not YYYY-MM-DD" for what looked like it).
            plain = unicodedata.normalize("NFKC", text).strip()
            day = plain if _DAY.fullmatch(plain) else _written_as(plain)  # ２０２３０５０１ too (a regression probe)
            hint, hint_zh = (f"; type it as {day}", f"；请改为 {day}") if day else ("", "")
            raise InvalidInput(f"{where}: date {text[:40]!r} is written in full-width characters (an input method in"
                               f" full-width mode); write it half-width, YYYY-MM-DD{hint}",
                               zh=f"{where_zh(where)}：日期 {text[:40]!r} 使用了全角字符（输入法处于全角状态）；"
                                  f"请用半角字符按 YYYY-MM-DD 填写{hint_zh}") from None
        written = _written_as(text)
        hint, hint_zh = ((f"; write it as {written} (hyphens, the month and the day in two digits)",
                          f"；请写作 {written}（用“-”分隔，月和日各两位）") if written else ("", ""))
        raise InvalidInput(f"{where}: date {text[:40]!r} is not a day written YYYY-MM-DD (such as 2023-07-03){hint}",
                           zh=f"{where_zh(where)}：日期 {text[:40]!r} 不是 YYYY-MM-DD 格式的日期"
                           f"（例如 2023-07-03）{hint_zh}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(f"{where}: date {text!r} is outside {FIRST_DAY.year}–{LAST_DAY.year}; send a day from"
                           f" {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}",
                           zh=f"{where_zh(where)}：日期 {text!r} 不在 {FIRST_DAY.year}–{LAST_DAY.year} 年之间；"
                           f"请填写 {FIRST_DAY.isoformat()} 至 {LAST_DAY.isoformat()} 之间的日期")
    return day


def _written_as(text: str) -> str | None:
    """The day a year-first text names, as YYYY-MM-DD, or None where it names none (2024/13/1, 5/1/2024). A
    spreadsheet's date cell exported with its time ("2023-05-01 00:00:00") and a provincial list's compact day
    ("20230501") name one too (a sandbox probe was told neither)."""
    text = _TIME_AFTER.sub("", text)
    if _DAY.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    if (found := _YEAR_FIRST.fullmatch(text) or _COMPACT.fullmatch(text)) is None:
        return None
    try:
        return date(*(int(part) for part in found.groups())).isoformat()
    except ValueError:
        return None


def bank_amount(raw: object, where: str) -> Decimal:
    """An amount as banks print it: a leading minus for a debit is read as its size, and commas are allowed
    only as thousands separators ("1,234,567.89"), never anywhere else ("1,2,3")."""
    text = str(raw if raw is not None else "").strip()
    _bounded(text, where, "amount", "金额", "an amount such as 1234.56", "金额，例如 1234.56")
    size = text[1:] if text.startswith("-") else text
    if not (_PLAIN.fullmatch(size) or _GROUPED.fullmatch(size)) and FULL_WIDTH.search(text):
        # The bank's export typed in full-width mode: said so, with the half-width form where it is an amount, as
        # the JSON and the forms say it (an intake probe read only "not an amount" here and from `reconcile`).
        plain = unicodedata.normalize("NFKC", text).strip().replace("。", ".")
        try:
            bank_amount(plain, where)
            hint, hint_zh = f"; type it as {plain}", f"；请改为 {plain}"
        except InvalidAmount:
            hint, hint_zh = "", ""
        raise InvalidAmount(f"{where}: amount {text[:40]!r} is written in full-width characters (an input method in"
                            f" full-width mode); write the digits and the point half-width{hint}",
                            zh=f"{where_zh(where)}：金额 {text[:40]!r} 使用了全角字符（输入法处于全角状态）；请用半角"
                               f"数字和小数点填写{hint_zh}")
    if not (_PLAIN.fullmatch(size) or _GROUPED.fullmatch(size)):
        raise InvalidAmount(f"{where}: amount {text[:40]!r} is not an amount such as 1234.56 or 1,234.56 (commas"
                            " only between groups of three digits, at most two decimal places)",
                            zh=f"{where_zh(where)}：金额 {text[:40]!r} 不是形如 1234.56 或 1,234.56 的金额"
                            "（逗号只能分隔三位一组的数字，最多两位小数）")
    if len(size.replace(",", "").split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS:  # as a JSON statement's amount
        text = text if len(text) <= 40 else text[:39] + "…"  # cut, and said to be: not another number
        raise InvalidAmount(f"{where}: amount {text!r} is beyond any budget (at most {MAX_INTEGER_DIGITS} digits"
                            " before the point)",
                            zh=f"{where_zh(where)}：金额 {text!r} 超出任何预算（小数点前最多"
                               f" {MAX_INTEGER_DIGITS} 位）")
    try:
        return money(size.replace(",", ""))
    except InvalidAmount as err:
        raise InvalidAmount(f"{where}: {err.detail}", zh=f"{where_zh(where)}：{err.zh or err.detail}") from None
