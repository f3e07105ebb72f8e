"""A page that is no list says which of its query parameters it read nothing from, as the lists say their ignored
filters (api/web/query_notice.py `unread`): `GET /ui/claims/C-1?as_of=2024-01-01` showed the claim as it is now, and
`/ui/audit?asof=`, `/ui/organisations?name=`, `/ui/finance/write?claimid=` dropped theirs, without a word (a journey
probe). Over plain HTTP on both stores."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import funded_page_client, paid_erc_award, signed_in

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}, "admin": {"role": "admin"},
          "auditor": {"role": "auditor"}}
NOTICE = 'data-testid="unread-params"'


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with funded_page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _notice(page: str) -> str:
    assert NOTICE in page, page[:2000]
    return page.split(NOTICE, 1)[1].split("</div>", 1)[0]


def test_a_claims_page_names_an_as_of_it_does_not_read(client):
    award = paid_erc_award(client)
    signed_in(client, "auditor")
    said = _notice(client.get(f"/ui/claims/{award['claim']}?as_of=2024-01-01&lang=zh").text)
    assert "“as_of”（值“2024-01-01”）：本页不读取任何查询参数。" in said
    said = _notice(client.get(f"/ui/claims/{award['claim']}?as_of=2024-01-01&lang=en").text)
    assert "“as_of” (value “2024-01-01”): this page reads no query parameter." in said


@pytest.mark.parametrize(("who", "address", "name", "reads"), [
    ("auditor", "/ui/audit?asof=2024-01-01", "asof", "read_models"),
    ("auditor", "/ui/organisations?name=abc", "name", "q"),
    ("finance", "/ui/finance/write?claimid=C-1", "claimid", "claim_id, payout_id"),
])
def test_a_page_names_each_parameter_it_does_not_read_with_those_it_does(client, who, address, name, reads):
    signed_in(client, who)
    said = _notice(client.get(f"{address}&lang=en").text)
    assert f"“{name}”" in said
    if reads:  # named by what a reader sends, not the pager's own cursor
        assert f"this page reads {reads} alone." in said and "cursor" not in said and "done" not in said
    else:
        assert "this page reads no query parameter." in said


def test_what_a_page_reads_and_its_own_redirects_carry_is_no_notice(client):
    award = paid_erc_award(client)
    signed_in(client, "auditor")
    for address in (f"/ui/claims/{award['claim']}?done=approved&lang=zh", "/ui/organisations?q=abc",
                    f"/ui/organisations/{award['uscc']}?lang=zh", "/ui/audit?lang=en", "/ui/audit"):
        page = client.get(address)
        assert page.status_code == 200 and NOTICE not in page.text, address
    page = client.get("/ui/finance?year=2023&as_of=2024/13/01&lang=zh")  # its own 截至 refusal, no list of chars
    assert page.status_code == 422 and NOTICE not in page.text and page.text.count("以下为当前情况") == 1
    page = client.get("/ui/?x=1")  # a list says it in its own words, once
    assert NOTICE not in page.text and page.text.count('data-testid="ignored-filters"') == 1


@pytest.mark.parametrize("address", ["/ui/finance?year=２０２３", "/ui/?year=２０２３"])
def test_a_year_in_full_width_digits_is_said_so_with_the_year_to_type(client, address):
    signed_in(client, "finance")
    page = client.get(f"{address}&lang=zh")
    assert page.status_code == 200
    said = page.text.split('data-testid="ignored-filters"', 1)[1].split("</div>", 1)[0]
    assert "奖补年度“２０２３”使用了全角数字（输入法处于全角状态），已忽略；请改为输入 2023。" in said
    assert "不是政策期内的年度" not in said
    english = client.get(f"{address}&lang=en").text
    assert "Award year “２０２３” is written in full-width digits" in english and "type it as 2023." in english


def test_a_year_the_reconciliation_page_cannot_read_is_noticed_and_the_page_shown(client):
    signed_in(client, "finance")
    page = client.get("/ui/finance", params={"year": "abc", "lang": "en"})
    assert page.status_code == 200
    assert "Award year “abc” is not a year of the policy and was ignored" in page.text
    assert client.get("/ui/finance", params={"year": "1999"}).status_code == 409  # read, outside the term: refused


def test_a_download_as_of_the_page_cannot_read_is_refused_in_the_pages_words(client):
    signed_in(client, "finance")
    answer = client.get("/ui/finance/reconciliation", params={"year": 2023, "as_of": "2024/13/01", "lang": "zh"})
    assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]
    assert "截至 2024/13/01 无法识别：请按 YYYY-MM-DD 填写日期" in answer.text
    assert "未下载任何文件" in answer.text and "RFC 3339" not in answer.text
    assert "2024-01-01T08:00:00+08:00）。未下载任何文件" in answer.text  # two sentences, not run together
    shown = client.get("/ui/finance/reconciliation", params={"year": 2023, "as_of": "2024-01-01 08:00:00"})
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("text/csv")


def test_a_long_as_of_is_quoted_cut_on_every_page_that_reads_one(client):
    """The API quoted a 10,000-character `as_of` to 40 characters; the finance page, its download and the
    organisation page still echoed all of it (a regression probe)."""
    award = paid_erc_award(client)
    signed_in(client, "finance")
    long = "x" * 10_000
    for address in (f"/ui/finance?year=2023&as_of={long}", f"/ui/finance/reconciliation?year=2023&as_of={long}",
                    f"/ui/organisations/{award['uscc']}?as_of={long}"):
        page = client.get(address)
        # what the page says (the field keeps what was typed, and links carry the address: not said)
        said = re.sub(r'(value|href)="[^"]*"', "", page.text)
        assert page.status_code == 422 and "x" * 41 not in said and "x" * 39 + "…" in said, address
