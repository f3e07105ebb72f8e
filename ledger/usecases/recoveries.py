"""Recoveries (应追回) by finance: repayments received, and a write-off of what cannot be recovered.
A repayment is refused `over_recovered` above what is outstanding (on a closed recovery, any: nothing is), and
`invalid_request` dated before the award was first paid; a closed recovery cannot be written off either
(`invalid_state`)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger import beijing, views
from ledger.domain import errors
from ledger.domain.bank_statement import reference_key
from ledger.domain.claim import Claim
from ledger.domain.payout import Payout
from ledger.domain.recovery import Recovery
from ledger.domain.values import money, yuan
from ledger.principals import Principal, Role
from ledger.rules.accounts import keeps_paid
from ledger.usecases.common import plain_reference, require_role, text, uuid_of

if TYPE_CHECKING:
    from ledger.application import Outcome


class RecoveryCommands:
    """Finance's side of a claw-back, mixed into AwardLedger."""

    def record_repayment(self, by: Principal, *, recovery_id: str, amount: Decimal, received_on: date,
                         bank_ref: str, dry_run: bool = False, key: str | None = None) -> Outcome:
        require_role(by, Role.FINANCE, doing="record repayments")
        rid = uuid_of(recovery_id, "recovery")
        value, bank_ref = money(amount), plain_reference(bank_ref, "bank_ref", "银行流水号")
        if value <= 0:
            raise errors.InvalidAmount("a repayment must be more than 0.00", zh="还款金额必须大于 0.00")
        today = beijing.today()
        if received_on > today:
            raise errors.InvalidInput(f"received_on {received_on.isoformat()} is in the future (today is"
                                      f" {today.isoformat()} in Beijing); record a repayment on the day the bank"
                                      " received it, or later",
                                      zh=f"到账日期 {received_on.isoformat()} 晚于今天（北京时间"
                                         f" {today.isoformat()}）；请在银行实际到账当日或之后登记还款",
                                      field="received_on")

        def decide() -> tuple[list[Aggregate], dict]:
            recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
            self._intact(rid, f"recovery {recovery_id}")
            first = min(c.policy.effective_from for c in self.versions)
            if received_on < first:  # no award of this policy had been paid, so none repaid, before its term began
                raise errors.InvalidInput(f"received_on {received_on.isoformat()} is before the policy's term began"
                                          f" ({first.isoformat()}): no award under it had been paid, so none repaid;"
                                          " send the day the bank received the repayment",
                                          zh=f"到账日期 {received_on.isoformat()} 早于政策期起始日"
                                             f"（{first.isoformat()}），当时尚无依本政策拨付的奖补可退还；请填写"
                                             "银行实际到账日期", field="received_on")
            claim = self._get(Claim, UUID(recovery.claim_id), f"claim {recovery.claim_id}")
            self._intact(claim.id, f"claim {recovery.claim_id}")
            paid_from = self._first_paid(claim)
            if paid_from is not None and received_on < paid_from:
                raise errors.InvalidInput(f"received_on {received_on.isoformat()} is before the award was paid"
                                          f" ({paid_from.isoformat()}, its first payout still standing): money is"
                                          " not repaid before it was paid out; send the day the bank received the"
                                          " repayment", zh=f"到账日期 {received_on.isoformat()} 早于该奖补的拨付日期"
                                          f"（{paid_from.isoformat()}，现存最早一笔拨付）：款项拨付之前不可能退还；"
                                          "请填写银行实际到账日期", field="received_on")
            if recovery.status == "closed":  # nothing is outstanding: any repayment is above it
                raise errors.OverRecovered(f"recovery {recovery_id} is closed (recovered {yuan(recovery.recovered)},"
                                           f" written off {yuan(recovery.written_off)}): nothing is outstanding, so"
                                           f" a repayment of {yuan(value)} is more than it. Money received beyond"
                                           " it goes back to the payer",
                                           zh=f"追回款项 {recovery_id} 已结清（已追回 {yuan(recovery.recovered)} 元，"
                                              f"已核销 {yuan(recovery.written_off)} 元），尚未追回金额为零，还款"
                                              f" {yuan(value)} 元超出；超出部分退还付款人")
            # References told apart as the bank matching tells them (case aside): `rec-1` is the receipt `REC-1`.
            receipt = (reference_key(bank_ref), value, received_on)
            if any((reference_key(p["bank_ref"]), p["amount"], p["received_on"]) == receipt
                   for p in recovery.repayments):
                # The same repayment twice (a resent form, a retry without a key): one receipt counted twice. A
                # different amount under the same reference is a top-up (too little was recorded, and nothing is
                # edited), which the bank matching adds up (projections/bank_credits.py).
                raise errors.Conflict(f"recovery {recovery_id} already has this repayment ({yuan(value)} received on"
                                      f" {received_on.isoformat()}, bank_ref {bank_ref!r}): one receipt from the bank"
                                      " is recorded once. If too little was recorded, send only what is missing",
                                      zh=f"追回款项 {recovery_id} 已登记这笔还款（{received_on.isoformat()} 到账"
                                         f" {yuan(value)} 元，银行流水号 {bank_ref!r}）：同一笔到账只登记一次；"
                                         "如登记金额少于实际到账，请只补登差额")
            if value > recovery.outstanding:
                raise errors.OverRecovered(f"a repayment of {yuan(value)} is more than the {yuan(recovery.outstanding)}"
                                           f" still outstanding on recovery {recovery_id}; record at most that much"
                                           " and return the difference to the payer",
                                           zh=f"还款金额 {yuan(value)} 元超过追回款项 {recovery_id} 尚未追回的"
                                              f" {yuan(recovery.outstanding)} 元；请最多登记该金额，多出部分退还付款人")
            recovery.repay(value, received_on, bank_ref, by.name)
            return [recovery, *self._unkept(recovery, claim, value, received_on, by)], views.recovery(recovery)

        args = {"recovery": str(rid), "a": value, "on": received_on, "ref": bank_ref}
        return self._run(by, key, "record_repayment", args, decide, dry_run=dry_run)

    def _first_paid(self, claim: Claim) -> date | None:
        """The day the award a recovery claws back was first paid: the earliest of the claim's payouts still
        standing (a reversed one paid nothing). None where none stands (a recovery opened before payouts were
        kept on the claim) or the payouts carry no day."""
        days = [getattr(self._get(Payout, UUID(pid), f"payout {pid}"), "paid_on", None) for pid in claim.payouts]
        return min((d for d in days if d is not None), default=None)

    def _unkept(self, recovery: Recovery, claim: Claim, value: Decimal, received_on: date,
                by: Principal) -> list[Aggregate]:
        """Money repaid no longer counts where the revoked award was made: what its caps, ladders and subject keep
        of it (`AwardAccount.keep`, what was paid) comes down to what was paid less what has come back, and an
        award repaid in full keeps nothing, so the organisation is judged as if it had never been paid. (Rule 3:
        "only what was awarded on a lower rung is deducted".) A write-off keeps its part: that money stayed with
        the organisation. The fund year is not given back: recovered money returns to the treasury, and the
        reconciliation shows it as `recovered`. A revocation recorded before paid parts were kept kept nothing,
        and nothing moves."""
        cid = recovery.claim_id
        kept = recovery.amount - recovery.recovered
        touched: list[Aggregate] = []
        for key in claim.accounts:
            if not keeps_paid(key):
                continue
            account = self._account(key)
            if account.entries.get(cid, {}).get("status") != "approved":
                continue
            if kept > 0:
                account.keep(cid, kept, by.name)
            else:
                account.release(cid, by.name, status="revoked")
            touched.append(account)
        # Echoed on the claim whatever it counted on (a claim paid as required counts on no account, a one-time
        # slot revoked before kept_on was released whole): the sandbox's replay takes repaid money out of its totals
        # by this event.
        claim.record_repayment(str(recovery.id), value, kept, by.name, received_on)
        # What the repayment freed is offered to the proposals waiting on it, as a revocation's release is (a
        # regression probe: a little giant's proposal stayed at 900,000 once the SME honour's 100,000 came back).
        again = self._freed_proposals([claim], {a.key: a for a in touched}, by, because="the repayment on claim")
        return list({id(a): a for a in [*touched, claim, *again]}.values())

    def write_off_recovery(self, by: Principal, *, recovery_id: str, reason: str, document_ref: str,
                           dry_run: bool = False, key: str | None = None) -> Outcome:
        require_role(by, Role.FINANCE, doing="write off recoveries")
        rid = uuid_of(recovery_id, "recovery")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            recovery = self._open_recovery(recovery_id, rid, "write off")
            recovery.write_off(recovery.outstanding, reason, document_ref, by.name)
            return [recovery], views.recovery(recovery)

        args = {"recovery": str(rid), "reason": reason, "doc": document_ref}
        return self._run(by, key, "write_off_recovery", args, decide, dry_run=dry_run)

    def recovery(self, recovery_id: str, by: Principal | None = None) -> dict:
        """A recovery as `by` may read it: a bureau only those of the programmes it leads (as the list shows)."""
        rid = uuid_of(recovery_id, "recovery")
        recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
        if by is not None and by.role == Role.BUREAU and by.bureau != recovery.lead:
            raise errors.NotLeadBureau(f"recovery {recovery_id} is under {recovery.programme}, led by {recovery.lead};"
                                       f" {by.name} may read the recoveries of the programmes it leads",
                                       zh=f"追回款项 {recovery_id} 属于 {recovery.programme}，由 {recovery.lead} 牵头；"
                                          f"{by.name} 只能查看本部门牵头项目的追回款项")
        return views.recovery(recovery)

    def _open_recovery(self, recovery_id: str, rid, doing: str) -> Recovery:
        recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
        self._intact(rid, f"recovery {recovery_id}")
        if recovery.status == "closed":
            raise errors.InvalidState(f"recovery {recovery_id} is closed (recovered {yuan(recovery.recovered)},"
                                      f" written off {yuan(recovery.written_off)}); there is nothing left to"
                                      f" {doing}: nothing is outstanding",
                                      zh=f"追回款项 {recovery_id} 已结清（已追回 {yuan(recovery.recovered)} 元，已核销"
                                         f" {yuan(recovery.written_off)} 元），尚未追回金额为零，没有可核销的金额")
        return recovery
