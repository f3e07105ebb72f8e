"""A subject that reads like another (a letter, digit, mark or sign of another script) is refused where it comes in,
over HTTP on both stores: a claim's and a certification's, in Chinese too, writing nothing. Probes had two units each
approved 5,000,000 on one project that looked the same (a Cyrillic "Р"; an "i" with a combining dot above)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("subject", ["project:\u0420RJ-1", "project:Pi\u0307lot-N", "project:PRJ\u2571\u0661"])
def test_a_look_alike_subject_is_refused_where_it_comes_in(api, world, subject) -> None:
    org = world.org()
    claim = {"uscc": org, "programme": "A4.challenge", "award_year": 2023, "effective_on": "2023-06-01",
             "subject": subject, "basis_amount": "1000000.00"}
    zh = api.refused("POST", "/v1/claims", claim, "kjj", 422, "invalid_request", headers={"Accept-Language": "zh"})
    assert zh["field"] == "subject" and "形近" in zh["detail"], zh
    api.refused("POST", "/v1/certifications", {"uscc": org, "programme": "A9.national_award", "tier": "first",
                                               "effective_on": "2023-01-08", "subject": subject,
                                               "document_ref": "国科奖〔2023〕1号"}, "kjj", 422, "invalid_request")
    plain = api.ok("POST", "/v1/claims", claim | {"subject": "project:PRJ-1"}, as_="kjj")
    assert plain["subject"] == "project:PRJ-1"
