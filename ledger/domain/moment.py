"""One moment per command: every event a command records carries the same timestamp.

A command that touches several aggregates (a payout records the payout and the claim's payment) is saved in one
transaction, so the ledger never knew half of it; its events should say so. eventsourcing stamps each event when
it is made, microseconds to a millisecond apart, and a question asked `as_of` the payout's own `recorded_at` then
saw the payout without the claim's payment. Inside `one_moment()` (`AwardLedger._run` opens it for each attempt)
every event is stamped with the moment the attempt began; outside it, with the time it is made, as before."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from eventsourcing.domain import Aggregate, datetime_now_with_tzinfo

_MOMENT: ContextVar[datetime | None] = ContextVar("command_moment", default=None)


@contextmanager
def one_moment() -> Iterator[datetime]:
    """Stamp every event made inside with one moment, the time it was entered."""
    moment = datetime_now_with_tzinfo()
    token = _MOMENT.set(moment)
    try:
        yield moment
    finally:
        _MOMENT.reset(token)


def _stamp() -> datetime:
    return _MOMENT.get() or datetime_now_with_tzinfo()


class LedgerAggregate(Aggregate):
    """The ledger's aggregates: eventsourcing's, with their events stamped by `one_moment`. Event topics are the
    concrete classes' (`ledger.domain.claim:Claim.Submitted`), so stored events read as before."""

    class Event(Aggregate.Event):
        create_timestamp = staticmethod(_stamp)

    class Created(Event, Aggregate.Created):
        pass


def command_moment() -> datetime:
    """The moment the events of the command under way are stamped with (now, outside a command)."""
    return _stamp()
