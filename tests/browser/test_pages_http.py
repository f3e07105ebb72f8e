"""The pages over plain HTTP (no browser): cookies, CSRF, redirects, refusals as pages, amounts."""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.web.amounts import wan, yuan
from tests.browser.conftest import api, page_client
from tests.projections.tables import query
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _csrf(client: TestClient, path: str = "/ui/sign-in") -> str:
    page = client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def _signed_in(client: TestClient, who: str = "kjj") -> None:
    answer = client.post("/ui/sign-in", data={"csrf": _csrf(client), "token": client.tokens[who], "next": "/ui/"},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text


def test_amounts_read_in_yuan_and_wan():
    """元 with thousands separators and two places; catalogue amounts in 万元 as the policy writes them."""
    assert yuan("1234567.5") == "1,234,567.50 元" and yuan(None) == "—"
    assert (wan("1000000.00"), wan(500000), wan(25000), wan("300000000")) == ("100 万元", "50 万元", "2.5 万元",
                                                                               "30,000 万元")


def _session_cookie(answer) -> str:
    return next(c for c in answer.headers.get_list("set-cookie") if c.startswith("ledger_session="))


def test_session_cookie_is_httponly_and_samesite_strict(client):
    """Signing in keeps a session id in an HttpOnly, SameSite=Strict cookie scoped to /ui; a bad token is 401."""
    csrf = _csrf(client)
    refused = client.post("/ui/sign-in", data={"csrf": csrf, "token": "nope"}, follow_redirects=False)
    assert refused.status_code == 401 and "ledger_session" not in refused.headers.get("set-cookie", "")
    answer = client.post("/ui/sign-in", data={"csrf": csrf, "token": client.tokens["kjj"]}, follow_redirects=False)
    cookie = _session_cookie(answer)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Path=/ui" in cookie
    assert "Max-Age=" in cookie


def test_the_session_cookie_holds_no_token_and_sign_out_revokes_it(client):
    """The cookie is a random id, not the API token nor its hash; after sign-out that same cookie signs no one in."""
    _signed_in(client)
    session = client.cookies.get("ledger_session", path="/ui")
    token = client.tokens["kjj"]
    assert session and token not in session and hashlib.sha256(token.encode()).hexdigest() not in session
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    csrf = _csrf(client, "/ui/")
    out = client.post("/ui/sign-out", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("ledger_session", session, path="/ui")  # a copy kept from before the sign-out
    again = client.get("/ui/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/ui/sign-in")


def test_an_expired_session_is_refused(client, database_url):
    """A session past its expiry signs no one in: the page sends the browser to sign in again."""
    _signed_in(client)
    assert client.get("/ui/", follow_redirects=False).status_code == 200
    query(database_url, "UPDATE ui_sessions SET expires_at = %s", (time.time() - 1,))
    answer = client.get("/ui/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/sign-in")


def _pending_claim(client: TestClient) -> str:
    """A pending voucher claim of kjj's, its organisation leading a consortium (as conftest's `world`)."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技{uscc[-4:]}", "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "滨江某联合体",
                                                  "kind": "consortium", "lead_uscc": uscc,
                                                  "recognised_on": "2022-10-01"})
    return api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                              "effective_on": "2023-06-01", "basis_amount": "1000000.00"},
               as_="kjj")["id"]


def _sent_to_sign_in(answer) -> dict[str, str]:
    assert answer.status_code == 303, answer.text
    where = urlsplit(answer.headers["location"])
    assert where.path == "/ui/sign-in", answer.headers["location"]
    return {name: values[-1] for name, values in parse_qs(where.query).items()}


def test_a_form_sent_after_the_session_expired_signs_in_back_to_its_page_saying_nothing_was_recorded(
        client, database_url):
    """A clerk's probe: the session expired while a rejection was typed; 驳回 sent the browser to sign in with
    `next` the form's address, which takes no GET, so signing in again landed on the 405 page, and the sign-in page
    said nothing of the expiry. `next` is now the page the form was sent from (its Referer, else the page the
    form's address lies under, by the app's routes; the bulk confirmation's is the queue), and the sign-in page
    says, in the page's language, that the session expired and the form was not recorded, without taking
    `expired` for a parameter it does not read. Nothing is written."""
    claim = _pending_claim(client)
    _signed_in(client)
    csrf = _csrf(client, f"/ui/claims/{claim}")
    query(database_url, "UPDATE ui_sessions SET expires_at = %s", (time.time() - 1,))
    form = {"csrf": csrf, "reason": "材料不全，不予受理", "key": unique_id("k-")}
    sent = [(f"/ui/claims/{claim}/reject", {}, f"/ui/claims/{claim}"),
            (f"/ui/claims/{claim}/reject", {"Referer": f"http://testserver/ui/claims/{claim}?lang=en"},
             f"/ui/claims/{claim}?lang=en"),
            (f"/ui/claims/{claim}/reject", {"Referer": f"http://testserver/ui/claims/{claim}/approve"},
             f"/ui/claims/{claim}"),  # sent again from a refused form's page: no page, placed by its address
            (f"/ui/claims/{claim}/reject", {"Referer": f"https://evil.example/ui/claims/{claim}?x=1"},
             f"/ui/claims/{claim}"),
            ("/ui/claims/confirm", {}, "/ui/"), ("/ui/finance/statements/preview", {}, "/ui/finance"),
            ("/ui/certifications/new", {}, "/ui/certifications/new")]
    for path, headers, page in sent:
        said = _sent_to_sign_in(client.post(path, data=form, headers=headers, follow_redirects=False))
        assert said == {"next": page, "expired": "form"}, (path, headers, said)
    assert api(client, "GET", f"/v1/claims/{claim}", as_="kjj")["status"] == "pending"
    location = client.post(f"/ui/claims/{claim}/reject", data=form, follow_redirects=False).headers["location"]
    signing = client.get(location + "&lang=zh")
    assert signing.status_code == 200 and 'data-testid="session-expired"' in signing.text, signing.text
    assert "登录已过期" in signing.text and "表单未记录" in signing.text and "重新填写并提交" in signing.text
    assert 'data-testid="unread-params"' not in signing.text, signing.text
    english = client.get(location + "&lang=en").text
    assert "Your session has expired" in english and "was not recorded" in english, english
    # A mistyped token keeps the notice; the right one leads to the claim's page, not the form's address (405).
    csrf = re.search(r'name="csrf" value="([^"]+)"', signing.text).group(1)
    again = {"csrf": csrf, "next": f"/ui/claims/{claim}", "expired": "form"}
    mistyped = client.post("/ui/sign-in?lang=zh", data=again | {"token": "nope"}, follow_redirects=False)
    assert mistyped.status_code == 401 and "表单未记录" in mistyped.text, mistyped.text
    signed = client.post("/ui/sign-in", data=again | {"token": client.tokens["kjj"]}, follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == f"/ui/claims/{claim}", signed.headers
    landed = client.get(signed.headers["location"])
    assert landed.status_code == 200 and 'data-testid="reject-form"' in landed.text, landed.text
    assert api(client, "GET", f"/v1/claims/{claim}", as_="kjj")["status"] == "pending"


def test_a_page_opened_after_the_session_expired_says_so_and_one_never_signed_in_is_not_told(client, database_url):
    """A page's GET with a session cookie that signs no one in any more comes back to it after signing in, the
    sign-in page saying the session expired (and nothing of a form); a browser that never signed in is sent to sign
    in with no such word."""
    never = client.get("/ui/recoveries?status=open", follow_redirects=False)
    assert _sent_to_sign_in(never) == {"next": "/ui/recoveries?status=open"}
    assert "登录已过期" not in client.get(never.headers["location"]).text
    _signed_in(client)
    query(database_url, "UPDATE ui_sessions SET expires_at = %s", (time.time() - 1,))
    answer = client.get("/ui/recoveries?status=open", follow_redirects=False)
    assert _sent_to_sign_in(answer) == {"next": "/ui/recoveries?status=open", "expired": "page"}
    signing = client.get(answer.headers["location"]).text
    assert "登录已过期" in signing and "表单未记录" not in signing and 'data-testid="unread-params"' not in signing


def test_secure_comes_from_the_setting_never_from_a_forwarded_header(database_url, tmp_path):
    """LEDGER_COOKIE_SECURE=false: no Secure even with X-Forwarded-Proto: https; true: Secure."""
    token = unique_id("tok-")
    auth = tmp_path / "principals.json"
    auth.write_text(json.dumps({"principals": [{"name": "kjj-ui", "role": "bureau", "bureau": "kjj",
                                                "token_sha256": hashlib.sha256(token.encode()).hexdigest()}]}))
    for secure in (False, True):
        app = create_app(Settings(database_url=database_url, auth_file=auth, cookie_secure=secure))
        # A Secure cookie comes back only over HTTPS: the client speaks it when the cookies are Secure.
        with TestClient(app, base_url="https://testserver" if secure else "http://testserver") as c:
            csrf = _csrf(c)
            answer = c.post("/ui/sign-in", data={"csrf": csrf, "token": token}, follow_redirects=False,
                            headers={"X-Forwarded-Proto": "https"})
            assert ("Secure" in _session_cookie(answer)) is secure
            # Every cookie the pages set, the language's too (it was never Secure: an operator probe).
            chosen = c.get("/ui/sign-in?lang=en", headers={"X-Forwarded-Proto": "https"})
            cookies = chosen.headers.get_list("set-cookie")
            assert any(x.startswith("ledger_lang=") for x in cookies), cookies
            assert all(("; secure" in x.lower()) is secure for x in cookies), cookies


def test_forms_without_the_csrf_token_are_refused(client):
    """A POST whose CSRF field does not match the browser's cookie is a 403 page and signs nobody in."""
    _csrf(client)
    answer = client.post("/ui/sign-in", data={"csrf": "forged", "token": client.tokens["kjj"]},
                         follow_redirects=False)
    assert answer.status_code == 403 and "csrf" in answer.text
    assert "ledger_session" not in answer.headers.get("set-cookie", "")


def test_pages_need_a_session_and_never_redirect_off_site(client):
    """No session redirects to sign-in with the page to come back to; `next` may only name a page of /ui."""
    answer = client.get("/ui/organisations?q=x", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/sign-in?next=/ui/organisations%3Fq%3Dx"
    answer = client.post("/ui/sign-in", data={"csrf": _csrf(client), "token": client.tokens["kjj"],
                                              "next": "//evil.example/"}, follow_redirects=False)
    assert answer.headers["location"] == "/ui/"


def test_refusals_are_pages_with_the_api_status(client):
    """A bad USCC is 422 `invalid_uscc`, an unknown one 404, a wrong role 403, a bad amount 422 — as HTML."""
    _signed_in(client)
    bad = client.get("/ui/organisations/91330108MA0000000X")
    assert bad.status_code == 422 and "invalid_uscc" in bad.text and bad.headers["content-type"].startswith("text/html")
    assert client.get(f"/ui/organisations/{unique_uscc()}").status_code == 404
    assert client.get("/ui/audit").status_code == 403
    headers = {"Authorization": f"Bearer {client.tokens['admin']}"}
    org = unique_uscc()
    client.post("/v1/organisations", json={"uscc": org, "name": "测试企业", "in_district": True}, headers=headers)
    client.post("/v1/innovation-bodies", json={"id": unique_id("C-"), "name": "联合体", "kind": "consortium",
                                               "lead_uscc": org, "recognised_on": "2022-10-01"}, headers=headers)
    claim = client.post("/v1/claims", json={"uscc": org, "programme": "A5.voucher", "award_year": 2023,
                                            "effective_on": "2023-06-01", "basis_amount": "100000.00"},
                        headers={"Authorization": f"Bearer {client.tokens['kjj']}"}).json()
    csrf = _csrf(client, f"/ui/claims/{claim['id']}")
    answer = client.post(f"/ui/claims/{claim['id']}/approve", data={"csrf": csrf, "amount": "1.234"})
    assert answer.status_code == 422 and "invalid_amount" in answer.text
    answer = client.post(f"/ui/claims/{claim['id']}/approve", data={"csrf": csrf})
    assert answer.status_code == 409 and "fund_exhausted" in answer.text  # no appropriation for 2023
    # The form's fields pass the API's own checks: its key the header's limits, its text the one text check.
    answer = client.post(f"/ui/claims/{claim['id']}/reject", data={"csrf": csrf, "reason": "x", "key": "k" * 100_000})
    assert answer.status_code == 422 and "invalid_request" in answer.text
    answer = client.post(f"/ui/claims/{claim['id']}/reject", data={"csrf": csrf, "reason": "合同\x00未登记"})
    assert answer.status_code == 422 and "U+0000" in answer.text
    answer = client.post(f"/ui/claims/{claim['id']}/reject", data={"csrf": csrf, "reason": "合同未登记"})
    assert answer.status_code == 200 and "已驳回" in answer.text


def test_name_search_is_literal(client):
    """`%` and `_` in a query are searched for as themselves, not as SQL wildcards."""
    _signed_in(client)
    headers = {"Authorization": f"Bearer {client.tokens['admin']}"}
    code = unique_uscc()
    client.post("/v1/organisations", json={"uscc": code, "name": "百分百_科技", "in_district": True}, headers=headers)
    assert code in client.get("/ui/organisations", params={"q": "百分百_"}).text
    assert code not in client.get("/ui/organisations", params={"q": "%"}).text


def test_reconciliation_downloads_answer_as_the_api_does(client):
    """The page's CSV and XLSX links carry the API's own files, and its refusal (403 for a bureau) as a page."""
    _signed_in(client, "kjj")
    refused = client.get("/ui/finance/reconciliation", params={"year": 2023, "format": "csv"})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    _signed_in(client, "finance")
    for form, media in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats")):
        answer = client.get("/ui/finance/reconciliation", params={"year": 2023, "format": form})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media), answer.text[:200]
        assert answer.headers["content-disposition"].startswith("attachment") and answer.content


def test_claim_page_offers_its_receipt_and_the_audit_page_checks_one(client):
    """The claim page links its receipt download; on the audit page an auditor's upload of that receipt is
    found valid, and the same receipt with one amount changed is found invalid, naming the event."""
    headers = {"Authorization": f"Bearer {client.tokens['admin']}"}
    org = unique_uscc()
    client.post("/v1/organisations", json={"uscc": org, "name": "回执企业", "in_district": True}, headers=headers)
    client.post("/v1/innovation-bodies", json={"id": unique_id("C-"), "name": "联合体", "kind": "consortium",
                                               "lead_uscc": org, "recognised_on": "2022-10-01"}, headers=headers)
    claim = client.post("/v1/claims", json={"uscc": org, "programme": "A5.voucher", "award_year": 2023,
                                            "effective_on": "2023-06-01", "basis_amount": "100000.00"},
                        headers={"Authorization": f"Bearer {client.tokens['kjj']}"}).json()
    _signed_in(client)
    page = client.get(f"/ui/claims/{claim['id']}")
    assert f'href="/ui/claims/{claim["id"]}/receipt"' in page.text
    download = client.get(f"/ui/claims/{claim['id']}/receipt")
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    receipt = download.json()
    _signed_in(client, "admin")
    csrf = _csrf(client, "/ui/audit")
    valid = client.post("/ui/audit/check", data={"csrf": csrf},
                        files={"file": ("receipt.json", json.dumps(receipt), "application/json")})
    assert valid.status_code == 200 and "核验通过：签名有效" in valid.text
    # What it proves, as verify-receipt says it (the page said "valid" alone: a journey probe).
    proves = re.search(r'data-testid="check-proves">(.*?)</span>', valid.text, re.S).group(1)
    assert f"回执证明：申请 {claim['id']}（待审批），单位 {org}，创新券补助（A5.voucher），2023 年度：应享 " in proves
    assert "出具于 " in proves and "（北京时间）" in proves
    receipt["events"][0]["data"]["entitled_amount"] = "30000000.00"
    tampered = client.post("/ui/audit/check", data={"csrf": csrf},
                           files={"file": ("receipt.json", json.dumps(receipt), "application/json")})
    assert "核验失败" in tampered.text and f"位置 {receipt['events'][0]['position']} 的事件" in tampered.text
    digest = client.get("/v1/audit/digest", headers=headers).json()
    checked = client.post("/ui/audit/check", data={"csrf": csrf},
                          files={"file": ("digest.json", json.dumps(digest), "application/json")})
    assert "核验通过：签名有效" in checked.text


def test_the_audit_page_says_when_it_could_not_verify_the_chain_for_long_queries(client):
    """The audit page verifies the whole chain, a long query: while the process runs as many as it allows, the
    page answers 503 saying the chain was not verified this time (its digest still shown), and so does a check
    of an uploaded digest; once a slot is free, both verify again."""
    _signed_in(client, "admin")
    csrf = _csrf(client, "/ui/audit")
    digest = client.get("/v1/audit/digest", headers={"Authorization": f"Bearer {client.tokens['admin']}"}).json()
    upload = {"file": ("digest.json", json.dumps(digest), "application/json")}
    slots = client.app.state.long_queries
    with ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        busy = client.get("/ui/audit")
        assert busy.status_code == 503 and "系统繁忙，本次未核验事件链" in busy.text and "核验通过" not in busy.text
        assert digest["digest"] in busy.text
        checked = client.post("/ui/audit/check", data={"csrf": csrf}, files=upload)
        assert checked.status_code == 503 and "系统繁忙，本次未核验事件链" in checked.text
        assert "Busy: the chain was not verified" in client.get("/ui/audit?lang=en").text
    again = client.get("/ui/audit?lang=zh")
    assert again.status_code == 200 and "核验通过：事件链完整" in again.text
    checked = client.post("/ui/audit/check", data={"csrf": csrf}, files=upload)
    assert checked.status_code == 200 and "核验通过：签名有效" in checked.text


@contextmanager
def _verifications_held(client: TestClient, wait: float = 0.2) -> Iterator[tuple[threading.Event, list[int]]]:
    """The audit page's verifications, each held at its start until the gate opens, and counted; the page waits
    `wait` seconds for one. The verification itself is the real one, on the real store."""
    runs = client.app.state.chain_verifications
    real, gate, calls = runs.verify, threading.Event(), []
    saved = runs.wait

    def held(progress):
        calls.append(1)
        assert gate.wait(30)
        return real(progress=progress)

    runs.verify, runs.wait = held, wait
    try:
        yield gate, calls
    finally:
        gate.set()
        runs.verify, runs.wait = real, saved


def _done(client: TestClient, path: str = "/ui/audit", seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while 'data-state="done"' not in (text := client.get(path).text):
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    return text


def test_a_long_verification_shows_its_progress_then_its_verdict_and_is_not_started_again_by_reloads(client):
    """The audit page verifies the chain in the background: past a moment it shows how far the verification has
    got and reloads itself; further views join the same verification; its verdict, once reached, is shown with
    the time it was reached (Beijing time) and, having taken longer than a page waits, is not started anew by
    every reload."""
    _signed_in(client, "admin")
    with _verifications_held(client) as (gate, calls):
        running = client.get("/ui/audit")
        assert running.status_code == 200 and 'data-state="running"' in running.text
        assert "正在核验事件链" in running.text and '<meta http-equiv="refresh" content="3">' in running.text
        assert "核验通过" not in running.text
        assert 'data-state="running"' in client.get("/ui/audit?lang=en").text and len(calls) == 1
        gate.set()
        done = _done(client, "/ui/audit?lang=zh")  # the English view above is remembered
        assert "核验通过：事件链完整" in done and "核验完成时间" in done and "（北京时间）" in done
        assert 'http-equiv="refresh"' not in done
        at = re.search(r'data-testid="verified-at">([^（<]+)', done).group(1)
        assert re.search(r'data-testid="verified-at">([^（<]+)', _done(client)).group(1) == at and len(calls) == 1
        client.app.state.chain_verifications.reuse = 0  # once its time is up, a view verifies again
        _done(client)
        assert len(calls) == 2


def test_a_quick_verification_is_never_reused(client):
    """A verification reached within the page's wait is the view's own: every view verifies again, so a small
    ledger altered a moment ago is caught at the next view."""
    _signed_in(client, "admin")
    with _verifications_held(client, wait=5) as (gate, calls):
        gate.set()
        for n in (1, 2, 3):
            assert 'data-state="done"' in client.get("/ui/audit").text and len(calls) == n


def test_a_refused_form_reads_in_the_pages_language(client):
    """A malformed appropriation form comes back with the API's own field wording, as a form's reader is told it:
    Chinese by default (no pydantic English), English with ?lang=en."""
    _signed_in(client, "finance")
    csrf = _csrf(client, "/ui/finance/write")
    form = {"csrf": csrf, "year": "2023年", "amount": "300000000.00", "document_ref": "杭高新财〔2023〕9号",
            "key": unique_id("k-")}
    chinese = client.post("/ui/finance/appropriations", data=form)
    # The API's wording without its JSON advice: a text box has no quotes to drop (a pages probe).
    assert chinese.status_code == 422 and "年度：应为整数，例如 2023" in chinese.text
    assert "Input should" not in chinese.text and "JSON 整数" not in chinese.text
    english = client.post("/ui/finance/appropriations?lang=en", data=form)
    assert english.status_code == 422
    assert "Year: must be a whole number such as 2023" in english.text and "JSON integer" not in english.text
