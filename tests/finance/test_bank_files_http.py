"""Bank files as banks send them, over HTTP on both stores: a GB18030 export matched; a faulty file refused whole."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import unique_id

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "bank"


def _upload(api, name: str, raw: bytes, query: str = ""):
    return api.client.post(f"/v1/finance/bank-statements{query}", files={"file": (name, raw, "text/csv")},
                           headers={"Authorization": f"Bearer {api.tokens['finance']}"})


def test_a_gb18030_export_is_matched_debits_to_payouts_and_credits_apart(api, books):
    """Format A as the bank sent it: debits matched by the reference inside 附言, the credit listed as money in."""
    books.pay(books.approve(), "300000.00", "2024-07-02", bank_ref="PAY-2024-0001")
    books.pay(books.approve(), "300000.00", "2024-07-02", bank_ref="PAY-2024-0002")
    answer = _upload(api, "july.csv", (SAMPLES / "statement-format-a.gb18030.csv").read_bytes())
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert found["encoding"] == "gb18030" and found["refused_lines"] == []
    report = found["report"]
    assert [m["line"]["reference"] for m in report["matched"]] == ["PAY-2024-0001"]
    assert [(m["bank_amount"], m["payout_amount"]) for m in report["amount_mismatches"]] == [("1000000.00",
                                                                                             "300000.00")]
    assert [(ln["reference"], ln["direction"]) for ln in report["credit_lines"]] == [("REC-2024-0001", "credit")]
    assert [ln["reference"] for ln in report["unmatched_bank_lines"]] == ["跨行汇款手续费"]
    # No repayment bears REC-2024-0001 yet: money in that finance still has to record against its recovery.
    assert [ln["reference"] for ln in report["unmatched_credit_lines"]] == ["REC-2024-0001"]
    assert report["matched_credits"] == [] and report["counts"]["unmatched_credit_lines"] == 1


def test_a_minus_in_the_ledgers_own_layout_is_money_back_in_not_a_sign_dropped(api, books):
    """`2024-06-06,-900.00,PAY-…` in the own layout was matched to the 900.00 payout as money paid out, "all
    matched", though the JSON form refuses a negative amount (an imports probe). A minus turns the line around, as
    in a bank's columns: money in, which no payout matches, so the report is not all matched."""
    books.pay(books.approve(), "900.00", "2024-06-06", bank_ref="PAY-2024-0900")
    raw = b"date,amount,reference,counterparty\n2024-06-06,-900.00,PAY-2024-0900,x\n"
    report = _upload(api, "own.csv", raw).json()["report"]
    assert report["matched"] == [] and report["all_matched"] is False, report
    assert [(ln["reference"], ln["direction"]) for ln in report["credit_lines"]] == [("PAY-2024-0900", "credit")]
    # Money back under a payout's reference is the payout returned (退汇), which finance must reverse or explain.
    assert "PAY-2024-0900" in str(report["returned_but_not_reversed"]), sorted(k for k, v in report.items() if v)
    plus = _upload(api, "own.csv", raw.replace(b"-900.00", b"+900.00")).json()["report"]
    assert [m["line"]["reference"] for m in plus["matched"]] == ["PAY-2024-0900"]


def test_a_direction_column_in_the_ledgers_own_layout_is_read_as_the_json_statement_reads_it(api, books):
    """`direction` written as a column (as a JSON statement's lines carry it) was ignored, every line read as money
    out: a returned 900.00 was matched to its payout as paid, "all matched" (stop 48's finance probe). Read now,
    the credit is the payout's money back; an unknown word is a refused line, nothing imported."""
    books.pay(books.approve(), "900.00", "2024-06-06", bank_ref="PAY-2024-0901")
    raw = b"date,amount,reference,counterparty,direction\n2024-06-06,900.00,PAY-2024-0901,x,credit\n"
    report = _upload(api, "own.csv", raw).json()["report"]
    assert report["matched"] == [] and report["all_matched"] is False, report
    assert [(ln["reference"], ln["direction"]) for ln in report["credit_lines"]] == [("PAY-2024-0901", "credit")]
    before = api.events()
    refused = _upload(api, "own.csv", raw.replace(b",credit", b",in"))
    assert refused.status_code == 422 and refused.json()["refused_lines"][0]["line"] == 2, refused.text
    assert refused.json()["refused_lines"][0]["code"] == "invalid_request"
    # each refused line carries its own stable code (carried from earlier stops): an amount's is invalid_amount
    money = _upload(api, "own.csv", raw.replace(b",900.00,", b",abc,")).json()["refused_lines"]
    assert [(r["line"], r["code"]) for r in money] == [(2, "invalid_amount")], money
    assert "debit / d / 借" in refused.json()["refused_lines"][0]["message"] and api.events() == before


def test_a_full_width_amount_in_a_file_is_said_to_be_full_width_with_what_to_write(api, books):
    """An intake probe: `１００.00` in a JSON statement or a form is told it is full-width, with the half-width amount;
    in a CSV statement (and from `reconcile`) it was only "not an amount". It is told the same, in both languages,
    naming the line; nothing is written."""
    before = api.events()
    raw = "date,amount,reference,counterparty,direction\n2024-06-06,１，２００.５０,PAY-2024-0901,x,debit\n"
    for lang, said in (("en", "full-width characters"), ("zh", "使用了全角字符")):
        answer = api.client.post("/v1/finance/bank-statements", files={"file": ("own.csv", raw.encode(), "text/csv")},
                                 headers={"Authorization": f"Bearer {api.tokens['finance']}", "Accept-Language": lang})
        [line] = answer.json()["refused_lines"]
        assert (answer.status_code, line["line"], line["code"]) == (422, 2, "invalid_amount"), answer.text
        assert said in line["message"] and "1,200.50" in line["message"], line
    assert api.events() == before


def test_a_file_with_bad_lines_imports_nothing_unless_the_good_lines_are_asked_for(api, books):
    """Refused lines are named by number; nothing is written; with import_good_lines the rest is imported."""
    text = "记账日期,交易金额,对方名称,用途\r\n20240703,\"-500,000.00\",甲公司,PAY-2024-0003 奖励\r\n" \
           "20241301,\"-1.00\",乙公司,PAY-2024-0009\r\n"
    raw = ("\ufeff" + text).encode("utf-8")
    before = api.events()
    refused = _upload(api, "b.csv", raw)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_statement"
    assert refused.json()["refused_lines"][0]["line"] == 3 and "20241301" in refused.json()["detail"]
    assert api.events() == before
    taken = _upload(api, "b.csv", raw, "?import_good_lines=true")
    assert taken.status_code == 201, taken.text
    assert taken.json()["lines"] == 1 and taken.json()["refused_lines"][0]["line"] == 3
    # The lines left out are kept with the statement: read again, in either language, they are still listed (a pages
    # probe: once confirmed, no page or answer named them, and they are money to follow up).
    said = {}
    for lang in ("en", "zh"):
        again = api.call("GET", f"/v1/finance/bank-statements/{taken.json()['id']}", None, "finance",
                         headers={"Accept-Language": lang}).json()
        [line] = again["refused_lines"]
        assert (line["line"], line["code"]) == (3, "invalid_request") and "20241301" in line["message"], again
        said[lang] = line["message"]
    assert said["en"].startswith("line 3") and said["zh"].startswith("第 3 行"), said


def test_a_chinese_reader_is_told_in_chinese_which_lines_are_wrong(api, books):
    """Accept-Language zh: the refusal's detail is Chinese and names the line as a Chinese reader counts it."""
    raw = "记账日期,交易金额,对方名称,用途\r\n20241301,\"-1.00\",乙公司,PAY-2024-0009\r\n".encode("gb18030")
    refused = api.client.post("/v1/finance/bank-statements", files={"file": ("b.csv", raw, "text/csv")},
                              headers={"Authorization": f"Bearer {api.tokens['finance']}",
                                       "Accept-Language": "zh-CN,zh;q=0.9"})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_statement"
    assert refused.json()["detail"].startswith("流水没有一行可以读取"), refused.json()["detail"]
    assert refused.headers["content-language"] == "zh"


@pytest.mark.parametrize("column", ["reference", "counterparty"])
def test_a_line_with_an_invisible_character_is_named_as_a_chinese_reader_counts_it(api, books, column):
    """A hostile-input probe: a reference holding U+202E was refused `line 2: reference 含有控制字符…` in the Chinese
    detail, while every other line's refusal says `第 2 行：`."""
    bad = "R-1\u202e" if column == "reference" else "乙\u200b"
    cells = {"reference": "R-1", "counterparty": "乙公司"} | {column: bad}
    raw = f"date,amount,reference,counterparty\n2024-07-03,5.00,{cells['reference']},{cells['counterparty']}\n"
    refused = api.client.post("/v1/finance/bank-statements", content=raw.encode(), headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv", "Accept-Language": "zh"})
    assert refused.status_code == 422, refused.text
    [line] = refused.json()["refused_lines"]
    said = {"reference": "第 2 行：交易参考号含有控制字符", "counterparty": "第 2 行：对方户名含有控制字符"}[column]
    assert line["message"].startswith(said) and "line 2" not in refused.json()["detail"], refused.json()


def test_a_file_without_a_header_is_csv_unreadable_as_the_cli_says(api, books):
    """No header row in the first lines (an empty file, a list of numbers): `csv_unreadable`, the code the CLI
    gives the same file, naming the headers the column map knows in the reader's language; nothing written."""
    before = api.events()
    for raw in (b"", b"1,2,3\n4,5,6\n"):
        for language, said in (("en", "date: "), ("zh-CN", "交易日期（date）：")):
            refused = api.client.post("/v1/finance/bank-statements", files={"file": ("x.csv", raw, "text/csv")},
                                      headers={"Authorization": f"Bearer {api.tokens['finance']}",
                                               "Accept-Language": language})
            assert refused.status_code == 422 and refused.json()["code"] == "csv_unreadable", refused.text
            assert said in refused.json()["detail"], refused.json()["detail"]
    assert api.events() == before


def test_json_under_another_content_type_is_not_taken_for_a_statement(api, books):
    """A JSON body labelled as a form (a black-box probe saw it imported) is 422 naming the three ways to send a
    statement, and nothing is written; labelled application/json it is imported."""
    body = b'{"lines": [{"date": "2024-07-02", "amount": "1.00", "reference": "X-1"}]}'
    before = api.events()
    for label in ("application/x-www-form-urlencoded", "text/html"):
        answer = api.client.post("/v1/finance/bank-statements", content=body, headers={
            "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": label})
        assert answer.status_code == 422 and "text/csv" in answer.json()["detail"], answer.text
    assert api.events() == before
    answer = api.client.post("/v1/finance/bank-statements", content=body, headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text


def test_two_files_in_one_upload_are_refused_not_one_dropped(api):
    """Two parts named `file` had the first dropped and the last imported (a probe): refused, nothing written."""
    raw = (SAMPLES / "statement-format-a.gb18030.csv").read_bytes()
    before = api.events()
    answer = api.client.post("/v1/finance/bank-statements",
                             files=[("file", ("a.csv", raw, "text/csv")), ("file", ("b.csv", raw, "text/csv"))],
                             headers={"Authorization": f"Bearer {api.tokens['finance']}", "Accept-Language": "zh"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_request" and "2 个名为 file" in answer.json()["detail"]
    assert api.events() == before


def test_a_declared_charset_is_read_as_declared_or_refused(api, books):
    """GBK bytes that also pass for UTF-8 were read as UTF-8 whatever the sender declared (a probe): a counterparty
    "娴嬭瘯浼佷笟" sent as `text/csv; charset=gbk` was stored as "测试企业". A CSV declared GB18030/GBK is now read
    so; a charset the service does not read, or JSON declared as anything but UTF-8, is refused, writing nothing."""
    assert "娴嬭瘯浼佷笟".encode("gbk").decode("utf-8") == "测试企业"  # the bytes are valid UTF-8 too
    csv = "date,amount,reference,counterparty\n2024-07-02,1.00,CHARSET-1,娴嬭瘯浼佷笟\n".encode("gbk")
    headers = {"Authorization": f"Bearer {api.tokens['finance']}"}
    before = api.events()
    for kind in ("text/csv; charset=latin-1", "text/csv; charset=big5", "application/json; charset=gbk",
                 "application/json; charset=utf-16"):
        body = csv if kind.startswith("text") else b'{"lines": []}'
        answer = api.client.post("/v1/finance/bank-statements", content=body, headers={**headers, "Content-Type": kind})
        assert answer.status_code == 422 and "charset=" in answer.json()["detail"], (kind, answer.text)
        assert "UTF-8" in answer.json()["detail"]
    org = api.client.post("/v1/organisations", content='{"uscc": "x", "name": "测试企业"}'.encode("gbk"), headers={
        **headers, "Content-Type": "application/json; charset=GBK", "Accept-Language": "zh"})
    assert org.status_code == 422 and "字符集" in org.json()["detail"], org.text
    assert api.events() == before
    answer = api.client.post("/v1/finance/bank-statements", content=csv, headers={
        **headers, "Content-Type": 'text/csv; charset="GBK"'})
    assert answer.status_code == 201, answer.text
    assert answer.json()["encoding"] == "gb18030"
    [line] = answer.json()["report"]["unmatched_bank_lines"]
    assert line["counterparty"] == "娴嬭瘯浼佷笟", line
    latin = api.client.post("/v1/finance/bank-statements", content=csv, headers={
        **headers, "Content-Type": "text/csv; charset=big5"})
    assert "send the file as UTF-8 or GB18030/GBK" in latin.json()["detail"] and "JSON" not in latin.json()["detail"]
    wrong = api.client.post("/v1/finance/bank-statements", content=b"date,amount,reference\n2024-07-03,\x80,X\n",
                            headers={**headers, "Content-Type": "text/csv; charset=gbk"})
    assert wrong.status_code == 422 and "declares charset=gbk but is not GB18030/GBK" in wrong.json()["detail"], \
        wrong.text
    utf8 = "date,amount,reference,counterparty\n2024-07-03,2.00,CHARSET-2,测试企业\n".encode()
    answer = api.client.post("/v1/finance/bank-statements", content=utf8, headers={
        **headers, "Content-Type": "text/csv; charset=utf-8"})
    assert answer.status_code == 201 and answer.json()["encoding"] == "utf-8", answer.text


def test_a_csv_sent_without_a_content_type_is_told_to_send_text_csv(api):
    """A bank's CSV sent with no Content-Type was told "send a JSON object with Content-Type: application/json"
    (an input probe): the statement's main form is the bank's file, so the refusal names text/csv first."""
    raw = b"date,amount,reference\n2024-07-02,1.00,NOTYPE-1\n"
    before = api.events()
    for lang, said in (("en", "Content-Type: text/csv"), ("zh", "Content-Type: text/csv 发送银行导出的文件")):
        answer = api.client.post("/v1/finance/bank-statements", content=raw, headers={
            "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "", "Accept-Language": lang})
        assert answer.status_code == 422 and said in answer.json()["detail"], answer.text
    assert api.events() == before


def test_a_bank_files_amount_has_the_limit_a_json_statements_has(api):
    """Sixteen digits before the point were refused in a JSON statement (15 at most) and imported from a CSV body
    (a finance probe): one import, one limit. Fifteen pass both ways, thousands separators or not."""
    headers = {"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"}
    for amount in ("9999999999999999.99", '"9,999,999,999,999,999.99"', "0009999999999999999"):
        csv_body = f"date,amount,reference\n2024-07-02,{amount},{unique_id('BIG-')}\n"
        response = api.client.post("/v1/finance/bank-statements", content=csv_body.encode(), headers=headers)
        assert response.status_code == 422, (amount, response.text)
        [refused] = response.json()["refused_lines"]
        assert refused["line"] == 2 and "15 digits" in refused["message"], refused
    fits = f'date,amount,reference\n2024-07-02,"999,999,999,999,999.99",{unique_id("BIG-")}\n'
    assert api.client.post("/v1/finance/bank-statements", content=fits.encode(), headers=headers).status_code == 201
    json_body = {"lines": [{"date": "2024-07-02", "amount": "9999999999999999.99", "reference": unique_id("BIG-")}]}
    api.refused("POST", "/v1/finance/bank-statements", json_body, "finance", 422, "invalid_amount")


def test_a_bank_line_dated_after_today_is_refused_as_a_payout_would_be(api):
    """A statement line of tomorrow (Beijing) was imported (a finance probe), though a payout or a repayment dated
    after today is refused: a bank books nothing ahead. Refused by its line, in a CSV and in JSON alike."""
    from datetime import timedelta

    from ledger import beijing

    tomorrow = (beijing.today() + timedelta(days=1)).isoformat()
    headers = {"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"}
    csv_body = f"date,amount,reference\n{beijing.today().isoformat()},10.00,{unique_id('T-')}\n{tomorrow},10.00,X-1\n"
    response = api.client.post("/v1/finance/bank-statements", content=csv_body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    [refused] = response.json()["refused_lines"]
    assert refused["line"] == 3 and "after today" in refused["message"], refused
    json_body = {"lines": [{"date": tomorrow, "amount": "10.00", "reference": unique_id("T-")}]}
    problem = api.refused("POST", "/v1/finance/bank-statements", json_body, "finance", 422, "invalid_request")
    assert "after today" in problem["detail"] and "column" not in problem["detail"], problem


def test_a_chinese_banks_export_as_printed_zeros_a_serial_column_and_a_totals_row_is_matched(api, books):
    """A finance probe's month end: a bank printing 0.00 in the debit or credit column a line does not use had every
    line refused ("both a debit and a credit amount"); a 交易流水号 column of the bank's own serials hid the payout's
    reference in 用途 (one transfer, two discrepancies); a 合计 / 共 N 笔 totals row refused the whole file. The zero is
    no money, the memo's reference is found beside the serial, and the totals rows are passed over."""
    books.pay(books.approve(), "1234.56", "2023-09-01", bank_ref="PAY-2023-0201")
    books.pay(books.approve(), "1000.00", "2023-09-02", bank_ref="PAY-2023-0202")
    text = ("交易日期,交易流水号,借方发生额,贷方发生额,对方户名,用途\r\n"
            "2023-09-01,CCB20230901000001,\"1,234.56\",0.00,甲公司,PAY-2023-0201\r\n"
            "2023-09-02,CCB20230902000002,\"1,000.00\",--,乙公司,创新券 PAY-2023-0202 拨付\r\n"
            "合计,,\"2,234.56\",0.00,,\r\n"
            "共 2 笔,,,,,\r\n")
    answer = _upload(api, "ccb-2023-09.csv", text.encode("gb18030"))
    assert answer.status_code == 201, answer.text
    found = answer.json()
    assert found["refused_lines"] == [] and found["lines"] == 2, found
    report = found["report"]
    assert sorted(m["line"]["reference"] for m in report["matched"]) == ["PAY-2023-0201", "PAY-2023-0202"], report
    assert report["all_matched"] is True, report
    # With a direction column beside them too, the zero is no money: the credit line is money in, not "money in
    # the debit column but the direction 贷" (a last read of the change).
    text = ("交易日期,借方发生额,贷方发生额,借贷标志,对方户名,用途\r\n"
            "2023-09-04,0.00,\"5.00\",贷,丙公司,REP-2023-0299\r\n")
    found = _upload(api, "boc-2023-09.csv", text.encode("gb18030")).json()
    assert found["refused_lines"] == [], found
    assert [ln["direction"] for ln in found["report"]["credit_lines"]] == ["credit"], found["report"]
    # A line whose cells only begin with a totals word is a line of money, never passed over (a regression probe's
    # transfer to 小计科技有限公司, its counterparty first, vanished): unmatched here, and said so.
    books.pay(books.approve(), "800.00", "2023-09-03", bank_ref="PAY-2023-0203")
    text = ("对方户名,交易日期,借方发生额,贷方发生额,用途\r\n"
            "小计科技有限公司,2023-09-03,800.00,0.00,PAY-2023-0203\r\n"
            "合计科技有限公司,2023-09-03,1.00,0.00,服务费\r\n"
            "合计,,801.00,0.00,\r\n")
    found = _upload(api, "ccb-2023-09b.csv", text.encode("gb18030")).json()
    assert found["lines"] == 2 and found["refused_lines"] == [], found
    assert [m["line"]["reference"] for m in found["report"]["matched"]] == ["PAY-2023-0203"], found["report"]
    assert [ln["reference"] for ln in found["report"]["unmatched_bank_lines"]] == ["服务费"], found["report"]


def test_a_second_transfer_under_another_bank_serial_on_a_later_statement_is_paid_again(api, books):
    """A finance probe: a payout matched on one statement, then a second line on another statement with the same
    day, amount and memo but the bank's own serial (交易流水号) different, was `matched` again, `all_matched`: two
    transfers read as one export's overlap. Two serials are two transfers (`repeated_bank_lines`); the same serial
    on an overlapping export is the same money, as before."""
    payout = books.pay(books.approve(), "50000.00", "2023-09-05")
    ref = payout["bank_ref"]
    head = "交易日期,交易流水号,借方发生额,贷方发生额,对方户名,用途\r\n"
    first = _upload(api, "b1.csv", (head + f"2023-09-05,BK0003,\"50,000.00\",,甲公司,补助 {ref}\r\n").encode("gb18030"))
    assert first.status_code == 201 and first.json()["report"]["all_matched"] is True, first.text
    overlap = _upload(api, "b1-again.csv",
                      (head + f"2023-09-05,BK0003,\"50,000.00\",,甲公司,补助 {ref}\r\n2023-09-06,BK0009,1.00,,乙,费\r\n"
                       ).encode("gb18030")).json()["report"]
    assert [m["line"]["reference"] for m in overlap["matched"]] == [ref], overlap
    again = _upload(api, "b2.csv", (head + f"2023-09-05,BK0004,\"50,000.00\",,甲公司,补助 {ref}\r\n"
                                     ).encode("gb18030")).json()["report"]
    assert [[p["id"] for p in e["payouts"]] for e in again["repeated_bank_lines"]] == [[payout["id"]]], again
    assert again["matched"] == [] and again["all_matched"] is False, again


@pytest.mark.parametrize("amount", ["0.00", "0", "-0.00"])
def test_a_line_of_no_money_is_refused_alike_in_json_and_in_a_bank_file(api, amount):
    """A regression probe: a line of 0.00 was accepted in a JSON statement and in the ledger's own CSV layout, where
    a bank file's debit and credit of 0.00 was refused ("has no amount"). A statement lists transfers: a line that
    moves no money is refused invalid_amount by its line, in both forms, and nothing is written."""
    headers = {"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"}
    csv_body = f"date,amount,reference\n2024-07-02,10.00,{unique_id('T-')}\n2024-07-02,{amount},{unique_id('Z-')}\n"
    before = api.events()
    response = api.client.post("/v1/finance/bank-statements", content=csv_body.encode(), headers=headers)
    assert response.status_code == 422, response.text
    [refused] = response.json()["refused_lines"]
    assert (refused["line"], refused["code"]) == (3, "invalid_amount") and "moves no money" in refused["message"]
    assert api.events() == before
    zh = api.client.post("/v1/finance/bank-statements", content=csv_body.encode(),
                         headers={**headers, "Accept-Language": "zh-CN"})
    assert "未发生资金划转" in zh.json()["refused_lines"][0]["message"], zh.text
    if not amount.startswith("-"):  # JSON takes no sign at all (refused as such)
        json_body = {"lines": [{"date": "2024-07-02", "amount": amount, "reference": unique_id("Z-")}]}
        problem = api.refused("POST", "/v1/finance/bank-statements", json_body, "finance", 422, "invalid_amount")
        assert "moves no money" in problem["detail"] and "lines[0]" in problem["detail"], problem


def test_a_line_with_no_money_says_what_to_write_and_a_long_amount_is_cut_visibly(api):
    """A regression probe: a bank file line with debit 0.00 and credit 0.00 said only "has no amount"; an amount of
    4,000 digits was quoted as its first 40, unmarked, another number. The first says what to write or to leave the
    line out, in both languages; the second is cut with an ellipsis, in a statement and in a JSON body alike."""
    headers = {"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"}
    body = "日期,借方金额,贷方金额,摘要\n2024-07-02,0.00,0.00,X-1\n2024-07-02,10.00,,X-2\n".encode()
    for lang, said in (("en", "leave the line out"), ("zh", "删去此行")):
        answer = api.client.post("/v1/finance/bank-statements", content=body,
                                 headers={**headers, "Accept-Language": lang})
        assert answer.status_code == 422 and said in answer.json()["refused_lines"][0]["message"], answer.text
    long = "9" * 400 + ".00"  # a line of a bank file holds at most 2,000 characters
    answer = api.client.post("/v1/finance/bank-statements",
                             content=f"date,amount,reference\n2024-07-02,{long},X-3\n".encode(), headers=headers)
    assert "9" * 39 + "…" in answer.json()["refused_lines"][0]["message"], answer.text[:400]
    problem = api.refused("POST", "/v1/appropriations", {"year": 2024, "amount": long, "document_ref": "X"}, "finance",
                          422, "invalid_amount")
    assert "9" * 39 + "…" in problem["detail"], problem


def test_units_after_headers_and_amounts_and_a_time_after_the_day_are_read_as_banks_print_them(api, books):
    """A finance probe: 借方发生额（元） / 贷方发生额(元) headers refused the whole file (the advice: a server setting a
    clerk cannot change); "120,000.00元" and "¥500.00" lines were no amount; "2023-08-01 10:23:45" was no day. The
    unit in brackets is passed over in a header, a currency mark beside an amount, and the time after a day."""
    books.pay(books.approve(), "120000.00", "2023-08-01", bank_ref="PAY-2023-0301")
    books.pay(books.approve(), "1.00", "2023-08-03", bank_ref="PAY-2023-0302")
    text = ("交易日期,借方发生额（元）,贷方发生额(元),用途,对方户名\r\n"
            "2023-08-01 10:23:45,\"120,000.00元\",,PAY-2023-0301,甲公司\r\n"
            "2023/08/03 09:00,￥1.00,,PAY-2023-0302,乙公司\r\n"
            "2023-08-04 08:30,,RMB 500.00,REC-2023-0301,丙公司\r\n")
    found = _upload(api, "icbc-2023-08.csv", text.encode("gb18030")).json()
    assert found["refused_lines"] == [] and found["lines"] == 3, found
    report = found["report"]
    assert sorted(m["line"]["reference"] for m in report["matched"]) == ["PAY-2023-0301", "PAY-2023-0302"], report
    assert [(ln["date"], ln["amount"]) for ln in report["credit_lines"]] == [("2023-08-04", "500.00")], report
    # Two columns a unit alone tells apart are one name twice: refused whole, as any column named twice is.
    twice = _upload(api, "two.csv", "交易日期,金额（原币）,金额（本币）,用途\r\n2023-08-01,1.00,1.00,PAY-1-1\r\n"
                    .encode("gb18030"))
    assert twice.status_code == 422 and twice.json()["code"] == "csv_unreadable", twice.text


@pytest.mark.parametrize("name", ["对账单👨\u200d👩\u200d👧.csv", "对账单\u202e.csv", "对账单" * 200 + ".csv"])
def test_a_file_name_is_kept_as_its_source_made_fit_never_refused(api, name):
    """An input probe: a file named with an emoji's zero-width joiner, a tab, or more than 500 characters was
    refused whole ("source holds U+200D", a field the user never typed). The name is metadata: kept as the
    statement's source without what no text may hold, at most 200 characters, its extension kept."""
    raw = "交易日期,借方发生额,贷方发生额,附言\n2024-07-02,1.00,,PAY-NAME-1\n".encode()
    answer = _upload(api, name, raw)
    assert answer.status_code == 201, answer.text
    source = answer.json()["source"]
    assert source.endswith(".csv") and len(source) <= 200 and "\u200d" not in source and "\t" not in source, source
    assert source.startswith("对账单") and "\u202e" not in source, source
