"""Cumulative caps (rule 5): consumed by approvals, reserved by pending claims; an award is cut to the
headroom left and the explanation says which cap cut it and by how much."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Cap, Programme
from ledger.domain.errors import CapExceeded
from ledger.domain.values import yuan
from ledger.messages import SCOPES_ZH
from ledger.rules.explanation import Explanation, later
from ledger.rules.facts import AccountState

SCOPE_TEXT = {
    "project": "per project", "enterprise_year": "per enterprise per year",
    "enterprise_term": "per enterprise over the policy term",
    "organisation_year": "per innovation organisation per year", "fund": "for the whole fund",
    "pool": "shared by every programme of the pool",
}


def apply_cap(programme: Programme, cap: Cap, account: AccountState, amount: Decimal, why: Explanation) -> Decimal:
    headroom = cap.limit - account.used
    if headroom <= 0:
        scope = _scope(cap)
        raise CapExceeded(f"the {programme.code} cap of {yuan(cap.limit)} {scope} is used up ({account.key}:"
                          f" {yuan(account.used)} reserved or approved); nothing is left to award",
                          zh=f"{programme.code} 的上限 {yuan(cap.limit)} 元（{SCOPES_ZH.get(cap.scope.value, scope)}）"
                             f"已用完（{account.key}：已预留或批准 {yuan(account.used)} 元），无可奖励余额",
                          cap=account.key)
    if amount > headroom:
        why.add(f"cap:{cap.scope.value}", programme.article, later(_cut, cap, account.used, headroom, amount),
                headroom, key="cap.cut", limit=cap.limit,
                scope=cap.scope.value, pool=cap.pool or "", used=account.used, headroom=headroom,
                cut=amount - headroom)
        return headroom
    why.add(f"cap:{cap.scope.value}", programme.article, later(_not_cut, cap, account.used, headroom), amount,
            key="cap.ok", limit=cap.limit, scope=cap.scope.value, pool=cap.pool or "", used=account.used,
            headroom=headroom)
    return amount


def _scope(cap: Cap) -> str:
    return SCOPE_TEXT[cap.scope.value] + (f" ({cap.pool})" if cap.pool else "")


def _cut(cap: Cap, used: Decimal, headroom: Decimal, amount: Decimal) -> str:
    return (f"cap {yuan(cap.limit)} {_scope(cap)}: {yuan(used)} already used, {yuan(headroom)} left;"
            f" cut by {yuan(amount - headroom)}")


def _not_cut(cap: Cap, used: Decimal, headroom: Decimal) -> str:
    return f"cap {yuan(cap.limit)} {_scope(cap)}: {yuan(used)} used, {yuan(headroom)} left; not cut"
