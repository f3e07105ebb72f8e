"""The domain's input checks (money, USCC, text, a statement's day and amount) give each refusal in Chinese too,
so the API's field errors read wholly in Chinese for a Chinese reader."""
from __future__ import annotations

import re

import pytest

from ledger.domain.errors import InvalidInput
from ledger.domain.statement_fields import bank_amount, booking_day
from ledger.domain.text import clean_text
from ledger.domain.values import Uscc, money

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("check", [
    lambda: money(1.5), lambda: money([1]), lambda: money("abc"), lambda: money("NaN"), lambda: money("-1"),
    lambda: money("1" * 30), lambda: money("0.001"),
    lambda: Uscc.parse("x"), lambda: Uscc.parse("91330108MA2H0T5XIO"), lambda: Uscc.parse("91330108MA2H0T5X6Y"),
    lambda: clean_text(5, "name"), lambda: clean_text("a\u0000", "name"), lambda: clean_text(" ", "name"),
    lambda: clean_text("x" * 501, "name"), lambda: booking_day("2023-13-01", "第 2 行"),
    lambda: booking_day("1999-01-01", "第 2 行"), lambda: bank_amount("1,2,3", "第 2 行"),
    lambda: bank_amount("0.001", "第 2 行"),
])
def test_each_input_refusal_has_its_chinese_sentence(check) -> None:
    """Every refusal carries a Chinese sentence with no English word in it beyond codes and quoted input."""
    with pytest.raises(InvalidInput) as caught:
        check()
    zh = caught.value.in_language("zh")
    assert zh and HAN.search(zh)
    assert not re.search(r"\b(must|is not|send|amount|characters|should)\b", zh), zh


def test_exact_chinese_wording() -> None:
    """A few sentences word for word: what is wrong, and what to send instead."""
    with pytest.raises(InvalidInput) as caught:
        money("0.001")
    assert caught.value.zh == "金额 '0.001' 超过两位小数；最小单位是分"
    with pytest.raises(InvalidInput) as caught:
        clean_text("x" * 501, "the text", field_zh="内容")
    assert caught.value.zh == "内容长 501 个字符；最多 500 个字符"
    with pytest.raises(InvalidInput) as caught:
        clean_text(" ", "reference")
    assert caught.value.zh == "reference 为空；请填写内容"
    with pytest.raises(InvalidInput) as caught:
        booking_day("2023/02/03", "line 3")
    assert caught.value.zh == ("第 3 行：日期 '2023/02/03' 不是 YYYY-MM-DD 格式的日期（例如 2023-07-03）；"
                               "请写作 2023-02-03（用“-”分隔，月和日各两位）")
    # A spreadsheet's date cell with its time, and a provincial list's compact day, are told the day to write (a
    # sandbox probe read only "not YYYY-MM-DD").
    for written in ("2023-05-01 00:00:00", "20230501", "2023-05-01T08:30", "2023-05-01T00:00:00+08:00"):
        with pytest.raises(InvalidInput) as caught:
            booking_day(written, "line 2")
        assert caught.value.zh.endswith("；请写作 2023-05-01（用“-”分隔，月和日各两位）"), caught.value.zh
    with pytest.raises(InvalidInput) as caught:
        booking_day("２０２３０５０１", "line 2")  # full-width and compact: both said
    assert caught.value.zh.endswith("；请改为 2023-05-01"), caught.value.zh
    with pytest.raises(InvalidInput) as caught:
        booking_day("20231301", "line 2")  # no such day: no day to name
    assert "请写作" not in caught.value.zh
    # Written right but not a day of the calendar: said so, not called the wrong layout (a probe).
    with pytest.raises(InvalidInput) as caught:
        booking_day("2023-02-29", "line 3")
    assert caught.value.zh == "第 3 行：日期 '2023-02-29' 格式正确，但日历上没有这一天（请核对月份和日期）"
    assert "there is no such day" in caught.value.detail


def test_every_refusal_code_has_a_chinese_title():
    """A page or problem in Chinese names each refusal by a Chinese title, never the code's English words."""
    import inspect

    from api.problems import TITLES_ZH
    from ledger.domain import errors

    codes = {c.code for _, c in inspect.getmembers(errors, inspect.isclass)
             if issubclass(c, errors.LedgerError) and c.code != errors.LedgerError.code}  # not the bases
    assert codes and not codes - TITLES_ZH.keys(), sorted(codes - TITLES_ZH.keys())


def test_a_departures_note_on_its_withdrawn_proposals_reads_in_chinese() -> None:
    """A regression probe read "the organisation left the district on …" on a Chinese claim page and timeline."""
    from ledger.messages import system_note

    note = "the organisation left the district on 2024-01-01: 迁往余杭区"
    assert system_note(note, "zh") == "该单位已于 2024-01-01 迁出辖区：迁往余杭区"
    assert system_note(note, "en") == note
