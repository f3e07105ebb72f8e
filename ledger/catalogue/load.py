"""Read a catalogue file, refusing a malformed one with a message that names the field."""
from __future__ import annotations

import difflib
import json
import re
import tomllib
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from ledger.catalogue import toml_words
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
from ledger.domain.text import InvalidText, clean_text, printable
from ledger.domain.values import yuan

HERE = Path(__file__).parent
# A catalogue's numbers, as the API's amounts (15 digits before the point): an amount past them is a typo, and
# `1` followed by 40 zeros took the sandbox's arithmetic out of Decimal's context (a traceback, not a refusal).
MAX_DIGITS, MAX_PLACES = 15, 6
DECIMAL_TEXT = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# The bounds of a catalogue's other numbers and sizes, each far above the catalogue in force (in brackets) and far
# below what would make a draft's replay slow: a simulation's time grew with award_year_lag (a loop over the years
# a claim may be booked in: 9,999,999 took half an hour) before it was bounded.
MAX_AWARD_YEAR_LAG = 5     # rule 10: the year of the facts or a year after it (1)
MAX_TERM_YEARS = 10        # the calendar years a term touches (2022 to 2025: 4)
MAX_ARTICLE = 999          # an article of the policy document (at most 16)
MAX_RANK = 100             # a ranked tier's or a rank share's last rank (5)
MAX_ENTRIES = 100          # the entries of any array: programmes (21), tiers, ladders, caps, pools, kinds ...
FRACTIONS = ("rate", "share")  # decimals that are fractions of a whole (30% is "0.30")
MAX_CODE = 60              # a body kind's code, written as a key of [body_kinds] (erc)
BODY_KIND = re.compile(rf"[A-Za-z][A-Za-z0-9_]{{0,{MAX_CODE - 1}}}")
THRESHOLD_FACTS = ("basis_amount", "requested_amount")  # the figures of a claim (ledger/rules/facts.py) in money
CODE = re.compile(r"[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*", re.ASCII)
BARE_KEY = re.compile(r"[A-Za-z_]\w*")  # a key a refusal names as it is; any other it quotes (`shown_key`)
_SHOWN = 60                # the characters of a refused value a refusal repeats


class CatalogueError(ValueError):
    """A catalogue file that does not describe a policy the ledger can apply; `zh`: the same for a Chinese reader
    (the policy sandbox's refusals, the CLI's), naming the same dotted field."""

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


def _as_toml(value: Any) -> str:
    """A value as the file wrote it (2023-03-01, "30", true), not as Python shows it (datetime.date(2023, 3, 1))."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):  # a TOML basic string, escapes and all; a long one cut, invisible ones escaped
        return printable(json.dumps(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""), ensure_ascii=False))
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, int) and len(shown := str(value)) > _SHOWN:
        return shown[:20] + "…"
    if isinstance(value, dict | list):  # a table or an array as its brackets: its contents may be anything
        return ("{…}" if value else "{}") if isinstance(value, dict) else ("[…]" if value else "[]")
    return printable(repr(value)[:_SHOWN])


def shown_key(key: str) -> str:
    """A key as a refusal names it in a dotted field: a word as it is; any other quoted as TOML writes it, cut, with
    every character but printable ASCII escaped (so it can neither steer a terminal nor hide in a field name)."""
    if BARE_KEY.fullmatch(key) and len(key) <= _SHOWN:
        return key
    return json.dumps(key[:_SHOWN] + ("…" if len(key) > _SHOWN else ""))


class _Reader:
    """Typed access to one table of the file; every error names the dotted path of the field."""

    def __init__(self, table: dict[str, Any], where: str) -> None:
        self.table, self.where = table, where
        self.seen: set[str] = set()  # the fields read: any other is a mistake (`finish`)

    def _fail(self, key: str, wanted: str, wanted_zh: str) -> CatalogueError:
        got = _as_toml(self.table[key]) if key in self.table else "<missing>"
        return CatalogueError(f"{self.where}.{key}: expected {wanted}, got {got}; fix the catalogue file",
                              zh=f"{self.where}.{key}：应为{wanted_zh}，"
                                 + (f"实际为 {got}" if key in self.table else "但未填写"))

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return self.table.get(key, default)

    def finish(self) -> None:
        """Refuse a field the reader does not know: a misspelt one (`cap` for `caps`) would otherwise be ignored
        and its rule silently dropped from the policy."""
        for written in self.table:
            if written not in self.seen:
                key = shown_key(written)
                close = difflib.get_close_matches(key, sorted(self.seen), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise CatalogueError(f"{self.where}.{key}: not a field of this table{hint}; fix the catalogue file"
                                     f" (fields here: {', '.join(sorted(self.seen))})",
                                     zh=f"{self.where}.{key}：不是此表的字段" + (f"（是否应为 {close[0]!r}？）" if close
                                                                           else "")
                                        + f"；此表的字段为：{'、'.join(sorted(self.seen))}")

    def subtable(self, key: str, where: str) -> _Reader:
        """The [key] table (none written: an empty one), its fields named after `where`."""
        value = self.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(key, f"a table ([{key}])", f"表（[{key}]）")
        return _Reader(value, where)

    def text(self, key: str, default: str | None = None) -> str:
        """Text through the ledger's one text check (ledger/domain/text.py): one line, no control or invisible
        characters, at most MAX_TEXT characters; NFC and trimmed, as every name the ledger keeps."""
        value = self.get(key, default)
        if not isinstance(value, str) or (default is None and not value):
            raise self._fail(key, "a non-empty string", "非空字符串")
        try:
            return clean_text(value, "the text", required=default is None, field_zh="该文本")
        except InvalidText as err:
            raise CatalogueError(f"{self.where}.{key}: {err.detail}; fix the catalogue file",
                                 zh=f"{self.where}.{key}：{err.zh}") from None

    def code(self, key: str) -> str:
        """A code (a programme's A5.voucher, a tier's, a bureau's, a pool's): ASCII letters and digits joined by . _
        or -, at most MAX_CODE characters. A full-width Ａ5.voucher looks the same on a page and is another code: a
        draft with one dropped the real programme unseen (a probe's −40,000.00 beside its twin)."""
        value = self.text(key)
        if not CODE.fullmatch(value) or len(value) > MAX_CODE:
            shown = value[:_SHOWN]
            raise CatalogueError(f"{self.where}.{key}: {shown!r} is not a code: write ASCII letters and digits, joined"
                                 f" by . _ or - (A5.voucher, provincial_sme), at most {MAX_CODE} characters; a"
                                 " full-width or look-alike character is another code that reads the same",
                                 zh=f"{self.where}.{key}：{shown!r} 不是有效代码：请只用半角英文字母和数字，以 . _ 或 -"
                                    f" 连接（如 A5.voucher、provincial_sme），不超过 {MAX_CODE} 个字符；全角或形近字符"
                                    "看起来相同，却是另一个代码")
        return value

    def threshold_fact(self, key: str) -> str:
        """The claim's figure a threshold tests: one the rules can read (a regression probe's `ｂasis_amount`, or
        any other name, passed the draft's check and failed every simulation of an A8.orders claim with a 500)."""
        value = self.text(key)
        if value not in THRESHOLD_FACTS:
            raise self._fail(key, " or ".join(THRESHOLD_FACTS) + " (the claim's figure the threshold tests)",
                             "、".join(THRESHOLD_FACTS) + " 之一（门槛所检验的申请金额）")
        return value

    def optional_text(self, key: str) -> str | None:
        """A code that may be left out (None), or non-empty text."""
        return None if self.table.get(key) is None else self.text(key)

    def integer(self, key: str, default: int | None = None, *, least: int | None = None,
                most: int | None = None) -> int:
        value = self.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer", "整数")
        if least is not None and value < least:
            raise self._fail(key, f"a whole number of at least {least}", f"不小于 {least} 的整数")
        if most is not None and value > most:
            within = f"from {least} to {most}" if least is not None else f"of at most {most}"
            within_zh = f"{least} 至 {most} 之间的" if least is not None else f"不大于 {most} 的"
            raise self._fail(key, f"a whole number {within}", f"{within_zh}整数")
        return value

    def article(self, key: str, default: int | None = None) -> int:
        """The number of an article of the policy document."""
        return self.integer(key, default, least=1, most=MAX_ARTICLE)

    def day(self, key: str) -> date:
        value = self.get(key)
        if not isinstance(value, date) or isinstance(value, datetime):  # a date-time is no day
            raise self._fail(key, "a TOML date such as 2022-09-06 (a day, without a time)",
                             "TOML 日期，如 2022-09-06（只写日期，不带时间）")
        return value

    def decimal(self, key: str, *, required: bool = True) -> Decimal | None:
        value = self.get(key)
        if value is None and not required:
            return None
        # A rate or a share is a fraction: its example is one (a sandbox probe's rate = 0.3 was told to write
        # "500000.00").
        example = '"0.30"' if key in FRACTIONS else '"500000.00"'
        if value is None:
            raise self._fail(key, f"a decimal string in quotes such as {example}",
                             f"用引号括起的十进制数字字符串，如 {example}")
        if not isinstance(value, str):
            # An integer is no float, but it is no string either: the quotes are what is missing (a probe was told
            # "never a float" of amount = 200000).
            if isinstance(value, float):
                raise self._fail(key, f"a decimal string such as {example} (never a float)",
                                 f"用引号括起的十进制数字字符串，如 {example}（不能写成浮点数）")
            raise self._fail(key, f"a decimal string in quotes such as {example} (not a bare number)",
                             f"用引号括起的十进制数字字符串，如 {example}（不能写成不带引号的数字）")
        if value.strip().startswith(("-", "−", "－")):  # said so: the digits and point were what the clerk typed
            raise self._fail(key, f"a decimal string that is not negative, such as {example}",
                             f"不能为负数的十进制数字字符串，如 {example}")
        # Digits, at most one point, nothing else, as money is read everywhere: Decimal() alone also takes "1e5",
        # " 5 ", "50_000", full-width and other scripts' digits.
        if not DECIMAL_TEXT.fullmatch(value):
            raise self._fail(key, f"a decimal string of ASCII digits and at most one point, such as {example} (no"
                             " exponent, spaces, separators or other digits)",
                             f"只含半角数字和至多一个小数点的十进制数字字符串，如 {example}"
                             "（不用指数、空格、分隔符或全角数字）")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self._fail(key, "a decimal string", "十进制数字字符串") from None
        if not number.is_finite() or number < 0:
            raise self._fail(key, "a finite, non-negative decimal", "有限的非负数")
        if number.adjusted() >= MAX_DIGITS or number.as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]
            raise self._fail(key, f"a decimal of at most {MAX_DIGITS} digits before the point and {MAX_PLACES}"
                             " after it", f"整数部分不超过 {MAX_DIGITS} 位、小数部分不超过 {MAX_PLACES} 位的十进制数")
        return number

    def money(self, key: str, *, required: bool = True) -> Decimal | None:
        """An amount of yuan: a decimal string with at most two places (fen), as money travels everywhere."""
        number = self.decimal(key, required=required)
        if number is not None and number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self._fail(key, 'an amount of yuan with at most two decimal places, such as "500000.00"',
                             '以元为单位、最多两位小数的金额，如 "500000.00"')
        return number

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", "true 或 false")
        return value

    def choice(self, key: str, enum: type, *, required: bool = True):
        value = self.get(key)
        if value is None and not required:
            return None
        try:
            return enum(value)
        except ValueError:
            raise self._fail(key, "one of " + ", ".join(m.value for m in enum),
                             "以下之一：" + "、".join(m.value for m in enum)) from None

    def tables(self, key: str) -> list[_Reader]:
        value = self.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._fail(key, "a list of tables", "由表组成的数组（[[...]]）")
        self.bounded(key, value)
        return [_Reader(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(value)]

    def bounded(self, key: str, value: list[Any] | dict[str, Any]) -> None:
        """Refuse an array (or a table of kinds) of more than MAX_ENTRIES entries: no catalogue has a quarter."""
        if len(value) > MAX_ENTRIES:
            raise CatalogueError(f"{self.where}.{key}: {len(value):,} entries; a catalogue has at most {MAX_ENTRIES}"
                                 " here (the one in force at most 21): send only the entries the policy has",
                                 zh=f"{self.where}.{key}：共 {len(value):,} 项；政策目录此处最多 {MAX_ENTRIES} 项"
                                    "（现行目录最多 21 项）；请只填写政策中实有的条目")


def _cap(c: _Reader, pools: dict[str, Pool]) -> Cap:
    scope = c.choice("scope", CapScope)
    if scope is not CapScope.POOL:
        cap = Cap(scope, c.money("limit"), c.text("reading", ""))  # type: ignore[arg-type]
        c.finish()
        return cap
    code = c.code("pool")
    pool = pools.get(code)
    if pool is None:
        raise CatalogueError(f"{c.where}.pool: {code!r} is not a [[pools]] entry of the catalogue; name a pool code"
                             " listed under [[pools]]",
                             zh=f"{c.where}.pool：{code!r} 不是政策目录中的 [[pools]] 条目；请填写已列出的资金池代码")
    if "limit" in c.table:
        raise CatalogueError(f"{c.where}.limit: a pool's limit is set once, on its [[pools]] entry {code!r}",
                             zh=f"{c.where}.limit：资金池的上限只在其 [[pools]] 条目 {code!r} 中设置一次；"
                                "请删除此处的 limit")
    c.get("reading")
    c.finish()
    return Cap(scope, pool.limit, pool.reading, code)


def _pool(r: _Reader) -> Pool:
    pool = Pool(r.code("code"), r.article("article"), r.money("limit"), r.text("name_zh"),  # type: ignore[arg-type]
                r.text("name_en"), reading=r.text("reading", ""))
    r.finish()
    return pool


def _read(r: _Reader, make: Any) -> Any:
    """One table read by `make(r)`, then any field it did not read refused."""
    made = make(r)
    r.finish()
    return made


def _programme(r: _Reader, bureaus: set[str], pools: dict[str, Pool], subject_kinds: tuple[str, ...],
               body_kinds: dict[str, tuple[str, str]]) -> Programme:
    if r.get("lead") is None:  # said what to write, as an unknown lead is (a sandbox probe read "a non-empty string")
        raise CatalogueError(f"{r.where}.lead: missing; name the lead bureau by a code listed under [[bureaus]]"
                             f" ({', '.join(sorted(bureaus))})",
                             zh=f"{r.where}.lead：未填写；请填写 [[bureaus]] 中已有的牵头部门代码"
                                f"（{'、'.join(sorted(bureaus))}）")
    lead = r.code("lead")
    if lead not in bureaus:
        raise CatalogueError(f"{r.where}.lead: {lead!r} is not a bureau of the catalogue; name a bureau code listed"
                             " under [[bureaus]]",
                             zh=f"{r.where}.lead：{lead!r} 不是政策目录中的部门；请填写 [[bureaus]] 中已有的部门代码")
    tiers = tuple(_read(t, lambda t: Tier(t.code("code"), t.text("name_zh"), t.text("name_en"),
                                          t.money("amount", required=False),
                                          None if "max_rank" not in t.table
                                          else t.integer("max_rank", least=1, most=MAX_RANK)))
                  for t in r.tables("tiers"))
    known = {t.code for t in tiers}
    if len(known) < len(tiers):
        twice = next(t.code for i, t in enumerate(tiers) if t.code in {u.code for u in tiers[:i]})
        raise CatalogueError(f"{r.where}.tiers: tier {twice!r} appears twice; each tier code once per programme",
                             zh=f"{r.where}.tiers：等次 {twice!r} 出现了两次；同一政策条目中每个等次代码只能出现一次")
    ladders = r.get("ladders", [])
    if not isinstance(ladders, list):
        raise CatalogueError(f"{r.where}.ladders: expected a list of lists of tier codes, lowest rung first",
                             zh=f"{r.where}.ladders：应为由等次代码列表组成的列表，每个列表从最低一级写起")
    r.bounded("ladders", ladders)
    for i, ladder in enumerate(ladders):
        if not isinstance(ladder, list) or not all(isinstance(rung, str) for rung in ladder):
            raise CatalogueError(f"{r.where}.ladders[{i}]: expected a list of tier codes such as [\"municipal\","
                                 " \"provincial\"], lowest rung first",
                                 zh=f"{r.where}.ladders[{i}]：应为由等次代码组成的列表，"
                                    "如 [\"municipal\", \"provincial\"]，从最低一级写起")
        if not tiers:  # no rungs to name (a regression probe read "one of its tiers (-)")
            raise CatalogueError(f"{r.where}.ladders: a programme without tiers has no ladder; take ladders out (or"
                                 " give it tiers)",
                                 zh=f"{r.where}.ladders：没有等次的政策条目没有晋级阶梯；"
                                    "请删除 ladders（或为其设置等次）")
        if not set(ladder) <= known:
            odd = next(rung for rung in ladder if rung not in known)
            codes = ", ".join(t.code for t in tiers) or "-"
            raise CatalogueError(f"{r.where}.ladders[{i}]: {odd!r} is not a tier code of this programme; every rung"
                                 f" must be one of its tiers ({codes})",
                                 zh=f"{r.where}.ladders[{i}]：{odd!r} 不是本政策条目的等次代码；"
                                    f"每一级都必须是其等次之一（{codes}）")
        if len(set(ladder)) < len(ladder):
            raise CatalogueError(f"{r.where}.ladders[{i}]: a rung appears twice; list each rung once, lowest first",
                                 zh=f"{r.where}.ladders[{i}]：有一级出现了两次；每一级只列一次，从最低一级写起")
    kind = r.choice("kind", Kind)
    programme = Programme(
        code=r.code("code"), article=r.article("article"), lead=lead, kind=kind,
        name_zh=r.text("name_zh"), name_en=r.text("name_en"), tiers=tiers,
        ladders=tuple(tuple(ladder) for ladder in ladders),
        rate=r.decimal("rate", required=kind is Kind.RATE),
        basis_zh=r.text("basis_zh", ""), basis_en=r.text("basis_en", ""),
        max_award=r.money("max_award", required=kind is Kind.CAPPED),
        caps=tuple(_cap(c, pools) for c in r.tables("caps")),
        rank_shares=tuple(_read(s, lambda s: RankShare(s.integer("from", least=1, most=MAX_RANK),
                                                       s.integer("to", least=1, most=MAX_RANK), s.decimal("share")))
                          for s in r.tables("rank_shares")),
        thresholds=tuple(_read(t, lambda t: Threshold(t.threshold_fact("fact"), t.decimal("min"), t.text("name_zh"),
                                                      t.text("name_en")))
                         for t in r.tables("thresholds")),
        once_per=r.choice("once_per", OncePer, required=False),
        requires_membership=r.flag("requires_membership", True),
        requires_designation=r.optional_text("requires_designation"),
        requires_body_lead=r.flag("requires_body_lead", False),
        ladder_reading=r.text("ladder_reading", ""),
        body_kind=r.optional_text("body_kind"),
        subject_kind=r.optional_text("subject_kind"),
        ladder_per=r.choice("ladder_per", LadderPer, required=False) or LadderPer.ORGANISATION,
    )
    r.finish()
    if programme.body_kind is not None and programme.body_kind not in body_kinds:
        raise CatalogueError(f"{r.where}.body_kind: {programme.body_kind!r} is not one of [body_kinds]; name one"
                             " of the kinds listed there",
                             zh=f"{r.where}.body_kind：{programme.body_kind!r} 不在 [body_kinds] 中；"
                                "请填写其中已有的类型")
    if programme.subject_kind is not None and programme.subject_kind not in subject_kinds:
        raise CatalogueError(f"{r.where}.subject_kind: {programme.subject_kind!r} is not one of subjects.kinds;"
                             " name one of the kinds listed there",
                             zh=f"{r.where}.subject_kind：{programme.subject_kind!r} 不在 subjects.kinds 中；"
                                "请填写其中已有的类型")
    if kind is Kind.TIERED and not tiers:  # it could pay nothing: a draft that lost its block simulated to 0.00
        raise CatalogueError(f"{r.where}.tiers: a tiered programme needs at least one tier; give its tiers, such as"
                             ' tiers = [{ code = "municipal", name_zh = "市级", name_en = "municipal", amount ='
                             ' "300000.00" }] (or give the programme another kind)',
                             zh=f"{r.where}.tiers：按等次奖励（tiered）的政策条目至少要有一个等次；请填写等次，如"
                                ' tiers = [{ code = "municipal", name_zh = "市级", name_en = "municipal", amount ='
                                ' "300000.00" }]（或改为其他 kind）')
    if kind is Kind.TIERED and not all(t.amount is not None for t in tiers):
        raise CatalogueError(f"{r.where}.tiers: a tiered programme needs an amount on every tier; give each tier"
                             ' an amount, such as amount = "500000.00"',
                             zh=f"{r.where}.tiers：按等次奖励（tiered）的政策条目须为每个等次填写 amount，"
                                '如 amount = "500000.00"')
    _uses_what_it_gives(r, programme)
    if programme.rate is not None and not Decimal(0) < programme.rate <= 1:
        raise CatalogueError(f"{r.where}.rate: a rate is a fraction in (0, 1], got {programme.rate}; write 30% as"
                             ' "0.30"',
                             zh=f"{r.where}.rate：比例应为 (0, 1] 区间内的小数，实际为 {programme.rate}；30% 请写作"
                                ' "0.30"')
    for i, band in enumerate(programme.rank_shares):  # a rank's share of the award, as a rate is of its basis
        if band.first > band.last:
            raise CatalogueError(f"{r.where}.rank_shares[{i}].to: the band ends at rank {band.last}, before its first"
                                 f" rank {band.first}; write the band's ranks lowest first (from <= to)",
                                 zh=f"{r.where}.rank_shares[{i}].to：该档止于第 {band.last} 名，早于起始的第"
                                    f" {band.first} 名；请按 from 不大于 to 填写名次")
        if (j := next((j for j, other in enumerate(programme.rank_shares[:i])
                       if other.first <= band.last and band.first <= other.last), None)) is not None:
            # Which band a rank in both reads would depend on the order they are listed in (a probe's draft moved
            # 16,860,000 by swapping two bands).
            other = programme.rank_shares[j]
            raise CatalogueError(f"{r.where}.rank_shares[{i}]: ranks {band.first}-{band.last} overlap"
                                 f" rank_shares[{j}]'s ranks {other.first}-{other.last}; give each rank one band (gaps"
                                 " may stay: a rank in no band gets nothing)",
                                 zh=f"{r.where}.rank_shares[{i}]：第 {band.first}-{band.last} 名与 rank_shares[{j}]"
                                    " 的第"
                                    f" {other.first}-{other.last} 名重叠；每个名次只能属于一档（可留空档：不在任何一档"
                                    "的名次不予奖励）")
        if not Decimal(0) < band.share <= 1:
            raise CatalogueError(f"{r.where}.rank_shares[{i}].share: a share is a fraction in (0, 1], got {band.share};"
                                 ' write 50% as "0.5"',
                                 zh=f"{r.where}.rank_shares[{i}].share：份额应为 (0, 1] 区间内的小数，实际为"
                                    f' {band.share}；50% 请写作 "0.5"')
    return programme


# What a programme's kind reads of it (ledger/rules: tiers.py, rates.py `rate_amount` and `decided_amount`): a field
# it does not read was taken, silently, for a what-if (a sandbox probe's rate on the honours, an amount on a
# designation, answered "no change"), and a per-project cap on a programme whose claims name no project refused
# every claim under the draft (answered as a saving of all of them).
_UNREAD = {
    Kind.TIERED: (("rate", "a tiered programme pays its tiers' amounts and reads no rate; take rate out (a share of a"
                           ' basis is kind = "rate", with basis_zh and basis_en)',
                   "按等次奖励（tiered）的政策条目按各等次金额奖励，不读取 rate；请删除 rate（按基数比例补助应写作"
                   ' kind = "rate"，并填写 basis_zh 和 basis_en）'),
                  ("max_award", "a tiered programme pays its tiers' amounts and reads no max_award; take it out, or"
                                " change the tiers' amounts",
                   "按等次奖励（tiered）的政策条目按各等次金额奖励，不读取 max_award；请删除该项，或修改各等次金额")),
    Kind.RATE: (("max_award", "a rate programme is bounded by its caps, not by max_award; write the ceiling as caps ="
                              ' [{ scope = "enterprise_year", limit = "500000.00" }], or take max_award out',
                 "按比例补助（rate）的政策条目受 caps 限制，不读取 max_award；请将上限写作 caps = [{ scope ="
                 ' "enterprise_year", limit = "500000.00" }]，或删除 max_award'),),
    Kind.DESIGNATION: (("rate", "a designation grants no money and reads no rate; take it out",
                        "称号认定（designation）不给予资金，不读取 rate；请删除该项"),
                       ("max_award", "a designation grants no money and reads no max_award; take it out",
                        "称号认定（designation）不给予资金，不读取 max_award；请删除该项"),
                       ("caps", "a designation grants no money and has no caps; take them out",
                        "称号认定（designation）不给予资金，没有上限；请删除 caps")),
}


def _uses_what_it_gives(r: _Reader, programme: Programme) -> None:
    """Refuse a field the programme's kind does not read, naming it and what to write instead."""
    given = {"rate": programme.rate, "max_award": programme.max_award, "caps": programme.caps or None}
    for name, text, zh in _UNREAD.get(programme.kind, ()):
        if given[name] is not None:
            raise CatalogueError(f"{r.where}.{name}: {text}", zh=f"{r.where}.{name}：{zh}")
    if programme.kind is not Kind.TIERED:
        if (i := next((i for i, t in enumerate(programme.tiers) if t.amount is not None), None)) is not None:
            raise CatalogueError(f"{r.where}.tiers[{i}].amount: only a tiered programme pays a tier's amount; a"
                                 f" {programme.kind.value} programme's tiers name levels only: take amount out",
                                 zh=f"{r.where}.tiers[{i}].amount：只有按等次奖励（tiered）的政策条目按等次金额奖励；"
                                    f"{programme.kind.value} 类条目的等次只表示级别：请删除 amount")
        if programme.rank_shares:
            raise CatalogueError(f"{r.where}.rank_shares: only a tiered programme shares its tiers' amounts by rank;"
                                 " take rank_shares out",
                                 zh=f"{r.where}.rank_shares：只有按等次奖励（tiered）的政策条目按名次分配等次金额；"
                                    "请删除 rank_shares")
    for i, cap in enumerate(programme.caps):
        if cap.scope is CapScope.PROJECT and programme.subject_kind != "project":
            named = (f"subject_kind = {programme.subject_kind!r}", f"subject_kind = {programme.subject_kind!r}") \
                if programme.subject_kind else ("no subject_kind", "未设置 subject_kind")
            raise CatalogueError(f"{r.where}.caps[{i}].scope: a per-project cap counts each project's claims, and"
                                 f" {programme.code}'s claims name no project ({named[0]}); set subject_kind ="
                                 ' "project" as well (its claims must then name one), or choose another scope',
                                 zh=f"{r.where}.caps[{i}].scope：按项目计的上限（project）按各项目的申请累计，而"
                                    f" {programme.code} 的申请不指明项目（{named[1]}）；"
                                    '请同时设置 subject_kind = "project"（其申请须指明项目），或改用其他 scope')


def downhill_ladders(catalogue: Catalogue) -> list[dict[str, str]]:
    """A draft's ladders whose higher rung pays no more than the rung below it: rule 3 pays an upgrade the
    difference, so such a rung pays nothing more (a sandbox probe's little giant at 100,000 above a provincial SME
    at 200,000 answered "-800,000" without a word). Valid, since a what-if may mean it; the sandbox's answer warns."""
    found = []
    for programme in catalogue.programmes.values():
        amounts = {t.code: t.amount for t in programme.tiers}
        zh = {t.code: t.name_zh or t.code for t in programme.tiers}
        for i, ladder in enumerate(programme.ladders):
            for lower, higher in pairwise(ladder):
                if None not in (amounts[lower], amounts[higher]) and amounts[higher] <= amounts[lower]:
                    found.append({
                        "code": "ladder_downhill", "field": f"{programme.code}.ladders[{i}]",
                        "message": f"{programme.code}: {higher!r} pays {amounts[higher]}, no more than the rung below"
                                   f" it, {lower!r}, at {amounts[lower]}; an upgrade pays the difference (rule 3), so"
                                   f" a unit climbing from {lower!r} is owed nothing more",
                        "message_zh": f"{programme.name_zh or programme.code}（{programme.code}）："
                                      f"{zh[higher]}（{higher}）金额为 {yuan(amounts[higher])} 元，不高于其下一级"
                                      f"{zh[lower]}（{lower}）的 {yuan(amounts[lower])} 元；晋级只补足差额（规则 3），"
                                      f"由{zh[lower]}晋级的单位不再多得"})
    return found


def parse(document: dict[str, Any], source: str = "<memory>") -> Catalogue:
    """Build a catalogue from a parsed TOML document."""
    root = _Reader(document, source)
    p = root.subtable("policy", f"{source}: policy")
    policy = Policy(
        id=p.text("id"), version=p.text("version"), title_zh=p.text("title_zh"), title_en=p.text("title_en"),
        issued_on=p.day("issued_on"), effective_from=p.day("effective_from"), effective_to=p.day("effective_to"),
        term_article=p.article("term_article"), currency=p.text("currency"),
        special_fund_floor=p.money("special_fund_floor"), special_fund_article=p.article("special_fund_article"),
        supersession_article=p.article("supersession_article"), upgrade_article=p.article("upgrade_article"),
        eligibility_article=p.article("eligibility_article"),
        recognition_article=p.article("recognition_article", 3),
        award_year_lag=p.integer("award_year_lag", 1, least=0, most=MAX_AWARD_YEAR_LAG),
    )
    p.finish()
    if policy.effective_to < policy.effective_from:
        raise CatalogueError(f"{source}: policy.effective_to is before policy.effective_from; set effective_to on"
                             " or after effective_from",
                             zh=f"{source}: policy.effective_to 早于 policy.effective_from；截止日期不能早于起始日期")
    if len(policy.years) > MAX_TERM_YEARS:
        raise CatalogueError(f"{source}: policy.effective_to: the term touches {len(policy.years):,} calendar years;"
                             f" a policy's term touches at most {MAX_TERM_YEARS} (the one in force 4): write the"
                             " term's real last day",
                             zh=f"{source}: policy.effective_to：政策期跨越 {len(policy.years):,} 个自然年；"
                                f"政策期最多跨越 {MAX_TERM_YEARS} 个自然年（现行政策为 4 个）；"
                                "请填写政策期真实的截止日期")
    bureaus = tuple(_read(b, lambda b: Bureau(b.code("code"), b.text("name_zh"), b.text("name_en"),
                                              b.flag("records_money", False)))
                    for b in root.tables("bureaus"))
    if len({b.code for b in bureaus}) < len(bureaus):
        raise CatalogueError(f"{source}: bureaus: a bureau code appears twice; list each bureau once",
                             zh=f"{source}: bureaus：有部门代码出现了两次；每个部门只列一次")
    body_kinds = root.get("body_kinds") or {}
    if not isinstance(body_kinds, dict):
        raise CatalogueError(f"{source}: body_kinds: expected a table of kinds, each with name_zh and name_en",
                             zh=f"{source}: body_kinds：应为类型表，每个类型都有 name_zh 和 name_en")
    root.bounded("body_kinds", body_kinds)
    for k, v in body_kinds.items():
        if not BODY_KIND.fullmatch(k) or not isinstance(v, dict):
            raise CatalogueError(f"{source}: body_kinds.{shown_key(k)}: expected a [body_kinds.CODE] table with"
                                 f" name_zh and name_en, its code a word of at most {MAX_CODE} ASCII letters, digits,"
                                 " - and _ such as erc",
                                 zh=f"{source}: body_kinds.{shown_key(k)}：应为带 name_zh 和 name_en 的"
                                    f" [body_kinds.代码] 表，代码为不超过 {MAX_CODE} 个半角字母、数字、- 或 _"
                                    " 组成的单词，如 erc")
    kinds = {k: _read(r, lambda r: (r.text("name_zh"), r.text("name_en")))
             for k, v in body_kinds.items() for r in [_Reader(v, f"{source}: body_kinds.{k}")]}
    subjects = root.subtable("subjects", f"{source}: subjects")
    subject_kinds = subjects.get("kinds", [])
    subjects.finish()
    if not isinstance(subject_kinds, list) or not all(isinstance(k, str) and k.isalpha() and k.isascii()
                                                      and len(k) <= MAX_CODE for k in subject_kinds):
        raise CatalogueError(f"{source}: subjects.kinds: expected a list of words such as [\"project\"]",
                             zh=f"{source}: subjects.kinds：应为由单词组成的列表，如 [\"project\"]")
    subjects.bounded("kinds", subject_kinds)
    pools = {}
    for r in root.tables("pools"):
        pool = _pool(r)
        if pool.code in pools:
            raise CatalogueError(f"{r.where}.code: pool {pool.code!r} appears twice; give each pool code once",
                                 zh=f"{r.where}.code：资金池 {pool.code!r} 出现了两次；每个资金池代码只能出现一次")
        pools[pool.code] = pool
    programmes: dict[str, Programme] = {}
    wheres: dict[str, str] = {}  # each programme's path (programmes[7]), which a refusal names with its line
    for r in root.tables("programmes"):
        programme = _programme(r, {b.code for b in bureaus}, pools, tuple(subject_kinds), kinds)
        wheres.setdefault(programme.code, r.where)
        if programme.code in programmes:
            raise CatalogueError(f"{r.where}.code: {programme.code!r} appears twice; give each programme code once",
                                 zh=f"{r.where}.code：{programme.code!r} 出现了两次；每个政策条目代码只能出现一次")
        programmes[programme.code] = programme
    if not programmes:
        raise CatalogueError(f"{source}: programmes: a catalogue needs at least one [[programmes]] entry",
                             zh=f"{source}: programmes：政策目录至少需要一个 [[programmes]] 条目")
    root.finish()
    for programme in programmes.values():
        needed = programme.requires_designation
        if needed and (needed not in programmes or programmes[needed].kind is not Kind.DESIGNATION):
            designations = ", ".join(c for c, p in programmes.items() if p.kind is Kind.DESIGNATION) or "-"
            where = wheres[programme.code]
            raise CatalogueError(f"{where}.requires_designation: {programme.code} names no designation: {needed!r};"
                                 f' name the code of a programme of kind = "designation" ({designations})',
                                 zh=f"{where}.requires_designation：{programme.code} 所填的 {needed!r} 不是资格认定类"
                                    f"（kind = \"designation\"）政策条目；请填写该类条目的代码（{designations}）")
    pools = {code: Pool(p.code, p.article, p.limit, p.name_zh, p.name_en,
                        tuple(c for c, prog in programmes.items() if any(cap.pool == code for cap in prog.caps)),
                        p.reading)
             for code, p in pools.items()}
    return Catalogue(policy, bureaus, kinds, programmes, source, pools, tuple(subject_kinds))


def load_file(path: Path) -> Catalogue:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise CatalogueError(f"{path}: not valid TOML ({toml_words.en(err)}); fix the file",
                             zh=f"{path}：不是有效的 TOML（{toml_words.zh(err)}）；请修改文件") from None
    except RecursionError:
        raise CatalogueError(f"{path}: its arrays or tables nest deeper than the parser follows;"
                             " fix the file",
                             zh=f"{path}：数组或表的嵌套层数超出解析器所能处理的范围；请修改文件") from None
    return parse(document, str(path.name))


@cache
def catalogues(folder: Path = HERE) -> tuple[Catalogue, ...]:
    """Every catalogue version in the folder, oldest term first."""
    found = tuple(sorted((load_file(p) for p in folder.glob("*.toml")), key=lambda c: c.policy.effective_from))
    if not found:
        raise CatalogueError(f"no catalogue (*.toml) in {folder}; the ledger needs at least one policy version",
                             zh=f"{folder} 中没有政策目录（*.toml）；台账至少需要一个政策版本")
    return found


def in_force(on: date, folder: Path = HERE) -> Catalogue | None:
    """The version whose term contains the date, or None outside every term."""
    return next((c for c in catalogues(folder) if c.policy.in_term(on)), None)


def current(folder: Path = HERE) -> Catalogue:
    """The newest version: what GET /v1/programmes shows and what decides claims unless a date picks another."""
    return catalogues(folder)[-1]
