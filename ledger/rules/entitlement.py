"""The entitlement pipeline: (catalogue, claim facts, organisation, account tallies) -> amount and
explanation, or a refusal with the code of the rule that brought the claim to nothing.

It runs in two halves so the application can load exactly the accounts a claim draws on:
`prepare` checks what needs no tallies (term, eligibility) and names the accounts; `entitle` does the sums.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ledger.catalogue.model import CapScope, Catalogue, Kind, Programme
from ledger.domain.errors import CapExceeded, LedgerError, NotEligible, UnknownProgramme
from ledger.domain.text import half_width, typed_full_width
from ledger.domain.values import yuan
from ledger.rules import accounts as acct
from ledger.rules.caps import apply_cap, standing_room
from ledger.rules.eligibility import check_eligibility
from ledger.rules.explanation import Explanation, Step, later
from ledger.rules.facts import AccountState, ClaimFacts, Entry, OrganisationFacts
from ledger.rules.ladders import completes, once_only, rank_slot, top_up
from ledger.rules.rates import decided_amount, rate_amount
from ledger.rules.subjects import Subject, subject_for
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
    subject: Subject | None = None

    def under(self, catalogue: Catalogue, programme: Programme | None = None) -> Plan:
        """The same plan read against another catalogue (and its programme): where a draft changes only what
        `entitle` reads, `prepare` would plan the same (the sandbox's twin replay)."""
        return Plan(catalogue, programme or self.programme, self.facts, self.tier, self.body_id, self.keys, self.why,
                    self.subject)


@dataclass(frozen=True)
class Entitlement:
    programme: str
    tier: str | None
    body_id: str | None
    gross: Decimal            # the tier, rate or decided amount, before any deduction
    standing: Decimal         # after ladder top-ups and its own caps: what supersession compares (rule 4)
    amount: Decimal           # what this claim is entitled to now, after ladders, caps and supersession
    steps: tuple[Step, ...]
    accounts: tuple[str, ...]  # every account the claim reserves its amount on
    policy_version: str
    subject: str | None = None  # the normalised subject the claim is for

    def explanation(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]


def find_programme(catalogue: Catalogue, code: str) -> Programme:
    programme = catalogue.programme(code)
    if programme is None and (plain := half_width(code)) is not None and (
            wide := catalogue.programme(plain) or next((p for c, p in catalogue.programmes.items()
                                                        if c.lower() == plain.lower()), None)) is not None:
        # Ａ３.ｅｒｃ was told "no programme" (a regression probe): the code to type, as a full-width tier is told
        en, zh = typed_full_width("programme", "政策条目", code, wide.code)
        raise UnknownProgramme(en[0].upper() + en[1:], zh=zh, field="programme")
    if programme is None:
        raise UnknownProgramme(f"no programme {code!r} in policy {catalogue.policy.id}; see GET /v1/programmes",
                               zh=f"政策 {catalogue.policy.id} 中没有政策条目 {code!r}；可用条目见 GET /v1/programmes",
                               field="programme")
    return programme


def prepare(catalogue: Catalogue, facts: ClaimFacts, org: OrganisationFacts) -> Plan:
    programme = find_programme(catalogue, facts.programme)
    why = Explanation()
    check_claim_term(catalogue.policy, facts.effective_on, facts.award_year, why)
    if programme.kind is Kind.DESIGNATION:
        raise NotEligible(f"{programme.code} is a designation: it grants no money, record it as a certification",
                          zh=f"{programme.zh}是称号认定，不给予资金；请作为认定记录")
    subject = subject_for(facts.subject, catalogue.subject_kinds, programme.subject_kind,
                          required=programme.needs_subject, programme=programme.code)
    tier = None
    if programme.tiers and (facts.tier is not None or programme.kind is Kind.TIERED):
        tier = resolve_tier(programme, facts.tier).code
    body_id = check_eligibility(catalogue, programme, facts, org, why)
    rests_on = org.designation_ids.get(programme.requires_designation) if programme.requires_designation else None
    bodies = tuple(m.body_id for m in org.bodies_on(facts.effective_on)) if programme.requires_membership else ()
    keys = acct.keys_for(catalogue, programme, facts, tier, subject, body_id, rests_on, bodies)
    return Plan(catalogue, programme, facts, tier, body_id, keys, why, subject)


def entitle(plan: Plan, accounts: dict[str, AccountState], *, claim_id: str | None = None,
            approving: bool = False) -> Entitlement:
    """The sums. `claim_id` re-assesses a recorded claim (rule 12): its own entries are left out of every
    account, and the claims made before it are told from those made after it. `approving`: the re-assessment
    an approval runs, where a ladder or a subject deducts only what other claims were awarded (rule 3: "only
    what was awarded on a lower rung is deducted"); caps still count pending claims' reservations (rule 5)."""
    why = Explanation(list(plan.why.steps))
    try:
        return _entitle(plan, accounts, why, claim_id=claim_id, approving=approving)
    except LedgerError as refusal:
        # The steps worked out before the rule that refused (a rate, a cap): a re-assessment to nothing keeps them,
        # so its reader can still redo the figure the refusal names (a rules probe found only term and eligibility).
        refusal.steps = tuple(why.steps)  # type: ignore[attr-defined]
        raise


def _entitle(plan: Plan, accounts: dict[str, AccountState], why: Explanation, *, claim_id: str | None,
             approving: bool) -> Entitlement:
    programme, facts = plan.programme, plan.facts
    policy = plan.catalogue.policy
    subject = plan.subject.text if plan.subject else None

    def account(key: acct.AccountKey) -> AccountState:
        state = accounts.get(key.text) or AccountState(key.text)
        if facts.topping:
            state = state.apart(facts.topping)
        if claim_id is None:
            return state
        if approving and key.family in ("ladder", "subject"):
            return state.awarded_besides(claim_id)
        return state.without(claim_id)

    gross = _base_amount(programme, facts, plan.tier, why)
    if gross <= 0:
        raise NotEligible(f"{programme.code} comes to nothing for these facts; a claim for nothing is refused",
                          zh=f"按这些事实{programme.zh}金额为零；不受理零金额申请")
    amount = standing = gross
    for key in plan.keys:
        if key.family == "ladder":
            amount, standing = top_up(policy, programme, plan.tier, account(key), amount, standing, why)  # type: ignore[arg-type]
        elif key.family == "once":
            once_only(programme, account(key), f"per {programme.once_per.value}")  # type: ignore[union-attr]
        elif key.family == "certification":
            once_only(programme, account(key), f"per certification and rung ({facts.certification_id})")
        elif key.family == "rank":
            rank_slot(programme, account(key), facts.uscc, facts.rank, subject or "-")  # type: ignore[arg-type]
    before_caps = amount
    caps = [(cap, key) for cap in programme.caps for key in plan.keys if acct.for_cap(key, cap)]
    # An approval does not count, on its caps, the pending claims it outranks on its ladder (rule 3: they come to
    # nothing once it is approved): a pending national standard's 200,000 cut the same standard's lead award to
    # 800,000 under the body's 1,000,000, though that approval then left the national claim nothing (a probe).
    outranked = _outranked_on_ladder(plan, accounts, claim_id) if approving and caps else frozenset()
    about = acct.subject_key(facts.uscc, plan.subject)
    uncapped = (standing, amount)
    try:
        for cap, key in caps:
            state = _excluding(account(key), outranked)
            # A top-up decides nothing: it is owed what the rules give its award beyond what that was entitled to
            # (`completes`), so a decided amount is held to its caps as a re-assessment is, and a top-up of an award
            # the bureau approved below its request, nothing short, is `already_awarded`: an A13 award approved at
            # half its 12,500,000 was refused `cap_exceeded`, "request at most 12,000,000.00", a request the
            # top-up route does not take (an oracle probe).
            capped = apply_cap(programme, cap, state, amount, why, deciding=claim_id is None and facts.tops_up is None,
                               whose=key.whose)
            own = None if claim_id is None else _own_entry(accounts.get(key.text), claim_id)
            # the headroom left, for a claim holding none
            room = standing_room(programme, cap, state, own, why, whose=key.whose)
            standing, amount = max(standing - max(amount - room, Decimal("0.00")), Decimal("0.00")), capped
    except CapExceeded:
        if about and about in plan.keys:
            # A claim a better award on its subject leaves nothing, whatever room its caps have, is refused for that
            # (rule 9: the code of the rule that brought it there): a rules probe's A4 claim re-assessed to nothing
            # under rule 4 was told at approval, once a co-undertaker filled the project's cap, that the cap was used
            # up, as if it could be paid once the cap freed; a regression probe met the same at submission.
            supersede(policy, programme.code, subject, *uncapped, account(about), Explanation(),  # type: ignore[arg-type]
                      plan.catalogue.project_ceilings, plan.catalogue.names_zh)
        raise
    after_caps = amount
    if about and about in plan.keys:
        standing = _within_own_caps(plan, caps, account, account(about), standing)
        amount = supersede(policy, programme.code, subject, standing, amount, account(about), why,  # type: ignore[arg-type]
                           plan.catalogue.project_ceilings, plan.catalogue.names_zh)
    if facts.tops_up is not None:
        amount, standing = completes(policy, facts, (accounts[k.text] for k in plan.keys if k.text in accounts),
                                     amount, standing, why, before_caps=before_caps, after_caps=after_caps,
                                     caps=tuple(dict.fromkeys(key.text for _, key in caps)),
                                     names_zh=plan.catalogue.names_zh)
    why.add("entitlement", None, later(_entitled, amount), amount, key="entitlement")
    return Entitlement(programme.code, plan.tier, plan.body_id, gross, standing, amount, tuple(why.steps),
                       tuple(k.text for k in plan.keys), plan.catalogue.policy.version, subject)


# The caps per enterprise a programme's standing on one subject stays within (rule 4: "each programme's standing taken
# after its own caps"); a project's cap is `supersede`'s `ceilings`.
_OWN_CAPS = (CapScope.ENTERPRISE_YEAR, CapScope.ENTERPRISE_TERM)


def _within_own_caps(plan: Plan, caps: list, account, subject: AccountState, standing: Decimal) -> Decimal:
    """The claim's standing cut so that its programme's standing on the subject, counted over the claims on the same
    cap (the same year, or the term), stays within that cap per enterprise. A cap counts what claims are paid, and a
    claim paid the difference over another programme's award stands at more than it drew: a second claim of the
    programme was given the cap's rest, and the two stood past the cap (an oracle probe: tech transfer at 1,150,000
    on a project under its 1,000,000 a year, the unit paid 1,150,000). A ladder's rungs stand each at its whole rung,
    and are left to the ladder (rule 3)."""
    if plan.programme.kind is Kind.TIERED:
        return standing
    own = [e for e in subject.live if e.programme == plan.programme.code]
    if not own:
        return standing
    cut = Decimal("0.00")
    for cap, key in caps:
        if cap.scope in _OWN_CAPS:
            on_cap = {e.claim_id for e in account(key).live}
            stood = sum((e.gross for e in own if e.claim_id in on_cap), Decimal("0.00"))
            cut = max(cut, stood + standing - cap.limit)
    return max(standing - cut, Decimal("0.00"))


def evaluate(catalogue: Catalogue, facts: ClaimFacts, org: OrganisationFacts,
             accounts: dict[str, AccountState] | None = None, *, claim_id: str | None = None) -> Entitlement:
    """Both halves at once, for callers that already hold every tally (tests, replays, what-if queries)."""
    return entitle(prepare(catalogue, facts, org), accounts or {}, claim_id=claim_id)


def _outranked_on_ladder(plan: Plan, accounts: dict[str, AccountState], claim_id: str | None) -> frozenset[str]:
    """The other claims pending on the plan's ladder at its rung or below: what approving it leaves nothing."""
    ladder = plan.programme.ladder_of(plan.tier) if plan.tier else ()
    if plan.tier not in ladder:
        return frozenset()
    mine = ladder.index(plan.tier)
    return frozenset(e.claim_id for key in plan.keys if key.family == "ladder"
                     for e in (accounts.get(key.text) or AccountState(key.text)).entries
                     if e.claim_id != claim_id and e.status == "pending" and e.tier in ladder
                     and ladder.index(e.tier) <= mine)


def _excluding(state: AccountState, claims: frozenset[str]) -> AccountState:
    """The account without those claims' entries (its `earlier` mark kept on the entries that stay)."""
    if not claims or not any(e.claim_id in claims for e in state.entries):
        return state
    earlier = None if state.earlier is None else sum(1 for e in state.entries[:state.earlier]
                                                     if e.claim_id not in claims)
    return AccountState(state.key, tuple(e for e in state.entries if e.claim_id not in claims), earlier)


def _own_entry(state: AccountState | None, claim_id: str) -> Entry | None:
    """The claim's own entry on an account as it was last assessed (None for a claim not yet on it)."""
    return None if state is None else next((e for e in state.entries if e.claim_id == claim_id), None)


def _base_amount(programme: Programme, facts: ClaimFacts, tier: str | None, why: Explanation) -> Decimal:
    if programme.kind is Kind.TIERED:
        return tier_amount(programme, resolve_tier(programme, tier), facts.rank, why)
    if programme.decided:
        return decided_amount(programme, facts.requested_amount, facts.basis_amount, why)
    return rate_amount(programme, facts.basis_amount, why)


def _entitled(amount: Decimal) -> str:
    return f"entitled now: {yuan(amount)}"
