"""A record checked against the chain before the ledger decides on it.

A stored event changed in place still folds: an approval of 250,000 rewritten to 950,000 read as 950,000, and a
900,000 payout was accepted on it (a probe), though `verify` and the claim's receipt both found the change. So a
command on a claim, a payout or a recovery first checks that record's own stored events: each hashes, after the
link before it, to its own link (`ledger/audit/encoding.py`), and its versions run 1, 2, 3… with none missing.
A few rows and one query per record, on the recorder's own connection; the whole chain is `verify`'s.

What it cannot see: a record's last event deleted (no gap is left in its versions; `verify` names the position),
and a record whose events were all moved elsewhere.
"""
from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.audit.encoding import GENESIS, event_bytes, link
from ledger.audit.tampering import Tampered, record_advice
from ledger.audit.unlinked import parted_said


def first_changed(rows: list[tuple]) -> int | None:
    """The first position among an aggregate's chained rows (position, id, version, topic, state, link, link
    before) whose event no longer hashes to its link, has none, or follows a missing version; None: intact."""
    for expected, (position, originator_id, version, topic, state, own, before) in enumerate(rows, start=1):
        if version != expected or own is None:
            return position
        previous = GENESIS if before is None else bytes.fromhex(before)
        if link(previous, event_bytes(position, originator_id, version, topic, state)).hex() != own:
            return position
    return None


def check(recorder: Any, aggregate_id: UUID, what: str, what_zh: str) -> None:
    """Refuse (`tampering`, 409) to decide on a record whose stored events were changed after they were recorded."""
    position = first_changed(recorder.chained_events(aggregate_id))
    if position is None:
        return
    if (parted := recorder.parted(position)) is not None:
        # Links deleted from the chain table, not the events changed (or nothing after them tells): the chain's rows
        # to put back, not the events to restore from a backup (an audit probe was told so).
        (why, why_zh), (en, zh) = parted_said(parted)
        raise Tampered(f"the ledger decides nothing on {what} for now: {why}. Its events are checked against their"
                       f" links before anything is decided on it, and those links are not all there. {en}",
                       zh=f"台账暂不依据{what_zh}决定任何事项：{why_zh}。决定前须对照链接核对其事件，而这些链接并不"
                          f"齐全。{zh}", position=parted.first, record=str(aggregate_id))
    en, zh = record_advice(position)
    raise Tampered(f"the stored events of {what} were changed after they were recorded: the chain breaks at position"
                   f" {position}, so the ledger decides nothing on it. {en}",
                   zh=f"{what_zh}的存储事件在记录之后被改动：事件链在位置 {position} 断开，账本不会依据它决定任何"
                      f"事项。{zh}",
                   position=position, record=str(aggregate_id))
