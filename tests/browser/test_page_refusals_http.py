"""Pages over plain HTTP where a probe found the reader let down: a recoveries filter the list cannot apply is named
in a notice (not a 422 of validator internals), an unknown /ui/ address is a 404 page in the site's layout, the
certification, recovery and import pages name bureaus and tiers as the claim's page does, and refusal titles say
what was refused rather than what the reader did not do."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def recovery(client) -> dict:
    """kjj's ERC certification (municipal), its paid award revoked: an open recovery of 100,000.00 元."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    award = paid_erc_award(client)
    opened = _api(client, "POST", f"/v1/claims/{award['claim']}/revoke",
                  {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕18号"}, as_="kjj")
    return {"uscc": award["uscc"], "cert": award["cert"], "id": opened["recovery_id"]}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _title(page: str) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S)[1]).strip()


def _notice(page: str) -> str:
    return _text(re.search(r'data-testid="ignored-filters".*?</div>', page, re.S)[0])


def test_a_recoveries_filter_it_cannot_apply_is_named_in_a_notice(client, recovery):
    """A partial USCC or an unknown status leaves the list shown, the form as typed, and a notice in the reader's
    language naming the field and what to send; never the validator's internals or an empty list of choices."""
    _sign_in(client, "finance")
    partial = client.get("/ui/recoveries?uscc=9133010")
    assert partial.status_code == 200, partial.text
    assert 'name="uscc" value="9133010"' in partial.text  # kept as typed
    assert f'data-recovery="{recovery["id"]}"' in partial.text  # the list, unfiltered by what could not apply
    notice = _notice(partial.text)
    assert "统一社会信用代码“9133010”格式不正确" in notice and "应为 18 位" in notice
    both = client.get("/ui/recoveries?status=zzz&uscc=1")
    assert both.status_code == 200, both.text
    notice = _notice(both.text)
    assert "状态“zzz”不是可选的值，已忽略；请选择：open（追回中）、closed（已结案）、全部。" in notice
    assert "统一社会信用代码“1”格式不正确" in notice
    english = _notice(client.get("/ui/recoveries?status=zzz&uscc=1&lang=en").text)
    assert "Status “zzz” is not one of the choices and was ignored; choose one of: open, closed, all." in english
    assert "USCC “1” is malformed" in english
    for page in (partial.text, both.text):
        assert "function-after" not in page and "literal[" not in page and "、。" not in page


def test_an_unknown_page_is_a_404_page_in_the_sites_layout(client):
    """/ui/nope is an HTML 404 page in the reader's language, with the nav when signed in, linking home and not
    to /docs; /v1 keeps its problem+json 404; a page's path with another method or a trailing slash answers
    as before (405, a redirect)."""
    client.cookies.clear()
    signed_out = client.get("/ui/nope")
    assert signed_out.status_code == 404 and signed_out.headers["content-type"].startswith("text/html")
    assert _title(signed_out.text).startswith("404 页面不存在") and "/ui/nope" in _text(signed_out.text)
    assert '<a href="/ui/" data-back>返回首页</a>' in signed_out.text and "/docs" not in signed_out.text
    _sign_in(client, "finance")
    english = client.get("/ui/claims/x/nope?lang=en")
    assert english.status_code == 404 and _title(english.text).startswith("404 No such page")
    assert '<a href="/ui/recoveries">' in english.text and "Go to the home page" in english.text
    assert client.post("/ui/nope").status_code == 404
    api = client.get("/v1/nope", headers={"Authorization": f"Bearer {client.tokens['admin']}"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["code"] == "not_found"
    # A page's path sent another method, and a form's address opened (a refresh, a bookmark): a 405 page in the
    # reader's language naming what the address takes; it was the API's problem+json in English (a zh probe).
    client.cookies.pop("ledger_lang", None)
    posted = client.post("/ui/recoveries")
    assert posted.status_code == 405 and posted.headers["content-type"].startswith("text/html")
    assert "method_not_allowed" in posted.text and "是页面地址" in _text(posted.text) and posted.headers["allow"]
    client.cookies.pop("ledger_lang", None)
    for form in ("/ui/claims/00000000-0000-4000-8000-000000000000/approve", "/ui/finance/payouts", "/ui/sign-out"):
        opened = client.get(form)
        assert opened.status_code == 405 and opened.headers["content-type"].startswith("text/html"), form
        said = _text(opened.text)
        assert "是表单提交的地址" in said and "POST" in said and "Method Not Allowed" not in said, said
        assert "POST" in opened.headers["allow"] and '<a href="/ui/recoveries">' in opened.text
    english = client.get("/ui/finance/payouts?lang=en")
    assert "is where a form is sent; it takes POST, not GET" in _text(english.text)
    # The bulk confirmation's address (its GET was taken by /ui/claims/{id}: "'confirm' is not a claim id") and
    # OPTIONS on a page (the API's English JSON) are the same 405 page (a regression probe).
    client.cookies.pop("ledger_lang", None)
    for method, path, allow in (("GET", "/ui/claims/confirm", "POST"), ("OPTIONS", "/ui/recoveries", "GET, HEAD"),
                                ("DELETE", "/ui/claims/confirm", "POST"), ("HEAD", "/ui/claims/confirm", "POST")):
        opened = client.request(method, path)
        assert opened.status_code == 405 and opened.headers["content-type"].startswith("text/html"), (method, path)
        assert "不是申请编号" not in _text(opened.text) and opened.headers["allow"] == allow, (method, path, allow)
        assert method == "HEAD" or ("是表单提交的地址" in _text(opened.text)) == (allow == "POST"), (method, path)
    # HEAD is a GET without its body, on pages, the API and /healthz (it was 405 everywhere: a regression probe).
    for path in ("/healthz", "/ui/recoveries", "/ui/nope"):
        got, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (got.status_code, b""), path
        assert head.headers["content-type"] == got.headers["content-type"], path
    slashed = client.get("/ui/recoveries/?status=open", follow_redirects=False)
    assert slashed.status_code == 307 and slashed.headers["location"].endswith("/ui/recoveries?status=open")


def test_bureaus_and_tiers_by_name_on_the_certification_recovery_and_import_pages(client, recovery):
    """As on the claim's page: the lead bureau 区科技局 (not kjj), the tier 市级 (not `municipal 市级`); an
    import's refused line names bureaus by name on the page while the API's text keeps the codes."""
    csrf = _sign_in(client, "kjj")
    cert = client.get(f"/ui/certifications/{recovery['cert']}").text
    assert re.search(r'data-testid="lead-bureau"[^>]*>\s*区科技局\s*<', cert)
    assert re.search(r'data-testid="tier">\s*<span class="name" data-code="municipal">市级</span>\s*<', cert)
    assert "municipal" not in _text(cert)
    english = client.get(f"/ui/certifications/{recovery['cert']}?lang=en").text
    assert re.search(r'data-testid="lead-bureau"[^>]*>\s*Science and Technology Bureau\s*<', english)
    shown = client.get(f"/ui/recoveries/{recovery['id']}?lang=zh").text
    assert re.search(r'data-testid="lead-bureau"[^>]*>\s*区科技局\s*<', shown)
    listed = f"uscc,programme,tier,effective_on,document_ref,body_id\n{recovery['uscc']},A6.honour,,2023-03-01,文1号,\n"
    page = client.post("/ui/certifications/imports", data={"csrf": csrf},
                       files={"file": ("list.csv", listed.encode(), "text/csv")})
    refused = _text(re.search(r'data-testid="refused-lines".*?</table>', page.text, re.S)[0])
    assert "由区经信局（jxj）牵头" in refused and "kjj-ui 属于区科技局（kjj）" in refused and " jxj " not in refused
    # The same file again, one line recorded and one refused: the first result, and how to record the refused
    # line once fixed (an imports probe: it said only that the file was imported before).
    body = _api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("ERC-"), "name": "工程研究中心",
                                                          "kind": "erc", "lead_uscc": recovery["uscc"],
                                                          "recognised_on": "2022-09-06"})
    mixed = listed + f"{recovery['uscc']},A3.erc,municipal,2023-03-01,杭发改〔2023〕3号,{body['id']}\n"
    for status in (201, 200):
        again = client.post("/ui/certifications/imports", data={"csrf": csrf},
                            files={"file": ("list.csv", mixed.encode(), "text/csv")})
        assert again.status_code == status, _text(again.text)[:600]
    found = re.search(r'data-testid="already-imported".*?</p>', again.text, re.S)
    assert found, (again.status_code, _text(again.text)[:600])
    notice = _text(found[0])
    assert again.status_code == 200 and "只将这些行另存为新文件再导入" in notice, notice
    answer = client.post("/v1/certifications", headers={"Authorization": f"Bearer {client.tokens['kjj']}",
                                                        "Accept-Language": "zh"},
                         json={"uscc": recovery["uscc"], "programme": "A6.honour", "effective_on": "2023-03-01",
                               "document_ref": "文2号"})
    assert answer.status_code == 403 and "（jxj）牵头" in answer.json()["detail"]  # the bureau named, its code beside
    # No file chosen: said so, where it was "the CSV header lacks uscc, ..." (an imports probe); nothing imported.
    for files in ({}, {"file": ("", b"", "application/octet-stream")}):
        empty = client.post("/ui/certifications/imports", data={"csrf": csrf}, files=files or None)
        assert empty.status_code == 422 and "请先选择名单文件" in _text(empty.text), _text(empty.text)
        assert "表头缺少" not in _text(empty.text)
    # A file chosen that is empty is said to be empty, not "choose a file" (a regression probe).
    empty = client.post("/ui/certifications/imports", data={"csrf": csrf},
                        files={"file": ("名单.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "文件 '名单.csv' 是空的" in _text(empty.text), _text(empty.text)


def test_refusal_titles_say_what_was_refused(client, recovery):
    """Another bureau opening a recovery reads 非本计划牵头部门, not 无权审批 (it approved nothing); a bad
    `?as_of=` reads 请求内容有误, not 表单内容不完整 (there was no form); a repayment dated in the future reads
    表单内容有误 (the form was complete); the codes stay the API's."""
    _sign_in(client, "jxj")
    viewed = client.get(f"/ui/recoveries/{recovery['id']}")
    assert viewed.status_code == 403 and _title(viewed.text).startswith("403 非本计划牵头部门 ·")
    assert "无权审批" not in _title(viewed.text) and 'data-testid="problem-code">not_lead_bureau<' in viewed.text
    csrf = _sign_in(client, "finance")
    # (The finance page keeps itself for an as_of it cannot read: test_finance_pages_fixes.py.)
    for path in (f"/ui/organisations/{recovery['uscc']}?as_of=zzz",):
        bad = client.get(path + "&lang=zh")  # the language chosen sticks (a cookie): name it each time
        assert bad.status_code == 422 and _title(bad.text).startswith("422 请求内容有误 ·"), path
        assert 'data-testid="problem-code">invalid_request<' in bad.text
        assert _title(client.get(path + "&lang=en").text).startswith("422 The request could not be used ·")
    future = client.post(f"/ui/recoveries/{recovery['id']}/repayments?lang=zh", data={
        "csrf": csrf, "amount": "1000", "received_on": "2099-01-01", "bank_ref": unique_id("ICBC-"),
        "key": unique_id("k")})
    assert future.status_code == 422
    heading = _text(re.search(r'data-testid="form-refusal">\s*<h3>.*?</h3>', future.text, re.S)[0])
    assert "表单内容有误" in heading and "不完整" not in heading


@pytest.mark.parametrize(("lang", "said"), [("zh", "请求地址中含有控制字符 NUL"),
                                           ("en", "the address holds a NUL character")])
def test_a_page_address_refused_before_its_route_is_a_page_in_its_language(client, lang, said):
    """A NUL in a page's address (`/ui/organisations?q=%00`) was refused before the pages' routes, as problem+json
    in English (an input probe). It is the refusal page, in the page's language, with its status and code; the
    API's own refusal stays problem+json."""
    _sign_in(client, "finance")
    for path in ("/ui/organisations?q=%00", "/ui/finance/write?claim_id=%00"):
        page = client.get(f"{path}&lang={lang}")
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), page.text[:200]
        assert 'data-testid="refusal"' in page.text and "invalid_request" in page.text
        assert said in html.unescape(page.text)
    api = client.get("/v1/organisations?q=%00", headers={"Authorization": f"Bearer {client.tokens['finance']}"})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")


def test_a_list_uploaded_on_the_page_naming_a_key_twice_is_refused_as_the_api_refuses_it(client):
    """One validator for every door: the same JSON list is refused by the API (`invalid_request`, a key named twice)
    and was recorded from the page, with the second of the two tiers (an intake probe). Both refuse; nothing is
    written."""
    csrf = _sign_in(client, "jxj")
    uscc = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    raw = ('{"rows":[{"uscc":"' + uscc + '","programme":"A6.honour","tier":"little_giant","tier":"provincial_sme",'
           '"effective_on":"2023-03-01","document_ref":"DUPKEY"}]}').encode()
    ledger = client.app.state.ledger
    before = ledger.recorder.max_notification_id()
    api = client.post("/v1/certifications/imports", content=raw, headers={
        "Authorization": f"Bearer {client.tokens['jxj']}", "Content-Type": "application/json"})
    assert api.status_code == 422 and api.json()["code"] == "invalid_request", api.text
    page = client.post("/ui/certifications/imports", data={"csrf": csrf}, files={"file": ("名单.json", raw,
                                                                                        "application/json")})
    assert page.status_code == 422, _text(page.text)[:600]
    assert "两次出现键 'tier'" in _text(page.text), _text(page.text)[:600]
    assert ledger.recorder.max_notification_id() == before


def test_a_search_with_an_invisible_character_is_refused_as_the_api_refuses_it(client):
    """A regression probe: a real USCC with a zero-width space beside it answered "no organisation matches" on the
    search page, where GET /v1/organisations?q= names the character. The page checks `q` as the API does."""
    uscc = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    _sign_in(client, "kjj")
    for lang, said in (("zh", "U+200B"), ("en", "U+200B (ZERO WIDTH SPACE)")):
        page = client.get("/ui/organisations", params={"q": uscc + "\u200b", "lang": lang})
        assert page.status_code == 422 and said in _text(page.text), _text(page.text)[:600]
    assert client.get("/ui/organisations", params={"q": uscc}, follow_redirects=False).status_code == 303


def test_a_whole_code_that_matches_nothing_says_what_is_wrong_with_it(client):
    """A pages probe typed a real code with its check character wrong and read only "no organisation matches": the
    search says why it is no code (the character expected), in the page's language; a good code that is not in the
    ledger reads "no match" alone."""
    from ledger.domain.values import USCC_CHARS, uscc_check_character

    uscc = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    wrong = uscc[:17] + next(c for c in USCC_CHARS if c != uscc[17])
    _sign_in(client, "kjj")
    page = client.get("/ui/organisations", params={"q": wrong})
    said = _text(page.text.split('data-testid="not-a-code"')[1].split("</p>")[0])
    assert page.status_code == 200 and f"第 18 位应为 '{uscc[17]}'" in said, said
    unknown = "9133010800000" + "9999"
    unknown += uscc_check_character(unknown)
    assert 'data-testid="not-a-code"' not in client.get("/ui/organisations", params={"q": unknown}).text
