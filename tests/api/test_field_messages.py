"""A malformed request's refusal reads wholly in the reader's language: `detail` and each `errors[].message`
say what the field must be and what to send instead, in Chinese for zh and in English otherwise."""
from __future__ import annotations

import re
from typing import Any

import pytest

from api import field_messages
from tests.support import unique_uscc

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# What pydantic's own English (and ours) says: none of it may reach a Chinese reader.
ENGLISH = re.compile(r"\b(should|must|Input|Field required|Extra inputs|valid|is not|send|characters|amount|"
                     r"date|text|number|required|allowed|permitted|the|or)\b")
VALID_USCC = "91330108MA2H0T5X61"
CLAIM = "00000000-0000-4000-8000-000000000000"
# (method, path, principal, body): bodies that between them raise every kind of field error our request
# models can: missing, wrong JSON types, bounds, patterns, choices, our own money, USCC, text and day checks.
BAD: list[tuple[str, str, str, Any]] = [
    ("POST", "/v1/claims", "kjj", {"uscc": "x", "programme": "A5.voucher", "award_year": "abc",
                                   "effective_on": "2023-13-01", "basis_amount": 1.5}),
    ("POST", "/v1/claims", "kjj", {"uscc": 5, "programme": "", "award_year": 1.5, "rank": 2000, "effective_on": 5,
                                   "basis_amount": "abc", "requested_amount": "0.001", "subject": "   "}),
    ("POST", "/v1/claims", "kjj", {"uscc": "91330108MA2H0T5X6Y", "programme": "a/b", "award_year": 1800,
                                   "effective_on": "1999-01-01", "rank": 0, "tier": "x" * 101, "nope": 1,
                                   "document_ref": "a\u0000b", "basis_amount": 10**16, "body_id": ["x"]}),
    ("POST", "/v1/claims", "kjj", {"uscc": "91330108MA2H0T5XIO", "programme": "A5.voucher", "award_year": 2023,
                                   "effective_on": "2023-06-01", "basis_amount": "-5", "rank": "1",
                                   "requested_amount": "1" * 30, "certification_id": "x" * 101}),
    ("POST", "/v1/claims", "kjj", [1, 2]),
    ("POST", "/v1/organisations", "admin", {"uscc": 5, "name": [], "in_district": "yes"}),
    ("POST", "/v1/organisations", "admin", {"uscc": VALID_USCC, "name": "x" * 600, "in_district": 1}),
    ("POST", f"/v1/organisations/{VALID_USCC}/district-changes", "admin",
     {"in_district": None, "effective_on": "2023-02-30T00:00:00", "reason": "", "document_ref": {}}),
    ("POST", "/v1/certifications", "kjj", {"uscc": VALID_USCC, "programme": "A3.erc", "tier": 5,
                                           "effective_on": "2023-06-01T00:00", "document_ref": None,
                                           "body_id": "a b"}),
    ("POST", "/v1/payouts", "finance", {"claim_id": "x" * 101, "amount": 1.5, "paid_on": 1688342400,
                                        "bank_ref": True}),
    ("POST", "/v1/appropriations", "finance", {"year": "2023", "amount": [1], "document_ref": {}}),
    ("POST", "/v1/appropriations", "finance", {"year": 3000, "amount": "1e5", "document_ref": "x"}),
    ("POST", "/v1/innovation-bodies", "admin", {"id": "a/b", "name": "x", "kind": "", "lead_uscc": "",
                                               "recognised_on": "2023/01/01"}),
    ("POST", "/v1/finance/bank-statements", "finance", {"lines": []}),
    ("POST", "/v1/finance/bank-statements", "finance", {"lines": [{"date": "2023-07-03T00:00:00+08:00",
                                                                  "amount": "1,000", "reference": "",
                                                                  "counterparty": 5}], "source": 1}),
    ("POST", f"/v1/claims/{CLAIM}/approve", "kjj", {"amount": "abc", "note": "x" * 600, "extra": True}),
    ("GET", "/v1/finance/reconciliation?year=abc", "finance", None),
    ("GET", "/v1/finance/reconciliation?year=1800", "finance", None),
    ("GET", "/v1/finance/reconciliation", "finance", None),
    ("GET", f"/v1/organisations/{VALID_USCC}/awards?as_of=0001-01-01T00:00:00%2B14:00", "auditor", None),
    ("GET", f"/v1/organisations/{VALID_USCC}/awards?as_of=yesterday", "auditor", None),
    ("GET", "/v1/audit/events?limit=0&after=-1", "auditor", None),
    ("GET", "/v1/appropriations/1800", "finance", None),
]


def _without_own_words(text: str, problem: dict[str, Any]) -> str:
    """The text less what a reader sent or the contract names: quoted input, field names, example values."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)
    for name in {e["field"] for e in problem["errors"]} | {"application/json", "Content-Type", "YYYY-MM-DD",
                                                            "RFC 3339", "UTF-8", "JSON", "UUID", "/docs",
                                                            "true", "false", "null", "GB 32100-2015"}:
        text = text.replace(name, "")
    return text


@pytest.mark.parametrize(("method", "path", "as_", "body"), BAD)
def test_every_field_error_reads_in_the_readers_language(api, method, path, as_, body) -> None:
    """Chinese for zh: detail and every message hold Han and none of pydantic's (or our) English; English
    otherwise, with no Chinese; the same fields, locations and codes either way, and nothing written."""
    english = api.call(method, path, body, as_)
    assert english.status_code == 422, english.text
    code = english.json()["code"]
    chinese = api.refused(method, path, body, as_, 422, code, headers=ZH)
    english = english.json()
    assert [(e["field"], e["location"], e["code"]) for e in english["errors"]] == \
        [(e["field"], e["location"], e["code"]) for e in chinese["errors"]]
    for text in (english["detail"], *(e["message"] for e in english["errors"])):
        assert not CJK.search(text), text
    for text in (chinese["detail"], *(e["message"] for e in chinese["errors"])):
        assert CJK.search(text), text
        left = _without_own_words(text, chinese)
        assert not ENGLISH.search(left), (text, ENGLISH.search(left))
        assert not re.search(r"[A-Za-z]{4,}", left), text
    for e in english["errors"]:
        assert set(e) == {"field", "location", "message", "code"}
        assert "Input should" not in e["message"] and "Field required" not in e["message"]


def test_a_malformed_claim_reads_in_chinese_word_for_word(api) -> None:
    """The brief's example: every field in Chinese, saying what to send."""
    body = {"uscc": "x", "programme": "A5.voucher", "award_year": "abc", "effective_on": "2023-13-01",
            "basis_amount": 1.5}
    problem = api.refused("POST", "/v1/claims", body, "kjj", 422, "invalid_uscc", headers=ZH)
    assert problem["detail"] == (
        "uscc：统一社会信用代码 'X' 应为 18 位（GB 32100-2015）；"
        "award_year：应为整数，例如 2023（JSON 整数，不加引号）；"
        "effective_on：日期 '2023-13-01' 格式正确，但日历上没有这一天（请核对月份和日期）；"
        'basis_amount：金额 1.5 应为十进制数字字符串，例如 "300000.00"，不能是浮点数')
    assert [e["message"] for e in problem["errors"]][:2] == [
        "统一社会信用代码 'X' 应为 18 位（GB 32100-2015）", "应为整数，例如 2023（JSON 整数，不加引号）"]
    assert [e["code"] for e in problem["errors"]] == ["invalid_uscc", "invalid_request", "invalid_request",
                                                      "invalid_amount"]


def test_pydantic_own_errors_say_what_to_send(api) -> None:
    """A bound, a length, a choice, a missing and an extra field: worded with the constraint, both languages."""
    org = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": org, "name": "杭州甲公司", "in_district": True})
    body = {"uscc": org, "programme": "A5.voucher", "award_year": 2023, "rank": 0, "tier": "x" * 101, "nope": 1}
    en = {e["field"]: e["message"] for e in api.refused("POST", "/v1/claims", body, "kjj", 422,
                                                         "invalid_request")["errors"]}
    zh = {e["field"]: e["message"] for e in api.refused("POST", "/v1/claims", body, "kjj", 422,
                                                         "invalid_request", headers=ZH)["errors"]}
    assert en["rank"] == "must be 1 or more" and zh["rank"] == "应不小于 1"
    assert en["tier"] == "must be at most 100 characters; shorten it" and zh["tier"] == "不超过 100 个字符；请缩短"
    assert en["effective_on"] == "is required in the body" and zh["effective_on"] == "请求体中必须提供此项"
    assert zh["nope"] == "不是此请求的字段；请删除（此请求的字段见 /docs）"
    assert en["nope"].startswith("is not a field of this request")


def test_a_query_text_over_its_length_is_told_in_characters(api) -> None:
    """`?q=` and `?cursor=` over their lengths read "at most 200 items" / "最多 200 项" (a hostile-input probe): a
    text's length is said in characters, with what to do, as a body's is."""
    for path, most in (("/v1/organisations?q=" + "a" * 201, 200), ("/v1/claims?cursor=" + "1" * 41, 40)):
        en = api.refused("GET", path, None, "auditor", 422, "invalid_request")["detail"]
        zh = api.refused("GET", path, None, "auditor", 422, "invalid_request", headers=ZH)["detail"]
        assert f"at most {most} characters; shorten it" in en and f"不超过 {most} 个字符；请缩短" in zh, (en, zh)
        assert "items" not in en and "项" not in zh


def test_choices_and_unknown_types_are_worded() -> None:
    """A literal's choices listed in either language; a type no table knows still points to /docs, in Chinese
    without pydantic's English."""
    literal = {"type": "literal_error", "loc": ("query", "status"), "msg": "Input should be 'open' or 'closed'",
               "ctx": {"expected": "'open' or 'closed'"}}
    assert field_messages.words(literal) == ("must be one of open, closed", "应为以下之一：open、closed")
    unknown = {"type": "url_parsing", "loc": ("body", "site"), "msg": "Input should be a valid URL"}
    english, chinese = field_messages.words(unknown)
    assert "/docs" in english and "/docs" in chinese and "Input" not in chinese
    assert field_messages.in_language(unknown, "zh") == "site：取值无效；请对照 /docs 检查此字段"


def test_a_form_refusal_uses_the_same_words() -> None:
    """A model validated outside a request (a form, a list row): its field path is the whole loc."""
    error = {"type": "int_parsing", "loc": ("year",), "msg": "Input should be a valid integer"}
    assert field_messages.in_language(error, "en") == "year: must be a whole number such as 2023"
    assert field_messages.in_language(error, "zh") == "year：应为整数，例如 2023"


def test_an_unknown_key_is_quoted_back_cut_as_a_value_is(api) -> None:
    """A 900 KB unknown key came back whole in `detail` and `errors[].field`, a 1.8 MB refusal (a hostile-input
    probe): it is cut to 80 characters, as every sent value is."""
    body = {"uscc": unique_uscc(), "name": "杭州甲公司", "in_district": True, "k" * 900_000: 1}
    response = api.call("POST", "/v1/organisations", body)
    problem = response.json()
    assert response.status_code == 422 and len(response.content) < 2_000, len(response.content)
    [error] = problem["errors"]
    assert error["field"] == "k" * 79 + "…" and "is not a field of this request" in error["message"]
