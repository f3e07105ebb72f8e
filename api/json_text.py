"""JSON read from what a user sends: nesting too deep for the parser is malformed JSON like any other."""
from __future__ import annotations

import json
from typing import Any


class TooDeep(ValueError):
    """JSON nested past what the parser can follow (about a thousand levels): no request of ours nests so; `zh`:
    the same for a Chinese reader."""

    zh = "JSON 嵌套层数超过解析器的上限（约一千层）；本台账的任何文件都不会嵌套这么深"


def loads(body: bytes | str, **options: Any) -> Any:
    """`json.loads`, with JSON nested too deep for the parser's stack refused as `TooDeep` (a ValueError, as any
    other malformed JSON is), never a RecursionError that would answer 500."""
    try:
        return json.loads(body, **options)
    except RecursionError:
        raise TooDeep("the JSON nests deeper than the parser follows") from None


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
