"""Who may benefit (Art. 1) and the programme-specific prerequisites: district, membership of a
recognised innovation organisation, designations such as chain leader, thresholds, ranks."""
from __future__ import annotations

from ledger.catalogue.model import Catalogue, Programme
from ledger.domain.errors import MissingFact, NotEligible
from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation
from ledger.rules.facts import ClaimFacts, OrganisationFacts


def check_eligibility(catalogue: Catalogue, programme: Programme, facts: ClaimFacts, org: OrganisationFacts,
                      why: Explanation) -> str | None:
    """Refuse an ineligible claimant; return the innovation organisation (body) the claim counts under."""
    article = catalogue.policy.eligibility_article
    if not org.in_district:
        raise NotEligible(f"{org.uscc} is registered as outside the district; Art. {article} benefits units"
                          " inside Binjiang only")
    body_id = _body(programme, facts, org) if programme.requires_membership or facts.body_id else None
    if programme.requires_membership:
        why.add("eligibility", article, f"{org.uscc} is inside the district and a member of innovation"
                f" organisation {body_id} on {facts.effective_on.isoformat()}")
    else:
        why.add("eligibility", article, f"{org.uscc} is inside the district; {programme.code} does not require"
                " membership of an innovation organisation")
    if programme.requires_designation:
        since = org.designations.get(programme.requires_designation)
        if since is None or since > facts.effective_on:
            raise NotEligible(f"{programme.code} requires the designation {programme.requires_designation}, which"
                              f" {org.uscc} does not hold on {facts.effective_on.isoformat()}; record it first")
        why.add("designation", programme.article,
                f"designated {programme.requires_designation} since {since.isoformat()}")
    if programme.requires_body_lead and not any(m.is_lead for m in org.bodies_on(facts.effective_on)):
        raise NotEligible(f"{programme.code} requires {org.uscc} to lead a recognised innovation organisation"
                          f" on {facts.effective_on.isoformat()}")
    for threshold in programme.thresholds:
        value = getattr(facts, threshold.fact)
        if value is None:
            raise MissingFact(f"{programme.code} needs {threshold.fact} ({threshold.name_en}) to test its threshold")
        if value < threshold.minimum:
            raise NotEligible(f"{threshold.name_en} {yuan(value)} is below the threshold {yuan(threshold.minimum)}"
                              f" of Art. {programme.article}")
        why.add("threshold", programme.article,
                f"{threshold.name_en} {yuan(value)} reaches the threshold {yuan(threshold.minimum)}")
    return body_id


def _body(programme: Programme, facts: ClaimFacts, org: OrganisationFacts) -> str:
    active = org.bodies_on(facts.effective_on)
    if facts.body_id is not None:
        if not any(m.body_id == facts.body_id for m in active):
            raise NotEligible(f"{org.uscc} is not a member of innovation organisation {facts.body_id} on"
                              f" {facts.effective_on.isoformat()}; add the membership first")
        return facts.body_id
    if not active:
        raise NotEligible(f"{org.uscc} is not a member of any recognised innovation organisation on"
                          f" {facts.effective_on.isoformat()}; {programme.code} (Art. {programme.article})"
                          " benefits members of such organisations only")
    leads = [m for m in active if m.is_lead]
    return (leads or sorted(active, key=lambda m: m.joined_on))[0].body_id
