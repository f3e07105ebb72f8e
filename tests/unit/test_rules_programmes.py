"""Each programme of catalogue.md, row by row: what a single claim is entitled to, or why it is refused."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.rules import Membership, OrganisationFacts
from tests.unit.book import CATALOGUE, Book, claimant, member, new_uscc, outsider

D = Decimal

# A claim each money programme accepts from a plain member (or a chain leader leading its body).
VALID = {
    "A3.consortium": {"tier": "municipal"},
    "A3.community": {"tier": "municipal"},
    "A3.alliance": {"requested_amount": "300000"},
    "A3.mic": {"tier": "national", "requested_amount": "800000"},
    "A3.erc": {"tier": "municipal"},
    "A4.challenge": {"basis_amount": "1000000", "subject": "project:P-1"},
    "A4.matching": {"requested_amount": "1000000", "subject": "project:NMP-1"},
    "A5.voucher": {"basis_amount": "100000"},
    "A5.computing": {"basis_amount": "100000"},
    "A6.chain_leader_rd": {"basis_amount": "1000000"},
    "A6.honour": {"tier": "little_giant"},
    "A8.orders": {"basis_amount": "100000000", "requested_amount": "800000"},
    "A8.tech_transfer": {"basis_amount": "100000"},
    "A9.national_award": {"tier": "second", "rank": 1, "subject": "project:NA-1"},
    "A9.provincial_award": {"tier": "third", "rank": 1, "subject": "project:PA-1"},
    "A10.first_set": {"subject": "product:F-1", "requested_amount": "500000"},
    "A11.standard": {"tier": "industry", "rank": 1, "subject": "standard:GB-1"},
    "A12.talent": {"requested_amount": "50000"},
    "A13.equity": {"subject": "project:EQ-1", "requested_amount": "20000000"},
    "A13.follow_on": {"basis_amount": "1000000", "requested_amount": "200000", "subject": "project:FO-1"},
}
def subject_of(code: str) -> str | None:
    """What a tiered claim under `code` is for, in the form its programme keys it by (rule 2, 4)."""
    kind = CATALOGUE.programme(code).subject_kind  # type: ignore[union-attr]
    return None if kind is None else f"{kind}:T-1"


MEMBERS_ONLY = sorted(set(VALID) - {"A8.tech_transfer"})
CHAIN_LEADER_ONLY = {"A6.chain_leader_rd", "A8.orders"}


def test_every_money_programme_has_a_valid_claim_here():
    """The table of valid claims covers every programme that pays money."""
    assert set(VALID) == {p.code for p in CATALOGUE.programmes.values() if p.kind.value != "designation"}


@pytest.mark.parametrize("code", sorted(VALID))
def test_valid_claim_is_entitled_to_money(code):
    """Every money programme pays a positive amount to an eligible member with the facts it needs."""
    entitlement = Book().evaluate(claimant(code), code, **VALID[code])
    assert entitlement.amount > 0 and entitlement.amount == entitlement.gross
    assert entitlement.policy_version == "2022.1"


# ---------------------------------------------------------------- tiered

TIERS = [
    ("A3.consortium", "provincial", None, "500000.00"), ("A3.consortium", "municipal", None, "300000.00"),
    ("A3.community", "provincial", None, "500000.00"), ("A3.community", "municipal", None, "300000.00"),
    ("A3.erc", "national", None, "1000000.00"), ("A3.erc", "provincial", None, "500000.00"),
    ("A3.erc", "municipal", None, "200000.00"),
    ("A6.honour", "single_champion", None, "2000000.00"), ("A6.honour", "little_giant", None, "1000000.00"),
    ("A6.honour", "hidden_champion", None, "1000000.00"), ("A6.honour", "provincial_sme", None, "200000.00"),
    ("A9.national_award", "first", 1, "5000000.00"), ("A9.national_award", "second", 1, "1000000.00"),
    ("A9.provincial_award", "first", 1, "500000.00"), ("A9.provincial_award", "second", 1, "200000.00"),
    ("A9.provincial_award", "third", 1, "100000.00"),
    ("A11.standard", "international_lead", None, "1000000.00"),
    ("A11.standard", "international_participate", None, "500000.00"),
    ("A11.standard", "national", 3, "200000.00"), ("A11.standard", "industry", 2, "100000.00"),
]


@pytest.mark.parametrize(("code", "tier", "rank", "expected"), TIERS, ids=[f"{r[0]}-{r[1]}" for r in TIERS])
def test_tier_pays_its_fixed_amount(code, tier, rank, expected):
    """A tiered programme pays the amount of the tier the claim names."""
    entitlement = Book().evaluate(claimant(code), code, tier=tier, rank=rank, subject=subject_of(code))
    assert (entitlement.tier, entitlement.amount) == (tier, D(expected))


@pytest.mark.parametrize("code", sorted({r[0] for r in TIERS}))
def test_tiered_claim_needs_a_tier(code):
    """A tiered claim without a tier is missing a field."""
    Book().refused(claimant(code), code, "missing_field", rank=1, subject=subject_of(code))


@pytest.mark.parametrize("code", sorted({r[0] for r in TIERS}))
def test_unknown_tier_is_refused(code):
    """A tier the programme does not have is an unknown tier."""
    Book().refused(claimant(code), code, "unknown_tier", tier="galactic", rank=1, subject=subject_of(code))


@pytest.mark.parametrize(("tier", "rank", "expected"), [
    ("first", 1, "5000000.00"), ("first", 2, "2500000.00"), ("first", 3, "2500000.00"),
    ("first", 5, "2500000.00"), ("second", 1, "1000000.00"), ("second", 4, "500000.00"),
])
def test_national_award_share_by_rank(tier, rank, expected):
    """Art. 9: the first responsible unit gets 100% of the national award, units 2 to 5 get 50%."""
    entitlement = Book().evaluate(member(), "A9.national_award", tier=tier, rank=rank, subject="project:NA")
    assert entitlement.amount == D(expected)
    share = next(s for s in entitlement.steps if s.rule == "rank_share")
    assert share.amount == D(expected) and f"ranked {rank}" in share.detail


@pytest.mark.parametrize(("code", "rank"), [
    ("A9.national_award", 6), ("A9.national_award", 7), ("A9.national_award", 0),
    ("A9.provincial_award", 2), ("A9.provincial_award", 3), ("A9.provincial_award", 6),
])
def test_ranks_beyond_the_shares_get_nothing(code, rank):
    """Art. 9: national award ranks 6 and later, and provincial award ranks after the first, are not eligible."""
    Book().refused(member(), code, "not_eligible", tier="first", rank=rank, subject="project:NA")


@pytest.mark.parametrize("code", ["A9.national_award", "A9.provincial_award"])
def test_award_shares_need_the_rank(code):
    """An Art. 9 award is shared by rank, so a claim without a rank is missing a field."""
    Book().refused(member(), code, "missing_field", tier="first", subject="project:NA")


@pytest.mark.parametrize(("tier", "rank", "ok"), [
    ("national", 1, True), ("national", 3, True), ("national", 4, False), ("national", 0, False),
    ("industry", 1, True), ("industry", 2, True), ("industry", 3, False),
    ("international_lead", None, True), ("international_participate", 9, True),
])
def test_standard_ranks(tier, rank, ok):
    """Art. 11: national standards pay the first three units, industry standards the first two, others nothing."""
    book = Book()
    if ok:
        assert book.evaluate(member(), "A11.standard", tier=tier, rank=rank, subject="standard:S").amount > 0
    else:
        book.refused(member(), "A11.standard", "not_eligible", tier=tier, rank=rank, subject="standard:S")


@pytest.mark.parametrize("tier", ["national", "industry"])
def test_ranked_standard_needs_the_rank(tier):
    """A national or industry standard claim without the unit's rank is missing a field."""
    Book().refused(member(), "A11.standard", "missing_field", tier=tier, subject="standard:S")


# ---------------------------------------------------------------- rates

RATES = [
    ("A4.challenge", "333333.33", "99999.99"), ("A4.challenge", "1000000", "300000.00"),
    ("A5.voucher", "333333.33", "99999.99"), ("A5.voucher", "0.07", "0.02"),
    ("A5.computing", "333333.33", "66666.66"), ("A5.computing", "123.45", "24.69"),
    ("A6.chain_leader_rd", "333333.33", "66666.66"), ("A6.chain_leader_rd", "500000000", "100000000.00"),
    ("A8.tech_transfer", "333333.33", "66666.66"), ("A8.tech_transfer", "0.09", "0.01"),
]


@pytest.mark.parametrize(("code", "basis", "expected"), RATES, ids=[f"{r[0]}-{r[1]}" for r in RATES])
def test_rate_is_rounded_down_to_the_fen(code, basis, expected):
    """A rate programme pays its percentage of the basis, rounded down to the fen, never up."""
    entitlement = Book().evaluate(claimant(code), code, basis_amount=basis, subject="project:R")
    assert entitlement.amount == D(expected)
    rate = next(s for s in entitlement.steps if s.rule == "rate")
    assert rate.amount == D(expected) and "rounded down" in rate.detail


def test_rate_below_one_fen_is_a_claim_for_nothing():
    """A basis so small its share rounds down to 0.00 is refused as not eligible, not awarded zero."""
    Book().refused(member(), "A5.voucher", "not_eligible", basis_amount="0.03")


def test_chain_leader_rd_has_no_amount_cap():
    """A6.chain_leader_rd pays 20% of any R&D input: the text sets no cap."""
    org = claimant("A6.chain_leader_rd")
    book = Book()
    assert book.amount(org, "A6.chain_leader_rd", basis_amount="500000000") == D("100000000.00")
    assert book.amount(org, "A6.chain_leader_rd", basis_amount="500000000", award_year=2024) == D("100000000.00")


@pytest.mark.parametrize("code", sorted(c for c in VALID if CATALOGUE.programme(c).rate is not None))
def test_rate_needs_a_basis(code):
    """A rate claim without basis_amount is missing a field."""
    Book().refused(claimant(code), code, "missing_field", subject="project:R", requested_amount="1")


@pytest.mark.parametrize(("code", "basis", "expected", "cap"), [
    ("A4.challenge", "20000000", "5000000.00", "cap:project"),
    ("A5.voucher", "2000000", "500000.00", "cap:enterprise_year"),
    ("A5.computing", "6000000", "1000000.00", "cap:enterprise_term"),
    ("A8.tech_transfer", "6000000", "1000000.00", "cap:enterprise_year"),
])
def test_rate_is_cut_to_its_cap_on_a_single_claim(code, basis, expected, cap):
    """A rate whose share exceeds the programme's cap is cut to the cap, and the explanation names the cap."""
    entitlement = Book().evaluate(member(), code, basis_amount=basis, subject="project:BIG")
    assert entitlement.amount == D(expected)
    assert entitlement.gross > entitlement.amount
    step = next(s for s in entitlement.steps if s.rule == cap)
    assert step.amount == D(expected) and "cut by" in step.detail


# ---------------------------------------------------------------- capped and decided amounts

CAPPED = [("A3.alliance", "300000.00", {}), ("A8.orders", "1000000.00", {"basis_amount": "100000000"}),
          ("A10.first_set", "500000.00", {"subject": "product:F-1"}),
          ("A13.equity", "20000000.00", {"subject": "project:EQ-1"}),
          ("A13.follow_on", "10000000.00", {"subject": "project:FO-1", "basis_amount": "90000000"})]


@pytest.mark.parametrize(("code", "cap", "given"), CAPPED, ids=[r[0] for r in CAPPED])
def test_decided_programme_without_request_is_missing_the_amount(code, cap, given):
    """Rule 6: "最高不超过" is a ceiling, not a price: with no requested amount the claim is refused, naming the
    field, instead of defaulting to the cap (which would reserve the whole ceiling of a cap or a fund)."""
    err = Book().refused(claimant(code), code, "missing_field", **given)
    assert err.context["field"] == "requested_amount"


@pytest.mark.parametrize(("code", "cap", "given"), CAPPED, ids=[r[0] for r in CAPPED])
def test_capped_request_within_the_cap_is_the_entitlement(code, cap, given):
    """A requested amount below or equal to the cap is what the claim is entitled to."""
    below = D(cap) - D("0.01")
    assert Book().evaluate(claimant(code), code, requested_amount=below, **given).amount == below
    assert Book().evaluate(claimant(code), code, requested_amount=D(cap), **given).amount == D(cap)


@pytest.mark.parametrize(("code", "cap", "given"), CAPPED, ids=[r[0] for r in CAPPED])
def test_capped_request_above_the_cap_is_refused(code, cap, given):
    """Rule 6: a requested amount above the programme's cap is refused cap_exceeded, not silently cut."""
    err = Book().refused(claimant(code), code, "cap_exceeded", requested_amount=D(cap) + D("0.01"), **given)
    assert f"{D(cap):,}" in err.detail


@pytest.mark.parametrize(("code", "given"), [("A3.mic", {"tier": "municipal"}), ("A3.mic", {}),
                                             ("A4.matching", {}), ("A12.talent", {})])
def test_as_required_pays_the_decided_amount_without_cap(code, given):
    """按要求 programmes pay what the bureau decided, however large: there is no formula and no cap."""
    entitlement = Book().evaluate(claimant(code), code, requested_amount="123456789.01", **given)
    assert entitlement.amount == D("123456789.01")


@pytest.mark.parametrize("code", ["A3.mic", "A4.matching", "A12.talent"])
def test_as_required_needs_the_decided_amount(code):
    """An as-required claim without requested_amount is missing a field."""
    err = Book().refused(claimant(code), code, "missing_field")
    assert err.context["field"] == "requested_amount"


def test_mic_unknown_tier_is_refused():
    """A3.mic has national, provincial and municipal centres only."""
    Book().refused(claimant("A3.mic"), "A3.mic", "unknown_tier", tier="regional", requested_amount="1")


def test_investment_follow_on_is_decided_within_its_rate_and_the_project_cap():
    """A13.follow_on invests a decided amount, at most 20% of the venture investor's amount (more is refused,
    rule 6) and at most 10,000,000 per project across every investee. A decided amount is never cut (rule 6; rule 5
    cuts rate and tiered awards): above what the project's cap has left it is refused, naming what is left."""
    book, org, other = Book(), member(), member()
    err = book.refused(org, "A13.follow_on", "cap_exceeded", basis_amount="30000000", requested_amount="6000000.01",
                       subject="project:V")
    assert "20% of venture investor's amount 30,000,000.00, 6,000,000.00" in err.detail
    assert book.amount(org, "A13.follow_on", basis_amount="30000000", requested_amount="6000000",
                       subject="project:V") == D("6000000.00")
    err = book.refused(other, "A13.follow_on", "cap_exceeded", basis_amount="30000000", requested_amount="6000000",
                       subject="project:V")
    assert "request at most 4,000,000.00" in err.detail and "4,000,000.00" in err.zh
    assert err.context["field"] == "requested_amount"
    assert book.amount(other, "A13.follow_on", basis_amount="30000000", requested_amount="4000000",
                       subject="project:V") == D("4000000.00")
    book.refused(org, "A13.follow_on", "cap_exceeded", basis_amount="30000000", requested_amount="1",
                 subject="project:V")


def test_investments_stay_apart_from_awards_on_the_same_subject():
    """Art. 13 fund money does not supersede, nor is it superseded by, an award for the same project."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="10000000", subject="project:X") == D("3000000.00")
    assert book.amount(org, "A13.equity", requested_amount="5000000", subject="project:X") == D("5000000.00")
    assert book.amount(org, "A9.national_award", tier="first", rank=1, subject="project:X") == D("2000000.00")


def test_one_fund_bounds_equity_and_follow_on_together():
    """Rule 5: Art. 13's one 100,000,000 fund is a pool shared by A13.equity and A13.follow_on, every project
    and every organisation: what one draws, the other cannot."""
    book = Book()
    for n in range(4):
        assert book.amount(member(), "A13.equity", requested_amount="20000000",
                           subject=f"project:E{n}") == D("20000000.00")
    assert book.amount(member(), "A13.follow_on", basis_amount="50000000", requested_amount="10000000",
                       subject="project:F1") == D("10000000.00")
    err = book.refused(member(), "A13.equity", "cap_exceeded", requested_amount="20000000", subject="project:E9")
    assert "A13.fund" in err.detail and "request at most 10,000,000.00" in err.detail
    assert err.context["cap"] == "cap:pool:A13.fund:binjiang-2022"
    last = book.evaluate(member(), "A13.equity", requested_amount="10000000", subject="project:E9")
    assert last.amount == D("10000000.00")
    assert "cap:pool:A13.fund:binjiang-2022" in last.accounts
    step = next(s for s in last.steps if s.rule == "cap:pool")
    assert "10,000,000.00 left; not cut" in step.detail and "A13.fund" in step.detail
    book.claim(member(), "A13.equity", requested_amount="10000000", subject="project:E9")
    book.refused(member(), "A13.follow_on", "cap_exceeded", basis_amount="50000", requested_amount="1",
                 subject="project:F2")


def test_a_recorded_decided_claim_re_assessed_is_cut_not_refused():
    """Rule 6 refuses a decided amount above a cap's room when it is decided; a claim already recorded (say, when
    decided amounts were still cut: its amount is what was left then) and re-assessed at approval against less room
    is cut as an award is, so it stays approvable instead of refused for a field /approve does not take."""
    book = Book()
    for n in range(4):
        book.claim(member(), "A13.equity", requested_amount="20000000", subject=f"project:R{n}")
    other, _ = book.claim(member(), "A13.follow_on", basis_amount="50000000", requested_amount="10000000",
                          subject="project:RF")
    recorded, first = book.claim(member(), "A13.equity", requested_amount="10000000", subject="project:R9")
    assert first.amount == D("10000000.00")
    book.set_status(other, "pending", D("15000000.00"))  # the fund holds 5,000,000 less than when it was recorded
    again = book.reassess(recorded)
    assert again.amount == D("5000000.00")
    assert "cut by 5,000,000.00" in next(s for s in again.steps if s.rule == "cap:pool").detail


# ---------------------------------------------------------------- designations and prerequisites


def test_designation_grants_no_money():
    """A claim under a designation (A6.chain_leader) is refused: it is a status, not an award."""
    Book().refused(member(lead=True, chain_leader=True), "A6.chain_leader", "not_eligible")


@pytest.mark.parametrize(("basis", "ok"), [("99999999.99", False), ("100000000", True), ("100000000.00", True),
                                           ("250000000", True), ("0", False)])
def test_orders_threshold(basis, ok):
    """A8.orders: a local order increment below 100,000,000 is refused; at or above it earns up to 1,000,000."""
    book, org = Book(), member(chain_leader=True)
    if ok:
        assert book.evaluate(org, "A8.orders", basis_amount=basis, requested_amount="1000000").amount == D("1000000.00")
    else:
        err = book.refused(org, "A8.orders", "not_eligible", basis_amount=basis, requested_amount="1000000")
        assert "threshold" in err.detail


def test_orders_need_the_increment():
    """A8.orders cannot test its threshold without the order increment."""
    Book().refused(member(chain_leader=True), "A8.orders", "missing_field")


def test_orders_need_the_chain_leader_designation():
    """A8.orders is for chain leaders: without the designation the claim is not eligible."""
    err = Book().refused(member(), "A8.orders", "not_eligible", basis_amount="200000000")
    assert "A6.chain_leader" in err.detail


def test_designation_must_be_held_on_the_effective_date():
    """A chain-leader designation effective after the claim's date does not qualify the claim."""
    org = OrganisationFacts(new_uscc(), True, (Membership("B-1", "consortium", date(2022, 9, 6), date(2022, 9, 6),
                                                           True),), {"A6.chain_leader": date(2023, 6, 1)})
    book = Book()
    book.refused(org, "A8.orders", "not_eligible", basis_amount="200000000", requested_amount="1",
                 effective_on=date(2023, 5, 31))
    assert book.evaluate(org, "A8.orders", basis_amount="200000000", requested_amount="1",
                         effective_on=date(2023, 6, 1)).amount > 0


def test_orders_once_per_award_year():
    """A8.orders is an annual award: a second claim in the same award year is refused, the next year is fine."""
    book, org = Book(), member(chain_leader=True)
    book.claim(org, "A8.orders", basis_amount="150000000", requested_amount="1000000")
    book.refused(org, "A8.orders", "already_awarded", basis_amount="150000000", requested_amount="1000000")
    assert book.amount(org, "A8.orders", basis_amount="150000000", requested_amount="1000000",
                       award_year=2024) == D("1000000.00")


@pytest.mark.parametrize(("lead", "chain_leader"), [(False, True), (True, False), (False, False)])
def test_chain_leader_rd_needs_designation_and_leading_a_body(lead, chain_leader):
    """A6.chain_leader_rd needs the chain-leader designation and the lead of an innovation organisation."""
    Book().refused(member(lead=lead, chain_leader=chain_leader), "A6.chain_leader_rd", "not_eligible",
                   basis_amount="1000000")


def test_tech_transfer_needs_no_membership():
    """A8.tech_transfer benefits a district unit that belongs to no innovation organisation."""
    assert Book().evaluate(outsider(), "A8.tech_transfer", basis_amount="100000").amount == D("20000.00")


def test_tech_transfer_needs_the_district():
    """A8.tech_transfer still refuses a unit outside the district."""
    org = OrganisationFacts(new_uscc(), False)
    Book().refused(org, "A8.tech_transfer", "not_eligible", basis_amount="100000")


@pytest.mark.parametrize("code", sorted(VALID))
def test_outside_the_district_is_not_eligible(code):
    """Art. 1: a unit outside the district is refused under every programme."""
    Book().refused(claimant(code, in_district=False), code, "not_eligible", **VALID[code])


@pytest.mark.parametrize("code", [c for c in MEMBERS_ONLY if not c.startswith("A3.")])
def test_non_member_is_not_eligible(code):
    """Art. 1: a unit that is a member of no recognised innovation organisation is refused."""
    designations = {"A6.chain_leader": date(2022, 9, 6)} if code in CHAIN_LEADER_ONLY else {}
    org = OrganisationFacts(new_uscc(), True, (), designations)
    err = Book().refused(org, code, "not_eligible", **VALID[code])
    assert "member" in err.detail


@pytest.mark.parametrize("code", MEMBERS_ONLY)
def test_membership_after_the_effective_date_does_not_count(code):
    """A membership that starts after the claim's effective date is no membership on that date."""
    org = claimant(code, joined_on=date(2023, 3, 2))
    Book().refused(org, code, "not_eligible", effective_on=date(2023, 3, 1), **VALID[code])
    assert Book().evaluate(org, code, effective_on=date(2023, 3, 2), **VALID[code]).amount > 0


def test_body_not_yet_recognised_does_not_count():
    """Membership counts only once the body itself is recognised."""
    org = OrganisationFacts(new_uscc(), True, (Membership("B-9", "erc", date(2022, 9, 6), date(2024, 1, 1), True),))
    Book().refused(org, "A3.erc", "not_eligible", tier="municipal", effective_on=date(2023, 12, 31))
    assert Book().evaluate(org, "A3.erc", tier="municipal", effective_on=date(2024, 1, 1),
                           award_year=2024).body_id == "B-9"


def test_claim_under_a_body_the_unit_is_not_in_is_refused():
    """Naming a body the claimant is not a member of is not eligible."""
    Book().refused(member(body="B-1"), "A3.erc", "not_eligible", tier="municipal", body_id="B-2")


def test_unknown_programme_is_refused():
    """A programme code that is not in the catalogue is refused with unknown_programme."""
    Book().refused(member(), "A99.moonshot", "unknown_programme")
