"""What to do about a verification that is not ok: every failure has it, in both languages (a client of
GET /v1/audit/verify read null for a gap, the keys and the read models), and a page that shows the reason beside it
is not told it twice where the reason ends with it."""
from __future__ import annotations

import pytest

from ledger.audit.tampering import ADVICE_IN_REASON, what_to_do

FAILURES = ("changed", "missing", "unexpected", "saved_digest_mismatch", "saved_beyond", "snapshot", "keys", "gap",
            "read_models", "link_missing")


@pytest.mark.parametrize("failure", FAILURES)
def test_every_failure_says_what_to_do_in_both_languages(failure: str) -> None:
    todo = what_to_do({"ok": False, "failure": failure, "first_bad_position": 7})
    assert todo is not None, failure
    en, zh = todo
    assert en.startswith(("Keep the store as it is", "The chain holds")) and "events are intact" not in en, en
    assert zh.startswith(("请保持存储原样", "事件链与存储的事件相符")) and "事件完好" not in zh, zh
    assert what_to_do({"ok": True, "failure": None}) is None


@pytest.mark.parametrize("failure", sorted(ADVICE_IN_REASON))
def test_a_page_beside_a_reason_that_ends_with_the_advice_is_not_told_it_again(failure: str) -> None:
    assert what_to_do({"ok": False, "failure": failure}, beside_reason=True) is None
    assert what_to_do({"ok": False, "failure": "changed", "first_bad_position": 3}, beside_reason=True) is not None
