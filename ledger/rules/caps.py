"""Cumulative caps (rule 5): consumed by approvals, reserved by pending claims; an award, rate or tiered, is cut
to the headroom left and the explanation says which cap cut it and by how much. An amount the bureau decided
(rule 6: capped, as-required and investment programmes) is never cut: above the headroom left it is refused,
naming what is left, and the bureau decides again."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Cap, Programme
from ledger.domain.errors import CapExceeded
from ledger.domain.values import yuan
from ledger.messages import SCOPES_ZH
from ledger.rules.explanation import Explanation, later
from ledger.rules.facts import AccountState, Entry

SCOPE_TEXT = {
    "project": "per project", "enterprise_year": "per enterprise per year",
    "enterprise_term": "per enterprise over the policy term",
    "organisation_year": "per innovation organisation per year", "fund": "for the whole fund",
    "pool": "shared by every programme of the pool",
}


def _scope_zh(cap: Cap, scope: str, whose: str) -> str:
    """The cap's scope for a Chinese reader, naming whose it is where the scope alone does not (A11's body, a pool);
    the account's key stays in the refusal's `cap` field and its English."""
    said = SCOPES_ZH.get(cap.scope.value, scope)
    return f"{said}：{whose}" if whose else said


def apply_cap(programme: Programme, cap: Cap, account: AccountState, amount: Decimal, why: Explanation, *,
              deciding: bool = True, whose: str = "") -> Decimal:
    """`deciding`: the amount is being decided now (a submission), so a decided amount above the headroom is refused
    for the bureau to decide again; a recorded claim re-assessed (rule 12) is cut as an award is, since its amount
    was taken when it was recorded (a claim recorded when decided amounts were still cut stays approvable).
    `whose`: whose cap it is where the scope alone does not say (the pool, or A11's innovation body: its key's)."""
    headroom, whose = cap.limit - account.used, whose or cap.pool or ""
    if headroom <= 0:
        scope = _scope(cap, whose)
        raise CapExceeded(f"the {programme.code} cap of {yuan(cap.limit)} {scope} is used up ({account.key}:"
                          f" {yuan(account.used)} reserved or approved); nothing is left to award",
                          zh=f"{programme.zh}的上限 {yuan(cap.limit)} 元（{_scope_zh(cap, scope, whose)}）"
                             f"已用完（已预留或批准 {yuan(account.used)} 元），无可奖励余额",
                          cap=account.key)
    if amount > headroom and programme.decided and deciding:
        scope = _scope(cap, whose)
        raise CapExceeded(f"requested {yuan(amount)} is above what the {programme.code} cap of {yuan(cap.limit)}"
                          f" {scope} has left: {yuan(headroom)} ({account.key}: {yuan(account.used)} reserved or"
                          f" approved); a decided amount is not cut, request at most {yuan(headroom)}",
                          zh=f"申请金额 {yuan(amount)} 元超过{programme.zh}上限 {yuan(cap.limit)} 元"
                             f"（{_scope_zh(cap, scope, whose)}）的剩余额度 {yuan(headroom)} 元"
                             f"（已预留或批准 {yuan(account.used)} 元）；核定金额不予削减，"
                             f"请申请不超过 {yuan(headroom)} 元",
                          cap=account.key, field="requested_amount")
    if amount > headroom:
        why.add(f"cap:{cap.scope.value}", programme.article,
                later(_cut, cap, account.used, headroom, amount, whose), headroom, key="cap.cut", limit=cap.limit,
                scope=cap.scope.value, pool=whose, used=account.used, headroom=headroom,
                cut=amount - headroom)
        return headroom
    why.add(f"cap:{cap.scope.value}", programme.article, later(_not_cut, cap, account.used, headroom, whose), amount,
            key="cap.ok", limit=cap.limit, scope=cap.scope.value, pool=whose, used=account.used,
            headroom=headroom)
    return amount


def standing_room(programme: Programme, cap: Cap, account: AccountState, own: Entry | None,
                  why: Explanation, *, whose: str = "") -> Decimal:
    """The headroom a re-assessed claim's standing (rule 4) is cut to: the headroom left, plus what claims made
    after it took of the part of its standing it never drew on the cap. A claim that owes only the difference
    over the organisation's award under another programme for the subject (rule 4) reserves that difference,
    but its standing, what the difference is taken from, rests on the whole headroom it was assessed against.
    A later claim was given what the reservation left; it may not grind the earlier claim's standing down to its
    own reservation and so leave the cap's difference to nobody. Never more than the claim held (its standing
    less its amount when last assessed), nor than later claims took."""
    headroom = cap.limit - account.used
    if own is None or not own.live or own.gross <= own.amount:
        return headroom
    later_use = account.used - sum((e.amount for e in account.live_before), Decimal("0.00"))
    held = min(own.gross - own.amount, later_use)
    if held <= 0:
        return headroom
    whose = whose or cap.pool or ""
    why.add(f"cap:{cap.scope.value}", programme.article, later(_held, cap, headroom, held, whose), None,
            key="cap.held", limit=cap.limit, scope=cap.scope.value, pool=whose, headroom=headroom,
            held=held)
    return headroom + held


def _held(cap: Cap, headroom: Decimal, held: Decimal, whose: str) -> str:
    return (f"cap {yuan(cap.limit)} {_scope(cap, whose)}: {yuan(headroom)} left; the claim's standing also keeps the"
            f" {yuan(held)} of it beyond its reservation that claims made after it have since taken: standing up to"
            f" {yuan(headroom + held)}, award no more than {yuan(headroom)}")


def _scope(cap: Cap, whose: str = "") -> str:
    whose = whose or cap.pool or ""
    return SCOPE_TEXT[cap.scope.value] + (f" ({whose})" if whose else "")


def _cut(cap: Cap, used: Decimal, headroom: Decimal, amount: Decimal, whose: str = "") -> str:
    return (f"cap {yuan(cap.limit)} {_scope(cap, whose)}: {yuan(used)} already used, {yuan(headroom)} left;"
            f" cut by {yuan(amount - headroom)}")


def _not_cut(cap: Cap, used: Decimal, headroom: Decimal, whose: str = "") -> str:
    return f"cap {yuan(cap.limit)} {_scope(cap, whose)}: {yuan(used)} used, {yuan(headroom)} left; not cut"
