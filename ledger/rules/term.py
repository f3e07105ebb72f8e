"""Cross-cutting rule 1: every fact a command rests on falls inside the policy term (Art. 16)."""
from __future__ import annotations

from datetime import date

from ledger.catalogue.model import Policy
from ledger.domain.errors import OutsidePolicyTerm
from ledger.rules.explanation import Explanation


def require_in_term(policy: Policy, day: date, what: str) -> None:
    if not policy.in_term(day):
        raise OutsidePolicyTerm(
            f"{what} {day.isoformat()} is outside the policy term {policy.term_text} (Art. {policy.term_article});"
            " only facts inside the term can be recorded under this policy", term=policy.term_text)


def check_claim_term(policy: Policy, effective_on: date, award_year: int, why: Explanation) -> None:
    require_in_term(policy, effective_on, "the claim's effective date")
    if award_year not in policy.years:
        raise OutsidePolicyTerm(
            f"award year {award_year} does not overlap the policy term {policy.term_text}"
            f" (Art. {policy.term_article}); use a year from {policy.years.start} to {policy.years.stop - 1}")
    why.add("term", policy.term_article,
            f"effective {effective_on.isoformat()} and award year {award_year} fall inside the term {policy.term_text}")
