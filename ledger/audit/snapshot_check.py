"""`verify`'s look at the snapshots: each one's chain point, and its state against the fold of its events.

A use checks a snapshot's chain point and seal (`ledger.audit.snapshots`); verify can afford the full
check: every snapshotted aggregate's events are folded once, in order, and at each snapshot's version the
fold's state must be the snapshot's, byte for byte as the transcoder writes them.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import project_aggregate
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import StoredEvent

from ledger.audit.reasons import Reason
from ledger.audit.snapshots import ChainedSnapshot, fault


def check_all(app: Any, rows: Iterable[tuple[Any, int, str, bytes]]) -> dict[str, Any]:
    """Check every stored snapshot (rows of the snapshots table); how many, and those that disagree."""
    by_aggregate: dict[UUID, list[tuple[int, str, bytes]]] = defaultdict(list)
    for originator_id, version, topic, state in rows:
        by_aggregate[_uuid(originator_id)].append((version, topic, bytes(state)))
    bad, checked = [], 0
    encode = app.mapper.transcoder.encode
    for aggregate_id, snapshots in by_aggregate.items():
        snapshots.sort()
        folded, events = None, iter(app.events.get(aggregate_id, lte=snapshots[-1][0]))
        for version, topic, state in snapshots:
            checked += 1
            try:
                snapshot = app.mapper.to_domain_event(StoredEvent(aggregate_id, version, topic, state))
            except Exception as err:  # a snapshot that does not even decode is a finding, not a crash
                bad.append(_bad(aggregate_id, version, None, Reason(f"it cannot be decoded ({type(err).__name__})",
                                                                    f"它无法解码（{type(err).__name__}）")))
                continue
            folded = _fold_to(folded, events, version)
            # One taken before snapshots were anchored has no chain point (uses ignore it): its fold still counts.
            anchored = isinstance(snapshot, ChainedSnapshot)
            reason = fault(snapshot, app.chain_point, None, encode) if anchored else None
            if reason is None and (folded is None or folded.version != version):
                reason = Reason(f"the aggregate has no event {version} for it to fold up to",
                                f"该聚合没有可供折叠到的第 {version} 个事件")
            elif reason is None and encode(Snapshot.take(folded).state) != encode(snapshot.state):
                reason = Reason("its state is not what folding the aggregate's events up to its version gives",
                                "其状态与把该聚合的事件折叠到其版本所得的状态不同")
            if reason is not None:
                bad.append(_bad(aggregate_id, version, getattr(snapshot, "folded_position", None), reason))
    return {"snapshots_checked": checked, "bad_snapshots": bad}


def _fold_to(folded: Any, events: Any, version: int) -> Any:
    while folded is None or folded.version < version:
        event = next(events, None)
        if event is None:
            return folded
        folded = project_aggregate(folded, [event])
    return folded


def _bad(aggregate_id: UUID, version: int, position: int | None, reason: Reason) -> dict[str, Any]:
    return {"aggregate_id": str(aggregate_id), "version": version, "folded_position": position,
            "reason": f"the snapshot of {aggregate_id} at version {version} is not to be trusted: {reason}",
            "reason_zh": f"{aggregate_id} 在版本 {version} 的快照不可信：{reason.zh}"}


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
