"""Which accounts a claim draws on. Each account is one aggregate, so a decision and the tallies it
read are saved in one transaction and a concurrent decision on the same tally conflicts and retries.

Every key that names what an award is for uses the subject's normalised key (ledger/rules/subjects.py),
and a claim resting on a certification is keyed by the certification (rule 2)."""
from __future__ import annotations

from dataclasses import dataclass

from ledger.catalogue.model import Cap, CapScope, Catalogue, Kind, LadderPer, OncePer, Programme
from ledger.rules.facts import ClaimFacts
from ledger.rules.subjects import Subject

NO_SUBJECT = "-"


@dataclass(frozen=True)
class AccountKey:
    family: str  # cap | ladder | once | certification | rank | subject
    text: str
    # The one organisation (USCC) whose claims alone draw on the account; None where claims of several may (a
    # pool, the fund, a project, a body, a certification, a rank). The sandbox replays organisations apart only
    # while every account is one organisation's (ledger/sandbox/shards.py).
    organisation: str | None = None
    # A cap's account: the cap it is for, as (scope, pool), so a claim's accounts are told cap by cap; and whose cap
    # it is where the scope alone does not say (the innovation body of a cap per innovation organisation), named
    # in the explanation. Neither is part of the key's text.
    cap: tuple[CapScope, str | None] | None = None
    whose: str = ""

    def __str__(self) -> str:
        return self.text


# The accounts a revoked award's paid part still counts on (contract: "what was not paid is released"): caps,
# ladders, the subject's awards, and its one-time and per-certification slots, so a one-time award is not paid a
# second time while the first payment is owed (a corrections probe: an alliance paid 600,000 for its one-time
# 300,000). A rank slot is released whole: the rank is the prize's, and another unit may rightly hold it. A
# revocation records the families it kept on (`Claim.Revoked.kept_on`); one recorded before carries none and kept on
# LEGACY_KEEPS_PAID.
KEEPS_PAID = ("cap:", "ladder:", "subject:", "once:", "certification:")
LEGACY_KEEPS_PAID = ("cap:", "ladder:", "subject:")


def keeps_paid(key: str, families: tuple[str, ...] | list[str] = KEEPS_PAID) -> bool:
    """Whether a revoked award's paid part still counts on this account, under `families` (those a revocation
    recorded, by default today's)."""
    return key.startswith(tuple(families))


def _about(subject: Subject | None) -> str:
    return subject.key if subject else NO_SUBJECT


def body_year_owner(body_id: str | None, year: int) -> str:
    """Whose a cap per innovation organisation per year is: the body and the award year (`cap_key`)."""
    return f"{body_id}:{year}"


def body_year_cap(programme: str, body_id: str, year: int) -> str:
    """The key text of an innovation body's cap per year under `programme`, as `cap_key` writes it."""
    return f"cap:{CapScope.ORGANISATION_YEAR.value}:{programme}:{body_year_owner(body_id, year)}"


def cap_key(catalogue: Catalogue, programme: Programme, scope: CapScope, pool: str | None, facts: ClaimFacts,
            subject: Subject | None, body_id: str | None) -> AccountKey:
    if scope is CapScope.POOL:
        # One pot for every programme that draws on it: the key names the pool, not the programme.
        return AccountKey("cap", f"cap:pool:{pool}:{catalogue.policy.id}", cap=(scope, pool), whose=pool or "")
    alone = facts.uscc if scope in (CapScope.ENTERPRISE_YEAR, CapScope.ENTERPRISE_TERM) else None
    owner = {
        CapScope.PROJECT: _about(subject),  # rule 5: one cap per project across every organisation
        CapScope.ENTERPRISE_YEAR: f"{facts.uscc}:{facts.award_year}",
        CapScope.ENTERPRISE_TERM: f"{facts.uscc}:{catalogue.policy.id}",
        CapScope.ORGANISATION_YEAR: body_year_owner(body_id, facts.award_year),
        CapScope.FUND: catalogue.policy.id,
    }[scope]
    whose = (body_id or "") if scope is CapScope.ORGANISATION_YEAR else (pool or "")
    return AccountKey("cap", f"cap:{scope.value}:{programme.code}:{owner}", alone, cap=(scope, pool), whose=whose)


@dataclass(frozen=True)
class CapAccountText:
    """A cap account's key read back (`cap_key` writes it): `cap:SCOPE:PROGRAMME:OWNER`, the pool's name in place of
    the programme for a pool. The one reader of the key's text, for the projections and the proposals."""
    scope: str
    programme: str
    owner: str

    @property
    def body_id(self) -> str | None:
        """The innovation body of a cap per innovation organisation per year (`BODY:YEAR`, the id may hold colons)."""
        return self.owner.rsplit(":", 1)[0] if self.scope == CapScope.ORGANISATION_YEAR.value else None


def read_cap_key(text: str) -> CapAccountText:
    family, scope, programme, owner = text.split(":", 3)
    if family != "cap":
        raise ValueError(f"not a cap account: {text!r}")
    return CapAccountText(scope, programme, owner)


def ladder_key(programme: Programme, facts: ClaimFacts, tier: str, subject: Subject | None,
               body_id: str | None) -> AccountKey:
    rungs = "<".join(programme.ladder_of(tier))
    if programme.ladder_per is LadderPer.BODY or programme.body_kind:
        return AccountKey("ladder", f"ladder:{programme.code}:body:{body_id}:{rungs}")
    about = _about(subject) if programme.ladder_per is LadderPer.SUBJECT else NO_SUBJECT
    return AccountKey("ladder", f"ladder:{programme.code}:{facts.uscc}:{rungs}:{about}", facts.uscc)


def once_key(programme: Programme, facts: ClaimFacts, subject: Subject | None, body_id: str | None) -> AccountKey:
    per = programme.once_per
    if per is OncePer.BODY:
        return AccountKey("once", f"once:{programme.code}:body:{body_id}")
    owner = {OncePer.ORGANISATION: NO_SUBJECT, OncePer.SUBJECT: _about(subject),
             OncePer.AWARD_YEAR: str(facts.award_year)}[per]  # type: ignore[index]
    return AccountKey("once", f"once:{programme.code}:{facts.uscc}:{owner}", facts.uscc)


def certification_key(certification_id: str, tier: str | None) -> AccountKey:
    """Rule 2: a certification is paid once per rung it stands at, whatever subject a claim names."""
    return AccountKey("certification", f"certification:{certification_id}:{tier or NO_SUBJECT}")


def rank_key(programme: Programme, tier: str | None, subject: Subject | None, rank: int) -> AccountKey:
    """Rule 11: each rank of one prize or standard (programme, tier, subject) is one unit's."""
    return AccountKey("rank", f"rank:{programme.code}:{tier or NO_SUBJECT}:{_about(subject)}:{rank}")


def designation_key(certification_id: str, uscc: str) -> AccountKey:
    """A claim that needs a designation (A8.orders and A6.chain_leader_rd need A6.chain_leader) rests on the
    certification that designates its organisation: the account checks nothing and caps nothing, it names the
    claims, so revoking the designation finds them (contract: "every proposed or pending claim resting on it is
    withdrawn, every approved one revoked")."""
    return AccountKey("designation", f"designation:{certification_id}", uscc)


def subject_key(uscc: str, subject: Subject | None) -> AccountKey | None:
    return AccountKey("subject", f"subject:{uscc}:{subject.key}", uscc) if subject else None


def cap_keys(catalogue: Catalogue, programme: Programme, cap: Cap, facts: ClaimFacts, subject: Subject | None,
             body_id: str | None, bodies: tuple[str, ...] = ()) -> list[AccountKey]:
    """The accounts one cap draws on. A cap per innovation organisation per year (A11) is "summed over its member
    units' standard awards": a unit in several bodies on the claim's day counts in each one's sum, so its award
    draws on every one of their caps (the body the claim counts under first), and fits under the tightest."""
    if cap.scope is CapScope.ORGANISATION_YEAR:
        return [cap_key(catalogue, programme, cap.scope, cap.pool, facts, subject, b)
                for b in dict.fromkeys(b for b in (body_id, *bodies) if b)] or [
            cap_key(catalogue, programme, cap.scope, cap.pool, facts, subject, body_id)]
    return [cap_key(catalogue, programme, cap.scope, cap.pool, facts, subject, body_id)]


def for_cap(key: AccountKey, cap: Cap) -> bool:
    """Whether `key` is one of the accounts `cap` draws on (`cap_keys`)."""
    return key.cap == (cap.scope, cap.pool)


def keys_for(catalogue: Catalogue, programme: Programme, facts: ClaimFacts, tier: str | None,
             subject: Subject | None, body_id: str | None, rests_on: str | None = None,
             bodies: tuple[str, ...] = ()) -> list[AccountKey]:
    """`rests_on`: the certification of the designation the programme needs, where it needs one; `bodies`: the
    innovation bodies the unit belongs to on the claim's day (a cap per innovation organisation counts it in
    each)."""
    keys: list[AccountKey] = []
    if rests_on:
        keys.append(designation_key(rests_on, facts.uscc))
    if programme.kind is Kind.TIERED and tier:
        keys.append(ladder_key(programme, facts, tier, subject, body_id))
    if programme.once_per:
        keys.append(once_key(programme, facts, subject, body_id))
    if facts.certification_id:
        keys.append(certification_key(facts.certification_id, tier))
    if programme.ranked and facts.rank is not None:
        keys.append(rank_key(programme, tier, subject, facts.rank))
    about = subject_key(facts.uscc, subject)
    if about and programme.kind is not Kind.INVESTMENT:
        keys.append(about)
    for cap in programme.caps:
        keys.extend(cap_keys(catalogue, programme, cap, facts, subject, body_id, bodies))
    return keys
