"""An organisation's history: every event about it, oldest first, with who, when recorded and the
effective date. The row keeps the decoded payload too, so an as-of answer can replay it later; the
summary is the payload without its bulky fields, so only the payload is stored (projections/sql.py)."""
from __future__ import annotations

from projections.events import EventRow
from projections.fold import Row

# The date an event takes effect on, under whichever name its aggregate uses.
EFFECTIVE = ("effective_on", "paid_on", "joined_on", "recognised_on", "received_on")
# Bulky or repeated fields left out of the summary (the payload keeps them).
NOT_SUMMARISED = ("by", "explanation", "accounts")


def history_row(e: EventRow, uscc: str) -> Row:
    p = e.payload
    return {"position": e.position, "uscc": uscc, "aggregate_id": e.aggregate_id, "version": e.version,
            "event": e.event, "recorded_at": e.recorded_at, "effective_on": effective_on(p),
            "by": p.get("by"), "summary": summary(p), "payload": p}


def effective_on(payload: Row) -> str | None:
    for name in EFFECTIVE:
        if (day := payload.get(name)) is not None:
            return day
    return None


def summary(payload: Row) -> Row:
    return {k: v for k, v in payload.items() if k not in NOT_SUMMARISED}


def event_row(history: Row) -> EventRow:
    """The event a history row was made from, for an as-of replay."""
    return EventRow(history["position"], history["aggregate_id"], history["version"], history["event"],
                    history["recorded_at"], history["payload"])


def render(history: Row) -> Row:
    return {k: history[k] for k in ("position", "event", "aggregate_id", "version", "recorded_at", "effective_on",
                                    "by", "summary")}
