"""What the pages say of a proposal an upgrade replaced, and of a lower rung after a higher one, over plain HTTP on
both stores: what happened, with tiers by name in the page's language, never their codes (a clerk's probe,
findings 4 and 6)."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api, erc_proposal, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "finance": {"role": "finance"}, "admin": {"role": "admin"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _organisation(client: TestClient) -> str:
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    return uscc


def test_a_proposal_an_upgrade_replaced_says_so_with_the_tier_by_name(client):
    """A municipal ERC's proposal, replaced by the national one when the certification is upgraded: its page and
    the organisation's timeline say the certification was upgraded to 国家级 and which proposal replaced it, not
    that a claim was submitted for the same fact, and no tier code."""
    made = erc_proposal(client)
    uscc, cert = made["uscc"], made["cert"]
    [old] = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
    api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                                "document_ref": "D2"}, as_="kjj")
    [new] = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
    signed_in(client, "kjj")
    page = client.get(f"/ui/claims/{old['id']}?lang=zh").text
    said = f"认定已晋级为国家级，已按新等次另行生成待确认奖补 {new['id']}，本项随之关闭"
    assert re.search(r'data-testid="decision-note">' + re.escape(said), page), page
    assert "同一事实已另行提交申请" not in page and "national" not in page and "待确认奖补被取代" in page
    timeline = client.get(f"/ui/organisations/{uscc}?lang=zh").text
    reasons = re.findall(r'data-testid="timeline-reason">([^<]+)<', timeline)
    assert any(said in r for r in reasons) and not any("national" in r for r in reasons), reasons
    english = client.get(f"/ui/claims/{old['id']}?lang=en").text
    assert f"the certification was upgraded to national; proposal {new['id']}, at the new tier, replaced" in english
    assert "submitted for the same fact" not in english


def test_a_lower_rung_after_a_higher_one_is_explained_and_offers_no_approval(client):
    """A provincial SME honour pending while the little giant is approved comes to 0.00: its explanation says a
    higher rung (专精特新小巨人, by name) was awarded, not "the same tier", and its page offers no 批准 form but says
    to reject or withdraw it; the rejection form stays."""
    uscc = _organisation(client)
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "某创新联合体",
                                                  "kind": "consortium", "lead_uscc": uscc,
                                                  "recognised_on": "2022-10-01"})
    for year in (2023, 2024):
        api(client, "POST", "/v1/appropriations", {"year": year, "amount": "300000000.00",
                                                   "document_ref": f"财〔{year}〕1号"}, as_="finance")
    claims = {}
    for tier, day in (("provincial_sme", "2023-06-01"), ("little_giant", "2024-06-01")):
        api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A6.honour", "tier": tier,
                                                   "effective_on": day, "document_ref": f"浙经信〔{day[:4]}〕8号"},
            as_="jxj")
        [proposed] = api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}")["claims"]
        claims[tier] = api(client, "POST", f"/v1/claims/{proposed['id']}/confirm", {}, as_="jxj")["id"]
    api(client, "POST", f"/v1/claims/{claims['little_giant']}/approve", {}, as_="jxj")
    sme = api(client, "GET", f"/v1/claims/{claims['provincial_sme']}", as_="jxj")
    assert (sme["status"], sme["entitled_amount"]) == ("pending", "0.00")
    signed_in(client, "jxj")
    page = client.get(f"/ui/claims/{claims['provincial_sme']}?lang=zh").text
    assert f"更高等次“专精特新小巨人”已由申请 {claims['little_giant']} 奖励" in page, page
    assert "同一等次只奖励一次" not in page and "little_giant" not in page
    assert 'data-testid="approve-form"' not in page and 'data-testid="reject-form"' in page
    assert re.search(r'data-testid="nothing-to-approve">[^<]*请驳回或撤回', page), page
