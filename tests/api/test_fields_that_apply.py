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
