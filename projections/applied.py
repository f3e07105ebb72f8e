"""How an API worker learns, without polling, that the read models have moved: the projector announces each
tracked position it commits (`pg_notify` in the same transaction, so it is heard only once committed), and one
thread per worker listens and wakes the commands waiting to read their own writes.

Why: with several workers and `award-ledger project`, each waiting command asked the tracking table every
5–50 ms; 16 of them at once cost the server and PostgreSQL more CPU than the claim itself on two busy cores
(bench/RESULTS.md, issue 17). PostgreSQL only: SQLite's projector polls, and so do its waiters."""
from __future__ import annotations

import contextlib
import logging
import threading

import psycopg

from ledger.store import postgres_conninfo
from projections.background import Background

log = logging.getLogger("projections")
CHANNEL = "rm_applied"  # payload: the tracked position just committed
MAX_RETRY = 8.0  # seconds between tries once the database has been away a while
RETRY = 1.0  # seconds before listening again after the connection failed


class AppliedListener(Background):
    name = "rm-applied-listener"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._applied = threading.Condition()
        self._reached = 0
        self.listening = threading.Event()  # set while LISTEN is in place

    def wait(self, position: int, timeout: float) -> bool:
        """Block until a committed tracked position at or past `position` was announced (True), or `timeout`."""
        with self._applied:
            return self._applied.wait_for(lambda: self._reached >= position, timeout)

    def heard(self, position: int) -> None:
        with self._applied:
            if position > self._reached:
                self._reached = position
                self._applied.notify_all()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening: the loop waits for a notification, so send it one (a database that is down has
        dropped the connection already, and the loop is waiting to retry)."""
        self._stop.set()
        with contextlib.suppress(Exception), psycopg.connect(postgres_conninfo(self.url), autocommit=True,
                                                             connect_timeout=2) as conn:
            conn.execute("SELECT pg_notify(%s, '0')", (CHANNEL,))
        super().stop(timeout)

    def run_forever(self) -> None:
        wait, failures = RETRY, 0
        while not self._stop.is_set():
            try:
                with psycopg.connect(postgres_conninfo(self.url), autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    if failures:
                        log.warning("read models: listening for applied positions again, after %d failed tries",
                                    failures)
                    wait, failures = RETRY, 0
                    # No timeout: with one, psycopg 3.3 can leave a notification read off the socket at the
                    # timeout in libpq's queue until the next one arrives (seen: a position heard only with
                    # the next). `stop()` wakes this loop with a notification of its own instead.
                    for note in conn.notifies():
                        if self._stop.is_set():
                            break
                        self.heard(int(note.payload))
            except Exception as error:  # the waiters still look at the tracking table once a period meanwhile
                failures += 1
                if failures == 1 or failures & (failures - 1) == 0:  # the 1st, 2nd, 4th, 8th... try: not every second
                    log.warning("read models: listening for applied positions failed (%s, %d tries so far); again in"
                                " %.0f s", str(error).strip()[:200], failures, wait)
                self._stop.wait(wait)
                wait = min(wait * 2, MAX_RETRY)  # backing off: a database away for a minute logged 110 lines
            finally:
                self.listening.clear()
