"""Token rotation without a restart: LEDGER_AUTH_FILE is read again when it changes on disk.

Checked at most once a second, on the next request; a file that no longer validates (half-written, a typo)
is logged and ignored, so the principals in force stay in force until a valid file replaces it."""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from starlette.types import ASGIApp

from api import auth

log = logging.getLogger("award_ledger.api")
CHECK_SECONDS = 1.0


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    # The inode too: editors and `mv new old` replace the file rather than write it in place.
    return found.st_mtime_ns, found.st_size, found.st_ino


class ReloadPrincipals:
    """Before a request (api/front.py asks once CHECK_SECONDS have passed), swap in `app.state.principals` anew
    if the file changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp, self.checked = _stamp(path), time.monotonic()
        self.lock = threading.Lock()

    def refresh(self, app: ASGIApp) -> None:
        with self.lock:
            self.checked = time.monotonic()
            stamp = _stamp(self.path)
            if stamp is None or stamp == self.stamp:
                return
            try:
                principals = auth.load(self.path)
            except auth.AuthFileError as err:
                log.error("%s; the principals loaded before stay in force until it is fixed", err)
                return
            finally:
                self.stamp = stamp  # a bad version is reported once, not on every request
            app.state.principals = principals  # type: ignore[attr-defined]
            log.info("LEDGER_AUTH_FILE %s changed: its principals are in force from this request on", self.path)
