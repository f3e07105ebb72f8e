"""Work in proportion to what was sent, where a stall probe found it in the square: a sandbox draft's fault located
among `{` lines with no `]` (46 KB took 15 s, a draft near its 256 KiB limit about 14 minutes), and a certification
list's header of many columns (40,000 took 19 s). Each is read within a CPU allowance (SIGPROF) hundreds of times
what the linear reading takes: a bound for the service not to stall, not a speed figure."""
from __future__ import annotations

import re
import signal
from pathlib import Path

import pytest

from api.certification_list import read_list
from ledger.catalogue.draft import DraftError, read_draft
from ledger.domain.errors import LedgerError

ALLOWANCE = 3.0
CATALOGUE = Path(__file__).resolve().parents[2] / "ledger" / "catalogue" / "binjiang-2022.toml"


class _Stalled(Exception):
    pass


def _within_allowance(read) -> None:
    def stalled(signum, frame):
        raise _Stalled

    previous = signal.signal(signal.SIGPROF, stalled)
    signal.setitimer(signal.ITIMER_PROF, ALLOWANCE)
    try:
        read()
    except _Stalled:
        pytest.fail(f"{ALLOWANCE} s of CPU and still reading")
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _draft_of_brace_lines(count: int) -> str:
    """The catalogue in force with one tier amount wrong, no line that begins with `]`, and `count` lines of `{` in
    a string: the field's line is looked for among them."""
    text = CATALOGUE.read_text(encoding="utf-8")
    text = re.sub(r'(amount = )"300000\.00"', r'\1"bad"', text, count=1)
    text = re.sub(r",?\s*\n\s*\]", "]", text)
    assert not any(line.lstrip().startswith("]") for line in text.splitlines())
    return text + '\nreading2 = """\n' + "{\n" * count + '"""\n'


def test_a_drafts_fault_is_located_among_many_brace_lines_in_bounded_time():
    draft = _draft_of_brace_lines(80_000)  # about 200 KB, under the 256 KiB a draft may be

    def read():
        with pytest.raises(DraftError) as refused:
            read_draft(draft)
        assert refused.value.field and refused.value.line, refused.value

    _within_allowance(read)


def test_a_lists_header_of_many_columns_is_refused_in_bounded_time_naming_a_few():
    needed = ["uscc", "programme", "tier", "effective_on", "document_ref", "body_id"]
    extra = [f"c{n}" for n in range(30_000)]
    for columns in (needed + extra, needed + extra + extra):  # columns it does not take; each of them twice
        header = ",".join(columns)

        def read(header: str = header) -> None:
            with pytest.raises(LedgerError) as refused:
                read_list((header + "\n").encode(), "text/csv")
            said = str(refused.value)
            assert len(said) < 2_000 and "(+29,990)" in said, said[:300]

        _within_allowance(read)
