"""Field types shared by every resource: money in and out, the USCC, and the ledger's ids.

Money and USCC refusals reuse the domain's own checks (`ledger.domain.values`), raised as validation
errors whose type is the contract's code, so problem+json names the field and gives that code. Each carries
its Chinese sentence in its context (`zh`), which api/field_messages.py gives a Chinese reader.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

from ledger.domain.errors import InvalidAmount, InvalidInput, InvalidUscc
from ledger.domain.statement_fields import FIRST_DAY, LAST_DAY, booking_day
from ledger.domain.text import FULL_WIDTH, KINDS_ZH, MAX_TEXT, MOST_FIGURE, InvalidText, clean_text
from ledger.domain.values import MAX_INTEGER_DIGITS, money
from ledger.domain.values import Uscc as DomainUscc
from ledger.rules.subjects import MAX_LENGTH as SUBJECT_MAX_LENGTH

_LOOKS_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_GROUPED_PLAIN = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_UNIT = re.compile(r"[万萬元圆]|yuan|rmb|cny", re.IGNORECASE)  # money written with its unit, as people say it
_TEN_THOUSANDS = re.compile("[万萬]")
MONEY_PATTERN = rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{1,2}})?$"
MONEY_EXAMPLE = "1000000.00"
KINDS_EN = {"int": "a number", "float": "a number", "bool": "a boolean", "list": "an array", "dict": "an object",
            "NoneType": "null"}


def _in_yuan(text: str) -> str | None:
    """`300万元`, `２０万`, `1.5 万`, `120,000.00元` as yuan digits to the fen (`3000000.00`); None when it reads as
    no amount."""
    plain = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    found = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*+(万|萬)?\s*+(?:元|圆|yuan)?", plain, re.IGNORECASE)
    if found is None:
        return None
    figure = Decimal(found[1]) * (10_000 if found[2] else 1)
    return f"{figure.quantize(Decimal('0.01'))}" if figure == figure.quantize(Decimal("0.01")) else None


def _amount(value: object) -> Decimal:
    """A request amount: a decimal string or a JSON integer; never a float, a negative or a fraction of a fen."""
    if isinstance(value, str) and len(value) > MOST_FIGURE:
        # Bounded before anything reads it: Unicode normalisation is quadratic in combining marks out of order, and
        # 80 KB of them held the whole process 20 s (a stall probe).
        raise PydanticCustomError("invalid_amount", "amount {value} is {length} characters long; an amount is at most"
                                  f" {MOST_FIGURE}, written in yuan as digits such as \"300000.00\"",
                                  {"value": repr(value[:39] + "…"), "length": f"{len(value):,}",
                                   "zh": f"金额 {value[:39] + '…'!r} 长 {len(value):,} 个字符；金额最多"
                                         f' {MOST_FIGURE} 个字符，请按元填写数字，例如 "300000.00"', "specific": True})
    # Full-width digits with a trailing 元 (which the pages take) are said to be full-width, the figure to type with
    # them: a clerk's １５０，０００．００ 元 was told it carried a unit, though its page takes 元 (a clerk's probe).
    full_width_yuan = isinstance(value, str) and bool(FULL_WIDTH.search(value)) and not _TEN_THOUSANDS.search(value)
    if isinstance(value, str) and not _LOOKS_DECIMAL.fullmatch(value) and _UNIT.search(value) and not full_width_yuan:
        # Written as people say money (20万, 100,000.00 元), full-width or not: said so, with the figure in yuan
        # digits where it reads as one (a clerk's probe was given the form's general hint; then a fixed example).
        yuan_digits = _in_yuan(value)
        hint, hint_zh = ((f", here {yuan_digits}", f"，此处应写作 {yuan_digits}") if yuan_digits
                         else (", such as 200000.00 for 20万", "，如 20万 应写作 200000.00"))
        raise PydanticCustomError("invalid_amount", "amount {value} carries a unit (万, 元, yuan); write the amount in"
                                  " yuan as digits only" + hint,
                                  {"value": repr(value)[:40], "zh": f"金额 {repr(value)[:40]} 带有单位（“万”“元”）；"
                                   "请只填写以元计的数字" + hint_zh, "specific": True})
    if isinstance(value, str) and not _LOOKS_DECIMAL.fullmatch(value) and FULL_WIDTH.search(value):
        # A clerk's input method in full-width mode: said so, with the half-width form to type (a hostile-input
        # probe's clerk saw "not a decimal string" for what looked like a number).
        plain = unicodedata.normalize("NFKC", value).strip().replace("。", ".")  # the full-width mode's point
        plain = plain.replace(",", "") if _GROUPED_PLAIN.fullmatch(plain) else plain  # １，０００ is 1000
        plain = plain if _acceptable(plain) else _in_yuan(value) or ""  # １５０，０００．００ 元 too
        hint, hint_zh = ((f"; type it as {plain}", f"；请改为输入 {plain}") if plain else ("", ""))
        raise PydanticCustomError("invalid_amount", "amount {value} is written in full-width characters (an input"
                                  " method in full-width mode); type the digits and the point half-width" + hint,
                                  {"value": repr(value)[:40], "zh": f"金额 {repr(value)[:40]} 使用了全角字符（输入法"
                                   f"处于全角状态）；请用半角数字和小数点填写{hint_zh}", "specific": True})
    if isinstance(value, str) and not _LOOKS_DECIMAL.fullmatch(value):
        raise PydanticCustomError("invalid_amount", "amount {value} is not a decimal string such as "
                                  '"300000.00"', {"value": repr(value)[:40], "zh": f"金额 {repr(value)[:40]} 不是"
                                                  '十进制数字字符串；请填写例如 "300000.00"'})
    # Checked before money(): its arithmetic runs at Decimal's 28 digits and fails beyond them.
    integer_part = value.lstrip("-").split(".")[0] if isinstance(value, str) else None
    if (integer_part is not None and len(integer_part.lstrip("0")) > MAX_INTEGER_DIGITS) or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 10**MAX_INTEGER_DIGITS):
        # Cut with an ellipsis: 40 digits of a 4,000-digit number, unmarked, read as another number (a probe).
        shown = str(value) if len(str(value)) <= 40 else str(value)[:39] + "…"
        zh = f"金额 {shown} 超出任何预算（小数点前最多 {MAX_INTEGER_DIGITS} 位）"
        raise PydanticCustomError("invalid_amount", "amount {value} is beyond any budget (at most "
                                  f"{MAX_INTEGER_DIGITS} digits before the point)",
                                  {"value": shown, "zh": zh})
    try:
        return money(value)  # type: ignore[arg-type]
    except InvalidAmount as err:
        raise _refused("invalid_amount", err) from None


def _acceptable(text: str) -> bool:
    """Whether `text` is an amount a request may send: what the full-width refusal offers to type, never one refused
    in turn (a regression probe was told to type -100 and 10000.123): the one validator, asked."""
    try:
        _amount(text)
    except PydanticCustomError:
        return False
    return True


def _refused(kind: str, err: InvalidInput) -> PydanticCustomError:
    """The domain's refusal as a validation error of type `kind`: its English as the message, its Chinese kept."""
    return PydanticCustomError(kind, "{detail}", {"detail": err.detail, "zh": err.zh or ""})


def _uscc(value: str) -> str:
    try:
        return DomainUscc.parse(value).value
    except InvalidUscc as err:
        raise _refused("invalid_uscc", err) from None


MONEY_SCHEMA = {
    "title": "Money",
    "anyOf": [{"type": "string", "pattern": MONEY_PATTERN},
              {"type": "integer", "minimum": 0, "maximum": 10**MAX_INTEGER_DIGITS - 1}],
    "description": "yuan as a decimal string with at most two places (or a JSON integer); never a float",
    "examples": [MONEY_EXAMPLE],
}


class _NamedMoney:
    """Money in a request, as ONE named schema (`Money`) that every amount field refers to.

    Inline, generators name the string-or-integer union after each field (`ApprovalCreateAmount`, ...); a core
    schema with a `ref` becomes one definition that FastAPI lists under components/schemas.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: object) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _amount, ref="Money", metadata={"pydantic_js_functions": [lambda _schema, _handler: dict(MONEY_SCHEMA)]})


MoneyIn = Annotated[Decimal, _NamedMoney]
MoneyOut = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["300000.00"],
                                description="yuan, a decimal string with two places")]
Uscc = Annotated[
    str,
    AfterValidator(_uscc),
    WithJsonSchema({"type": "string", "format": "uscc", "minLength": 18, "maxLength": 18,
                    "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$",
                    "description": "统一社会信用代码 (GB 32100-2015), with its check character",
                    "examples": ["91330108MA2H0T5X61"]}),
]


def _checked(value: str, *, required: bool) -> str:
    # The ledger's one text check (ledger/domain/text.py), which CSV, forms and the CLI pass too: control
    # characters and lone surrogates refused (PostgreSQL cannot keep a NUL: such an event would fail every
    # projection of it), NFC, trimmed.
    try:
        return clean_text(value, "the text", required=required, field_zh="内容")
    except InvalidText as err:
        raise _refused("invalid_text", err) from None


def _text(value: str) -> str:
    return _checked(value, required=True)


def _optional_text(value: str) -> str:
    return _checked(value, required=False)


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT), AfterValidator(_text)]
OptionalText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_optional_text)]
# A subject's limit is the rules' own (ledger/rules/subjects.py): one limit, whichever check meets it first (a
# probe was told "at most 500" past 500 characters and "at most 200" below it).
SubjectText = Annotated[str, Field(min_length=1, max_length=SUBJECT_MAX_LENGTH), AfterValidator(_text)]
# A query parameter's text passes the same check: a NUL in `?q=` would otherwise reach PostgreSQL and fail.
QueryText = Annotated[str, AfterValidator(_optional_text)]


def query_text(most: int) -> Any:
    """A query parameter's text of at most `most` characters: the bound checked before the text check, whose own
    500 was said first past 500 (a hostile-input probe sent `q` of 501 characters, was told "at most 500", and
    of 300, "at most 200")."""
    return Annotated[str, Field(max_length=most), AfterValidator(_optional_text)]
Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$"), AfterValidator(_text)]
# The formats name what the codes are (OpenAPI formats are open-ended); the catalogue, not the schema,
# says which codes exist, so a new policy version needs no new API.
ProgrammeCode = Annotated[Code, Field(json_schema_extra={"format": "programme"}, examples=["A3.erc"])]
TierCode = Annotated[Code, Field(json_schema_extra={"format": "tier"}, examples=["municipal"])]
BodyKind = Annotated[Code, Field(json_schema_extra={"format": "body-kind"}, examples=["consortium"])]
LedgerId = Annotated[str, Field(max_length=100, description="an id the ledger gave (a UUID)",
                                examples=["3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"]), AfterValidator(_text)]
def _whole_number(value: object) -> object:
    """A number in a query string: its digits and nothing else (`2023.0`, ` 5` and `1e3` are refused, where
    pydantic's lax mode would read them); ranges stay each parameter's own `ge`/`le`."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 20):
        raise PydanticCustomError("invalid_number", "send a whole number written in digits only, such as 2023"
                                  " (not {value})", {"value": repr(value[:40]), "zh": "请只用数字写整数，例如 2023"
                                                       "（不带小数点、空格或其他字符）"})
    return value


# A whole number in a query parameter (`?year=`, `?limit=`): digits only, as every other input is read strictly.
# Written after the parameter's Query, `Annotated[int, Query(ge=1), WHOLE]`, so that its bounds stay the OpenAPI
# document's minimum and maximum.
WHOLE = BeforeValidator(_whole_number)


AwardYear = Annotated[int, Field(ge=1900, le=2999, examples=[2023], description="the year the award counts in")]
# In a JSON body a year is a JSON integer: "2024" is a string someone meant as something else.
YearIn = Annotated[AwardYear, Field(strict=True)]


# A JSON integer, as the text of the number it is (RFC 8259): ASCII digits only, so "２０２４" and "²⁰²⁴" stay text,
# which the API's strict year refuses as it refuses them in a JSON body. Bounded: int() refuses past 4,300 digits.
JSON_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]{0,99})")
_FULL_WIDTH_DIGITS = re.compile("[\uff10-\uff19]")


def full_width_year(text: str) -> InvalidInput | None:
    """A year typed in full-width digits (an input method in full-width mode), said so with the year to type, as
    amounts and days are (a regression probe read "a number such as 2024, not '２０２４'"): finance's forms, and the
    year filters of the queue and the reconciliation page (which called ２０２３ "not a year of the policy")."""
    text = text.strip()
    if len(text) > MOST_FIGURE:  # no year: the API's words, before normalising (quadratic in combining marks)
        return None
    plain = unicodedata.normalize("NFKC", text)
    if not _FULL_WIDTH_DIGITS.search(text) or not JSON_INTEGER.fullmatch(plain):
        return None  # superscripts and other scripts' digits: the API's own words (not an input method's mode)
    return InvalidInput(f"the year {text!r} is written in full-width digits (an input method in full-width mode);"
                        f" type it as {plain}",
                        zh=f"年度 {text!r} 使用了全角数字（输入法处于全角状态）；请改为输入 {plain}", field="year")


def _not_full_width_year(value: object) -> object:
    """A year in a query string typed in full-width digits, refused in `full_width_year`'s words (the field named
    apart, as a form labels it): the reconciliation page's download answered ２０２３ "应为整数" where the page itself
    names the full width and the year to type (a regression probe)."""
    if isinstance(value, str) and (wide := full_width_year(value)) is not None:
        plain = unicodedata.normalize("NFKC", value.strip())
        raise PydanticCustomError("full_width", "{detail}", {
            "detail": f"{value.strip()!r} is written in full-width digits (an input method in full-width mode); type"
                      f" it as {plain}", "zh": (wide.zh or "").removeprefix("年度 ")})
    return value


# Written after a query year's Query, as WHOLE is: a year typed in full-width digits is told the year to type.
WIDE_YEAR = BeforeValidator(_not_full_width_year)


def _day(value: object) -> date:
    """A day in a request: the text YYYY-MM-DD and nothing else (no time, no Unix timestamp), in range."""
    if not isinstance(value, str):
        kind = type(value).__name__
        zh = f'日期应为 YYYY-MM-DD 格式的文本（例如 "2023-06-01"），不能是{KINDS_ZH.get(kind, "其他类型")}'
        raise PydanticCustomError("invalid_date", "a day is the text YYYY-MM-DD (such as \"2023-06-01\"), not"
                                  " {kind}", {"kind": KINDS_EN.get(kind, f"a {kind}"), "zh": zh})
    if value != value.strip():
        raise PydanticCustomError("invalid_date", "a day is the text YYYY-MM-DD (such as \"2023-06-01\") with nothing"
                                  " around it; remove the spaces", {"zh": '日期应为 YYYY-MM-DD 格式的文本'
                                                                          '（例如 "2023-06-01"），前后不能有空格'})
    try:
        return booking_day(value, "day")
    except InvalidInput as err:
        raise PydanticCustomError("invalid_date", "{detail}", {"detail": err.detail.removeprefix("day: "),
                                                               "zh": (err.zh or "").removeprefix("day：")}) from None


Day = Annotated[date, BeforeValidator(_day),
                WithJsonSchema({"type": "string", "format": "date", "examples": ["2023-06-01"],
                                "description": f"a day written YYYY-MM-DD, {FIRST_DAY.year}–{LAST_DAY.year}"})]
Timestamp = Annotated[
    AwareDatetime,
    # isoformat keeps "+00:00" (pydantic would write "Z"): the contract's "RFC 3339 with offset", spelt out.
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2023-06-01T01:30:15.123456+00:00"]}),
]
# Days and moments the read models already hold as ISO text: declared with their formats, passed through as is.
DayText = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2023-07-03"])]
MomentText = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                                  examples=["2023-07-05T01:30:15.123456+00:00"])]
