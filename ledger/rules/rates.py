"""Rate-based subsidies and bureau-decided amounts: a share of a declared basis rounded down to the
fen, or an amount the bureau decides, at most the programme's award cap (cross-cutting rule 6)."""
from __future__ import annotations

from decimal import Decimal

from ledger.catalogue.model import Kind, Programme
from ledger.domain.errors import CapExceeded, MissingFact
from ledger.domain.values import fen_down, yuan
from ledger.rules.explanation import Explanation


def rate_amount(programme: Programme, basis: Decimal | None, why: Explanation) -> Decimal:
    if basis is None:
        raise MissingFact(f"{programme.code} pays {programme.rate * 100:.0f}% of {programme.basis_en}:"  # type: ignore[operator]
                          " give basis_amount")
    amount = fen_down(basis * programme.rate)  # type: ignore[operator]
    why.add("rate", programme.article, f"{programme.rate * 100:.0f}% of {programme.basis_en} {yuan(basis)}"  # type: ignore[operator]
            f" = {yuan(amount)}, rounded down to the fen", amount)
    return amount


def decided_amount(programme: Programme, requested: Decimal | None, why: Explanation) -> Decimal:
    if programme.max_award is None:
        if requested is None:
            what = "as required (按要求)" if programme.kind is Kind.AS_REQUIRED else "by decision"
            raise MissingFact(f"{programme.code} is funded {what}: give requested_amount, the amount decided")
        why.add("decided_amount", programme.article, f"amount decided by the lead bureau: {yuan(requested)}",
                requested)
        return requested
    if requested is not None and requested > programme.max_award:
        raise CapExceeded(f"requested {yuan(requested)} is above the {programme.code} cap of"
                          f" {yuan(programme.max_award)} (Art. {programme.article}); request at most the cap")
    amount = programme.max_award if requested is None else requested
    detail = (f"requested {yuan(requested)}, within the cap of {yuan(programme.max_award)}" if requested is not None
              else f"no amount requested: entitled to at most the cap, {yuan(programme.max_award)}; the approval"
                   " may decide less")
    why.add("decided_amount", programme.article, detail, amount)
    return amount
