"""Field types shared by every resource: money in and out, the USCC, and the ledger's ids.

Money and USCC refusals reuse the domain's own checks (`ledger.domain.values`), raised as validation
errors whose type is the contract's code, so problem+json names the field and gives that code.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

from ledger.domain.errors import InvalidAmount, InvalidUscc
from ledger.domain.values import Uscc as DomainUscc
from ledger.domain.values import money

# Fifteen integer digits (below a thousand trillion yuan) is far above any budget, and keeps every sum
# the ledger makes inside Decimal's default 28-digit precision.
MAX_INTEGER_DIGITS = 15
_LOOKS_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
MONEY_PATTERN = rf"^[0-9]{{1,{MAX_INTEGER_DIGITS}}}(\.[0-9]{{1,2}})?$"
MONEY_EXAMPLE = "1000000.00"


def _amount(value: object) -> Decimal:
    """A request amount: a decimal string or a JSON integer; never a float, a negative or a fraction of a fen."""
    if isinstance(value, str) and not _LOOKS_DECIMAL.fullmatch(value):
        raise PydanticCustomError("invalid_amount", "amount {value} is not a decimal string such as "
                                  '"300000.00"', {"value": repr(value)[:40]})
    # Checked before money(): its arithmetic runs at Decimal's 28 digits and fails beyond them.
    integer_part = value.lstrip("-").split(".")[0] if isinstance(value, str) else None
    if (integer_part is not None and len(integer_part.lstrip("0")) > MAX_INTEGER_DIGITS) or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 10**MAX_INTEGER_DIGITS):
        raise PydanticCustomError("invalid_amount", "amount {value} is beyond any budget (at most "
                                  f"{MAX_INTEGER_DIGITS} digits before the point)", {"value": str(value)[:40]})
    try:
        return money(value)  # type: ignore[arg-type]
    except InvalidAmount as err:
        raise PydanticCustomError("invalid_amount", "{detail}", {"detail": err.detail}) from None


def _uscc(value: str) -> str:
    try:
        return DomainUscc.parse(value).value
    except InvalidUscc as err:
        raise PydanticCustomError("invalid_uscc", "{detail}", {"detail": err.detail}) from None


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


def _text(value: str) -> str:
    # Control characters and lone surrogates cannot be stored as text (PostgreSQL refuses NUL, UTF-8
    # refuses surrogates); refusing them here keeps them out of events that could never be read back.
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise PydanticCustomError("invalid_text", "must not contain control characters or lone surrogates")
    return value


Text = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_text)]
Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^/\s]+$"), AfterValidator(_text)]
# The formats name what the codes are (OpenAPI formats are open-ended); the catalogue, not the schema,
# says which codes exist, so a new policy version needs no new API.
ProgrammeCode = Annotated[Code, Field(json_schema_extra={"format": "programme"}, examples=["A3.erc"])]
TierCode = Annotated[Code, Field(json_schema_extra={"format": "tier"}, examples=["municipal"])]
BodyKind = Annotated[Code, Field(json_schema_extra={"format": "body-kind"}, examples=["consortium"])]
LedgerId = Annotated[str, Field(description="an id the ledger gave (a UUID)",
                                examples=["3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f"])]
AwardYear = Annotated[int, Field(ge=1900, le=2999, examples=[2023], description="the year the award counts in")]
Timestamp = Annotated[
    AwareDatetime,
    # isoformat keeps "+00:00" (pydantic would write "Z"): the contract's "RFC 3339 with offset", spelt out.
    PlainSerializer(lambda moment: moment.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2023-06-01T09:30:15.123456+08:00"]}),
]
# Days and moments the read models already hold as ISO text: declared with their formats, passed through as is.
DayText = Annotated[str, Field(json_schema_extra={"format": "date"}, examples=["2023-07-03"])]
MomentText = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                                  examples=["2023-07-05T09:30:15.123456+08:00"])]
