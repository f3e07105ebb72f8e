"""A claim's tier or rank under a programme that has none is refused where it is sent, on both stores (an
otherfacts probe: a voucher claim sent with `tier: "first"` and `rank: 3` was taken, the tier dropped and the rank
kept on the claim). Refused, it writes nothing; where the programme has tiers and ranks, they are taken."""
from __future__ import annotations

from tests.api.conftest import Api, World


def test_a_tier_or_rank_a_programme_does_not_have_is_refused(api: Api, world: World) -> None:
    org = world.org()
    voucher = {"uscc": org, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
               "basis_amount": "1000000.00"}
    tier = api.refused("POST", "/v1/claims", voucher | {"tier": "first"}, "kjj", 422, "unknown_tier")
    assert "A5.voucher has no tiers; leave tier out" in tier["detail"], tier
    rank = api.refused("POST", "/v1/claims", voucher | {"rank": 3}, "kjj", 422, "invalid_request",
                       headers={"Accept-Language": "zh"})
    assert "不按排名奖励；请不要填写 rank" in rank["detail"], rank
    assert api.ok("POST", "/v1/claims", voucher, as_="kjj")["rank"] is None
    prize = api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A9.national_award", "award_year": 2023,
                                          "effective_on": "2023-06-01", "tier": "second", "rank": 2,
                                          "subject": "project:NA-7"}, as_="kjj")
    assert (prize["tier"], prize["rank"], prize["entitled_amount"]) == ("second", 2, "500000.00")


def test_a_rank_under_a_tier_that_pays_no_rank_is_not_kept(api: Api, world: World) -> None:
    """A regression probe: `rank: 1` on A11's international_participate (rule 11 ranks the national and industry
    standards only) was kept, and another unit's claim on the same standard, also sent with rank 1, was then
    refused `conflict` for that rank. The rank is not kept under a tier that pays none, so both units are paid;
    the national tier still takes its rank, and holds it."""
    one, two = world.org(), world.org()
    body = {"programme": "A11.standard", "award_year": 2023, "effective_on": "2023-06-01",
            "subject": "standard:ISO-31000", "tier": "international_participate", "rank": 1}
    for org in (one, two):
        taken = api.ok("POST", "/v1/claims", body | {"uscc": org}, as_="scjgj")
        assert (taken["rank"], taken["entitled_amount"]) == (None, "500000.00"), taken
    national = body | {"tier": "national", "rank": 2, "subject": "standard:GB-31000"}
    assert api.ok("POST", "/v1/claims", national | {"uscc": one}, as_="scjgj")["rank"] == 2
    held = api.refused("POST", "/v1/claims", national | {"uscc": two}, "scjgj", 409, "conflict",
                       headers={"Accept-Language": "zh"})
    assert "“待审批”" in held["detail"] and "pending" not in held["detail"], held  # a second regression probe
