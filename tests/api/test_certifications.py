"""Certifications and upgrades over HTTP: the lead bureau records them; the policy's refusals keep their codes."""
from __future__ import annotations

from tests.support import unique_uscc


def test_record_read_and_upgrade_a_certification(api, world):
    """201 with an id; GET shows it; an upgrade climbs the ladder and keeps every tier it stood at."""
    org = world.org()
    erc = world.body(lead=org, kind="erc")
    body = {"uscc": org, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
            "document_ref": "杭发改高技〔2023〕15号", "body_id": erc}
    cert = api.ok("POST", "/v1/certifications", body, as_="kjj")
    assert cert["id"] and cert["tier"] == "municipal" and cert["effective_on"] == "2023-03-01"
    assert cert["body_id"] == erc
    # The answer to the recording lists the claims it proposed (免申即享); those are read in the claims queue after.
    assert api.ok("GET", f"/v1/certifications/{cert['id']}", as_="auditor") == cert  # its proposal, still open
    assert len(cert["proposed_claims"]) == 1
    upgraded = api.ok("POST", f"/v1/certifications/{cert['id']}/upgrades",
                      {"tier": "national", "effective_on": "2024-05-10", "document_ref": "发改高技〔2024〕612号"},
                      as_="kjj")
    assert upgraded["tier"] == "national"
    assert [t["tier"] for t in upgraded["tiers"]] == ["municipal", "national"]


def test_a_designation_has_no_tier(api, world):
    """A6.chain_leader is recorded by jxj without a tier, and shows on the organisation."""
    org = world.org()
    cert_id = world.certify(org, "A6.chain_leader", tier=None, as_="jxj")
    designations = api.ok("GET", f"/v1/organisations/{org}")["designations"]
    assert designations == [{"programme": "A6.chain_leader", "effective_on": "2023-03-01",
                             "certification_id": cert_id}]
    api.refused("POST", "/v1/certifications", {"uscc": org, "programme": "A6.chain_leader", "tier": "national",
                                               "effective_on": "2023-03-01", "document_ref": "D"}, "jxj", 422,
                "unknown_tier")


def test_certification_refusals(api, world):
    """Outside the term, unknown programme or tier, missing tier or body, unknown organisation, a body of
    another kind or lead: each its own code."""
    org = world.org()
    body = {"uscc": org, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
            "document_ref": "DOC-1", "body_id": world.body(lead=org, kind="erc")}
    for day in ("2022-09-05", "2025-09-06"):
        api.refused("POST", "/v1/certifications", {**body, "effective_on": day}, "kjj", 409, "outside_policy_term")
    api.refused("POST", "/v1/certifications", {**body, "programme": "A99.nothing"}, "kjj", 422, "unknown_programme")
    api.refused("POST", "/v1/certifications", {**body, "tier": "galactic"}, "kjj", 422, "unknown_tier")
    api.refused("POST", "/v1/certifications", {k: v for k, v in body.items() if k != "tier"}, "kjj", 422,
                "missing_field")
    api.refused("POST", "/v1/certifications", {k: v for k, v in body.items() if k != "body_id"}, "kjj", 422,
                "missing_field")
    api.refused("POST", "/v1/certifications", {**body, "body_id": world.body(lead=org)}, "kjj", 409, "not_eligible")
    api.refused("POST", "/v1/certifications", {**body, "uscc": world.org()}, "kjj", 409, "not_eligible")
    api.refused("POST", "/v1/certifications", {**body, "uscc": unique_uscc()}, "kjj", 404, "not_found")
    api.refused("POST", "/v1/certifications", {**body, "effective_on": "2023-02-30"}, "kjj", 422, "invalid_request")


def test_an_upgrade_must_climb(api, world):
    """Sideways or down the ladder is 422 `not_an_upgrade`; an unknown certification is 404."""
    cert_id = world.certify(world.org(), "A3.erc", "provincial")
    api.refused("POST", f"/v1/certifications/{cert_id}/upgrades",
                {"tier": "municipal", "effective_on": "2024-01-01", "document_ref": "D"}, "kjj", 422, "not_an_upgrade")
    api.refused("POST", "/v1/certifications/3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f/upgrades",
                {"tier": "national", "effective_on": "2024-01-01", "document_ref": "D"}, "kjj", 404, "not_found")
    api.refused("GET", "/v1/certifications/not-a-uuid", None, "kjj", 404, "not_found")


def test_a_chinese_refusal_names_the_tiers_by_their_names(api, world):
    """Not an upgrade, and the same certification recorded again, named the tiers by their codes in Chinese
    (“municipal < provincial < national”, “A3.erc（municipal）”) where the pages call them 市级 (a clerk's probe)."""
    code = world.org()
    cert_id = world.certify(code, "A3.erc", "provincial")
    body = {"tier": "municipal", "effective_on": "2024-01-01", "document_ref": "D"}
    zh = api.refused("POST", f"/v1/certifications/{cert_id}/upgrades", body, "kjj", 422, "not_an_upgrade",
                     headers={"Accept-Language": "zh"})
    assert "“市级” < “省级” < “国家级”" in zh["detail"] and "municipal" not in zh["detail"], zh
    held = api.ok("GET", f"/v1/certifications/{cert_id}", as_="kjj")
    again = {"uscc": code, "programme": "A3.erc", "tier": "provincial", "effective_on": "2023-03-01",
             "document_ref": "杭科认〔2023〕9号", "body_id": held["body_id"]}
    twice = api.refused("POST", "/v1/certifications", again, "kjj", 409, "conflict",
                        headers={"Accept-Language": "zh"})
    assert "（“省级”）" in twice["detail"] and "provincial" not in twice["detail"], twice
    # ... and so do an upgrade dated before the rung it climbs from, and a claim whose tier disagrees with the
    # certification's (a regression probe found the codes beside the fix)
    api.ok("POST", f"/v1/certifications/{cert_id}/upgrades",
           {"tier": "national", "effective_on": "2024-02-01", "document_ref": "D2"}, as_="kjj", status=201)
    climbing = world.certify(world.org(), "A3.erc", "municipal")
    api.ok("POST", f"/v1/certifications/{climbing}/upgrades",
           {"tier": "provincial", "effective_on": "2024-02-01", "document_ref": "D5"}, as_="kjj", status=201)
    early = api.call("POST", f"/v1/certifications/{climbing}/upgrades",
                     {"tier": "national", "effective_on": "2024-01-01", "document_ref": "D3"}, "kjj",
                     headers={"Accept-Language": "zh"}).json()
    assert "当前等次（“省级”" in early["detail"] and "provincial" not in early["detail"], early
    claim = {"uscc": code, "programme": "A3.erc", "award_year": 2024, "effective_on": "2024-03-01",
             "certification_id": cert_id, "document_ref": "D4"}
    for tier in ("provincial", "municipal"):
        lower = api.call("POST", "/v1/claims", claim | {"tier": tier}, "kjj", headers={"Accept-Language": "zh"})
        said = lower.json()["detail"]
        assert lower.status_code >= 400 and tier not in said and "“国家级”" in said, said
    # a bureau not leading the programme is told the programme by its name
    claim_id = api.ok("POST", "/v1/claims", claim, as_="kjj", status=201)["id"]
    other = api.refused("POST", f"/v1/claims/{claim_id}/approve", {}, "jxj", 403, "not_lead_bureau",
                        headers={"Accept-Language": "zh"})
    assert "工程研究中心" in other["detail"], other


def test_a_programme_without_a_ladder_says_so_rather_than_naming_one(api, world):
    """A3.mic's tiers climb nothing: "national is not above municipal on the ladder national" named a ladder of
    one rung (a rules probe); the refusal says there is no ladder and what to record instead, in both languages."""
    cert_id = world.certify(world.org(), "A3.mic", "municipal")
    body = {"tier": "national", "effective_on": "2024-01-01", "document_ref": "D"}
    path = f"/v1/certifications/{cert_id}/upgrades"
    en = api.refused("POST", path, body, "kjj", 422, "not_an_upgrade", headers={"Accept-Language": "en"})
    assert "do not form a ladder" in en["detail"] and "POST /v1/certifications" in en["detail"], en
    zh = api.refused("POST", path, body, "kjj", 422, "not_an_upgrade", headers={"Accept-Language": "zh"})
    assert "不构成晋级序列" in zh["detail"] and "晋级序列 national" not in zh["detail"], zh
    # A6's champions stand on no ladder beside its SME rungs: "not rungs of one ladder", either way round.
    for held, wanted in (("hidden_champion", "little_giant"), ("provincial_sme", "single_champion")):
        cert_id = world.certify(world.org(), "A6.honour", held, as_="jxj")
        said = api.refused("POST", f"/v1/certifications/{cert_id}/upgrades", {**body, "tier": wanted}, "jxj", 422,
                           "not_an_upgrade", headers={"Accept-Language": "en"})["detail"]
        assert f"{held} and {wanted} are not rungs of one ladder" in said and "POST /v1/certifications" in said


def test_only_the_lead_bureau_certifies(api, world):
    """jxj recording or upgrading a kjj programme is 403 `not_lead_bureau`; finance is 403 `forbidden`."""
    org = world.org()
    body = {"uscc": org, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
            "document_ref": "DOC-1"}
    problem = api.refused("POST", "/v1/certifications", body, "jxj", 403, "not_lead_bureau")
    assert "kjj" in problem["detail"]
    api.refused("POST", "/v1/certifications", body, "finance", 403, "forbidden")
    cert_id = world.certify(org)
    api.refused("POST", f"/v1/certifications/{cert_id}/upgrades",
                {"tier": "national", "effective_on": "2024-05-10", "document_ref": "D"}, "jxj", 403,
                "not_lead_bureau")
