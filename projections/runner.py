"""The projector: keeps the read models following the ledger's notification log, in-process for
`award-ledger serve` (start/stop) or as its own process for `award-ledger project` (run_forever).

On PostgreSQL it catches up in pages, then listens to the log's channel (LISTEN/NOTIFY) and, woken, folds
the log up to its head, a page per transaction with the tracking record (`_subscribe`). SQLite's recorder
cannot notify, so there the projector polls the log, and `wake()` makes it look at once."""
from __future__ import annotations

import logging
import threading
from contextlib import suppress
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from ledger.store import is_postgres, postgres_conninfo
from projections import fold
from projections.background import Background
from projections.consistency import check
from projections.rebuild import PAGE, Unlinked, catch_up, decoder, linked_part, rebuild
from projections.view import FAILING, Rewound, open_ledger, open_view

log = logging.getLogger("projections")

__all__ = ["Projector", "check", "rebuild"]
TICK = 0.25  # seconds the PostgreSQL follower waits for a notification before it looks at the log's head anyway
RETRY_FIRST, RETRY_MOST = 1.0, 30.0  # seconds before trying again after a failure: doubling up to the most
# ...but a store that does not answer is asked again at least this often: back, it was left unasked for up to 30 s,
# the read models stale and /readyz failing well after the database was healthy (an ops probe).
RETRY_AWAY_MOST = 5.0


class Projector(Background):
    name = "projector"

    def __init__(self, url: str, *, app: Any = None, poll_interval: float = 0.25, page: int = PAGE,
                 announce: bool = False) -> None:
        super().__init__()
        self.url = url
        self.announce = announce  # tell other processes' waiting commands each position applied (PostgreSQL)
        self.app = app  # the API's own AwardLedger, to read the log through; one is opened if None
        self.poll_interval = poll_interval
        self.page = page
        # The highest position this projector has seen applied; commands in the same process wait on it
        # instead of polling the read models' tracking table.
        self._applied = threading.Condition()
        self._reached = 0
        self._view: Any = None
        self._app: Any = None  # the ledger the log is read through, once `run_forever` has opened it
        self._folding = threading.Lock()  # one command thread folds at a time; the others find it done
        self._failing = False  # an event could not be applied; recorded in rm_meta until one is
        self._retry = RETRY_FIRST

    def wait(self, position: int | None, timeout: float) -> bool:
        """Block until this projector has applied `position` (True), or until `timeout` (False)."""
        if position is None:
            return True
        with self._applied:
            return self._applied.wait_for(lambda: self._reached >= position, timeout)

    def fold_own(self, position: int, timeout: float) -> bool:
        """Apply the log up to `position` in the calling thread (a command about to answer, which must read
        its own write) unless this process already has; True once the read models hold it.

        Waiting for the projector thread instead meant a hand-off through LISTEN/NOTIFY, the subscription's
        thread and the runner's queue before the fold even began (bench/RESULTS.md, issue 17). Exactly once
        still: `view.apply` locks the tracked position and skips what is at or below it, whoever applied it.
        While one thread folds (everything committed so far, a page per transaction), the others wait for
        the lock and then usually find their own events applied by it. A failure here is not the command's:
        it is logged, the projector thread meets it too and records it, and the caller waits as before."""
        if self._reached >= position:
            return True
        if self._view is None or self._failing or not self._folding.acquire(timeout=max(timeout, 0)):
            return self._reached >= position
        try:
            self._fold_upto(position)
        except Exception as error:
            log.warning("projector: a command could not apply its own events (%s: %s); waiting for the"
                        " projector instead", type(error).__name__, str(error).strip()[:300])
        finally:
            self._folding.release()
        return self._reached >= position

    def fold_through(self, position: int) -> None:
        """What the projector thread does with each event the log's subscription hands it: the same fold as
        the commands', under the same lock, so an event a command has folded is passed over without a query."""
        with self._folding:
            self._fold_upto(position)

    def _fold_upto(self, position: int) -> None:
        view, app = self._view, self._app
        read, folded = decoder(app), fold.folded()
        start = self._reached + 1
        while start <= position and not self._stop.is_set():
            page = app.recorder.select_notifications(start=start, limit=self.page)
            if not page:
                break
            page, bad = linked_part(app, page)
            if not page:
                raise Unlinked(bad)  # type: ignore[arg-type]
            try:
                applied = view.apply(read(page, only=folded), seen=self._reached)
            except Rewound:  # the read models were reset under this process: follow again from where they are
                self._rewind(view.position())
                start = self._reached + 1
                continue
            if applied:
                self._advance(page[-1].id)
            else:  # another follower had applied all of it, perhaps more: go on from where it got to
                self._advance(view.position())
            if bad is not None:
                raise Unlinked(bad)
            start = self._reached + 1

    def _advance(self, position: int) -> None:
        if self._failing:
            self._recovered()
        with self._applied:
            if position > self._reached:
                self._reached = position
                self._applied.notify_all()

    def _rewind(self, position: int) -> None:
        # A rebuild reset the read models under this projector: what it had reached no longer stands.
        with self._applied:
            self._reached = position

    def run_forever(self) -> None:
        """Follow the log in this thread until `stop()` (or Ctrl-C)."""
        opened = self._open()
        if opened is None:  # stopped before the store ever answered
            return
        app, view = opened
        try:
            if is_postgres(self.url):
                self._subscribe(view, app)
            else:
                self._poll(view, app)
        finally:
            view.close()
            if self.app is None:
                app.close()

    def _open(self) -> tuple[Any, Any] | None:
        """The ledger the log is read through and the read models' view, opened once the store answers: a
        store that is away when the projector starts is tried again with the same backoff as a failed fold,
        rather than ending the thread (commands would then wait for a fold that never comes)."""
        while not self._stop.is_set():
            app = view = None
            try:
                app = self.app or open_ledger(self.url)
                view = open_view(self.url)
                self._rewind(view.position())
            except Exception as error:
                for opened in (view, None if self.app is not None else app):
                    if opened is not None:
                        with suppress(Exception):
                            opened.close()
                log.error("projector: the store does not answer at start (%s: %s); trying again in %.0f s",
                          type(error).__name__, str(error).strip()[:300], self._retry)
                self._stop.wait(self._retry)
                self._retry = min(self._retry * 2, RETRY_AWAY_MOST)
                continue
            self._retry = RETRY_FIRST
            view.announce = self.announce
            self._app, self._view = app, view
            return app, view
        return None

    def _poll(self, view: Any, app: Any) -> None:
        while not self._stop.is_set():
            try:
                applied = catch_up(view, app, size=self.page, stop=self._stop, on_page=self._on_page, linked=True)
            except Exception as error:
                self._failed(view, app, error)
                continue
            if not applied:
                self._pause(self.poll_interval)

    def _on_page(self, done: int, last: int) -> None:
        self._advance(last)

    def _failed(self, view: Any, app: Any, error: Exception) -> None:
        """Never fail silently: find the first event that cannot be applied, applying the page one event at
        a time, record it and its error where /readyz and /metrics read them, then wait, longer each time
        (a database that is down is not hammered), before trying again."""
        log.error("projector: applying events failed (%s: %s); trying again in %.0f s", type(error).__name__,
                  str(error).strip()[:300], self._retry)
        away = False
        try:
            for _ in range(self.page):
                page = app.recorder.select_notifications(start=view.position() + 1, limit=1)
                if not page:
                    break
                try:
                    if linked_part(app, page)[1] is not None:
                        raise Unlinked(page[0].id)
                    view.apply(decoder(app)(page, only=fold.folded()))
                except Exception as single:
                    self._failing = True
                    log.error("projector: event %s cannot be applied: %s", page[0].id, single)
                    view.record_failure(page[0].id, f"{type(single).__name__}: {str(single).strip()}")
                    break
                self._advance(page[0].id)
        except Exception:  # the store itself is away: nothing to record it in; the log line above says so
            log.warning("projector: the store does not answer; it is tried again with backoff")
            away = True
        self._stop.wait(self._retry)
        self._retry = min(self._retry * 2, RETRY_AWAY_MOST if away else RETRY_MOST)

    def _recovered(self) -> None:
        self._failing, self._retry = False, RETRY_FIRST
        try:
            self._view.clear_meta(FAILING)
            log.info("projector: applying events again")
        except Exception:
            self._failing = True  # said again with the next event applied
    def _subscribe(self, view: Any, app: Any) -> None:
        """Follow the log by LISTEN/NOTIFY: each save notifies the events table's channel, and a notification
        (or a quarter of a second without one) makes this thread fold the log up to its head, under the same
        lock as the commands folding their own events.

        Our own loop rather than eventsourcing's ProjectionRunner: its subscription read and decoded every
        event into a domain event in a thread of its own and handed it over through a queue, only for the fold
        to find it applied already (a command had folded it) or to read it again in its own pages; that was
        about a twentieth of the server's CPU per claim (bench/RESULTS.md, issue 17, fourth pass). Here a
        wake-up costs one query for the head, and folding reads each event once."""
        while not self._stop.is_set():
            try:
                self._rewind(view.position())
                catch_up(view, app, size=self.page, stop=self._stop, on_page=self._on_page,  # a backlog, in pages
                         linked=True)
                with psycopg.connect(postgres_conninfo(self.url), autocommit=True) as conn:
                    conn.execute(SQL("LISTEN {}").format(Identifier(app.recorder.channel_name)))
                    while not self._stop.is_set():
                        # First: what was committed before LISTEN was in place. The head is asked on this
                        # connection, in one round trip (a read transaction took four).
                        head = conn.execute(view.max_notification_statement).fetchone()[0] or 0
                        if head > self._reached:
                            self.fold_through(head)
                        # One wake-up takes every notification that has arrived (a burst of saves is one
                        # fold). With a timeout, psycopg may keep a notification read off the socket until the
                        # next one: the fold to the head after each timeout covers it.
                        for _ in conn.notifies(timeout=TICK, stop_after=1):
                            pass
            except Rewound as reset:
                self._rewind(0)
                log.info("projector: %s; following again from there", reset)
            except Exception as error:
                self._failed(view, app, error)
