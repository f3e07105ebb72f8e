"""The one check every piece of text passes on its way into the ledger, whichever way it came (JSON,
CSV, a form, the command line): NFC-normalised, no control characters, no lone surrogates, bounded.

Why here, in the domain: an event holding a character the store cannot keep (PostgreSQL refuses NUL in
text) is recorded once and then fails every projection of it for good. Refusing such text before any
event is made is the only place that holds for every edge at once.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from ledger.domain.errors import InvalidInput

MAX_TEXT = 500  # a name, a reference, a reason: far above any real one, far below a flood
# A value's JSON kind, for a Chinese reader told what was sent instead of text or a day.
KINDS_ZH = {"int": "数字", "float": "数字", "Decimal": "数字", "bool": "布尔值", "list": "数组", "dict": "对象",
            "NoneType": "空值"}


# An amount, a day or a year as typed is never longer: such a field is refused at this length before anything reads
# it, Unicode normalisation above all, which is quadratic in combining marks out of their order (80 KB of them in an
# amount held the whole process 20 s, a date cell of a 16 MiB list would have held it for hours: a stall probe).
MOST_FIGURE = 60

def as_sent(value: Any, limit: int = 80) -> str:
    """A value quoted back to its sender as JSON writes it (null, [1, 2], "abc", NaN), not as Python prints it
    (None, 'abc', nan), cut to `limit` characters."""
    said = json.dumps(value, ensure_ascii=False, default=str)
    return said if len(said) <= limit else said[: limit - 1] + "…"


# The full-width forms of ASCII and the ideographic space: what an input method in full-width mode types. One
# pattern for every check that says so (amounts, days, moments, bank files, years).
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


def half_width(typed: str) -> str | None:
    """What a code typed in full-width characters (ｆｉｒｓｔ, Ａ３.ｅｒｃ: an input method in full-width mode) reads as
    half-width, for a refusal to name the code to type; None where it holds none, or is too long to be a code."""
    if len(typed) > MOST_FIGURE or not FULL_WIDTH.search(typed):
        return None
    return unicodedata.normalize("NFKC", typed).strip()


def typed_full_width(what: str, what_zh: str, typed: str, code: str) -> tuple[str, str]:
    """A code typed in full-width characters said so, with the `code` to type, in English and Chinese (a tier, a
    programme, a body's kind: f4c345a's words for a certification's tier)."""
    return (f"the {what} {typed!r} is written in full-width characters (an input method in full-width mode); type it"
            f" half-width: {code}",
            f"{what_zh} {typed!r} 使用了全角字符（输入法处于全角状态）；请改为半角输入：{code}")


def cut(text: str, most: int = 40) -> str:
    """What was sent, as a message quotes it: at most `most` characters, an ellipsis marking the rest (a 10,000
    character `as_of` came back whole, twice, and a 5,000-character USCC made a page 47,528 px wide: probes)."""
    text = text.strip()
    return text if len(text) <= most else text[:most - 1] + "…"


class InvalidText(InvalidInput):
    """Text the ledger cannot keep; its code stays the contract's `invalid_request`, as before this check."""


def bad_character(value: str) -> str | None:
    """The first character text may not hold, or None. C0/C1 controls (tab and line breaks too: every field
    is one line), DEL, lone surrogates, Unicode's noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF, ...) and the
    invisible format characters (zero-width space and joiners, the byte order mark, bidi marks and overrides)
    that make a name or a reference read other than it is, or two that look alike differ, and the other
    characters that show nothing (`invisible`)."""
    for char in value:
        point = ord(char)
        if point < 0x20 or 0x7F <= point <= 0x9F:
            return char
        if point < 0xAD:  # the rest of Latin-1 holds no other: the common case costs no lookup
            continue
        if 0xD800 <= point <= 0xDFFF or noncharacter(point) or invisible(point) or unicodedata.category(char) == "Cf":
            return char
    return None


# Characters that show nothing, or only a blank, and are not format characters (Cf), so the category check
# misses them: the combining grapheme joiner, the Hangul fillers, the Khmer inherent vowels, the Mongolian free
# variation selectors, the braille blank, the line and paragraph separators; and the replacement character, which
# is what a failed decoding leaves. With the variation selectors and the private-use planes (below), a black-box
# probe made one standard five by appending them, each paid once.
_INVISIBLE = frozenset({0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2028, 0x2029,
                        0x2800, 0x3164, 0xFFA0, 0xFFFD})


def invisible(point: int) -> bool:
    """A character that makes text read other than it is, or two that look alike differ: see `_INVISIBLE`, the
    variation selectors (U+FE00-U+FE0F, U+E0100-U+E01EF) and private use (U+E000-U+F8FF, planes 15 and 16)."""
    return (point in _INVISIBLE or 0xFE00 <= point <= 0xFE0F or 0xE000 <= point <= 0xF8FF
            or 0xE0100 <= point <= 0xE01EF or point >= 0xF0000)


def chinese(char: str) -> bool:
    """A Chinese character (the CJK unified ideographs and their extensions, and 〇 of written dates): what a
    reference or a subject may hold beside ASCII (a compatibility ideograph is folded or refused before)."""
    return char == "〇" or unicodedata.name(char, "").startswith("CJK UNIFIED IDEOGRAPH")


def noncharacter(point: int) -> bool:
    """One of Unicode's 66 noncharacters, never meant to be interchanged."""
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


def describe(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" ({unicodedata.name(char)})" if unicodedata.name(char, "") else "")


def clean_text(value: object, field: str, *, max_length: int = MAX_TEXT, required: bool = True,
               field_zh: str | None = None) -> str:
    """`value` as the ledger keeps text (NFC, trimmed), or `InvalidText` saying what to send instead (in
    Chinese too, naming the field as `field_zh`, else as `field`)."""
    who = field_zh or f"{field} "
    if not isinstance(value, str):
        raise InvalidText(f"{field} must be text, not {type(value).__name__}",
                          zh=f"{who}应为文本，不能是{KINDS_ZH.get(type(value).__name__, '其他类型')}")
    found = bad_character(value)
    if found is not None:
        raise InvalidText(f"{field} holds the control or invisible character {describe(found)}; send plain text"
                          " on one line (remove control characters such as NUL, tabs and line breaks, and invisible"
                          " ones such as zero-width spaces)",
                          zh=f"{who}含有控制字符或不可见字符 U+{ord(found):04X}；请发送单行纯文本"
                          "（删除空字符、制表符、换行等控制字符及零宽空格等不可见字符）")
    if len(value) > 4 * max_length:  # bounded before normalising (quadratic in combining marks out of order)
        raise InvalidText(f"{field} is {len(value):,} characters long; send at most {max_length:,}",
                          zh=f"{who}长 {len(value):,} 个字符；最多 {max_length:,} 个字符")
    text = unicodedata.normalize("NFC", value).strip()
    if required and not text:
        raise InvalidText(f"{field} is empty; send some text", zh=f"{who}为空；请填写内容")
    if len(text) > max_length:
        raise InvalidText(f"{field} is {len(text):,} characters long; send at most {max_length:,}",
                          zh=f"{who}长 {len(text):,} 个字符；最多 {max_length:,} 个字符")
    return text


SOURCE_MOST = 200  # characters of an uploaded file's name kept as its import's `source`


def file_source(name: str | None) -> str | None:
    """An uploaded file's name as its import records it (`source`): a name the user chose in a file dialog, not text
    typed for the ledger, so made fit to keep rather than refused: control characters read as a space, invisible ones
    dropped (a zero-width joiner inside an emoji's name: 对账单👨‍👩‍👧.csv), runs of spaces as one, and at most
    `SOURCE_MOST` characters, its end (the extension) kept. It blocked the import, naming a field `source` the user
    never saw, and after a clean preview (an input probe). None: no name worth keeping."""
    if not name:
        return None
    kept = "".join(" " if unicodedata.category(char) == "Cc" else "" if bad_character(char) else char
                   for char in unicodedata.normalize("NFC", name if len(name) <= 4 * SOURCE_MOST
                                                     else name[:2 * SOURCE_MOST] + name[-SOURCE_MOST:]))
    kept = " ".join(kept.split())
    if len(kept) > SOURCE_MOST:
        kept = kept[: SOURCE_MOST - 11] + "…" + kept[-10:]
    return kept or None


def printable(value: str) -> str:
    """`value` safe to print on a terminal or a log line: each control character written as an escape, so
    text recorded before this check (or a URL path) can neither forge a line nor steer the terminal."""
    if bad_character(value) is None:
        return value
    return "".join(char.encode("unicode_escape").decode("ascii") if bad_character(char) else char for char in value)
