"""A payout is matched by one bank line only, as the ledger tells references apart; a signed amount in a bank's
debit or credit column keeps its sign; and a statement's total is its money out, its money in apart. Each was a
black-box probe's finding: a bank that paid one payout twice was reported `all_matched`, a red-ink reversal
(-1,000.00 in 借方发生额) was matched to the payout it undid, and `icbc-…` never matched its payout `ICBC-…`."""
from __future__ import annotations

from tests.support import unique_id


def _import(api, text, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    response = api.client.post(f"/v1/finance/bank-statements?{params}", content=text.encode("utf-8"), headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
    assert response.status_code in (200, 201), response.text
    return response.json()


def _ids(entries):
    return [[p["id"] for p in e["payouts"]] for e in entries]


def test_a_payout_on_two_lines_of_one_statement_is_paid_again_not_matched_twice(api, books):
    """Two lines of one statement bearing one payout's reference and amount: the first matches, the second is
    `repeated_bank_lines` (the bank paid twice), and the statement is not all matched. Two payouts under two lines
    each match their own."""
    one, two = books.pay(books.approve(), "1000.00", "2024-07-02"), books.pay(books.approve(), "2000.00", "2024-07-02")
    answer = _import(api, "date,amount,reference\n"
                          f"2024-07-02,1000.00,{one['bank_ref']}\n"
                          f"2024-07-02,1000.00,{one['bank_ref']}\n"
                          f"2024-07-02,2000.00,{two['bank_ref']}\n")
    report = answer["report"]
    assert sorted(_ids(report["matched"])) == sorted([[one["id"]], [two["id"]]])
    assert _ids(report["repeated_bank_lines"]) == [[one["id"]]]
    assert report["counts"]["repeated_bank_lines"] == 1 and report["all_matched"] is False
    assert answer["total"] == "4000.00"
    again = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")["report"]
    assert _ids(again["repeated_bank_lines"]) == [[one["id"]]] and again["all_matched"] is False


def test_a_later_statement_paying_the_same_payout_on_another_day_is_paid_again(api, books):
    """A July statement matched the payout; August's line under the same reference is paid again. The same
    transaction on a statement that overlaps July's (same day and amount) is the same money: matched."""
    payout = books.pay(books.approve(), "1000.00", "2024-07-02")
    july = _import(api, f"date,amount,reference\n2024-07-02,1000.00,{payout['bank_ref']}\n")
    assert july["report"]["all_matched"] is True
    overlap = _import(api, f"date,amount,reference,counterparty\n2024-07-02,1000.00,{payout['bank_ref']},甲\n")
    assert _ids(overlap["report"]["matched"]) == [[payout["id"]]] and overlap["report"]["all_matched"] is True
    august = _import(api, f"date,amount,reference\n2024-08-02,1000.00,{payout['bank_ref']}\n")
    assert _ids(august["report"]["repeated_bank_lines"]) == [[payout["id"]]]
    assert august["report"]["all_matched"] is False
    # The first statement to name the payout keeps it, whenever it is read.
    assert api.ok("GET", f"/v1/finance/bank-statements/{july['id']}", as_="finance")["report"]["all_matched"] is True


def test_a_payout_paid_for_another_amount_then_for_its_own_is_paid_again_whichever_came_first(api, books):
    """A finance probe: a 300.00 line under a 3,000.00 payout's reference (a mismatch), then a 3,000.00 line on a
    later statement, read `matched` and all matched, though the bank paid 3,300.00 for it; the other order said
    `repeated_bank_lines`. The only payout under a reference is taken by its first line whatever its amount, so the
    second is paid again, in either order, across statements or on one."""
    for first, second in (("300.00", "3000.00"), ("3000.00", "300.00")):
        payout = books.pay(books.approve(), "3000.00", "2024-07-02")
        one = _import(api, f"date,amount,reference\n2024-07-02,{first},{payout['bank_ref']}\n")
        two = _import(api, f"date,amount,reference\n2024-07-03,{second},{payout['bank_ref']}\n")
        assert _ids(two["report"]["repeated_bank_lines"]) == [[payout["id"]]], (first, two["report"])
        assert two["report"]["all_matched"] is False and not two["report"]["matched"], two["report"]
        kept = api.ok("GET", f"/v1/finance/bank-statements/{one['id']}", as_="finance")["report"]
        assert kept["counts"]["repeated_bank_lines"] == 0, kept  # the first line keeps its reading
        both = books.pay(books.approve(), "3000.00", "2024-07-02")
        same = _import(api, "date,amount,reference\n"
                            f"2024-07-02,{first},{both['bank_ref']}\n2024-07-02,{second},{both['bank_ref']}\n")
        assert same["report"]["counts"]["repeated_bank_lines"] == 1 and same["report"]["all_matched"] is False


def test_references_match_as_the_ledger_tells_them_apart(api, books):
    """A payout `icbc-…` makes `ICBC-…` the same reference (a second payout under it is a conflict), so a bank line
    `ICBC-…` matches it, and it is not also listed as a payout on no line."""
    ref = unique_id("icbc-")
    payout = books.pay(books.approve(), "300.00", "2024-07-05", bank_ref=ref)
    answer = _import(api, f"date,amount,reference\n2024-07-05,300.00,{ref.upper()}\n")
    assert _ids(answer["report"]["matched"]) == [[payout["id"]]]
    assert answer["report"]["unmatched_bank_lines"] == [] and answer["report"]["unmatched_payouts"] == []


def test_a_minus_in_a_debit_or_credit_column_turns_the_line_around(api, books):
    """"-1,000.00" under 借方发生额 is money back in (a red-ink reversal): a credit line, never matched to the payout,
    and a statement other than the one with "1,000.00" there; a minus under 贷方发生额 is money out."""
    payout = books.pay(books.approve(), "1000.00", "2024-07-02")
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    paid = _import(api, head + f'2024-07-02,"1,000.00",,{payout["bank_ref"]} 补助\n')
    undone = _import(api, head + f'2024-07-03,"-1,000.00",,{payout["bank_ref"]} 冲正\n')
    assert undone["already_imported"] is False and undone["digest"] != paid["digest"]
    [credit] = undone["report"]["credit_lines"]
    assert (credit["direction"], credit["amount"]) == ("credit", "1000.00")
    assert undone["report"]["matched"] == [] and (undone["total"], undone["total_in"]) == ("0.00", "1000.00")
    other = books.pay(books.approve(), "500.00", "2024-07-04")
    out = _import(api, head + f'2024-07-04,,"-500.00",{other["bank_ref"]}\n')
    assert _ids(out["report"]["matched"]) == [[other["id"]]] and out["total"] == "500.00"


def test_a_statements_total_is_its_money_out_and_its_money_in_apart(api, books):
    """One debit of 2,000.00 and one credit of 2,000.00: total (out) 2,000.00, total_in 2,000.00; it was 4,000.00."""
    payout = books.pay(books.approve(), "2000.00", "2024-07-02")
    answer = _import(api, "交易日期,借方发生额,贷方发生额,附言\n"
                          f"2024-07-02,2000.00,,{payout['bank_ref']}\n"
                          f"2024-07-03,,2000.00,{unique_id('BACK-')}\n")
    assert (answer["total"], answer["total_in"]) == ("2000.00", "2000.00")
    read = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")
    assert (read["total"], read["total_in"]) == ("2000.00", "2000.00")


def test_the_report_names_each_line_by_its_number_in_the_file(api, books):
    """Two preamble lines, the header on line 3, a refused line 5: the report names lines 4 and 6 as the file
    does (it counted imported lines from 1, so line 6 was "line 2"), as the refusal names line 5."""
    first, last = books.pay(books.approve(), "100.00", "2024-07-02"), books.pay(books.approve(), "300.00", "2024-07-04")
    text = ("中国工商银行 账户明细\n账号: 1202 0000 0000 0000\n"
            "交易日期,借方发生额,贷方发生额,附言\n"
            f"2024-07-02,100.00,,{first['bank_ref']}\n"
            "2024-07-03,abc,,BAD-LINE\n"
            f"2024-07-04,300.00,,{last['bank_ref']}\n")
    answer = _import(api, text, import_good_lines="true")
    assert [r["line"] for r in answer["refused_lines"]] == [5]
    assert sorted(m["line"]["line"] for m in answer["report"]["matched"]) == [4, 6]
    read = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")
    assert sorted(m["line"]["line"] for m in read["report"]["matched"]) == [4, 6]


def test_a_reference_in_another_case_on_a_later_statement_is_still_paid_again(api, books):
    """`CX-…` matched in July; `cx-…` on August's statement is the same payout's reference, so paid again (the
    look for earlier lines compared references exactly, and August answered all matched). A payout whose
    reference is on a line in another case is not listed as on no line on every other statement either."""
    ref = unique_id("CX-")
    payout = books.pay(books.approve(), "700.00", "2024-07-02", bank_ref=ref)
    _import(api, f"date,amount,reference\n2024-07-02,700.00,{ref}\n")
    august = _import(api, f"date,amount,reference\n2024-08-02,700.00,{ref.lower()}\n")
    assert _ids(august["report"]["repeated_bank_lines"]) == [[payout["id"]]]
    assert august["report"]["all_matched"] is False
    other = books.pay(books.approve(), "800.00", "2024-09-03", bank_ref=unique_id("UP-"))
    _import(api, f"date,amount,reference\n2024-09-03,800.00,{other['bank_ref'].lower()}\n")
    elsewhere = books.pay(books.approve(), "900.00", "2024-09-04")
    september = _import(api, f"date,amount,reference\n2024-09-01,900.00,{elsewhere['bank_ref']}\n"
                             f"2024-09-30,900.00,{elsewhere['bank_ref']}-X\n")
    assert other["id"] not in [p["id"] for p in september["report"]["unmatched_payouts"]]


def test_overlapping_statements_excuse_a_transaction_only_as_often_as_the_first_showed_it(api, books):
    """July shows a payout's transfer once; an overlapping statement shows the same day, reference and amount twice:
    the first is July's money (matched), the second is money again (paid again). It answered all matched."""
    payout = books.pay(books.approve(), "400.00", "2024-07-02")
    _import(api, f"date,amount,reference\n2024-07-02,400.00,{payout['bank_ref']}\n")
    overlap = _import(api, "date,amount,reference,counterparty\n"
                           f"2024-07-02,400.00,{payout['bank_ref']},甲\n2024-07-02,400.00,{payout['bank_ref']},甲\n")
    assert _ids(overlap["report"]["matched"]) == [[payout["id"]]]
    assert _ids(overlap["report"]["repeated_bank_lines"]) == [[payout["id"]]]
    assert overlap["report"]["all_matched"] is False


def test_an_amount_with_two_signs_is_refused_naming_its_line(api, books):
    """"+-500.00" dropped the minus (a debit), "--500.00" turned the line around: each is refused, named by line."""
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    for cell in ("+-500.00", "--500.00", "- -500.00"):
        text = head + f"2024-07-02,{cell},,PAY-1\n"
        response = api.client.post("/v1/finance/bank-statements", content=text.encode(), headers={
            "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
        assert response.status_code == 422 and response.json()["code"] == "invalid_statement", response.text
        [refused] = response.json()["refused_lines"]
        assert refused["line"] == 2 and "two signs" in refused["message"], refused


def _recovery(api, books) -> str:
    """A paid voucher award revoked: its recovery's id (100,000.00 to recover)."""
    claim = books.approve()
    books.pay(claim, "100000.00", "2024-06-01")  # before every statement below: never one of their payouts
    return api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕6号"},
                  as_="kjj", status=200)["recovery_id"]


def _repay(api, recovery: str, amount: str, day: str, ref: str) -> None:
    api.ok("POST", f"/v1/recoveries/{recovery}/repayments", {"amount": amount, "received_on": day, "bank_ref": ref},
           as_="finance", status=201)


CREDITS = "交易日期,借方发生额,贷方发生额,附言\n"


def test_a_repayment_is_matched_by_one_credit_line_only(api, books):
    """A repayment's money came in once: a second credit line under its reference, on this statement or a later
    one, is `repeated_credit_lines` and the statement is not all matched (a finance probe: both lines matched the
    one repayment, `all_matched` true, 30,000 in at the bank against 10,000 recovered). The same transaction on an
    overlapping statement is the same money."""
    recovery, ref = _recovery(api, books), unique_id("REC-")
    _repay(api, recovery, "10000.00", "2024-08-01", ref)
    july = _import(api, CREDITS + f"2024-08-01,,10000.00,{ref}\n")
    first = july["report"]
    assert len(first["matched_credits"]) == 1 and first["all_matched"] is True
    overlap = _import(api, CREDITS + f"2024-08-01,,10000.00,{ref} 还款\n")["report"]
    assert len(overlap["matched_credits"]) == 1 and overlap["all_matched"] is True
    later = _import(api, CREDITS + f"2024-08-05,,10000.00,{ref}\n")["report"]
    assert later["matched_credits"] == [] and later["all_matched"] is False
    [again] = later["repeated_credit_lines"]
    assert [r["recovery_id"] for r in again["repayments"]] == [recovery] and later["counts"]["repeated_credit_lines"]
    twice = _import(api, CREDITS + f"2024-08-09,,2000.00,{(two := unique_id('REC-'))}\n2024-08-09,,2000.00,{two}\n")
    assert twice["report"]["all_matched"] is False  # no repayment at all: money in that none records
    _repay(api, recovery, "3000.00", "2024-08-10", (three := unique_id("REC-")))
    both = _import(api, CREDITS + f"2024-08-10,,3000.00,{three}\n2024-08-10,,3000.00,{three}\n")["report"]
    assert (len(both["matched_credits"]), len(both["repeated_credit_lines"]), both["all_matched"]) == (1, 1, False)
    # The first statement to name the repayment keeps it, whenever it is read.
    assert api.ok("GET", f"/v1/finance/bank-statements/{july['id']}", as_="finance")["report"]["all_matched"] is True


def test_a_repayment_no_line_takes_is_unmatched_though_its_reference_is_on_the_statement(api, books):
    """One bank receipt of 60,000 booked on two recoveries: one line takes one repayment; the other is on no line
    and is `unmatched_repayments` (a finance probe: nothing said so). A genuine split (30,000 + 30,000 on two
    recoveries under one reference, one line of 60,000) matches both."""
    ref, split = unique_id("REC-"), unique_id("REC-")
    one, two = _recovery(api, books), _recovery(api, books)
    for recovery in (one, two):
        _repay(api, recovery, "60000.00", "2024-07-15", ref)
        _repay(api, recovery, "30000.00", "2024-07-16", split)
    report = _import(api, CREDITS + f"2024-07-15,,60000.00,{ref}\n2024-07-16,,60000.00,{split}\n")["report"]
    assert [len(m["repayments"]) for m in report["matched_credits"]] == [1, 2]
    [left] = report["unmatched_repayments"]
    assert (left["bank_ref"], left["amount"]) == (ref, "60000.00") and report["all_matched"] is False


def test_a_memo_holding_several_references_is_matched_by_the_one_the_ledger_knows(api, books):
    """A contract number, a day or a sum written before the payout's reference in the 附言 was taken as the line's
    reference, and the payout read unpaid (a finance probe). The line now takes the memo's reference that a record
    of its kind bears, chosen whenever the report is read; with none known, the first written. The same file
    imported again, whatever the ledger knew the first time, is the same statement; a later statement's line of
    the same money, once the first is read again, is repeated (a second regression probe: both matched)."""
    contract, dated, summed = (books.pay(books.approve(), "1000.00", "2024-08-05") for _ in range(3))
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    recovery, back = _recovery(api, books), unique_id("REC-")
    stray = unique_id("HT-")
    text = (head + f"2024-08-05,1000.00,,合同HT-2023-118 {contract['bank_ref']}\n"
            f"2024-08-05,1000.00,,2024-08-05付 {dated['bank_ref']}\n"
            f"2024-08-05,1000.00,,补助10.5万 {summed['bank_ref']}\n"
            f"2024-08-06,,500.00,还款 {stray} {back}\n")
    before = _import(api, text)  # the repayment not yet recorded: its line keeps the first reference written
    assert [ln["reference"] for ln in before["report"]["unmatched_credit_lines"]] == [stray]
    assert sorted(_ids(before["report"]["matched"])) == sorted([[contract["id"]], [dated["id"]], [summed["id"]]])
    assert before["report"]["unmatched_bank_lines"] == []
    _repay(api, recovery, "500.00", "2024-08-06", back)
    again = _import(api, text)
    assert again["already_imported"] is True and again["id"] == before["id"]
    # Read again, the first statement's line takes the repayment recorded since; a later line of it is repeated.
    [credit] = api.ok("GET", f"/v1/finance/bank-statements/{before['id']}", as_="finance")["report"]["matched_credits"]
    assert credit["line"]["reference"] == back and credit["repayments"][0]["recovery_id"] == recovery
    later = _import(api, text.replace("2024-08-06,,500.00", "2024-08-07,,500.00"))
    [again] = later["report"]["repeated_credit_lines"]
    assert again["line"]["reference"] == back and later["report"]["matched_credits"] == []


def test_a_payout_or_repayment_a_memo_only_names_is_still_unmatched(api, books):
    """A line paying one payout whose memo also names another (`PAY-1 参见PAY-2`) takes the first; the second, which
    the bank never paid, was neither matched nor unmatched and the statement said all matched (a finance probe),
    as was a repayment a credit memo named second. Both are unmatched now, until a line of any statement takes
    them; a line of two payouts' sum names the first as a mismatch and leaves the second unmatched."""
    paid, named = (books.pay(books.approve(), "1000.00", "2024-09-02") for _ in range(2))
    answer = _import(api, CREDITS + f"2024-09-02,1000.00,,{paid['bank_ref']} 参见{named['bank_ref']}\n")
    for report in (answer["report"], api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}",
                                            as_="finance")["report"]):
        assert _ids(report["matched"]) == [[paid["id"]]] and report["all_matched"] is False
        assert named["id"] in [p["id"] for p in report["unmatched_payouts"]]
    later = _import(api, CREDITS + f"2024-09-03,1000.00,,{named['bank_ref']}\n")["report"]
    assert _ids(later["matched"]) == [[named["id"]]]
    first = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")["report"]
    assert named["id"] not in [p["id"] for p in first["unmatched_payouts"]]
    one, two = (books.pay(books.approve(), "1000.00", "2024-09-05") for _ in range(2))
    summed = _import(api, CREDITS + f"2024-09-05,2000.00,,{one['bank_ref']} {two['bank_ref']}\n")["report"]
    assert _ids(summed["amount_mismatches"]) == [[one["id"]]]
    assert two["id"] in [p["id"] for p in summed["unmatched_payouts"]] and summed["all_matched"] is False
    recovery, back, other = _recovery(api, books), unique_id("REC-"), unique_id("REC-")
    _repay(api, recovery, "500.00", "2024-09-06", back)
    _repay(api, recovery, "700.00", "2024-09-06", other)
    credit = _import(api, CREDITS + f"2024-09-06,,500.00,还款 {back} 另见{other}\n")["report"]
    assert [m["line"]["reference"] for m in credit["matched_credits"]] == [back]
    assert other in [r["bank_ref"] for r in credit["unmatched_repayments"]] and credit["all_matched"] is False


def test_a_payout_the_bank_returned_reconciles_once_the_ledger_reverses_it(api, books):
    """退汇: the money left (a debit) and came back (a credit bearing the payout's reference and amount). Before
    finance reverses the payout the credit is `returned_but_not_reversed`; after, both lines answer for each
    other (`returned_payouts`, `returned_credit_lines`) and the statement is all matched. It was never all
    matched: the debit was `reversed_but_on_statement` and the credit told to be recorded against a recovery (a
    finance probe). A reversed payout whose money did not come back stays `reversed_but_on_statement`."""
    bounced = books.pay(books.approve(), "1000.00", "2024-07-02")
    kept = books.pay(books.approve(), "700.00", "2024-06-20")  # outside the first statement's days
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    answer = _import(api, head + f"2024-07-02,1000.00,,{bounced['bank_ref']}\n"
                                 f"2024-07-05,,1000.00,退汇 {bounced['bank_ref']}\n")
    report = answer["report"]
    assert _ids(report["returned_but_not_reversed"]) == [[bounced["id"]]] and report["all_matched"] is False
    assert report["unmatched_credit_lines"] == [] and _ids(report["matched"]) == [[bounced["id"]]]
    books.reverse(bounced)
    report = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")["report"]
    assert _ids(report["returned_payouts"]) == [[bounced["id"]]] and _ids(report["returned_credit_lines"]) == [
        [bounced["id"]]]
    assert report["reversed_but_on_statement"] == [] and report["returned_but_not_reversed"] == []
    assert report["all_matched"] is True and report["counts"]["returned_payouts"] == 1
    books.reverse(kept)  # reversed in the ledger, but the bank never paid it back
    june = _import(api, head + f"2024-06-20,700.00,,{kept['bank_ref']}\n")
    gone = june["report"]
    assert _ids(gone["reversed_but_on_statement"]) == [[kept["id"]]] and gone["all_matched"] is False
    # The money back on a later statement answers for the first one's debit too.
    back = _import(api, head + f"2024-06-25,,700.00,{kept['bank_ref']}\n")["report"]
    assert _ids(back["returned_credit_lines"]) == [[kept["id"]]] and back["all_matched"] is True
    again = api.ok("GET", f"/v1/finance/bank-statements/{june['id']}", as_="finance")["report"]
    assert _ids(again["returned_payouts"]) == [[kept["id"]]] and again["all_matched"] is True
    # Paid back a second time (a second regression probe: both credits were returns, all matched): money in that
    # nothing explains, on a later statement or twice on one.
    twice = _import(api, head + f"2024-06-27,,700.00,{kept['bank_ref']}\n")["report"]
    assert twice["returned_credit_lines"] == [] and twice["all_matched"] is False
    assert [ln["reference"] for ln in twice["unmatched_credit_lines"]] == [kept["bank_ref"]]
    gone_twice = books.pay(books.approve(), "300.00", "2024-06-10")
    books.reverse(gone_twice)
    both = _import(api, head + f"2024-06-10,300.00,,{gone_twice['bank_ref']}\n"
                               f"2024-06-11,,300.00,{gone_twice['bank_ref']}\n2024-06-12,,300.00,{gone_twice['bank_ref']}\n")
    assert len(both["report"]["returned_credit_lines"]) == 1 and len(both["report"]["unmatched_credit_lines"]) == 1
    assert both["report"]["all_matched"] is False


def test_repayment_references_are_told_apart_as_payouts_are_case_aside(api, books):
    """A credit line `rec-…` missed the repayment `REC-…`, a memo `HT-5 rec-…` took `HT-5`, and `rec-…` could be
    booked beside `REC-…` for the same money and day (a regression probe). Case aside now, as for payouts."""
    recovery, one, two = _recovery(api, books), unique_id("REC-C-"), unique_id("REC-C-")
    _repay(api, recovery, "100.00", "2024-07-01", one)
    _repay(api, recovery, "200.00", "2024-07-01", two)
    twice = api.call("POST", f"/v1/recoveries/{recovery}/repayments",
                     {"amount": "100.00", "received_on": "2024-07-01", "bank_ref": one.lower()}, as_="finance")
    assert (twice.status_code, twice.json()["code"]) == (409, "conflict"), twice.text
    report = _import(api, CREDITS + f"2024-07-01,,100.00,{one.lower()}\n2024-07-01,,200.00,HT-5 {two.lower()}\n")
    matched = report["report"]["matched_credits"]
    assert [m["line"]["reference"] for m in matched] == [one.lower(), two.lower()], report["report"]
    assert report["report"]["unmatched_repayments"] == [] and report["report"]["all_matched"] is True


def test_a_memos_reference_recorded_after_the_import_is_matched_when_the_report_is_read(api, books):
    """A memo `合同HT-7 PAY-…` imported before the payout was recorded kept `HT-7`, and the report never matched
    the payout, though the README says a payout recorded later matches (a regression probe). The memo's references
    are kept with the line and chosen again whenever the report is read; money in alike."""
    claim, pay_ref, rec_ref = books.approve(), unique_id("PAY-LATE-"), unique_id("REC-LATE-")
    recovery = _recovery(api, books)
    answer = _import(api, "交易日期,借方发生额,贷方发生额,附言\n"
                          f"2024-07-20,500.00,,合同HT-7 {pay_ref}\n2024-07-21,,300.00,合同HT-8 {rec_ref}\n")
    assert [ln["reference"] for ln in answer["report"]["unmatched_bank_lines"]] == ["HT-7"]
    payout = books.pay(claim, "500.00", "2024-07-20", bank_ref=pay_ref)
    _repay(api, recovery, "300.00", "2024-07-21", rec_ref)
    report = api.ok("GET", f"/v1/finance/bank-statements/{answer['id']}", as_="finance")["report"]
    assert _ids(report["matched"]) == [[payout["id"]]] and report["unmatched_bank_lines"] == []
    assert [m["line"]["reference"] for m in report["matched_credits"]] == [rec_ref], report
    assert report["all_matched"] is True


def test_money_in_is_matched_to_the_repayments_that_add_up_and_on_its_own_day(api, books):
    """Lines of 15,000 then 5,000 against repayments of 5,000, 5,000 and 10,000 under one reference were a
    mismatch (only one repayment, or all of them, were tried); and a line of 1 August took the July repayment
    of the same amount, listing August's as not on the statement (a regression probe)."""
    one, two, ref = _recovery(api, books), _recovery(api, books), unique_id("REC-S-")
    for recovery, amount in ((one, "5000.00"), (two, "5000.00"), (one, "10000.00")):
        _repay(api, recovery, amount, "2024-07-15", ref)
    split = _import(api, CREDITS + f"2024-07-15,,15000.00,{ref}\n2024-07-15,,5000.00,{ref}\n")["report"]
    assert [len(m["repayments"]) for m in split["matched_credits"]] == [2, 1] and split["all_matched"] is True
    day = unique_id("REC-D-")
    _repay(api, one, "100.00", "2024-07-01", day)
    _repay(api, one, "100.00", "2024-08-01", day)
    august = _import(api, CREDITS + f"2024-08-01,,100.00,{day}\n")["report"]
    [matched] = august["matched_credits"]
    assert matched["repayments"][0]["received_on"] == "2024-08-01"
    assert [r["received_on"] for r in august["unmatched_repayments"]] == ["2024-07-01"]


def test_money_out_takes_a_payouts_reference_from_its_memo_never_a_repayments(api, books):
    """A debit's memo `退 REC-… 付 PAY-…` took the repayment's reference (a regression probe): a debit is matched
    to payouts only, so it takes the payout's."""
    recovery, rec_ref = _recovery(api, books), unique_id("REC-MM-")
    _repay(api, recovery, "10.00", "2024-07-01", rec_ref)
    payout = books.pay(books.approve(), "800.00", "2024-07-03")
    memo = f"退 {rec_ref} 付 {payout['bank_ref']}"
    report = _import(api, f"交易日期,借方发生额,贷方发生额,附言\n2024-07-03,800.00,,{memo}\n")
    assert _ids(report["report"]["matched"]) == [[payout["id"]]], report["report"]


def test_a_memo_is_read_for_its_first_eight_references_only(api, books):
    """A hostile-input probe's 3 MB statement of 2,000 memos of 200 reference-like words each grew the server to
    7 GB and wedged PostgreSQL's read models for good: each reference's shadow row carried a copy of all of them.
    A memo is now read for its first eight different references (`MEMO_REFERENCES`), each shadow row names its line
    only, and the payout's reference among those eight still matches, found again by a later statement."""
    within, beyond = books.pay(books.approve(), "700.00", "2024-09-02"), books.pay(books.approve(), "800.00",
                                                                                   "2024-09-02")
    noise = " ".join(f"HT-{n}-X" for n in range(40))
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    five = " ".join(f"HT-{n}-X" for n in range(5))
    eight = " ".join(f"HT-{n}-X" for n in range(8))
    text = (head + f"2024-09-02,700.00,,{five} {within['bank_ref']} {noise}\n"
            f"2024-09-02,800.00,,{eight} {beyond['bank_ref']}\n")
    report = _import(api, text)["report"]
    assert _ids(report["matched"]) == [[within["id"]]], report
    assert [ln["reference"] for ln in report["unmatched_bank_lines"]] == ["HT-0-X"], report
    assert [p["id"] for p in report["unmatched_payouts"]] == [beyond["id"]], report
    later = _import(api, text.replace("2024-09-02,700.00", "2024-09-03,700.00"))["report"]
    assert [r["line"]["reference"] for r in later["repeated_bank_lines"]] == [within["bank_ref"]], later


def test_two_files_whose_memos_differ_after_the_same_contract_number_are_two_statements(api, books):
    """The regression probe: memos `合同HT-2023-118 PAY-A` and `合同HT-2023-118 PAY-B` (same day, amount, counterparty)
    hashed alike, as a memo's first reference; the second file was answered `already_imported` with the first's
    report and its payout stayed unpaid. Every reference of a memo is part of the statement's content now; the same
    file sent again is still the same statement."""
    first, second = (books.pay(books.approve(), "600.00", "2024-09-10") for _ in range(2))
    head = "交易日期,借方发生额,贷方发生额,对方户名,附言\n"
    one = _import(api, head + f"2024-09-10,600.00,,杭州某公司,合同HT-2023-118 {first['bank_ref']}\n")
    two = _import(api, head + f"2024-09-10,600.00,,杭州某公司,合同HT-2023-118 {second['bank_ref']}\n")
    assert two.get("already_imported") is not True and two["id"] != one["id"], two
    assert _ids(two["report"]["matched"]) == [[second["id"]]], two["report"]
    again = _import(api, head + f"2024-09-10,600.00,,杭州某公司,合同HT-2023-118 {second['bank_ref']}\n")
    assert again["already_imported"] is True and again["id"] == two["id"]


def test_the_same_statement_sent_at_once_answers_every_sender_with_its_report(api, books):
    """A finance probe uploaded one statement eight times at once: one import (201), seven `already_imported`
    (200), and those often came with `report: null`, the first import saved but not yet shown by the read models.
    Each now waits for it as the first does: every answer carries the report, all matched."""
    from concurrent.futures import ThreadPoolExecutor

    for _ in range(3):
        payout = books.pay(books.approve(), "1000.00", "2024-07-02")
        text = f"date,amount,reference\n2024-07-02,1000.00,{payout['bank_ref']}\n"
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(_import, [api] * 8, [text] * 8))
        assert [a["already_imported"] for a in answers].count(False) == 1
        assert len({a["id"] for a in answers}) == 1
        assert [a["report"] and a["report"]["all_matched"] for a in answers] == [True] * 8


def test_a_json_statement_says_money_in_with_its_direction(api, books):
    """A finance probe: JSON lines had no way to say money in. A minus was refused "send the amount without its
    sign", and a repayment sent so became money out, an unmatched debit. A line now takes `direction` (debit, the
    default, or credit), as a bank's file says it; a signed amount is refused saying so, and writes nothing."""
    claim = books.approve()
    payout = books.pay(claim, "1000.00", "2024-07-02")
    revoked = api.ok("POST", f"/v1/claims/{claim['id']}/revoke", {"reason": "核查不实", "document_ref": "撤销-1"},
                     as_="kjj", status=200)
    back = unique_id("REC-")
    api.ok("POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments",
           {"amount": "400.00", "received_on": "2024-07-09", "bank_ref": back}, as_="finance")
    lines = [{"date": "2024-07-02", "amount": "1000.00", "reference": payout["bank_ref"]},
             {"date": "2024-07-09", "amount": "400.00", "reference": back, "direction": "credit"}]
    signed = [lines[0], {"date": "2024-07-09", "amount": "-400.00", "reference": back}]
    for language, words in (("en", '"direction": "credit"'), ("zh", "收入请填写")):
        refusal = api.refused("POST", "/v1/finance/bank-statements", {"lines": signed}, "finance", 422,
                              "invalid_amount", headers={"Accept-Language": language})
        assert words in refusal["detail"], refusal
    answer = api.ok("POST", "/v1/finance/bank-statements", {"lines": lines}, as_="finance")
    assert answer["already_imported"] is False  # the refused ones wrote nothing
    assert (answer["total"], answer["total_in"]) == ("1000.00", "400.00")
    report = answer["report"]
    assert (report["counts"]["matched"], report["counts"]["matched_credits"], report["all_matched"]) == (1, 1, True)


def test_one_credit_returns_one_debit_across_statements(api, books):
    """A regression probe: a payout the bank returned and finance reversed, its debit on two statements (paid out
    twice) and one credit (paid back once): each debit statement said `returned_payouts`, all matched, where
    2,000.00 went out and 1,000.00 came back. The credit returns the first debit only; the second statement's is
    `reversed_but_on_statement`. The same transaction shown again by an
    overlapping statement (same day) is the same money: returned on each."""
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    bounced = books.pay(books.approve(), "1000.00", "2024-07-02")
    books.reverse(bounced)
    ref = bounced["bank_ref"]
    first = _import(api, head + f"2024-07-02,1000.00,,{ref}\n")
    overlap = _import(api, head + f"2024-07-02,1000.00,,{ref}\n2024-07-03,0.01,,X-{ref}\n")
    second = _import(api, head + f"2024-07-05,1000.00,,{ref}\n")
    back = _import(api, head + f"2024-07-09,,1000.00,{ref}\n")
    assert _ids(back["report"]["returned_credit_lines"]) == [[bounced["id"]]]
    reports = {name: api.ok("GET", f"/v1/finance/bank-statements/{s['id']}", as_="finance")["report"]
               for name, s in (("first", first), ("overlap", overlap), ("second", second))}
    assert _ids(reports["first"]["returned_payouts"]) == [[bounced["id"]]] and reports["first"]["all_matched"]
    assert _ids(reports["overlap"]["returned_payouts"]) == [[bounced["id"]]]
    assert reports["second"]["returned_payouts"] == [] and reports["second"]["all_matched"] is False
    assert _ids(reports["second"]["reversed_but_on_statement"]) == [[bounced["id"]]]


def test_an_overlapping_statements_copy_of_a_return_is_the_same_money_back(api, books):
    """A finance probe: a returned payout's debit and its credit on one statement, then both again on an overlapping
    one: the debit's copy was returned as on the first, its credit's copy `unmatched_credit_lines` ("record it
    against its recovery", though there is none), so the second statement was not all matched. The copy is the
    same return; a second, different credit (another day) is still money nothing explains."""
    head = "交易日期,借方发生额,贷方发生额,附言\n"
    bounced = books.pay(books.approve(), "1000.00", "2024-07-02")
    books.reverse(bounced)
    ref = bounced["bank_ref"]
    both = f"2024-07-02,1000.00,,{ref}\n2024-07-09,,1000.00,{ref}\n"
    first = _import(api, head + both)["report"]
    assert first["all_matched"] and _ids(first["returned_credit_lines"]) == [[bounced["id"]]], first
    again = _import(api, head + both + f"2024-07-10,0.01,,X-{ref}\n")["report"]
    assert _ids(again["returned_credit_lines"]) == [[bounced["id"]]] and again["unmatched_credit_lines"] == [], again
    assert _ids(again["returned_payouts"]) == [[bounced["id"]]]
    twice = _import(api, head + f"2024-07-12,,1000.00,{ref}\n")["report"]
    assert [ln["reference"] for ln in twice["unmatched_credit_lines"]] == [ref] and not twice["all_matched"], twice


def test_a_return_or_a_second_payment_under_another_bank_serial_is_new_money(api, books):
    """A regression probe: with the bank's serial in 交易流水号, a second return credit of a returned payout (same day
    and amount, a new serial) on another statement was `returned_credit_lines`, all matched, and so was a second
    debit of it: each read as the first statement's overlap. Two serials are two transfers: the second credit is
    `unmatched_credit_lines`, the second debit `reversed_but_on_statement`; the same serials again are the same
    money, as an overlapping export shows them."""
    head = "交易日期,交易流水号,借方发生额,贷方发生额,附言\n"
    bounced = books.pay(books.approve(), "30000.00", "2024-07-02")
    books.reverse(bounced)
    ref = bounced["bank_ref"]
    both = f"2024-07-02,SN0001,30000.00,,{ref}\n2024-07-09,SN0002,,30000.00,退汇 {ref}\n"
    first = _import(api, head + both)["report"]
    assert first["all_matched"] and _ids(first["returned_credit_lines"]) == [[bounced["id"]]], first
    overlap = _import(api, head + both + f"2024-07-10,SN0009,0.01,,X-{ref}\n")["report"]
    assert _ids(overlap["returned_credit_lines"]) == [[bounced["id"]]], overlap
    assert _ids(overlap["returned_payouts"]) == [[bounced["id"]]] and overlap["unmatched_credit_lines"] == [], overlap
    # The same two without their serials (another export): new money on both sides, neither one returning the other
    # (a regression probe: the credit was unmatched, and yet returned the debit beside it, all but matched).
    plain = _import(api, "交易日期,借方发生额,贷方发生额,附言\n" + f"2024-07-02,30000.00,,{ref}\n"
                    f"2024-07-09,,30000.00,退汇 {ref}\n")["report"]
    assert plain["returned_payouts"] == [] and _ids(plain["reversed_but_on_statement"]) == [[bounced["id"]]], plain
    assert [ln["reference"] for ln in plain["unmatched_credit_lines"]] == [ref], plain
    credit = _import(api, head + f"2024-07-09,SN0003,,30000.00,退汇 {ref}\n")["report"]
    assert [ln["reference"] for ln in credit["unmatched_credit_lines"]] == [ref], credit
    assert credit["returned_credit_lines"] == [] and credit["all_matched"] is False, credit
    other = books.pay(books.approve(), "20000.00", "2024-07-03")
    books.reverse(other)
    paid = f"2024-07-03,SN0101,20000.00,,{other['bank_ref']}\n"
    assert _import(api, head + paid + f"2024-07-08,SN0102,,20000.00,{other['bank_ref']}\n")["report"]["all_matched"]
    assert _import(api, head + paid)["report"]["all_matched"]  # the same serial: an overlapping export
    debit = _import(api, head + f"2024-07-03,SN0203,20000.00,,{other['bank_ref']}\n")["report"]
    assert _ids(debit["reversed_but_on_statement"]) == [[other["id"]]], debit
    assert debit["returned_payouts"] == [] and debit["all_matched"] is False, debit
