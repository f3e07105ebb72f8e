"""Cross-cutting rule 1: every fact a command rests on falls inside the policy term (Art. 16)."""
from __future__ import annotations

from datetime import date

from ledger.catalogue.model import Policy
from ledger.domain.errors import InvalidInput, OutsidePolicyTerm
from ledger.rules.explanation import Explanation


def require_in_term(policy: Policy, day: date, what: str) -> None:
    if not policy.in_term(day):
        raise OutsidePolicyTerm(
            f"{what} {day.isoformat()} is outside the policy term {policy.term_text} (Art. {policy.term_article});"
            " only facts inside the term can be recorded under this policy", term=policy.term_text)


def check_claim_term(policy: Policy, effective_on: date, award_year: int, why: Explanation) -> None:
    require_in_term(policy, effective_on, "the claim's effective date")
    # Rule 10: the award year follows the facts, so a yearly cap cannot be escaped by booking into another year.
    allowed = [y for y in range(effective_on.year, effective_on.year + policy.award_year_lag + 1) if y in policy.years]
    if award_year not in allowed:
        raise InvalidInput(
            f"award year {award_year} does not follow the claim's facts: a fact effective on {effective_on.isoformat()}"
            f" is booked in {' or '.join(map(str, allowed))} (the year of the fact, or the year after it, inside the"
            f" term {policy.term_text}); send award_year as one of those", field="award_year")
    why.add("term", policy.term_article,
            f"effective {effective_on.isoformat()} and award year {award_year} fall inside the term {policy.term_text}")
