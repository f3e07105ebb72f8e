"""The rules that cut across programmes (catalogue.md), one by one, run as sequences of claims."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from ledger.rules import Entitlement
from tests.unit.book import Book, member

D = Decimal
TERM = "2022-09-06 to 2025-09-05 inclusive"


def step(entitlement: Entitlement, rule: str):
    """The explanation step of `rule`; fails the test if the rule was not applied."""
    found = [s for s in entitlement.steps if s.rule == rule]
    assert found, f"no {rule} step in {[s.rule for s in entitlement.steps]}"
    return found[0]


# ---------------------------------------------------------------- 1. term


@pytest.mark.parametrize("day", [date(2022, 9, 5), date(2025, 9, 6), date(2021, 1, 1)])
def test_effective_date_outside_the_term_is_refused(day):
    """Rule 1: a claim resting on a fact dated outside 2022-09-06..2025-09-05 is refused, naming the term."""
    org = member(joined_on=date(2020, 1, 1))
    err = Book().refused(org, "A3.erc", "outside_policy_term", tier="municipal", effective_on=day, award_year=2022)
    assert TERM in err.detail and err.context["term"] == TERM


@pytest.mark.parametrize(("day", "year"), [(date(2022, 9, 6), 2022), (date(2025, 9, 5), 2025)])
def test_first_and_last_day_of_the_term_are_inside(day, year):
    """Rule 1: the term's first and last days are inside it."""
    entitlement = Book().evaluate(member(), "A3.erc", tier="municipal", effective_on=day, award_year=year)
    assert entitlement.amount == D("200000.00")
    assert TERM in step(entitlement, "term").detail


@pytest.mark.parametrize("year", [2021, 2026])
def test_award_year_outside_the_term_is_refused(year):
    """Rule 1: an award year that does not overlap the term is refused even when the date is inside."""
    Book().refused(member(), "A5.voucher", "outside_policy_term", basis_amount="1000", award_year=year)


# ---------------------------------------------------------------- 2. one time means once


@pytest.mark.parametrize(("code", "tier", "rank"), [
    ("A3.erc", "municipal", None), ("A6.honour", "single_champion", None), ("A9.national_award", "first", 1),
    ("A11.standard", "industry", 2),
])
def test_same_tier_twice_is_already_awarded(code, tier, rank):
    """Rule 2: a tiered award is paid once per organisation, programme and tier."""
    book, org = Book(), member()
    first, _ = book.claim(org, code, tier=tier, rank=rank, subject="subject:S")
    err = book.refused(org, code, "already_awarded", tier=tier, rank=rank, subject="subject:S", award_year=2024)
    assert err.context["earlier_claim"] == first


def test_approved_tier_blocks_as_pending_does():
    """Rule 2: an approved award blocks the same tier just as a pending claim does."""
    book, org = Book(), member()
    book.claim(org, "A3.consortium", tier="provincial", status="approved")
    book.refused(org, "A3.consortium", "already_awarded", tier="provincial")


def test_rejected_earlier_claim_frees_the_tier():
    """Rule 2: a rejected claim is no award, so the same tier may be claimed again."""
    book, org = Book(), member()
    first, _ = book.claim(org, "A3.erc", tier="provincial")
    book.set_status(first, "rejected")
    assert book.amount(org, "A3.erc", tier="provincial") == D("500000.00")


@pytest.mark.parametrize(("code", "given"), [("A3.alliance", {}), ("A10.first_set", {"subject": "product:F"})])
def test_one_time_capped_awards(code, given):
    """Rule 2: the alliance start-up award is once per organisation, the first-set award once per product."""
    book, org = Book(), member()
    book.claim(org, code, requested_amount="100000", **given)
    book.refused(org, code, "already_awarded", requested_amount="100000", award_year=2024, **given)


def test_first_set_is_once_per_product_not_per_organisation():
    """Rule 2: a second first-set product of the same organisation is its own award."""
    book, org = Book(), member()
    assert book.amount(org, "A10.first_set", subject="product:F-1") == D("500000.00")
    assert book.amount(org, "A10.first_set", subject="product:F-2") == D("500000.00")


# ---------------------------------------------------------------- 3. upgrade top-up


def test_erc_municipal_then_national_tops_up_the_difference():
    """Rule 3: municipal ERC 200,000 then national ERC pays 800,000 more; 1,000,000 in all."""
    book, org = Book(), member()
    first, municipal = book.claim(org, "A3.erc", tier="municipal", status="approved")
    _, national = book.claim(org, "A3.erc", tier="national", award_year=2024)
    assert (municipal.amount, national.amount, national.gross) == (D("200000.00"), D("800000.00"), D("1000000.00"))
    top_up = step(national, "upgrade_top_up")
    assert top_up.article == 16 and top_up.amount == D("800000.00") and first in top_up.detail
    assert "1,000,000.00 - 200,000.00 = 800,000.00" in top_up.detail


def test_every_rung_of_the_erc_ladder_tops_up():
    """Rule 3: municipal, provincial, national in turn pay 200,000, 300,000 and 500,000."""
    book, org = Book(), member()
    amounts = [book.amount(org, "A3.erc", tier=t) for t in ("municipal", "provincial", "national")]
    assert amounts == [D("200000.00"), D("300000.00"), D("500000.00")]


@pytest.mark.parametrize("lower", ["provincial", "municipal", "national"])
def test_lower_or_same_tier_after_national_is_already_awarded(lower):
    """Rule 3: after the national ERC, a provincial or municipal (or another national) claim gets nothing."""
    book, org = Book(), member()
    book.claim(org, "A3.erc", tier="national")
    book.refused(org, "A3.erc", "already_awarded", tier=lower, award_year=2024)


def test_rejected_lower_rung_is_not_deducted():
    """Rule 3: a rejected municipal claim paid nothing, so the national claim is owed in full."""
    book, org = Book(), member()
    first, _ = book.claim(org, "A3.erc", tier="municipal")
    book.set_status(first, "rejected")
    assert book.amount(org, "A3.erc", tier="national") == D("1000000.00")


@pytest.mark.parametrize("code", ["A3.consortium", "A3.community"])
def test_recognition_ladders(code):
    """Rule 3: a municipal consortium or community that becomes provincial is owed 200,000 more."""
    book, org = Book(), member()
    assert [book.amount(org, code, tier=t) for t in ("municipal", "provincial")] == [D("300000.00"), D("200000.00")]


def test_provincial_sme_to_little_giant_tops_up():
    """Rule 3 (reading): a provincial specialised SME that becomes a little giant is owed 800,000 more."""
    book, org = Book(), member()
    assert book.amount(org, "A6.honour", tier="provincial_sme") == D("200000.00")
    assert book.amount(org, "A6.honour", tier="little_giant") == D("800000.00")
    book.refused(org, "A6.honour", "already_awarded", tier="provincial_sme")


def test_single_and_hidden_champion_stand_alone():
    """Rule 3 (reading): single champion and hidden champion are no rungs of the SME ladder: each pays in full."""
    book, org = Book(), member()
    assert book.amount(org, "A6.honour", tier="provincial_sme") == D("200000.00")
    assert book.amount(org, "A6.honour", tier="little_giant") == D("800000.00")
    assert book.amount(org, "A6.honour", tier="hidden_champion") == D("1000000.00")
    assert book.amount(org, "A6.honour", tier="single_champion") == D("2000000.00")


def test_ladders_are_per_organisation():
    """Rule 3: another organisation's municipal ERC does not reduce this one's national ERC."""
    book = Book()
    book.claim(member(), "A3.erc", tier="municipal")
    assert book.amount(member(), "A3.erc", tier="national") == D("1000000.00")


# ---------------------------------------------------------------- 4. best, highest, never twice


def test_same_project_pays_the_highest_once():
    """Rule 4, the public example: challenge 600,000, provincial first prize superseded, national second +400,000."""
    book, org = Book(), member()
    challenge, first = book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:P-9")
    assert first.amount == D("600000.00")
    err = book.refused(org, "A9.provincial_award", "superseded", tier="first", rank=1, subject="project:P-9",
                       award_year=2024)
    assert err.context["earlier_claim"] == challenge and "A4.challenge" in err.detail
    _, national = book.claim(org, "A9.national_award", tier="second", rank=1, subject="project:P-9",
                             award_year=2024)
    assert national.amount == D("400000.00")
    supersession = step(national, "supersession")
    assert supersession.article == 16 and challenge in supersession.detail and "400,000.00" in supersession.detail


def test_equal_entitlement_for_the_subject_is_superseded():
    """Rule 4: a later award equal to the subject's best is refused, not paid again."""
    book, org = Book(), member()
    book.claim(org, "A10.first_set", subject="product:X")
    book.refused(org, "A9.provincial_award", "superseded", tier="first", rank=1, subject="product:X")


def test_other_subjects_do_not_interact():
    """Rule 4: awards for different subjects of the same organisation add up."""
    book, org = Book(), member()
    book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:P-1")
    assert book.amount(org, "A9.provincial_award", tier="first", rank=1, subject="project:P-2") == D("500000.00")


def test_co_winners_are_not_superseded_by_each_other():
    """Rule 4: other organisations' awards for the same subject are their own and do not interact."""
    book = Book()
    assert book.amount(member(), "A9.national_award", tier="first", rank=1, subject="project:NA-1") == D("5000000.00")
    assert book.amount(member(), "A9.national_award", tier="first", rank=3, subject="project:NA-1") == D("2500000.00")
    assert book.amount(member(), "A4.challenge", basis_amount="1000000", subject="project:NA-1") == D("300000.00")


def test_rejected_award_does_not_supersede():
    """Rule 4: a rejected earlier claim for the subject outranks nothing."""
    book, org = Book(), member()
    first, _ = book.claim(org, "A9.national_award", tier="first", rank=1, subject="project:P")
    book.set_status(first, "rejected")
    assert book.amount(org, "A9.provincial_award", tier="first", rank=1, subject="project:P") == D("500000.00")


def test_ladder_and_subject_are_not_deducted_twice():
    """Rules 3 and 4 together: an upgrade on a subject that another programme also paid deducts each award once."""
    book, org = Book(), member()
    book.claim(org, "A4.matching", requested_amount="150000", subject="centre:C")
    assert book.amount(org, "A3.erc", tier="municipal", subject="centre:C") == D("50000.00")
    assert book.amount(org, "A3.erc", tier="national", subject="centre:C") == D("800000.00")


# ---------------------------------------------------------------- 5. caps


def test_voucher_annual_cap():
    """Rule 5, the public example: vouchers 300,000 then 200,000 (cut), then refused; next year is fresh."""
    book, org = Book(), member()
    assert book.amount(org, "A5.voucher", basis_amount="1000000") == D("300000.00")
    _, second = book.claim(org, "A5.voucher", basis_amount="1000000")
    assert (second.gross, second.amount) == (D("300000.00"), D("200000.00"))
    cut = step(second, "cap:enterprise_year")
    assert cut.article == 5 and "500,000.00" in cut.detail and "cut by 100,000.00" in cut.detail
    err = book.refused(org, "A5.voucher", "cap_exceeded", basis_amount="1000000")
    assert "500,000.00" in err.detail and "A5.voucher" in err.context["cap"]
    assert book.amount(org, "A5.voucher", basis_amount="1000000", award_year=2024) == D("300000.00")


def test_caps_are_per_enterprise():
    """Rule 5: one enterprise's vouchers leave another's cap untouched."""
    book = Book()
    book.claim(member(), "A5.voucher", basis_amount="2000000")
    assert book.amount(member(), "A5.voucher", basis_amount="2000000") == D("500000.00")


def test_computing_cap_runs_over_the_term():
    """Rule 5 (reading): the computing subsidy's 1,000,000 is per enterprise over the whole term, across years."""
    book, org = Book(), member()
    assert book.amount(org, "A5.computing", basis_amount="3000000", award_year=2023) == D("600000.00")
    _, second = book.claim(org, "A5.computing", basis_amount="3000000", award_year=2024)
    assert second.amount == D("400000.00") and "cut by 200,000.00" in step(second, "cap:enterprise_term").detail
    book.refused(org, "A5.computing", "cap_exceeded", basis_amount="3000000", award_year=2025)


def test_tech_transfer_annual_cap():
    """Rule 5: technology take-over support is at most 1,000,000 per enterprise per year."""
    book, org = Book(), member()
    assert book.amount(org, "A8.tech_transfer", basis_amount="4000000") == D("800000.00")
    assert book.amount(org, "A8.tech_transfer", basis_amount="4000000") == D("200000.00")
    book.refused(org, "A8.tech_transfer", "cap_exceeded", basis_amount="4000000")
    assert book.amount(org, "A8.tech_transfer", basis_amount="4000000", award_year=2024) == D("800000.00")


def test_challenge_project_cap_across_claims_on_the_same_project():
    """Rule 5: A4.challenge pays at most 5,000,000 per project however many claims; a restated claim is cut."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="10000000", subject="project:P") == D("3000000.00")
    _, second = book.claim(org, "A4.challenge", basis_amount="20000000", subject="project:P", award_year=2024)
    assert second.amount == D("2000000.00")
    assert "cut by 4,000,000.00" in step(second, "cap:project").detail
    book.refused(org, "A4.challenge", "cap_exceeded", basis_amount="30000000", subject="project:P", award_year=2025)
    assert book.used(second.accounts[-1]) == D("5000000.00")


def test_challenge_project_cap_is_not_shared_across_projects():
    """Rule 5: each project has its own 5,000,000."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="20000000", subject="project:P-1") == D("5000000.00")
    assert book.amount(org, "A4.challenge", basis_amount="20000000", subject="project:P-2") == D("5000000.00")


def test_challenge_claims_on_the_same_project_accumulate_under_its_cap():
    """Rules 4 and 5 (reading): claims under ONE programme for one project add up to its cap; rule 4 is across
    programmes only."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="10000000", subject="project:P") == D("3000000.00")
    assert book.amount(org, "A4.challenge", basis_amount="10000000", subject="project:P") == D("2000000.00")
    book.refused(org, "A4.challenge", "cap_exceeded", basis_amount="10000000", subject="project:P")


def test_programme_standing_on_a_subject_is_the_sum_of_its_claims():
    """Rule 4 (reading): a programme's standing for a subject sums its claims, and outranks a lower single award."""
    book, org = Book(), member()
    book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:Q")
    book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:Q")
    book.refused(org, "A9.national_award", "superseded", tier="second", rank=1, subject="project:Q")
    assert book.amount(org, "A9.national_award", tier="first", rank=3, subject="project:Q") == D("1300000.00")


def test_challenge_claims_naming_no_project_share_one_project_cap():
    """Rule 5 (reading): challenge claims that name no project all count against one unnamed project's cap."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="10000000") == D("3000000.00")
    assert book.amount(org, "A4.challenge", basis_amount="10000000") == D("2000000.00")
    book.refused(org, "A4.challenge", "cap_exceeded", basis_amount="10000000")


def test_standard_cap_is_summed_over_the_members_of_one_body():
    """Rule 5: A11 pays at most 1,000,000 per innovation organisation per year, over all its member units."""
    book = Book()
    first, second, third = member(body="B-7"), member(body="B-7"), member(body="B-7")
    assert book.amount(first, "A11.standard", tier="international_lead", subject="standard:ISO-1") == D("1000000.00")
    err = book.refused(second, "A11.standard", "cap_exceeded", tier="international_lead", subject="standard:ISO-2")
    assert "B-7:2023" in err.context["cap"]
    assert book.amount(third, "A11.standard", tier="international_lead", subject="standard:ISO-3",
                       award_year=2024) == D("1000000.00")
    assert book.amount(member(body="B-8"), "A11.standard", tier="international_lead",
                       subject="standard:ISO-4") == D("1000000.00")


def test_standard_cap_cuts_the_last_member_to_the_headroom():
    """Rule 5: the member whose standard award would pass the body's yearly 1,000,000 gets the headroom left."""
    book = Book()
    book.claim(member(body="B-7"), "A11.standard", tier="international_participate", subject="standard:S-1")
    book.claim(member(body="B-7"), "A11.standard", tier="national", rank=1, subject="standard:S-2")
    _, last = book.claim(member(body="B-7"), "A11.standard", tier="international_participate", subject="standard:S-3")
    assert (last.gross, last.amount) == (D("500000.00"), D("300000.00"))
    cut = step(last, "cap:organisation_year")
    assert cut.article == 11 and "700,000.00 already used" in cut.detail and "cut by 200,000.00" in cut.detail


def test_pending_reserves_and_rejected_releases():
    """Rule 5: a pending claim reserves cap headroom; rejecting it gives the headroom back."""
    book, org = Book(), member()
    first, _ = book.claim(org, "A5.voucher", basis_amount="1000000")
    second, _ = book.claim(org, "A5.voucher", basis_amount="1000000", status="approved")
    book.refused(org, "A5.voucher", "cap_exceeded", basis_amount="1000000")
    book.set_status(first, "rejected")
    assert book.amount(org, "A5.voucher", basis_amount="1000000") == D("300000.00")
    book.set_status(second, "rejected")
    assert book.amount(org, "A5.voucher", basis_amount="1000000") == D("200000.00")


# ---------------------------------------------------------------- 6. decided amounts and 9. claims for nothing


def test_decided_amount_above_the_cap_is_refused_not_cut():
    """Rule 6: a requested amount above a capped programme's cap is refused cap_exceeded."""
    Book().refused(member(), "A3.alliance", "cap_exceeded", requested_amount="300000.01")


@pytest.mark.parametrize(("code", "given"), [("A3.alliance", {"requested_amount": "0"}),
                                             ("A12.talent", {"requested_amount": "0"})])
def test_claim_for_nothing_is_refused(code, given):
    """Rule 9: a claim that comes to nothing is refused, never awarded zero."""
    Book().refused(member(), code, "not_eligible", **given)


# ---------------------------------------------------------------- explanations


SEQUENCE = [
    ("A3.erc", {"tier": "municipal"}), ("A3.erc", {"tier": "national"}),
    ("A5.voucher", {"basis_amount": "1000000"}), ("A5.voucher", {"basis_amount": "1000000"}),
    ("A4.challenge", {"basis_amount": "2000000", "subject": "project:P-9"}),
    ("A9.national_award", {"tier": "second", "rank": 1, "subject": "project:P-9"}),
    ("A9.national_award", {"tier": "first", "rank": 2, "subject": "project:P-9"}),
    ("A11.standard", {"tier": "national", "rank": 2, "subject": "standard:S"}),
    ("A12.talent", {"requested_amount": "12345.67"}),
]


def test_every_explanation_lets_one_redo_the_sum():
    """Each step names its rule, article and detail; amounts start at the gross and end at the entitlement."""
    book, org = Book(), member()
    for code, given in SEQUENCE:
        _, entitlement = book.claim(org, code, **given)
        steps = entitlement.steps
        assert all(s.rule and s.detail for s in steps)
        assert all(isinstance(s.article, int) for s in steps[:-1])
        assert steps[-1].rule == "entitlement" and steps[-1].amount == entitlement.amount
        amounts = [s.amount for s in steps if s.amount is not None]
        assert amounts[0] == entitlement.gross or step(entitlement, "rank_share").amount == entitlement.gross
        assert all(later <= earlier for earlier, later in pairwise(amounts))
        for row in entitlement.explanation():
            assert set(row) == {"rule", "article", "detail", "amount"}
            assert row["amount"] is None or Decimal(row["amount"]).as_tuple().exponent == -2
