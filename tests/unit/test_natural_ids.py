"""ledger/domain/ids.py: the natural id's number worked out without the UUID is the UUID's number, for any name."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.domain.ids import natural_id, natural_number
from ledger.replay_fold import organisation_id, organisation_number


@settings(max_examples=500, deadline=None)
@given(kind=st.sampled_from(["organisation", "claim", "body", ""]), key=st.text(max_size=40))
def test_the_number_is_the_natural_ids_number(kind: str, key: str) -> None:
    assert natural_number(kind, key) == natural_id(kind, key).int


@given(uscc=st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{18}", fullmatch=True))
def test_an_organisations_number_is_its_aggregate_ids(uscc: str) -> None:
    assert organisation_number(uscc) == organisation_id(uscc).int
