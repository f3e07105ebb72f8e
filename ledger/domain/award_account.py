"""A tally that claims draw on: a cap's usage, a ladder's rungs, a subject's awards, a one-time slot.

Pending claims reserve, approvals consume (possibly less), rejections, withdrawals and revocations
release. Every decision that reads an account writes to it, so two concurrent decisions on one tally
conflict and one of them retries."""
from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import event

from ledger.domain.ids import natural_id
from ledger.domain.moment import LedgerAggregate
from ledger.rules.facts import AccountState, Entry, decided_standing


class AwardAccount(LedgerAggregate):
    @staticmethod
    def create_id(key: str) -> UUID:
        return natural_id("account", key)

    @event("Opened")
    def __init__(self, key: str) -> None:
        self.key = key
        self.entries: dict[str, dict] = {}

    @event("Reserved")
    def reserve(self, claim_id: str, programme: str, amount: Decimal, gross: Decimal, tier: str | None,
                by: str, uscc: str | None = None) -> None:
        self.entries[claim_id] = {"programme": programme, "status": "pending", "amount": amount, "gross": gross,
                                  "tier": tier, "uscc": uscc}

    @event("Revised")
    def revise(self, claim_id: str, amount: Decimal, gross: Decimal, by: str) -> None:
        """A re-assessed claim (rule 12) reserves its new figure in its old place in the queue."""
        self.entries[claim_id].update(amount=amount, gross=gross)

    @event("Consumed")
    def consume(self, claim_id: str, amount: Decimal, by: str) -> None:
        entry = self.entries[claim_id]
        entry.update(status="approved", amount=amount, gross=decided_standing(entry["gross"], entry["amount"], amount))

    @event("Kept")
    def keep(self, claim_id: str, amount: Decimal, by: str) -> None:
        """A revoked award's paid part (contract: "what was not paid is released"): it still counts, as awarded,
        at that amount; its standing (what supersession compares) is no more than it."""
        entry = self.entries[claim_id]
        entry.update(status="approved", amount=amount, gross=min(entry["gross"], amount), kept=True)

    @event("Restored")
    def restore(self, claim_id: str, status: str, amount: Decimal, gross: Decimal, by: str) -> None:
        """A claim's entry put back as it stood before a command that is taken back (a repayment reversed: the
        revoked award keeps its paid part here again). The use case checks first that no other claim took what that
        command freed."""
        self.entries[claim_id].update(status=status, amount=amount, gross=gross)

    @event("Released")
    def release(self, claim_id: str, by: str, status: str = "rejected") -> None:
        # `status` says why (rejected, withdrawn, revoked); none of them counts as live (rules/facts.py LIVE).
        self.entries[claim_id].update(status=status)

    @event("Closed")
    def close(self, reason: str, by: str) -> None:
        """No claim may reserve on this account again (a revoked certification's slots): a claim deciding on it
        meanwhile conflicts with this event on save and, retried, is refused."""
        self.closed = reason

    @property
    def closed_because(self) -> str | None:
        """Why the account was closed, or None (accounts recorded before closing existed have no such state)."""
        return getattr(self, "closed", None)

    def state(self) -> AccountState:
        return AccountState(self.key, tuple(
            Entry(claim_id, e["programme"], e["status"], e["amount"], e["gross"], e["tier"], e.get("uscc"),
                  e.get("kept", False))
            for claim_id, e in self.entries.items()))
