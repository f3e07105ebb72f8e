"""Every recorded claim's facts run again, in recorded order, through the one rules pipeline (ledger/rules).

The replay keeps its own account tallies in memory, built only from the claims it replays, and decides each
claim as it was decided (approved ones approved, at most their new entitlement; rejected ones released),
so a claim is judged against what the rules give the claims before it, not against the booked figures.
`award-ledger recheck` uses it with the catalogue in force to find what a ledger booked under an older
reading; the policy sandbox uses it with a draft catalogue. It reads the log once, page by page, and never
writes to the store.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.catalogue.model import Catalogue
from ledger.domain.errors import LedgerError
from ledger.rules import AccountState, ClaimFacts, Entry, entitle, prepare

ZERO = Decimal("0.00")
# The aggregates whose state the rules read: their events are folded into plain objects as they come.
FOLDED = ("Organisation", "InnovationBody", "Certification")


@dataclass
class Replayed:
    """One claim as booked, and as the rules give it now."""

    claim_id: str
    uscc: str
    programme: str
    award_year: int
    status: str
    booked: Decimal                # approved amount if approved, else the entitlement booked
    booked_explanation: list[dict]
    now: Decimal                   # what the rules give it now (0.00 when they refuse it)
    now_explanation: list[dict] = field(default_factory=list)
    refusal: str | None = None     # the code the rules now refuse it with, if they do

    @property
    def differs(self) -> bool:
        return self.booked != self.now

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "uscc": self.uscc, "programme": self.programme,
                "award_year": self.award_year, "status": self.status, "booked": str(self.booked),
                "now": str(self.now), "difference": str(self.now - self.booked), "refusal": self.refusal,
                "booked_explanation": self.booked_explanation, "now_explanation": self.now_explanation}


class Replay:
    """Folds a stream of domain events; yields a `Replayed` for each claim once it is decided or the log ends."""

    def __init__(self, catalogue_on: Callable[[date], Catalogue]) -> None:
        self.catalogue_on = catalogue_on
        self.aggregates: dict[UUID, Any] = {}
        self.accounts: dict[str, list[Entry]] = {}
        self.claims: dict[str, tuple[Replayed, list[str], Decimal]] = {}  # id -> (row, accounts, standing)

    def run(self, events: Iterable[Any]) -> Iterator[Replayed]:
        for event in events:
            kind, name = type(event).__qualname__.split(".")[0], type(event).__name__
            if kind in FOLDED:
                self.aggregates[event.originator_id] = event.mutate(self.aggregates.get(event.originator_id))
            elif kind == "Claim":
                yield from self._claim(name, event)
        for row, _, _ in self.claims.values():
            yield row

    def _claim(self, name: str, event: Any) -> Iterator[Replayed]:
        cid = str(event.originator_id)
        if name == "Submitted":
            self._submitted(cid, event)
        elif name == "Reassessed" and cid in self.claims:
            self.claims[cid][0].booked = event.entitled_amount
            self.claims[cid][0].booked_explanation = event.explanation
        elif name in ("Approved", "Rejected") and cid in self.claims:
            row, keys, standing = self.claims.pop(cid)
            if name == "Approved":
                row.status, row.booked = "approved", event.amount
                row.now = min(row.now, event.amount)  # decided as it was: never above what the rules give now
            else:
                row.status = "rejected"
            self._settle(cid, keys, "approved" if name == "Approved" and row.now > 0 else "rejected", row.now,
                         standing)
            yield row

    def _submitted(self, cid: str, e: Any) -> None:
        row = Replayed(cid, e.uscc, e.programme, e.award_year, "pending", e.entitled_amount, e.explanation, ZERO)
        catalogue = self.catalogue_on(e.effective_on)
        facts = ClaimFacts(e.uscc, e.programme, e.award_year, e.effective_on, e.tier, e.rank, e.subject, e.body_id,
                           e.basis_amount, e.requested_amount, e.certification_id)
        org = self.aggregates.get(_organisation_id(e.uscc))
        keys: list[str] = []
        standing = ZERO
        try:
            if org is None:
                raise LedgerError(f"organisation {e.uscc} is not in the log before its claim")
            plan = prepare(catalogue, facts, org.facts())
            keys = [k.text for k in plan.keys]
            entitlement = entitle(plan, {k: AccountState(k, tuple(self.accounts.get(k, ()))) for k in keys})
        except LedgerError as refused:
            row.refusal, row.now_explanation = refused.code, [{"rule": refused.code, "detail": refused.detail}]
        else:
            row.now, row.now_explanation, standing = entitlement.amount, entitlement.explanation(), entitlement.standing
            for key in keys:
                self.accounts.setdefault(key, []).append(
                    Entry(cid, e.programme, "pending", entitlement.amount, standing, entitlement.tier, e.uscc))
        self.claims[cid] = (row, keys, standing)

    def _settle(self, cid: str, keys: list[str], status: str, amount: Decimal, standing: Decimal) -> None:
        for key in keys:
            self.accounts[key] = [replace(x, status=status, amount=amount) if x.claim_id == cid else x
                                  for x in self.accounts[key]]


def _organisation_id(uscc: str) -> UUID:
    from ledger.domain.organisation import Organisation

    return Organisation.create_id(uscc)


def stored_events(app: Any, page: int = 2_000) -> Iterator[Any]:
    """Every domain event of the application's log, in recorded order, a page of notifications at a time."""
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start, page)
        if not notifications:
            return
        for notification in notifications:
            yield app.mapper.to_domain_event(notification)
        start = notifications[-1].id + 1
