"""The pages name the project, product or standard a claim is for (rules 4, 5, 11), over plain HTTP on both
stores: the claim's page, the organisation's claims and its per-project cap bars (two A4.challenge bars told apart),
and the bureau's queue (a clerk's probe, finding 3)."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}, "admin": {"role": "admin"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def world(client: TestClient) -> dict:
    """An organisation with two A4.challenge claims, one for each of two projects."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "某创新联合体",
                                                  "kind": "consortium", "lead_uscc": uscc,
                                                  "recognised_on": "2022-10-01"})
    claims = [api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A4.challenge", "award_year": 2023,
                                                 "effective_on": "2023-06-01", "basis_amount": basis,
                                                 "subject": f"project:{name}({uscc[-4:]})"}, as_="kjj")
              for name, basis in (("数据产业化项目", "1000000.00"), ("软件产业化项目", "2000000.00"))]
    return {"uscc": uscc, "claims": [c["id"] for c in claims], "tail": uscc[-4:]}


def test_the_claim_page_names_its_subject(client, world):
    """项目：数据产业化项目(…) on the claim page; Project: … in English."""
    signed_in(client, "kjj")
    page = client.get(f"/ui/claims/{world['claims'][0]}?lang=zh").text
    assert re.search(r'<dt>申报事项</dt><dd data-testid="subject">项目：数据产业化项目\(' + world["tail"], page), page
    english = client.get(f"/ui/claims/{world['claims'][0]}?lang=en").text
    assert f'<dd data-testid="subject">Project: 数据产业化项目({world["tail"]})</dd>' in english


def test_the_organisation_page_tells_two_project_caps_apart(client, world):
    """Each per-project cap bar names its project as the claims write it (not as the cap's key folds it), and
    each claim in the organisation's list names its own; the queue's rows do too."""
    signed_in(client, "kjj")
    page = client.get(f"/ui/organisations/{world['uscc']}?lang=zh").text
    bars = re.findall(r'data-testid="cap-subject">([^<]+)<', page)
    assert sorted(bars) == sorted(f"项目：{n}({world['tail']})" for n in ("数据产业化项目", "软件产业化项目")), bars
    assert len(re.findall(r'data-testid="claim-subject">项目：', page)) == 2
    queue = client.get("/ui/", params={"uscc": world["uscc"], "lang": "zh"}).text
    assert len(re.findall(r'data-testid="queue-subject">项目：', queue)) == 2, queue
