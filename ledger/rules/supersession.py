"""Best, highest, never twice (rule 4, Art. 16: 从优、从高、不重复): awards to one organisation for one
subject are not added up; the highest single entitlement is owed, a later higher one pays the difference."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Policy
from ledger.domain.errors import Superseded
from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation
from ledger.rules.facts import AccountState


def supersede(policy: Policy, subject: str, gross: Decimal, amount: Decimal, account: AccountState,
              already_deducted: set[str], why: Explanation) -> Decimal:
    earlier = account.live
    if not earlier:
        return amount
    best = max(earlier, key=lambda e: e.gross)
    if gross <= best.gross:
        raise Superseded(f"subject {subject!r} already has an entitlement of {yuan(best.gross)} under"
                         f" {best.programme} (claim {best.claim_id}), which this {yuan(gross)} does not exceed;"
                         f" Art. {policy.supersession_article} pays the best, highest award once",
                         earlier_claim=best.claim_id)
    counted = [e for e in earlier if e.claim_id not in already_deducted]
    paid = sum((e.amount for e in counted), Decimal("0.00"))
    if not counted:
        return amount
    owed = amount - paid
    why.add("supersession", policy.supersession_article,
            f"subject {subject!r} already awarded {yuan(paid)} under "
            + ", ".join(f"{e.programme} (claim {e.claim_id})" for e in counted)
            + f": the higher entitlement pays only the difference, {yuan(owed)}", owed)
    return owed
