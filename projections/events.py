"""Stored events as plain rows: what the folds consume, live from the notification log or as-of from the
history index. One shape for both paths is what keeps a live read model and an as-of answer equal."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

# The tracking name: the application whose notification log the read models follow.
APPLICATION = "AwardLedger"
# Attributes every eventsourcing event has; the rest of an event's attributes are its payload.
ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic")


class EventRow(NamedTuple):  # a tuple, not a frozen dataclass: made once per event, it is cheaper
    position: int       # notification id
    aggregate_id: str
    version: int
    event: str          # "Claim.Approved": the aggregate class and the event class
    recorded_at: str    # utc_text() of the event's timestamp
    payload: dict[str, Any]


def from_domain_event(event: Any, position: int) -> EventRow:
    payload = {k: plain(v) for k, v in vars(event).items() if k not in ENVELOPE}
    return EventRow(position, str(event.originator_id), event.originator_version, type(event).__qualname__,
                    utc_text(event.timestamp), payload)


def plain(value: Any) -> Any:
    """JSON-ready: money as two-place strings, days and moments ISO, ids as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def utc_text(moment: datetime) -> str:
    """A fixed-width UTC timestamp, so that comparing the text compares the moments (as-of filters)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
