"""The policy catalogue as typed values: programmes, tiers, ladders, caps, rank shares, the term."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property


class Kind(StrEnum):
    TIERED = "tiered"            # fixed amount per tier, one time
    CAPPED = "capped"            # decided by the bureau, at most the programme's award cap
    RATE = "rate"                # a share of a declared basis, rounded down to the fen
    AS_REQUIRED = "as_required"  # 按要求: decided with a document reference, no formula, no cap
    INVESTMENT = "investment"    # Art. 13 fund money, kept apart from awards
    DESIGNATION = "designation"  # no money; a status other rules depend on


class CapScope(StrEnum):
    PROJECT = "project"                      # per programme and project, across EVERY organisation claiming for it
    ENTERPRISE_YEAR = "enterprise_year"      # per organisation, programme and award year
    ENTERPRISE_TERM = "enterprise_term"      # per organisation and programme over the policy term
    ORGANISATION_YEAR = "organisation_year"  # per innovation organisation (body) and award year, all members
    FUND = "fund"                            # one pot for the whole programme
    POOL = "pool"                            # one pot that several programmes share (a catalogue [[pools]] entry)


class OncePer(StrEnum):
    ORGANISATION = "organisation"
    BODY = "body"                # rule 13: a recognition award is once per recognised body
    SUBJECT = "subject"
    AWARD_YEAR = "award_year"


@dataclass(frozen=True)
class Tier:
    code: str
    name_zh: str
    name_en: str
    amount: Decimal | None = None
    max_rank: int | None = None


class LadderPer(StrEnum):
    """Whose rungs a ladder counts (rule 3): an organisation's, a body's (rule 13), or a unit's per subject."""

    ORGANISATION = "organisation"
    BODY = "body"
    SUBJECT = "subject"          # prize grades and standards: per unit and project / standard


@dataclass(frozen=True)
class Cap:
    scope: CapScope
    limit: Decimal
    reading: str = ""
    pool: str | None = None      # the shared pool's code, for scope POOL


@dataclass(frozen=True)
class Pool:
    """A cap several programmes draw on together (rule 5), such as Art. 13's one investment fund."""

    code: str
    article: int
    limit: Decimal
    name_zh: str
    name_en: str
    programmes: tuple[str, ...] = ()
    reading: str = ""


@dataclass(frozen=True)
class RankShare:
    first: int
    last: int
    share: Decimal


@dataclass(frozen=True)
class Threshold:
    fact: str
    minimum: Decimal
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Programme:
    code: str
    article: int
    lead: str
    kind: Kind
    name_zh: str
    name_en: str
    tiers: tuple[Tier, ...] = ()
    ladders: tuple[tuple[str, ...], ...] = ()
    rate: Decimal | None = None
    basis_zh: str = ""
    basis_en: str = ""
    max_award: Decimal | None = None
    caps: tuple[Cap, ...] = ()
    rank_shares: tuple[RankShare, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    once_per: OncePer | None = None
    requires_membership: bool = True
    requires_designation: str | None = None
    requires_body_lead: bool = False
    ladder_reading: str = ""
    body_kind: str | None = None          # rule 13: a recognition award for a body of this kind, paid to its lead
    subject_kind: str | None = None       # the kind of subject its awards are for (project, product, standard)
    ladder_per: LadderPer = LadderPer.ORGANISATION

    @property
    def ranked(self) -> bool:
        """Rule 11: rank shares or ranked tiers make each rank of one prize or standard a slot for one unit."""
        return bool(self.rank_shares) or any(t.max_rank is not None for t in self.tiers)

    @property
    def needs_subject(self) -> bool:
        """A per-project cap, a once-per-subject slot or a rank slot is keyed by the subject: it must be named."""
        return (any(c.scope is CapScope.PROJECT for c in self.caps) or self.once_per is OncePer.SUBJECT
                or self.ranked)

    @property
    def decided(self) -> bool:
        """Rule 6: the bureau states the amount (capped, as-required and investment programmes)."""
        return self.kind in (Kind.CAPPED, Kind.AS_REQUIRED, Kind.INVESTMENT)

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    @property
    def zh(self) -> str:
        """The programme as a Chinese reader's refusal names it: 创新券补助（A5.voucher）, its name, then its code."""
        return f"{self.name_zh}（{self.code}）"

    def ladder_of(self, tier: str) -> tuple[str, ...]:
        """The ladder a tier stands on; a tier on no ladder is a ladder of its own."""
        return next((ladder for ladder in self.ladders if tier in ladder), (tier,))

    @property
    def pays_awards(self) -> bool:
        """Investments are fund money and designations pay nothing: neither counts as an award."""
        return self.kind not in (Kind.INVESTMENT, Kind.DESIGNATION)


@dataclass(frozen=True)
class Bureau:
    code: str
    name_zh: str
    name_en: str
    records_money: bool = False


@dataclass(frozen=True)
class Policy:
    id: str
    version: str
    title_zh: str
    title_en: str
    issued_on: date
    effective_from: date
    effective_to: date
    term_article: int
    currency: str
    special_fund_floor: Decimal
    special_fund_article: int
    supersession_article: int
    upgrade_article: int
    eligibility_article: int
    recognition_article: int = 3
    award_year_lag: int = 1

    def in_term(self, day: date) -> bool:
        return self.effective_from <= day <= self.effective_to

    @property
    def years(self) -> range:
        return range(self.effective_from.year, self.effective_to.year + 1)

    @property
    def term_text(self) -> str:
        return f"{self.effective_from.isoformat()} to {self.effective_to.isoformat()} inclusive"

    @property
    def term_text_zh(self) -> str:
        return f"{self.effective_from.isoformat()} 至 {self.effective_to.isoformat()}（含）"


@dataclass(frozen=True)
class Catalogue:
    policy: Policy
    bureaus: tuple[Bureau, ...]
    body_kinds: dict[str, tuple[str, str]]
    programmes: dict[str, Programme] = field(default_factory=dict)
    source: str = ""
    pools: dict[str, Pool] = field(default_factory=dict)
    subject_kinds: tuple[str, ...] = ()

    def programme(self, code: str) -> Programme | None:
        return self.programmes.get(code)

    @cached_property
    def project_ceilings(self) -> dict[str, Decimal]:
        """Each programme's per-project cap (rule 5): the most its standing on one project can be (rule 4)."""
        return {code: min(c.limit for c in p.caps if c.scope is CapScope.PROJECT)
                for code, p in self.programmes.items() if any(c.scope is CapScope.PROJECT for c in p.caps)}

    @cached_property
    def names_zh(self) -> dict[str, str]:
        """Each programme as a Chinese refusal names it: its name, its code beside it (挑战赛奖励（A4.challenge）)."""
        return {code: programme.zh for code, programme in self.programmes.items()}

    def bureau(self, code: str) -> Bureau | None:
        return next((b for b in self.bureaus if b.code == code), None)
