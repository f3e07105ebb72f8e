"""What the fuzzing pass sends to a command: a body schemathesis draws from the served /openapi.json (mostly
right, so it reaches the ledger's rules), then bent the ways real clients and attackers bend it: a field of
the wrong type, huge, with control characters or unicode edge cases, money and dates at their limits, a
field missing or unknown, a duplicate key in the JSON text, malformed JSON, the wrong content type."""
from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

MONEY = ["-0.01", "0.001", "0.00", "-0", "1e3", "NaN", "Infinity", "1" + "0" * 40, "99999999999999999999.99",
         " 100.00", "100.00\n", "１００.００", "1_000.00", "1,000.00", "0x10", "+5", 1e308, -1, 10**30, 0.1, 100]
DATES = ["0001-01-01", "9999-12-31", "10000-01-01", "2023-02-29", "2024-02-29", "2023-06-01T00:00:00",
         "2023-06-01T00:00:00+08:00", "1700000000", 1700000000, "2023-6-1", "2023/06/01", "２０２３-06-01",
         "2022-09-05", "2025-09-06", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
TEXT = ["\x00", "a\x1b[2Jb", "x\r\nX-Forged: 1", "\x7f\x85", "\ud800", "\udfff\ud800", "\u202e", "e\u0301",
        "Ａ", "\ufeff", "\u200b", "𠀀", "ﬁ", "", " ", "<script>alert(1)</script>", "'; DROP TABLE rm_claims;--",
        "%0a", "../../etc/passwd", "杭" * 200_000, "a" * 2_000_000]
WRONG = [None, True, False, [], {}, [1], {"a": 1}, 1.5, -1, 0, 2**64, -(2**63) - 1, "2024", [None] * 50]
EDGES = st.sampled_from(MONEY + DATES + TEXT + WRONG) | st.text(max_size=20) | st.integers() | st.floats()
CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "text/plain", "text/csv",
                 "application/x-www-form-urlencoded", "multipart/form-data", "", "application/problem+json",
                 "application/json; charset=latin-1", "application/xml"]
RAW = [b"", b"{", b"}", b"\xff\xfe\x00", b"\xef\xbb\xbf{}", b"[" * 100_000, b"{\"a\":" * 50_000, b"null",
       b'{"amount": NaN}', b'{"amount": 1e400}', b'{"year": 1' + b"0" * 5000 + b"}", b'{"a": "\\ud800"}',
       b"\x00" * 64, b"{'single': 'quotes'}", b'{"a":1}{"b":2}', "{\"名\": \"杭\"}".encode("gb18030")]


@dataclass
class Sent:
    """One request as it goes on the wire."""

    what: str  # how the body was bent, for the failure message
    content: bytes
    content_type: str

    def __repr__(self) -> str:
        more = "…" if len(self.content) > 300 else ""
        return f"Sent({self.what}, {self.content_type!r}, {self.content[:300]!r}{more})"


def _dump(body: object, ensure_ascii: bool) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    if isinstance(body, bytes):
        return body
    return json.dumps(body, ensure_ascii=ensure_ascii, default=str).encode("utf-8", "surrogatepass")


@st.composite
def bent(draw: st.DrawFn, body: object, media_type: str, fields: tuple[str, ...]) -> Sent:
    """`body` (what schemathesis generated for `media_type`) as it is, or bent one way."""
    how = draw(st.sampled_from(["as is", "as is", "field", "field", "field", "missing", "unknown", "not an object",
                                "duplicate key", "raw", "content type"]))
    obj = body if isinstance(body, dict) else {}
    keys = sorted(set(obj) | set(fields)) or ["x"]
    if how == "field":
        key = draw(st.sampled_from(keys))
        body = {**obj, key: draw(EDGES)}
        how = f"field {key}"
    elif how == "missing" and obj:
        key = draw(st.sampled_from(sorted(obj)))
        body = {k: v for k, v in obj.items() if k != key}
    elif how == "unknown":
        body = {**obj, draw(st.sampled_from(["extra", "id", "status", "__proto__", "amount "])): draw(EDGES)}
    elif how == "not an object":
        body = draw(st.sampled_from([*WRONG, "text", 12]))
    elif how == "duplicate key" and obj:
        # The JSON text names a field twice; a parser that keeps the last would let the second value past checks.
        key = draw(st.sampled_from(sorted(obj)))
        text = json.dumps(obj, ensure_ascii=False, default=str)
        dup = json.dumps({key: draw(EDGES)}, ensure_ascii=False, default=str)
        return Sent(f"duplicate {key}", (text[:-1] + ", " + dup[1:]).encode("utf-8", "surrogatepass"),
                    "application/json" if media_type.endswith("json") else media_type)
    elif how == "raw":
        return Sent("raw", draw(st.sampled_from(RAW) | st.binary(max_size=64)), media_type)
    elif how == "content type":
        return Sent("content type", _dump(body, True), draw(st.sampled_from(CONTENT_TYPES)))
    return Sent(how, _dump(body, draw(st.booleans())), media_type)
