"""Rules 1 and 13: the alliance's start-up award (A3.alliance, no levels) rewards the body's recognition, and an
alliance recognised before the term (2022-09-06) is not "新认定的", whether or not a certification dated in the
term was recorded for it (a rules probe had one recognised in 2021 paid 300,000; a regression probe, once it had
such a certification). Nothing is written."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api, World, body_kind

ZH = {"Accept-Language": "zh"}


@pytest.mark.parametrize("certified", [False, True])
def test_an_alliance_recognised_before_the_term_gets_no_start_up_award(api: Api, world: World, certified: bool):
    lead = world.org(member=False)
    old = world.body(lead=lead, kind="alliance", recognised_on="2021-01-01")
    claim = {"uscc": lead, "programme": "A3.alliance", "award_year": 2023, "effective_on": "2023-06-01",
             "body_id": old, "requested_amount": "300000.00"}
    if certified:
        cert = world.certify(lead, "A3.alliance", tier=None, effective_on="2023-03-01", body_id=old)
        claim = claim | {"certification_id": cert}
    before = api.events()
    refused = api.refused("POST", "/v1/claims", claim, "kjj", 409, "outside_policy_term", headers=ZH)
    assert "2021-01-01" in refused["detail"] and "创新组织的认定日期" in refused["detail"], refused
    assert api.events() == before
    fresh = world.body(lead=lead, kind="alliance", recognised_on="2022-09-06")
    on_fresh = {k: v for k, v in claim.items() if k != "certification_id"} | {"body_id": fresh}
    made = api.ok("POST", "/v1/claims", on_fresh, as_="kjj")
    assert made["entitled_amount"] == "300000.00"


@pytest.mark.parametrize("programme, tier", [("A3.alliance", None), ("A3.erc", "provincial")])
def test_a_certification_dated_before_the_bodys_recognition_is_refused_and_writes_nothing(
        api: Api, world: World, programme: str, tier: str | None):
    """Rule 13: a body's certification (its level) cannot predate the body's recognition; it is refused
    not_eligible naming both days and what to check, in the reader's language, and nothing is written. The day
    of the recognition itself is taken."""
    lead = world.org(member=False)
    body = world.body(lead=lead, kind=body_kind(programme), recognised_on="2023-05-10")
    cert = {"uscc": lead, "programme": programme, "effective_on": "2023-05-09", "document_ref": "杭科〔2023〕9号",
            "body_id": body} | ({} if tier is None else {"tier": tier})
    before = api.events()
    refused = api.refused("POST", "/v1/certifications", cert, "kjj", 409, "not_eligible", headers=ZH)
    assert "2023-05-10" in refused["detail"] and "2023-05-09" in refused["detail"], refused
    assert "请对照" in refused["detail"], refused
    english = api.refused("POST", "/v1/certifications", cert, "kjj", 409, "not_eligible")
    assert "on or after the body's recognition" in english["detail"], english
    assert api.events() == before
    made = api.ok("POST", "/v1/certifications", cert | {"effective_on": "2023-05-10"}, as_="kjj")
    assert made["effective_on"] == "2023-05-10"
