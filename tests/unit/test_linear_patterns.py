"""The patterns read over text a user sends take time in proportion to it. `\\s*X$` tried from every space of a run,
giving the run back a space at a time, is quadratic in it: a regression probe's statement of amounts padded with
spaces took 14 s, a form amount of 40,000 spaces 20 s, a page's `?as_of=` 9 s. Each now begins only where a run
begins (`(?<!\\s)`), and finds what its first form found."""
from __future__ import annotations

import re
import subprocess
import sys

from hypothesis import given
from hypothesis import strategies as st

from api.reports.table import MONEY
from api.schemas.awards import ZONE_WORDS
from api.schemas.fields import _in_yuan
from api.web.amounts import _PRINTED_UNIT
from ledger.bank_files.column_map import _QUALIFIER
from ledger.bank_files.reading import _MARK_AFTER
from ledger.catalogue.draft import _DIGIT_CHAIN, _QUOTED
from ledger.domain.statement_fields import _TIME_AFTER

SHIPPED = {"zone": ZONE_WORDS, "unit": _PRINTED_UNIT, "mark": _MARK_AFTER, "qualifier": _QUALIFIER}
# Each as first written (quadratic): what it must still find.
FIRST = {"zone": re.compile(r"\s*(?:（北京时间）|\(北京时间\)|\(?Beijing time\)?|UTC\+08:00)$", re.IGNORECASE),
         "unit": re.compile(r"\s*(?:元|yuan)\s*$", re.IGNORECASE),
         "mark": re.compile(r"\s*(?:元|(?<![A-Za-z])(?:RMB|CNY))$", re.IGNORECASE),
         "qualifier": re.compile(r"\s*[（(][^（）()]{1,12}[）)]\s*$")}
ALPHABET = " \t\u3000元yuanRMBCNY（北京时间）()Beijing timeUTC+08:001x借方"


@given(st.text(alphabet=ALPHABET, max_size=40))
def test_each_pattern_finds_what_its_first_form_found(text):
    for name, pattern in SHIPPED.items():
        assert pattern.sub("", text) == FIRST[name].sub("", text), name


def test_a_long_run_of_spaces_is_read_within_a_bounded_cpu():
    """200,000 spaces before a character that ends no match, through each pattern, in a process allowed 10 s of CPU
    (RLIMIT_CPU): the first forms need hours for it, the shipped ones milliseconds. A bound for the service not to
    stall, not a speed figure."""
    script = ("import resource; resource.setrlimit(resource.RLIMIT_CPU, (10, 10));"
              "from tests.unit.test_linear_patterns import SHIPPED;"
              "text = '1' + ' ' * 200_000 + 'x';"
              "print(sum(len(p.sub('', text)) for p in SHIPPED.values()))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip() == str(4 * 200_002), (done.returncode, done.stderr[-2000:])


# The patterns the first whole-code scan found quadratic (tests/unit/test_every_pattern_linear.py): each as first
# written, beside the shipped form, which must read every text as it did.

TIME_AFTER_FIRST = re.compile(r"(?:\s+|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                              r"(?:\s*(?:Z|[+-][0-9]{2}:?[0-9]{2}))?$")
QUOTED_FIRST = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
DIGIT_CHAIN_FIRST = re.compile(r"\d[\d_]*(?:\.\d[\d_]*){2,}")
MONEY_FIRST = re.compile(r"[+-]?\d+\.\d\d")
YUAN_FIRST = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(万|萬)?\s*(?:元|圆|yuan)?", re.IGNORECASE)


@given(st.text(alphabet=" \t1209:.T+-Zz", max_size=30))
def test_a_days_time_is_found_as_it_was(text):
    assert _TIME_AFTER.sub("", text) == TIME_AFTER_FIRST.sub("", text)


@given(st.text(alphabet="12_.a x", max_size=30))
def test_a_chain_of_digits_counts_the_dots_it_did(text):
    def dots(pattern):
        return sum(m.group(0).count(".") for m in pattern.finditer(text))
    assert dots(_DIGIT_CHAIN) == dots(DIGIT_CHAIN_FIRST)


# A TOML line: bare text (no quote, no backslash, which TOML allows only inside strings) and strings, basic ones with
# their escapes and literal ones, one left open at the end at most.
_BARE = st.text(alphabet="a =.#1,[]", max_size=6)
_BASIC = st.lists(st.sampled_from(["a", ".", " ", "\\\\", '\\"', "\\n", "'"]), max_size=5).map(
    lambda p: '"' + "".join(p) + '"')
_LITERAL = st.text(alphabet='a."\\ ', max_size=5).map(lambda s: f"'{s}'")


@given(st.lists(st.one_of(_BARE, _BASIC, _LITERAL), max_size=6), st.sampled_from(["", '"a\\"', "'a"]))
def test_a_drafts_strings_are_found_as_they_were(parts, open_end):
    line = "".join(parts) + open_end
    assert _QUOTED.sub("", line) == QUOTED_FIRST.sub("", line), line


@given(st.text(alphabet="+-12.0 ", max_size=14))
def test_an_amount_as_the_ledger_writes_it_is_read_as_it_was(text):
    assert bool(MONEY.fullmatch(text)) == bool(MONEY_FIRST.fullmatch(text))


@given(st.text(alphabet="12.0 万萬元圆yuanx,", max_size=14))
def test_an_amount_written_with_its_unit_is_read_as_it_was(text):
    first = YUAN_FIRST.fullmatch(text)
    shipped = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*+(万|萬)?\s*+(?:元|圆|yuan)?", text, re.IGNORECASE)
    assert (first and first.groups()) == (shipped and shipped.groups())
    assert _in_yuan(text) == _in_yuan(text.strip())  # the function reads the same either way round its spaces
