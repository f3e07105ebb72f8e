"""Keeps the audit chain at the head of the log while the service runs: a link for each event soon after
it is recorded, so `GET /v1/audit/digest` is cheap and a saved digest always has a chain to be checked
against. Extending is idempotent and safe from several processes (see `AuditChain.extend`)."""
from __future__ import annotations

import logging

from projections.audit_chain import AuditChain
from projections.background import Background

log = logging.getLogger("projections.audit")


class ChainKeeper(Background):
    name = "audit-chain"

    def __init__(self, chain: AuditChain, *, interval: float = 1.0) -> None:
        super().__init__()
        self.chain = chain
        self.interval = interval

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                self.chain.extend()
            except Exception:
                # The store may be restarting; the next round extends from the chain's own head.
                log.exception("audit chain: extending failed; trying again shortly")
            self._pause(self.interval)
