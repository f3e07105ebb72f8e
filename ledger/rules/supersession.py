"""Best, highest, never twice (rule 4, Art. 16: 从优、从高、不重复): one organisation's awards under SEVERAL
programmes for one subject are not added up. Its standing under each programme is the sum of that
programme's claims on the subject (claims under one programme accumulate, bounded by that programme's own
caps, rule 5); the organisation is owed the highest standing once. A claim that does not lift its
programme above the best other programme is superseded; one that does pays only the difference."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ledger.catalogue.model import Policy
from ledger.domain.errors import Superseded
from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation
from ledger.rules.facts import AccountState

ZERO = Decimal("0.00")


def supersede(policy: Policy, programme: str, subject: str, standing: Decimal, amount: Decimal,
              account: AccountState, why: Explanation) -> Decimal:
    """`standing` is this claim's own entitlement (after ladder top-ups, before subject and cap deductions)."""
    earlier = account.live
    standings: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for entry in earlier:
        standings[entry.programme] += entry.gross
    others = {p: s for p, s in standings.items() if p != programme}
    if not others:
        return amount
    best = max(others, key=others.__getitem__)
    mine = standings[programme] + standing
    awarded = sum((e.amount for e in earlier), ZERO)
    owed = min(amount, mine - awarded)
    if mine <= others[best] or owed <= 0:
        named = next(e.claim_id for e in earlier if e.programme == best)
        raise Superseded(f"subject {subject!r} already stands at {yuan(others[best])} under {best} (claim {named});"
                         f" {programme} would stand at {yuan(mine)}, no higher. Art. {policy.supersession_article}"
                         " pays the best, highest award once", earlier_claim=named)
    counted = ", ".join(f"{e.programme} {yuan(e.amount)} (claim {e.claim_id})" for e in earlier)
    why.add("supersession", policy.supersession_article,
            f"subject {subject!r} already awarded {yuan(awarded)}: {counted}; the best other programme, {best},"
            f" stands at {yuan(others[best])} and {programme} now stands at {yuan(mine)}, so only the difference"
            f" {yuan(mine)} - {yuan(awarded)} = {yuan(owed)} is owed", owed)
    return owed
