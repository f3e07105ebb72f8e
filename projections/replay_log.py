"""The log as the replays read it (the policy sandbox, `recheck`), fast: only the events they take, the next
pages read by a second thread while this one is replayed, each event decoded straight from its stored JSON.

The plain path, `ledger.replay.stored_events`, reads every event and decodes the wanted ones through the
application's mapper. This one gives the same domain events in the same order (tests/sandbox holds the two
answers equal) at a fraction of the cost:

- the store does the picking: `select_notifications(topics=...)` returns only the wanted topics, so the cap
  accounts' bookkeeping (a third of a district's events) never leaves the database;
- `Decoder.event` (projections/decoding.py) reads the state with orjson and decodes only the marked values,
  falling back to the mapper for anything it cannot vouch for;
- a reader thread fetches windows n+1 and n+2 while the caller replays window n (the database and the socket
  release the GIL), so memory holds three windows, never the log.
"""
from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from eventsourcing.persistence import Notification

from ledger.replay import wanted_topics
from ledger.sandbox.simulation import TOP, Simulation, simulate_ledger
from ledger.spill import HOT
from projections.rebuild import decoder

WINDOW = 4_000  # notification ids a read covers: about 2,000 wanted events of a district's log
AHEAD = 2  # windows read ahead of the one being replayed (memory holds AHEAD + 1 windows, never the log)
OnPage = Callable[[int, int], None]  # (notification id reached, the log's head when the read began)


def wanted_events(app: Any, *, on_page: OnPage | None = None, size: int = WINDOW,
                  head: int | None = None, keep: Callable[[Notification], bool] | None = None) -> Iterator[Any]:
    """The replays' domain events, in recorded order, up to `head` (by default the log's head when the read
    begins). `keep`: a look at the stored event before it is decoded; one it turns down is passed on as `None`
    (half of the organisations in each process, ledger/sandbox/shards.py)."""
    read = decoder(app).event
    head = (app.recorder.max_notification_id() or 0) if head is None else head
    for reached, page in windows_ahead(app, wanted_topics(), head, size=size):
        if keep is None:
            for n in page:
                yield read(n)
        else:
            for n in page:
                yield read(n) if keep(n) else None
        if on_page is not None:
            on_page(reached, head)


def windows_ahead(app: Any, topics: list[str], head: int, *,
                  size: int = WINDOW) -> Iterator[tuple[int, Sequence[Notification]]]:
    """The notifications of these topics up to `head`, a window of `size` notification ids at a time (with
    the last id of the window), each window fetched while the caller works on the one before it.

    Windows, not pages of `size` matches: asked for the next 2,000 matches with no upper bound, PostgreSQL may
    scan and sort the whole rest of the log for each page (seconds a page at 1.3 M events); a window of ids
    is at most `size` rows of the index, whatever the plan."""

    window = getattr(app.recorder, "select_window", None)  # PostgreSQL's leaner read (ledger/pg_recorder.py)

    def fetch(after: int) -> tuple[int, Sequence[Notification]]:
        last = min(after + size, head)
        if window is not None:
            return last, window(after, last, topics)
        return last, app.recorder.select_notifications(after + 1, size, stop=last, topics=topics)

    if head <= 0:
        return
    starts = iter(range(0, head, size))  # each window's `after`: the windows are known before any is read
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay-reader") as reader:
        # Two windows asked for ahead: the reader keeps going while the caller is busy with a dense window.
        ahead = deque(reader.submit(fetch, after) for after in itertools.islice(starts, AHEAD))
        while ahead:
            last, page = ahead.popleft().result()
            after = next(starts, None)
            if after is not None:
                ahead.append(reader.submit(fetch, after))
            yield last, page


SPLIT_FROM = 200_000  # events in the log from which a simulation given its database's URL runs on two cores


def simulate_log(app: Any, draft: Any, *, uscc: str | None = None, top: int = TOP,
                 on_page: OnPage | None = None, hot: int | None = HOT, url: str | None = None,
                 split: bool | None = None) -> Simulation:
    """The policy sandbox over the application's log, read the fast way (ledger/sandbox/simulation.py).

    `split`: two processes, which need the database's `url`; by default, when there is a second core and the log
    holds at least SPLIT_FROM events. Half the organisations in each (ledger/sandbox/shards.py) where no claim
    draws on an account other organisations' claims may share; otherwise, as soon as one does, the draft's
    replay in the second process (ledger/sandbox/split.py)."""
    head = app.recorder.max_notification_id() or 0
    if split is None:
        split = url is not None and (os.cpu_count() or 1) > 1 and head >= SPLIT_FROM
    if split:
        if url is None:
            raise ValueError("a split simulation reads the log in a second process: give the database's URL")
        from ledger.sandbox.shards import simulate_halves, wanted_in
        from ledger.sandbox.split import simulate_split

        events = wanted_events(app, on_page=on_page, head=head, keep=wanted_in(0))
        halves = simulate_halves(app, url, draft, events, head=head, uscc=uscc, top=top, hot=hot)
        if halves is not None:
            return halves
        events = wanted_events(app, on_page=on_page, head=head)  # read again, from the start
        return simulate_split(app, url, draft, events, head=head, uscc=uscc, top=top, hot=hot)
    return simulate_ledger(app, draft, uscc=uscc, top=top, events=wanted_events(app, on_page=on_page, head=head),
                           hot=hot)
