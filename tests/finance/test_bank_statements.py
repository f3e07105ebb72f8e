"""Bank statements over HTTP: imported once, and matched against the payouts by reference and amount."""
from __future__ import annotations

from tests.support import unique_id


def _line(day, amount, reference, counterparty="杭州某某科技有限公司"):
    return {"date": day, "amount": amount, "reference": reference, "counterparty": counterparty}


def _refs(entries):
    return sorted(e["line"]["reference"] if isinstance(e.get("line"), dict) else e["reference"] for e in entries)


def _scenario(books):
    """Five payouts in July: one matched, one under a mismatched amount, one missing from the bank, one reversed
    yet on the statement, one paid outside the statement's period; and a bank line no payout explains."""
    claims = [books.approve() for _ in range(5)]
    matched = books.pay(claims[0], "100000.00", "2023-07-03")
    mismatched = books.pay(claims[1], "120000.00", "2023-07-04")
    missing = books.pay(claims[2], "90000.00", "2023-07-05")
    gone = books.pay(claims[3], "80000.00", "2023-07-06")
    books.reverse(gone)
    books.pay(claims[4], "70000.00", "2023-08-20")  # after the statement's last day: not its business
    stray = unique_id("ICBC-")
    lines = [_line("2023-07-03", "100000.00", matched["bank_ref"]),
             _line("2023-07-04", "12000.00", mismatched["bank_ref"]),
             _line("2023-07-06", "80000.00", gone["bank_ref"]),
             _line("2023-07-07", "5000.00", stray, "某某个人")]
    return {"matched": matched, "mismatched": mismatched, "missing": missing, "gone": gone, "stray": stray,
            "lines": lines}


def test_the_report_sorts_every_line_and_payout(api, books):
    """Matched, amount mismatch (both amounts), bank line with no payout, payout on no line, reversed but paid."""
    s = _scenario(books)
    answer = api.ok("POST", "/v1/finance/bank-statements", {"lines": s["lines"], "source": "icbc-2023-07.csv"},
                    as_="finance")
    assert answer["already_imported"] is False and answer["source"] == "icbc-2023-07.csv"
    assert answer["lines"] == 4 and answer["period"] == {"from": "2023-07-03", "to": "2023-07-07"}
    assert answer["total"] == "197000.00"
    r = answer["report"]
    assert [m["payouts"][0]["id"] for m in r["matched"]] == [s["matched"]["id"]]
    [mismatch] = r["amount_mismatches"]
    assert (mismatch["bank_amount"], mismatch["payout_amount"]) == ("12000.00", "120000.00")
    assert mismatch["payouts"][0]["id"] == s["mismatched"]["id"]
    assert [ln["reference"] for ln in r["unmatched_bank_lines"]] == [s["stray"]]
    assert [p["id"] for p in r["unmatched_payouts"]] == [s["missing"]["id"]]
    assert [m["payouts"][0]["id"] for m in r["reversed_but_on_statement"]] == [s["gone"]["id"]]
    assert r["counts"] == {"matched": 1, "amount_mismatches": 1, "unmatched_bank_lines": 1, "unmatched_payouts": 1,
                           "reversed_but_on_statement": 1, "repeated_bank_lines": 0, "matched_credits": 0,
                           "credit_amount_mismatches": 0,
                           "unmatched_credit_lines": 0, "unmatched_repayments": 0, "repeated_credit_lines": 0,
                           "returned_payouts": 0, "returned_credit_lines": 0, "returned_but_not_reversed": 0}
    assert r["all_matched"] is False


def test_importing_twice_writes_nothing_and_answers_the_same_report(api, books):
    """The same lines again are 200 `already_imported: true`, record no event, and carry the same report."""
    s = _scenario(books)
    first = api.ok("POST", "/v1/finance/bank-statements", {"lines": s["lines"]}, as_="finance")
    before = api.events()
    again = api.ok("POST", "/v1/finance/bank-statements", {"lines": list(reversed(s["lines"])), "source": "x.csv"},
                   as_="finance", status=200)
    assert api.events() == before
    assert again["already_imported"] is True and again["id"] == first["id"] and again["report"] == first["report"]
    assert {k: v for k, v in again.items() if k != "already_imported"} == \
        {k: v for k, v in first.items() if k != "already_imported"}
    fetched = api.ok("GET", f"/v1/finance/bank-statements/{first['id']}", as_="auditor")
    assert fetched["report"] == first["report"]


def test_a_csv_body_imports_and_everything_matched(api, books):
    """A text/csv body (BOM, thousands separators) whose every line matches a payout: `all_matched` is true."""
    claims = [books.approve(), books.approve()]
    paid = [books.pay(claims[0], "1234.56", "2023-09-01"), books.pay(claims[1], "250000.00", "2023-09-02")]
    text = ("\ufeffdate,amount,reference,counterparty\n"
            f"2023-09-01,1234.56,{paid[0]['bank_ref']},甲公司\n"
            f"2023-09-02,\"250,000.00\",{paid[1]['bank_ref']},乙公司\n")
    response = api.client.post("/v1/finance/bank-statements?source=sept.csv", content=text.encode("utf-8"), headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["source"] == "sept.csv" and answer["report"]["all_matched"] is True
    assert sorted(p["id"] for m in answer["report"]["matched"] for p in m["payouts"]) == sorted(p["id"] for p in paid)


def test_a_form_upload_imports_the_file_under_its_name(api, books):
    """A multipart upload in the field `file` imports the CSV, its file name recorded as the source."""
    payout = books.pay(books.approve(), "300000.00", "2023-11-01")
    text = f"date,amount,reference\n2023-11-01,300000.00,{payout['bank_ref']}\n"
    response = api.client.post("/v1/finance/bank-statements", files={"file": ("icbc-2023-11.csv", text, "text/csv")},
                               headers={"Authorization": f"Bearer {api.tokens['finance']}"})
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "icbc-2023-11.csv" and response.json()["report"]["all_matched"] is True
    empty = api.client.post("/v1/finance/bank-statements", data={"other": "x"}, files={"x": ("a", b"", "text/csv")},
                            headers={"Authorization": f"Bearer {api.tokens['finance']}"})
    assert empty.status_code == 422 and "file" in empty.json()["detail"]


def test_the_report_is_current_when_read_again(api, books):
    """A payout recorded after the import under a stray line's reference turns that line into a match on GET."""
    claim = books.approve()
    ref = unique_id("ICBC-")
    first = api.ok("POST", "/v1/finance/bank-statements", {"lines": [_line("2023-10-09", "300000.00", ref)]},
                   as_="finance")
    assert _refs(first["report"]["unmatched_bank_lines"]) == [ref]
    books.pay(claim, "300000.00", "2023-10-09", bank_ref=ref)
    now = api.ok("GET", f"/v1/finance/bank-statements/{first['id']}", as_="finance")
    assert now["report"]["all_matched"] is True and _refs(now["report"]["matched"]) == [ref]


def test_statement_refusals(api, world):
    """Bureaus may not import (403); a malformed CSV or JSON line is 422 naming it; an unknown id is 404."""
    body = {"lines": [_line("2023-07-01", "1.00", "R-1")]}
    api.refused("POST", "/v1/finance/bank-statements", body, "kjj", 403, "forbidden")
    api.refused("POST", "/v1/finance/bank-statements", {"lines": []}, "finance", 422, "invalid_request")
    api.refused("POST", "/v1/finance/bank-statements", {"lines": [_line("2023-07-01", 1.5, "R")]}, "finance", 422,
                "invalid_amount")
    before = api.events()
    response = api.client.post("/v1/finance/bank-statements", content=b"date,amount\n2023-07-01,5\n", headers={
        "Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
    assert response.status_code == 422 and "reference" in response.json()["detail"]
    assert api.events() == before
    api.refused("GET", "/v1/finance/bank-statements/nope", None, "finance", 404, "not_found")
    api.refused("GET", "/v1/finance/bank-statements/nope", None, "kjj", 403, "forbidden")
