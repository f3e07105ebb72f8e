"""An entitlement's explanation: each rule applied, in order, so a person can redo the sum by hand."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from ledger.domain.values import fmt


class Step:
    """One rule applied: its code, article, English sentence, amount, and the message key and figures the
    sentence was made from (ledger/messages.py renders the Chinese one from them).

    The sentence may be given unwritten, as a callable that writes it (`sentence` below): a replay makes
    millions of steps and shows a handful, and writing the money in them (`yuan`) was a tenth of its work.
    It is written once, the first time `detail` is read, so a step reads, compares, hashes and pickles as the
    sentence it stands for. A plain class with slots, not a frozen dataclass: its `__init__` assigns six
    attributes where a frozen dataclass's calls `object.__setattr__` for each, and steps are made per rule
    per claim. Treat it as immutable."""

    __slots__ = ("_detail", "amount", "article", "given", "key", "rule")

    def __init__(self, rule: str, article: int | None, detail: str | Callable[[], str],
                 amount: Decimal | None = None, key: str | None = None,
                 given: dict[str, object] | None = None) -> None:
        self.rule, self.article, self._detail, self.amount = rule, article, detail, amount
        # The message key and the figures the sentence was made from, as given: turned into their JSON form
        # only when the step is written or shown (`facts`), since most steps a replay makes are never shown.
        self.key, self.given = key, given

    @property
    def detail(self) -> str:
        found = self._detail
        if type(found) is not str:
            found = self._detail = found()
        return found

    def _fields(self) -> tuple:
        return (self.rule, self.article, self.detail, self.amount, self.key, self.given)

    def __eq__(self, other: object) -> bool:
        return type(other) is Step and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.rule, self.article, self.detail, self.amount, self.key))

    def __repr__(self) -> str:
        return "Step(rule={!r}, article={!r}, detail={!r}, amount={!r}, key={!r}, given={!r})".format(*self._fields())

    def __reduce__(self) -> tuple:
        return Step, self._fields()  # the sentence written: a callable may not pickle

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

    def add(self, rule: str, article: int | None, detail: str | Callable[[], str], amount: Decimal | None = None,
            *, key: str | None = None, **facts: object) -> None:
        """`detail` is the English sentence, or what writes it when it is read (`later`); `key` and `facts` let it
        be rendered in another language later."""
        self.steps.append(Step(rule, article, detail, amount, key, facts or None))

    def as_list(self) -> list[dict[str, object]]:
        return [s.as_dict() for s in self.steps]


def later(write: Callable[..., str], *values: object) -> Callable[[], str]:
    """A step's sentence written only if it is read: `write(*values)`, the values taken now (a lambda would read
    its variables as they stand when the sentence is written, not when the rule ran)."""
    return partial(write, *values)
