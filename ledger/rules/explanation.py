"""An entitlement's explanation: each rule applied, in order, so a person can redo the sum by hand."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ledger.domain.values import fmt


@dataclass(frozen=True)
class Step:
    rule: str
    article: int | None
    detail: str
    amount: Decimal | None = None

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "article": self.article, "detail": self.detail,
                "amount": None if self.amount is None else fmt(self.amount)}


@dataclass
class Explanation:
    steps: list[Step] = field(default_factory=list)

    def add(self, rule: str, article: int | None, detail: str, amount: Decimal | None = None) -> None:
        self.steps.append(Step(rule, article, detail, amount))

    def as_list(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]
