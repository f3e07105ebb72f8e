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

from api.schemas.awards import ZONE_WORDS
from api.web.amounts import _PRINTED_UNIT
from ledger.bank_files.column_map import _QUALIFIER
from ledger.bank_files.reading import _MARK_AFTER

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
