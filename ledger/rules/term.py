"""Cross-cutting rule 1: every fact a command rests on falls inside the policy term (Art. 16)."""
from __future__ import annotations

from datetime import date

from ledger.catalogue.model import Policy
from ledger.domain.errors import InvalidInput, OutsidePolicyTerm
from ledger.rules.explanation import Explanation, later

WHAT_ZH = {"the claim's effective date": "申请的生效日期", "the certification's effective date": "认定的生效日期",
           "the upgrade's effective date": "晋级的生效日期", "the body's recognition date": "创新组织的认定日期"}


def require_in_term(policy: Policy, day: date, what: str) -> None:
    if not policy.in_term(day):
        raise OutsidePolicyTerm(
            f"{what} {day.isoformat()} is outside the policy term {policy.term_text} (Art. {policy.term_article});"
            " only facts inside the term can be recorded under this policy",
            zh=f"{WHAT_ZH.get(what, what)} {day.isoformat()} 不在政策期 {policy.term_text_zh} 内"
               f"（第{policy.term_article}条）；"
               "本政策只能记录政策期内的事实", term=policy.term_text)


def check_claim_term(policy: Policy, effective_on: date, award_year: int, why: Explanation) -> None:
    require_in_term(policy, effective_on, "the claim's effective date")
    # Rule 10: the award year follows the facts, so a yearly cap cannot be escaped by booking into another year.
    # The years the term touches from the fact's year to the lag after it: as many as the term has, at most, whatever
    # the lag (a draft's lag of 9,999,999 had each claim's check count to it).
    allowed = list(range(max(effective_on.year, policy.effective_from.year),
                         min(effective_on.year + policy.award_year_lag, policy.effective_to.year) + 1))
    if award_year not in allowed:
        # The years the catalogue's lag allows, said as it sets them (a lag of 0 was told "or the year after it").
        lag = policy.award_year_lag
        years = ("the year of the fact" if lag == 0 else "the year of the fact, or the year after it" if lag == 1
                 else f"the year of the fact, or one of the {lag} years after it")
        years_zh = "事实当年" if lag == 0 else "事实当年或次年" if lag == 1 else f"事实当年或其后 {lag} 年内"
        raise InvalidInput(
            f"award year {award_year} does not follow the claim's facts: a fact effective on {effective_on.isoformat()}"
            f" is booked in {' or '.join(map(str, allowed))} ({years}, inside the term {policy.term_text}); send"
            " award_year as one of those",
            zh=f"奖补年度 {award_year} 与申请事实不符：{effective_on.isoformat()} 生效的事实应计入"
               f" {' 或 '.join(map(str, allowed))} 年度（{years_zh}，且在政策期 {policy.term_text_zh} 内）；"
               "请将 award_year 改为其中之一", field="award_year")
    why.add("term", policy.term_article, later(_in_term, effective_on, award_year, policy.term_text), key="term",
            effective_on=effective_on, award_year=award_year, term=policy.term_text,
            term_zh=policy.term_text_zh)


def _in_term(effective_on: date, award_year: int, term: str) -> str:
    return f"effective {effective_on.isoformat()} and award year {award_year} fall inside the term {term}"
