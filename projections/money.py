"""Money in read-model rows: two-place decimal strings, summed as Decimal, never float."""
from __future__ import annotations

from decimal import Decimal

from ledger.domain.values import fmt

ZERO = "0.00"


def amount(text: str | None) -> Decimal:
    return Decimal(text) if text is not None else Decimal(ZERO)


def add(text: str | None, *deltas: str | Decimal | None) -> str:
    total = amount(text)
    for delta in deltas:
        total += amount(delta) if not isinstance(delta, Decimal) else delta
    return fmt(total)


def neg(text: str | None) -> Decimal:
    return -amount(text)
