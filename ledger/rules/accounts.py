"""Which accounts a claim draws on. Each account is one aggregate, so a decision and the tallies it
read are saved in one transaction and a concurrent decision on the same tally conflicts and retries."""
from __future__ import annotations

from dataclasses import dataclass

from ledger.catalogue.model import CapScope, Catalogue, Kind, Programme
from ledger.rules.facts import ClaimFacts

NO_SUBJECT = "-"


@dataclass(frozen=True)
class AccountKey:
    family: str  # cap | ladder | once | subject
    text: str

    def __str__(self) -> str:
        return self.text


def cap_key(catalogue: Catalogue, programme: Programme, scope: CapScope, facts: ClaimFacts,
            body_id: str | None) -> AccountKey:
    owner = {
        CapScope.PROJECT: f"{facts.uscc}:{facts.subject or NO_SUBJECT}",
        CapScope.ENTERPRISE_YEAR: f"{facts.uscc}:{facts.award_year}",
        CapScope.ENTERPRISE_TERM: f"{facts.uscc}:{catalogue.policy.id}",
        CapScope.ORGANISATION_YEAR: f"{body_id}:{facts.award_year}",
        CapScope.FUND: catalogue.policy.id,
    }[scope]
    return AccountKey("cap", f"cap:{scope.value}:{programme.code}:{owner}")


def ladder_key(programme: Programme, facts: ClaimFacts, tier: str) -> AccountKey:
    rungs = "<".join(programme.ladder_of(tier))
    return AccountKey("ladder", f"ladder:{programme.code}:{facts.uscc}:{rungs}:{facts.subject or NO_SUBJECT}")


def once_key(programme: Programme, facts: ClaimFacts) -> AccountKey:
    per = {"organisation": NO_SUBJECT, "subject": facts.subject or NO_SUBJECT,
           "award_year": str(facts.award_year)}[programme.once_per.value]  # type: ignore[union-attr]
    return AccountKey("once", f"once:{programme.code}:{facts.uscc}:{per}")


def subject_key(facts: ClaimFacts) -> AccountKey | None:
    return AccountKey("subject", f"subject:{facts.uscc}:{facts.subject}") if facts.subject else None


def keys_for(catalogue: Catalogue, programme: Programme, facts: ClaimFacts, tier: str | None,
             body_id: str | None) -> list[AccountKey]:
    keys: list[AccountKey] = []
    if programme.kind is Kind.TIERED and tier:
        keys.append(ladder_key(programme, facts, tier))
    if programme.once_per:
        keys.append(once_key(programme, facts))
    subject = subject_key(facts)
    if subject and programme.kind is not Kind.INVESTMENT:
        keys.append(subject)
    keys.extend(cap_key(catalogue, programme, cap.scope, facts, body_id) for cap in programme.caps)
    return keys
