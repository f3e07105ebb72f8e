"""Tiered awards: a fixed amount per tier, shared by rank where the article says so (Art. 9, 11)."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Programme, Tier
from ledger.domain.errors import MissingFact, NotEligible, UnknownTier
from ledger.domain.text import half_width, typed_full_width
from ledger.domain.values import fen_down, yuan
from ledger.rules.explanation import Explanation, later


def resolve_tier(programme: Programme, tier: str | None) -> Tier:
    if tier is None:
        raise MissingFact(f"{programme.code} is tiered: give a tier ({', '.join(t.code for t in programme.tiers)})"
                          " or a certification_id",
                          zh=f"{programme.zh}分等次奖励：请填写等次 tier"
                             f"（{'、'.join(t.code for t in programme.tiers)}）"
                             "或认定编号 certification_id", field="tier")
    found = programme.tier(tier)
    if found is None:
        if (wide := full_width_tier(programme, tier)) is not None:
            raise wide  # ｆｉｒｓｔ on a claim was told "no tier", as a certification's was before (a regression probe)
        raise UnknownTier(f"{programme.code} has no tier {tier!r}; its tiers are "
                          + ", ".join(t.code for t in programme.tiers),
                          zh=f"{programme.zh}没有等次 {tier!r}；可选等次："
                             + "、".join(f"{t.code}（{t.name_zh}）" for t in programme.tiers), field="tier")
    return found


def full_width_tier(programme: Programme, tier: str) -> UnknownTier | None:
    """A tier typed in full-width letters (ｐｒｏｖｉｎｃｉａｌ, an input method's mode), refused saying so, with the
    code to type, as the same row's full-width day is (a regression probe read "no tier" of it); None where it is
    no such tier."""
    plain = half_width(tier)
    found = None if plain is None else programme.tier(plain) or programme.tier(plain.lower())
    if found is None:
        return None
    en, zh = typed_full_width("tier", "等次", tier, found.code)
    return UnknownTier(f"{programme.code}: {en}", zh=f"{programme.zh}：{zh}", field="tier")


def tier_amount(programme: Programme, tier: Tier, rank: int | None, why: Explanation) -> Decimal:
    amount = tier.amount or Decimal("0.00")
    why.add("tier", programme.article, later(_tier, programme.name_en, tier, amount), amount, key="tier",
            programme=programme.code, programme_zh=programme.name_zh, tier=tier.code,
            tier_zh=tier.name_zh)
    if tier.max_rank is not None:
        if rank is None:
            raise MissingFact(f"{programme.code} tier {tier.code} pays units ranked 1 to {tier.max_rank}: give rank",
                              zh=f"{programme.zh}{tier.name_zh}奖励排名第 1 至 {tier.max_rank} 的单位："
                                 "请填写排名 rank",
                              field="rank")
        if not 1 <= rank <= tier.max_rank:
            raise NotEligible(f"rank {rank} is outside the first {tier.max_rank} units that Art. {programme.article}"
                              f" rewards for {tier.name_en}",
                              zh=f"排名 {rank} 不在第{programme.article}条{tier.name_zh}奖励的"
                                 f"前 {tier.max_rank} 名之内")
        why.add("rank", programme.article, later(_within, rank, tier.max_rank), amount, key="rank",
                rank=rank, max_rank=tier.max_rank)
    if programme.rank_shares:
        amount = _share(programme, amount, rank, why)
    return amount


def _share(programme: Programme, amount: Decimal, rank: int | None, why: Explanation) -> Decimal:
    if rank is None:
        raise MissingFact(f"{programme.code} shares its award by the responsible unit's rank: give rank",
                          zh=f"{programme.zh}按责任单位排名分配奖励：请填写排名 rank", field="rank")
    share = next((s for s in programme.rank_shares if s.first <= rank <= s.last), None)
    if share is None:
        last = max(s.last for s in programme.rank_shares)
        ranks, ranks_zh = ("only rank 1 is", "排名第 1") if last == 1 else (f"only ranks 1 to {last} are",
                                                                                  f"排名 1 至 {last}")
        raise NotEligible(f"responsible unit ranked {rank} gets nothing under Art. {programme.article}: {ranks}"
                          " rewarded",
                          zh=f"排名第 {rank} 的完成单位在第{programme.article}条下无奖励：仅奖励{ranks_zh} 的单位")
    shared = fen_down(amount * share.share)
    why.add("rank_share", programme.article, later(_shared, rank, share.share, amount, shared), shared,
            key="rank_share", rank=rank, share=share.share, base=amount, shared=shared)
    return shared


# The steps' sentences, written only when a step is read (ledger/rules/explanation.py: `later`).
def _tier(programme_en: str, tier: Tier, amount: Decimal) -> str:
    return f"{programme_en}, {tier.name_en} ({tier.name_zh}): {yuan(amount)}"


def _within(rank: int, max_rank: int) -> str:
    return f"rank {rank} is within the first {max_rank}"


def _shared(rank: int, share: Decimal, amount: Decimal, shared: Decimal) -> str:
    return f"responsible unit ranked {rank}: {share * 100:.0f}% of {yuan(amount)} = {yuan(shared)}"
