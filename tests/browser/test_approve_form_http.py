"""The claim page's approval books only what the clerk saw, over plain HTTP on both stores: an entitlement
re-assessed at approval (rule 12) comes back naming both figures before anything is booked, a lowered amount needs
its reason, and the landing names the amount approved (a clerk's probe, findings 1 and 2)."""
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
        for year in (2023, 2024):
            api(c, "POST", "/v1/appropriations", {"year": year, "amount": "300000000.00",
                                                   "document_ref": f"财〔{year}〕1号"}, as_="finance")
        yield c


def _organisation(client: TestClient) -> str:
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    return uscc


def _upper_rung_to_be_reassessed(client: TestClient) -> str:
    """A national ERC claim entitled to 800,000.00 while its municipal rung (200,000.00) is pending; that rung is
    then rejected, so the approval's re-assessment makes it 1,000,000.00. The national claim's id."""
    uscc, body = _organisation(client), unique_id("ERC-")
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                  "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    cert = api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A3.erc", "tier": "municipal",
                                                      "effective_on": "2023-03-01", "document_ref": "D1",
                                                      "body_id": body}, as_="kjj")["id"]
    lower = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2023,
                                               "effective_on": "2023-06-01", "certification_id": cert}, as_="kjj")
    api(client, "POST", f"/v1/certifications/{cert}/upgrades", {"tier": "national", "effective_on": "2024-05-10",
                                                                "document_ref": "D2"}, as_="kjj")
    upper = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2024,
                                               "effective_on": "2024-06-01", "certification_id": cert}, as_="kjj")
    assert upper["entitled_amount"] == "800000.00"
    api(client, "POST", f"/v1/claims/{lower['id']}/reject", {"reason": "材料不全"}, as_="kjj")
    return upper["id"]


def _voucher(client: TestClient) -> str:
    """A pending A5.voucher claim of a consortium's lead, entitled to 300,000.00 (30% of 1,000,000.00); its id."""
    uscc = _organisation(client)
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "某创新联合体",
                                                  "kind": "consortium", "lead_uscc": uscc,
                                                  "recognised_on": "2022-10-01"})
    return api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                              "effective_on": "2023-06-01", "basis_amount": "1000000.00"},
               as_="kjj")["id"]


def _shown(page: str) -> str:
    return re.search(r'name="shown" value="([^"]*)"', page).group(1)


def test_an_entitlement_reassessed_at_approval_is_shown_before_it_is_booked(client):
    """The page showed 800,000.00 and the approval would book 1,000,000.00: the form comes back naming both
    figures, nothing written, carrying the new figure; sent again, it approves, and the landing says how much."""
    claim = _upper_rung_to_be_reassessed(client)
    csrf = signed_in(client, "kjj")
    page = client.get(f"/ui/claims/{claim}").text
    assert _shown(page) == "800000.00"
    held = client.post(f"/ui/claims/{claim}/approve", data={"csrf": csrf, "amount": "", "note": "同意",
                                                            "shown": _shown(page), "key": unique_id("k-")})
    assert held.status_code == 409, held.text
    assert "应享已重新核定为 1,000,000.00 元（页面显示为 800,000.00 元），请核对后再批准" in held.text
    assert _shown(held.text) == "1000000.00" and 'value="同意"' in held.text
    # and the page beside the form shows the figure and explanation the approval would book, not the old ones (a
    # clerk's probe read 应享 800,000.00 and the deduction of a claim withdrawn since)
    assert 'data-testid="entitled">1,000,000.00 元<' in held.text, held.text
    old = client.get(f"/ui/claims/{claim}").text
    assert "200,000.00" in old.split('class="data explanation"')[1].split("</table>")[0]  # the rung deducted
    assert "200,000.00" not in held.text.split('class="data explanation"')[1].split("</table>")[0]
    still = api(client, "GET", f"/v1/claims/{claim}", as_="kjj")
    assert (still["status"], still["entitled_amount"]) == ("pending", "800000.00")  # the dry run wrote nothing
    english = client.post(f"/ui/claims/{claim}/approve?lang=en", data={
        "csrf": csrf, "shown": "800000.00", "key": unique_id("k-")})
    assert "re-assessed at 1,000,000.00 yuan (the page showed 800,000.00 yuan)" in english.text
    client.get(f"/ui/claims/{claim}?lang=zh")  # back to Chinese
    done = client.post(f"/ui/claims/{claim}/approve", data={"csrf": csrf, "amount": "", "note": "同意",
                                                                    "shown": _shown(held.text),
                                                                    "key": unique_id("k-")})
    assert "审批已记录：已批准 1,000,000.00 元。" in done.text, done.text
    assert api(client, "GET", f"/v1/claims/{claim}", as_="kjj")["approved_amount"] == "1000000.00"


def test_a_lowered_approval_needs_its_reason(client):
    """1.00 of 300,000.00 with no note is sent back as typed, saying to give the reason; with one it is booked."""
    claim = _voucher(client)
    csrf = signed_in(client, "kjj")
    typed = {"csrf": csrf, "amount": "1.00", "note": " ", "shown": "300000.00"}
    refused = client.post(f"/ui/claims/{claim}/approve", data=typed | {"key": unique_id("k-")})
    assert refused.status_code == 422, refused.text
    assert "批准金额 1.00 元低于应享金额 300,000.00 元：请在“审批意见”中写明调低的理由" in refused.text
    assert 'data-testid="error-note"' in refused.text and 'value="1.00"' in refused.text
    assert api(client, "GET", f"/v1/claims/{claim}", as_="kjj")["status"] == "pending"
    done = client.post(f"/ui/claims/{claim}/approve", data=typed | {"note": "仅认可部分合同", "key": unique_id("k-")})
    assert "审批已记录：已批准 1.00 元。" in done.text, done.text


def test_an_amount_as_the_page_prints_it_is_read_and_one_in_wan_is_told_what_to_write(client):
    """A clerk's probe pasted "100,000.00 元" as the page prints it, and typed "20万": both got the form's general
    hint. The page reads back what it prints; an amount in 万 is told to write yuan digits (the API says the same)."""
    claim = _voucher(client)
    csrf = signed_in(client, "kjj")
    typed = {"csrf": csrf, "note": "仅认可部分合同", "shown": "300000.00"}
    wan = client.post(f"/ui/claims/{claim}/approve", data=typed | {"amount": "20万", "key": unique_id("k-")})
    assert wan.status_code == 422 and "请只填写以元计的数字，此处应写作 200000.00" in wan.text, wan.text[-3000:]
    assert api(client, "GET", f"/v1/claims/{claim}", as_="kjj")["status"] == "pending"
    done = client.post(f"/ui/claims/{claim}/approve", data=typed | {"amount": "200,000.00 元", "key": unique_id("k-")})
    assert "审批已记录：已批准 200,000.00 元。" in done.text, done.text[-3000:]
    refused = client.post("/v1/appropriations", json={"year": 2025, "amount": "20万", "document_ref": "财-万"},
                          headers={"Authorization": f"Bearer {client.tokens['finance']}", "Accept-Language": "zh"})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_amount", refused.text
    assert "200000.00" in refused.json()["detail"], refused.text
    for typed, figure in (("300万元", "3000000.00"), ("２０万", "200000.00")):  # the clerk's own figure, at once
        said = client.post("/v1/appropriations", json={"year": 2025, "amount": typed, "document_ref": "财-万"},
                           headers={"Authorization": f"Bearer {client.tokens['finance']}", "Accept-Language": "zh"})
        assert said.status_code == 422 and f"此处应写作 {figure}" in said.json()["detail"], said.text
