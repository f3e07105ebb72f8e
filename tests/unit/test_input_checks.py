"""The one text check and the strict bank-file readers (ledger/domain/text.py, statement_fields.py)."""
from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.bank_files import read_bank_file
from ledger.bank_files.reading import accepted_lines
from ledger.domain import errors
from ledger.domain.bank_statement import StatementLine
from ledger.domain.statement_fields import MAX_LINE_CHARS, MAX_LINES, bank_amount, booking_day
from ledger.domain.text import MAX_TEXT, InvalidText, bad_character, clean_text

CONTROLS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), 0x202E, 0xD800,
                             # invisible (found by a black-box probe in names) and noncharacters
                             0x200B, 0x200D, 0x2060, 0xFEFF, 0x200F, 0xFFFF, 0xFFFE, 0xFDD0, 0x1FFFF, 0x10FFFF,
                             # showing nothing but not format characters (a later probe, in names and subjects)
                             0x034F, 0xFE0F, 0xFE00, 0x3164, 0x115F, 0xFFA0, 0x17B4, 0x180B, 0x2028, 0x2029,
                             0x2800, 0xE000, 0xF8FF, 0xFFFD, 0xE0100, 0xF0000, 0x10FFFD)]


@given(st.text(max_size=600))
def test_text_is_refused_or_kept_clean(value: str) -> None:
    """Any text is either refused, or kept NFC, trimmed, bounded and free of control characters."""
    try:
        kept = clean_text(value, "name")
    except InvalidText:
        assert bad_character(value) is not None or not value.strip() or \
            len(unicodedata.normalize("NFC", value).strip()) > MAX_TEXT
        return
    assert bad_character(kept) is None
    assert kept == unicodedata.normalize("NFC", kept) == kept.strip()
    assert 0 < len(kept) <= MAX_TEXT


@given(st.text(max_size=20), st.sampled_from(CONTROLS), st.text(max_size=20))
def test_a_control_character_anywhere_is_refused(before: str, control: str, after: str) -> None:
    """NUL, a line break, DEL, a C1 control, a bidi override, a lone surrogate, a zero-width character or a
    noncharacter anywhere: refused."""
    with pytest.raises(InvalidText) as caught:
        clean_text(before + control + after, "reference")
    assert "reference" in caught.value.detail and caught.value.code == "invalid_request"


def test_text_is_normalised_to_nfc() -> None:
    """A decomposed character is kept in its composed form, so equal-looking names compare equal."""
    assert clean_text("Cafe\u0301", "name") == "Caf\u00e9"


@pytest.mark.parametrize(("raw", "expected"), [
    ("1,234,567.89", "1234567.89"), ("-1,000", "1000.00"), ("300000", "300000.00"), ("12.5", "12.50"),
])
def test_well_formed_amounts_are_read(raw: str, expected: str) -> None:
    """Thousands separators in groups of three and a leading minus for a debit are read as banks print them."""
    assert bank_amount(raw, "line 2") == Decimal(expected)


@pytest.mark.parametrize("raw", ["1,2,3", "12,34", "1,234,56", ",123", "1.234,56", "1e3", "", "0x10", "1.001"])
def test_malformed_amounts_are_refused(raw: str) -> None:
    """A comma anywhere but between groups of three, exponents and three places are refused, never guessed."""
    with pytest.raises(errors.InvalidAmount) as caught:
        bank_amount(raw, "line 2")
    assert caught.value.detail.startswith("line 2: amount")


@pytest.mark.parametrize("raw", ["2023-07-01T00:00:00", "1700000000", "2023/07/01", "0001-01-01", "9999-12-31",
                                 "20230701", " "])
def test_only_a_plain_day_in_range_is_a_date(raw: str) -> None:
    """Times, timestamps, other layouts and the years 1 and 9999 are refused with the form expected."""
    with pytest.raises(errors.InvalidInput) as caught:
        booking_day(raw, "line 2")
    assert "YYYY-MM-DD" in caught.value.detail or "outside" in caught.value.detail


@pytest.mark.parametrize("text", [
    "date,amount,reference\n2023-07-01,5,R\x00EF\n",
    "date,amount,reference,counterparty\n2023-07-01,5,R,\x1b[2J\n",
    "date,amount,reference\n2023-07-01,5,R\n" + "x" * (MAX_LINE_CHARS + 1) + "\n",
    "date,amount,reference\n" + "2023-07-01,5,R\n" * (MAX_LINES + 1),
    "date,amount,reference\n2023-07-01,5,R,extra\n",
])
def test_statements_the_store_could_not_keep_are_refused(text: str) -> None:
    """A NUL or an escape sequence in a field, an overlong line, too many lines, a shifted row: refused."""
    with pytest.raises(errors.InvalidInput):
        accepted_lines(read_bank_file(text.encode()), import_good_lines=False)


def test_a_line_made_by_hand_passes_the_same_check() -> None:
    """A statement line built directly (not parsed) still refuses a NUL in its reference."""
    from datetime import date

    with pytest.raises(InvalidText):
        StatementLine(date(2023, 7, 1), Decimal("5.00"), "R\x00", "")


@given(st.sampled_from(["‐", "‑", "‒", "–", "—", "―", "−", "﹣", "－", "-"]),
       st.sampled_from(["∕", "⁄", "／", "/"]))
def test_a_subject_with_a_look_alike_dash_or_slash_is_the_same_subject(dash: str, slash: str) -> None:
    """"standard:GB/T 7714-2015" written with an en or em dash, a minus sign, a division or fraction slash is the
    same standard (a black-box probe had one organisation paid the same standard award under four dashes)."""
    from ledger.rules.subjects import parse_subject

    plain = parse_subject("standard:GB/T 7714-2015", ("standard",))
    assert parse_subject(f"standard:GB{slash}T 7714{dash}2015", ("standard",)).key == plain.key


@given(st.sampled_from([0x034F, 0xFE0F, 0xFE00, 0x3164, 0x115F, 0x1160, 0xFFA0, 0x17B4, 0x17B5, 0x180B, 0x2800,
                        0xE000, 0xFFFD, 0xE0100]))
def test_a_subject_with_a_character_that_shows_nothing_is_refused(point: int) -> None:
    """A grapheme joiner, a variation selector or a Hangul filler inside a subject made another standard of the
    same one, each paid once: refused, naming the character."""
    from ledger.rules.subjects import parse_subject

    with pytest.raises(errors.InvalidInput, match=f"U\\+{point:04X}"):
        parse_subject(f"standard:GB/T{chr(point)} 88dd9", ("standard",))


def _reads_as_itself(char: str) -> bool:
    """ASCII, a Chinese character, 〇, or what NFKC folds to them and punctuation (full-width, mathematical,
    circled forms, ½)."""
    import unicodedata

    from ledger.rules.subjects import LOOK_ALIKE

    folded = unicodedata.normalize("NFKC", char).translate(LOOK_ALIKE)
    return all(c <= "~" or c == "〇" or unicodedata.name(c, "").startswith("CJK UNIFIED IDEOGRAPH")
               or unicodedata.category(c)[0] not in "LNMS" for c in folded)


def _refused_as_showing_nothing(char: str) -> bool:
    """What `parse_subject` refuses naming its code point (a variation selector, a filler): said there, not here."""
    from ledger.rules.subjects import _shows_nothing

    return _shows_nothing(char)


@given(st.characters(categories=("Lu", "Ll", "Lo", "Nd", "Nl", "No", "Mn", "Mc", "So", "Sm", "Sk"),
                     min_codepoint=0x80).filter(lambda c: not _reads_as_itself(c)
                                                and not _refused_as_showing_nothing(c)))
def test_a_new_subject_with_a_letter_digit_mark_or_sign_of_another_script_is_refused(char: str) -> None:
    """A Cyrillic "Р", a Greek "Ν" or an Arabic-Indic "١" in a project's name made a second project that looks the
    same, with its own 5,000,000 cap and its own first prize (a hostile-input probe had 15,000,000 approved on one
    project); so did an "i" with a combining dot above, "℮" and "╱" (a regression probe). A subject as it comes in
    is refused, naming the character, in Chinese too."""
    from ledger.rules.subjects import fresh_subject

    with pytest.raises(errors.InvalidInput) as refused:
        fresh_subject(f"project:PRJ{char}1")
    assert refused.value.context["field"] == "subject" and "形近" in refused.value.in_language("zh")


@pytest.mark.parametrize("subject", ["project:滨江智慧城市《一期》", "project:数字〇号·二", "project:ＰＲＪ－１",
                                     "standard:GB/T 7714—2015", "project:①期", "project:Pilot-N"])
def test_a_subject_in_chinese_full_width_or_with_chinese_punctuation_stands(subject: str) -> None:
    from ledger.rules.subjects import fresh_subject, parse_subject

    fresh_subject(subject)
    assert parse_subject(subject, ("project", "standard")).identifier


def test_a_subject_recorded_before_the_check_is_still_read() -> None:
    """A store may hold a subject recorded before letters of other scripts were refused: read again (a claim's
    approval, the replay, the sandbox) it is the subject it was, so those claims stay decidable (a regression
    probe's upgraded store lost approved awards from the sandbox's baseline)."""
    from ledger.rules.subjects import parse_subject

    assert parse_subject("project:P\u0456lot", ("project",)).identifier == "P\u0456lot"


@pytest.mark.parametrize(("value", "said", "said_zh"), [(True, "not a boolean", "不能是布尔值"),
                                                         (False, "not a boolean", "不能是布尔值"),
                                                         (1.5, "not a float", "不能是浮点数")])
def test_an_amount_that_is_a_boolean_is_called_one(value, said: str, said_zh: str) -> None:
    """`true` as an amount was told it is "not a float" (a probe): each kind is named as what it is."""
    from ledger.domain.values import money

    with pytest.raises(errors.InvalidAmount) as caught:
        money(value)
    assert said in caught.value.detail and said_zh in (caught.value.zh or "")


@pytest.mark.parametrize(("value", "sent"), [(None, "null"), ([1, 2], "[1, 2]"), (float("nan"), "NaN"),
                                             (float("inf"), "Infinity"), ("abc", '"abc"'), ("NaN", '"NaN"')])
def test_an_amount_is_quoted_as_the_sender_wrote_it_in_json(value, sent: str) -> None:
    """JSON `null` was quoted back as Python's `None`, NaN as `nan` (an input probe): the refusal quotes the value
    as JSON writes it, in both languages."""
    from ledger.domain.values import money

    with pytest.raises(errors.InvalidAmount) as caught:
        money(value)
    assert f"amount {sent} " in caught.value.detail and f"金额 {sent} " in (caught.value.zh or ""), caught.value.detail
    assert "None" not in caught.value.detail and "nan" not in caught.value.detail


def test_the_listed_dashes_are_every_dash_punctuation_character_of_the_basic_plane() -> None:
    from ledger.rules.subjects import DASHES

    assert tuple(p for p in range(0x10000) if unicodedata.category(chr(p)) == "Pd") == DASHES


@given(st.text(max_size=700))
def test_any_file_name_becomes_a_source_the_ledger_keeps(name):
    """An uploaded file's name (any characters a file dialog or a client sends) is made a `source` every import
    takes: text passing the one check, at most 200 characters; its visible characters kept, in order."""
    from ledger.domain.text import SOURCE_MOST, clean_text, file_source

    source = file_source(name)
    if source is not None:
        assert clean_text(source, "source", max_length=SOURCE_MOST) == source and len(source) <= SOURCE_MOST
    assert file_source("七月\t对账单\u200d.csv") == "七月 对账单.csv"
