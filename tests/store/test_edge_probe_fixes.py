"""Smaller findings of a black-box probe of dates and money at their edges, on the real ledger (both stores)."""
from __future__ import annotations

from datetime import date

import pytest

from ledger import beijing
from ledger.domain import errors
from tests.store.conftest import FGJ, World


def test_a_follow_on_whose_share_rounds_to_nothing_is_not_eligible(world: World) -> None:
    """Rule 9: 20% of 0.04 is 0.00, a claim for nothing: `not_eligible`, not `cap_exceeded` advising "request at
    most 0.00", which nobody can send."""
    with pytest.raises(errors.NotEligible) as refused:
        world.claim(world.org(), "A13.follow_on", by=FGJ, subject="project:F-0", basis_amount="0.04",
                    requested_amount="0.01")
    assert "comes to 0.00" in refused.value.detail and "0.00 元" in refused.value.zh
    claim = world.claim(world.org(), "A13.follow_on", by=FGJ, subject="project:F-5", basis_amount="0.05",
                        requested_amount="0.01")
    assert claim["entitled_amount"] == "0.01"


def test_beijing_time_is_a_fixed_utc_plus_eight() -> None:
    """A bare day's end is read at UTC+08:00 in any year: the zone database read 1899 at Shanghai's local mean time
    (+08:05:43) and 1988's summer at +09:00."""
    for day in (date(1899, 12, 31), date(1988, 7, 1), date(2024, 1, 1)):
        assert beijing.end_of_day(day).utcoffset().total_seconds() == 8 * 3600
    assert beijing.shown("1988-07-01T00:00:00+00:00") == "1988-07-01 08:00:00 UTC+08:00"
