"""Rules 1 and 13: the alliance's start-up award (A3.alliance, no levels) rewards the body's recognition, and an
alliance recognised before the term (2022-09-06) is not "新认定的", whether or not a certification dated in the
term was recorded for it (a rules probe had one recognised in 2021 paid 300,000; a regression probe, once it had
such a certification). Nothing is written."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api, World

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
