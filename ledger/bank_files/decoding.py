"""Which text a bank file is: Chinese banks export GB18030 (or its subset GBK) or UTF-8, with or without a BOM.

Kept ours rather than a detector library (charset-normalizer, chardet): those guess among dozens of encodings
from statistics, and a short file of digits and a few Chinese names is where guesses go wrong. Here there are
only two candidates and a strict test between them: GB18030 text with Chinese in it is almost never valid
UTF-8, so "decodes as UTF-8" is the answer, and anything else must decode as GB18030 or is refused; except a
file of both, some lines UTF-8 Chinese and another not UTF-8, refused naming that line, since reading it whole
as either encoding garbles the other's lines."""
from __future__ import annotations

from ledger.domain.errors import InvalidInput

BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\x84\x31\x95\x33", "gb18030"))
# A charset a sender may declare (Content-Type: text/csv; charset=...): the GB family is read as declared, since
# GBK bytes of a few characters can pass for UTF-8 ("测试企业" in GBK reads as UTF-8 "娴嬭瘯浼佷笟"); UTF-8, or
# none, is read as found (UTF-8, else GB18030), as clients often declare UTF-8 whatever they send.
GB = ("gb18030", "gbk", "gb2312", "cp936")
READABLE = ("utf-8", "utf8", *GB)


def charset(content_type: str) -> str | None:
    """The `charset` parameter of a Content-Type, lower case, unquoted; None when there is none."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip().lower()
    return None


def decode(raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding it was read as (`utf-8-sig`, `utf-8` or `gb18030`); `declared`, the
    charset the sender named, read as named where it is of the GB family."""
    _not_utf16(raw)
    if declared in GB:
        mark = BOMS[1][0]
        offset = len(mark) if raw.startswith(mark) else 0
        try:
            text = raw[offset:].decode("gb18030")
        except UnicodeDecodeError as err:  # the sender named the encoding, and the bytes are not it: said so
            byte = offset + err.start + 1
            raise NotAsDeclared(f"the file declares charset={declared} but is not GB18030/GBK text (byte {byte} cannot"
                               " be read); if it is UTF-8, declare charset=utf-8 or no charset",
                               zh=f"文件声明 charset={declared}，但不是 GB18030/GBK 编码的文本（第 {byte} 个字节无法"
                                  "读取）；如为 UTF-8 文本，请声明 charset=utf-8 或不声明") from None
        if not offset and _utf8_misread(raw, text):
            # UTF-8 Chinese that GB18030 also reads, as private-use codes among rare characters: the charset named is
            # wrong (a finance probe was told to delete an invisible U+E15E from a counterparty that held none).
            raise NotAsDeclared(f"the file declares charset={declared}, but it is UTF-8 text: read as GB18030/GBK its"
                               " Chinese becomes private-use codes and rare characters; declare charset=utf-8 or no"
                               " charset",
                               zh=f"文件声明 charset={declared}，但它是 UTF-8 编码的文本：按 GB18030/GBK 读取，其中的"
                                  "汉字会成为自定义区字符和生僻字；请声明 charset=utf-8 或不声明")
        return text, "gb18030"
    for mark, encoding in BOMS:
        if raw.startswith(mark):
            if encoding == "utf-8-sig":
                _not_mixed(raw[len(mark):])
            # A byte order mark names the encoding, but the bytes after it may still not be that text.
            return _strict(raw[len(mark):], encoding.replace("-sig", ""), len(mark)), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    _not_mixed(raw)
    return _chinese_as_written(_strict(raw, "gb18030", 0)), "gb18030"


class OtherEncoding(InvalidInput):
    """Bytes that decode as GB18030 but are another encoding's text (Big5, Shift-JIS): GBK reads almost any pair of
    high bytes as some character, so such a file was imported as mojibake (經信發文號 in Big5 became 竒獺祇ゅ腹)."""


def _utf8_misread(raw: bytes, text: str) -> bool:
    """Whether bytes a sender declared GB are UTF-8 text instead: they decode as UTF-8 beyond ASCII, and `text`, their
    GB18030 reading, holds a private-use code (where GB18030 puts GBK's user-defined area, which UTF-8 Chinese read
    as GBK reaches every few characters: 杭州 reads 鏉\ue15e窞). GBK text of a few everyday characters can pass for
    UTF-8 too (测试企业 in UTF-8 is 娴嬭瘯浼佷笟 in GBK, no private-use code in it): such a file is read as declared."""
    if raw.isascii() or not any(0xE000 <= ord(char) <= 0xF8FF for char in text):
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _odd(text: str) -> tuple[int, int]:
    """Of `text`'s characters outside ASCII that are Chinese, kana or private use: how many, and how many of them are
    kana, private use (where GB18030 puts GBK's user-defined codes) or Chinese that GB2312, the everyday set, lacks."""
    seen = odd = 0
    for char in text:
        point = ord(char)
        if point < 0x3040:
            continue
        if 0x3040 <= point <= 0x30FF or 0xE000 <= point <= 0xF8FF:  # kana, private use
            seen, odd = seen + 1, odd + 1
        elif 0x3400 <= point <= 0x9FFF:
            seen += 1
            try:
                char.encode("gb2312")
            except UnicodeEncodeError:
                odd += 1
    return seen, odd


def _chinese_as_written(text: str) -> str:
    """`text` read as GB18030, unless what it reads as is not Chinese as GB text writes it: of its characters outside
    ASCII that are Chinese, kana or private use, more than half (of at least four) are kana, private use (where
    GB18030 puts GBK's user-defined codes) or Chinese that GB2312, the everyday set, lacks. A Big5 or Shift-JIS
    file reads so (80 to 100 % here); a GBK one with a few rare characters in names (喆, 堃) does not. A file sent
    declaring a GB charset is read as declared (its sender says what it is), unless it is UTF-8 (`_utf8_misread`)."""
    seen, odd = _odd(text)
    if seen >= 4 and odd * 2 > seen:
        raise OtherEncoding(
            f"the file reads as GB18030/GBK, but {odd:,} of its {seen:,} Chinese characters are ones GB text hardly"
            " holds (rare characters, kana, private-use codes): it is most likely Big5 (Traditional Chinese) or"
            " Shift-JIS text, which would be recorded as other characters than written; save it as UTF-8 (in Excel:"
            " Save As, \"CSV UTF-8 (comma delimited)\") and send it again",
            zh=f"文件按 GB18030/GBK 读取时，{seen:,} 个汉字中有 {odd:,} 个是 GB 文本中几乎不会出现的字符（生僻字、"
               "日文假名、自定义区字符）：文件很可能是 Big5（繁体）或 Shift-JIS 编码，按 GBK 记录会成为另外的字；"
               "请另存为 UTF-8（Excel：另存为“CSV UTF-8（逗号分隔）”）后重新发送")
    return text


def _not_mixed(raw: bytes) -> None:
    """Refuse bytes that are not UTF-8 as a whole but hold both UTF-8 Chinese lines and a line that is not UTF-8."""
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    if (line := mixed_line(raw)) is not None:
        raise MixedEncodings(f"line {line} is not UTF-8 text, while other lines are: the file mixes encodings (a line"
                             " pasted in from another file, say), and reading it whole as either would garble the"
                             " others; save the whole file in one encoding, UTF-8 preferred, and send it again",
                             zh=f"第 {line} 行不是 UTF-8 文本，而其他行是：文件混用了多种编码"
                                "（例如从别的文件粘贴进来的行），无论整体按哪种编码读取都会使另一部分成为乱码；请将整个文件以同一种编码保存"
                                "（建议 UTF-8）后重新发送", line=line)


class MixedEncodings(InvalidInput):
    """Some lines are UTF-8 text with Chinese in it, another is not UTF-8: one file, two encodings."""


class NotAsDeclared(InvalidInput):
    """The sender named a GB charset, and the bytes are not GB18030/GBK text."""


class WideText(InvalidInput):
    """UTF-16 (or UTF-32) text: Excel's "Unicode text" and many Windows tools save it; read as neither encoding."""


def _not_utf16(raw: bytes) -> None:
    """Refuse UTF-16 or UTF-32 text, named as such (an adversarial probe was told "byte 1 cannot be read", or had a
    header read as `u s c c`): its byte order mark, or, without one, the NUL bytes every ASCII character of it
    carries, which no UTF-8 or GB18030 text of a bank or a list holds."""
    head = raw[:400]
    marked = head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    if not marked and (len(head) < 4 or head.count(0) * 4 < len(head)):
        return
    raise WideText("the file is UTF-16 (or UTF-32) text, as Excel saves \"Unicode text\": save it as CSV UTF-8 (in"
                   " Excel: Save As, \"CSV UTF-8 (comma delimited)\") and send it again",
                   zh="文件是 UTF-16（或 UTF-32）编码的文本（Excel 另存为“Unicode 文本”即是如此）：请另存为 CSV UTF-8"
                      "（Excel：另存为“CSV UTF-8（逗号分隔）”）后重新发送")


def mixed_line(raw: bytes) -> int | None:
    """The number (from 1) of the first line that is not UTF-8, when another line is UTF-8 beyond the 2-byte
    range (Chinese, CJK punctuation: what a GB18030 line only rarely passes for, where a lone GBK character often
    reads as a valid 2-byte UTF-8 Latin or Greek letter); None when the file is not such a mix. A newline byte is
    never part of a GB18030 or UTF-8 multi-byte character, so lines split alike in both."""
    first_bad, utf8_wide = None, False
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            first_bad = first_bad or number
            continue
        utf8_wide = utf8_wide or any(ord(char) >= 0x800 for char in text)
        if first_bad and utf8_wide:
            break
    return first_bad if utf8_wide else None


def _strict(raw: bytes, encoding: str, offset: int) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        msg = (f"the statement is neither UTF-8 nor GB18030/GBK text (byte {offset + err.start + 1} cannot be read);"
               " export it from online banking again as CSV")
        raise InvalidInput(msg, zh=f"流水既不是 UTF-8 也不是 GB18030/GBK 编码的文本（第 {offset + err.start + 1} 个字节"
                                   "无法读取）；请从网银重新导出 CSV 文件") from None
