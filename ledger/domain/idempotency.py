"""The first answer to a command sent with an Idempotency-Key, saved in the same transaction as the
command's own events, so a retry (even after a restart) gets that answer and writes nothing."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate


class IdempotencyRecord(LedgerAggregate):
    @staticmethod
    def create_id(principal: str, key: str) -> UUID:
        return natural_id("idempotency", f"{principal}\x1f{key}")

    @event("Recorded")
    def __init__(self, principal: str, key: str, fingerprint: str, result: str,
                 covers: list[str] | None = None) -> None:
        self.principal = principal
        self.key = key
        self.fingerprint = fingerprint
        self.result = result
        # The command's own events, as "aggregate-id@version": the key an auditor finds each event under.
        self.covers = covers or []
