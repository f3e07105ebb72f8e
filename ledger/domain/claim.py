"""A claim for money under one programme: submitted with its entitlement and explanation, then approved
(possibly for less) or rejected, then paid in one or more payouts that may be reversed. A correction ends
it: a pending claim is withdrawn, an approved one revoked (what was paid becomes a recovery).

A claim may also begin as a proposal (免申即享): the ledger computed it when a fact was recorded, and it
reserves nothing until the lead bureau confirms it (then it is pending, as if submitted); a claim
submitted for the same fact replaces it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eventsourcing.domain import event

from ledger.domain.moment import LedgerAggregate

ZERO = Decimal("0.00")


class Claim(LedgerAggregate):
    # Read where a claim saved (or snapshotted) before top-ups were kept has no attribute of its own.
    tops_up: str | None = None
    topping: list[str] | tuple[str, ...] = ()
    topped_amount: Decimal | None = None
    top_up_reason: str | None = None
    top_ups: list[str] | tuple[str, ...] = ()

    @event("Submitted")
    def __init__(self, uscc: str, programme: str, award_year: int, effective_on: date, tier: str | None,
                 rank: int | None, subject: str | None, body_id: str | None, certification_id: str | None,
                 basis_amount: Decimal | None, requested_amount: Decimal | None, document_ref: str | None,
                 gross_amount: Decimal, entitled_amount: Decimal, explanation: list[dict], accounts: list[str],
                 policy_version: str, pays_award: bool, lead: str, by: str, tops_up: str | None = None,
                 topping: list[str] | None = None, topped_amount: Decimal | None = None,
                 top_up_reason: str | None = None) -> None:
        self.uscc = uscc
        self.programme = programme
        self.award_year = award_year
        self.effective_on = effective_on
        self.tier = tier
        self.rank = rank
        self.subject = subject
        self.body_id = body_id
        self.certification_id = certification_id
        self.basis_amount = basis_amount
        self.requested_amount = requested_amount
        self.document_ref = document_ref
        self.gross_amount = gross_amount
        self.entitled_amount = entitled_amount
        self.explanation = explanation
        self.accounts = accounts
        self.policy_version = policy_version
        self.pays_award = pays_award
        self.lead = lead
        self.status = "pending"
        self.approved_amount: Decimal | None = None
        self.decision_note: str | None = None
        self.payouts: dict[str, Decimal] = {}
        self.released_amount: Decimal | None = None
        self.recovery_id: str | None = None
        self.proposal: dict | None = None
        self.replaced_by: str | None = None
        # A top-up (POST /v1/claims/{id}/top-up): the approved claim it completes, that claim and its earlier live
        # top-ups, what they were entitled to, and why; a claim topped up lists its top-ups (`top_ups`).
        if tops_up is not None:  # a top-up (claims saved before top-ups were kept read the class's defaults)
            self.tops_up = tops_up
            self.topping = list(topping or [])
            self.topped_amount = topped_amount
            self.top_up_reason = top_up_reason

    @event("Reassessed")
    def reassess(self, previous_amount: Decimal, entitled_amount: Decimal, gross_amount: Decimal,
                 explanation: list[dict], accounts: list[str], previous_accounts: list[str], policy_version: str,
                 by: str) -> None:
        """Rule 12: the rules were run again before a decision and the entitlement moved (old and new kept)."""
        self.entitled_amount = entitled_amount
        self.gross_amount = gross_amount
        self.explanation = explanation
        self.accounts = accounts
        self.policy_version = policy_version

    @classmethod
    def propose(cls, *, proposal: dict, **submitted) -> Claim:
        """A proposal (免申即享): the same figures a submission records, and why the ledger proposed it."""
        never_a_top_up = {"tops_up": None, "topping": None, "topped_amount": None, "top_up_reason": None}
        return cls._create(cls.Proposed, proposal=proposal, **never_a_top_up, **submitted)  # type: ignore[attr-defined]

    @event("Confirmed")
    def confirm(self, previous_amount: Decimal, entitled_amount: Decimal, gross_amount: Decimal,
                explanation: list[dict], accounts: list[str], policy_version: str, by: str) -> None:
        """The lead bureau confirmed a proposal: re-assessed (rule 12), it is now pending as if submitted."""
        self.status = "pending"
        self.entitled_amount = entitled_amount
        self.gross_amount = gross_amount
        self.explanation = explanation
        self.accounts = accounts
        self.policy_version = policy_version

    @event("Replaced")
    def replace_proposal(self, by_claim: str, reason: str, by: str) -> None:
        """A claim submitted for the same fact closed this proposal: it counts as withdrawn."""
        self.status = "withdrawn"
        self.decision_note = reason
        self.replaced_by = by_claim

    @event("Outranked")
    def outrank_proposal(self, by_claim: str, reason: str, by: str) -> None:
        """An approval on its ladder or subject left this proposal nothing to pay (rules 3 and 4): it counts as
        withdrawn, naming the approved claim that outranks it."""
        self.status = "withdrawn"
        self.decision_note = reason
        self.replaced_by = by_claim

    @event("Approved")
    def approve(self, amount: Decimal, note: str | None, by: str) -> None:
        self.status = "approved"
        self.approved_amount = amount
        self.decision_note = note

    @event("ToppedUp")
    def record_top_up(self, top_up_id: str, amount: Decimal, reason: str, document_ref: str, by: str) -> None:
        """The approved award fell short of what the rules give it now, and claim `top_up_id` was made for the
        difference (`amount`), with why and the document it rests on."""
        self.top_ups = [*self.top_ups, top_up_id]

    @event("CountedOn")
    def count_on(self, account: str, amount: Decimal, body_id: str, start: date, by: str) -> None:
        """A membership of body `body_id` from `start`, recorded after this claim, makes the body's yearly cap
        (A11: "summed over its member units") count it: `account` joins the accounts the claim holds, at `amount`
        (its reservation, or its approval), so its rejection, withdrawal, re-assessment or revocation releases it
        there too."""
        self.accounts = [*self.accounts, account]

    @event("Rejected")
    def reject(self, reason: str, by: str) -> None:
        self.status = "rejected"
        self.decision_note = reason

    @event("PayoutRecorded")
    def record_payout(self, payout_id: str, amount: Decimal, by: str, paid_on: date | None = None) -> None:
        """`paid_on` is the payout's own date, so that the claim's side of it has an effective date in an
        organisation's history; payouts recorded before it was kept carry none."""
        self.payouts[payout_id] = amount

    @event("PayoutReversed")
    def reverse_payout(self, payout_id: str, by: str, reason: str | None = None,
                       document_ref: str | None = None, amount: Decimal | None = None,
                       kept_amount: Decimal | None = None, recovery_id: str | None = None) -> None:
        """`reason` and `document_ref`: the reversal's, so the claim's history says why (reversals recorded before
        they were kept there carry none: the payout's own event has the reason). On a revoked award (its recovery
        reduced, `Recovery.Reduced`, named by `recovery_id`), `amount` is the payout's and `kept_amount` what the
        award still counts on its caps, ladders and subject (as a repayment's `kept_amount` says); None on a
        standing award."""
        self.payouts.pop(payout_id, None)

    @event("Withdrawn")
    def withdraw(self, reason: str, by: str, document_ref: str | None = None) -> None:
        """`document_ref`: the document the withdrawal rests on, where it has one (a certification's revocation
        always does); withdrawals recorded before it was kept carry none."""
        self.status = "withdrawn"
        self.decision_note = reason

    @event("Revoked")
    def revoke(self, reason: str, document_ref: str, released_amount: Decimal, recovery_id: str | None,
               by: str, kept_amount: Decimal = ZERO, kept_on: list[str] | None = None) -> None:
        """An approval taken back: `released_amount` (what was not paid) goes back to the caps, ladders and fund;
        `kept_amount` (what was paid, net of reversals) still counts on the accounts of the families `kept_on`
        names (rules/accounts.py KEEPS_PAID) that it was awarded on, and is owed back as a recovery. Revocations
        recorded before it was kept carry none; those recorded before `kept_on` kept on LEGACY_KEEPS_PAID."""
        self.status = "revoked"
        self.decision_note = reason
        self.released_amount = released_amount
        self.recovery_id = recovery_id

    @event("RepaymentRecorded")
    def record_repayment(self, recovery_id: str, amount: Decimal, kept_amount: Decimal, by: str,
                         received_on: date | None = None) -> None:
        """The claim's side of a repayment on its recovery (as `PayoutRecorded` is of a payout): `amount` came back,
        and what the revoked award still counts on its caps, ladders and subject is now `kept_amount` (what was
        paid, net of reversals, less what has been repaid). Recorded for every repayment (before 2026-12-05, only
        where the award counted on a cap, ladder or subject); money written off stays kept (the organisation
        has it)."""

    @event("RepaymentReversed")
    def record_repayment_reversal(self, recovery_id: str, amount: Decimal, kept_amount: Decimal, by: str,
                                  received_on: date, bank_ref: str) -> None:
        """The claim's side of a repayment taken back on its recovery (`Recovery.RepaymentReversed`): `amount` did
        not come back after all, and what the revoked award counts on its accounts is `kept_amount` again, as it
        was before that repayment."""

    @property
    def paid_amount(self) -> Decimal:
        return sum(self.payouts.values(), ZERO)

    @property
    def outstanding_amount(self) -> Decimal:
        if self.status == "revoked":
            return ZERO  # nothing more is owed to a revoked award; what was paid is under recovery
        return (self.approved_amount or ZERO) - self.paid_amount


class _Proposed(Claim.Submitted):  # type: ignore[name-defined,misc]
    """Claim.Proposed: a creation event of its own, so the log says the ledger proposed it, not a person."""

    proposal: dict

    def apply(self, aggregate: Claim) -> None:  # type: ignore[override]
        aggregate.status = "proposed"
        aggregate.proposal = self.proposal


_confirm_body = Claim.Confirmed.apply  # type: ignore[attr-defined]


def _confirmed(self: Any, aggregate: Claim) -> None:
    """Claim.Confirmed also keeps its moment: a confirmed proposal was submitted when it was confirmed (its
    `submitted_at`, as the queue orders it), not when the ledger proposed it."""
    _confirm_body(self, aggregate)
    aggregate.confirmed_on = self.timestamp


Claim.Confirmed.apply = _confirmed  # type: ignore[attr-defined]

# Named as the class's own event, so its topic (ledger.domain.claim:Claim.Proposed) resolves.
_Proposed.__name__, _Proposed.__qualname__ = "Proposed", "Claim.Proposed"
Claim.Proposed = _Proposed  # type: ignore[attr-defined]
