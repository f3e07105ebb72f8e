"""Beijing time: the district reads every moment at UTC+08:00, and a day given for "as of" means the end of that
day there, the same in the API, the CLI and the pages. Stored moments stay UTC.

A fixed offset, not the Asia/Shanghai zone: the zone's history reads a day before 1901 at Shanghai's local mean
time (+08:05:43) and days of 1986-1991 with summer time, where the ledger means Beijing time as it is today."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

ZONE_LABEL = "UTC+08:00"
ZONE = timezone(timedelta(hours=8), ZONE_LABEL)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def not_ahead(day: date, field: str, label_zh: str, then: str, then_zh: str) -> None:
    """Refuse a fact's `day` after today in Beijing (`invalid_request` on `field`): a fact is recorded on or after
    the day it happened; `then` and `then_zh` say what to send instead."""
    from ledger.domain.errors import InvalidInput

    if day > (now := today()):
        raise InvalidInput(f"{field} {day.isoformat()} is in the future (today is {now.isoformat()} in Beijing);"
                           f" {then}",
                           zh=f"{label_zh} {day.isoformat()} 晚于今天（北京时间 {now.isoformat()}）；{then_zh}",
                           field=field)


def end_of_day(day: date) -> datetime:
    """The last microsecond of `day` in Beijing time."""
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=ZONE)


def as_of(text: str) -> datetime:
    """A moment from `YYYY-MM-DD` (the end of that day, Beijing time) or RFC 3339; without an offset,
    Beijing time. ValueError says what to send instead."""
    text = text.strip()
    # An unencoded "+08:00" in a query string arrives as " 08:00"; read it as the offset it was meant to be.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
    try:
        if _DAY.match(text):
            return end_of_day(date.fromisoformat(text))
        found = datetime.fromisoformat(text)
    except ValueError:
        msg = (f"{text!r} is neither a day (2024-01-01: the end of that day, Beijing time) nor an RFC 3339 moment"
               " (2024-01-01T00:00:00+08:00)")
        raise ValueError(msg) from None
    return found if found.tzinfo is not None else found.replace(tzinfo=ZONE)


def local(moment: datetime | str | None) -> datetime | None:
    """The moment in Beijing time (a stored text or a datetime; None stays None)."""
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZONE)


def shown(moment: datetime | str | None, *, seconds: bool = True, exact: bool = False) -> str:
    """`2023-06-01 17:30:15 UTC+08:00`: a moment as people in the district read it, zone included. `exact`: with
    its fraction of a second where it has one (an `as_of` read to the end of a second, 17:30:15.999999, is not the
    state at its start, 17:30:15: a regression probe met two reconciliations labelled alike)."""
    found = local(moment)
    if found is None:
        return ""
    return clock(found, seconds=seconds, exact=exact) + " " + ZONE_LABEL


def shown_zh(moment: datetime | str | None, *, seconds: bool = True, exact: bool = False, lead: bool = False) -> str:
    """`2023-06-01 17:30:15（北京时间）`: `shown` for a Chinese reader, as the pages say it (the command line said
    "UTC+08:00" in Chinese where the pages and the README say 北京时间: an audit probe). `lead`: `北京时间
    2023-06-01 17:30:15`, for a moment already inside brackets."""
    found = local(moment)
    if found is None:
        return ""
    at = clock(found, seconds=seconds, exact=exact)
    return f"北京时间 {at}" if lead else f"{at}（北京时间）"


def clock(found: datetime, *, seconds: bool = True, exact: bool = False) -> str:
    """The day and time of a local moment, to the second (or minute). `exact`: to the microsecond unless the moment
    is the end of its second (.999999), which is how a day or a moment typed to the second is read, and shown as
    that second: 17:30:15 is the state with that second in, 17:30:15.000000 the state as the second began."""
    text = found.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text}.{found.microsecond:06d}" if exact and seconds and found.microsecond != END_OF_SECOND else text


END_OF_SECOND = 999_999


def today() -> date:
    """Today's date in Beijing time (what a person in the district calls today)."""
    return datetime.now(ZONE).date()
