"""What the replays read besides the claims: the organisations and fund years folded from the log, once for
however many replays read them, and the facts of the claim they are all replaying (ledger/replay.py).

Which stored events that takes is named here too (`wanted`, `wanted_topics`), so a reader can leave the rest
in the store: the cap accounts' own bookkeeping, payouts, bank lines and idempotency records are never read.
"""
from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable, Iterator, MutableMapping
from datetime import UTC, date
from functools import lru_cache
from typing import Any
from uuid import UUID

from ledger.catalogue.model import Catalogue
from ledger.rules import ClaimFacts, OrganisationFacts
from ledger.spill import HOT, Codec, ColdStore, Spilled

# The aggregates whose state the rules (the organisation's facts) or the sandbox's fund figures read. Bodies
# and certifications reach the rules through the organisation's own events, so they are not folded.
FOLDED = ("Organisation", "FundYear")
# Claim events that end a claim's hold on its accounts without paying it (corrections).
RELEASED = {"Rejected": "rejected", "Withdrawn": "withdrawn", "Revoked": "revoked"}
CLAIM_EVENTS = ("Submitted", "Proposed", "Confirmed", "Reassessed", "Approved", *RELEASED, "RepaymentRecorded",
                "RepaymentReversed", "PayoutReversed")


def wanted(topic: str) -> bool:
    """Whether a stored event's topic is one the replay reads (the rest need not even be decoded)."""
    kind, _, name = topic.rsplit(":", 1)[-1].partition(".")
    return kind in FOLDED or (kind == "Claim" and name in CLAIM_EVENTS)


def wanted_topics() -> list[str]:
    """The topics of every event class `wanted` takes, for a reader that selects by topic in the store."""
    from eventsourcing.utils import get_topic

    from ledger.domain.claim import Claim
    from ledger.domain.fund_year import FundYear
    from ledger.domain.organisation import Organisation

    topics = [get_topic(cls) for owner in (Organisation, FundYear, Claim) for cls in vars(owner).values()
              if inspect.isclass(cls) and issubclass(cls, owner.Event) and cls is not owner.Event]
    return sorted(t for t in topics if wanted(t))


def kind_of(cls: type) -> tuple[str, str]:
    """("Claim", "Approved") for Claim.Approved: the aggregate and the event of a domain event class."""
    kind, _, name = cls.__qualname__.partition(".")
    return kind, name


class Folded:
    """The folded aggregates by id, the organisations by USCC, and one slot: the claim being replayed."""

    def __init__(self, cold: ColdStore | None = None, hot: int = HOT) -> None:
        self.aggregates: dict[UUID, Any] = {}  # the fund years (a few)
        # The Organisation aggregates by id (an organisation's id is its USCC's natural id): the replay's biggest
        # state, so kept in a `Spilled` mapping when a cold store is given (flat memory, ledger/spill.py).
        self.organisations: MutableMapping[UUID, Any] = Spilled(cold, hot, AGGREGATES) if cold is not None else {}
        # The last organisation's facts, until its next event: its claims often come together, and a cache of
        # every organisation's would cost as much memory again as the organisations themselves.
        self._facts: tuple[Any, tuple[int, date], OrganisationFacts] | None = None
        self._slot: tuple[Any, ClaimFacts, OrganisationFacts | None] | None = None
        self._kinds: dict[type, tuple[str, str]] = {}
        self.read = 0  # events a reader passed through (ledger/sandbox/simulation.py's claim_events counts them)

    def kind(self, event: Any) -> tuple[str, str]:
        cls = type(event)
        found = self._kinds.get(cls)
        if found is None:
            found = self._kinds[cls] = kind_of(cls)
        return found

    def fold(self, event: Any) -> None:
        """Keep the organisations and fund years up to date (any other event is left alone)."""
        kind = self.kind(event)[0]
        if kind not in FOLDED:
            return
        # Written back after each event: a spilled mapping keeps what is written to it, not what changes in place.
        held = self.organisations if kind == "Organisation" else self.aggregates
        held[event.originator_id] = event.mutate(held.get(event.originator_id))

    def facts(self, e: Any) -> tuple[ClaimFacts, OrganisationFacts | None]:
        """A submission's claim facts and its organisation's, made once for every replay of that submission."""
        if self._slot is None or self._slot[0] is not e:
            claim = ClaimFacts(e.uscc, e.programme, e.award_year, e.effective_on, e.tier, e.rank, e.subject,
                               e.body_id, e.basis_amount, e.requested_amount, e.certification_id,
                               # a top-up's (submissions stored before top-ups were kept have none)
                               getattr(e, "tops_up", None), tuple(getattr(e, "topping", None) or ()),
                               getattr(e, "topped_amount", None))
            self._slot = (e, claim, self._organisation(e.uscc, e.effective_on))
        return self._slot[1], self._slot[2]

    def version(self, uscc: str) -> int | None:
        """The organisation's version as folded so far (None: not in the log yet): its facts change only with it."""
        org = self.organisations.get(organisation_id(uscc))
        return None if org is None else org.version

    def _organisation(self, uscc: str, on: date) -> OrganisationFacts | None:
        """The organisation's facts on the claim's day, as the ledger reads them (`Organisation.facts(on)`): where
        it was that day, not where it is now (a rules probe: a claim dated before a departure recorded earlier in
        the log was replayed `not_eligible`, so the sandbox's baseline fell short of the books and `recheck`
        listed correct awards)."""
        org = self.organisations.get(organisation_id(uscc))
        if org is None:
            return None
        if self._facts is None or self._facts[0] is not org or self._facts[1] != (org.version, on):
            self._facts = (org, (org.version, on), org.facts(on))
        return self._facts[2]

    def fund_years(self) -> Iterator[Any]:
        from ledger.domain.fund_year import FundYear

        return (a for a in self.aggregates.values() if isinstance(a, FundYear))


# A folded aggregate in the cold file (ledger/spill.py): its class, id, version and times taken out of its state
# and written plainly (the id as its bytes, the UTC times naive), the rest of the state pickled as it is. A
# pickle of the aggregate itself spends most of its time on the aware times and the UUID (17 µs against 6).
# Anything else (an aggregate with events pending, times in another zone) is pickled whole.
_ENVELOPE = ("_id", "_version", "_created_on", "_modified_on", "_pending_events")


def _dump_aggregate(aggregate: Any) -> bytes:
    state = aggregate.__dict__
    created, modified = state.get("_created_on"), state.get("_modified_on")
    if (getattr(created, "tzinfo", None) is UTC and getattr(modified, "tzinfo", None) is UTC
            and type(state.get("_id")) is UUID and not state.get("_pending_events", True)):
        rest = {k: v for k, v in state.items() if k not in _ENVELOPE}
        plain = (type(aggregate), state["_id"].bytes, state["_version"], created.replace(tzinfo=None),
                 modified.replace(tzinfo=None), rest)
        return b"a" + pickle.dumps(plain, pickle.HIGHEST_PROTOCOL)
    return b"p" + pickle.dumps(aggregate, pickle.HIGHEST_PROTOCOL)


def _load_aggregate(data: bytes) -> Any:
    if data[:1] == b"p":
        return pickle.loads(data[1:])
    cls, id_bytes, version, created, modified, rest = pickle.loads(data[1:])
    aggregate = object.__new__(cls)
    aggregate.__dict__.update(_id=UUID(bytes=id_bytes), _version=version, _pending_events=[], **rest,
                              _created_on=created.replace(tzinfo=UTC), _modified_on=modified.replace(tzinfo=UTC))
    return aggregate


AGGREGATES = Codec(_dump_aggregate, _load_aggregate)


@lru_cache(maxsize=4_096)
def organisation_id(uscc: str) -> UUID:
    """The Organisation aggregate's id: the natural id of its USCC (a uuid5, so worth a small cache)."""
    from ledger.domain.organisation import Organisation

    return Organisation.create_id(uscc)


@lru_cache(maxsize=4_096)  # a submission's organisation is asked for before decoding, and again after
def organisation_number(uscc: str) -> int:
    """`organisation_id(uscc).int` at a third of its cost (no UUID made): what the sandbox's halves split by."""
    from ledger.domain.ids import natural_number

    return natural_number("organisation", uscc)


def by_day(catalogue_on: Callable[[date], Catalogue]) -> Callable[[date], Catalogue]:
    """`catalogue_on`, asked once per day (the catalogues do not change while a replay runs)."""
    seen: dict[date, Catalogue] = {}

    def on(day: date) -> Catalogue:
        found = seen.get(day)
        if found is None:
            found = seen[day] = catalogue_on(day)
        return found
    return on
