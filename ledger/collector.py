"""The cyclic garbage collector's settings for the two kinds of long work the service does: a replay reading the
whole log (`paused`, the policy sandbox; `fewer_collections`, a rebuild of the read models) and an app serving
requests (`quiet`, the API and the projector).

Both rest on one observation: the objects these keep alive for long (start-up's modules, schemas and routes; a
replay's mappings) hold next to no reference cycles, and the collector's full passes over them cost a fifth of
a replay's CPU and a tenth of a claim's. Reference counting frees everything else as before; cycles are still
collected. Each is undone when the last user of it ends (tests and the API run several in one process)."""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The replays make and drop millions of objects that hold no reference cycles (events, entries, tallies), while
# their mappings keep a few hundred thousand alive: the cyclic collector's full passes over those were a fifth of
# a replay's CPU at 100,000 organisations (29 passes, 6 s of 34), and finding nearly nothing (under a thousand
# objects in cycles in a whole run). So it is paused while a replay reads, with one full pass every COLLECT_EVERY
# events so that memory stays bounded whatever the log holds, and resumed when the last replay running ends
# (the API may run simulations in threads).
COLLECT_EVERY = 500_000
_pausing = threading.Lock()
_paused = [0, False]  # replays running with the collector paused; whether it was enabled before the first


@contextmanager
def paused() -> Iterator[None]:
    """While a replay reads: the collector off (see above)."""
    with _pausing:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _pausing:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()


_quieting = threading.Lock()
_quiet: list = [0, None]  # apps running with the collector quieted; the thresholds before the first


@contextmanager
def quiet() -> Iterator[None]:
    """While the app serves: what start-up made (modules, the catalogue, pydantic's schemas and validators, the
    routes) lives as long as the process, so it is moved out of the cyclic collector's sight (`gc.freeze`), and
    the youngest generation is collected every 20,000 allocations instead of 700, so a request's short-lived
    objects are mostly freed by reference counting before a pass looks at them. Cycles are still collected.
    POST /v1/claims, in turn with the collector as it was (bench/ab_trees.py): 3.39 -> 2.97 and 3.08 ms of
    server CPU a claim. Undone when the last app stops (tests start many in one process). No collection first:
    the little start-up leaves as garbage is frozen with it, where a full collection at every app's start cost a
    test run a third of its time."""
    with _quieting:
        if _quiet[0] == 0:
            _quiet[1] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(20_000, *_quiet[1][1:])
        _quiet[0] += 1
    try:
        yield
    finally:
        with _quieting:
            _quiet[0] -= 1
            if _quiet[0] == 0:
                gc.unfreeze()
                gc.set_threshold(*_quiet[1])


@contextmanager
def fewer_collections(first_generation: int = 20_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often meanwhile (process-wide): a replay makes and drops a
    few dicts per event, none in cycles, and the default (a collection every 700 allocations) cost about
    a tenth of its time. Collections still run, so memory stays flat."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(first_generation, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
