"""Beijing time: a day as of is the end of that day in Asia/Shanghai; moments show with their zone."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import beijing


def test_a_day_is_the_end_of_that_day_in_beijing():
    """`2024-01-01` is 2024-01-01T23:59:59.999999+08:00, i.e. 15:59:59.999999 UTC, not midnight UTC."""
    moment = beijing.as_of("2024-01-01")
    assert moment.utcoffset() == timedelta(hours=8)
    assert moment.astimezone(UTC) == datetime(2024, 1, 1, 15, 59, 59, 999999, tzinfo=UTC)


def test_offsets_are_kept_and_a_bare_moment_is_beijing_time():
    """An RFC 3339 offset stands (an unencoded + read as a space too); no offset means Beijing time."""
    assert beijing.as_of("2024-01-01T00:00:00+00:00") == datetime(2024, 1, 1, tzinfo=UTC)
    assert beijing.as_of("2024-01-01T08:00:00 08:00") == datetime(2024, 1, 1, tzinfo=UTC)
    assert beijing.as_of("2024-01-01T08:00:00") == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="2024-01-01T00:00:00"):
        beijing.as_of("yesterday")


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_shown_is_the_same_moment_eight_hours_on_with_the_zone(moment):
    """Any stored UTC moment shows as its Beijing wall time, labelled UTC+08:00."""
    text = beijing.shown(moment.isoformat())
    assert text.endswith(" UTC+08:00")
    wall = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone(timedelta(hours=8)))
    assert wall == moment.replace(microsecond=0)


def test_no_code_takes_today_from_the_hosts_clock():
    """"Today" is Beijing's (ledger.beijing.today): the finance page's default year and the sandbox's catalogue in
    force took the host's date, a day behind from 00:00 to 08:00 Beijing on a UTC host (a zh probe)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    naive = re.compile(r"\b(?:date\.today|datetime\.today|datetime\.now)\(\)")
    found = [f"{path.relative_to(root)}:{n}" for folder in ("api", "ledger", "projections")
             for path in sorted((root / folder).rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if naive.search(line)]
    assert found == [], found
