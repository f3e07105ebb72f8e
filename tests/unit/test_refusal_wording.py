"""English refusals read as English (a black-box probe quoted "a enterprise innovation consortium", "only ranks
1 to 1" and "the A13.follow_on cap of 10,000,000.00 project"): the article follows the noun, a single rank is
named as one, a cap's scope is said as the explanations say it."""
from __future__ import annotations

from ledger.domain.values import a_or_an
from tests.unit.book import Book, claimant, member


def test_the_article_follows_the_noun() -> None:
    assert [a_or_an(n) for n in ("engineering research centre", "industrial alliance", "project", "Enterprise")] \
        == ["an engineering research centre", "an industrial alliance", "a project", "an Enterprise"]


def test_a_body_of_another_kind_is_named_with_its_article() -> None:
    org = member(lead=True, kind="consortium")
    detail = Book().refused(org, "A3.erc", "not_eligible", tier="municipal", body_id="B-1").detail
    assert "is an enterprise innovation consortium (企业创新联合体), not an engineering research centre" in detail


def test_a_prize_for_its_first_unit_only_names_the_one_rank() -> None:
    detail = Book().refused(claimant("A9.provincial_award"), "A9.provincial_award", "not_eligible", tier="third",
                            rank=2, subject="project:PA-2").detail
    assert detail.endswith("only rank 1 is rewarded"), detail
    detail = Book().refused(claimant("A9.national_award"), "A9.national_award", "not_eligible", tier="second",
                            rank=6, subject="project:NA-6").detail
    assert detail.endswith("only ranks 1 to 5 are rewarded"), detail


def test_a_requested_amount_over_a_per_project_cap_says_per_project() -> None:
    detail = Book().refused(claimant("A13.follow_on"), "A13.follow_on", "cap_exceeded", basis_amount="100000000",
                            requested_amount="10000001", subject="project:FO-9").detail
    assert "the A13.follow_on cap of 10,000,000.00 per project" in detail, detail


def test_a_missing_designation_is_told_from_one_held_only_later() -> None:
    """A chain leader whose designation was revoked was told it "does not hold [it] on 2023-06-01", a day it did
    hold it (a probe): none in force and one held only from a later day are said apart."""
    from dataclasses import replace
    from datetime import date

    org = member(lead=True)
    detail = Book().refused(org, "A6.chain_leader_rd", "not_eligible", basis_amount="1000000").detail
    assert "holds none in force (none was recorded, or its certification was revoked)" in detail, detail
    later = replace(org, designations={"A6.chain_leader": date(2024, 1, 1)})
    detail = Book().refused(later, "A6.chain_leader_rd", "not_eligible", basis_amount="1000000").detail
    assert "holds only from 2024-01-01, after the claim's effective date" in detail, detail


def test_the_one_rank_is_named_as_one_in_chinese_too() -> None:
    err = Book().refused(claimant("A9.provincial_award"), "A9.provincial_award", "not_eligible", tier="third",
                         rank=2, subject="project:PA-3")
    assert err.zh.endswith("仅奖励排名第 1 的单位"), err.zh


def test_a_day_outside_the_years_says_what_to_send_not_a_statement_column() -> None:
    """A claim's `effective_on` of 9999-12-31 was told to "check the statement's date column" (a probe): the
    one day validator serves every input, so its refusal names the days to send, in both languages."""
    from pydantic import TypeAdapter, ValidationError

    from api.schemas.fields import Day

    try:
        TypeAdapter(Day).validate_python("9999-12-31")
    except ValidationError as err:
        problem = err.errors()[0]
        assert "statement" not in problem["msg"] and "send a day from 2000-01-01 to 2099-12-31" in problem["msg"]
        assert "2000-01-01 至 2099-12-31" in problem["ctx"]["zh"]
    else:
        raise AssertionError("9999-12-31 was taken")
