"""A bank statement or certification list whose lines are in two encodings (UTF-8 Chinese, and a GBK/GB18030 line
pasted in) is refused naming the line, never stored as mojibake; a file in one encoding reads back as written."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from api.certification_list import read_list
from ledger.bank_files.decoding import decode
from ledger.bank_files.reading import read_bank_file
from ledger.domain.errors import InvalidInput

DATA = Path(__file__).resolve().parents[1] / "data" / "bank"
SAMPLE = DATA / "statement-format-a.gb18030.csv"


def _mixed(lines: list[str], gbk_line: int) -> bytes:
    """The lines joined, all UTF-8 but line `gbk_line` (from 1), which is GB18030."""
    return b"".join((ln.encode("gb18030") if n == gbk_line else ln.encode("utf-8")) + b"\n"
                    for n, ln in enumerate(lines, start=1))


def test_a_statement_with_one_gbk_line_among_utf8_chinese_is_refused_naming_the_line():
    raw = _mixed(["交易日期,借方发生额,对方户名,附言",
                  "2024-07-02,\"300,000.00\",杭州某某科技有限公司,PAY-2024-0001 创新券补助",
                  "2024-07-03,\"1,000.00\",杭州某某智能装备股份有限公司,PAY-2024-0002 工程研究中心认定奖励"], 3)
    with pytest.raises(InvalidInput) as refused:
        read_bank_file(raw)
    assert "line 3 is not UTF-8" in refused.value.detail and "one encoding, UTF-8 preferred" in refused.value.detail
    assert "第 3 行不是 UTF-8" in (refused.value.zh or "")
    assert refused.value.code == "invalid_request"


def test_a_bom_statement_with_one_gbk_line_is_refused_naming_the_line():
    raw = b"\xef\xbb\xbf" + _mixed(["交易日期,借方发生额,对方户名", "2024-07-02,5.00,杭州某某科技有限公司",
                                    "2024-07-03,6.00,杭州某某软件有限公司"], 2)
    with pytest.raises(InvalidInput, match="line 2 is not UTF-8"):
        decode(raw)


def test_a_certification_list_with_one_gbk_line_is_refused_not_stored_as_mojibake():
    raw = _mixed(["uscc,programme,tier,effective_on,document_ref,body_id",
                  "91330108MA2H0Q2X0T,P1,,2023-01-01,杭发改a1b2c3,",
                  "91330108MA2H0Q2X1R,P1,,2023-01-01,杭发改f63fc2,"], 3)
    with pytest.raises(InvalidInput) as refused:
        read_list(raw, "text/csv")
    assert "line 3 is not UTF-8" in refused.value.detail and "第 3 行" in (refused.value.zh or "")


def test_the_shipped_gb18030_sample_still_reads():
    found = read_bank_file(SAMPLE.read_bytes())
    assert found.encoding == "gb18030"
    assert found.lines and not found.refused
    assert any(line.counterparty == "杭州某某科技有限公司" for line in found.lines)


def test_a_pure_utf8_statement_with_a_stray_byte_is_still_refused_as_not_text():
    # One bad byte and no other non-ASCII line: not a mix, so the old refusal (neither encoding) stands.
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        decode(b"a,b\n\xff\xff\n")


CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
CELLS = st.characters(codec="ascii", categories=("Nd", "Lu", "Ll", "Pd", "Po", "Zs"))
LINES = st.lists(st.text(alphabet=st.one_of(CHINESE, CELLS), min_size=1, max_size=30), min_size=1, max_size=12)


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


# Chinese as GB text writes it: GB2312's everyday characters, now and then a rarer one GBK holds (喆, 堃 in names).
EVERYDAY = [chr(c) for c in range(0x4E00, 0x9FA6) if _in_gb2312(chr(c))]
GB_CHINESE = st.one_of(st.sampled_from(EVERYDAY), st.sampled_from(EVERYDAY), st.sampled_from(EVERYDAY), CHINESE)
GB_LINES = st.lists(st.text(alphabet=st.one_of(GB_CHINESE, CELLS), min_size=1, max_size=30), min_size=1,
                    max_size=12)


@given(LINES)
def test_chinese_lines_saved_whole_as_utf8_read_back_as_written(lines):
    text = "\n".join(lines)
    assert decode(text.encode("utf-8")) == (text, "utf-8")


@given(GB_LINES)
def test_chinese_lines_saved_whole_as_gb18030_read_back_as_written(lines):
    text = "\n".join(lines)
    rare = sum(1 for char in text if "\u4e00" <= char <= "\u9fa5" and not _in_gb2312(char))
    assume(rare * 2 <= sum(1 for char in text if "\u4e00" <= char <= "\u9fa5"))  # mostly everyday, as GB text is
    raw = text.encode("gb18030")

    def passes_for_utf8(line: bytes) -> bool:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return not line.isascii()

    # The design's one premise (decoding.py): GB18030 Chinese is almost never also valid UTF-8 — though a line of
    # one or two characters can be (司 is CB BE, a UTF-8 letter). Such text is told apart by no decoder.
    assume(not any(passes_for_utf8(line) for line in raw.split(b"\n")))
    assert decode(raw)[0] == text  # read as gb18030, or as utf-8 when it is all ASCII


def _other(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize(("text", "encoding"), [
    (text, encoding) for text in ("經信發文號", "杭州某某科技有限公司", "國家級製造業單項冠軍",
                                  "交易日期,借方發生額,貸方發生額,附言,對方戶名")
    for encoding in ("big5", "shift_jis") if _other(text, encoding)])
def test_big5_or_shift_jis_text_is_refused_not_read_as_gbk_mojibake(text, encoding):
    """An input probe: a Big5 certification list (經信發文號) was imported as 竒獺祇ゅ腹 and kept for good, though
    the README says other encodings are refused; GBK reads almost any pair of high bytes as a character. Text that
    reads as mostly rare characters, kana or private-use codes is refused, told to save it as UTF-8."""
    raw = text.encode(encoding)
    with pytest.raises(InvalidInput, match="Big5") as refused:
        decode(("uscc,document_ref\n913301080000000088," + "\n").encode() + raw)
    assert "UTF-8" in refused.value.zh
    assert decode("杭州喆堃犇科技有限公司,测试".encode("gbk"))[1] == "gb18030"  # rare characters in a name: read
    assert decode(raw, "gbk")[1] == "gb18030"  # declared GBK: read as declared, as the sender says


def test_a_big5_certification_list_is_refused_saying_so_writing_nothing():
    """The input probe's own case: a list with 經信發文號 in Big5 is refused as Big5, told to save it as UTF-8, as a
    bank file is (it was imported, its document number kept as 竒獺祇ゅ腹 for good)."""
    raw = ("uscc,programme,tier,effective_on,document_ref,body_id\n913301080000000088,A6.honour,provincial_sme,"
           "2024-03-01,經信發文號,\n").encode("big5")
    with pytest.raises(InvalidInput, match="Big5") as refused:
        read_list(raw, "text/csv")
    assert "Big5" in refused.value.zh and "UTF-8" in refused.value.zh
