"""The entitlement pipeline: (catalogue, claim facts, organisation, account tallies) -> amount and
explanation, or a refusal with the code of the rule that brought the claim to nothing.

It runs in two halves so the application can load exactly the accounts a claim draws on:
`prepare` checks what needs no tallies (term, eligibility) and names the accounts; `entitle` does the sums.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ledger.catalogue.model import Catalogue, Kind, Programme
from ledger.domain.errors import NotEligible, UnknownProgramme
from ledger.domain.values import yuan
from ledger.rules import accounts as acct
from ledger.rules.caps import apply_cap
from ledger.rules.eligibility import check_eligibility
from ledger.rules.explanation import Explanation, Step
from ledger.rules.facts import AccountState, ClaimFacts, OrganisationFacts
from ledger.rules.ladders import once_only, top_up
from ledger.rules.rates import decided_amount, rate_amount
from ledger.rules.supersession import supersede
from ledger.rules.term import check_claim_term
from ledger.rules.tiers import resolve_tier, tier_amount


@dataclass
class Plan:
    catalogue: Catalogue
    programme: Programme
    facts: ClaimFacts
    tier: str | None
    body_id: str | None
    keys: list[acct.AccountKey]
    why: Explanation = field(default_factory=Explanation)


@dataclass(frozen=True)
class Entitlement:
    programme: str
    tier: str | None
    body_id: str | None
    gross: Decimal            # the tier, rate or decided amount, before any deduction
    standing: Decimal         # after ladder top-ups: this claim's own entitlement, what supersession sums
    amount: Decimal           # what this claim is entitled to now, after supersession and caps
    steps: tuple[Step, ...]
    accounts: tuple[str, ...]  # every account the claim reserves its amount on
    policy_version: str

    def explanation(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]


def find_programme(catalogue: Catalogue, code: str) -> Programme:
    programme = catalogue.programme(code)
    if programme is None:
        raise UnknownProgramme(f"no programme {code!r} in policy {catalogue.policy.id}; see GET /v1/programmes")
    return programme


def prepare(catalogue: Catalogue, facts: ClaimFacts, org: OrganisationFacts) -> Plan:
    programme = find_programme(catalogue, facts.programme)
    why = Explanation()
    check_claim_term(catalogue.policy, facts.effective_on, facts.award_year, why)
    if programme.kind is Kind.DESIGNATION:
        raise NotEligible(f"{programme.code} is a designation: it grants no money, record it as a certification")
    tier = None
    if programme.tiers and (facts.tier is not None or programme.kind is Kind.TIERED):
        tier = resolve_tier(programme, facts.tier).code
    body_id = check_eligibility(catalogue, programme, facts, org, why)
    keys = acct.keys_for(catalogue, programme, facts, tier, body_id)
    return Plan(catalogue, programme, facts, tier, body_id, keys, why)


def entitle(plan: Plan, accounts: dict[str, AccountState]) -> Entitlement:
    programme, facts, why = plan.programme, plan.facts, plan.why
    policy = plan.catalogue.policy

    def account(key: acct.AccountKey) -> AccountState:
        return accounts.get(key.text) or AccountState(key.text)

    gross = _base_amount(programme, facts, plan.tier, why)
    if gross <= 0:
        raise NotEligible(f"{programme.code} comes to nothing for these facts; a claim for nothing is refused")
    amount = gross
    for key in plan.keys:
        if key.family == "ladder":
            amount = top_up(policy, programme, plan.tier, account(key), amount, why)  # type: ignore[arg-type]
        elif key.family == "once":
            once_only(programme, account(key))
    standing = amount
    subject = acct.subject_key(facts)
    if subject and subject in plan.keys:
        amount = supersede(policy, programme.code, facts.subject, standing, amount, account(subject), why)  # type: ignore[arg-type]
    caps = [k for k in plan.keys if k.family == "cap"]
    for cap, key in zip(programme.caps, caps, strict=True):
        amount = apply_cap(programme, cap, account(key), amount, why)
    why.add("entitlement", None, f"entitled now: {yuan(amount)}", amount)
    return Entitlement(programme.code, plan.tier, plan.body_id, gross, standing, amount, tuple(why.steps),
                       tuple(k.text for k in plan.keys), plan.catalogue.policy.version)


def evaluate(catalogue: Catalogue, facts: ClaimFacts, org: OrganisationFacts,
             accounts: dict[str, AccountState] | None = None) -> Entitlement:
    """Both halves at once, for callers that already hold every tally (tests, what-if queries)."""
    return entitle(prepare(catalogue, facts, org), accounts or {})


def _base_amount(programme: Programme, facts: ClaimFacts, tier: str | None, why: Explanation) -> Decimal:
    if programme.kind is Kind.TIERED:
        return tier_amount(programme, resolve_tier(programme, tier), facts.rank, why)
    if programme.rate is not None:
        return rate_amount(programme, facts.basis_amount, why)
    return decided_amount(programme, facts.requested_amount, why)
