"""A bank file read line by line into the ledger's statement lines: the header found (banks print a few
lines about the account first), each row mapped, money read with its thousands separators and direction
(debit: money out, matched to payouts; credit: money in, for repayments), every refused line kept with its
number and what is wrong, so one reading names all of a file's faults at once."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from ledger.bank_files.column_map import ColumnMap, header_names, load
from ledger.bank_files.decoding import decode
from ledger.csv_lines import record_start
from ledger.domain.bank_statement import StatementLine, choose_reference, statement_line
from ledger.domain.errors import InvalidAmount, InvalidInput, LedgerError
from ledger.domain.statement_fields import MEMO_REFERENCES, check_size
from ledger.domain.text import FULL_WIDTH, MOST_FIGURE

HEADER_SEARCH = 20  # rows a bank may print before its header
LISTED = 1000  # refused lines a refusal lists (it counts them all: `refused_count`)
# A day as banks print it, in ASCII digits only, as every other day the ledger reads (a probe had "٢٠٢٤-٠٧-٠٢" and
# "２０２４年７月２日" read as days here alone).
# A time of day after the day and a space (2023-08-01 10:23:45, as many exports print the booking's moment) is the
# bank's own clock and says nothing the day does not: the day is read and the time passed over (a finance probe had
# every such line refused). An ISO moment (2023-07-01T08:00:00) is a machine's, perhaps in another zone: refused.
_TIME = r"(?:\s+(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?)?"  # a time of day there is (not 25:61)
_DAY = (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME, re.ASCII),
        re.compile(r"^(\d{4})(\d{2})(\d{2})" + _TIME + "$", re.ASCII),
        re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?" + _TIME, re.ASCII))


@dataclass(frozen=True)
class RefusedLine:
    line: int
    message: str
    zh: str = ""  # the message for a Chinese reader (the refusal's Chinese detail lists these)
    # The refusal's stable code, as the API's refusals carry one (an official list's refused rows had one and a
    # statement's lines had none: carried from earlier stops): invalid_amount for the amount, else invalid_request
    code: str = "invalid_request"

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "code": self.code, "message": self.message}

    def kept(self) -> dict[str, object]:
        """As the statement keeps it: both languages, so a reader of either is answered in their own."""
        return {"line": self.line, "code": self.code, "message": self.message, "zh": self.zh or self.message}

    def in_language(self, lang: str) -> dict[str, object]:
        """As an answer lists it (`refused_lines[]`) for a reader of `lang`: its message in Chinese for zh."""
        return {"line": self.line, "code": self.code,
                "message": (self.zh or self.message) if lang == "zh" else self.message}


@dataclass
class BankFile:
    encoding: str
    lines: list[StatementLine] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)
    skipped: int = 0  # rows before the header and blank rows
    numbers: list[int] = field(default_factory=list)  # each of `lines`' line in the file (as refused lines are)

    def choose_references(self, kinds: Callable[[list[str]], dict[str, set[str]]]) -> None:
        """Where a memo held several references, the line takes the one a record of its own kind bears
        (`bank_statement.choose_reference`; `kinds` says which payouts and repayments bear some references, case
        aside); otherwise the first written. One query for the whole file."""
        several = [at for at, line in enumerate(self.lines) if len(line.candidates) > 1]
        if not several:
            return
        known = kinds(sorted({r for at in several for r in self.lines[at].candidates}))
        for at in several:
            line = self.lines[at]
            self.lines[at] = replace(line, reference=choose_reference(line.candidates, line.direction, known))


class _NoSuchDay(ValueError):
    """A day written as a day, which the calendar has not (2024-02-30, 2024-13-01)."""


def _day(text: str) -> str:
    for pattern in _DAY:
        if found := pattern.fullmatch(text.strip()):  # a day, and at most a time of day after it
            year, month, day = (int(g) for g in found.groups())
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                raise _NoSuchDay(text) from None
    raise ValueError(text)


def _half_width_day(text: str) -> str | None:
    """The day a cell written with full-width characters reads as half-width (２０２３-０８-０１ → 2023-08-01); None
    where it has none, or reads as no day. Bounded before normalising (MOST_FIGURE)."""
    if len(text) > MOST_FIGURE or not FULL_WIDTH.search(text):
        return None
    try:
        return _day(unicodedata.normalize("NFKC", text))
    except ValueError:
        return None


def _cell(row: list[str], columns: list[int] | None) -> str:
    for at in columns or ():
        if at < len(row) and row[at].strip():
            return row[at].strip()
    return ""


# A currency mark a bank prints with the amount: ¥ or ￥ (or RMB, CNY) before it, 元 (or RMB, CNY) after it, a sign
# before either. The amount is what it marks (a finance probe had "120,000.00元" and "¥100000.00" lines refused as
# no amount, not told what to remove); one mark each side at most, anything else stays for the validator to name.
_MARK_BEFORE = re.compile(r"^([+-]?)\s*(?:[¥￥]|(?:RMB|CNY)(?![A-Za-z]))\s*", re.IGNORECASE)
# (?<!\s): begun only where a run of spaces begins, so as long as the text is (tests/unit/test_linear_patterns.py).
_MARK_AFTER = re.compile(r"(?<!\s)\s*(?:元|(?<![A-Za-z])(?:RMB|CNY))$", re.IGNORECASE)


def _money_cell(row: list[str], columns: list[int] | None) -> str:
    """A money column's cell with its currency marks dropped."""
    cell = _cell(row, columns)
    return _MARK_AFTER.sub("", _MARK_BEFORE.sub(r"\1", cell)).strip() if cell else cell


class _NoMoney(ValueError):
    """A line's money that cannot be read: `amount` says whether the amount itself is at fault (invalid_amount: two
    signs, none, both columns filled) or the direction beside it (invalid_request)."""

    def __init__(self, en: str, zh: str, amount: bool = True) -> None:
        super().__init__(en)
        self.zh, self.amount = zh, amount


def _signed(cell: str) -> tuple[str, str]:
    """(its sign, "+", "-" or "", and its size): one sign at most ("+-500.00" dropped the minus, "--500.00" read
    as money the other way: a probe)."""
    sign, size = (cell[0], cell[1:].lstrip()) if cell[:1] in ("+", "-") else ("", cell)
    if size[:1] in ("+", "-"):
        raise _NoMoney(f"has the amount {cell[:40]!r}, with two signs; write one (a minus for a red-ink entry)",
                       f"金额 {cell[:40]!r} 有两个正负号；只能写一个（红字冲正写负号）")
    return sign, size


def _money(row: list[str], cols: dict[str, list[int]], column_map: ColumnMap) -> tuple[str, str]:
    """The line's amount (no sign, separators kept for the validator) and its direction: as its direction column
    says, where the file has one and the line's cell is filled, else as its money column says."""
    size, direction = _money_column(row, cols)
    said = _cell(row, cols.get("direction"))
    if not said:
        return size, direction
    way = column_map.direction(said)
    if way is None:
        words = " / ".join(w for w, _ in sorted(column_map.directions.items(), key=lambda kv: kv[1] != "debit"))
        raise _NoMoney(f"has the direction {said[:20]!r}, which the column map does not know; write one of {words}",
                       f"借贷方向 {said[:20]!r} 无法识别；请写 {words} 之一", amount=False)
    if "debit" in cols or "credit" in cols:  # the column the money is in says its way already: the two must agree
        # A 0.00 there is none.
        column = "debit" if _unused_as_empty(_money_cell(row, cols.get("debit"))) else "credit"
        if way != column:
            raise _NoMoney(f"has its money in the {column} column but the direction {said[:20]!r} ({way}); correct"
                           " one of the two", f"金额在{'借方' if column == 'debit' else '贷方'}列，但借贷方向为 "
                           f"{said[:20]!r}（{'借' if way == 'debit' else '贷'}）；请更正其中之一", amount=False)
        return size, direction
    if signed := _money_cell(row, cols.get("signed_amount")):
        # A signed column's minus is money out already: with 借 it agrees; with 贷 it could be read two ways.
        if _signed(signed)[0] == "-" and way == "credit":
            raise _NoMoney(f"has a negative amount (money out) but the direction {said[:20]!r} (credit, money in);"
                           " correct one of the two", f"金额为负（支出），但借贷方向为 {said[:20]!r}（贷，收入）；"
                           "请更正其中之一", amount=False)
        return size, way
    sign = _signed(_money_cell(row, cols.get("amount")))[0]  # the own layout: a minus turns the line around (red ink)
    return size, ({"debit": "credit", "credit": "debit"}[way] if sign == "-" else way)


# What a bank prints in the debit or credit column a line does not use, beside the amount in the other: a zero
# (CCB and BOC exports write 0.00 there; a finance probe had every such line refused as "both a debit and a
# credit amount") or a dash.
_UNUSED = re.compile(r"[+-]?[0０]+(?:[.．][0０]*)?|[-－—]+")


def _unused_as_empty(cell: str) -> str:
    return "" if _UNUSED.fullmatch(cell.replace(",", "").replace("¥", "").replace("￥", "").strip()) else cell


def _money_column(row: list[str], cols: dict[str, list[int]]) -> tuple[str, str]:
    """The line's amount and its direction as its money column says (debit, credit, signed or the own layout)."""
    debit = _unused_as_empty(_money_cell(row, cols.get("debit")))
    credit = _unused_as_empty(_money_cell(row, cols.get("credit")))
    if debit and credit:
        raise _NoMoney("has both a debit and a credit amount; a line moves money one way",
                       "同时有借方和贷方金额；一行只能是一笔支出或一笔收入")
    if debit or credit:
        # A minus in either column is a red-ink entry (红字冲正): money the other way, never a sign to drop (a
        # probe's "-1,000.00" debit, a bank's reversal, was matched to the payout it undid).
        direction = "debit" if debit else "credit"
        sign, size = _signed(debit or credit)
        return size, ({"debit": "credit", "credit": "debit"}[direction] if sign == "-" else direction)
    if signed := _money_cell(row, cols.get("signed_amount")):
        sign, size = _signed(signed)
        return size, "debit" if sign == "-" else "credit"
    if plain := _money_cell(row, cols.get("amount")):
        # The ledger's own layout: money out, and a minus the other way (red ink), as in any other column; the minus
        # was dropped, so a -900.00 line was matched to a 900.00 payout, "all matched" (an imports probe).
        sign, size = _signed(plain)
        return size, "credit" if sign == "-" else "debit"
    raise _NoMoney("has no amount (nothing, or zero, in its money columns): write the amount the bank moved, or leave"
                   " the line out (a balance or notice line)",
                   "没有金额（金额列为空或为零）：请填写银行实际划转的金额，或删去此行（余额或通知行）")


def _references(row: list[str], cols: dict[str, list[int]], pattern: re.Pattern[str]) -> list[str]:
    """The line's reference and, when a memo holds several that look like one (a contract number, a day or a sum
    before the payout's: `合同HT-2023-118 PAY-2024-0001`), the others after it, in the order written: the first
    `MEMO_REFERENCES` different ones."""
    memos = [row[at].strip() for at in cols.get("memo", ()) if at < len(row) and row[at].strip()]
    found = [m.group(0) for memo in memos for m in pattern.finditer(memo)]
    if whole := _cell(row, cols.get("reference")):
        # A whole-cell reference first (交易流水号 may be the bank's own serial), then what the memo holds: the line
        # takes the one a payout or repayment bears (BankFile.choose_references). A finance probe's 用途 column held
        # the payout's PAY-2023-0007 beside the bank's serial, and the memo was never read: two discrepancies.
        return list(dict.fromkeys([whole, *found]))[:MEMO_REFERENCES]
    return list(dict.fromkeys(found))[:MEMO_REFERENCES] or memos[:1] or [""]


def _line(row: list[str], cols: dict[str, list[int]], column_map: ColumnMap, n: int) -> StatementLine:
    raw_day = _cell(row, cols.get("date"))
    try:
        day = _day(raw_day)
    except _NoSuchDay:
        raise InvalidInput(f"line {n}: date {raw_day!r} is written as a day, but there is no such day; check the"
                           " date column",
                           zh=f"第 {n} 行：日期 {raw_day!r} 的写法正确，但没有这一天；请核对日期列") from None
    except ValueError:
        if (plain := _half_width_day(raw_day)) is not None:
            # A bank file typed in a full-width input method's mode: said so, with the day to type, as a JSON line's
            # date and an amount are (it read "not a day written YYYY-MM-DD": an inputs probe).
            raise InvalidInput(f"line {n}: date {raw_day!r} is written in full-width characters (an input method in"
                               f" full-width mode); type it half-width: {plain}",
                               zh=f"第 {n} 行：日期 {raw_day!r} 使用了全角字符（输入法处于全角状态）；"
                                  f"请改为半角：{plain}") from None
        raise InvalidInput(f"line {n}: date {raw_day!r} is not a day written YYYY-MM-DD (2024-07-02, or 2024-7-2),"
                           " YYYYMMDD, YYYY/MM/DD, YYYY.MM.DD or YYYY年M月D日 (a time of day such as 10:23:45 may"
                           " follow it)",
                           zh=f"第 {n} 行：日期 {raw_day!r} 不是 YYYY-MM-DD（2024-07-02 或 2024-7-2）、YYYYMMDD、"
                           "YYYY/MM/DD、YYYY.MM.DD 或 YYYY年M月D日 格式的日期（其后可带 10:23:45 这样的时间）"
                           ) from None
    try:
        amount, direction = _money(row, cols, column_map)
    except _NoMoney as err:  # the amount's own fault is invalid_amount, as the README's refused lines say
        raise (InvalidAmount if err.amount else InvalidInput)(f"line {n}: {err}", zh=f"第 {n} 行：{err.zh}") from None
    references = _references(row, cols, column_map.memo_pattern)
    line = statement_line({"date": day, "amount": amount, "reference": references[0],
                           "counterparty": _cell(row, cols.get("counterparty"))}, f"line {n}")
    line = replace(line, number=n, candidates=tuple(references) if len(references) > 1 else ())
    return line if direction == "debit" else line.credited()


# A totals row Chinese banks print below the lines: its date cell (or, where that is empty, its first filled cell)
# is a totals word and nothing else (a finance probe: a file ending `合计,"1,111.11",…` and `共 1 笔` was refused
# whole). A cell that only begins with one (a counterparty 小计科技有限公司) is no totals row: a regression probe had
# such a transfer dropped without a word.
_FOOTER = re.compile(r"(?:本页|本期|累计)?(?:合计|总计|小计)\s*[:：]?|共\s*\d+\s*笔(?:交易|记录)?\s*[:：]?"
                     r"|(?:page\s+)?(?:sub)?total\s*[:：]?", re.IGNORECASE)


def _footer(row: list[str], cols: dict[str, list[int]]) -> bool:
    """Whether `row` is a totals row: its date cell, else its first filled cell, is a totals word alone."""
    day = _cell(row, cols.get("date"))
    return bool(_FOOTER.fullmatch(day or next((cell.strip() for cell in row if cell.strip()), "")))


def read_bank_file(raw: bytes, column_map: ColumnMap | None = None, declared: str | None = None,
                   known: Callable[[list[str]], dict[str, set[str]]] | None = None) -> BankFile:
    """Every line of the file read, or refused with its number; InvalidInput if no header can be found.
    `declared`: the charset the sender named (ledger/bank_files/decoding.py `decode`); `known`: which records
    bear some references (`BankFile.choose_references`)."""
    column_map = column_map or load()
    text, encoding = decode(raw, declared)
    check_size(text)  # at most MAX_LINES lines, as a JSON statement (HTTP's CSV had no such bound)
    found = BankFile(encoding)
    # Strict: a quote never closed, or text after a closing quote, is an error, not lines read into one another (a
    # probe's unclosed quote merged a reference and its counterparty, another's stray quote swallowed the next
    # line, its money gone without a word).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    cols: dict[str, list[int]] | None = None
    width = 0  # the header's cells: a line with more filled cells is shifted and would be read wrongly
    while True:
        start = reader.line_num + 1  # the line the next record begins on
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise _broken(start, err) from None
        n = record_start(reader.line_num, row)
        if not any(cell.strip() for cell in row):
            found.skipped += 1
            continue
        if cols is None:
            candidate = column_map.columns(row)
            if column_map.usable(candidate):
                _unambiguous(row, candidate, column_map)
                cols, width = candidate, len(row)
            elif n >= HEADER_SEARCH:
                break
            else:
                found.skipped += 1
            continue
        if _footer(row, cols):  # a totals row the bank prints after the lines (合计, 共 N 笔): no line of money
            found.skipped += 1
            continue
        if any(cell.strip() for cell in row[width:]):
            found.refused.append(RefusedLine(n, f"line {n} has more cells than the header names ({width}); a"
                                                " shifted line would be read wrongly",
                                             f"第 {n} 行的单元格比表头（{width} 列）多；错位的行会被读错"))
            continue
        try:
            found.lines.append(_line(row, cols, column_map, n))
            found.numbers.append(n)
        except LedgerError as err:
            found.refused.append(RefusedLine(n, err.detail, err.in_language("zh") or err.detail, err.code))
    if cols is None:
        raise StatementUnreadable(
            f"the file cannot be read as a bank statement: no header row in its first {HEADER_SEARCH} lines names its"
            " columns (an empty file has none). Export the statement from the bank again as CSV, or add its headers"
            " to the column map (LEDGER_BANK_COLUMNS); the headers it knows, by the ledger's field: "
            f"{column_map.described()}",
            zh=f"文件无法按银行对账单读取：前 {HEADER_SEARCH} 行中没有一行是能识别的表头（空文件也没有表头）。"
               "请从网银重新导出 CSV 格式的对账单，或把它的列名加入银行列名对照表（LEDGER_BANK_COLUMNS）；"
               f"可识别的表头列名（按台账字段）：{column_map.described(zh=True)}")
    if not found.lines and not found.refused:
        raise InvalidInput("the statement has a header but no lines: upload a file holding the transactions (export"
                           " the statement of a period with transactions from online banking again)",
                           zh="流水没有任何明细行；请上传含交易明细的文件")
    if known is not None:
        found.choose_references(known)
    return found


def _broken(line: int, err: csv.Error) -> StatementUnreadable:
    """The file refused whole where its quoting breaks: every line after could be read into another."""
    return StatementUnreadable(
        f"line {line}: the file's quoting breaks there ({err}): a quote never closed, or text after a closing quote,"
        " would read the lines after it into one another, so nothing is imported. Export the statement from the bank"
        " again as CSV, or correct the quotes on that line",
        zh=f"第 {line} 行：文件的引号在此处出错（{err}）：引号没有闭合，或闭合引号之后还有文字，其后各行会被读串，因此"
           "整份文件不予导入。请从网银重新导出 CSV 格式的对账单，或修正该行的引号")


MONEY = ("debit", "credit", "signed_amount", "amount")


def _unambiguous(header: list[str], cols: dict[str, list[int]], column_map: ColumnMap) -> None:
    """Refuse a header whose money could be read two ways: a column named twice (the second was never read), or
    money in more than one layout or column (`交易金额` beside `借方发生额`: one was read, the other dropped
    unseen, a hostile-input probe's -100.00 read as 300.00), as a certification list, a JSON body or a query naming
    a field twice is refused rather than read from one of the two."""
    cells = header_names(header)
    known = {name for names in column_map.names.values() for name in names}
    twice = sorted({c for c in cells if c in known and cells.count(c) > 1})
    money = [cells[at] for field in MONEY for at in cols.get(field, ())]
    layouts = {"two columns" if field in ("debit", "credit") else field for field in MONEY if field in cols}
    if twice:
        en, zh = (f"the header names {', '.join(twice)} more than once",
                  f"表头中 {'、'.join(twice)} 出现了不止一次")
    elif len(layouts) > 1 or any(len(cols.get(f, ())) > 1 for f in MONEY):
        en, zh = (f"the header has money in more than one column ({', '.join(money)})",
                  f"表头中有不止一列金额（{'、'.join(money)}）")
    elif len(ways := [cells[at] for at in cols.get("direction", ())]) > 1:  # 借贷标志 beside 收支方向: one was unread
        en, zh = (f"the header has more than one direction column ({', '.join(ways)})",
                  f"表头中有不止一列借贷方向（{'、'.join(ways)}）")
    else:
        return
    raise StatementUnreadable(
        f"{en}, so its lines could be read two ways; export the statement again with one column for each field"
        " (money as a debit and a credit column, or one signed amount)",
        zh=f"{zh}，各行可能被读成两种意思；请重新导出对账单，每个字段只保留一列（金额为借方、贷方两列，或一列带正负号的"
           "金额）")


class StatementUnreadable(InvalidInput):
    """A file in which no header row can be found: not a statement, or one the column map does not know."""

    code = "csv_unreadable"


class StatementRefused(InvalidInput):
    """A statement with refused lines, none imported: `refused_lines` lists each, its message in the reader's
    language."""

    code = "invalid_statement"

    def __init__(self, detail: str, *, zh: str, refused: list[RefusedLine]) -> None:
        # The first LISTED lines, and how many there were: a file of 100,000 faulty lines answered 16 MB.
        super().__init__(detail, zh=zh, refused_lines=[r.as_dict() for r in refused[:LISTED]],
                         refused_count=len(refused))
        self.refused = refused[:LISTED]

    def context_in(self, lang: str) -> dict[str, object]:
        return {**self.context, "refused_lines": [r.in_language(lang) for r in self.refused]}


def accepted_lines(found: BankFile, *, import_good_lines: bool) -> list[StatementLine]:
    """The lines to import: all of them, or, when some are refused, none unless the good ones are asked for (a file
    with no good line at all is refused as such). The refusal names the first 20 refused lines and their faults."""
    if found.lines and (not found.refused or import_good_lines):
        return found.lines
    more = len(found.refused) > 20
    named = "; ".join(r.message for r in found.refused[:20]) + ("; ..." if more else "")
    named_zh = "；".join(r.zh or r.message for r in found.refused[:20]) + ("；……" if more else "")
    if not found.lines:
        raise StatementRefused(f"no line of the statement can be read, so nothing was imported: {named}. Correct the"
                               " file (or export it from online banking again)",
                               zh=f"流水没有一行可以读取，未导入任何内容：{named_zh}。请修正文件，或从网银重新导出",
                               refused=found.refused)
    raise StatementRefused(f"{len(found.refused)} line(s) of the statement cannot be read, so nothing was"
                           f" imported: {named}. Correct the file, or import the {len(found.lines)} good line(s)"
                           " with import_good_lines=true",
                           zh=f"流水有 {len(found.refused)} 行无法读取，因此一行也没有导入：{named_zh}。"
                           f"请修正文件，或选择只导入其余 {len(found.lines)} 行（import_good_lines=true）",
                           refused=found.refused)
