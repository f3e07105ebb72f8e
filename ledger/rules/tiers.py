"""Tiered awards: a fixed amount per tier, shared by rank where the article says so (Art. 9, 11)."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Programme, Tier
from ledger.domain.errors import MissingFact, NotEligible, UnknownTier
from ledger.domain.values import fen_down, yuan
from ledger.rules.explanation import Explanation


def resolve_tier(programme: Programme, tier: str | None) -> Tier:
    if tier is None:
        raise MissingFact(f"{programme.code} is tiered: give a tier ({', '.join(t.code for t in programme.tiers)})"
                          " or a certification_id")
    found = programme.tier(tier)
    if found is None:
        raise UnknownTier(f"{programme.code} has no tier {tier!r}; its tiers are "
                          + ", ".join(t.code for t in programme.tiers))
    return found


def tier_amount(programme: Programme, tier: Tier, rank: int | None, why: Explanation) -> Decimal:
    amount = tier.amount or Decimal("0.00")
    why.add("tier", programme.article, f"{programme.name_en}, {tier.name_en} ({tier.name_zh}): {yuan(amount)}",
            amount)
    if tier.max_rank is not None:
        if rank is None:
            raise MissingFact(f"{programme.code} tier {tier.code} pays units ranked 1 to {tier.max_rank}: give rank")
        if not 1 <= rank <= tier.max_rank:
            raise NotEligible(f"rank {rank} is outside the first {tier.max_rank} units that Art. {programme.article}"
                              f" rewards for {tier.name_en}")
        why.add("rank", programme.article, f"rank {rank} is within the first {tier.max_rank}", amount)
    if programme.rank_shares:
        amount = _share(programme, amount, rank, why)
    return amount


def _share(programme: Programme, amount: Decimal, rank: int | None, why: Explanation) -> Decimal:
    if rank is None:
        raise MissingFact(f"{programme.code} shares its award by the responsible unit's rank: give rank")
    share = next((s for s in programme.rank_shares if s.first <= rank <= s.last), None)
    if share is None:
        last = max(s.last for s in programme.rank_shares)
        raise NotEligible(f"responsible unit ranked {rank} gets nothing under Art. {programme.article}: only ranks"
                          f" 1 to {last} are rewarded")
    shared = fen_down(amount * share.share)
    why.add("rank_share", programme.article,
            f"responsible unit ranked {rank}: {share.share * 100:.0f}% of {yuan(amount)} = {yuan(shared)}", shared)
    return shared
