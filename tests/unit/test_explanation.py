"""An explanation's steps: a sentence given unwritten (`later`) reads, compares and travels as the written one."""
from __future__ import annotations

import pickle
from decimal import Decimal

from ledger.domain.values import yuan
from ledger.rules.explanation import Explanation, Step, later


def _cut(limit: Decimal, used: Decimal) -> str:
    return f"cap {yuan(limit)}: {yuan(used)} used"


def test_a_sentence_given_later_reads_as_the_written_one():
    """A step whose sentence is written on first read has the same detail, dict, equality and hash as one given
    the sentence written."""
    why = Explanation()
    why.add("cap", 5, later(_cut, Decimal("500000"), Decimal("1234.5")), Decimal("1.00"), key="cap.ok", used=1)
    why.add("cap", 5, "cap 500,000.00: 1,234.50 used", Decimal("1.00"), key="cap.ok", used=1)
    lazy, written = why.steps
    assert lazy.detail == "cap 500,000.00: 1,234.50 used"
    assert lazy == written and hash(lazy) == hash(written)
    assert lazy.as_dict() == written.as_dict() == {
        "rule": "cap", "article": 5, "detail": "cap 500,000.00: 1,234.50 used", "amount": "1.00",
        "facts": {"key": "cap.ok", "used": 1}}


def test_later_takes_the_values_as_they_are_when_the_rule_runs():
    """The sentence says what the rule saw, even if a variable it was written from changes afterwards."""
    used = Decimal("10")
    why = Explanation()
    why.add("cap", 5, later(_cut, Decimal("100"), used))
    used += 90
    assert why.steps[0].detail == "cap 100.00: 10.00 used"


def test_a_step_given_later_pickles_as_its_sentence():
    """A step travels between processes (the sandbox's second process) written, whatever wrote it."""
    step = Step("term", 16, later(lambda: "inside the term"), None, "term", {"award_year": 2024})
    back = pickle.loads(pickle.dumps(step))
    assert back == step and back.detail == "inside the term" and back.given == {"award_year": 2024}
