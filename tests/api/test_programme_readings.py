"""GET /v1/programmes shows the pinned readings as data (issue 13): ladders, pools, rank rules, body kinds,
subject kinds and decided amounts, so a client can tell what a claim needs before sending it."""
from __future__ import annotations


def test_programmes_show_ladders_pools_and_rank_rules(api):
    """Prize grades are ladders per subject, A13's programmes draw on one pool, ranked programmes hold rank slots,
    recognition awards name their body kind, decided programmes need a stated amount."""
    catalogue = api.ok("GET", "/v1/programmes", as_="auditor")
    programmes = {p["code"]: p for p in catalogue["programmes"]}
    assert catalogue["subject_kinds"] == ["project", "product", "standard"]
    assert catalogue["pools"] == [{"code": "A13.fund", "article": 13, "limit": "100000000.00",
                                   "names": {"zh": "政策性股权投资基金", "en": "Policy equity investment fund"},
                                   "programmes": ["A13.equity", "A13.follow_on"],
                                   "reading": catalogue["pools"][0]["reading"]}]
    equity = programmes["A13.equity"]
    assert {c["scope"]: c.get("pool") for c in equity["caps"]} == {"project": None, "pool": "A13.fund"}
    assert equity["decided_amount"] and equity["subject_kind"] == "project" and equity["subject_required"]
    national = programmes["A9.national_award"]
    assert national["ladders"] == [["second", "first"]] and national["ladder_per"] == "subject"
    assert national["one_unit_per_rank"] and not programmes["A5.voucher"]["one_unit_per_rank"]
    assert programmes["A3.erc"]["body_kind"] == "erc" and programmes["A3.alliance"]["once_per"] == "body"
    assert programmes["A4.challenge"]["caps"][0]["scope"] == "project"
    assert not programmes["A5.voucher"]["decided_amount"] and not programmes["A5.voucher"]["subject_required"]
