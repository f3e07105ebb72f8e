"""Bank files as banks send them: both sample layouts read, encodings found, refused lines named."""
from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.bank_files import read_bank_file
from ledger.bank_files.column_map import MEMO_PATTERN, load
from ledger.bank_files.reading import StatementRefused, accepted_lines
from ledger.domain.errors import InvalidInput

# Copies of the two layouts in the team's shared samples (shared/samples/bank), byte for byte.
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "bank"


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_gb18030_layout_with_debit_and_credit_columns():
    """Format A: GB18030, 借方/贷方 columns with separators, the reference inside 附言, a fee kept as unmatched."""
    found = read_bank_file(_sample("statement-format-a.gb18030.csv"))
    assert found.encoding == "gb18030" and not found.refused
    got = [(ln.on.isoformat(), ln.amount, ln.reference, ln.direction) for ln in found.lines]
    assert got == [("2024-07-02", Decimal("300000.00"), "PAY-2024-0001", "debit"),
                   ("2024-07-02", Decimal("1000000.00"), "PAY-2024-0002", "debit"),
                   ("2024-07-15", Decimal("60000.00"), "REC-2024-0001", "credit"),
                   ("2024-07-31", Decimal("12.00"), "跨行汇款手续费", "debit")]
    assert found.lines[0].counterparty == "杭州某某科技有限公司"


def test_utf8_bom_layout_with_one_signed_amount():
    """Format B: UTF-8 with BOM, 交易金额 signed (negative out), YYYYMMDD days, the reference inside 用途."""
    found = read_bank_file(_sample("statement-format-b.utf8-bom.csv"))
    assert found.encoding == "utf-8-sig" and not found.refused
    got = [(ln.on.isoformat(), ln.amount, ln.reference, ln.direction) for ln in found.lines]
    assert got == [("2024-07-03", Decimal("500000.00"), "PAY-2024-0003", "debit"),
                   ("2024-07-04", Decimal("200000.00"), "PAY-2024-0004", "debit"),
                   ("2024-07-05", Decimal("1000.00"), "退回多付款", "credit")]


def test_refused_lines_are_named_and_nothing_is_taken_unless_asked():
    """Each bad line is named by its number and fault; the good ones are imported only on request."""
    text = ("开户行: 某某银行\n\n交易日期,借方发生额,贷方发生额,对方户名,附言\n2024-07-02,\"1,000.00\",,甲,PAY-1-A\n"
            "2024-13-02,5.00,,乙,PAY-2-B\n2024-07-03,,,丙,PAY-3-C\n2024-07-04,1.234,,丁,PAY-4-D\n")
    found = read_bank_file(text.encode("gbk"))
    assert [r.line for r in found.refused] == [5, 6, 7]
    assert "2024-13-02" in found.refused[0].message and "no amount" in found.refused[1].message
    assert "line 7" in found.refused[2].message
    with pytest.raises(StatementRefused) as refused:
        accepted_lines(found, import_good_lines=False)
    assert "line 5" in refused.value.detail and "import_good_lines" in refused.value.detail
    assert [ln.reference for ln in accepted_lines(found, import_good_lines=True)] == ["PAY-1-A"]


def test_a_file_without_a_known_header_or_text_says_what_the_map_knows():
    """No header the map knows: the refusal lists the names it looks for; bytes that are no text are refused."""
    with pytest.raises(InvalidInput, match="交易日期"):
        read_bank_file(b"a,b,c\n1,2,3\n")
    with pytest.raises(InvalidInput, match="neither UTF-8 nor GB18030"):
        read_bank_file(b"\x81\x20\x81\x20")


@pytest.mark.parametrize("raw", [b"\xef\xbb\xbfdate,amount\n\xff\xfe\x80", b"\x84\x31\x95\x33\x81\x20"])
def test_bytes_after_a_byte_order_mark_that_are_not_its_text_are_refused(raw):
    """A UTF-8 or GB18030 BOM followed by bytes that are not that text is a refusal naming the byte, not a crash
    (the fuzzing pass sent such a certification list and got a 500)."""
    with pytest.raises(InvalidInput, match=r"neither UTF-8 nor GB18030.*byte"):
        read_bank_file(raw)


def test_the_column_map_is_configurable(tmp_path):
    """A bank with its own column names needs one line in a map file, not a parser."""
    path = tmp_path / "columns.toml"
    path.write_text('[fields]\ndate = ["Buchungstag"]\namount = ["Betrag"]\nreference = ["Referenz"]\n')
    found = read_bank_file(b"Buchungstag,Betrag,Referenz\n2024-07-02,5.00,R-1\n", load(path))
    assert [(ln.amount, ln.reference) for ln in found.lines] == [(Decimal("5.00"), "R-1")]


@pytest.mark.parametrize(("content", "said"), [
    (b"[fields\ndate = 1", "第 1 行"), (b"[memo]\npattern = 'a'", "缺少表 [fields]"),
    (b"[fields]\ndate = ['a']\n[memo]\npattern = '('", "正则表达式"), (b"[fields]\ndate = 'Datum'", "列名列表"),
    ("[fields]\ndate = ['日期']".encode("gbk"), "UTF-8"), (None, "文件不存在")])
def test_a_column_map_that_cannot_be_used_is_refused_in_chinese_for_a_chinese_reader(tmp_path, content, said):
    """The refusal's Chinese names what is wrong in Chinese, not in the TOML or regex library's English; a name
    given as one text rather than a list is refused, not read as one column per character."""
    path = tmp_path / "columns.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        load(path)
    assert said in caught.value.zh, caught.value.zh
    assert not any(word in caught.value.zh for word in ("Invalid", "Expected", "No such", "missing", "unterminated"))


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999999.99"), places=2),
       st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), st.booleans())
def test_any_amount_in_any_encoding_reads_back_exactly(amount, encoding, out):
    """Whatever the encoding, separators and sign, the amount read is the amount written, to the fen."""
    signed = f"{'-' if out else ''}{amount:,.2f}"
    text = f"记账日期,交易金额,对方名称,用途\r\n20240703,\"{signed}\",杭州某某公司,PAY-9-X 奖励\r\n"
    (line,) = read_bank_file(text.encode(encoding)).lines
    assert (line.amount, line.direction, line.reference) == (amount, "debit" if out else "credit", "PAY-9-X")


def test_a_chinese_reader_reads_each_refusal_in_chinese():
    """Every way a bank file is refused carries its own Chinese sentence (the API and the finance page show it to
    a Chinese reader): a refused line's, the statement's, no header, no text."""
    text = ("交易日期,借方发生额,贷方发生额,对方户名,附言\n2024-07-02,\"1,000.00\",,甲,PAY-1-A\n"
            "2024-13-02,5.00,,乙,PAY-2-B\n2024-07-03,,,丙,PAY-3-C\n2024-07-04,1.234,,丁,PAY-4-D\n"
            "2024-07-05,1.00,2.00,戊,PAY-5-E\n2024-07-06,1.00,,己,PAY-6-F,多出来的一格\n")
    found = read_bank_file(text.encode("gbk"))
    assert [r.line for r in found.refused] == [3, 4, 5, 6, 7]
    assert [r.zh[:6] for r in found.refused] == ["第 3 行：", "第 4 行：", "第 5 行：", "第 6 行：", "第 7 行的"]
    assert "没有金额" in found.refused[1].zh and "借方和贷方" in found.refused[3].zh
    with pytest.raises(StatementRefused) as refused:
        accepted_lines(found, import_good_lines=False)
    zh = refused.value.in_language("zh")
    assert zh.startswith("流水有 5 行无法读取") and "第 3 行" in zh and "其余 1 行" in zh
    for raw, words in ((b"a,b,c\n1,2,3\n", "表头"), (b"\x81\x20\x81\x20", "GB18030"),
                       ("交易日期,借方发生额,附言\n".encode("gbk"), "没有任何明细行")):
        with pytest.raises(InvalidInput) as caught:
            read_bank_file(raw)
        assert words in (caught.value.in_language("zh") or ""), caught.value.detail
    # A header alone: the English says what to upload too (a robustness probe was told only "the statement has no
    # lines").
    with pytest.raises(InvalidInput) as caught:
        read_bank_file(b"date,amount,reference,counterparty\r\n")
    assert "upload a file holding the transactions" in caught.value.in_language("en"), caught.value.detail
    assert "请上传含交易明细的文件" in caught.value.in_language("zh")


def test_a_refused_line_whose_quoted_cell_breaks_across_lines_is_named_by_its_first_line():
    """The csv module counts the lines it has read: a record whose remark holds a line break (lines 3-4) was
    refused at line 4; it is named by the line it starts on, and the line after it keeps its own number."""
    text = ("交易日期,借方发生额,贷方发生额,对方户名,附言\n2024-07-02,1.00,,甲,PAY-1\n"
            "2024-13-02,5.00,,乙,\"第一行\n第二行\"\n2024-07-04,1.234,,丁,PAY-4\n")
    found = read_bank_file(text.encode("utf-8"))
    assert [r.line for r in found.refused] == [3, 5]


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "huge"])
def test_a_column_map_that_is_no_small_file_is_refused_at_once(tmp_path, kind):
    """LEDGER_BANK_COLUMNS naming /dev/zero, a FIFO, a folder or a file of megabytes is refused in both languages
    without reading it whole or waiting: it was read with no bound (a FIFO hung `serve`'s first statement)."""
    import os

    path = {"device": Path("/dev/zero"), "folder": tmp_path}.get(kind, tmp_path / "columns.toml")
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "huge":
        path.write_text("[fields]\n" + "# filler\n" * 200_000)
    with pytest.raises(InvalidInput) as refused:
        load(path)
    assert str(path) in refused.value.detail and "columns.toml" in refused.value.detail
    assert ("larger than 65,536 bytes" if kind == "huge" else "not a regular file") in refused.value.detail
    assert refused.value.zh and not any(w in refused.value.zh for w in ("larger", "regular", "Errno"))


@pytest.mark.parametrize("day", ["٢٠٢٤-٠٧-٠٢", "２０２４年７月２日", "２０２４０７０２", "2024-０7-02"])
def test_a_day_written_in_digits_other_than_ascii_is_refused_as_everywhere_else(day):
    """Every other day the ledger reads is ASCII digits; a bank file's days are too (a probe had these read)."""
    text = f"交易日期,借方发生额,贷方发生额,对方户名,附言\n2024-07-01,5.00,,甲,PAY-1-A\n{day},5.00,,乙,PAY-2-B\n"
    found = read_bank_file(text.encode("utf-8"))
    assert [r.line for r in found.refused] == [3] and [ln.reference for ln in found.lines] == ["PAY-1-A"]


@pytest.mark.parametrize("header", ["交易日期,交易金额,交易金额,附言", "交易日期,交易金额,借方发生额,附言",
                                    "date,amount,amount,reference", "交易日期,交易金额,发生额,附言"])
def test_a_header_whose_money_could_be_read_two_ways_is_refused_whole(header):
    """A hostile-input probe: `交易金额` twice read -100.00 / -900.00 as 100.00 out, and `交易金额` beside `借方发生额`
    read -100.00 / 300.00 as 300.00 out, the other column dropped unseen. The file is refused, naming the columns."""
    raw = f"{header}\n2024-07-02,-100.00,-900.00,PAY-1\n".encode()
    with pytest.raises(InvalidInput) as refused:
        read_bank_file(raw)
    assert refused.value.code == "csv_unreadable" and "two ways" in refused.value.detail
    assert "两种意思" in refused.value.in_language("zh")


def test_two_names_for_the_day_or_a_debit_and_a_credit_column_are_still_one_reading():
    """What is not ambiguous stays read: a bank's 交易日期 and 记账日期, and money in two columns, one each way."""
    found = read_bank_file("交易日期,记账日期,借方发生额,贷方发生额,附言\n2024-07-02,2024-07-03,100.00,,PAY-1\n"
                           "2024-07-02,2024-07-03,,50.00,REC-1\n".encode())
    assert [(ln.amount, ln.direction) for ln in found.lines] == [(Decimal("100.00"), "debit"),
                                                                  (Decimal("50.00"), "credit")]


@pytest.mark.parametrize("end", ["\n", ""], ids=["line-break", "no-line-break"])
@pytest.mark.parametrize("tail", ['2024-07-04,7.00,"R-9,ACME Ltd{end}',
                                  '2024-07-04,7.00,"R-9 x,ACME{end}2024-07-05,-37.00,R-10"x,乙{end}'],
                         ids=["never-closed", "closed-by-a-later-stray-quote"])
def test_a_file_whose_quoting_breaks_is_refused_whole_naming_the_line(end, tail):
    """Probes: `2024-07-04,7.00,"R-9,ACME Ltd` was imported with the reference `R-9,ACME Ltd`; a stray quote closed
    by another on the next line swallowed that line and its -37.00 with a 201; and refusing only the last record
    (the first fix) dropped the good line before it. The file is refused whole, naming where its quoting breaks."""
    raw = ("date,amount,reference,counterparty\n2024-07-03,5.00,R-1,乙\n" + tail.format(end=end)).encode()
    with pytest.raises(InvalidInput) as refused:
        read_bank_file(raw)
    assert refused.value.code == "csv_unreadable" and refused.value.detail.startswith("line 3: the file's quoting")
    assert refused.value.in_language("zh").startswith("第 3 行：文件的引号在此处出错")


def test_quoted_cells_with_commas_and_doubled_quotes_are_still_read():
    raw = ('date,amount,reference,counterparty\n2024-07-03,"1,005.00",R-1,"乙, 有限公司"\n'
           '2024-07-04,7.00,"R-2","甲""丙""分公司"\n').encode()
    found = read_bank_file(raw)
    assert [(ln.amount, ln.counterparty) for ln in found.lines] == [(Decimal("1005.00"), "乙, 有限公司"),
                                                                     (Decimal("7.00"), '甲"丙"分公司')]


@pytest.mark.parametrize(("header", "cells", "read"), [
    # The ledger's own layout with the JSON statement's `direction` as a column: a credit was read as a payout.
    ("date,amount,reference,counterparty,direction", ("100.00", "credit"), "credit"),
    ("date,amount,reference,counterparty,direction", ("100.00", "debit"), "debit"),
    ("date,amount,reference,counterparty,direction", ("100.00", ""), "debit"),
    ("date,amount,reference,counterparty,direction", ("-100.00", "CREDIT"), "debit"),  # red ink turns it around
    # A bank's one unsigned amount with its 借贷标志 (a positive 交易金额 alone reads as money in).
    ("交易日期,交易金额,借贷标志,用途,对方户名", ("100.00", "借"), "debit"),
    ("交易日期,交易金额,借贷标志,用途,对方户名", ("100.00", "贷"), "credit"),
    ("交易日期,交易金额,借贷标志,用途,对方户名", ("-100.00", "借"), "debit"),  # the sign and the flag agree
    ("交易日期,借方发生额,借贷标志,用途,对方户名", ("100.00", "借"), "debit"),
])
def test_a_direction_column_says_which_way_the_money_went(header, cells, read):
    amount, said = cells
    columns = header.split(",")
    row = {"date": "2024-07-02", "交易日期": "2024-07-02", "amount": f'"{amount}"', "交易金额": f'"{amount}"',
           "借方发生额": amount, "reference": "PAY-1-A", "用途": "PAY-1-A", "counterparty": "甲", "对方户名": "甲",
           "direction": said, "借贷标志": said}
    text = header + "\n" + ",".join(row[c] for c in columns) + "\n"
    found = read_bank_file(text.encode())
    assert not found.refused, found.refused
    assert [(ln.amount, ln.direction) for ln in found.lines] == [(Decimal("100.00"), read)]


@pytest.mark.parametrize(("header", "line", "said", "zh"), [
    ("date,amount,reference,direction", "2024-07-02,100.00,PAY-1-A,in", "'in'", "无法识别"),
    ("交易日期,借方发生额,贷方发生额,借贷标志,附言", "2024-07-02,100.00,,贷,PAY-1-A", "debit column", "借方列"),
    ("交易日期,交易金额,借贷标志,附言", "2024-07-02,-100.00,贷,PAY-1-A", "negative amount", "金额为负"),
])
def test_a_direction_that_is_unknown_or_disagrees_with_the_money_is_a_refused_line(header, line, said, zh):
    """Never read one way or the other by guess: the line is refused, naming what to correct, in both languages."""
    found = read_bank_file(f"{header}\n{line}\n".encode())
    assert not found.lines
    (refused,) = found.refused
    assert refused.line == 2 and said in refused.message and zh in refused.zh, refused


@pytest.mark.parametrize("header", ["交易日期,交易金额,借贷标志,收支方向,附言",
                                    "date,amount,reference,direction,借贷标志"])
def test_two_direction_columns_are_refused_whole_not_one_read(header):
    """A regression probe: 借贷标志=借 beside 收支方向=收入 imported as the first listed said, the other unread."""
    with pytest.raises(InvalidInput) as caught:
        read_bank_file(f"{header}\n2024-07-02,100.00,借,收入,PAY-1-A\n".encode())
    assert "more than one direction column" in caught.value.detail and "不止一列借贷方向" in caught.value.zh


def test_a_column_map_may_name_its_own_direction_words(tmp_path):
    path = tmp_path / "columns.toml"
    path.write_text('[fields]\ndate = ["Tag"]\namount = ["Betrag"]\nreference = ["Ref"]\ndirection = ["S/H"]\n'
                    '[direction]\ndebit = ["S"]\ncredit = ["H"]\n')
    found = read_bank_file(b"Tag,Betrag,Ref,S/H\n2024-07-02,5.00,R-1,H\n2024-07-02,6.00,R-2,s\n", load(path))
    got = [(ln.amount, ln.direction) for ln in found.lines]
    assert got == [(Decimal("5.00"), "credit"), (Decimal("6.00"), "debit")]
    path.write_text('[fields]\ndate = ["Tag"]\n[direction]\nin = ["H"]\n')
    with pytest.raises(InvalidInput) as caught:
        load(path)
    assert "[direction]" in caught.value.detail and "[direction]" in caught.value.zh


# The memo pattern as it was first written: what the shipped one must find, in time linear in the memo.
BACKTRACKING = re.compile(r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)+")


@given(st.text(alphabet="aZ9-_/. 中,", max_size=60))
def test_the_memo_pattern_finds_what_its_first_form_found(memo):
    """The shipped pattern (a run begun only at its start, never given back) finds the same references as the
    backtracking form it replaced, in any memo."""
    assert [m[0] for m in load().memo_pattern.finditer(memo)] == [m[0] for m in BACKTRACKING.finditer(memo)]
    assert load().memo_pattern.pattern == MEMO_PATTERN  # the map's default is the shipped map's


def test_a_statement_of_long_memos_without_separators_is_read_within_a_bounded_cpu(tmp_path):
    """An input probe: 1,000 lines each with a 1,950-letter memo and no separator took 62 s of one core under the
    backtracking pattern (quadratic in the memo), the 16 MiB limit about 7 minutes, before the statement was
    refused. Read in a process allowed 20 s of CPU (RLIMIT_CPU; the old pattern needs minutes for this file, the
    shipped one well under a second): a resource bound for the service not to stall, not a speed figure."""
    body = "交易日期,借方发生额,贷方发生额,摘要,对方户名\n" + ("2023-07-16,1.00,," + "a" * 1950 + ",X\n") * 4000
    (tmp_path / "statement.csv").write_text(body, encoding="utf-8")
    script = ("import resource, sys; resource.setrlimit(resource.RLIMIT_CPU, (20, 20));"
              "from ledger.bank_files import read_bank_file;"
              "found = read_bank_file(open(sys.argv[1], 'rb').read());"
              "print(len(found.lines) + len(found.refused))")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "statement.csv")], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == "4000", (done.returncode, done.stderr[-2000:])


def test_a_date_in_full_width_characters_is_said_so_with_the_day_to_type():
    """A line dated ２０２３-０８-０１ was told it was no day written YYYY-MM-DD, where a JSON line's date and an
    amount are told they are full-width and what to type (an inputs probe)."""
    text = ("交易日期,借方发生额,贷方发生额,对方户名,附言\n２０２３-０８-０１,5.00,,乙,PAY-2-B\n"
            "２０２３年８月３日,5.00,,乙,PAY-3-B\n２０２３-１３-０１,5.00,,乙,PAY-4-B\n")
    found = read_bank_file(text.encode("utf-8"))
    said = {r.line: r for r in found.refused}
    assert "full-width characters" in said[2].message and "type it half-width: 2023-08-01" in said[2].message
    assert "请改为半角：2023-08-01" in said[2].zh and "请改为半角：2023-08-03" in said[3].zh, said
    assert "全角" not in said[4].zh  # no day in any width: the formats it reads
