"""Keeps the audit chain at the head of the log while the service runs: a link for each event soon after
it is recorded, so `GET /v1/audit/digest` is cheap and a saved digest always has a chain to be checked
against. Extending is idempotent and safe from several processes (see `AuditChain.extend`)."""
from __future__ import annotations

import logging
import threading

from projections.audit_chain import AuditChain

log = logging.getLogger("projections.audit")


class ChainKeeper:
    def __init__(self, chain: AuditChain, *, interval: float = 1.0) -> None:
        self.chain = chain
        self.interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="audit-chain", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.chain.extend()
            except Exception:
                # The store may be restarting; the next round extends from the chain's own head.
                log.exception("audit chain: extending failed; trying again shortly")
            self._wake.wait(self.interval)
            self._wake.clear()
