"""Each malformed field, worded in English and in Chinese: what the field must be and what to send instead.

Worded from the validation error's `type` and `ctx`, never from pydantic's own English (`msg`), which says
what is wrong but not what to send, and which a Chinese reader cannot read. Our own validators
(api/schemas/fields.py) write their sentences themselves, both languages, and carry the Chinese in
`ctx["zh"]`. Every edge that shows a field error (problem+json, the dashboard's forms, certification
lists) words it here, so one field reads alike everywhere.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# Validation error types our own field validators raise (api/schemas/fields.py); each is a contract code.
FIELD_CODES = ("invalid_amount", "invalid_uscc")
LOCATIONS = ("body", "query", "path", "header", "cookie")
WHERE_ZH = {"body": "请求体", "query": "查询参数", "path": "路径", "header": "请求头", "cookie": "Cookie"}
GENERIC = ("is not valid; check this field against /docs", "取值无效；请对照 /docs 检查此字段")
UUID_EXAMPLE = "3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"
# Patterns a person cannot be expected to read, said in words.
CODE = r"^[^/\s]+$"
KEY_PATTERN = r"^[\x21-\x7e]+$"  # an Idempotency-Key: printable ASCII, no spaces (what a header can carry)
PATTERNS = {CODE: ("must be a code without slashes or spaces, such as A3.erc", "应为不含斜杠或空格的代码，例如 A3.erc"),
            # Said in words, not as the regex (a probe was told "must match the pattern ^[\x21-\x7e]+$").
            KEY_PATTERN: ("must be printable ASCII characters without spaces (letters, digits and punctuation),"
                          " such as a UUID", "应由不含空格的可打印 ASCII 字符（字母、数字、标点）组成，例如 UUID")}
# A code field's own example: a tier sent with a space was told "such as A3.erc", a programme's code (a probe).
CODE_EXAMPLES = {"programme": "A3.erc", "tier": "municipal", "bureau": "kjj", "kind": "consortium",
                 "lead_bureau": "kjj", "status": "pending"}
Words = tuple[str, str]


def _integer(error: Mapping[str, Any], ctx: Mapping[str, Any]) -> Words:
    example = 2023 if "year" in _field(error) else 1
    if error.get("type") == "int_type" and isinstance(error.get("input"), str):
        return (f"must be a whole number such as {example}, as a JSON integer without quotes",
                f"应为整数，例如 {example}（JSON 整数，不加引号）")
    return f"must be a whole number such as {example}", f"应为整数，例如 {example}"


def _choices(ctx: Mapping[str, Any]) -> Words:
    expected = str(ctx.get("expected", ""))
    values = re.findall(r"'([^']*)'", expected) or [expected]
    return f"must be one of {', '.join(values)}", f"应为以下之一：{'、'.join(values)}"


def _pattern(ctx: Mapping[str, Any], field: str = "") -> Words:
    pattern = str(ctx.get("pattern", ""))
    if pattern == CODE and field:
        name = field.rsplit(".", 1)[-1]
        if (example := CODE_EXAMPLES.get(name)) is not None:
            return (f"must be a code without slashes or spaces, such as {example}",
                    f"应为不含斜杠或空格的代码，例如 {example}")
        return ("must be a code without slashes or spaces; see /docs for this field's codes",
                "应为不含斜杠或空格的代码；此字段的代码见 /docs")
    return PATTERNS.get(pattern, (f"must match the pattern {pattern}; see /docs for this field's format",
                                  f"格式不符，应匹配 {pattern}；此字段的格式见 /docs"))


def _too_short(ctx: Mapping[str, Any]) -> Words:
    least = ctx.get("min_length", 1)
    if least == 1:
        return "must not be empty; send some text", "不能为空；请填写内容"
    return f"must be at least {least} characters", f"应至少 {least} 个字符"


def _missing(error: Mapping[str, Any], _ctx: Mapping[str, Any]) -> Words:
    where = _where(error)
    return f"is required in the {where}", f"{WHERE_ZH.get(where, where)}中必须提供此项"


def _ours(error: Mapping[str, Any], ctx: Mapping[str, Any]) -> Words:
    """Our own validators' sentences: English in `msg`, Chinese in `ctx["zh"]`."""
    return str(error.get("msg") or GENERIC[0]), str(ctx.get("zh") or GENERIC[1])


def _generic(error: Mapping[str, Any], _ctx: Mapping[str, Any]) -> Words:
    said = str(error.get("msg") or "").removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return (f"{said}; check this field against /docs" if said else GENERIC[0]), GENERIC[1]


DAY = ("must be a day written YYYY-MM-DD, such as 2023-06-01", "应为 YYYY-MM-DD 格式的日期，例如 2023-06-01")
MOMENT = ("must be an RFC 3339 moment with its offset, such as 2023-06-01T09:30:00+08:00",
          "应为带时区偏移的 RFC 3339 时间，例如 2023-06-01T09:30:00+08:00")
OBJECT = ("must be a JSON object {...} of the fields /docs lists", "应为 JSON 对象 {...}，字段见 /docs")
NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type", "dataclass_type"})
ARRAY = ("must be a JSON array [...]", "应为 JSON 数组 [...]")
NUMBER = ('must be a number such as "300000.00"', '应为数字，例如 "300000.00"')
BOOLEAN = ("must be true or false, a JSON boolean without quotes", "应为 true 或 false（JSON 布尔值，不加引号）")
# A query string holds no JSON: what it reads as true and as false, as pydantic reads them (any case).
TEXT_BOOLEAN = ("must be true or false (1, yes, on and 0, no, off are read alike, in any case)",
                "应为 true 或 false（也可写 1、yes、on 或 0、no、off，不区分大小写）")
UUID = (f"must be a UUID such as {UUID_EXAMPLE}", f"应为 UUID，例如 {UUID_EXAMPLE}")
TEXT = ("must be text: a JSON string in double quotes", "应为文本（用双引号括起的 JSON 字符串）")
FIXED: dict[str, Words] = {
    "json_invalid": ("is not valid JSON; send a JSON object with Content-Type: application/json",
                     "不是有效的 JSON；请以 Content-Type: application/json 发送 JSON 对象"),
    "json_type": ("must be JSON text", "应为 JSON 文本"),
    "extra_forbidden": ("is not a field of this request; remove it (the request's fields are listed in /docs)",
                        "不是此请求的字段；请删除（此请求的字段见 /docs）"),
    "string_type": TEXT, "string_sub_type": TEXT,
    "string_unicode": ("must be valid UTF-8 text", "应为有效的 UTF-8 文本"),
    "bool_type": BOOLEAN, "bool_parsing": BOOLEAN,
    "none_required": ("must be null", "应为 null"),
    "model_type": OBJECT, "model_attributes_type": OBJECT, "dict_type": OBJECT, "dataclass_type": OBJECT,
    "list_type": ARRAY, "tuple_type": ARRAY, "set_type": ARRAY, "frozen_set_type": ARRAY, "iterable_type": ARRAY,
    "uuid_type": UUID, "uuid_parsing": UUID, "uuid_version": UUID,
    "float_type": NUMBER, "float_parsing": NUMBER, "decimal_type": NUMBER, "decimal_parsing": NUMBER,
    "finite_number": NUMBER, "decimal_whole_digits": NUMBER,
    "date_type": DAY, "date_parsing": DAY, "date_from_datetime_parsing": DAY, "date_from_datetime_inexact": DAY,
    "datetime_type": MOMENT, "datetime_parsing": MOMENT, "datetime_from_date_parsing": MOMENT,
    "datetime_object_invalid": MOMENT, "timezone_aware": MOMENT, "timezone_offset": MOMENT,
}
BY_CTX: dict[str, Callable[[Mapping[str, Any]], Words]] = {
    "string_too_short": _too_short,
    "string_too_long": lambda c: (f"must be at most {c.get('max_length')} characters; shorten it",
                                  f"不超过 {c.get('max_length')} 个字符；请缩短"),
    "string_pattern_mismatch": _pattern,
    "greater_than_equal": lambda c: (f"must be {c.get('ge')} or more", f"应不小于 {c.get('ge')}"),
    "greater_than": lambda c: (f"must be more than {c.get('gt')}", f"应大于 {c.get('gt')}"),
    "less_than_equal": lambda c: (f"must be {c.get('le')} or less", f"应不大于 {c.get('le')}"),
    "less_than": lambda c: (f"must be less than {c.get('lt')}", f"应小于 {c.get('lt')}"),
    "multiple_of": lambda c: (f"must be a multiple of {c.get('multiple_of')}", f"应为 {c.get('multiple_of')} 的倍数"),
    "literal_error": _choices, "enum": _choices,
    "too_long": lambda c: (f"must hold at most {c.get('max_length')} items", f"最多 {c.get('max_length')} 项"),
    "too_short": lambda c: (f"must hold at least {c.get('min_length')} item{'' if c.get('min_length') == 1 else 's'}",
                            f"至少 {c.get('min_length')} 项"),
    "decimal_max_digits": lambda c: (f"must have at most {c.get('max_digits')} digits",
                                     f"最多 {c.get('max_digits')} 位数字"),
    "decimal_max_places": lambda c: (f"must have at most {c.get('decimal_places')} decimal places",
                                     f"最多 {c.get('decimal_places')} 位小数"),
}
BY_ERROR: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], Words]] = {
    "missing": _missing, "int_type": _integer, "int_parsing": _integer, "int_from_float": _integer,
    "int_parsing_size": _integer, "value_error": _generic, "assertion_error": _generic,
    **{ours: _ours for ours in (*FIELD_CODES, "invalid_text", "invalid_date", "invalid_moment")},
}


def _split(error: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """(location, path in it): a request's errors start with their location; a model's own (a form's, a
    list row's, validated with model_validate) start with the field, and are about what was sent: the body."""
    loc = list(error.get("loc") or ())
    if loc and loc[0] in LOCATIONS:
        return str(loc[0]), loc[1:]
    return "body", loc


def _where(error: Mapping[str, Any]) -> str:
    return _split(error)[0]


FIELD_SHOWN = 80  # a field's name as quoted back: a sent key is cut as a sent value is (ledger/domain/text.py)


def _field(error: Mapping[str, Any]) -> str:
    """The field's dotted path, cut to `FIELD_SHOWN` characters: an unknown key of 900 KB came back whole, twice,
    in a 1.8 MB refusal (a hostile-input probe)."""
    where, path = _split(error)
    named = ".".join(str(p) for p in path) or where
    return named if len(named) <= FIELD_SHOWN else named[: FIELD_SHOWN - 1] + "…"


def words(error: Mapping[str, Any]) -> Words:
    """(English, Chinese): what is wrong with the field and what to send instead."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if "zh" in ctx:
        return _ours(error, ctx)
    if kind in ("bool_type", "bool_parsing") and _where(error) != "body":
        return TEXT_BOOLEAN  # `?read_models=maybe` was told of a JSON boolean without quotes (a robustness probe)
    if kind in FIXED:
        return FIXED[kind]
    if kind == "string_pattern_mismatch":
        return _pattern(ctx, _field(error))
    if kind in ("too_long", "too_short") and isinstance(error.get("input"), str):
        # A text's length, checked as a length of anything (a query's max_length over a validated text): said in
        # characters, with what to do, not "at most 200 items" (a hostile-input probe).
        kind = f"string_{kind}"
    if kind in BY_CTX:
        return BY_CTX[kind](ctx)
    return BY_ERROR.get(kind, _generic)(error, ctx)


def code(error: Mapping[str, Any]) -> str:
    """The contract's code for a field error: our own field codes, else invalid_request."""
    kind = str(error.get("type", ""))
    return kind if kind in FIELD_CODES else "invalid_request"


def field_error(error: Mapping[str, Any]) -> dict[str, str]:
    """One field error as problem+json's `errors[]` entry, with its message in both languages (`message`,
    `message_zh`); the caller keeps the reader's."""
    english, chinese = words(error)
    field = "body" if error.get("type") == "json_invalid" else _field(error)
    return {"field": field, "location": _where(error), "message": english, "message_zh": chinese,
            "code": code(error)}


def in_language(error: Mapping[str, Any], lang: str) -> str:
    """`field: what to send`, in `lang`."""
    entry = field_error(error)
    if lang == "zh":
        return f"{entry['field']}：{entry['message_zh']}"
    return f"{entry['field']}: {entry['message']}"


def joined(errors: list[Any], lang: str) -> str:
    """Every field error, in `lang`, as one sentence."""
    return ("；" if lang == "zh" else "; ").join(in_language(e, lang) for e in errors)
