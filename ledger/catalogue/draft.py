"""A draft catalogue handed in as text (the policy sandbox): validated by the same reader as the catalogues in
force, and refused with the field at fault and, where the file shows it, the line.

tomllib gives a line only for syntax errors (in its message); for a value that parses but does not describe a
policy, the reader names the dotted field (`programmes[4].rate`) and `locate` finds that field's line in the
text, so a person editing the draft in a form or an editor is sent to the right place."""
from __future__ import annotations

import re
import sys
import tomllib
from typing import Any

from ledger.catalogue import toml_words
from ledger.catalogue.load import CatalogueError, parse, shown_key
from ledger.catalogue.model import Catalogue

_SYNTAX_LINE = re.compile(r"at line (\d+)")
_ITEM = re.compile(r"^(\w+)\[(\d+)\]$")
_PART = r'(?:[A-Za-z_]\w*|"(?:[^"\\]|\\.)*")'  # a key as `shown_key` names it: a word, or quoted
_FIELD = re.compile(rf"^(?::\s*|\.)({_PART}(?:\.{_PART}|\[\d+\])*)(?=:|\s|$)")
# What a draft may be. The catalogue in force is 14 KB and names no dotted key (it writes [section] headers).
# tomllib's time grows with the square of a dotted key's parts (40 KB of `a.a.a…` took 10 s) and with the file's
# size: within these bounds the worst draft measured parsed in about a second (in a worker thread, over HTTP).
MAX_DRAFT_BYTES = 256 * 1024
MAX_KEY_PARTS = 16
# A string begins at a quote no backslash escapes (one outside a string is no TOML): begun at each `\"` of an
# unclosed string, it was quadratic in them (20,000 took 5.7 s: a regression probe).
_QUOTED = re.compile(r'(?<!\\)"(?:[^"\\\n]|\\.)*+"|\'[^\'\n]*\'')
_COMMENT = re.compile(r"#.*")
_KEY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")  # a dot that is not a decimal point
# Digits joined by more than one dot are no number (a float has one): a key of digit parts, `0.0.0.…`, whose every
# dot sits between digits and went past the count above to cost the parser 45 s (a sandbox probe).
_DIGIT_CHAIN = re.compile(r"(?<![\d_])_*+\d[\d_]*+(?:\.\d[\d_]*+){2,}")  # begun where its run is: linear
# tomllib turns an integer of more digits than Python converts (4,300) into a ValueError of its own, with no line.
_INT_DIGITS = sys.get_int_max_str_digits() or 4300
_LONG_NUMBER = re.compile(rf"(?<=[=\[,])(\s*)([+-]?[0-9][0-9_]{{{_INT_DIGITS - 1},}})")  # where a value goes


class DraftError(CatalogueError):
    """A draft that does not validate: the reader's message, the field at fault and its line (1-based)."""

    def __init__(self, message: str, field: str | None, line: int | None, *, zh: str | None = None) -> None:
        super().__init__(message, zh=zh)
        self.field, self.line = field, line


def read_draft(text: str, source: str = "draft.toml") -> Catalogue:
    """The draft as a catalogue, or a `DraftError` naming the field and line at fault. A byte-order mark, which
    editors on Windows save unseen, is not part of the TOML."""
    text = text.removeprefix("\ufeff")
    _bounded(text, source)
    try:
        document = tomllib.loads(text)
    except RecursionError:  # arrays or tables nested past the parser's stack: no catalogue nests so
        raise DraftError(f"{source}: not a catalogue: its arrays or tables nest deeper than the parser follows (no"
                         " catalogue nests more than a few levels); fix the file", "toml", None,
                         zh=f"{source}：不是政策目录：数组或表的嵌套层数超出解析器所能处理的范围（政策目录的嵌套不超过"
                            "几层）") from None
    except tomllib.TOMLDecodeError as err:
        found = _SYNTAX_LINE.search(str(err))
        line = int(found.group(1)) if found else max(1, len(text.splitlines())) if "end of document" in str(err) \
            else None
        raise DraftError(f"{source}: not valid TOML ({toml_words.en(err)}); fix the file", "toml", line,
                         zh=f"{source}：不是有效的 TOML（{toml_words.zh(err)}）") from None
    except ValueError:  # an integer past Python's 4,300 digits: no catalogue number has twenty
        raise _long_number(text, source) from None
    try:
        return parse(document, source)
    except CatalogueError as err:
        message = str(err)
        field = field_of(message, source)
        raise DraftError(message, field, locate(text, field) if field else None, zh=err.zh) from None


def _bounded(text: str, source: str) -> None:
    """Refuse, before parsing, a draft larger than any catalogue or with a key of more parts than any has."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_DRAFT_BYTES:
        raise DraftError(f"{source}: the draft is {size:,} bytes; a catalogue is at most {MAX_DRAFT_BYTES:,} (the one"
                         " in force is about 14,000): send the catalogue file alone", "toml", None,
                         zh=f"{source}：草案有 {size:,} 字节，政策目录最多 {MAX_DRAFT_BYTES:,} 字节（现行目录约 14,000"
                            " 字节）；请只发送政策目录文件本身")
    for number, line in enumerate(text.splitlines(), 1):
        bare = _COMMENT.sub("", _QUOTED.sub("", line)) if line.count(".") >= MAX_KEY_PARTS else ""
        if len(_KEY_DOT.findall(bare)) + sum(m.group(0).count(".") for m in _DIGIT_CHAIN.finditer(bare)) \
                >= MAX_KEY_PARTS:
            raise DraftError(f"{source}: line {number} names a key of more than {MAX_KEY_PARTS} dotted parts; no"
                             " catalogue key has more than a few: write tables as [section] headers", "toml", number,
                             zh=f"{source}：第 {number} 行的键由超过 {MAX_KEY_PARTS} 个以点分隔的部分组成，政策目录的键"
                                "最多只有几个部分；请改用 [section] 表头书写各表")


def _long_number(text: str, source: str) -> DraftError:
    """The refusal of a draft tomllib could not read for a number of too many digits: the field holding it (found
    by reading the draft again with each such number marked) and its line."""
    numbers = list(_LONG_NUMBER.finditer(text))
    field = line = None
    if numbers:
        marks = {f"\ue000{i}\ue000": number for i, number in enumerate(numbers)}
        written = iter(marks)
        line = text.count("\n", 0, numbers[0].start(2)) + 1  # unless the marked draft says which
        try:
            document = tomllib.loads(_LONG_NUMBER.sub(lambda m: f'{m.group(1)}"{next(written)}"', text))
            at = next(((path, marks[value]) for path, value in _leaves(document, "")
                       if isinstance(value, str) and value in marks), None)
        except (ValueError, RecursionError):  # a number inside a string, say: the first one's line is said
            at = None
        if at is not None:
            field, line = at[0], text.count("\n", 0, at[1].start(2)) + 1
    where, where_zh = (f"{source}: {field}: ", f"{source}: {field}：") if field else (f"{source}: ", f"{source}：")
    return DraftError(f"{where}a number of more than {_INT_DIGITS:,} digits, which no catalogue writes (nor the parser"
                      " reads); write a whole number of a few digits, or an amount or a rate as a decimal string such"
                      ' as "500000.00" or "0.20"', field or "toml", line,
                      zh=f"{where_zh}数字超过 {_INT_DIGITS:,} 位，政策目录中没有这样的数字（解析器也无法读取）；"
                         '整数只写几位，金额或比例写成用引号括起的十进制字符串，如 "500000.00" 或 "0.20"')


def _leaves(value: Any, path: str) -> Any:
    """Each value of a parsed document with its dotted path (`programmes[4].rate`), in the document's order."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{shown_key(key)}" if path else shown_key(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def field_of(message: str, source: str) -> str | None:
    """The dotted field a reader's message names right after the source (`draft.toml: policy.id: ...`)."""
    rest = message[len(source):] if message.startswith(source) else message
    found = _FIELD.match(rest)
    return found.group(1) if found else None


def locate(text: str, field: str) -> int | None:
    """The 1-based line where the dotted field is written, or the line of the nearest table holding it."""
    lines = text.splitlines()
    at, found = 0, None
    for part in field.split("."):
        item = _ITEM.match(part)
        name, index = (item.group(1), int(item.group(2))) if item else (part, None)
        header = [n for n in range(len(lines)) if re.match(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]", lines[n])]
        if index is not None and len(header) > index:
            at = found = header[index]
            continue
        key = _key_line(lines, at, name)
        if key is None:
            return None if found is None else found + 1
        at = found = key
        if index is not None:
            # An inline array's items: on its line, or one inline table a line below it (`tiers = [` then `{ ...
            # },` lines), where the item's own line is the one to show.
            if lines[key].rstrip().endswith("["):
                # The `{` lines up to the first `]` line, in one pass: each was checked against every line before
                # it, quadratic in a draft of `{` lines with no `]` (46 KB took 15 s: a stall probe).
                items = []
                for n in range(key + 1, len(lines)):
                    if lines[n].lstrip().startswith("]"):
                        break
                    if lines[n].lstrip().startswith("{"):
                        items.append(n)
                        if len(items) > index:
                            break
                if len(items) > index:
                    found = items[index]
            break
    return None if found is None else found + 1


def _key_line(lines: list[str], start: int, name: str) -> int | None:
    """The first `name = ...` in the table starting at `start`, or a `[name]` table anywhere."""
    for n in range(start, len(lines)):
        if n > start and lines[n].lstrip().startswith("[") and start:
            break
        if re.match(rf"^\s*{re.escape(name)}\s*=", lines[n]):
            return n
    return next((n for n in range(len(lines)) if re.match(rf"^\s*\[\s*{re.escape(name)}\s*\]", lines[n])), None)
