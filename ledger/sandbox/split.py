"""The two replays of a simulation on two cores: the baseline in this process, the draft in a second one.

In one process the two replays share the GIL, so a simulation of a large log uses one core while the machine
has two. Each column of the answer is a sum over one replay's rows, keyed by what both replays see alike
(the claim's programme, lead bureau, award year and organisation, and its status as the events decided it),
so the two replays can run apart, each reading the log itself, and their sums be put side by side at the end.
The organisations' sums travel from the second process in chunks and are matched against this process's
one organisation at a time, so memory stays flat here too.

What is the same as `simulate` (ledger/sandbox/simulation.py): the one replay, the one rules pipeline, the
decisions as they were. What differs: no twin (each replay runs the rules on every claim), so this is for
large logs on a machine with a second core; `tests/store/test_simulate_split.py` holds its answer equal to
the single-process one for every draft of the twin test, on both stores.
"""
from __future__ import annotations

import heapq
import marshal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

from ledger import beijing
from ledger.catalogue.model import Catalogue
from ledger.replay import Replay, Replayed
from ledger.replay_fold import Folded
from ledger.sandbox.child import received, serve, spawned
from ledger.sandbox.simulation import TOP, Simulation, claim_events, counted_as
from ledger.sandbox.totals import ZERO, Tally, Totals
from ledger.spill import HOT, Codec, ColdStore, Spilled


def _load_sum(data: bytes) -> tuple[Decimal, int]:
    amount, claims = marshal.loads(data)
    return Decimal(amount), claims


# An organisation's sum and count in the cold file (ledger/spill.py): its amount as text, through marshal.
SUMS = Codec(lambda v: marshal.dumps((str(v[0]), v[1])), _load_sum)
CHUNK = 5_000  # organisations' sums a message from the second process
Sums = dict[Any, list]  # key -> [amount, claims]


@dataclass
class Half:
    """One replay's column: its sums by programme, bureau, year, fund year and organisation, and its rows for
    the organisation asked about."""

    all: list = field(default_factory=lambda: [ZERO, 0])
    programmes: Sums = field(default_factory=dict)
    bureaus: Sums = field(default_factory=dict)
    years: Sums = field(default_factory=dict)
    fund: Sums = field(default_factory=dict)
    rows: list[Replayed] = field(default_factory=list)
    events: int = 0
    appropriated: dict[int, Decimal] = field(default_factory=dict)
    spilled: int = 0


def replay_half(events: Iterable[Any], catalogue_on: Callable[[date], Catalogue], baseline: Catalogue,
                draft: Catalogue, *, side: str, uscc: str | None, cold: ColdStore | None,
                hot: int) -> tuple[Half, Any]:
    """One replay of the stream (`side`: "baseline" under `catalogue_on`, "draft" under `draft`), summed as the
    single-process simulation sums it. Returns the column and the organisations' sums (a mapping)."""
    folded = Folded(cold, hot)
    replay = Replay(catalogue_on if side == "baseline" else (lambda _day: draft), approved_share=True,
                    folded=folded, compact=True, cold=cold, hot=hot)
    half = Half()
    organisations: Any = Spilled(cold, hot, SUMS) if cold is not None else {}

    def add(row: Replayed) -> None:
        bureau, charged, claims = counted_as(baseline, draft, row)
        amount = row.comes_to
        for sums, key in ((half.programmes, row.programme), (half.bureaus, bureau), (half.years, row.award_year)):
            _add(sums, key, amount, claims)
        half.all[0] += amount
        half.all[1] += claims
        if charged:
            _add(half.fund, row.award_year, amount, claims)
        mine = organisations.get(row.uscc) or (ZERO, 0)
        organisations[row.uscc] = (mine[0] + amount, mine[1] + claims)
        if uscc and row.uscc == uscc:
            half.rows.append(row)

    for cid, name, event in claim_events(events, folded):
        row = replay.decide(cid, name, event)
        if row is not None:
            add(row)
    for row in replay.finish():
        add(row)
    half.events = folded.read
    half.appropriated = {a.year: a.appropriated for a in folded.fund_years()}
    half.spilled = sum(m.spilled for m in (folded.organisations, organisations, replay.accounts,
                                           replay.approved_years) if isinstance(m, Spilled))
    return half, organisations


def _add(sums: Sums, key: Any, amount: Decimal, claims: int) -> None:
    found = sums.get(key)
    if found is None:
        sums[key] = [amount, claims]
    else:
        found[0] += amount
        found[1] += claims


# ---------------------------------------------------------------------------------- the second process

def _draft_side(url: str, head: int, draft: Catalogue, uscc: str | None, hot: int | None, *,
                send: Callable[[str, Any], None]) -> None:
    """The second process (ledger/sandbox/child.py): the draft's replay of the log at `url`; its column, then its
    organisations' sums in chunks, then "done"."""
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from projections.replay_log import wanted_events

    app = AwardLedger(store_env(url))
    try:
        with ColdStore() if hot is not None else _nothing() as cold:
            half, organisations = replay_half(wanted_events(app, head=head), app.catalogue_on,
                                              app.catalogue_on(beijing.today()), draft, side="draft", uscc=uscc,
                                              cold=cold, hot=hot or HOT)
            send("half", half)
            chunk = []
            for item in organisations.items():
                chunk.append(item)
                if len(chunk) == CHUNK:
                    send("organisations", chunk)
                    chunk = []
            send("organisations", chunk)
            send("done", None)
    finally:
        app.close()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def simulate_split(app: Any, url: str, draft: Catalogue, events: Iterable[Any], *, head: int,
                   uscc: str | None = None, top: int = TOP, hot: int | None = HOT) -> Simulation:
    """`simulate` over the log at `url` up to `head` (the application `app`'s; `events`: its wanted events up to
    `head`, read here for the baseline) with the draft's replay in a second process reading the same.

    The second process is `python -m ledger.sandbox.split` (ledger/sandbox/child.py)."""
    baseline = app.catalogue_on(beijing.today())
    with (spawned("ledger.sandbox.split", (url, head, draft, uscc, hot)) as child,
          ColdStore() if hot is not None else _nothing() as cold):
        base, organisations = replay_half(events, app.catalogue_on, baseline, draft, side="baseline",
                                          uscc=uscc, cold=cold, hot=hot or HOT)
        messages = _messages(child.receive)
        kind, other = next(messages)
        if kind != "half":
            raise RuntimeError(f"the draft's replay sent {kind!r} first")
        result = _merge(base, other, baseline, draft, uscc, top)
        result.gaining, result.losing = _extremes(organisations, messages, top)
        result.spilled = base.spilled + other.spilled
        child.finish()
    return result


def _messages(receive: BinaryIO) -> Iterator[tuple[str, Any]]:
    while (message := received(receive, "the draft's replay"))[0] != "done":
        yield message


def _merge(base: Half, other: Half, baseline: Catalogue, draft: Catalogue, uscc: str | None,
           top: int) -> Simulation:
    if base.events != other.events or base.all[1] != other.all[1] or len(base.rows) != len(other.rows):
        raise RuntimeError("the two replays did not decide the same claims: a defect, please report it")
    totals = Totals()
    totals.all = Tally(base.all[0], other.all[0], base.all[1])
    for name in ("programmes", "bureaus", "years", "fund"):
        mine, theirs, into = getattr(base, name), getattr(other, name), getattr(totals, name)
        for key in theirs.keys() - mine.keys():  # a key only the draft's rows have carries nothing
            if theirs[key][0] != 0:
                raise RuntimeError(f"the draft's replay sums {theirs[key][0]} under {name} {key!r} that the"
                                   " baseline's does not have")
        for key, (amount, claims) in mine.items():
            into[key] = Tally(amount, theirs.get(key, [ZERO, 0])[0], claims)
    result = Simulation(baseline, draft, totals, base.appropriated, uscc, top=top)
    result.events = base.events
    result.claims = list(zip(base.rows, other.rows, strict=True))
    return result


def _extremes(organisations: Any, messages: Iterator[tuple[str, Any]], top: int) -> tuple[list[dict], list[dict]]:
    """The organisations that gain and lose most: the draft's sums, as they come, against the baseline's."""
    gaining: list = []  # heaps of the `top` so far: (key, uscc, tally), the smallest key out first
    losing: list = []
    for _, chunk in messages:
        for uscc, (simulated, _) in chunk:
            found = organisations.get(uscc)
            if found is None:
                if simulated != 0:
                    raise RuntimeError(f"the draft's replay pays {uscc} {simulated}, the baseline's has no claim")
                continue
            tally = Tally(found[0], simulated, found[1])
            delta = tally.delta
            if delta:
                heap, key = (gaining, (delta, _Desc(uscc))) if delta > 0 else (losing, (-delta, _Desc(uscc)))
                if len(heap) < top:
                    heapq.heappush(heap, (key, uscc, tally))
                elif top and key > heap[0][0]:
                    heapq.heapreplace(heap, (key, uscc, tally))

    def listed(heap: list) -> list[dict]:
        return [{"uscc": uscc, **tally.as_dict()} for _, uscc, tally in sorted(heap, reverse=True)]

    return listed(gaining), listed(losing)


class _Desc:
    """A USCC ordered backwards, so that among equal moves the heap keeps (and lists first) the smaller USCC, as
    Totals.extremes does."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __lt__(self, other: _Desc) -> bool:
        return self.text > other.text

    def __gt__(self, other: _Desc) -> bool:
        return self.text < other.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.text == other.text

    def __hash__(self) -> int:
        return hash(self.text)


if __name__ == "__main__":  # the second process (ledger/sandbox/child.py)
    # Through the module by its name, so what it pickles is named ledger.sandbox.split, not __main__.
    from ledger.sandbox import split

    serve(split._draft_side)
