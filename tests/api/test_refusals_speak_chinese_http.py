"""Refusals a black-box probe found in English under Accept-Language: zh, now read in Chinese: a role that may not
act (403), an unknown organisation (404), a cursor or a status the queue does not know (422), a method the path
does not take (405), a draft catalogue that does not validate, and a bank statement's refused lines. Under
Accept-Language: en each reads in English as before."""
from __future__ import annotations

import re

import pytest

from tests.sandbox.drafts import in_force
from tests.support import unique_uscc

HAN = re.compile(r"[\u4e00-\u9fff]")
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
EN = {"Accept-Language": "en"}
# An English sentence: three English words in a row, or the words a refusal's English is made of. Codes, field
# names, values, paths and headers (`next_cursor`, `proposed`, `Content-Type: application/toml`) are no sentence.
SENTENCE = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}\b"
                      r"|\b(is not|may not|must|send|expected|the|not in|one of|that needs)\b")
STATUSES = "proposed, pending, approved, rejected, withdrawn, revoked"


def _reads_chinese(detail: str) -> None:
    assert HAN.search(detail) and not SENTENCE.search(detail), detail


def _reads_english(detail: str) -> None:
    assert not HAN.search(detail) and SENTENCE.search(detail), detail


def _refusals() -> dict[str, tuple]:
    """Each refusal: how to make it (method, path, body, principal, status, code)."""
    return {
        "forbidden role": ("GET", "/v1/audit/verify", None, "kjj", 403, "forbidden"),
        "unknown organisation": ("GET", f"/v1/organisations/{unique_uscc()}/awards", None, "kjj", 404, "not_found"),
        "bad cursor": ("GET", "/v1/claims?cursor=abc", None, "kjj", 422, "invalid_request"),
        "unknown status": ("GET", "/v1/claims?status=bogus", None, "kjj", 422, "invalid_request"),
        "unknown bureau": ("GET", "/v1/claims?bureau=nasa", None, "kjj", 422, "invalid_request"),
        "wrong method": ("DELETE", "/v1/organisations", None, "admin", 405, "method_not_allowed"),
    }


@pytest.mark.parametrize("name", ["forbidden role", "unknown organisation", "bad cursor", "unknown status",
                                  "unknown bureau", "wrong method"])
def test_a_refusal_reads_in_the_readers_language(api, name) -> None:
    """The same refusal, its code and status unchanged: a Chinese sentence under zh, English under en."""
    method, path, body, as_, status, code = _refusals()[name]
    chinese = api.refused(method, path, body, as_, status, code, headers=ZH)
    _reads_chinese(chinese["detail"])
    assert HAN.search(chinese["title"])
    english = api.refused(method, path, body, as_, status, code, headers=EN)
    _reads_english(english["detail"])


def test_the_chinese_says_what_to_send_instead(api) -> None:
    """A few sentences word for word; the English of the same refusals is exactly as it was."""
    status = api.refused("GET", "/v1/claims?status=bogus", None, "kjj", 422, "invalid_request", headers=ZH)
    assert status["detail"] == ("status：bogus 不是可选的值；请改为以下之一（多个值以英文逗号分隔）："
                                "proposed（待确认）、pending（待审批）、approved（已批准）、rejected（已驳回）、"
                                "withdrawn（已撤回）、revoked（已撤销）")
    english = api.refused("GET", "/v1/claims?status=bogus", None, "kjj", 422, "invalid_request")
    assert english["detail"] == f"status: bogus is not one of {STATUSES}"
    cursor = api.refused("GET", "/v1/claims?cursor=abc", None, "kjj", 422, "invalid_request", headers=ZH)
    assert cursor["detail"] == "cursor：'abc' 不是本资源给出的翻页游标；请原样发送上一页返回的 next_cursor"
    role = api.refused("GET", "/v1/audit/verify", None, "kjj", 403, "forbidden", headers=ZH)
    assert role["detail"] == ("kjj-test（区级部门）无权核验审计事件链；此操作需要角色 审计 或 管理员，"
                              "请由具有该角色的账号办理")
    assert api.refused("GET", "/v1/audit/verify", None, "kjj", 403, "forbidden")["detail"] == \
        "kjj-test (bureau) may not verify the audit chain; that needs auditor or admin"
    method = api.refused("DELETE", "/v1/organisations", None, "admin", 405, "method_not_allowed", headers=ZH)
    assert method["detail"] == "/v1/organisations 不支持 DELETE 请求方法；请改用 GET、POST（见 /docs）"
    # The English names the methods too, and Allow all of them (it said "Method Not Allowed", Allow: POST only).
    english = api.call("DELETE", "/v1/organisations", None, "admin")
    assert english.json()["detail"] == "/v1/organisations does not take DELETE; use GET, POST (see /docs)"
    assert english.status_code == 405 and english.headers["allow"] == "GET, HEAD, POST"  # HEAD is served too


def _simulate(api, text: str, headers: dict[str, str]):
    return api.client.post("/v1/simulations", content=text.encode("utf-8"), headers={
        "Content-Type": "application/toml", "Authorization": f"Bearer {api.tokens['auditor']}", **headers})


@pytest.mark.parametrize(("path", "kind"), [("/v1/claims/nope", "申请"), ("/v1/certifications/nope", "认定"),
                                          ("/v1/recoveries/nope", "追回款项")])
def test_an_id_that_is_no_ledger_id_names_its_kind_in_chinese_too(api, path, kind) -> None:
    """"'nope' 不是台账编号" where the English said which kind of id (a zh probe): the Chinese names it too."""
    chinese = api.refused("GET", path, None, "admin", 404, "not_found", headers=ZH)
    assert chinese["detail"] == f"'nope' 不是台账{kind}编号；请核对{kind}编号", chinese


def test_a_draft_that_does_not_validate_is_refused_in_chinese(api) -> None:
    """The catalogue reader's own Chinese, after the line at fault; the field and line members unchanged."""
    text = in_force().replace('limit = "100000000.00"', "limit = 100000000.0", 1)
    line = text.splitlines().index("limit = 100000000.0") + 1
    chinese, english = _simulate(api, text, ZH).json(), _simulate(api, text, EN).json()
    assert (chinese["code"], chinese["field"], chinese["line"]) == ("invalid_catalogue", "pools[0].limit", line)
    assert chinese["detail"] == (f"政策目录草案第 {line} 行有误：pools[0].limit：应为用引号括起的十进制数字字符串，"
                                 '如 "500000.00"（不能写成浮点数），实际为 100000000.0；请修改后重新提交')
    _reads_chinese(chinese["detail"])
    assert (english["field"], english["line"]) == ("pools[0].limit", line)
    _reads_english(english["detail"])
    assert "decimal string" in english["detail"]
    # A misspelt field; a draft sent as JSON; TOML the parser refuses (its own English, quoted in a Chinese frame).
    typo = _simulate(api, in_force().replace("caps = [", "cap = [", 1), ZH).json()
    assert "不是此表的字段（是否应为 'caps'？）" in typo["detail"], typo
    _reads_chinese(typo["detail"])
    as_json = api.client.post("/v1/simulations", content=b"{}", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {api.tokens['auditor']}", **ZH}).json()
    assert as_json["code"] == "invalid_catalogue"
    _reads_chinese(as_json["detail"])
    syntax = _simulate(api, "[policy", ZH).json()
    assert syntax["line"] == 1
    # The parser's cause and place in Chinese: it quoted tomllib's English inside the Chinese (a zh probe).
    assert syntax["detail"].startswith("政策目录草案第 1 行有误：不是有效的 TOML（文件末尾：表头末尾应为 ']'）"), syntax
    _reads_chinese(syntax["detail"])
    key = _simulate(api, "a b = 1", ZH).json()
    assert "（第 1 行第 3 列：键之后应为 '='）" in key["detail"] and "Expected" not in key["detail"], key


def test_a_bank_statements_refused_lines_read_in_the_readers_language(api) -> None:
    """`refused_lines[].message`, in the refusal and in the answer that imports the good lines, is Chinese under
    zh and English under en, as the refusal's detail is."""
    raw = ("记账日期,交易金额,对方名称,用途\r\n20240703,\"-5.00\",甲公司,PAY-ZH-1\r\n"
           "20241301,\"-1.00\",乙公司,PAY-ZH-2\r\n").encode()

    def upload(headers: dict[str, str], query: str = ""):
        return api.client.post(f"/v1/finance/bank-statements{query}", files={"file": ("b.csv", raw, "text/csv")},
                               headers={"Authorization": f"Bearer {api.tokens['finance']}", **headers})

    chinese, english = upload(ZH).json(), upload(EN).json()
    assert chinese["code"] == english["code"] == "invalid_statement"
    assert chinese["refused_lines"][0]["line"] == english["refused_lines"][0]["line"] == 3
    # 2024-13-01 is written as a day the calendar has not: told so, not that its form is wrong (a finance probe).
    said = chinese["refused_lines"][0]["message"]
    assert said.startswith("第 3 行：日期 '20241301' 的写法正确，但没有这一天"), chinese
    _reads_chinese(chinese["refused_lines"][0]["message"])
    assert english["refused_lines"][0]["message"].startswith("line 3: date '20241301' is written as a day, but there"
                                                             " is no such day"), english
    assert set(chinese["refused_lines"][0]) == {"line", "code", "message"}
    # each line with its own stable code, as an official list's refused rows have one (carried from earlier stops)
    assert chinese["refused_lines"][0]["code"] == english["refused_lines"][0]["code"] == "invalid_request"  # a date
    taken = upload(ZH, "?import_good_lines=true")
    assert taken.status_code == 201, taken.text
    assert taken.json()["refused_lines"][0]["message"].startswith("第 3 行：")


def test_a_claims_status_is_named_in_chinese_not_by_its_code(api, world) -> None:
    """Deciding a decided claim, or paying one not approved, names its status as people do (已批准, 待审批)."""
    approved = world.approved(world.org())
    again = api.refused("POST", f"/v1/claims/{approved['id']}/approve", {}, "kjj", 409, "invalid_state", headers=ZH)
    assert "已是“已批准”状态" in again["detail"] and "approved" not in again["detail"], again
    pending = world.claim(world.org())
    unpaid = api.refused("POST", "/v1/payouts", {"claim_id": pending["id"], "amount": "1.00", "paid_on": "2023-08-01",
                                                 "bank_ref": "B-STATUS"}, "finance", 409, "invalid_state", headers=ZH)
    assert "状态为“待审批”" in unpaid["detail"] and "pending" not in unpaid["detail"], unpaid


def test_what_is_missing_a_closed_year_and_the_term_read_in_chinese(api) -> None:
    """An unknown claim is "没有申请 …" (not "没有 claim …"); a second close names Beijing time and the finance
    account; a year outside the term gives the term in Chinese (not "… to … inclusive")."""
    from ledger.domain import errors
    from ledger.principals import Principal, Role

    missing = api.refused("GET", "/v1/claims/00000000-0000-0000-0000-000000000000", None, "kjj", 404, "not_found",
                          headers=ZH)
    assert "台账中没有申请 00000000" in missing["detail"], missing
    stranger = unique_uscc()
    unregistered = api.refused("POST", "/v1/claims", {"uscc": stranger, "programme": "A5.voucher", "award_year": 2023,
                                                      "effective_on": "2023-06-01", "basis_amount": "1000.00"},
                               "kjj", 404, "not_found", headers=ZH)
    assert unregistered["detail"] == f"台账中没有单位 {stranger}（请先以 POST /v1/organisations 登记）；请核对编号"
    ledger, finance = api.client.app.state.ledger, Principal("finance-test", Role.FINANCE)
    ledger.close_year(finance, year=2023, reconciliation={}, digest={}, as_of="2024-01-01T00:00:00+00:00")
    with pytest.raises(errors.Conflict) as again:
        ledger.close_year(finance, year=2023, reconciliation={}, digest={}, as_of="2024-01-02T00:00:00+00:00")
    assert "2024-01-01 08:00:00 UTC+08:00" in again.value.zh and "财政账号 finance-test" in again.value.zh
    assert "2024-01-01 08:00:00 UTC+08:00" in again.value.detail
    with pytest.raises(errors.OutsidePolicyTerm) as outside:
        ledger.close_year(finance, year=2031, reconciliation={}, digest={}, as_of="2032-01-01T00:00:00+00:00")
    assert "至" in outside.value.zh and "inclusive" not in outside.value.zh
