"""Snapshots are never trusted blindly: each names the chain point it folds up to, and is sealed.

A snapshot saves replaying an aggregate's events, so a forged one (say, a cap account with nothing
reserved) would let a command decide on a state no event ever produced. Each `ChainedSnapshot` therefore
carries the notification id and chain link of the last event it folds, and a seal: HMAC-SHA256, keyed by
the ledger's seal key, over the aggregate, version, chain point and state. Before a snapshot is used it
must name the event its version stands for, that event's stored link, and carry a seal that matches; one
that does not is logged and ignored, and the aggregate is replayed from its events instead. Someone who
can INSERT into the snapshots table, but has not the key, cannot make one that passes. Without a seal key
(tests, tools that never write) the seal is not asked for and the chain point still is.

`verify` goes further than a use can afford: it folds every snapshotted aggregate's events and compares the
state at each snapshot's version (`check_all`), so even a snapshot sealed with a stolen key is reported.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterator
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import EventStore

from ledger.audit.append_only import guard_recorder
from ledger.audit.reasons import Reason

log = logging.getLogger("ledger.audit.snapshots")

ChainPoint = Callable[[Any, int], "tuple[int, str] | None"]  # (aggregate id, version) -> (position, link)


class ChainedSnapshot(Snapshot):
    """A snapshot that names the chain point it folds up to, sealed by the ledger's key."""

    folded_position: int
    folded_link: str
    seal: str


def take(aggregate: Any, point: ChainPoint, key: bytes | None, encode: Callable[[Any], bytes]) -> ChainedSnapshot:
    """A sealed snapshot of `aggregate` as recorded, anchored at its last event's chain point."""
    base = Snapshot.take(aggregate)
    found = point(base.originator_id, base.originator_version)
    if found is None:
        msg = f"cannot snapshot {base.originator_id}@{base.originator_version}: that event is not recorded"
        raise LookupError(msg)
    position, link = found
    return ChainedSnapshot(originator_id=base.originator_id, originator_version=base.originator_version,
                           timestamp=base.timestamp, topic=base.topic, state=base.state, folded_position=position,
                           folded_link=link, seal=_seal(key, base.originator_id, base.originator_version,
                                                        base.topic, position, link, base.state, encode))


def fault(snapshot: Any, point: ChainPoint, key: bytes | None, encode: Callable[[Any], bytes]) -> Reason | None:
    """Why `snapshot` may not be used, or None when it agrees with the chain and its seal."""
    if not isinstance(snapshot, ChainedSnapshot):
        return Reason("it names no chain point (taken before snapshots were anchored to the chain)",
                      "它没有指明链上的位置（取于快照与链挂钩之前）")
    found = point(snapshot.originator_id, snapshot.originator_version)
    if found is None:
        return Reason(f"no event {snapshot.originator_version} of this aggregate is recorded",
                      f"该聚合没有记录第 {snapshot.originator_version} 个事件")
    if found != (snapshot.folded_position, snapshot.folded_link):
        claimed, actual = (f"{snapshot.folded_position}, link {snapshot.folded_link[:16]}…",
                           f"{found[0]}, link {found[1][:16] if found[1] else None}…")
        return Reason(f"it claims to fold up to position {claimed}, but that event is at position {actual}",
                      f"它声称折叠到位置 {claimed}，但该事件在位置 {actual}")
    if key is not None:
        expected = _seal(key, snapshot.originator_id, snapshot.originator_version, snapshot.topic,
                         snapshot.folded_position, snapshot.folded_link, snapshot.state, encode)
        if not hmac.compare_digest(expected, snapshot.seal or ""):
            return Reason("its seal does not match its content: it was not taken by this ledger, or changed since",
                          "其封印与内容不符：它不是本台账所取，或此后被改动过")
    return None


def usable(snapshots: Iterator[Any], point: ChainPoint, key: bytes | None,
           encode: Callable[[Any], bytes]) -> Iterator[Any]:
    """The snapshots that may be used; each one that may not is logged (and the caller replays instead)."""
    for snapshot in snapshots:
        reason = fault(snapshot, point, key, encode)
        if reason is None:
            yield snapshot
        else:
            log.warning("snapshot ignored: %s@%s: %s; replaying its events instead", snapshot.originator_id,
                        snapshot.originator_version, reason)


def _seal(key: bytes | None, originator_id: Any, version: int, topic: str, position: int, link: str, state: Any,
          encode: Callable[[Any], bytes]) -> str:
    # The state as the application's transcoder writes it: the same bytes from the aggregate at take time and
    # from the decoded snapshot at use (dict order and every transcoding round-trip).
    if key is None:
        return ""
    message = f"{originator_id}\n{version}\n{topic}\n{position}\n{link}\n".encode()
    return hmac.new(key, message + hashlib.sha256(encode(state)).digest(), hashlib.sha256).hexdigest()


class CheckedSnapshots(EventStore):
    """The application's snapshot store: hands out only the snapshots `fault` finds nothing wrong with."""

    def __init__(self, mapper: Any, recorder: Any, point: ChainPoint, key: Callable[[], bytes | None]) -> None:
        super().__init__(mapper, recorder)
        self.point, self.key = point, key
        # eventsourcing creates the snapshots' table after the events' (whose recorder guards its own): guarded
        # here, it is append-only whichever command created the store.
        guard_recorder(recorder)

    def get(self, originator_id: Any, **kwargs: Any) -> Iterator[Any]:
        return usable(super().get(originator_id, **kwargs), self.point, self.key(), self.mapper.transcoder.encode)
