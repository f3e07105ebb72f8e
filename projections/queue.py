"""Work queues: every claim as one row with typed columns (status, programme, lead bureau, award year,
submission order), so the queues and `GET /v1/claims` filter and page in SQL on both stores.

The row is a copy of the claim's record (projections/records.py), taken after the records stage has
applied the event: one place decides what a claim event changes, this stage only indexes the result. The
handlers are made for every `Claim.*` event the records stage folds, so a new claim event (withdrawal,
revocation, proposal) reaches the queues without a change here."""
from __future__ import annotations

from projections.events import EventRow
from projections.fold import Handler, Tables
from projections.money import add, neg

CLAIMS = "claims"
FIELDS = ("id", "uscc", "programme", "lead", "status", "award_year", "entitled", "approved", "paid",
          "submitted_at", "position", "tier", "subject")


def _unpaid(claim: dict) -> str | None:
    # What finance still has to pay on an approved claim; None for any other status.
    if claim.get("status") != "approved" or claim.get("approved") is None:
        return None
    return add(claim["approved"], neg(claim.get("paid")))


def _copy(t: Tables, e: EventRow) -> None:
    claim = t.get("records", e.aggregate_id)
    if claim is None or claim.get("kind") != "claim":
        return
    row = {k: claim.get(k) for k in FIELDS}
    row["unpaid"] = _unpaid(claim)
    t.put(CLAIMS, e.aggregate_id, row)


def handlers(record_handlers: dict[str, Handler]) -> dict[str, Handler]:
    """A copying handler for each claim event the records stage folds."""
    return {name: _copy for name in record_handlers if name.startswith("Claim.")}
