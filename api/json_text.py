"""JSON read from what a user sends: nesting too deep for the parser is malformed JSON like any other."""
from __future__ import annotations

import json
import re
import sys
from typing import Any


class TooDeep(ValueError):
    """JSON nested past what the parser can follow (about a thousand levels): no request of ours nests so; `zh`:
    the same for a Chinese reader."""

    zh = "JSON 嵌套层数超过解析器的上限（约一千层）；本台账的任何文件都不会嵌套这么深"


class LongNumber(ValueError):
    """A JSON number of more digits than Python converts (`sys.get_int_max_str_digits`): worded, where Python's own
    message ("use sys.set_int_max_str_digits()") reached a Chinese reader in English (an input probe)."""

    def __init__(self) -> None:
        most = sys.get_int_max_str_digits()
        super().__init__(f"the JSON holds a number of more than {most:,} digits, which no document of the ledger"
                         " holds")
        self.zh = f"JSON 中有超过 {most:,} 位的数字，台账的任何文件都不会有这样的数字"


class HalfACharacter(ValueError):
    """A JSON string escaping half of a character (`\\ud800`, a lone surrogate): no text, and it cannot be written
    out again as UTF-8 (a signed document's check failed with a traceback on it: an input probe)."""

    def __init__(self) -> None:
        super().__init__("the JSON escapes half a character (a lone surrogate such as \\ud800), which is no text; a"
                         " document the ledger wrote holds none")
        self.zh = "JSON 中转义了半个字符（孤立的代理项，如 \\ud800），不是有效文本；台账生成的文件中不会有"


def loads(body: bytes | str, **options: Any) -> Any:
    """`json.loads`, with JSON nested too deep for the parser's stack refused as `TooDeep` (a ValueError, as any
    other malformed JSON is), never a RecursionError that would answer 500; a number too long to convert is
    `LongNumber`, in both languages."""
    try:
        return json.loads(body, **options)
    except RecursionError:
        raise TooDeep("the JSON nests deeper than the parser follows") from None
    except ValueError as err:
        if not isinstance(err, json.JSONDecodeError | UnicodeDecodeError) and "digits" in str(err):
            raise LongNumber() from None
        raise


class DuplicateKey(ValueError):
    """A JSON object names a key twice: which value was meant cannot be known (Python's reader keeps the last, a
    person reads the first). `key`: the key; `zh`: the same for a Chinese reader."""

    def __init__(self, key: str) -> None:
        super().__init__(f"one JSON object names the key {key!r} twice, so which value was meant cannot be known;"
                         " a document the ledger wrote names each key once")
        self.key = key
        self.zh = f"同一个 JSON 对象两次出现键 {key!r}，无法确定哪个值才是本意；台账生成的文件中每个键只出现一次"


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found


def loads_once(body: bytes | str) -> Any:
    """`loads`, with an object naming a key twice refused (`DuplicateKey`, a ValueError): for a signed document an
    outsider reads (a receipt, a digest), where the checker and a person must read the same values."""
    return loads(body, object_pairs_hook=_pairs)


# A surrogate escaped (\ud800-\udfff): only such an escape can put half a character in parsed JSON; a pair of them is
# one character, and fine.
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class NotUtf8(ValueError):
    """A document's bytes that are not UTF-8 text: UTF-16, or half a character written as bytes (ED A0 80), which
    `json.loads` of bytes reads (the audit page answered 500 for the one and passed the other, where the command
    line called both unreadable: a regression probe)."""

    def __init__(self) -> None:
        super().__init__("the file is not UTF-8 text; give the JSON file as the ledger saved it")
        self.zh = "文件不是 UTF-8 文本；请给出台账保存的 JSON 文件"


def loads_document(body: bytes | str) -> Any:
    """`loads_once` of UTF-8 text (a byte order mark aside; `NotUtf8` else), with half a character refused
    (`HalfACharacter`): for a signed document checked by writing it out again in its canonical form, which cannot
    hold one (the audit pages answered 500)."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise NotUtf8() from None
    found = loads_once(body)
    if _SURROGATE.search(body.encode("utf-8", "surrogatepass")):
        try:
            json.dumps(found, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise HalfACharacter() from None
    return found
