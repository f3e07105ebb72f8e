"""A re-assessment (rule 12) is visible on the claim's page: the timeline shows it with the old and new figure."""
from __future__ import annotations

from tests.browser.test_pages_http import _signed_in, client  # noqa: F401  (client is a fixture)
from tests.support import unique_id, unique_uscc


def test_claim_page_shows_the_reassessment(client):  # noqa: F811
    """After a lower rung is rejected, the national ERC claim is re-assessed on approval; its page lists the
    re-assessment between submission and approval with 800,000.00 → 1,000,000.00."""
    admin = {"Authorization": f"Bearer {client.tokens['admin']}"}
    kjj = {"Authorization": f"Bearer {client.tokens['kjj']}"}
    finance = {"Authorization": f"Bearer {client.tokens['finance']}"}
    for year in (2023, 2024):
        client.post("/v1/appropriations", json={"year": year, "amount": "300000000", "document_ref": "B"},
                    headers=finance)
    org, body = unique_uscc(), unique_id("erc-")
    assert client.post("/v1/organisations", json={"uscc": org, "name": "杭州测试", "in_district": True},
                       headers=admin).status_code == 201
    assert client.post("/v1/innovation-bodies", json={"id": body, "name": "工程中心", "kind": "erc", "lead_uscc": org,
                                                      "recognised_on": "2022-09-06"}, headers=admin).status_code == 201
    cert = client.post("/v1/certifications", json={"uscc": org, "programme": "A3.erc", "tier": "municipal",
                                                   "effective_on": "2023-03-01", "document_ref": "D1",
                                                   "body_id": body}, headers=kjj).json()["id"]
    lower = client.post("/v1/claims", json={"uscc": org, "programme": "A3.erc", "award_year": 2023,
                                            "effective_on": "2023-06-01", "certification_id": cert}, headers=kjj)
    client.post(f"/v1/certifications/{cert}/upgrades", json={"tier": "national", "effective_on": "2024-05-10",
                                                             "document_ref": "D2"}, headers=kjj)
    upper = client.post("/v1/claims", json={"uscc": org, "programme": "A3.erc", "award_year": 2024,
                                            "effective_on": "2024-06-01", "certification_id": cert},
                        headers=kjj).json()
    assert upper["entitled_amount"] == "800000.00"
    client.post(f"/v1/claims/{lower.json()['id']}/reject", json={"reason": "材料不全"}, headers=kjj)
    approved = client.post(f"/v1/claims/{upper['id']}/approve", json={}, headers=kjj).json()
    assert approved["approved_amount"] == "1000000.00"
    _signed_in(client)
    page = client.get(f"/ui/claims/{upper['id']}").text
    assert "重新核定应得金额" in page and "800,000.00 元 → 1,000,000.00 元" in page
    assert page.index("重新核定应得金额") < page.index("批准申请")
