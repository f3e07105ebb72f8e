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
