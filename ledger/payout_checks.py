"""What a payout's date and bank reference must be, refused with which and why rather than recorded silently.

Refused (nothing is written):
- a payout dated after today in Beijing time: money not yet paid is not booked as paid; record it on the day;
- a payout dated before the claim's effective date: it cannot pay for facts that had not yet happened;
- a bank reference another standing payout already carries (compared trimmed and case-insensitively): one bank
  transaction is one payout, and a reused reference would make the statement match the wrong payout.
  Payout ids derive from the reference (and, for a reference booked again after its payouts were reversed, from
  how many times: `Payout.booking_id`), so two concurrent payouts with one reference cannot both be saved.

Not checked against the approval's recording time: approvals carry no business date, and districts backfill
their books (an approval recorded today for money paid last year on a paper decision), so a payout dated
before the day its approval was keyed in is normal, not a mistake.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from ledger import beijing
from ledger.domain.errors import Conflict, InvalidInput


def check_paid_on(paid_on: date) -> None:
    """A payout's day alone: not ahead of today (finance's form marks it beside its other faults too)."""
    beijing.not_ahead(paid_on, "paid_on", "拨付日期", "record a payout on or after the day the bank pays it",
                      "请在银行实际付款当天或之后记录")


def check_payout(claim: Any, paid_on: date, bank_ref: str, same_ref: Any | None) -> None:
    check_paid_on(paid_on)
    if paid_on < claim.effective_on:
        raise InvalidInput(f"paid_on {paid_on.isoformat()} is before the claim's effective date"
                           f" {claim.effective_on.isoformat()}; a payout cannot pay for facts not yet in effect."
                           " Check the date", zh=f"拨付日期 {paid_on.isoformat()} 早于申请的生效日期"
                                                 f" {claim.effective_on.isoformat()}；请核对日期", field="paid_on")
    if same_ref is not None:
        raise Conflict(f"bank_ref {bank_ref!r} is already the reference of payout {same_ref.id} (claim"
                       f" {same_ref.claim_id}, {same_ref.amount:,.2f} on {same_ref.paid_on.isoformat()}); each bank"
                       " transaction is one payout: check the reference on the bank's advice",
                       zh=f"银行流水号 {bank_ref!r} 已用于拨付 {same_ref.id}（申请 {same_ref.claim_id}，"
                          f"{same_ref.amount:,.2f} 元，{same_ref.paid_on.isoformat()}）；一笔银行交易只对应一笔拨付，"
                          "请核对银行回单上的流水号", field="bank_ref", payout_id=str(same_ref.id))
