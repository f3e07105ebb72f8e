"""Python's TOML parser (tomllib) says what is wrong in English; a Chinese reader of a refused catalogue read that
English inside Chinese (a zh probe). `zh(err)` says the same in Chinese: the cause, then where, as 第 N 行第 M 列.
A message this table does not know is quoted as the parser said it, with its place in Chinese."""
from __future__ import annotations

import re

# tomllib's messages (Python 3.11, tomllib/_parser.py), each a pattern over the message without its place.
_CAUSES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), words) for pattern, words in (
    (r"Invalid statement", "此处不是有效的语句"),
    (r"Expected newline or end of document after a statement", "语句之后应换行或结束"),
    (r"Found invalid character (.+)", r"出现无效字符 \1"),
    (r"Cannot declare (.+) twice", r"\1 不能声明两次"),
    (r"Cannot overwrite a value", "不能覆盖已有的值（同一键写了两次）"),
    (r"Expected '\]' at the end of a table declaration", "表头末尾应为 ']'"),
    (r"Expected '\]\]' at the end of an array declaration", "表数组的表头末尾应为 ']]'"),
    (r"Cannot mutate immutable namespace (.+)", r"不能修改已定义完毕的 \1"),
    (r"Cannot redefine namespace (.+)", r"不能重复定义 \1"),
    (r"Expected '=' after a key in a key/value pair", "键之后应为 '='"),
    (r"Invalid initial character for a key part", "键的首字符无效（键须为字母、数字、- 或 _，或加引号）"),
    (r"Unclosed array", "数组未闭合（缺少 ']'）"),
    (r"Duplicate inline table key (.+)", r"内联表中的键 \1 重复"),
    (r"Unclosed inline table", "内联表未闭合（缺少 '}'）"),
    (r"Unescaped '\\' in a string", "字符串中的 '\\' 未转义"),
    (r"Invalid hex value", "十六进制值无效"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是有效的 Unicode 字符"),
    (r"Unterminated string", "字符串未结束（缺少引号）"),
    (r"Illegal character (.+)", r"出现非法字符 \1"),
    (r"Invalid date or datetime", "日期或时间无效"),
    (r"Invalid value", "值无效（文字须加引号，金额等数字不加）"),
    (r"Expected (.+)", r"此处应为 \1"),  # after the longer "Expected ..." messages above
))
_PLACE = re.compile(r"^(?P<cause>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|(?P<end>end of document))\)$",
                    re.DOTALL)


_KEY = re.compile(r"\(((?:'[^']*'(?:, )?)+),?\)")  # a table's key as tomllib writes it: ('policy', 'term')


def en(err: Exception) -> str:
    """The parser's message, a table's key written as TOML writes it (policy.term), not as Python's tuple
    (('policy', 'term'),): a regression probe read ('t',) in both languages."""
    return _KEY.sub(lambda found: ".".join(re.findall(r"'([^']*)'", found[1])), str(err))


def zh(err: Exception) -> str:
    """The parser's message in Chinese: `第 1 行第 3 列：键的首字符无效…`."""
    said = en(err)
    found = _PLACE.match(said)
    cause, where = (found["cause"], "文件末尾" if found["end"] else f"第 {found['line']} 行第 {found['column']} 列") \
        if found else (said, "")
    words = next((pattern.sub(template, cause) for pattern, template in _CAUSES if pattern.fullmatch(cause)),
                 f"“{cause}”")
    return f"{where}：{words}" if where else words
