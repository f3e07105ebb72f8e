"""Rate-based subsidies and bureau-decided amounts: a share of a declared basis rounded down to the
fen, or an amount the bureau decides, at most the programme's award cap (cross-cutting rule 6)."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Kind, Programme
from ledger.domain.errors import CapExceeded, MissingFact, NotEligible
from ledger.domain.values import fen_down, yuan
from ledger.rules.caps import SCOPE_TEXT
from ledger.rules.explanation import Explanation, later


def rate_amount(programme: Programme, basis: Decimal | None, why: Explanation) -> Decimal:
    if basis is None:
        raise MissingFact(f"{programme.code} pays {programme.rate * 100:.0f}% of {programme.basis_en}:"  # type: ignore[operator]
                          " give basis_amount",
                          zh=f"{programme.zh}按{programme.basis_zh}的 {programme.rate * 100:.0f}% 补助：请填写"  # type: ignore[operator]
                             "基数金额 basis_amount", field="basis_amount")
    amount = fen_down(basis * programme.rate)  # type: ignore[operator]
    why.add("rate", programme.article, later(_rate, programme, basis, amount), amount, key="rate", rate=programme.rate,
            basis_zh=programme.basis_zh, basis=basis)
    return amount


def decided_amount(programme: Programme, requested: Decimal | None, basis: Decimal | None,
                   why: Explanation) -> Decimal:
    """Rule 6: capped, as-required and investment amounts are decided by the bureau and stated; "最高不超过" is a
    ceiling, not a price, so there is no default, and a request above the ceiling is refused, not cut."""
    if requested is None:
        what = "as required (按要求)" if programme.kind is Kind.AS_REQUIRED else "by decision, up to its ceiling"
        what_zh = "按要求" if programme.kind is Kind.AS_REQUIRED else "按核定金额（不超过上限）"
        raise MissingFact(f"{programme.code} is funded {what}: give requested_amount, the amount the bureau decided",
                          zh=f"{programme.zh}{what_zh}补助：请填写牵头部门核定的金额 requested_amount",
                          field="requested_amount")
    ceilings = [(programme.max_award, f"the {programme.code} ceiling of {{}} (Art. {programme.article})")]
    if programme.rate is not None:
        if basis is None:
            raise MissingFact(f"{programme.code} is at most {programme.rate * 100:.0f}% of {programme.basis_en}:"
                              " give basis_amount",
                              zh=f"{programme.zh}最高为{programme.basis_zh}的 {programme.rate * 100:.0f}%：请填写"
                                 "基数金额 basis_amount", field="basis_amount")
        share = fen_down(basis * programme.rate)
        if share <= 0:  # rule 9, as a rate programme's share of nothing (it advised "request at most 0.00")
            raise NotEligible(f"{programme.code} is at most {programme.rate * 100:.0f}% of {programme.basis_en}"
                              f" {yuan(basis)}, which comes to 0.00; a claim for nothing is refused",
                              zh=f"{programme.zh}最高为{programme.basis_zh} {yuan(basis)} 元的"
                                 f" {programme.rate * 100:.0f}%，即 0.00 元；不受理零金额申请")
        ceilings.append((share, f"{programme.rate * 100:.0f}% of {programme.basis_en} {yuan(basis)}, {{}}"))
    ceilings += [(cap.limit, f"the {programme.code} cap of {{}} {SCOPE_TEXT[cap.scope.value]}")
                 for cap in programme.caps if cap.pool is None]
    for ceiling, text in ceilings:
        if ceiling is not None and requested > ceiling:
            raise CapExceeded(f"requested {yuan(requested)} is above {text.format(yuan(ceiling))}; request at most"
                              f" {yuan(ceiling)} (an approval may lower an amount, never raise it)",
                              zh=f"申请金额 {yuan(requested)} 元超过上限 {yuan(ceiling)} 元；请申请"
                                 f"不超过 {yuan(ceiling)}"
                                 " 元（审批只能调低金额，不能调高）", field="requested_amount")
    bound = min((c for c, _ in ceilings if c is not None), default=None)
    why.add("decided_amount", programme.article, later(_decided, requested, bound), requested,
            **({"key": "decided", "requested": requested} if bound is None
               else {"key": "decided.within", "requested": requested, "bound": bound}))  # type: ignore[arg-type]
    return requested


def _rate(programme: Programme, basis: Decimal, amount: Decimal) -> str:
    return (f"{programme.rate * 100:.0f}% of {programme.basis_en} {yuan(basis)} = {yuan(amount)},"  # type: ignore[operator]
            " rounded down to the fen")


def _decided(requested: Decimal, bound: Decimal | None) -> str:
    if bound is None:
        return f"amount decided by the lead bureau: {yuan(requested)}"
    return f"amount decided by the lead bureau: {yuan(requested)}, within its ceiling of {yuan(bound)}"
