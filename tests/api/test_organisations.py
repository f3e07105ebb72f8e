"""Organisations and innovation bodies over HTTP: registration, reads, and every refusal's code."""
from __future__ import annotations

from tests.support import unique_id, unique_uscc


def test_register_and_read_an_organisation(api):
    """POST answers 201 with the organisation; GET returns it with an RFC 3339 registration time."""
    code = unique_uscc()
    created = api.ok("POST", "/v1/organisations", {"uscc": code, "name": "杭州某某科技有限公司", "in_district": True})
    assert created["uscc"] == code and created["name"] == "杭州某某科技有限公司" and created["in_district"] is True
    assert created["registered_at"][19:] and created["registered_at"][-6] in "+-"  # an offset, not naive
    assert api.ok("GET", f"/v1/organisations/{code}", as_="auditor") == created


def test_a_lower_case_uscc_is_read_as_upper_case(api):
    """The USCC is case-insensitive on the way in and canonical (upper case) on the way out."""
    code = unique_uscc()
    created = api.ok("POST", "/v1/organisations", {"uscc": code.lower(), "name": "杭州某某电子有限公司",
                                                   "in_district": False}, as_="kjj")
    assert created["uscc"] == code
    assert api.ok("GET", f"/v1/organisations/{code.lower()}")["uscc"] == code


def test_a_uscc_typed_in_full_width_is_read_as_half_width(api):
    """A Chinese input method in full-width (全角) mode types '９１３３…ＭＡ…': read as the half-width code (it was
    refused invalid_uscc with the advice 'use capitals', which it already was), in a body and in a path."""
    code = unique_uscc()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    created = api.ok("POST", "/v1/organisations", {"uscc": f"\u3000{wide}", "name": "杭州某某全角科技有限公司",
                                                   "in_district": True}, as_="kjj")
    assert created["uscc"] == code
    assert api.ok("GET", f"/v1/organisations/{wide}")["uscc"] == code


def test_registering_a_known_organisation_is_a_conflict(api):
    """A second registration of the same USCC is 409 `conflict` and writes nothing."""
    code = unique_uscc()
    body = {"uscc": code, "name": "杭州某某科技有限公司", "in_district": True}
    api.ok("POST", "/v1/organisations", body)
    api.refused("POST", "/v1/organisations", body, "jxj", 409, "conflict")


def test_a_bad_uscc_is_invalid_uscc_in_body_and_path(api):
    """A check character that does not match is 422 `invalid_uscc`, naming the field, in a body or a path."""
    code = unique_uscc()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    problem = api.refused("POST", "/v1/organisations", {"uscc": bad, "name": "某公司", "in_district": True},
                          "admin", 422, "invalid_uscc")
    assert "uscc" in problem["detail"] and problem["errors"][0]["field"] == "uscc"
    api.refused("GET", f"/v1/organisations/{bad}", None, "auditor", 422, "invalid_uscc")
    api.refused("POST", "/v1/organisations", {"uscc": "SHORT", "name": "某公司", "in_district": True},
                "admin", 422, "invalid_uscc")


def test_an_unknown_organisation_is_not_found(api):
    """GET of a valid but unregistered USCC is 404 `not_found`."""
    api.refused("GET", f"/v1/organisations/{unique_uscc()}", None, "admin", 404, "not_found")


def test_malformed_bodies_name_the_field(api):
    """Missing fields, unknown fields and wrong types are 422 `invalid_request` naming the field."""
    missing = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "某公司"}, "admin", 422,
                          "invalid_request")
    assert "in_district" in missing["detail"]
    extra = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "某公司", "in_district": True,
                                                      "nmae": "typo"}, "admin", 422, "invalid_request")
    assert "nmae" in extra["detail"]
    typed = api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "某公司", "in_district": "maybe"},
                        "admin", 422, "invalid_request")
    assert "in_district" in typed["detail"]
    api.refused("POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "某\x00公司", "in_district": True},
                "admin", 422, "invalid_request")


def test_a_body_that_is_not_json_is_invalid_request(api):
    """A body that does not parse is 422 `invalid_request`, not a server error."""
    before = api.events()
    response = api.client.post("/v1/organisations", content=b"{not json", headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert api.events() == before


def test_register_a_body_and_add_a_member(api):
    """A body's lead is its first member; a second organisation joins from its own date; the org shows it."""
    lead, member = unique_uscc(), unique_uscc()
    for code in (lead, member):
        api.ok("POST", "/v1/organisations", {"uscc": code, "name": "杭州某某智能制造有限公司", "in_district": True})
    body_id = unique_id("CONS-")
    body = api.ok("POST", "/v1/innovation-bodies", {"id": body_id, "name": "滨江智能视觉企业创新联合体",
                                                    "kind": "consortium", "lead_uscc": lead,
                                                    "recognised_on": "2022-10-01"}, as_="kjj")
    assert body["members"] == [{"uscc": lead, "joined_on": "2022-10-01"}]
    joined = api.ok("POST", f"/v1/innovation-bodies/{body_id}/members", {"uscc": member, "joined_on": "2023-01-15"},
                    as_="jxj")
    assert {"uscc": member, "joined_on": "2023-01-15"} in joined["members"]
    memberships = api.ok("GET", f"/v1/organisations/{member}")["memberships"]
    assert memberships == [{"body_id": body_id, "body_kind": "consortium", "joined_on": "2023-01-15",
                            "is_lead": False}]
    api.refused("POST", f"/v1/innovation-bodies/{body_id}/members", {"uscc": member, "joined_on": "2023-01-15"},
                "admin", 409, "conflict")


def test_body_refusals(api):
    """Unknown kind (422), unknown lead (404), unknown body (404), duplicate id (409), bad date (422)."""
    lead = unique_uscc()
    api.ok("POST", "/v1/organisations", {"uscc": lead, "name": "杭州某某科技有限公司", "in_district": True})
    body = {"id": unique_id("CONS-"), "name": "联合体", "kind": "consortium", "lead_uscc": lead,
            "recognised_on": "2022-10-01"}
    problem = api.refused("POST", "/v1/innovation-bodies", {**body, "kind": "club"}, "admin", 422, "invalid_request")
    assert "consortium" in problem["detail"]  # the refusal lists the kinds that exist
    api.refused("POST", "/v1/innovation-bodies", {**body, "lead_uscc": unique_uscc()}, "admin", 404, "not_found")
    api.refused("POST", "/v1/innovation-bodies", {**body, "recognised_on": "2022-13-01"}, "admin", 422,
                "invalid_request")
    api.ok("POST", "/v1/innovation-bodies", body)
    api.refused("POST", "/v1/innovation-bodies", body, "admin", 409, "conflict")
    api.refused("POST", "/v1/innovation-bodies/no-such-body/members", {"uscc": lead, "joined_on": "2023-01-01"},
                "admin", 404, "not_found")


def test_a_body_that_is_not_text_is_invalid_request(api):
    """Bytes that are not UTF-8 get the same 422 `invalid_request` as malformed JSON, never a bare 400."""
    response = api.client.post("/v1/organisations", content=b"\xff\xfe{\x80}", headers={
        "Authorization": f"Bearer {api.tokens['admin']}", "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
