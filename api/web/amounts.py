"""Money as people read it on the pages: 元 with thousands separators, and 万元 where the policy speaks in it."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")
WAN = Decimal(10_000)


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def yuan(value: object) -> str:
    """`1234567.5` → `1,234,567.50 元`; nothing → an em dash."""
    amount = _decimal(value)
    return "—" if amount is None else f"{amount.quantize(FEN):,} 元"


def wan(value: object) -> str:
    """A catalogue amount in the policy's own unit: `1000000` → `100 万元`, `25000` → `2.5 万元`."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    in_wan = (amount / WAN).normalize()
    text = f"{in_wan:,f}" if in_wan == in_wan.to_integral() else f"{in_wan:,}"
    return f"{text} 万元"


def share(part: object, whole: object) -> Decimal:
    """`part` as a percentage of `whole`, clamped to 0..100 and kept Decimal, for drawing bars."""
    numerator, denominator = _decimal(part), _decimal(whole)
    if numerator is None or not denominator:
        return Decimal("0.00")
    return max(Decimal(0), min(Decimal(100), numerator * 100 / denominator)).quantize(Decimal("0.01"))
