"""What a hostile probe sent, on both stores: an address with a NUL (a 500 on PostgreSQL), refusals listing
hundreds of thousands of faults (tens of megabytes, the event loop held for seconds), a number template left
unfilled."""
from __future__ import annotations

import json

import pytest


def test_an_address_with_a_nul_is_refused_before_any_store_sees_it(api):
    before = api.events()
    for path in ("/v1/finance/bank-statements/%00", "/v1/finance/bank-statements/a%00b",
                 "/v1/organisations?q=%00", "/ui/organisations?q=a%00"):
        answer = api.client.get(path, headers={"Authorization": f"Bearer {api.tokens['finance']}",
                                               "Accept-Language": "zh-CN"})
        if path.startswith("/ui/"):  # a page's refusal is a page, in the page's language (Chinese by default)
            assert answer.status_code == 422 and "invalid_request" in answer.text, (path, answer.text[:300])
            assert "NUL" in answer.text and "请" in answer.text
            continue
        assert answer.status_code == 422 and answer.json()["code"] == "invalid_request", (path, answer.text)
        assert "NUL" in answer.json()["detail"] and "请" in answer.json()["detail"]
    assert api.events() == before


def test_a_refusal_lists_the_first_hundred_faults_and_counts_them_all(api):
    """70,000 unknown keys: 422 listing 100 of them, `errors_total` 70,000, an answer of kilobytes."""
    body = {"uscc": "91330108MA2H0T5X61", "name": "杭州测试", "in_district": True,
            **{f"k{n}": 1 for n in range(70_000)}}
    answer = api.client.post("/v1/organisations", content=json.dumps(body).encode(), headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text[:300]
    problem = answer.json()
    assert len(problem["errors"]) == 100 and problem["errors_total"] == 70_000
    assert "69,900 more" in problem["detail"] and len(answer.content) < 100_000


def test_a_statement_of_faulty_lines_lists_a_thousand_and_counts_them_all(api):
    lines = "\n".join(f"20230230,1e3,乙公司,PAY-{n}" for n in range(5_000))
    header = "记账日期,交易金额,对方名称,用途\n"
    answer = api.client.post("/v1/finance/bank-statements", content=(header + lines).encode(),
                             headers={"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
    assert answer.status_code == 422, answer.text[:300]
    problem = answer.json()
    assert problem["code"] == "invalid_statement" and problem["refused_count"] == 5_000
    assert len(problem["refused_lines"]) == 1_000


def test_a_number_that_is_not_one_is_quoted_in_the_refusal(api):
    answer = api.client.get("/v1/claims?limit=abc", headers={"Authorization": f"Bearer {api.tokens['auditor']}",
                                                             "Accept-Language": "en"})
    assert answer.status_code == 422 and "(not 'abc')" in answer.json()["detail"], answer.text


def test_a_csv_statement_of_more_lines_than_a_json_one_may_hold_is_refused_alike(api):
    """100,001 lines: `statement_too_large`, as the same statement sent as JSON is (the CSV had no such bound)."""
    lines = "\n".join(f"20230701,-1.00,乙公司,PAY-{n}" for n in range(100_001))
    body = ("记账日期,交易金额,对方名称,用途\n" + lines).encode()
    answer = api.client.post("/v1/finance/bank-statements", content=body,
                             headers={"Authorization": f"Bearer {api.tokens['finance']}", "Content-Type": "text/csv"})
    assert answer.status_code == 422 and answer.json()["code"] == "statement_too_large", answer.text[:300]


def test_an_id_too_long_to_be_one_is_quoted_in_part(api):
    """`GET /v1/claims/<10,000 characters>` echoed the whole id in its 404 (an input probe); Idempotency-Keys were
    already cut to 80 characters. An id is cut likewise, in both languages."""
    long = "x" * 10_000
    for lang in ("en", "zh"):
        answer = api.client.get(f"/v1/claims/{long}", headers={"Authorization": f"Bearer {api.tokens['auditor']}",
                                                               "Accept-Language": lang})
        assert answer.status_code == 404, answer.text[:300]
        assert len(answer.json()["detail"]) < 300 and "x" * 80 + "'…" in answer.json()["detail"]


def test_a_body_id_in_full_width_is_refused_naming_its_plain_form(api):
    """`ｂｏｄｙ1` was registered beside `body1` as a second body (an input probe), and rule 13 awards a body once.
    A body id with full-width or other compatibility characters is refused, naming the id to write instead."""
    from tests.support import unique_id, unique_uscc

    lead = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": lead, "name": "杭州全角测试", "in_district": True})
    plain = unique_id("body")
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in plain)
    before = api.events()
    for lang, said in (("en", f"write it as {plain!r}"), ("zh", f"请写作 {plain!r}")):
        answer = api.call("POST", "/v1/innovation-bodies", {"id": wide, "name": "某联合体", "kind": "consortium",
                                                            "lead_uscc": lead, "recognised_on": "2022-10-01"},
                          headers={"Accept-Language": lang})
        assert answer.status_code == 422 and said in answer.json()["detail"], answer.text
    assert api.events() == before
    api.ok("POST", "/v1/innovation-bodies", {"id": plain, "name": "某联合体", "kind": "consortium", "lead_uscc": lead,
                                             "recognised_on": "2022-10-01"})


@pytest.mark.parametrize("odd", ["\u2010", "\u2011", "\u2013", "\u2212", "\u041d", "\u4e00"])
def test_a_look_alike_body_id_or_bank_reference_is_refused(api, odd):
    """A hostile-input probe: a payout under `HL‐PAY‐0001` (U+2010, an editor's dash for a typed "-"), an en dash,
    the minus sign or a Cyrillic `Н` was a new payout of one bank transfer beside `HL-PAY-0001` (five in all; a
    repayment four times), and the refusal of U+2011 named a U+2010 form that was then accepted; bodies `hb‐1` and
    `..` were registered. Each is refused invalid_request writing nothing, naming the plain form where there is one,
    in both languages; a Chinese reference is still taken."""
    from tests.support import unique_id, unique_uscc

    lead = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": lead, "name": "杭州形近测试", "in_district": True})
    plain = unique_id("HL-")
    written = plain.replace("-", odd) if odd != "\u041d" else odd + plain[1:]
    before = api.events()
    for lang in ("en", "zh"):
        for path, body in (("/v1/innovation-bodies", {"id": written, "name": "某联合体", "kind": "consortium",
                                                       "lead_uscc": lead, "recognised_on": "2022-10-01"}),
                           ("/v1/payouts", {"claim_id": "00000000-0000-4000-8000-000000000000", "amount": "10.00",
                                            "paid_on": "2024-07-01", "bank_ref": written})):
            answer = api.call("POST", path, body, "admin" if "bodies" in path else "finance",
                              headers={"Accept-Language": lang})
            assert answer.status_code == 422, answer.text
            detail = answer.json()["detail"]
            if odd != "\u041d":
                assert (f"write it as {plain!r}" if lang == "en" else f"请写作 {plain!r}") in detail, detail
            else:
                assert "CYRILLIC CAPITAL LETTER EN" in detail and ("ASCII" in detail or "半角" in detail), detail
    assert api.events() == before
    for bad in ("..", ".", "hb?x", "hb#1", "hb%2F1", "a/b"):
        api.refused("POST", "/v1/innovation-bodies", {"id": bad, "name": "某联合体", "kind": "consortium",
                                                      "lead_uscc": lead, "recognised_on": "2022-10-01"},
                    "admin", 422, "invalid_request")
    for unsuggested in ("DŽ-1", "A・1"):  # a plain form that would itself be refused is not suggested (a probe)
        problem = api.refused("POST", "/v1/payouts", {"claim_id": "00000000-0000-4000-8000-000000000000",
                                                      "amount": "10.00", "paid_on": "2024-07-01",
                                                      "bank_ref": unsuggested}, "finance", 422, "invalid_request")
        assert "write it as" not in problem["detail"] and "ASCII" in problem["detail"], problem
    api.ok("POST", "/v1/innovation-bodies", {"id": f"滨江二〇二四-{plain}", "name": "某联合体", "kind": "consortium",
                                             "lead_uscc": lead, "recognised_on": "2022-10-01"})


@pytest.mark.parametrize(("path", "name", "most"), [("/v1/organisations", "q", 200), ("/v1/claims", "cursor", 40),
                                                    ("/v1/organisations", "cursor", 27)])
def test_an_over_long_query_text_is_told_its_own_limit(api, path, name, most):
    """A hostile-input probe: `q` of 501 characters was told "send at most 500" (the text check's own bound, said
    first), and of 300, "at most 200". Past its limit, however far, a query parameter is told its own."""
    for sent in (most + 1, 501, 5_000):
        for lang in ("en", "zh"):
            answer = api.call("GET", f"{path}?{name}={'A' * sent}", None, "auditor", headers={"Accept-Language": lang})
            assert answer.status_code == 422, answer.text[:300]
            said = json.dumps(answer.json(), ensure_ascii=False)
            assert str(most) in said and "500" not in said.replace(f"{sent}", ""), said[:600]


def test_what_a_refusal_says_is_the_fault_that_was_sent(api):
    """A hostile-input probe's cosmetic four: a full-width as_of day was told "there is no such day"; a JSON number of
    4,300 digits, read as infinity, was quoted back as "Infinity", which was never sent; an unknown field beside
    `rows` was not named; a 5,000-character USCC in the path came back whole. Each says what was sent, in both
    languages, and nothing is written."""
    from tests.support import unique_uscc

    org = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": org, "name": "杭州措辞测试", "in_district": True})
    before = api.events()
    for lang in ("en", "zh"):
        headers = {"Accept-Language": lang}
        wide = api.call("GET", f"/v1/organisations/{org}/awards?as_of=２０２４-０１-０１", None, "auditor",
                        headers=headers)
        assert wide.status_code == 422 and "no such day" not in wide.text and "没有这一天" not in wide.text, wide.text
        assert "2024-01-01" in wide.text and ("full-width" in wide.text or "全角" in wide.text), wide.text
        huge = api.client.post("/v1/appropriations", content=b'{"year": 2024, "amount": ' + b"9" * 4300 + b'.5,'
                               b' "document_ref": "X"}', headers={**headers, "Content-Type": "application/json",
                                                                   "Authorization": f"Bearer {api.tokens['finance']}"})
        assert huge.status_code == 422 and ("too long" in huge.text or "过长" in huge.text), huge.text[:500]
        assert ("decimal string" if lang == "en" else "十进制数字字符串") in huge.text, huge.text[:500]
        extra = api.call("POST", "/v1/certifications/imports", {"rows": [], "foo": 1}, "kjj", headers=headers)
        assert extra.status_code == 422 and "'foo'" in extra.json()["detail"], extra.text
        long = api.call("GET", f"/v1/organisations/{'9' * 5000}", None, "auditor", headers=headers)
        assert long.status_code in (404, 422) and len(long.json()["detail"]) < 300, long.text[:300]
    assert api.events() == before
