"""An entitlement's explanation: each rule applied, in order, so a person can redo the sum by hand."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ledger.domain.values import fmt


@dataclass(frozen=True)
class Step:
    rule: str
    article: int | None
    detail: str
    amount: Decimal | None = None
    # The message key (ledger/messages.py renders the sentence in Chinese from it) and the figures the sentence
    # was made from, as given: turned into their JSON form only when the step is written or shown (`facts`), since
    # most steps a replay makes are summed, never shown.
    key: str | None = None
    given: dict[str, object] | None = None

    @property
    def facts(self) -> dict[str, object] | None:
        if self.key is None:
            return None
        return {"key": self.key, **{k: _plain(v) for k, v in (self.given or {}).items()}}

    def as_dict(self) -> dict[str, object]:
        step: dict[str, object] = {"rule": self.rule, "article": self.article, "detail": self.detail,
                                   "amount": None if self.amount is None else fmt(self.amount)}
        facts = self.facts
        if facts is not None:
            step["facts"] = facts
        return step


def _plain(value: object) -> object:
    """Facts travel in events as JSON: money as its wire string, dates as ISO text, lists of such."""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class Explanation:
    steps: list[Step] = field(default_factory=list)

    def add(self, rule: str, article: int | None, detail: str, amount: Decimal | None = None, *,
            key: str | None = None, **facts: object) -> None:
        """`detail` is the English sentence; `key` and `facts` let it be rendered in another language later."""
        self.steps.append(Step(rule, article, detail, amount, key, facts or None))

    def as_list(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]
