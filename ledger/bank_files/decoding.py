"""Which text a bank file is: Chinese banks export GB18030 (or its subset GBK) or UTF-8, with or without a BOM.

Kept ours rather than a detector library (charset-normalizer, chardet): those guess among dozens of encodings
from statistics, and a short file of digits and a few Chinese names is where guesses go wrong. Here there are
only two candidates and a strict test between them: GB18030 text with Chinese in it is almost never valid
UTF-8, so "decodes as UTF-8" is the answer, and anything else must decode as GB18030 or is refused."""
from __future__ import annotations

from ledger.domain.errors import InvalidInput

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\x84\x31\x95\x33", "gb18030"))


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read as (`utf-8-sig`, `utf-8` or `gb18030`)."""
    for mark, encoding in BOMS:
        if raw.startswith(mark):
            # A byte order mark names the encoding, but the bytes after it may still not be that text.
            return _strict(raw[len(mark):], encoding.replace("-sig", ""), len(mark)), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return _strict(raw, "gb18030", 0), "gb18030"


def _strict(raw: bytes, encoding: str, offset: int) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        msg = (f"the statement is neither UTF-8 nor GB18030/GBK text (byte {offset + err.start + 1} cannot be read);"
               " export it from online banking again as CSV")
        raise InvalidInput(msg, zh=f"流水既不是 UTF-8 也不是 GB18030/GBK 编码的文本（第 {offset + err.start + 1} 个字节"
                                   "无法读取）；请从网银重新导出 CSV 文件") from None
