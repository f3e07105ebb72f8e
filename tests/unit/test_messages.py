"""Explanation steps rendered in Chinese from their facts, old steps still reading, and Accept-Language."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api.language import parse
from ledger.messages import localise, render_step

OLD_CAP = {"rule": "cap:enterprise_year", "article": 5, "amount": "300000.00",
           "detail": "cap 500,000.00 per enterprise per year: 0.00 used, 500,000.00 left; not cut"}


def test_an_old_step_without_facts_reads_its_stored_detail():
    """A step recorded before facts were kept falls back to its English detail, in either language."""
    assert render_step(OLD_CAP, "zh") == OLD_CAP["detail"] == render_step(OLD_CAP, "en")


def test_an_old_entitlement_step_renders_from_rule_and_amount():
    """The commonest step needs only its amount, so old events read it in Chinese too."""
    old = {"rule": "entitlement", "article": None, "amount": "1234567.80", "detail": "entitled now: 1,234,567.80"}
    assert render_step(old, "zh") == "现可得：1,234,567.80 元"


def test_a_step_whose_facts_do_not_fit_still_reads():
    """Facts missing a figure the template needs give the stored detail, never an error."""
    broken = OLD_CAP | {"facts": {"key": "cap.ok", "limit": "500000.00"}}
    assert render_step(broken, "zh") == OLD_CAP["detail"]


def test_cap_facts_render_in_chinese():
    """A cap step names limit, scope, use and what is left in Chinese; localise keeps every other field."""
    step = OLD_CAP | {"facts": {"key": "cap.cut", "limit": "500000.00", "scope": "enterprise_year", "pool": "",
                                "used": "400000.00", "headroom": "100000.00", "cut": "200000.00"}}
    text = render_step(step, "zh")
    assert text == "上限 500,000.00 元（每企业每年）：已占用 400,000.00 元，剩余 100,000.00 元；核减 200,000.00 元"
    [shown] = localise([step], "zh")
    assert shown == step | {"detail": text} and localise([step], "en") == [step]


def test_a_pool_cap_keeps_the_pool_name_plain_and_reads_it_after_its_scope():
    """The step's facts name the pool as the catalogue does ("A13.fund", not "，A13.fund"); the Chinese sentence
    puts it after the scope, and a step recorded with the old prefixed fact reads the same."""
    from decimal import Decimal

    from ledger.catalogue import current
    from ledger.rules.caps import apply_cap
    from ledger.rules.explanation import Explanation
    from ledger.rules.facts import AccountState

    programme = current().programme("A13.equity")
    cap = next(c for c in programme.caps if c.pool)
    why = Explanation()
    apply_cap(programme, cap, AccountState(key="cap:pool:A13.fund"), Decimal("10.00"), why)
    [step] = [s.as_dict() for s in why.steps]
    assert step["facts"]["pool"] == cap.pool == "A13.fund"
    text = render_step(step, "zh")
    assert "（基金总额，A13.fund）" in text or "（同一资金池各政策共用，A13.fund）" in text, text
    old = step | {"facts": step["facts"] | {"pool": "，A13.fund"}}
    assert render_step(old, "zh") == text
    no_pool = step | {"facts": step["facts"] | {"pool": ""}}
    assert "A13" not in render_step(no_pool, "zh")


@given(st.sampled_from(["zh", "zh-CN", "ZH-cn", "zh-Hans", "zh_CN"]), st.sampled_from(["en", "en-GB", "EN", "en_US"]),
       st.integers(0, 1000), st.integers(0, 1000))
def test_the_higher_q_wins(zh, en, zq, eq):
    """Between Chinese and English the higher q wins; a tie goes to whichever the header lists first."""
    header = f"{zh};q={zq / 1000}, {en};q={eq / 1000}"
    assert parse(header) == ("zh" if zq > 0 and zq >= eq else "en")  # q=0 means "not this one"


def test_no_header_or_an_unknown_language_is_english():
    """English stays the API's default, so clients that never ask see no change."""
    assert parse(None) == parse("") == parse("fr, de;q=0.5") == parse("*") == "en"
    assert parse("zh") == "zh" and parse("fr, zh;q=0.1") == "zh"
    assert parse("zh_CN") == "zh"  # Java's Locale.toString() and some SDKs write the region after "_" (a zh probe)


def test_the_term_reads_in_chinese_on_chinese_pages():
    """The term step and a term refusal name the policy term in Chinese (至…（含）), not "to … inclusive"."""
    from datetime import date

    from ledger.catalogue import current
    from ledger.domain.errors import OutsidePolicyTerm
    from ledger.rules.explanation import Explanation
    from ledger.rules.term import check_claim_term, require_in_term

    why = Explanation()
    check_claim_term(current().policy, date(2023, 6, 1), 2023, why)
    zh = render_step(why.as_list()[0], "zh")
    assert "2022-09-06 至 2025-09-05（含）" in zh and "inclusive" not in zh
    try:
        require_in_term(current().policy, date(2026, 1, 1), "the claim's effective date")
    except OutsidePolicyTerm as err:
        assert "至 2025-09-05（含）" in (err.zh or "")
    else:
        raise AssertionError("a date after the term was not refused")


def test_an_award_year_refusal_says_the_years_the_lag_allows():
    """Under a draft with `award_year_lag = 0` the refusal still said "or the year after it" (a sandbox probe):
    it now says the years as the catalogue's lag sets them."""
    from dataclasses import replace
    from datetime import date

    import pytest

    from ledger.catalogue import current
    from ledger.domain.errors import InvalidInput
    from ledger.rules.explanation import Explanation
    from ledger.rules.term import check_claim_term

    said = {0: ("(the year of the fact, inside", "（事实当年，且"),
            1: ("(the year of the fact, or the year after it, inside", "（事实当年或次年，且"),
            2: ("(the year of the fact, or one of the 2 years after it, inside", "（事实当年或其后 2 年内，且")}
    for lag, (english, chinese) in said.items():
        policy = replace(current().policy, award_year_lag=lag)
        with pytest.raises(InvalidInput) as refused:
            check_claim_term(policy, date(2023, 6, 1), 2023 + lag + 1, Explanation())
        assert english in refused.value.detail and chinese in (refused.value.zh or ""), refused.value.detail


def test_a_rank_share_names_the_responsible_units_rank_in_chinese():
    """A rules probe read "第一完成单位排名第 4" (the *first* unit, ranked fourth) for a fourth-ranked unit: the policy
    text says 第N责任单位. The step reads 责任单位排名第 N."""
    step = {"rule": "rank_share", "article": 9, "detail": "responsible unit ranked 4: 50% of 5,000,000.00",
            "amount": "2500000.00", "facts": {"key": "rank_share", "rank": 4, "base": "5000000.00", "share": "0.5",
                                              "shared": "2500000.00"}}
    assert render_step(step, "zh") == "责任单位排名第 4：5,000,000.00 元的 50% = 2,500,000.00 元"
