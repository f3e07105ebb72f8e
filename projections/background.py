"""A loop in a background thread that can be woken early and stopped: what the projector is."""
from __future__ import annotations

import threading


class Background:
    name = "background"

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        """Run `run_forever` in a daemon thread until `stop()`."""
        self._stop.clear()
        self._thread = threading.Thread(target=self.run_forever, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Look now rather than at the next interval."""
        self._wake.set()

    def _pause(self, seconds: float) -> None:
        """Sleep until the interval passes, `wake()` or `stop()`."""
        self._wake.wait(seconds)
        self._wake.clear()
