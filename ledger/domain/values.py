"""Value types of the ledger: money to the fen and the unified social credit code."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from ledger.domain.errors import InvalidAmount, InvalidUscc
from ledger.domain.text import as_sent, bad_character, describe

FEN = Decimal("0.01")
MAX_DIGITS = 20  # NUMERIC(20, 2) in the read models; far above any district budget
# What a request may send: fifteen integer digits (below a thousand trillion yuan) is far above any budget, and
# keeps every sum the ledger makes inside Decimal's default 28-digit precision. JSON, forms and bank files alike.
MAX_INTEGER_DIGITS = 15
ZERO = Decimal("0.00")
_NOT_A_NUMBER_ZH = '金额 {value} 不是数字；请填写十进制数字字符串，例如 "300000.00"'



def money(value: Decimal | int | str) -> Decimal:
    """An exact amount in yuan, to the fen. Refuses floats, negatives and fractions of a fen."""
    if isinstance(value, bool):  # before float and int: True is an int to Python, a boolean to the sender
        raise InvalidAmount(f"amount {str(value).lower()} must be a decimal string such as \"300000.00\", not a"
                            " boolean", zh=f"金额 {str(value).lower()} 应为十进制数字字符串，例如 \"300000.00\"，"
                                           "不能是布尔值")
    if isinstance(value, float) and math.isinf(value):  # the word, or a JSON number past a float's range
        raise InvalidAmount(f"amount {as_sent(value)} is infinite as read: the word Infinity, or a JSON number too"
                            ' long to be read as one; send the amount as a decimal string such as "300000.00"',
                            zh=f"金额 {as_sent(value)} 读作无穷大：即 Infinity 一词，或过长、无法读取的 JSON 数字；"
                               '请以十进制数字字符串填写金额，例如 "300000.00"')
    if isinstance(value, float):
        raise InvalidAmount(f"amount {as_sent(value)} must be a decimal string such as \"300000.00\", not a float",
                            zh=f"金额 {as_sent(value)} 应为十进制数字字符串，例如 \"300000.00\"，不能是浮点数")
    if not isinstance(value, Decimal | int | str):
        # Decimal() also reads digit tuples and lists, so a JSON array would otherwise pass as a number.
        raise InvalidAmount(f"amount {as_sent(value)} is not a number; send a decimal string such as \"300000.00\"",
                            zh=_NOT_A_NUMBER_ZH.format(value=as_sent(value)))
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidAmount(f"amount {as_sent(value)} is not a number; send a decimal string such as \"300000.00\"",
                            zh=_NOT_A_NUMBER_ZH.format(value=as_sent(value))) from None
    if not amount.is_finite():
        raise InvalidAmount(f"amount {as_sent(value)} is not a finite number; send a decimal string such as"
                            ' "300000.00"',
                            zh=f"金额 {as_sent(value)} 不是有限的数；请填写十进制数字字符串，例如 \"300000.00\"")
    if amount < 0:
        raise InvalidAmount(f"amount {value!r} is negative; send the amount without its sign, such as \"300000.00\"",
                            zh=f"金额 {value!r} 为负数；请填写不带负号的金额，例如 \"300000.00\"")
    if amount.adjusted() >= MAX_DIGITS - 2:
        raise InvalidAmount(f"amount {value!r} is too large; amounts have at most {MAX_DIGITS - 2} digits before the"
                            " decimal point", zh=f"金额 {value!r} 过大；小数点前最多 {MAX_DIGITS - 2} 位")
    # "100.000" is written with three places, zeros or not: the contract refuses more than two places.
    if amount != amount.quantize(FEN, rounding=ROUND_DOWN) or (
            isinstance(value, str) and amount.as_tuple().exponent < -2):  # type: ignore[operator]
        raise InvalidAmount(f"amount {value!r} has more than two decimal places; the fen is the smallest unit",
                            zh=f"金额 {value!r} 超过两位小数；最小单位是分")
    return amount.quantize(FEN).copy_abs()  # "-0" is zero: never "-0.00" on the wire


def fen_down(value: Decimal) -> Decimal:
    """Round down to the fen: the policy's "at most" never rounds up."""
    return value.quantize(FEN, rounding=ROUND_DOWN)


def fmt(amount: Decimal) -> str:
    """The contract's wire form: a decimal string with two places."""
    return str(amount.quantize(FEN))


def yuan(amount: Decimal) -> str:
    """Human form for explanations: thousands separators, two places."""
    return f"{amount.quantize(FEN):,}"


def a_or_an(noun: str) -> str:
    """The noun with its English indefinite article: "an engineering research centre", "a project"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Full-width (全角) ASCII forms U+FF01..U+FF5E and the ideographic space, as their half-width characters.
_HALF_WIDTH = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: 0x20}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    """GB 32100-2015: the 18th character from a weighted sum modulo 31."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


@dataclass(frozen=True, slots=True)
class Uscc:
    """统一社会信用代码: 18 characters, the last a check character over the first 17."""

    value: str

    def __post_init__(self) -> None:
        code = self.value
        if isinstance(code, str) and (hidden := bad_character(code)) is not None:
            # Said, not "must be 18 characters" of what reads as 18 right ones (an intake probe: a zero-width space
            # or a CSV's byte order mark beside a good code).
            shown = code if len(code) <= 40 else code[:40] + "…"
            raise InvalidUscc(f"USCC {shown!r} holds the control or invisible character {describe(hidden)}; delete it"
                              " and send the 18 digits and capital letters alone",
                              zh=f"统一社会信用代码 {shown!r} 含有控制字符或不可见字符 U+{ord(hidden):04X}；请删除它，"
                                 "只发送 18 位数字和大写字母")
        if not isinstance(code, str) or len(code) != 18:
            # Quoted in part: a 5,000-character path segment came back whole (a hostile-input probe).
            shown = repr(code) if not isinstance(code, str) or len(code) <= 40 else repr(code[:40]) + "…"
            raise InvalidUscc(f"USCC {shown} must be 18 characters (GB 32100-2015)",
                              zh=f"统一社会信用代码 {shown} 应为 18 位（GB 32100-2015）")
        bad = [c for c in code if c not in USCC_CHARS]
        if bad:
            raise InvalidUscc(f"USCC {code!r} has characters outside GB 32100-2015's set: {''.join(bad)!r}"
                              " (digits and capital letters only, never I, O, S, V or Z)",
                              zh=f"统一社会信用代码 {code!r} 含有 GB 32100-2015 字符集以外的字符 {''.join(bad)!r}"
                              "（只用数字和大写字母，从不使用字母 I、O、S、V、Z）")
        expected = uscc_check_character(code[:17])
        if code[17] != expected:
            raise InvalidUscc(f"USCC {code!r} fails its check character: expected {expected!r} at position 18;"
                              " check the code was copied correctly",
                              zh=f"统一社会信用代码 {code!r} 校验位不符：第 18 位应为 {expected!r}；"
                              "请核对代码是否抄写正确")

    @classmethod
    def parse(cls, value: object) -> Uscc:
        """The code as typed: surrounding spaces dropped, lower case raised, and full-width (全角) digits, letters
        and spaces, which a Chinese input method types in its full-width mode, read as the half-width ones."""
        if not isinstance(value, str):
            return cls(value)  # type: ignore[arg-type]
        return cls(value.translate(_HALF_WIDTH).strip().upper())

    def __str__(self) -> str:
        return self.value


FIRST_YEAR, LAST_YEAR = 1900, 2999  # the moments a question about this ledger can be about


def plausible_moment(moment: datetime) -> datetime:
    """`moment`, if it is between FIRST_YEAR and LAST_YEAR in UTC too; else ValueError. A moment at
    datetime's own limits overflowed on conversion to UTC and answered 500."""
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{moment.isoformat()} is out of range") from None
    if not FIRST_YEAR <= in_utc.year <= LAST_YEAR:
        raise ValueError(f"{moment.isoformat()} is outside the years {FIRST_YEAR}–{LAST_YEAR}")
    return moment
