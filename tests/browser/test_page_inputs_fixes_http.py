"""What a regression, a robustness and a finance probe typed into the pages and were answered wrongly: a full-width
year on the reconciliation download, JSON sent to a page's form, and the finance page's as-of notice. Over plain
HTTP, on both stores."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from ledger import beijing
from tests.browser.conftest import funded_page_client, signed_in

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}, "admin": {"role": "admin"},
          "auditor": {"role": "auditor"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with funded_page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def test_the_download_names_a_year_typed_in_full_width_digits_with_the_year_to_type(client):
    """`/ui/finance/reconciliation?year=２０２３&format=csv` answered "年度：应为整数" where the finance page names the
    full width and the year to type (a regression probe)."""
    signed_in(client, "finance")
    zh = client.get("/ui/finance/reconciliation", params={"year": "２０２３", "format": "csv", "lang": "zh"})
    assert zh.status_code == 422 and "text/html" in zh.headers["content-type"], zh.text[:300]
    assert "使用了全角数字（输入法处于全角状态）；请改为输入 2023" in zh.text and "应为整数" not in zh.text
    en = client.get("/ui/finance/reconciliation", params={"year": "２０２３", "format": "csv", "lang": "en"})
    assert en.status_code == 422 and "is written in full-width digits" in en.text and "type it as 2023" in en.text
    plain = client.get("/ui/finance/reconciliation", params={"year": "2023", "format": "csv"})
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("text/csv")
    # Not a year at all keeps its own words.
    assert "应为整数" in client.get("/ui/finance/reconciliation", params={"year": "abc", "lang": "zh"}).text


def _events(client: TestClient) -> int:
    return client.app.state.ledger.recorder.max_notification_id() or 0


@pytest.mark.parametrize(("page", "api_route"), [
    ("/ui/finance/appropriations", "POST /v1/appropriations"),
    ("/ui/finance/payouts", "POST /v1/payouts"),
    ("/ui/certifications/new", "POST /v1/certifications"),
    ("/ui/claims/00000000-0000-4000-8000-000000000000/approve",
     "POST /v1/claims/00000000-0000-4000-8000-000000000000/approve"),
    ("/ui/finance/reversals", "POST /v1/payouts/{payout_id}/reverse"),
])
def test_json_sent_to_a_pages_form_is_told_the_api_route_not_to_reload_the_page(client, page, api_route):
    """A JSON POST to a page's form (with the session and CSRF cookies, the token in the body) was told the form had
    expired and to reload a page it never loaded (a robustness probe): it is told the address is a page's form and
    the API route to use, in the page's language; nothing is written."""
    csrf = signed_in(client, "finance")
    before = _events(client)
    sent = {"csrf": csrf, "year": 2025, "amount": "1", "document_ref": "X"}
    for lang, words in (("zh", ("是页面表单的提交地址", "程序请改用接口", "未写入任何内容")),
                        ("en", ("is a page's form", "A program uses the API's", "Nothing was written"))):
        answer = client.post(f"{page}?lang={lang}", json=sent, follow_redirects=False)
        assert answer.status_code == 415 and answer.headers["content-type"].startswith("text/html"), answer.text
        said = html.unescape(answer.text.split('data-testid="problem-detail">')[1].split("</dd>")[0])
        assert all(w in said for w in words) and api_route in said, said
        assert "刷新" not in answer.text and "reload" not in answer.text
    assert _events(client) == before


def test_json_sent_to_a_form_without_an_api_route_is_told_to_send_it_from_its_page(client):
    signed_in(client, "finance")
    answer = client.post("/ui/sign-out?lang=en", json={"csrf": "x"}, follow_redirects=False)
    assert answer.status_code == 415 and "Open the page in a browser and send the form from it" in html.unescape(
        answer.text)
    # A form is still read as before: without its CSRF token, the expired-form page.
    assert client.post("/ui/finance/appropriations", data={"year": "2025"}).status_code == 403


def _notice(page: str, testid: str) -> str:
    return html.unescape(page.split(f'data-testid="{testid}">')[1].split("</p>")[0])


def test_the_finance_pages_as_of_is_named_as_the_page_labels_it_and_a_moment_to_come_shown_to_the_second(client):
    """The English page named the raw parameter, "as_of: '２０２４－０１－０１' is written in full-width…", where the
    Chinese says 截至时间; and an as-of not yet come (capped to the moment of asking) was shown to the microsecond,
    01:46:16.338032, where every other time is to the second (a finance probe). A past moment read exactly keeps its
    fraction (tests/browser/test_finance_pages_fixes.py)."""
    signed_in(client, "finance")
    en = client.get("/ui/finance", params={"year": "2023", "as_of": "２０２４－０１－０１", "lang": "en"})
    said = _notice(en.text, "as-of-error")
    assert en.status_code == 422 and said.startswith("As of: '２０２４－０１－０１' is written in full-width"), said
    assert "as_of" not in said
    zh = client.get("/ui/finance", params={"year": "2023", "as_of": "２０２４－０１－０１", "lang": "zh"})
    assert _notice(zh.text, "as-of-error").startswith("截至时间：")
    ahead = (datetime.now(UTC) + timedelta(days=30)).astimezone(beijing.ZONE).date().isoformat()
    for lang in ("en", "zh"):
        page = client.get("/ui/finance", params={"year": "2023", "as_of": ahead, "lang": lang})
        shown = _notice(page.text, "as-of")
        assert page.status_code == 200 and re.search(r"\d{2}:\d{2}:\d{2}(（北京时间）| Beijing time)", shown), shown
        assert not re.search(r":\d{2}\.\d", shown), shown
    past = client.get("/ui/finance", params={"year": "2023", "as_of": "2024-01-01T08:00:00.25+08:00", "lang": "en"})
    assert "2024-01-01 08:00:00.250000 Beijing time" in _notice(past.text, "as-of")
