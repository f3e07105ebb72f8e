"""Read a catalogue file, refusing a malformed one with a message that names the field."""
from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from ledger.catalogue.model import (
    Bureau,
    Cap,
    CapScope,
    Catalogue,
    Kind,
    LadderPer,
    OncePer,
    Policy,
    Pool,
    Programme,
    RankShare,
    Threshold,
    Tier,
)

HERE = Path(__file__).parent


class CatalogueError(ValueError):
    """A catalogue file that does not describe a policy the ledger can apply."""


class _Reader:
    """Typed access to one table of the file; every error names the dotted path of the field."""

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table, self.where = table, where

    def _fail(self, key: str, wanted: str) -> CatalogueError:
        got = self.table.get(key, "<missing>")
        return CatalogueError(f"{self.where}.{key}: expected {wanted}, got {got!r}; fix the catalogue file")

    def text(self, key: str, default: str | None = None) -> str:
        value = self.table.get(key, default)
        if not isinstance(value, str) or (default is None and not value):
            raise self._fail(key, "a non-empty string")
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def day(self, key: str) -> date:
        value = self.table.get(key)
        if not isinstance(value, date):
            raise self._fail(key, "a TOML date such as 2022-09-06")
        return value

    def decimal(self, key: str, *, required: bool = True) -> Decimal | None:
        value = self.table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise self._fail(key, 'a decimal string such as "500000.00" (never a float)')
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self._fail(key, "a decimal string") from None
        if not number.is_finite() or number < 0:
            raise self._fail(key, "a finite, non-negative decimal")
        return number

    def flag(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def choice(self, key: str, enum: type, *, required: bool = True):
        value = self.table.get(key)
        if value is None and not required:
            return None
        try:
            return enum(value)
        except ValueError:
            raise self._fail(key, "one of " + ", ".join(m.value for m in enum)) from None

    def tables(self, key: str) -> list[_Reader]:
        value = self.table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._fail(key, "a list of tables")
        return [_Reader(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(value)]


def _cap(c: _Reader, pools: dict[str, Pool]) -> Cap:
    scope = c.choice("scope", CapScope)
    if scope is not CapScope.POOL:
        return Cap(scope, c.decimal("limit"), c.text("reading", ""))  # type: ignore[arg-type]
    code = c.text("pool")
    pool = pools.get(code)
    if pool is None:
        raise CatalogueError(f"{c.where}.pool: {code!r} is not a [[pools]] entry of the catalogue")
    if "limit" in c.table:
        raise CatalogueError(f"{c.where}.limit: a pool's limit is set once, on its [[pools]] entry {code!r}")
    return Cap(scope, pool.limit, pool.reading, code)


def _pool(r: _Reader) -> Pool:
    return Pool(r.text("code"), r.integer("article"), r.decimal("limit"), r.text("name_zh"),  # type: ignore[arg-type]
                r.text("name_en"), reading=r.text("reading", ""))


def _programme(r: _Reader, bureaus: set[str], pools: dict[str, Pool], subject_kinds: tuple[str, ...],
               body_kinds: dict[str, tuple[str, str]]) -> Programme:
    lead = r.text("lead")
    if lead not in bureaus:
        raise CatalogueError(f"{r.where}.lead: {lead!r} is not a bureau of the catalogue")
    tiers = tuple(Tier(t.text("code"), t.text("name_zh"), t.text("name_en"), t.decimal("amount", required=False),
                       None if "max_rank" not in t.table else t.integer("max_rank")) for t in r.tables("tiers"))
    ladders = r.table.get("ladders", [])
    known = {t.code for t in tiers}
    for i, ladder in enumerate(ladders):
        if not isinstance(ladder, list) or not set(ladder) <= known:
            raise CatalogueError(f"{r.where}.ladders[{i}]: every rung must be a tier code of this programme")
    kind = r.choice("kind", Kind)
    programme = Programme(
        code=r.text("code"), article=r.integer("article"), lead=lead, kind=kind,
        name_zh=r.text("name_zh"), name_en=r.text("name_en"), tiers=tiers,
        ladders=tuple(tuple(ladder) for ladder in ladders),
        rate=r.decimal("rate", required=kind is Kind.RATE),
        basis_zh=r.text("basis_zh", ""), basis_en=r.text("basis_en", ""),
        max_award=r.decimal("max_award", required=kind is Kind.CAPPED),
        caps=tuple(_cap(c, pools) for c in r.tables("caps")),
        rank_shares=tuple(RankShare(s.integer("from"), s.integer("to"), s.decimal("share"))
                          for s in r.tables("rank_shares")),
        thresholds=tuple(Threshold(t.text("fact"), t.decimal("min"), t.text("name_zh"), t.text("name_en"))
                         for t in r.tables("thresholds")),
        once_per=r.choice("once_per", OncePer, required=False),
        requires_membership=r.flag("requires_membership", True),
        requires_designation=r.table.get("requires_designation"),
        requires_body_lead=r.flag("requires_body_lead", False),
        ladder_reading=r.text("ladder_reading", ""),
        body_kind=r.table.get("body_kind"),
        subject_kind=r.table.get("subject_kind"),
        ladder_per=r.choice("ladder_per", LadderPer, required=False) or LadderPer.ORGANISATION,
    )
    if programme.body_kind is not None and programme.body_kind not in body_kinds:
        raise CatalogueError(f"{r.where}.body_kind: {programme.body_kind!r} is not one of [body_kinds]")
    if programme.subject_kind is not None and programme.subject_kind not in subject_kinds:
        raise CatalogueError(f"{r.where}.subject_kind: {programme.subject_kind!r} is not one of subjects.kinds")
    if kind is Kind.TIERED and not all(t.amount is not None for t in tiers):
        raise CatalogueError(f"{r.where}.tiers: a tiered programme needs an amount on every tier")
    if programme.rate is not None and not Decimal(0) < programme.rate <= 1:
        raise CatalogueError(f"{r.where}.rate: a rate is a fraction in (0, 1], got {programme.rate}")
    return programme


def parse(document: dict[str, Any], source: str = "<memory>") -> Catalogue:
    """Build a catalogue from a parsed TOML document."""
    root = _Reader(document, source)
    p = _Reader(document.get("policy") or {}, f"{source}: policy")
    policy = Policy(
        id=p.text("id"), version=p.text("version"), title_zh=p.text("title_zh"), title_en=p.text("title_en"),
        issued_on=p.day("issued_on"), effective_from=p.day("effective_from"), effective_to=p.day("effective_to"),
        term_article=p.integer("term_article"), currency=p.text("currency"),
        special_fund_floor=p.decimal("special_fund_floor"), special_fund_article=p.integer("special_fund_article"),
        supersession_article=p.integer("supersession_article"), upgrade_article=p.integer("upgrade_article"),
        eligibility_article=p.integer("eligibility_article"),
        recognition_article=p.integer("recognition_article", 3), award_year_lag=p.integer("award_year_lag", 1),
    )
    if policy.effective_to < policy.effective_from:
        raise CatalogueError(f"{source}: policy.effective_to is before policy.effective_from")
    bureaus = tuple(Bureau(b.text("code"), b.text("name_zh"), b.text("name_en"), b.flag("records_money", False))
                    for b in root.tables("bureaus"))
    kinds = {k: (r.text("name_zh"), r.text("name_en"))
             for k, v in (document.get("body_kinds") or {}).items()
             for r in [_Reader(v if isinstance(v, dict) else {}, f"{source}: body_kinds.{k}")]}
    subjects = _Reader(document.get("subjects") or {}, f"{source}: subjects")
    subject_kinds = subjects.table.get("kinds", [])
    if not isinstance(subject_kinds, list) or not all(isinstance(k, str) and k.isalpha() for k in subject_kinds):
        raise CatalogueError(f"{source}: subjects.kinds: expected a list of words such as [\"project\"]")
    pools = {}
    for r in root.tables("pools"):
        pool = _pool(r)
        if pool.code in pools:
            raise CatalogueError(f"{r.where}.code: pool {pool.code!r} appears twice")
        pools[pool.code] = pool
    programmes: dict[str, Programme] = {}
    for r in root.tables("programmes"):
        programme = _programme(r, {b.code for b in bureaus}, pools, tuple(subject_kinds), kinds)
        if programme.code in programmes:
            raise CatalogueError(f"{r.where}.code: {programme.code!r} appears twice")
        programmes[programme.code] = programme
    for programme in programmes.values():
        needed = programme.requires_designation
        if needed and (needed not in programmes or programmes[needed].kind is not Kind.DESIGNATION):
            raise CatalogueError(f"{source}: {programme.code}.requires_designation names no designation: {needed!r}")
    pools = {code: Pool(p.code, p.article, p.limit, p.name_zh, p.name_en,
                        tuple(c for c, prog in programmes.items() if any(cap.pool == code for cap in prog.caps)),
                        p.reading)
             for code, p in pools.items()}
    return Catalogue(policy, bureaus, kinds, programmes, source, pools, tuple(subject_kinds))


def load_file(path: Path) -> Catalogue:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise CatalogueError(f"{path}: not valid TOML ({err}); fix the file") from None
    return parse(document, str(path.name))


@cache
def catalogues(folder: Path = HERE) -> tuple[Catalogue, ...]:
    """Every catalogue version in the folder, oldest term first."""
    found = tuple(sorted((load_file(p) for p in folder.glob("*.toml")), key=lambda c: c.policy.effective_from))
    if not found:
        raise CatalogueError(f"no catalogue (*.toml) in {folder}; the ledger needs at least one policy version")
    return found


def in_force(on: date, folder: Path = HERE) -> Catalogue | None:
    """The version whose term contains the date, or None outside every term."""
    return next((c for c in catalogues(folder) if c.policy.in_term(on)), None)


def current(folder: Path = HERE) -> Catalogue:
    """The newest version: what GET /v1/programmes shows and what decides claims unless a date picks another."""
    return catalogues(folder)[-1]
