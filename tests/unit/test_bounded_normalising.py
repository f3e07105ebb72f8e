"""A field is bounded before Unicode normalisation reads it. CPython orders combining marks by insertion sort, so
NFC and NFKC are quadratic in marks out of their canonical order, and hold the GIL throughout: "a" followed by 20,000
pairs U+0301 U+0316 in an amount held the whole process, /healthz included, 1.3 s, 80,000 pairs 20 s (a stall probe),
in amounts, days, years and moments, on the API and the pages, in bank statements and certification lists.

Each reader gets 200,000 such pairs (800 KB, under the 1 MiB body limit) within a CPU allowance (SIGPROF) thousands
of times what a bounded refusal takes: a bound for the service not to stall, not a speed figure."""
from __future__ import annotations

import signal

import pytest
from pydantic import ValidationError

from api.schemas.awards import _AS_OF, read_as_of
from api.schemas.fields import _amount, full_width_year
from ledger.domain.errors import LedgerError
from ledger.domain.statement_fields import bank_amount, booking_day
from ledger.domain.text import clean_text, file_source
from ledger.rules.subjects import fresh_subject, parse_subject

MARKS = "a" + "\u0301\u0316" * 200_000
ALLOWANCE = 2.0  # seconds of CPU; the bounded readers refuse in well under a millisecond


class _Stalled(Exception):
    pass


def _stalled(signum, frame):
    raise _Stalled


READERS = {
    "amount": lambda text: _amount(text),
    "amount with its unit": lambda text: _amount("元" + text),
    "amount full-width": lambda text: _amount("１" + text),
    "day": lambda text: booking_day(text, "effective_on"),
    "day full-width": lambda text: booking_day("２" + text, "effective_on"),
    "bank amount": lambda text: bank_amount("１" + text, "line 2"),
    "text": lambda text: clean_text(text, "name"),
    "subject": lambda text: parse_subject("project:" + text, ("project",)),
    "fresh subject": lambda text: fresh_subject("project:" + text),
    "page moment": lambda text: read_as_of("２" + text),
    "API moment": lambda text: _AS_OF.validate_python("２" + text),
    "page year": lambda text: full_width_year("２" + text),
    "file name": lambda text: file_source(text + ".csv"),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_field_of_combining_marks_out_of_order_is_read_within_a_bounded_cpu(name):
    previous = signal.signal(signal.SIGPROF, _stalled)
    signal.setitimer(signal.ITIMER_PROF, ALLOWANCE)
    try:
        READERS[name](MARKS)
    except (LedgerError, ValidationError, ValueError):
        pass  # refused, as it should be: what matters is how soon
    except _Stalled:
        pytest.fail(f"{name}: {ALLOWANCE} s of CPU and still reading")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def test_the_allowance_catches_an_unbounded_normalisation():
    """The check can fail: normalising a whole field, as the readers did, outlasts an allowance (the signal comes
    once the call returns: a tenth of the marks, which take seconds, against a tenth of the allowance)."""
    import unicodedata
    previous = signal.signal(signal.SIGPROF, _stalled)
    signal.setitimer(signal.ITIMER_PROF, ALLOWANCE / 10)
    try:
        with pytest.raises(_Stalled):
            unicodedata.normalize("NFKC", MARKS[: len(MARKS) // 8])
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
