"""A simulation on two cores by organisations: each process runs both replays (the baseline and its twin, as in
one process) for half of the organisations, where the two halves cannot meet.

Two organisations' claims meet only on an account both draw on. Where every account a claim draws on is its own
organisation's alone (an enterprise's yearly or term cap, its ladders, once-only slots and subjects: the
`organisation` of its account keys, ledger/rules/accounts.py), the replay of some organisations' claims apart
gives each of them the row the whole replay gives it, and every sum of the answer is a sum over organisations.
So each half is summed apart and the sums are added; each organisation is in one half, so the gaining and
losing lists are the two halves' lists cut again.

Whether that holds is known only once the claims are planned, so each half replays `alone`
(ledger/replay.py): the first claim that draws on an account other organisations may share (a pool, the fund, a
project, a body, a certification, a rank) stops it with `SharedAccount`, and `simulate_halves` answers None: the
caller replays the log the other way (ledger/sandbox/split.py). A district whose claims share accounts finds
out at its first such claim, usually early in the log.

Against split.py (the draft's replay in the second process): here the twin still runs the rules only where the
draft can change the answer, so the two cores share one process's work rather than each doing a full replay.
`tests/store/test_simulate_shards.py` holds the answers equal to two plain replays' in one process.
"""
from __future__ import annotations

import select
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import Notification

from ledger.catalogue.model import Catalogue
from ledger.replay import SharedAccount
from ledger.replay_fold import organisation_number
from ledger.sandbox.child import received, serve, spawned
from ledger.sandbox.simulation import TOP, Simulation, simulate
from ledger.spill import HOT

HALVES = 2
LOOK = 4_096  # events between two looks at whether the other half has stopped


def half_of(events: Iterable[Any], half: int, halves: int = HALVES, *, left: list[int]) -> Iterator[Any]:
    """The stream with only the organisations of `half` (by their aggregate id): their own events and their
    claims' submissions and proposals. A later event of another organisation's claim is passed on: the replays
    know no such claim and pass it over. Fund years and anything else are passed on. `left[0]` counts the
    events left out, `None` included: an event `wanted_in` turned down before it was decoded."""
    kinds: dict[type, str] = {}
    for event in events:
        if event is None:
            left[0] += 1
            continue
        cls = type(event)
        kind = kinds.get(cls)
        if kind is None:
            kind = kinds[cls] = cls.__qualname__
        if kind.startswith("Organisation."):
            if event.originator_id.int % halves != half:
                left[0] += 1
                continue
        elif kind in ("Claim.Submitted", "Claim.Proposed") and organisation_number(event.uscc) % halves != half:
            left[0] += 1
            continue
        yield event


USCC = b'"uscc":"'


def wanted_in(half: int, halves: int = HALVES) -> Callable[[Notification], bool]:
    """Whether `half_of(half)` may keep a stored event, told before it is decoded (decoding was a sixth of each
    process's time, and the other half's submissions, 2 KB of JSON each, and organisation events about two fifths
    of that): an organisation's event by its id, a submission or proposal by the USCC in its stored JSON. True
    wherever the stored event does not tell for sure; `half_of` decides those after decoding.

    The USCC is read from the JSON text: inside a JSON string every quote is escaped, so each `"uscc":"`
    in the text is a key "uscc" with a text value at some depth (the booked explanation repeats it in its
    facts). When every such value is the same USCC, the event's own (top-level) one is that USCC."""
    kinds: dict[str, str] = {}

    def keep(n: Notification) -> bool:
        kind = kinds.get(n.topic)
        if kind is None:
            name = n.topic.rpartition(":")[2]
            kind = kinds[n.topic] = ("organisation" if name.startswith("Organisation.") else
                                     "submission" if name in ("Claim.Submitted", "Claim.Proposed") else "other")
        if kind == "organisation":
            oid = n.originator_id
            return (oid if type(oid) is UUID else UUID(str(oid))).int % halves == half
        if kind == "submission":
            state = n.state if type(n.state) is bytes else bytes(n.state)
            at = state.find(USCC)
            end = state.find(b'"', at + len(USCC))
            if at < 0 or end < 0:
                return True
            uscc = state[at + len(USCC):end + 1]  # with its closing quote
            at = state.find(USCC, end)
            while at >= 0:  # every other "uscc" names the same one (one pass over the text)
                if not state.startswith(uscc, at + len(USCC)):
                    return True
                at = state.find(USCC, at + len(USCC) + len(uscc))
            if b"\\" in uscc:
                return True
            return organisation_number(uscc[:-1].decode("utf-8")) % halves == half
        return True

    return keep


def simulate_half(events: Iterable[Any], catalogue_on: Any, draft: Catalogue, half: int, *, uscc: str | None,
                  top: int, hot: int | None) -> Simulation:
    """Both replays of one half's organisations (raises SharedAccount where the halves could meet)."""
    left = [0]
    result = simulate(half_of(events, half, left=left), catalogue_on, draft, uscc=uscc, top=top, hot=hot, alone=True)
    result.events += left[0]  # every event read counts, as in one process
    return result


def merge(mine: Simulation, other: Simulation, top: int) -> Simulation:
    """The two halves' answers as one: sums added, the organisation's rows from the half that holds it, the
    gaining and losing lists cut again (each organisation is in one half)."""
    if mine.events != other.events:
        raise RuntimeError("the two halves did not read the same log: a defect, please report it")
    totals, theirs = mine.totals, other.totals
    totals.all.add(theirs.all.baseline, theirs.all.simulated, theirs.all.claims)
    for name in ("programmes", "bureaus", "years", "fund"):
        into = getattr(totals, name)
        for key, tally in getattr(theirs, name).items():
            into[key].add(tally.baseline, tally.simulated, tally.claims)
    mine.claims += other.claims
    mine.gaining = _cut(mine.gaining + other.gaining, 1, top)
    mine.losing = _cut(mine.losing + other.losing, -1, top)
    mine.spilled += other.spilled
    return mine


def _cut(rows: list[dict], sign: int, top: int) -> list[dict]:
    # Totals.extremes' order: the biggest move first, then the smaller USCC.
    return sorted(rows, key=lambda r: (-sign * Decimal(r["delta"]), r["uscc"]))[:top]


# ---------------------------------------------------------------------------------- the second process

def _other_half(url: str, head: int, draft: Catalogue, uscc: str | None, top: int, hot: int | None, *,
                send: Callable[[str, Any], None]) -> None:
    """The second process (ledger/sandbox/child.py): half 1 of the log at `url` up to `head`; its answer, or
    "shared" (it met an account the halves may share)."""
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from projections.replay_log import wanted_events

    app = AwardLedger(store_env(url))
    try:
        result = simulate_half(wanted_events(app, head=head, keep=wanted_in(1)), app.catalogue_on, draft, 1,
                               uscc=uscc, top=top, hot=hot)
    except SharedAccount as shared:
        send("shared", str(shared))
        return
    finally:
        app.close()
    result.baseline = result.draft = None  # type: ignore[assignment]  (the parent has both)
    send("half", result)


def simulate_halves(app: Any, url: str, draft: Catalogue, events: Iterable[Any], *, head: int,
                    uscc: str | None = None, top: int = TOP, hot: int | None = HOT) -> Simulation | None:
    """`simulate` over the log at `url` up to `head` (`events`: the application's wanted events up to `head`),
    half the organisations here and half in a second process reading the log itself; None, as soon as either
    half meets an account the halves may share (then nothing of this run is kept)."""
    with spawned("ledger.sandbox.shards", (url, head, draft, uscc, top, hot)) as child:
        other = _Other(child.receive)
        try:
            mine = simulate_half(other.watching(events), app.catalogue_on, draft, 0, uscc=uscc, top=top, hot=hot)
        except SharedAccount:
            return None  # the other half, still replaying, is stopped
        kind, body = other.answer or _message(child.receive)
        if kind == "shared":
            return None
        child.finish()
    return merge(mine, body, top)


class _Other:
    """The second half as this one goes: its one message, read as soon as it is sent."""

    def __init__(self, receive: BinaryIO) -> None:
        self.receive = receive
        self.answer: tuple[str, Any] | None = None

    def watching(self, events: Iterable[Any]) -> Iterator[Any]:
        """The events, stopping with SharedAccount as soon as the second half says it met a shared account (its
        answer, if it ends first, is kept for later)."""
        for n, event in enumerate(events):
            if self.answer is None and n % LOOK == 0 and select.select([self.receive], [], [], 0)[0]:
                self.answer = _message(self.receive)
                if self.answer[0] == "shared":
                    raise SharedAccount(self.answer[1])
            yield event


def _message(receive: BinaryIO) -> tuple[str, Any]:
    kind, body = received(receive, "the second half")
    if kind not in ("half", "shared"):
        raise RuntimeError(f"the second half sent {kind!r}")
    return kind, body


if __name__ == "__main__":  # the second process (ledger/sandbox/child.py)
    # Through the module by its name, so what it pickles is named ledger.sandbox.shards, not __main__.
    from ledger.sandbox import shards

    serve(shards._other_half)
