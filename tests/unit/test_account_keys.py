"""A cap account's key is written in one place (`cap_key`) and read back in one (`read_cap_key`): what the
projections and the proposals read from it is what the rules wrote, whatever a body's id or a subject holds."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.catalogue import CapScope
from ledger.rules.accounts import cap_key, read_cap_key
from ledger.rules.facts import ClaimFacts
from ledger.rules.subjects import parse_subject
from tests.unit.book import CATALOGUE

CAPPED = [(p, c) for p in CATALOGUE.programmes.values() for c in p.caps]
ids = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(which=st.sampled_from(CAPPED), body_id=ids, year=st.integers(min_value=2022, max_value=2026),
       project=st.sampled_from(["project:P-1", "project:甲:乙", "standard:GB/T 1:2022"]))
def test_a_cap_key_reads_back_as_written(which, body_id, year, project):
    programme, cap = which
    facts = ClaimFacts(uscc="91330108MA2B3C4D5E", programme=programme.code, award_year=year,
                       effective_on=date(year, 6, 1), body_id=body_id)
    subject = parse_subject(project, ("project", "standard"))
    key = cap_key(CATALOGUE, programme, cap.scope, cap.pool, facts, subject, body_id)
    read = read_cap_key(key.text)
    assert read.scope == cap.scope.value
    assert read.programme == (cap.pool if cap.scope is CapScope.POOL else programme.code)
    assert read.body_id == (body_id if cap.scope is CapScope.ORGANISATION_YEAR else None)
    if cap.scope is CapScope.ORGANISATION_YEAR:
        assert read.owner == f"{body_id}:{year}"


def test_another_account_is_not_read_as_a_cap():
    with pytest.raises(ValueError, match="not a cap account"):
        read_cap_key("ladder:A3.erc:91330108MA2B3C4D5E:provincial<national:-")
