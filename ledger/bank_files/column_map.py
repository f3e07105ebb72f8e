"""The column map (columns.toml, or the file LEDGER_BANK_COLUMNS names): bank headers → the ledger's fields."""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

from ledger.domain.errors import InvalidInput

DEFAULT = Path(__file__).with_name("columns.toml")
# A reference inside a memo, where a map names no pattern of its own: the shipped map's (columns.toml says why so).
MEMO_PATTERN = r"(?<![A-Za-z0-9])[A-Za-z0-9]++(?:[-_/.][A-Za-z0-9]++)+"
MAP_LIMIT = 64 * 1024  # the shipped map is under 2 KB; a map is a few dozen header names
FIELDS = ("date", "time", "debit", "credit", "signed_amount", "amount", "direction", "reference", "memo",
          "counterparty")
# What a direction column's cell may say, when the map gives no [direction] table (compared case aside).
DIRECTIONS = {"debit": ("debit", "D", "借", "支出", "付"), "credit": ("credit", "C", "贷", "收入", "收")}
# The fields a refusal names, as a Chinese reader knows them.
FIELDS_ZH = {"date": "交易日期", "debit": "借方金额", "credit": "贷方金额", "signed_amount": "带符号金额",
             "amount": "金额", "reference": "参考号", "memo": "附言"}


@dataclass(frozen=True)
class ColumnMap:
    names: dict[str, tuple[str, ...]]
    memo_pattern: re.Pattern[str]
    directions: dict[str, str] = dataclass_field(default_factory=dict)  # a direction word (casefolded) → its way

    def direction(self, cell: str) -> str | None:
        """debit or credit, for what a direction column's cell says; None for a word the map does not know."""
        return self.directions.get(cell.strip().casefold())

    def columns(self, header: list[str]) -> dict[str, list[int]]:
        """For each field, the header's columns that hold it (in the map's order of names)."""
        cells = header_names(header)
        found: dict[str, list[int]] = {}
        for field, names in self.names.items():
            hits = [cells.index(name) for name in names if name in cells]
            if hits:
                found[field] = hits
        return found

    def usable(self, found: dict[str, list[int]]) -> bool:
        has_money = any(f in found for f in ("amount", "signed_amount", "debit", "credit"))
        return "date" in found and has_money and ("reference" in found or "memo" in found)

    def described(self, *, zh: bool = False) -> str:
        """The headers the map knows, field by field: `date: 交易日期 / 记账日期; …` (`交易日期（date）：…；…`)."""
        parts = []
        for field, label_zh in FIELDS_ZH.items():
            if names := self.names.get(field):
                said = " / ".join(names)
                parts.append(f"{label_zh}（{field}）：{said}" if zh else f"{field}: {said}")
        return ("；" if zh else "; ").join(parts)


# A unit or qualifier a bank prints after a column's name, in brackets: 借方发生额（元）, 贷方发生额(元),
# 借方发生额（支取）.
# A finance probe had such a file refused whole, told to change a server setting a clerk cannot reach.
# (?<!\s): begun only where a run of spaces begins, so as long as the text is (tests/unit/test_linear_patterns.py).
_QUALIFIER = re.compile(r"(?<!\s)\s*[（(][^（）()]{1,12}[）)]\s*$")


def header_names(header: list[str]) -> list[str]:
    """A header's cells as the map's names are compared with them: trimmed, any BOM dropped, and a bracketed unit or
    qualifier after the name dropped (two columns it leaves with one name are a column named twice: refused)."""
    return [_QUALIFIER.sub("", cell.strip().lstrip("\ufeff")) or cell.strip() for cell in header]


def load(path: Path | None = None) -> ColumnMap:
    """The map in `path` (default: the one shipped); a map that does not validate says which part is wrong."""
    source = path or DEFAULT
    try:
        data = tomllib.loads(_read(source).decode("utf-8"))
        fields = data["fields"]
        if any(not isinstance(fields.get(f, ()), list | tuple) for f in FIELDS):
            raise TypeError("each of [fields] must be a list of column names")
        names = {f: tuple(str(n) for n in fields.get(f, ())) for f in FIELDS}
        pattern = re.compile(data.get("memo", {}).get("pattern", MEMO_PATTERN))
        words = data.get("direction", DIRECTIONS)
        if set(words) - set(DIRECTIONS) or any(not isinstance(words.get(d, ()), list | tuple) for d in DIRECTIONS):
            raise TypeError("[direction] may hold only debit and credit, each a list of words")
        directions = {str(w).strip().casefold(): d for d in DIRECTIONS for w in words.get(d, ())}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, AttributeError,
            re.error) as err:
        raise InvalidInput(f"the bank column map {source} cannot be used ({err}); see ledger/bank_files/columns.toml"
                           " for its layout",
                           zh=f"银行列名对照表 {source} 无法使用（{_why_zh(err)}）；"
                           "格式见 ledger/bank_files/columns.toml") from None
    return ColumnMap(names, pattern, directions)


class NotAMapFile(OSError):
    """A path that is no regular file (a FIFO would block, a device never ends), or one past MAP_LIMIT."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def _read(source: Path) -> bytes:
    """The map file's bytes: a regular file of at most MAP_LIMIT bytes (it is read once, as `serve` starts)."""
    fd = os.open(source, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotAMapFile("not a regular file", "不是普通文件，请给出 TOML 文件")
        os.set_blocking(fd, True)
        data = os.read(fd, MAP_LIMIT + 1)
        if len(data) > MAP_LIMIT:
            raise NotAMapFile(f"larger than {MAP_LIMIT:,} bytes", f"文件超过 {MAP_LIMIT:,} 字节，不是列名对照表")
        return data
    finally:
        os.close(fd)


def _why_zh(err: Exception) -> str:
    """What is wrong with a map, for a Chinese reader: the library's own words are English."""
    if isinstance(err, NotAMapFile):
        return err.zh
    if isinstance(err, UnicodeDecodeError):
        return "文件不是 UTF-8 编码，请另存为 UTF-8"
    if isinstance(err, FileNotFoundError):
        return "文件不存在"
    if isinstance(err, PermissionError):
        return "没有读取该文件的权限"
    if isinstance(err, IsADirectoryError):
        return "这是一个文件夹，请给出文件"
    if isinstance(err, OSError):
        return f"无法读取文件（错误号 {err.errno}）"
    if isinstance(err, tomllib.TOMLDecodeError):
        where = re.search(r"line (\d+), column (\d+)", str(err))
        return "不是有效的 TOML" + (f"，第 {where[1]} 行第 {where[2]} 列" if where else "")
    if isinstance(err, KeyError):
        return f"缺少表 [{err.args[0]}]"
    if isinstance(err, re.error):
        return f"[memo] 的 pattern 不是有效的正则表达式（第 {(err.pos or 0) + 1} 个字符）"
    return "[fields] 的每一项应为列名列表，[memo] 应为表，[direction] 只能有 debit 和 credit 两个词表"
