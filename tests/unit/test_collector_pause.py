"""The sandbox's replays pause the cyclic garbage collector while they read (ledger/collector.py `paused`): it is
paused only while a replay runs, however replays nest or stop early, and cycles made meanwhile are still freed."""
from __future__ import annotations

import gc
import threading
import weakref

from ledger import collector
from ledger.collector import paused as collector_paused
from ledger.replay_fold import Folded
from ledger.sandbox.simulation import claim_events


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_paused_while_replays_run_and_resumed_after_the_last() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a second replay (the API runs simulations in threads)
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_replay_stopped_early_resumes_the_collector() -> None:
    events = claim_events(iter([None, None, None]), Folded())
    assert next(events, "end") == "end" and gc.isenabled()
    stopped = claim_events(iter([None] * 10), Folded())
    stopped.close()  # a replay that stops at its first step (SharedAccount): the generator is closed
    assert gc.isenabled()


def test_threads_pausing_together_leave_it_enabled() -> None:
    barrier = threading.Barrier(4)

    def run() -> None:
        with collector_paused():
            barrier.wait()
    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert gc.isenabled() and collector._paused[0] == 0


def test_cycles_made_during_a_long_replay_are_freed_by_its_own_passes(monkeypatch) -> None:
    """One full pass every COLLECT_EVERY events: a cycle dropped early in the stream is gone before it ends."""
    monkeypatch.setattr(collector, "COLLECT_EVERY", 5)
    node = _Node()
    gone = weakref.ref(node)
    folded = Folded()
    seen = []

    class Event:  # an event of no aggregate the fold keeps: passed over
        originator_id = "x"

    def stream():
        nonlocal node
        yield Event()
        node = None  # the cycle is garbage now; reference counting cannot free it
        for _ in range(10):
            yield Event()
            seen.append(gone() is None)

    assert list(claim_events(stream(), folded)) == [] and folded.read == 11
    assert seen[-1] and not all(seen) and gc.isenabled()
