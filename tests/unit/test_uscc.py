"""Value types: the unified social credit code (GB 32100-2015) and money to the fen."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.domain.errors import InvalidAmount, InvalidUscc
from ledger.domain.values import USCC_CHARS, Uscc, fen_down, fmt, money, uscc_check_character

REAL = ["91330100799655058B", "914403001922038216", "9144030071526726XG", "91110000600037341L"]


def _valid(first17: str) -> str:
    return first17 + uscc_check_character(first17)


@pytest.mark.parametrize("code", [*REAL, _valid("91330108MA27Y5XH0"), _valid("12330108000000000"),
                                  _valid("Y1330108MA0000000")])
def test_valid_codes_are_accepted(code):
    """A code of 18 characters from the GB 32100 set whose last character checks out is accepted."""
    assert str(Uscc(code)) == code


def test_every_check_character_is_reachable():
    """Check characters cover the whole set, including 0 (the sum already a multiple of 31)."""
    seen = {uscc_check_character(f"9133010800000{n:04d}") for n in range(2000)}
    assert seen == set(USCC_CHARS)


def test_parse_trims_and_uppercases():
    """Uscc.parse accepts a code typed with surrounding spaces and lower-case letters."""
    assert Uscc.parse(" 9144030071526726xg ") == Uscc("9144030071526726XG")


@pytest.mark.parametrize("code", ["", "9133010079965505", "91330100799655058", "91330100799655058BB",
                                  "91330100799655058B ", " 91330100799655058B"])
def test_wrong_length_is_refused(code):
    """A code that is not exactly 18 characters is bad input."""
    with pytest.raises(InvalidUscc) as caught:
        Uscc(code)
    assert caught.value.code == "invalid_uscc"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z", "a", "-", "中"])
def test_characters_outside_the_set_are_refused(letter):
    """I, O, S, V, Z, lower case and other characters are never part of a code, even with a good length."""
    code = "9133010079965505" + letter + "B"
    with pytest.raises(InvalidUscc) as caught:
        Uscc(code)
    assert caught.value.code == "invalid_uscc"


@pytest.mark.parametrize("code", REAL)
def test_wrong_check_character_is_refused(code):
    """Any other last character than the computed check character is refused, naming the expected one."""
    for wrong in (c for c in USCC_CHARS if c != code[17]):
        with pytest.raises(InvalidUscc) as caught:
            Uscc(code[:17] + wrong)
        assert caught.value.code == "invalid_uscc"
        assert repr(code[17]) in caught.value.detail


@pytest.mark.parametrize("code", REAL)
def test_transposed_neighbours_are_caught(code):
    """Swapping any two different neighbouring characters of the first 17 breaks the check (31 is prime)."""
    for i in range(16):
        if code[i] != code[i + 1]:
            with pytest.raises(InvalidUscc):
                Uscc(code[:i] + code[i + 1] + code[i] + code[i + 2:])


@pytest.mark.parametrize("value", [None, 913301007996550580, b"91330100799655058B"])
def test_non_strings_are_refused(value):
    """A code that is not text at all is bad input with the same code."""
    with pytest.raises(InvalidUscc) as caught:
        Uscc(value)
    assert caught.value.code == "invalid_uscc"


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(("value", "expected"), [
    ("300000", "300000.00"), ("300000.5", "300000.50"), ("0.01", "0.01"), ("0", "0.00"), (12, "12.00"),
    (Decimal("1.10"), "1.10"), ("1E+3", "1000.00"),
])
def test_money_is_exact_to_the_fen(value, expected):
    """money() turns decimal strings, ints and Decimals into a Decimal with exactly two places."""
    amount = money(value)
    assert type(amount) is Decimal and amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2
    assert fmt(amount) == expected


@pytest.mark.parametrize("value", [0.1, 300000.0, float("nan"), True, False])
def test_money_refuses_floats_and_booleans(value):
    """Floats (and booleans, which Python counts as ints) are refused: money is never binary floating point."""
    with pytest.raises(InvalidAmount) as caught:
        money(value)
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("value", ["-0.01", "-1", -5, Decimal("-300000")])
def test_money_refuses_negatives(value):
    """Amounts carry no sign; the refusal does not promise zero is taken (an approval or a payout of 0.00 is not)."""
    with pytest.raises(InvalidAmount, match="negative") as caught:
        money(value)
    assert "zero" not in caught.value.detail and "零" not in caught.value.zh
    assert "300000.00" in caught.value.detail and "300000.00" in caught.value.zh


@pytest.mark.parametrize("value", ["0.001", "300000.005", Decimal("1.999"), "1E-3"])
def test_money_refuses_fractions_of_a_fen(value):
    """More than two decimal places is refused rather than rounded."""
    with pytest.raises(InvalidAmount, match="two decimal places"):
        money(value)


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", Decimal("NaN")])
def test_money_refuses_non_finite(value):
    """NaN and infinities are not amounts."""
    with pytest.raises(InvalidAmount) as caught:
        money(value)
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("value", ["", "abc", "12,000", "1.2.3", None, [], {}, [0, [1, 2], 0], (0, (1, 2), -1),
                                   b"12", object()])
def test_money_refuses_non_numbers(value):
    """Anything that is not a number — including the digit tuples Decimal itself accepts — is refused."""
    with pytest.raises(InvalidAmount) as caught:
        money(value)
    assert caught.value.code == "invalid_amount"


@pytest.mark.parametrize("value", ["-0", "-0.00", Decimal("-0")])
def test_negative_zero_is_plain_zero(value):
    """Minus zero is accepted as zero and never shows a sign on the wire."""
    assert fmt(money(value)) == "0.00"


@pytest.mark.parametrize(("value", "expected"), [
    ("99999.999", "99999.99"), ("0.009", "0.00"), ("1.005", "1.00"), ("2.0000001", "2.00"), ("7", "7.00"),
    ("99999.99", "99999.99"), ("0.015", "0.01"),
])
def test_fen_down_never_rounds_up(value, expected):
    """fen_down drops fractions of a fen, however close to the next fen."""
    assert fen_down(Decimal(value)) == Decimal(expected)
    assert fen_down(Decimal(value)).as_tuple().exponent == -2


@pytest.mark.parametrize("value", ["1e30", 10**30, "1" + "0" * 18])
def test_money_refuses_amounts_beyond_the_stored_precision(value) -> None:
    """An amount too large for the ledger's NUMERIC(20, 2) is refused as invalid input, never an overflow."""
    with pytest.raises(InvalidAmount):
        money(value)


def test_full_width_characters_read_as_half_width_and_others_are_refused_plainly():
    """Full-width digits, letters and spaces (全角) are the half-width ones; a letter never used is refused with
    advice that does not tell a reader typing capitals to use capitals."""
    code = REAL[0]
    assert Uscc.parse("　" + "".join(chr(ord(c) + 0xFEE0) for c in code.lower()) + " ").value == code
    with pytest.raises(InvalidUscc) as refused:
        Uscc.parse("91330100799655O58B")
    assert "use capitals" not in refused.value.detail and "请用大写字母" not in (refused.value.zh or "")
    assert "'O'" in refused.value.detail


@pytest.mark.parametrize("hidden", ["\u200b", "\ufeff", "\u200e", "\u00ad", "\x00"])
@pytest.mark.parametrize("where", ["before", "after", "inside"])
def test_an_invisible_character_beside_a_good_code_is_named_with_what_to_do(hidden, where):
    """An intake probe: a good code with a zero-width space or a byte order mark was told it "must be 18
    characters", though it read as 18 right ones. It is refused naming the character and saying to delete it."""
    code = REAL[0]
    typed = {"before": hidden + code, "after": code + hidden, "inside": code[:9] + hidden + code[9:]}[where]
    with pytest.raises(InvalidUscc) as refused:
        Uscc.parse(typed)
    said = str(refused.value)
    assert f"U+{ord(hidden):04X}" in said and "delete it" in said and "18 characters" not in said, said
    assert "请删除它" in refused.value.zh
