"""One time means once (rule 2) and upgrade top-ups (rule 3, Art. 16: 晋升到高等次时补足差额部分)."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Policy, Programme
from ledger.domain.errors import AlreadyAwarded
from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation
from ledger.rules.facts import AccountState


def top_up(policy: Policy, programme: Programme, tier: str, ladder: AccountState, amount: Decimal,
           why: Explanation) -> Decimal:
    """Refuse a tier already reached on this ladder; otherwise owe only the difference over earlier rungs."""
    rungs = programme.ladder_of(tier)
    here = rungs.index(tier)
    earlier = ladder.live
    reached = [e for e in earlier if e.tier in rungs and rungs.index(e.tier) >= here]
    if reached:
        e = reached[0]
        raise AlreadyAwarded(f"{programme.code} tier {e.tier} was already awarded to this organisation by claim"
                             f" {e.claim_id}; a tiered award is paid once, and only a higher tier tops it up",
                             earlier_claim=e.claim_id)
    # The lower rungs' own entitlements, not what they were finally paid: Art. 16 owes the difference between
    # tiers, whether part of a lower rung was paid by another programme (rule 4) or lowered on approval.
    paid = sum((e.gross for e in earlier), Decimal("0.00"))
    if not earlier:
        return amount
    owed = amount - paid
    if owed <= 0:
        raise AlreadyAwarded(f"earlier rungs of {programme.code} already paid {yuan(paid)}, as much as tier {tier}")
    lower = ", ".join(f"{e.tier} {yuan(e.gross)} (claim {e.claim_id})" for e in earlier)
    why.add("upgrade_top_up", policy.upgrade_article,
            f"upgrade from a lower tier already awarded ({lower}): only the difference"
            f" {yuan(amount)} - {yuan(paid)} = {yuan(owed)} is owed", owed)
    return owed


def once_only(programme: Programme, once: AccountState) -> None:
    if once.live:
        e = once.live[0]
        raise AlreadyAwarded(f"{programme.code} is a one-time award per {programme.once_per.value}"  # type: ignore[union-attr]
                             f" and claim {e.claim_id} already holds it", earlier_claim=e.claim_id)
