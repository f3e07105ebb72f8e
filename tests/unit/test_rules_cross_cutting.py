"""The rules that cut across programmes (catalogue.md), one by one, run as sequences of claims."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from ledger.messages import STEPS_ZH, render_step
from ledger.rules import Entitlement
from ledger.rules.facts import Membership, OrganisationFacts
from tests.unit.book import TERM_START, Book, claimant, member, new_uscc

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
    org = claimant("A3.erc", joined_on=date(2020, 1, 1))
    err = Book().refused(org, "A3.erc", "outside_policy_term", tier="municipal", effective_on=day,
                         award_year=day.year)
    assert TERM in err.detail and err.context["term"] == TERM


@pytest.mark.parametrize(("recognised", "refused"), [(date(2021, 1, 1), True), (date(2022, 9, 5), True),
                                                     (date(2022, 9, 6), False), (date(2023, 5, 1), False)])
def test_a_body_claimed_on_its_recognition_alone_was_recognised_in_the_term(recognised, refused):
    """Rules 1 and 13: an alliance's start-up award standing on its recognition (no certification) rests on the
    recognition's day, which falls inside the term (Art. 3, "对新认定的"); a rules probe had an alliance recognised
    in 2021 paid 300,000."""
    org = OrganisationFacts(new_uscc(), True, (Membership("B-old", "alliance", recognised, recognised, True),))
    given = {"requested_amount": "300000", "effective_on": date(2023, 6, 1), "award_year": 2023}
    if refused:
        err = Book().refused(org, "A3.alliance", "outside_policy_term", **given)
        assert recognised.isoformat() in err.detail and err.context["term"] == TERM
        assert "创新组织的认定日期" in err.zh
    else:
        assert Book().amount(org, "A3.alliance", **given) == D("300000.00")


@pytest.mark.parametrize(("day", "year"), [(date(2022, 9, 6), 2022), (date(2025, 9, 5), 2025)])
def test_first_and_last_day_of_the_term_are_inside(day, year):
    """Rule 1: the term's first and last days are inside it."""
    entitlement = Book().evaluate(claimant("A3.erc"), "A3.erc", tier="municipal", effective_on=day, award_year=year)
    assert entitlement.amount == D("200000.00")
    assert TERM in step(entitlement, "term").detail


# ---------------------------------------------------------------- 10. award year follows the facts


@pytest.mark.parametrize(("day", "year", "ok"), [
    (date(2023, 3, 1), 2023, True), (date(2023, 3, 1), 2024, True), (date(2023, 3, 1), 2022, False),
    (date(2023, 3, 1), 2025, False), (date(2023, 3, 1), 2021, False), (date(2025, 6, 1), 2026, False),
    (date(2022, 12, 31), 2023, True), (date(2024, 12, 31), 2025, True),
])
def test_award_year_is_the_facts_year_or_the_next(day, year, ok):
    """Rule 10: a claim's award year is its fact's year or the year after, and a year of the term; any other
    is refused invalid_request, so a yearly cap cannot be escaped by booking a fact into another year."""
    book = Book()
    if ok:
        assert book.evaluate(member(), "A5.voucher", basis_amount="1000", effective_on=day, award_year=year).amount
    else:
        err = book.refused(member(), "A5.voucher", "invalid_request", basis_amount="1000", effective_on=day,
                           award_year=year)
        assert err.context["field"] == "award_year" and str(day.year) in err.detail


def test_a_yearly_cap_cannot_be_escaped_by_an_earlier_award_year():
    """Rule 10: vouchers for 2024 facts booked into 2023 are refused, so the 2024 cap still binds them."""
    book, org = Book(), member()
    assert book.amount(org, "A5.voucher", basis_amount="2000000", effective_on=date(2024, 3, 1),
                       award_year=2024) == D("500000.00")
    book.refused(org, "A5.voucher", "invalid_request", basis_amount="2000000", effective_on=date(2024, 3, 1),
                 award_year=2023)
    book.refused(org, "A5.voucher", "cap_exceeded", basis_amount="2000000", effective_on=date(2024, 5, 1),
                 award_year=2024)


# ---------------------------------------------------------------- 2. one time means once


@pytest.mark.parametrize(("code", "tier", "rank", "subject"), [
    ("A3.erc", "municipal", None, None), ("A6.honour", "single_champion", None, None),
    ("A9.national_award", "first", 1, "project:S"), ("A11.standard", "industry", 2, "standard:S"),
])
def test_same_tier_twice_is_already_awarded(code, tier, rank, subject):
    """Rule 2: a tiered award is paid once per organisation (body, for Art. 3), programme and tier."""
    book, org = Book(), claimant(code)
    first, _ = book.claim(org, code, tier=tier, rank=rank, subject=subject)
    err = book.refused(org, code, "already_awarded", tier=tier, rank=rank, subject=subject, award_year=2024)
    assert err.context["earlier_claim"] == first


def test_approved_tier_blocks_as_pending_does():
    """Rule 2: an approved award blocks the same tier just as a pending claim does; the refusal says which it is
    (a pending claim was said to have "awarded" the rung: a rules probe)."""
    book, org = Book(), claimant("A3.consortium")
    book.claim(org, "A3.consortium", tier="provincial", status="approved")
    err = book.refused(org, "A3.consortium", "already_awarded", tier="provincial")
    assert "was already awarded on this ladder" in str(err) and "已由申请" in err.zh and "奖励；" in err.zh
    book, org = Book(), claimant("A3.consortium")
    book.claim(org, "A3.consortium", tier="provincial")
    err = book.refused(org, "A3.consortium", "already_awarded", tier="provincial")
    assert "was already claimed (pending;" in str(err) and "awarded on" not in str(err) and "待审批" in err.zh
    # the programme and the tier as the pages name them (zh probes)
    assert "企业创新联合体认定奖励（A3.consortium）“省级”已由申请" in err.zh and "provincial" not in err.zh, err.zh


def test_rejected_earlier_claim_frees_the_tier():
    """Rule 2: a rejected claim is no award, so the same tier may be claimed again."""
    book, org = Book(), claimant("A3.erc")
    first, _ = book.claim(org, "A3.erc", tier="provincial")
    book.set_status(first, "rejected")
    assert book.amount(org, "A3.erc", tier="provincial") == D("500000.00")


def test_a_certification_is_paid_once_whatever_subject_the_claim_names():
    """Rule 2: a claim resting on a certification is keyed by it: the same certification at the same rung twice
    is already_awarded, even when the two claims name different subjects (the ledger takes the certification's)."""
    book, org = Book(), claimant("A3.mic")
    book.claim(org, "A3.mic", tier="provincial", certification_id="CERT-9", requested_amount="100000")
    err = book.refused(org, "A3.mic", "already_awarded", tier="provincial", certification_id="CERT-9",
                       requested_amount="50000", award_year=2024)
    assert "CERT-9" in err.detail


@pytest.mark.parametrize(("code", "given"), [("A3.alliance", {}), ("A10.first_set", {"subject": "product:F"})])
def test_one_time_capped_awards(code, given):
    """Rule 2: the alliance start-up award is once per body, the first-set award once per product."""
    book, org = Book(), claimant(code)
    book.claim(org, code, requested_amount="100000", **given)
    book.refused(org, code, "already_awarded", requested_amount="100000", award_year=2024, **given)


def test_first_set_is_once_per_product_not_per_organisation():
    """Rule 2: a second first-set product of the same organisation is its own award."""
    book, org = Book(), member()
    assert book.amount(org, "A10.first_set", requested_amount="500000", subject="product:F-1") == D("500000.00")
    assert book.amount(org, "A10.first_set", requested_amount="500000", subject="product:F-2") == D("500000.00")


@pytest.mark.parametrize("variant", ["product:X ", "  product:X", "PRODUCT:x", "ｐｒｏｄｕｃｔ：Ｘ", "product:  X",
                                     "Product : X"])
def test_one_product_however_it_is_written(variant):
    """Rule 2 and subjects: trimmed, NFKC-folded, whitespace-collapsed and case-insensitive spellings of one
    product are one product, so its one-time first-set award is not paid again."""
    book, org = Book(), member()
    book.claim(org, "A10.first_set", requested_amount="500000", subject="product:X")
    book.refused(org, "A10.first_set", "already_awarded", requested_amount="500000", subject=variant)


@pytest.mark.parametrize("bad", ["product:X\u200b", "product:\u200dX", "product:X\x00", "product:X\x07",
                                 "X", "product:", "gadget:X", ":X"])
def test_a_subject_that_is_not_one_is_refused_showing_the_form(bad):
    """Subjects: zero-width and control characters, and text not of the `kind:identifier` form, are refused
    invalid_request with the form to send instead; nothing is recorded."""
    err = Book().refused(member(), "A10.first_set", "invalid_request", requested_amount="1", subject=bad)
    assert '"product:…"' in err.detail


@pytest.mark.parametrize(("code", "given", "form"), [
    ("A4.challenge", {"basis_amount": "1000"}, "project"), ("A13.equity", {"requested_amount": "1"}, "project"),
    ("A9.national_award", {"tier": "first", "rank": 1}, "project"),
    ("A11.standard", {"tier": "national", "rank": 1}, "standard"),
    ("A10.first_set", {"requested_amount": "1"}, "product"),
])
def test_programmes_keyed_by_subject_need_one_of_their_kind(code, given, form):
    """Rule 5 and 11: a per-project cap, a rank slot or a once-per-product slot needs its subject, of its kind:
    missing_field without one, invalid_request for another kind."""
    err = Book().refused(claimant(code), code, "missing_field", **given)
    assert err.context["field"] == "subject" and f'"{form}:' in err.detail
    other = "standard:Z" if form != "standard" else "project:Z"
    Book().refused(claimant(code), code, "invalid_request", subject=other, **given)


# ---------------------------------------------------------------- 3. upgrade top-up


def test_erc_municipal_then_national_tops_up_the_difference():
    """Rule 3: municipal ERC 200,000 then national ERC pays 800,000 more; 1,000,000 in all."""
    book, org = Book(), claimant("A3.erc")
    first, municipal = book.claim(org, "A3.erc", tier="municipal", status="approved")
    _, national = book.claim(org, "A3.erc", tier="national", award_year=2024)
    assert (municipal.amount, national.amount, national.gross) == (D("200000.00"), D("800000.00"), D("1000000.00"))
    top_up = step(national, "upgrade_top_up")
    assert top_up.article == 16 and top_up.amount == D("800000.00") and first in top_up.detail
    assert "1,000,000.00 - 200,000.00 = 800,000.00" in top_up.detail
    # In Chinese the rung awarded below reads by its name, its code beside it (a journey probe read the bare code).
    said = render_step(top_up.as_dict(), "zh")
    assert "市级（municipal） 200,000.00 元" in said and "800,000.00" in said, said


def test_every_rung_of_the_erc_ladder_tops_up():
    """Rule 3: municipal, provincial, national in turn pay 200,000, 300,000 and 500,000."""
    book, org = Book(), claimant("A3.erc")
    amounts = [book.amount(org, "A3.erc", tier=t) for t in ("municipal", "provincial", "national")]
    assert amounts == [D("200000.00"), D("300000.00"), D("500000.00")]


@pytest.mark.parametrize("lower", ["provincial", "municipal", "national"])
def test_lower_or_same_tier_after_national_is_already_awarded(lower):
    """Rule 3: after the national ERC, a provincial or municipal (or another national) claim gets nothing."""
    book, org = Book(), claimant("A3.erc")
    book.claim(org, "A3.erc", tier="national")
    book.refused(org, "A3.erc", "already_awarded", tier=lower, award_year=2024)


def test_a_lower_rung_after_a_higher_one_says_a_higher_rung_was_awarded():
    """Rule 3, in words: a provincial SME after a little giant was told "同一等次只奖励一次" beside the code
    (little_giant), where it is a lower tier (a clerk's probe); now a higher rung, by its name, was awarded."""
    book, org = Book(), claimant("A6.honour")
    first, _ = book.claim(org, "A6.honour", tier="little_giant", status="approved")
    err = book.refused(org, "A6.honour", "already_awarded", tier="provincial_sme", award_year=2024)
    assert f"更高等次“专精特新小巨人”已由申请 {first} 奖励；本申请的“省级专精特新中小企业”低于该等次" in err.zh, err.zh
    assert "同一等次只奖励一次" not in err.zh and "little_giant" not in err.zh and "provincial_sme" not in err.zh
    assert "a higher rung, little giant (little_giant), was already awarded" in str(err), str(err)


def test_rejected_lower_rung_is_not_deducted():
    """Rule 3: a rejected municipal claim paid nothing, so the national claim is owed in full."""
    book, org = Book(), claimant("A3.erc")
    first, _ = book.claim(org, "A3.erc", tier="municipal")
    book.set_status(first, "rejected")
    assert book.amount(org, "A3.erc", tier="national") == D("1000000.00")


@pytest.mark.parametrize("code", ["A3.consortium", "A3.community"])
def test_recognition_ladders(code):
    """Rule 3: a municipal consortium or community that becomes provincial is owed 200,000 more."""
    book, org = Book(), claimant(code)
    assert [book.amount(org, code, tier=t) for t in ("municipal", "provincial")] == [D("300000.00"), D("200000.00")]


def test_provincial_sme_to_little_giant_tops_up():
    """Rule 3 (reading): a provincial specialised SME that becomes a little giant is owed 800,000 more, even
    when the two honours were recorded as two certifications."""
    book, org = Book(), member()
    assert book.amount(org, "A6.honour", tier="provincial_sme", certification_id="C-1") == D("200000.00")
    assert book.amount(org, "A6.honour", tier="little_giant", certification_id="C-2") == D("800000.00")
    book.refused(org, "A6.honour", "already_awarded", tier="provincial_sme", certification_id="C-3")


def test_single_and_hidden_champion_stand_alone():
    """Rule 3 (reading): single champion and hidden champion are no rungs of the SME ladder: each pays in full."""
    book, org = Book(), member()
    assert book.amount(org, "A6.honour", tier="provincial_sme") == D("200000.00")
    assert book.amount(org, "A6.honour", tier="little_giant") == D("800000.00")
    assert book.amount(org, "A6.honour", tier="hidden_champion") == D("1000000.00")
    assert book.amount(org, "A6.honour", tier="single_champion") == D("2000000.00")


def test_ladders_are_per_body_or_organisation():
    """Rule 3: another body's municipal ERC does not reduce this one's national ERC."""
    book = Book()
    book.claim(claimant("A3.erc"), "A3.erc", tier="municipal")
    assert book.amount(claimant("A3.erc"), "A3.erc", tier="national") == D("1000000.00")


@pytest.mark.parametrize(("code", "lower", "upper", "rank", "amounts"), [
    ("A9.provincial_award", "second", "first", 1, ("200000.00", "300000.00")),
    ("A9.national_award", "second", "first", 1, ("1000000.00", "4000000.00")),
    ("A9.national_award", "second", "first", 2, ("500000.00", "2000000.00")),
    ("A9.provincial_award", "third", "second", 1, ("100000.00", "100000.00")),
])
def test_prize_grades_are_a_ladder_per_unit_and_project(code, lower, upper, rank, amounts):
    """Rule 3: the same unit's lower then higher prize grade for one project pays the difference (补足差额部分),
    at the unit's rank share; the lower grade after the higher is already_awarded; another project is its own."""
    book, org = Book(), member()
    got = [book.amount(org, code, tier=t, rank=rank, subject="project:PR") for t in (lower, upper)]
    assert got == [D(a) for a in amounts]
    book.refused(org, code, "already_awarded", tier=lower, rank=rank, subject="project:PR", award_year=2024)
    assert book.amount(org, code, tier=lower, rank=rank, subject="project:OTHER") == D(amounts[0])


def test_lower_rung_approved_for_less_deducts_what_was_awarded():
    """Rule 3: only what was awarded on a lower rung is deducted: the ladder pays its top rung, never more or less."""
    book, org = Book(), claimant("A3.erc")
    first, _ = book.claim(org, "A3.erc", tier="municipal")
    book.set_status(first, "approved", amount=D("150000.00"))
    assert book.amount(org, "A3.erc", tier="national", award_year=2024) == D("850000.00")


# ---------------------------------------------------------------- 13. recognition awards belong to the body


def test_recognition_award_is_paid_to_the_body_lead_once_per_body():
    """Rule 13: the award is the body's: its lead is paid, once per body and ladder; another unit's claim naming
    the body (a member, say) is not_eligible, naming the body and its kind."""
    book = Book()
    lead = claimant("A3.consortium", body="B-C1")
    assert book.amount(lead, "A3.consortium", tier="provincial") == D("500000.00")
    other = member(body="B-C1", kind="consortium")
    err = book.refused(other, "A3.consortium", "not_eligible", tier="provincial", body_id="B-C1",
                       certification_id="CERT-B-C1")
    assert "B-C1" in err.detail and "lead" in err.detail
    book.refused(lead, "A3.consortium", "already_awarded", tier="provincial", award_year=2024)


def test_recognition_award_needs_a_body_of_its_kind():
    """Rule 13: an A3.erc award for a body that is a consortium is not_eligible, naming both kinds."""
    org = member(lead=True, kind="consortium", body="B-K")
    err = Book().refused(org, "A3.erc", "not_eligible", tier="national", body_id="B-K", certification_id="C")
    assert "B-K" in err.detail and "enterprise innovation consortium" in err.detail and "engineering" in err.detail


def test_recognition_award_needs_its_body_and_certification():
    """Rule 13: no body named is missing_field (body_id); a body with no certification is not_eligible, so no
    award is paid "with no certification and no engineering research centre at all"."""
    err = Book().refused(member(), "A3.erc", "missing_field", tier="national")
    assert err.context["field"] == "body_id"
    org = claimant("A3.erc", body="B-E")
    err = Book().refused(org, "A3.erc", "not_eligible", tier="national", body_id="B-E", certification_id=None)
    assert "certification" in err.detail


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


@pytest.mark.parametrize("prize_first", [True, False])
def test_best_of_is_compared_after_caps_in_either_order(prize_first):
    """Rule 4: a 30% challenge subsidy on 20,000,000 is worth 5,000,000 under its per-project cap, not
    6,000,000, so beside a national first prize (5,000,000) the project is owed 5,000,000 in either order."""
    book, org = Book(), member()
    claims = [("A9.national_award", {"tier": "first", "rank": 1}), ("A4.challenge", {"basis_amount": "20000000"})]
    if not prize_first:
        claims.reverse()
    (code, given), (later, later_given) = claims
    assert book.amount(org, code, subject="project:NP", **given) == D("5000000.00")
    book.refused(org, later, "superseded", subject="project:NP", **later_given)


def test_a_programme_at_its_own_project_cap_is_refused_for_the_cap_not_for_a_lower_prize():
    """Rule 9 (the code of the rule that brought it there) and rule 4 (superseded names an award that outranks it):
    an oracle probe's A4 claims on a project stood at their 5,000,000 cap, topped up over a 2,500,000 prize (rank
    4); a third A4 claim was refused `superseded`, naming the lower prize. It is `cap_exceeded`, naming A4's own
    claim, as the same claim is without the prize."""
    for prize in (True, False):
        book, org = Book(), member()
        if prize:
            assert book.amount(org, "A9.national_award", tier="first", rank=4, subject="project:P") == D("2500000.00")
        challenge, topped = book.claim(org, "A4.challenge", basis_amount="20000000", subject="project:P")
        assert topped.amount == D("2500000.00" if prize else "5000000.00")
        err = book.refused(org, "A4.challenge", "cap_exceeded", basis_amount="1000000", subject="project:P")
        assert "A4.challenge" in err.detail and "5,000,000.00" in err.detail, err.detail
        assert "A9" not in err.detail and (not prize or challenge in err.detail), err.detail
        assert "上限" in err.in_language("zh")


def test_a_cap_cut_award_does_not_outrank_a_better_one():
    """Rule 4: an award cut by its own cap stands at what is left; a later first-set award worth 200,000 more is
    paid the difference, not refused."""
    book, org = Book(), member()
    book.claim(org, "A5.voucher", basis_amount="700000")  # 210,000 of the year's 500,000
    _, cut = book.claim(org, "A5.voucher", basis_amount="1000000", subject="product:CUT")
    assert (cut.gross, cut.amount, cut.standing) == (D("300000.00"), D("290000.00"), D("290000.00"))
    _, first_set = book.claim(org, "A10.first_set", requested_amount="490000", subject="product:CUT")
    assert first_set.amount == D("200000.00")


def test_equal_entitlement_for_the_subject_is_superseded():
    """Rule 4: a later award equal to the subject's best is refused, not paid again."""
    book, org = Book(), member()
    book.claim(org, "A4.challenge", basis_amount="1666666.67", subject="project:X")
    book.refused(org, "A9.provincial_award", "superseded", tier="first", rank=1, subject="project:X")


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


def test_programme_standing_on_a_subject_is_the_sum_of_its_claims():
    """Rule 4 (reading): a programme's standing for a subject sums its claims, and outranks a lower single award."""
    book, org = Book(), member()
    book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:Q")
    book.claim(org, "A4.challenge", basis_amount="2000000", subject="project:Q")
    book.refused(org, "A9.national_award", "superseded", tier="second", rank=1, subject="project:Q")
    assert book.amount(org, "A9.national_award", tier="first", rank=3, subject="project:Q") == D("1300000.00")


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
    _, second = book.claim(org, "A5.computing", basis_amount="3000000", effective_on=date(2024, 3, 1),
                           award_year=2024)
    assert second.amount == D("400000.00") and "cut by 200,000.00" in step(second, "cap:enterprise_term").detail
    book.refused(org, "A5.computing", "cap_exceeded", basis_amount="3000000", effective_on=date(2025, 3, 1),
                 award_year=2025)


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
    book.refused(org, "A4.challenge", "cap_exceeded", basis_amount="30000000", subject="project:P", award_year=2024)
    assert book.used(second.accounts[-1]) == D("5000000.00")


def test_project_cap_is_shared_by_every_co_undertaker():
    """Rule 5: "单个项目不超过500万元" is one cap per project across every organisation claiming for it: two
    co-undertakers of one 揭榜挂帅 project share its 5,000,000 instead of getting 3,000,000 each."""
    book = Book()
    assert book.amount(member(), "A4.challenge", basis_amount="10000000", subject="project:JB-1") == D("3000000.00")
    _, second = book.claim(member(), "A4.challenge", basis_amount="10000000", subject="project:JB-1")
    assert second.amount == D("2000000.00") and "cap:project:A4.challenge:project:jb-1" in second.accounts
    book.refused(member(), "A4.challenge", "cap_exceeded", basis_amount="10000000", subject="project:jb-1")


def test_challenge_project_cap_is_not_shared_across_projects():
    """Rule 5: each project has its own 5,000,000."""
    book, org = Book(), member()
    assert book.amount(org, "A4.challenge", basis_amount="20000000", subject="project:P-1") == D("5000000.00")
    assert book.amount(org, "A4.challenge", basis_amount="20000000", subject="project:P-2") == D("5000000.00")


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


def test_a_unit_in_two_bodies_counts_in_both_bodies_standard_caps():
    """Rule 5 and A11: "at most 1,000,000 per new-type innovation organisation per year, summed over its member
    units' standard awards". A unit in two bodies on the claim's day counts in both sums, so naming the other body
    does not escape a body's spent cap (a probe: B1 held 1,200,000 of 2023's standard awards). Its award fits under
    the tighter cap, reserves on both, and each step names the body."""
    book = Book()
    both = OrganisationFacts(new_uscc(), True, (Membership("B-21", "consortium", TERM_START, TERM_START),
                                                Membership("B-22", "alliance", TERM_START, TERM_START)))
    book.claim(member(body="B-21"), "A11.standard", tier="international_participate", subject="standard:T-1")
    book.claim(member(body="B-21"), "A11.standard", tier="international_participate", subject="standard:T-2")
    err = book.refused(both, "A11.standard", "cap_exceeded", tier="national", rank=1, subject="standard:T-3",
                       body_id="B-22")
    assert "B-21:2023" in err.context["cap"]
    book.claim(member(body="B-31"), "A11.standard", tier="international_participate", subject="standard:T-4")
    three = OrganisationFacts(new_uscc(), True, (Membership("B-31", "consortium", TERM_START, TERM_START),
                                                 Membership("B-32", "consortium", TERM_START, TERM_START)))
    _, got = book.claim(three, "A11.standard", tier="international_participate", subject="standard:T-5",
                        body_id="B-32")
    assert got.amount == D("500000.00")
    assert [a for a in got.accounts if a.startswith("cap:")] == [
        "cap:organisation_year:A11.standard:B-32:2023", "cap:organisation_year:A11.standard:B-31:2023"]
    assert [s.detail for s in got.steps if s.rule == "cap:organisation_year"] == [
        "cap 1,000,000.00 per innovation organisation per year (B-32): 0.00 used, 1,000,000.00 left; not cut",
        "cap 1,000,000.00 per innovation organisation per year (B-31): 500,000.00 used, 500,000.00 left; not cut"]
    _, cut = book.claim(member(body="B-32"), "A11.standard", tier="international_lead", subject="standard:T-6")
    assert cut.amount == D("500000.00")  # B-32's sum holds the unit's 500,000 too
    book.refused(member(body="B-31"), "A11.standard", "cap_exceeded", tier="industry", rank=1,
                 subject="standard:T-7")


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


# ---------------------------------------------------------------- 11. one unit per rank


@pytest.mark.parametrize(("code", "tier", "subject"), [("A9.national_award", "first", "project:R"),
                                                        ("A9.provincial_award", "second", "project:R"),
                                                        ("A11.standard", "national", "standard:R")])
def test_a_rank_is_held_by_one_unit(code, tier, subject):
    """Rule 11: a second unit claiming a rank of one prize or standard already claimed is refused `conflict`,
    naming the claim that holds it; another rank, tier or subject is free."""
    book = Book()
    holder, _ = book.claim(member(), code, tier=tier, rank=1, subject=subject)
    err = book.refused(member(), code, "conflict", tier=tier, rank=1, subject=subject.upper())
    assert holder in err.detail and err.context["earlier_claim"] == holder
    assert book.amount(member(), code, tier=tier, rank=1, subject=subject + "-2") > 0


def test_a_rejected_rank_is_free_again():
    """Rule 11: a rejected claim holds no rank."""
    book = Book()
    holder, _ = book.claim(member(), "A9.national_award", tier="first", rank=1, subject="project:R")
    book.set_status(holder, "rejected")
    assert book.amount(member(), "A9.national_award", tier="first", rank=1, subject="project:R") > 0


# ---------------------------------------------------------------- 6. decided amounts and 9. claims for nothing


def test_decided_amount_above_the_cap_is_refused_not_cut():
    """Rule 6: a requested amount above a capped programme's cap is refused cap_exceeded."""
    Book().refused(claimant("A3.alliance"), "A3.alliance", "cap_exceeded", requested_amount="300000.01")


@pytest.mark.parametrize(("code", "given"), [("A3.alliance", {"requested_amount": "0"}),
                                             ("A12.talent", {"requested_amount": "0"})])
def test_claim_for_nothing_is_refused(code, given):
    """Rule 9: a claim that comes to nothing is refused, never awarded zero."""
    Book().refused(claimant(code), code, "not_eligible", **given)


# ---------------------------------------------------------------- 12. approval re-assesses


def test_reassessment_sees_a_rejected_lower_rung():
    """Rule 12: a national ERC claim that deducted a pending municipal one is re-assessed to the full 1,000,000
    once the municipal claim is rejected."""
    book, org = Book(), claimant("A3.erc")
    lower, _ = book.claim(org, "A3.erc", tier="municipal")
    upper, national = book.claim(org, "A3.erc", tier="national", award_year=2024)
    assert national.amount == D("800000.00")
    book.set_status(lower, "rejected")
    assert book.reassess(upper).amount == D("1000000.00")


def test_reassessment_sees_freed_cap_headroom_but_not_past_later_claims():
    """Rule 12: a voucher cut by the year's cap grows when an earlier claim is rejected, but only into headroom
    that no later claim holds, so the cap is never broken."""
    book, org = Book(), member()
    first, _ = book.claim(org, "A5.voucher", basis_amount="1000000")
    cut, entitlement = book.claim(org, "A5.voucher", basis_amount="1000000")
    assert entitlement.amount == D("200000.00")
    book.set_status(first, "rejected")
    assert book.reassess(cut).amount == D("300000.00")
    book.claim(org, "A5.voucher", basis_amount="600000")  # 180,000 into the freed headroom
    assert book.reassess(cut).amount == D("300000.00")
    book.claim(org, "A5.voucher", basis_amount="600000")  # 20,000 left, then the cap is full
    assert book.used(entitlement.accounts[-1]) == D("500000.00")


def test_reassessing_an_earlier_claim_counts_a_later_better_one():
    """Rule 12 with rule 4: the challenge claim made first keeps its 3,000,000 beside a later national prize that
    was paid only the 2,000,000 difference: the subject stands at 5,000,000, never more."""
    book, org = Book(), member()
    challenge, _ = book.claim(org, "A4.challenge", basis_amount="10000000", subject="project:L")
    _, prize = book.claim(org, "A9.national_award", tier="first", rank=1, subject="project:L")
    assert prize.amount == D("2000000.00")
    assert book.reassess(challenge).amount == D("3000000.00")


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
    book, org = Book(), member(lead=True, kind="erc", body="B-X")
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
            assert set(row) == {"rule", "article", "detail", "amount", "facts"}  # the contract's four, and facts
            assert row["facts"]["key"] in STEPS_ZH
            chinese = render_step(row, "zh")
            assert chinese != row["detail"] and "{" not in chinese and re.search(r"[\u4e00-\u9fff]", chinese)
            assert row["amount"] is None or Decimal(row["amount"]).as_tuple().exponent == -2
