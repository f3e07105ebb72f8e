"""The audit page's verification of the whole chain, run in a thread of its own so that a page never waits
for the whole log.

A verification reads every event (about 40 s a million on this project's machines, bench/RESULTS.md, issue
18). The page starts one, or joins the one running, and waits `WAIT` seconds for it: a ledger of a few
tens of thousands of events is answered in that time, as before, with the verdict of a verification the view
itself started. Beyond that the page shows how far the verification has got, and the last verdict reached,
and reloads itself when, at the rate so far, this one should be done. A verdict that took longer than `WAIT`
to reach is shown again, with the time it was reached, for `REUSE` seconds, rather than a new verification
being started by every reload; a quick one is never reused, so a small ledger altered a moment ago is caught
at the next view.

One verification at a time per process, and it holds one of the process's long-query slots
(api/long_queries.py) while it runs: with none free, nothing is started and the page says so (503)."""
from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from api.long_queries import LongQueries
from ledger.domain.errors import LongQueriesBusy

log = logging.getLogger("api")

WAIT = 2.0  # seconds a page waits for its verification before it shows the progress instead
REUSE = 60.0  # seconds a verdict that took longer than WAIT is shown again rather than verified anew
RELOAD = 3  # seconds before the page reloads while a verification runs, until its rate is known
RELOAD_MOST = 10  # seconds at most between the page's reloads


@dataclass(eq=False)
class Run:
    """One verification of the chain: how far it has got and, once done, its verdict (or the error that
    stopped it)."""

    started: datetime
    checked: int = 0  # events checked so far
    verdict: dict | None = None
    error: BaseException | None = None
    busy: bool = False  # no long-query slot was free: it never ran
    finished: datetime | None = None
    took: float | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def progress(self, checked: int, position: int) -> None:
        self.checked = checked

    def reload_after(self, total: int) -> int:
        """Seconds until the page should look again: when, at the rate so far, the verdict should be there
        (from 1 to `RELOAD_MOST`), or `RELOAD` before any rate is known."""
        elapsed = (datetime.now(UTC) - self.started).total_seconds()
        if not self.checked or elapsed <= 0:
            return RELOAD
        remaining = max(total - self.checked, 0) / (self.checked / elapsed)
        return min(max(math.ceil(remaining + 0.5), 1), RELOAD_MOST)


class ChainVerifications:
    """The process's verifications of the chain, for the audit page."""

    def __init__(self, verify: Callable[..., dict], long_queries: LongQueries, *, wait: float = WAIT,
                 reuse: float = REUSE) -> None:
        self.verify = verify  # AuditChain.verify, given the application (its snapshots are checked too)
        self.long_queries = long_queries
        self.wait, self.reuse = wait, reuse
        self._lock = threading.Lock()
        self._running: Run | None = None
        self._last: Run | None = None  # the last verification that reached a verdict

    def view(self) -> tuple[Run, Run | None]:
        """(the verification this view shows, the last verdict reached before it). The first is done unless it
        is still running after `wait` seconds; its `busy` is set when no long-query slot was free."""
        with self._lock:
            run, last = self._running, self._last
            if run is None:
                if last is not None and self._reusable(last):
                    return last, None
                run = self._running = Run(started=datetime.now(UTC))
                threading.Thread(target=self._run, args=(run,), name="chain-verification", daemon=True).start()
        run.done.wait(self.wait)
        if run.done.is_set() and run.error is not None:
            raise run.error
        return run, (last if last is not run else None)

    def _reusable(self, last: Run) -> bool:
        assert last.finished is not None and last.took is not None
        age = (datetime.now(UTC) - last.finished).total_seconds()
        return last.took > self.wait and age < self.reuse

    def _run(self, run: Run) -> None:
        began = time.monotonic()
        try:
            with self.long_queries.slot():
                run.verdict = self.verify(progress=run.progress)
        except LongQueriesBusy:
            run.busy = True
        except BaseException as error:  # said on the page that waits for it, and in the log
            log.warning("audit page: the chain's verification failed: %s: %s", type(error).__name__, error)
            run.error = error
        finally:
            run.took, run.finished = time.monotonic() - began, datetime.now(UTC)
            with self._lock:
                self._running = None
                if run.verdict is not None:
                    self._last = run
            run.done.set()

