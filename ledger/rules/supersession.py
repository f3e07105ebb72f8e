"""Best, highest, never twice (rule 4, Art. 16: 从优、从高、不重复): one organisation's awards under SEVERAL
programmes for one subject are not added up. Each programme's standing on the subject is the sum of its
claims' standings there, each taken after that programme's own caps (claims under one programme
accumulate, bounded by its caps, rule 5); the organisation is owed the highest standing once.

A claim is owed what the subject's best standing (its own or another programme's) leaves over what the subject
was already awarded, never more than its own: superseded when that is nothing. Re-assessing (rule 12) an earlier
claim counts the later ones too, so the subject's total never passes its best standing, whichever order the
claims came and were decided in. A claim is not refused only because another programme stands higher: that
standing may rest on this very claim (a top-up over a prize still pending, approved first, stood at prize plus
top-up and superseded the prize it topped up: an oracle probe's unit was paid 200,000 of its 1,200,000)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from ledger.catalogue.model import Policy
from ledger.domain.errors import CapExceeded, Superseded
from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation
from ledger.rules.facts import AccountState, Entry

ZERO = Decimal("0.00")


def _standings(entries: tuple[Entry, ...], ceilings: Mapping[str, Decimal]) -> dict[str, Decimal]:
    standings: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        standings[entry.programme] += entry.gross
    return {p: _within(p, s, ceilings) for p, s in standings.items()}


def _within(programme: str, standing: Decimal, ceilings: Mapping[str, Decimal]) -> Decimal:
    """A programme's standing on the subject, never above its per-project cap (rule 5: the project's whole
    award under the programme). A project cap counts what its claims are paid, so a claim topped up over an
    award under another programme leaves it headroom a later claim under the same programme takes: added up,
    their standings could pass the cap, and the subject would be paid more than its best award."""
    ceiling = ceilings.get(programme)
    return standing if ceiling is None else min(standing, ceiling)


def supersede(policy: Policy, programme: str, subject: str, standing: Decimal, amount: Decimal,
              account: AccountState, why: Explanation, ceilings: Mapping[str, Decimal] | None = None,
              names_zh: Mapping[str, str] | None = None) -> Decimal:
    """`standing` is this claim's own entitlement after ladder top-ups and its programme's caps; `ceilings`, each
    programme's per-project cap, which its standing on one project never passes; `names_zh`, each programme as a
    Chinese refusal names it (挑战赛奖励（A4.challenge）: the bare codes were said, a regression probe)."""
    ceilings = ceilings or {}
    zh = (names_zh or {}).get
    everyone = account.live
    if not any(e.programme != programme for e in everyone):
        return amount
    before = _standings(account.live_before, ceilings)
    rivals_before = {p: s for p, s in before.items() if p != programme}
    standings = _standings(everyone, ceilings)
    rivals = {p: s for p, s in standings.items() if p != programme}
    best = max(rivals, key=rivals.__getitem__)
    mine = _within(programme, standings.get(programme, ZERO) + standing, ceilings)
    awarded = sum((e.amount for e in everyone), ZERO)
    owed = min(amount, max(mine, rivals[best]) - awarded)
    if owed <= 0:
        ceiling = ceilings.get(programme)
        if ceiling is not None and before.get(programme, ZERO) >= ceiling:
            # Its own per-project cap brought it to nothing, not the award under another programme (rule 9: the
            # code of the rule that brought it there): an oracle probe's third A4 claim on a project whose A4
            # claims stood at 5,000,000 was told a 2,500,000 prize outranked it; without the prize, cap_exceeded.
            own = next(e.claim_id for e in account.live_before if e.programme == programme)
            raise CapExceeded(f"the {programme} cap of {yuan(ceiling)} per project is used up on subject {subject!r}:"
                              f" this organisation's {programme} claims there already stand at it (claim {own});"
                              " nothing is left to award",
                              zh=f"{zh(programme, programme)}每个项目 {yuan(ceiling)} 元的上限在事项 {subject!r}"
                                 f" 上已用完：本单位此前的{zh(programme, programme)}申请（申请 {own}）已达到该上限，"
                                 "无可奖励余额")
        top = max(rivals_before or rivals, key=(rivals_before or rivals).__getitem__)
        # A standing claim is named before a revoked one whose paid part still counts (a probe was sent to a
        # revoked claim); where only such a one stands there, it is said so, with when it stops counting.
        tops = [e for e in everyone if e.programme == top]
        entry = next((e for e in tops if not e.kept), tops[0])
        named = entry.claim_id
        kept, kept_zh = ((f", revoked: its paid part of {yuan(entry.amount)} counts until it is repaid",
                          f"，已撤销：其已拨付的 {yuan(entry.amount)} 元在退回前仍计入") if entry.kept else ("", ""))
        raise Superseded(f"subject {subject!r} already stands at {yuan(standings[top])} under {top} (claim {named}"
                         f"{kept}); {programme} would stand at {yuan(mine)}, no higher. Art."
                         f" {policy.supersession_article} pays the best, highest award once",
                         zh=f"事项 {subject!r} 已在{zh(top, f' {top} ')}下计得 {yuan(standings[top])} 元"
                            f"（申请 {named}{kept_zh}）；"
                            f"{zh(programme, programme + ' ')}为 {yuan(mine)} 元，并不更高。"
                            f"按第{policy.supersession_article}条从优、从高、不重复",
                         earlier_claim=named)
    counted = ", ".join(f"{e.programme} {yuan(e.amount)} (claim {e.claim_id})" for e in everyone)
    why.add("supersession", policy.supersession_article,
            f"subject {subject!r} already awarded {yuan(awarded)}: {counted}; the best other programme, {best},"
            f" stands at {yuan(rivals[best])} and {programme} now stands at {yuan(mine)}, so only the difference"
            f" {yuan(max(mine, rivals[best]))} - {yuan(awarded)} = {yuan(owed)} is owed", owed, key="supersession",
            subject=subject, awarded=awarded, best=best, best_standing=rivals[best], programme=programme, mine=mine,
            top=max(mine, rivals[best]),
            counted=[{"programme": e.programme, "amount": e.amount, "claim": e.claim_id} for e in everyone])
    return owed
