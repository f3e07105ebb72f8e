"""Every recorded claim's facts run again, in recorded order, through the one rules pipeline (ledger/rules).

The replay keeps its own account tallies in memory, built only from the claims it replays, and decides each
claim as it was decided (approved ones approved, rejected, withdrawn or revoked ones released), so a claim is
judged against what the rules give the claims before it, not against the booked figures. An approved claim
is approved at most at its new entitlement (`recheck`), or, with `approved_share`, at the share of its
entitlement that was approved then (the sandbox: a bureau that approved 80 % of an award approves 80 % of the
draft's). `award-ledger recheck` uses it with the catalogue in force; the policy sandbox runs two side by side
over one stream. It reads the log once, page by page, and never writes to the store.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any
from uuid import UUID

from ledger.catalogue.model import Catalogue
from ledger.domain.errors import LedgerError
from ledger.rules import AccountState, ClaimFacts, Entry, entitle, prepare

ZERO = Decimal("0.00")
# The aggregates whose state the rules (or the sandbox's fund figures) read: folded into plain objects.
FOLDED = ("Organisation", "InnovationBody", "Certification", "FundYear")
# Claim events that end a claim's hold on its accounts without paying it; more may come (corrections).
RELEASED = {"Rejected": "rejected", "Withdrawn": "withdrawn", "Revoked": "revoked"}


def wanted(topic: str) -> bool:
    """Whether a stored event's topic is one the replay reads (the rest need not even be decoded)."""
    kind = topic.rsplit(":", 1)[-1].split(".")[0]
    return kind in FOLDED or kind == "Claim"


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
    lead: str = ""                 # the lead bureau the claim was booked under

    @property
    def differs(self) -> bool:
        return self.booked != self.now

    @property
    def comes_to(self) -> Decimal:
        """What the claim is worth to its organisation: approved or pending, its amount; released, nothing; a
        revocation after approval, its amount taken back."""
        return self.now if self.status in ("approved", "pending", "revocation") else ZERO

    def as_dict(self) -> dict[str, Any]:
        return {"claim_id": self.claim_id, "uscc": self.uscc, "programme": self.programme,
                "award_year": self.award_year, "status": self.status, "booked": str(self.booked),
                "now": str(self.now), "difference": str(self.now - self.booked), "refusal": self.refusal,
                "booked_explanation": self.booked_explanation, "now_explanation": self.now_explanation}


class Replay:
    """Folds a stream of domain events; yields a `Replayed` for each claim once it is decided or the log ends."""

    def __init__(self, catalogue_on: Callable[[date], Catalogue], *, approved_share: bool = False,
                 aggregates: dict[UUID, Any] | None = None, facts: dict[str, Any] | None = None) -> None:
        self.catalogue_on = catalogue_on
        self.approved_share = approved_share
        # Two replays side by side share one fold of the organisations (the sandbox): facts do not depend on
        # the catalogue, only the sums do.
        self.aggregates: dict[UUID, Any] = {} if aggregates is None else aggregates
        # ... and the organisation's facts for the claim both are replaying (one slot: the last Submitted).
        self.facts: dict[str, Any] = {} if facts is None else facts
        self.accounts: dict[str, list[Entry]] = {}
        self.claims: dict[str, tuple[Replayed, list[str], Decimal]] = {}  # id -> (row, accounts, standing)
        self.approved_years: dict[UUID, int] = {}  # for a revocation after approval (rare): the year to correct
        self.proposals: dict[str, Any] = {}  # open proposals' facts, for when one is confirmed

    def run(self, events: Iterable[Any]) -> Iterator[Replayed]:
        for event in events:
            self.fold(event)
            yield from self.claim(event)
        yield from self.finish()

    def fold(self, event: Any) -> None:
        """Keep the organisations, bodies, certifications and fund years the rules read up to date."""
        if type(event).__qualname__.split(".")[0] in FOLDED:
            self.aggregates[event.originator_id] = event.mutate(self.aggregates.get(event.originator_id))

    def claim(self, event: Any) -> Iterator[Replayed]:
        """The rows a claim event decides; any other event, or a claim event this replay does not know, none."""
        if type(event).__qualname__.split(".")[0] != "Claim":
            return
        cid, name = str(event.originator_id), type(event).__name__
        if name == "Submitted":
            self._submitted(cid, event)
        elif name == "Proposed":  # a proposal reserves nothing: it is replayed only once confirmed
            self.proposals[cid] = event
        elif name == "Confirmed" and cid in self.proposals:
            self._submitted(cid, _Confirmed(self.proposals.pop(cid), event))
        elif name == "Reassessed" and cid in self.claims:
            self.claims[cid][0].booked = event.entitled_amount
            self.claims[cid][0].booked_explanation = event.explanation
        elif (name == "Approved" or name in RELEASED) and cid in self.claims:
            yield self._decided(cid, name, event)
        elif name == "Revoked" and event.originator_id in self.approved_years:
            yield self._revoked(cid, event)

    def finish(self) -> Iterator[Replayed]:
        """The claims still pending when the log ends, as they stand."""
        for row, _, _ in self.claims.values():
            yield row
        self.claims = {}

    def _decided(self, cid: str, name: str, event: Any) -> Replayed:
        row, keys, _ = self.claims.pop(cid)
        if name == "Approved":
            entitled_then = row.booked
            row.status, row.booked = "approved", event.amount
            if self.approved_share and entitled_then > 0:
                # Multiply before dividing: the catalogue in force then gives back the approved amount exactly.
                row.now = min(row.now, (row.now * event.amount / entitled_then).quantize(ZERO, ROUND_DOWN))
            else:
                row.now = min(row.now, event.amount)  # never above what the rules give now
            self.approved_years[event.originator_id] = row.award_year
        else:
            row.status = RELEASED[name]
        self._settle(cid, keys, "approved" if row.status == "approved" and row.now > 0 else "rejected", row.now)
        return row

    def _revoked(self, cid: str, event: Any) -> Replayed:
        """An approval taken back: its entries are released, and a row takes its amount back out of the totals."""
        year = self.approved_years.pop(event.originator_id)
        held = {k: x for k, entries in self.accounts.items() for x in entries if x.claim_id == cid}
        first = next(iter(held.values()), None)
        self._settle(cid, list(held), "revoked", ZERO)
        amount, uscc, programme = (first.amount, first.uscc or "", first.programme) if first else (ZERO, "", "")
        return Replayed(cid, uscc, programme, year, "revocation", -amount, [], -amount,
                        [{"rule": "revoked", "detail": "the approval was revoked: its amount is taken back"}])

    def _submitted(self, cid: str, e: Any) -> None:
        row = Replayed(cid, e.uscc, e.programme, e.award_year, "pending", e.entitled_amount, e.explanation, ZERO,
                       lead=getattr(e, "lead", ""))
        catalogue = self.catalogue_on(e.effective_on)
        facts = ClaimFacts(e.uscc, e.programme, e.award_year, e.effective_on, e.tier, e.rank, e.subject, e.body_id,
                           e.basis_amount, e.requested_amount, e.certification_id)
        keys: list[str] = []
        standing = ZERO
        try:
            plan = prepare(catalogue, facts, self._organisation(e))
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

    def _organisation(self, e: Any) -> Any:
        if self.facts.get("event") is not e:
            org = self.aggregates.get(_organisation_id(e.uscc))
            self.facts.update(event=e, facts=None if org is None else org.facts())
        if self.facts["facts"] is None:
            raise LedgerError(f"organisation {e.uscc} is not in the log before its claim")
        return self.facts["facts"]

    def _settle(self, cid: str, keys: list[str], status: str, amount: Decimal) -> None:
        for key in keys:
            self.accounts[key] = [replace(x, status=status, amount=amount) if x.claim_id == cid else x
                                  for x in self.accounts[key]]


class _Confirmed:
    """A confirmed proposal read as the submission it became: the proposal's facts, the confirmation's figures."""

    def __init__(self, proposed: Any, confirmed: Any) -> None:
        self.proposed, self.confirmed = proposed, confirmed

    def __getattr__(self, name: str) -> Any:
        if name in ("entitled_amount", "gross_amount", "explanation", "accounts", "policy_version"):
            return getattr(self.confirmed, name)
        return getattr(self.proposed, name)


def _organisation_id(uscc: str) -> UUID:
    from ledger.domain.organisation import Organisation

    return Organisation.create_id(uscc)


def stored_events(app: Any, page: int = 2_000, *, topics: Callable[[str], bool] | None = None) -> Iterator[Any]:
    """Every domain event of the application's log, in recorded order, a page of notifications at a time.

    `topics` picks the stored events worth decoding; the others are passed over as `None`, so a progress bar
    still counts every event read."""
    start = 1
    while True:
        notifications = app.recorder.select_notifications(start, page)
        if not notifications:
            return
        for notification in notifications:
            keep = topics is None or topics(notification.topic)
            yield app.mapper.to_domain_event(notification) if keep else None
        start = notifications[-1].id + 1
