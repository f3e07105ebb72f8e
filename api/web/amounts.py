"""Money as people read it on the pages: 元 with thousands separators, and 万元 where the policy speaks in it;
on English pages "yuan", the policy's 万元 amounts written out in yuan (no reader of English counts in 万)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from api.web import i18n

FEN = Decimal("0.01")
WAN = Decimal(10_000)


# Digits grouped in threes as the pages show them ("1,000,000.00"), with ASCII or full-width commas; nothing else:
# "1000,50" (a decimal comma?) or full-width digits go to the API's validator as typed, refused in its words.
_GROUPED = re.compile(r"[0-9]{1,3}(?:[,，][0-9]{3})+(?:\.[0-9]+)?")


# The unit the pages print after an amount ("100,000.00 元", "100,000.00 yuan"), copied with it (a clerk's probe).
# (?<!\s): begun only where a run of spaces begins, so as long as the text is (tests/unit/test_linear_patterns.py).
_PRINTED_UNIT = re.compile(r"(?<!\s)\s*(?:元|yuan)\s*$", re.IGNORECASE)


def plain_amount(text: str) -> str:
    """An amount as typed, as the pages print amounts taken back: the thousands separators out and the unit after it
    dropped, "1,000,000.00 元" (or with full-width commas, or "yuan") → "1000000.00", for the API's request models;
    anything else as typed (stripped), for the model to refuse or accept as the API would ("1,00,0" is no grouping
    and is refused; "20万" is told to write yuan digits)."""
    text = text.strip()
    bare = _PRINTED_UNIT.sub("", text)
    if bare != text and (_GROUPED.fullmatch(bare) or re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", bare)):
        text = bare
    return re.sub("[,，]", "", text) if _GROUPED.fullmatch(text) else text


def _decimal(value: object) -> Decimal | None:
    """An amount to show, or None: nothing, no number, or none to the fen (NaN, Infinity, 1e999: a form's hidden
    figure edited by hand reached the page as "NaN 元", or a 500)."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
        return amount.quantize(FEN) if amount.is_finite() else None
    except InvalidOperation:
        return None


def yuan(value: object, lang: str = "zh") -> str:
    """`1234567.5` → `1,234,567.50 元` (`1,234,567.50 yuan` in English); nothing → an em dash."""
    amount = _decimal(value)
    return "—" if amount is None else i18n.translator(lang)("money", n=f"{amount:,}")


def grouped(value: object) -> str:
    """`104000` → `104,000.00`: an amount for a form's field, grouped as the pages show money (the forms read the
    grouping back); nothing → nothing."""
    amount = _decimal(value)
    return "" if amount is None else f"{amount.quantize(FEN):,}"


def _plain(amount: Decimal) -> str:
    amount = amount.normalize()
    return f"{amount:,f}" if amount == amount.to_integral() else f"{amount:,}"


def wan(value: object, lang: str = "zh") -> str:
    """A catalogue amount in the policy's own unit: `1000000` → `100 万元`, `25000` → `2.5 万元`; in English the
    same amount in yuan: `1,000,000 yuan`."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return i18n.translator(lang)("money_wan", n=_plain(amount / WAN if lang == "zh" else amount))


def share(part: object, whole: object) -> Decimal:
    """`part` as a percentage of `whole`, clamped to 0..100 and kept Decimal, for drawing bars."""
    numerator, denominator = _decimal(part), _decimal(whole)
    if numerator is None or not denominator:
        return Decimal("0.00")
    return max(Decimal(0), min(Decimal(100), numerator * 100 / denominator)).quantize(Decimal("0.01"))
