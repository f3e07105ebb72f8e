"""What a regression, a robustness and a finance probe typed into the pages and were answered wrongly: a full-width
year on the reconciliation download, JSON sent to a page's form, and the finance page's as-of notice. Over plain
HTTP, on both stores."""
from __future__ import annotations

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
