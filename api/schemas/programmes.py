"""The catalogue in force as the API shows it: the policy, its bureaus, and every programme's numbers."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from api.schemas.common import Names, PublicModel
from api.schemas.fields import MoneyOut
from ledger.catalogue import Catalogue, Programme
from ledger.domain.values import fmt


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else fmt(amount)


class Term(PublicModel):
    effective_from: date
    effective_to: date = Field(description="inclusive")
    article: int


class TierPublic(PublicModel):
    code: str
    names: Names
    amount: MoneyOut | None = Field(description="fixed award of the tier, if it has one")
    max_rank: int | None = Field(description="only the first max_rank contributors qualify")


class CapPublic(PublicModel):
    scope: str = Field(description="project (one cap per project across every organisation), enterprise_year,"
                                   " enterprise_term, organisation_year (summed over a body's members), fund, or pool"
                                   " (shared by several programmes)")
    limit: MoneyOut
    reading: str = Field(description="how ambiguous policy text was read, if it was")
    pool: str | None = Field(default=None, description="the shared pool's code, for scope pool",
                             examples=["A13.fund"])


class PoolPublic(PublicModel):
    code: str = Field(examples=["A13.fund"])
    article: int
    names: Names
    limit: MoneyOut
    programmes: list[str] = Field(description="the programmes that draw on it together")
    reading: str


class RankSharePublic(PublicModel):
    from_rank: int
    to_rank: int
    share: str = Field(description="the share of the tier amount, as a decimal string", examples=["0.5"])


class ThresholdPublic(PublicModel):
    fact: str
    minimum: MoneyOut
    names: Names


class ProgrammePublic(PublicModel):
    code: str = Field(examples=["A3.erc"])
    article: int
    lead_bureau: str
    kind: str = Field(description="tiered, capped, rate, as_required, investment or designation")
    names: Names
    tiers: list[TierPublic]
    ladders: list[list[str]] = Field(description="tiers in climbing order; an upgrade pays the difference")
    rate: str | None = Field(description="share of the basis as a decimal fraction", examples=["0.30"])
    basis: Names | None
    max_award: MoneyOut | None
    caps: list[CapPublic]
    rank_shares: list[RankSharePublic]
    thresholds: list[ThresholdPublic]
    once_per: str | None
    requires_membership: bool
    requires_designation: str | None
    requires_body_lead: bool
    body_kind: str | None = Field(description="rule 13: a recognition award for a recognised body of this kind,"
                                              " paid to its lead unit once per body and ladder")
    subject_kind: str | None = Field(description="what its awards are for: claims name subject as `<kind>:…`")
    subject_required: bool = Field(description="a per-project cap, a once-per-subject slot or a rank slot keys"
                                               " its awards by subject")
    ladder_per: str = Field(description="whose rungs a ladder counts: organisation, body, or subject (per unit"
                                        " and project or standard, prize grades)")
    one_unit_per_rank: bool = Field(description="rule 11: each rank of one prize or standard is held by one unit")
    decided_amount: bool = Field(description="rule 6: the bureau states requested_amount (no default)")
    term: Term

    @classmethod
    def of(cls, p: Programme, term: Term) -> ProgrammePublic:
        return cls(
            code=p.code, article=p.article, lead_bureau=p.lead, kind=p.kind.value,
            names=Names(zh=p.name_zh, en=p.name_en),
            tiers=[TierPublic(code=t.code, names=Names(zh=t.name_zh, en=t.name_en), amount=_money(t.amount),
                              max_rank=t.max_rank) for t in p.tiers],
            ladders=[list(ladder) for ladder in p.ladders],
            rate=None if p.rate is None else str(p.rate),
            basis=Names(zh=p.basis_zh, en=p.basis_en) if p.basis_zh or p.basis_en else None,
            max_award=_money(p.max_award),
            caps=[CapPublic(scope=c.scope.value, limit=fmt(c.limit), reading=c.reading, pool=c.pool) for c in p.caps],
            rank_shares=[RankSharePublic(from_rank=s.first, to_rank=s.last, share=str(s.share))
                         for s in p.rank_shares],
            thresholds=[ThresholdPublic(fact=t.fact, minimum=fmt(t.minimum), names=Names(zh=t.name_zh, en=t.name_en))
                        for t in p.thresholds],
            once_per=None if p.once_per is None else p.once_per.value,
            requires_membership=p.requires_membership, requires_designation=p.requires_designation,
            requires_body_lead=p.requires_body_lead, body_kind=p.body_kind, subject_kind=p.subject_kind,
            subject_required=p.needs_subject, ladder_per=p.ladder_per.value, one_unit_per_rank=p.ranked,
            decided_amount=p.decided, term=term,
        )


class PolicyPublic(PublicModel):
    id: str
    version: str
    titles: Names
    issued_on: date
    term: Term
    currency: str
    special_fund_floor: MoneyOut


class BureauPublic(PublicModel):
    code: str
    names: Names
    records_money: bool


class BodyKindPublic(PublicModel):
    code: str
    names: Names


class CataloguePublic(PublicModel):
    policy: PolicyPublic
    bureaus: list[BureauPublic]
    body_kinds: list[BodyKindPublic]
    subject_kinds: list[str] = Field(description="subjects are written `<kind>:<identifier>`, compared after"
                                                 " NFKC folding, trimming and case folding")
    pools: list[PoolPublic]
    programmes: list[ProgrammePublic]

    @classmethod
    def of(cls, c: Catalogue) -> CataloguePublic:
        p = c.policy
        term = Term(effective_from=p.effective_from, effective_to=p.effective_to, article=p.term_article)
        return cls(
            policy=PolicyPublic(id=p.id, version=p.version, titles=Names(zh=p.title_zh, en=p.title_en),
                                issued_on=p.issued_on, term=term, currency=p.currency,
                                special_fund_floor=fmt(p.special_fund_floor)),
            bureaus=[BureauPublic(code=b.code, names=Names(zh=b.name_zh, en=b.name_en), records_money=b.records_money)
                     for b in c.bureaus],
            body_kinds=[BodyKindPublic(code=k, names=Names(zh=zh, en=en)) for k, (zh, en) in c.body_kinds.items()],
            subject_kinds=list(c.subject_kinds),
            pools=[PoolPublic(code=q.code, article=q.article, names=Names(zh=q.name_zh, en=q.name_en),
                              limit=fmt(q.limit), programmes=list(q.programmes), reading=q.reading)
                   for q in c.pools.values()],
            programmes=[ProgrammePublic.of(prog, term) for prog in c.programmes.values()],
        )
