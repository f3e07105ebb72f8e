"""Recoveries (应追回) by finance: repayments received, and a write-off of what cannot be recovered.
A repayment is refused `over_recovered` above what is outstanding (on a closed recovery, any: nothing is), and
`invalid_request` dated before the award was first paid; a closed recovery cannot be written off either
(`invalid_state`)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from ledger import beijing, views
from ledger.domain import errors
from ledger.domain.award_account import AwardAccount
from ledger.domain.bank_statement import reference_key
from ledger.domain.claim import Claim
from ledger.domain.fund_year import FundYear
from ledger.domain.payout import Payout
from ledger.domain.recovery import ZERO, Recovery
from ledger.domain.values import money, yuan
from ledger.messages import status_zh
from ledger.principals import Principal, Role
from ledger.rules.accounts import keeps_paid, read_cap_key
from ledger.rules.facts import LIVE
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
            raise _not_above_zero()
        _not_ahead(received_on)

        def decide() -> tuple[list[Aggregate], dict]:
            recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
            self._intact(rid, f"recovery {recovery_id}")
            claim = self._repaid_after_paid(recovery, received_on)
            if recovery.status == "closed":  # nothing is outstanding: any repayment is above it
                off = recovery.written_off > 0
                then_en = (f" Money that comes back on what was written off ({yuan(recovery.written_off)}): reverse the"
                           f" write-off first (POST /v1/recoveries/{rid}/write-off/reverse), then record it" if off
                           else f" A repayment booked here in error is reversed first (POST /v1/recoveries/{rid}/"
                           "repayments/reverse); money received beyond what was owed goes back to the payer")
                then_zh = (f"核销后收回的款项（已核销 {yuan(recovery.written_off)} 元）：请先冲回核销"
                           f"（POST /v1/recoveries/{rid}/write-off/reverse），再登记还款" if off else
                           f"如有误登记的还款，请先冲回（POST /v1/recoveries/{rid}/repayments/reverse）；"
                           "超出应追回的款项退还付款人")
                raise errors.OverRecovered(f"recovery {recovery_id} is closed (recovered {yuan(recovery.recovered)},"
                                           f" written off {yuan(recovery.written_off)}): nothing is outstanding, so"
                                           f" a repayment of {yuan(value)} is more than it.{then_en}",
                                           zh=f"追回款项 {recovery_id} 已结案（已追回 {yuan(recovery.recovered)} 元，"
                                              f"已核销 {yuan(recovery.written_off)} 元），尚未追回金额为零，还款"
                                              f" {yuan(value)} 元超出；{then_zh}")
            # References told apart as the bank matching tells them (case aside): `rec-1` is the receipt `REC-1`.
            receipt = (reference_key(bank_ref), value, received_on)
            if any((reference_key(p["bank_ref"]), p["amount"], p["received_on"]) == receipt
                   for p in recovery.repayments if not p.get("reversed")):  # one reversed was never booked so
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
                raise _above_outstanding(value, recovery, recovery_id)
            recovery.repay(value, received_on, bank_ref, by.name)
            return [recovery, *self._unkept(recovery, claim, value, received_on, by)], views.recovery(recovery)

        args = {"recovery": str(rid), "a": value, "on": received_on, "ref": bank_ref}
        return self._run(by, key, "record_repayment", args, decide, dry_run=dry_run)

    def repayment_refused(self, recovery_id: str, *, amount: Decimal | None, received_on: date | None,
                          bank_ref: str) -> dict[str, errors.LedgerError]:
        """What `record_repayment` would say of each field alone (`amount`, `received_on`, `bank_ref`; None or blank:
        not read), by field: the repayment form marks them all beside its first fault, where the command's checks
        stop at the first (a regression probe's future day came back one send after a full-width reference, and an
        amount above what is outstanding one send after a future day)."""
        recovery = self._get(Recovery, uuid_of(recovery_id, "recovery"), f"recovery {recovery_id}")
        found: dict[str, errors.LedgerError] = {}

        def alone(name: str, *checks: Callable[[], object]) -> None:
            try:
                for check in checks:
                    check()
            except (errors.InvalidInput, errors.OverRecovered) as err:  # a field's fault, not the ledger's state
                found[name] = err

        if bank_ref.strip():
            alone("bank_ref", lambda: plain_reference(bank_ref, "bank_ref", "银行流水号"))
        if (day := received_on) is not None:
            alone("received_on", lambda: _not_ahead(day), lambda: self._repaid_after_paid(recovery, day))
        if (value := amount) is not None:
            alone("amount", lambda: _amount_refused(value, recovery, recovery_id))
        return found

    def _repaid_after_paid(self, recovery: Recovery, received_on: date) -> Claim:
        """The revoked claim, once `received_on` is found no earlier than the policy's term and the award's first
        standing payout: money is not repaid before it was paid out."""
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
        return claim

    def reverse_repayment(self, by: Principal, *, recovery_id: str, amount: Decimal, received_on: date,
                          bank_ref: str, reason: str, document_ref: str, dry_run: bool = False,
                          key: str | None = None) -> Outcome:
        """Take back a repayment booked in error (on the wrong recovery, twice, for the wrong amount), with why and
        the document it rests on; nothing is edited (a finance probe booked one bank receipt on two companies'
        recoveries and nothing could undo it). The repayment is named by what it was booked with (amount, day,
        bank reference); only the last one standing is reversed, later ones first, so that what it took off the
        revoked award's caps, ladders and subject is put back exactly as it stood, and only where no other claim
        has taken what it freed since (refused `conflict`, naming that claim: the money would count twice)."""
        require_role(by, Role.FINANCE, doing="reverse repayments")
        rid = uuid_of(recovery_id, "recovery")
        value, bank_ref = money(amount), plain_reference(bank_ref, "bank_ref", "银行流水号")
        if value <= 0:
            raise errors.InvalidAmount("a repayment reversed is the amount it was booked for, more than 0.00",
                                       zh="冲回的还款金额即原登记金额，必须大于 0.00", field="amount")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
            self._intact(rid, f"recovery {recovery_id}")
            at = self._standing_repayment(recovery, value, received_on, bank_ref)
            claim = self._get(Claim, UUID(recovery.claim_id), f"claim {recovery.claim_id}")
            self._intact(claim.id, f"claim {recovery.claim_id}")
            booked = recovery.repayments[at]
            repaid = [e for e in self.events.get(rid) if type(e).__name__ == "Repaid"][at]
            # What the award keeps once the repayment is taken back: its paid part less what stays repaid (less than
            # before the repayment where a payout of it was reversed since: Recovery.Reduced).
            kept_after = recovery.amount - recovery.recovered + value
            restored = self._restored(claim, repaid.timestamp, recovery_id, by, kept_after)
            recovery.reverse_repayment(value, received_on, booked["bank_ref"], reason, document_ref, by.name,
                                       repaid.originator_version)
            kept = recovery.amount - recovery.recovered
            claim.record_repayment_reversal(str(recovery.id), value, kept, by.name, received_on, booked["bank_ref"])
            return [recovery, claim, *restored], views.recovery(recovery)

        args = {"recovery": str(rid), "a": value, "on": received_on, "ref": bank_ref, "reason": reason,
                "doc": document_ref}
        return self._run(by, key, "reverse_repayment", args, decide, dry_run=dry_run)

    def _standing_repayment(self, recovery: Recovery, value: Decimal, received_on: date, bank_ref: str) -> int:
        """Where in the recovery's repayments the one named stands: the last standing one, else a refusal saying
        which it is or which to reverse first."""
        rid, named = str(recovery.id), (reference_key(bank_ref), value, received_on)
        standing = [at for at, p in enumerate(recovery.repayments) if not p.get("reversed")]
        found = [at for at in standing if (reference_key(recovery.repayments[at]["bank_ref"]),
                                          recovery.repayments[at]["amount"],
                                          recovery.repayments[at]["received_on"]) == named]

        def said(at: int) -> str:
            p = recovery.repayments[at]
            return f"{yuan(p['amount'])} received on {p['received_on'].isoformat()}, bank_ref {p['bank_ref']!r}"

        def said_zh(at: int) -> str:
            p = recovery.repayments[at]
            return f"{p['received_on'].isoformat()} 到账 {yuan(p['amount'])} 元（银行流水号 {p['bank_ref']!r}）"

        gone = [at for at, p in enumerate(recovery.repayments) if p.get("reversed") and (
            reference_key(p["bank_ref"]), p["amount"], p["received_on"]) == named]
        if not found and gone:  # sent again (no key): it is reversed already, said so rather than "none such"
            p = recovery.repayments[gone[-1]]
            raise errors.InvalidState(
                f"the repayment of {said(gone[-1])} on recovery {rid} is already reversed"
                f" ({p.get('reversal_reason')}); a repayment is reversed once (a retry with the same Idempotency-Key"
                " gets the first answer)",
                zh=f"追回款项 {rid} 上 {said_zh(gone[-1])} 的还款已经冲回（{p.get('reversal_reason')}）；一笔还款只冲回"
                   "一次（带同一 Idempotency-Key 重试可得到首次的应答）", field="bank_ref")
        if not found:
            listed = "; ".join(said(at) for at in standing) or "none"
            listed_zh = "；".join(said_zh(at) for at in standing) or "无"
            raise errors.NotFound(f"recovery {rid} has no standing repayment of {yuan(value)} received on"
                                  f" {received_on.isoformat()} with bank reference {bank_ref!r}; give the amount,"
                                  f" day and bank reference of one it holds, as booked (standing: {listed})",
                                  zh=f"追回款项 {rid} 没有 {received_on.isoformat()} 到账 {yuan(value)} 元、银行流水号"
                                     f" {bank_ref!r} 的有效还款；请填写其中一笔的金额、到账日期和银行流水号"
                                     f"（现有：{listed_zh}）",
                                  field="bank_ref")
        if found[-1] != standing[-1]:
            later = [at for at in standing if at > found[-1]]
            en = "; ".join(said(at) for at in later)
            zh = "；".join(said_zh(at) for at in later)
            raise errors.Conflict(f"repayments were booked on recovery {rid} after this one ({en}): reverse those"
                                  " first, latest first, then this one (and book again those that were right), so"
                                  " each puts back what it found",
                                  zh=f"追回款项 {rid} 在这笔之后还登记了还款（{zh}）：请先从最后一笔起依次冲回，再冲回"
                                     "这一笔（其中正确的请重新登记），以便逐笔恢复原状")
        return found[-1]

    def _restored(self, claim: Claim, moment: Any, recovery_id: str, by: Principal,
                  kept_after: Decimal) -> list[Aggregate]:
        """The revoked award's entries put back as the repayment made at `moment` found them, on every account it
        changed, keeping no more than `kept_after` (a payout of the award reversed since took its part off: the
        entry as found would put it back, a probe's cap and ladder held 40,000 too much); refused where another claim
        has since taken what it freed there, or where the repayment's changes cannot be found (recorded before a
        command's events shared one moment)."""
        cid, restored = str(claim.id), []
        for key in claim.accounts:
            if not keeps_paid(key):
                continue
            account = self._account(key)
            entry = account.entries.get(cid)
            if entry is None:
                continue
            changed = next((e for e in self.events.get(account.id)
                            if e.timestamp == moment and getattr(e, "claim_id", None) == cid), None)
            if changed is None:
                if entry["status"] == "approved":
                    raise errors.Conflict(
                        f"the repayment on recovery {recovery_id} was recorded before the ledger kept what each"
                        f" command changed together, and what it took off account {key} cannot be put back exactly;"
                        " record the correction with the district's auditor",
                        zh=f"追回款项 {recovery_id} 的这笔还款登记于台账统一记录每条指令所作变更之前，无法准确恢复其对"
                           f"账户 {key} 的影响；请会同审计部门处理此项更正")
                continue
            before = self.repository.get(account.id, version=changed.originator_version - 1).entries
            was = before[cid]
            if was["status"] == "approved" and was["amount"] > kept_after:
                was = was | {"amount": kept_after, "gross": min(was["gross"], kept_after)}
            limit = self._cap_limit(key, claim.policy_version) if key.startswith("cap:") else None
            if limit is not None:  # a cap: the room it has, whoever took some since
                _room_left(account.entries, was, cid, key, recovery_id, limit)
            else:  # a ladder, subject or slot: no other claim holds more than it did
                _nothing_taken(account.entries, before, cid, key, recovery_id)
            account.restore(cid, was["status"], was["amount"], was["gross"], by.name)
            restored.append(account)
        return restored

    def _cap_limit(self, key: str, policy_version: str) -> Decimal | None:
        """The limit of cap account `key` in the catalogue version its claim was decided under (else the newest)."""
        cap = read_cap_key(key)
        catalogue = next((c for c in self.versions if c.policy.version == policy_version), self.versions[-1])
        if cap.scope == "pool":
            pool = catalogue.pools.get(cap.programme)
            return None if pool is None else pool.limit
        programme = catalogue.programme(cap.programme)
        found = next((c for c in programme.caps if c.scope.value == cap.scope), None) if programme else None
        return None if found is None else found.limit

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
        kept, touched = self._kept_now(recovery, claim, by)
        # Echoed on the claim whatever it counted on (a claim paid as required counts on no account, a one-time
        # slot revoked before kept_on was released whole): the sandbox's replay takes repaid money out of its totals
        # by this event.
        claim.record_repayment(str(recovery.id), value, kept, by.name, received_on)
        # What the repayment freed is offered to the proposals waiting on it, as a revocation's release is (a
        # regression probe: a little giant's proposal stayed at 900,000 once the SME honour's 100,000 came back).
        again = self._freed_proposals([claim], {a.key: a for a in touched}, by, because="the repayment on claim")
        return list({id(a): a for a in [*touched, claim, *again]}.values())

    def _kept_now(self, recovery: Recovery, claim: Claim, by: Principal) -> tuple[Decimal, list[Aggregate]]:
        """What the revoked award counts on its caps, ladders and subject now (what was paid, net of reversals,
        less what has come back), and the accounts that changed to say so (`AwardAccount.keep`, or released once
        nothing is kept)."""
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
        return kept, touched

    def _reversed_on_revoked(self, by: Principal, payout: Payout, claim: Claim, reason: str,
                             document_ref: str | None) -> list[Aggregate]:
        """A payout of a revoked award reversed (booked on the wrong claim, or for the wrong amount): the award was
        paid that much less, so its recovery is owed that much less (`Recovery.Reduced`), its caps, ladders and
        subject keep that much less, and its fund year gets it back, as the revocation released what was never
        paid. The ledger then stands as if the payout had been reversed before the revocation. Money repaid or
        written off on the recovery is not undone here: a reversal above what is outstanding is refused, naming
        what to reverse first. The aggregates it changes."""
        pid, value = str(payout.id), payout.amount
        if claim.recovery_id is None:  # paid and revoked always opens one; an old log may say otherwise
            raise errors.InvalidState(f"claim {claim.id} was revoked with nothing paid, so payout {pid} cannot be"
                                      " one of its standing payouts; verify the ledger (GET /v1/audit/verify)",
                                      zh=f"申请 {claim.id} 撤销时没有已拨付金额，拨付 {pid} 不可能是其现存拨付；"
                                         "请核验账本（GET /v1/audit/verify）", field="payout_id")
        rid = UUID(claim.recovery_id)
        recovery = self._get(Recovery, rid, f"recovery {rid}")
        self._intact(rid, f"recovery {rid}")
        if value > recovery.outstanding:
            settled = [(recovery.recovered, "repaid", "已追回", "repayment", "还款", "repayments/reverse"),
                       (recovery.written_off, "written off", "已核销", "write-off", "核销", "write-off/reverse")]
            settled = [s for s in settled if s[0]]
            said = " and ".join(f"{yuan(s[0])} {s[1]}" for s in settled)
            said_zh = "，".join(f"{s[2]} {yuan(s[0])} 元" for s in settled)
            paths = "; ".join(f"{s[3]}: POST /v1/recoveries/{rid}/{s[5]}" for s in settled)
            paths_zh = "；".join(f"{s[4]}：POST /v1/recoveries/{rid}/{s[5]}" for s in settled)
            raise errors.InvalidState(
                f"payout {pid} ({yuan(value)}) is more than the {yuan(recovery.outstanding)} still outstanding on"
                f" recovery {rid} of the revoked claim {claim.id} ({said} on it): reversing it would leave the"
                " recovery owing less than was already settled. If that was booked in error, reverse it first"
                f" ({paths}), then reverse the payout; nothing was recorded",
                zh=f"拨付 {pid}（{yuan(value)} 元）超过已撤销申请 {claim.id} 的追回款项 {rid} 尚未追回的"
                   f" {yuan(recovery.outstanding)} 元（该追回款项{said_zh}）："
                   "冲回后追回总额将少于已追回和已核销的金额。"
                   f"如系误登记，请先冲回（{paths_zh}），再冲回该拨付；本次未记录任何内容",
                field="payout_id", recovery_id=str(rid))
        payout.reverse(reason, by.name, document_ref)
        recovery.reduce(value, pid, reason, document_ref, by.name)
        kept, touched = self._kept_now(recovery, claim, by)
        claim.reverse_payout(pid, by.name, reason, document_ref, amount=value, kept_amount=kept, recovery_id=str(rid))
        if claim.pays_award:  # the fund gets back what was never paid, as the revocation's release did
            fund = self._get_or_none(FundYear, FundYear.create_id(claim.award_year))
            if fund is not None:
                fund.release(str(claim.id), value, by.name)
                touched.append(fund)
        again = self._freed_proposals([claim], {a.key: a for a in touched if isinstance(a, AwardAccount)}, by,
                                      because="the reversal of a payout of claim")
        return list({id(a): a for a in [payout, recovery, *touched, claim, *again]}.values())

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

    def reverse_write_off(self, by: Principal, *, recovery_id: str, reason: str, document_ref: str,
                          dry_run: bool = False, key: str | None = None) -> Outcome:
        """What was written off is owed again, with why and the document (money came back after all, or the
        write-off was recorded in error; a finance probe's debtor paid through the courts after the write-off, and
        the ledger had no way to take the money). Nothing moves on the revoked award's accounts: written off, its
        paid part counted there as kept, and owed again it still does."""
        require_role(by, Role.FINANCE, doing="write off recoveries")
        rid = uuid_of(recovery_id, "recovery")
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")

        def decide() -> tuple[list[Aggregate], dict]:
            recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
            self._intact(rid, f"recovery {recovery_id}")
            if recovery.written_off <= 0:
                raise errors.InvalidState(f"recovery {recovery_id} has nothing written off to reverse (outstanding"
                                          f" {yuan(recovery.outstanding)}); a repayment is recorded as it comes",
                                          zh=f"追回款项 {recovery_id} 没有已核销的金额可冲回（尚未追回"
                                             f" {yuan(recovery.outstanding)} 元）；还款请直接登记")
            recovery.reverse_write_off(recovery.written_off, reason, document_ref, by.name)
            return [recovery], views.recovery(recovery)

        args = {"recovery": str(rid), "reason": reason, "doc": document_ref}
        return self._run(by, key, "reverse_write_off", args, decide, dry_run=dry_run)

    def recovery(self, recovery_id: str, by: Principal | None = None) -> dict:
        """A recovery as `by` may read it: a bureau only those of the programmes it leads (as the list shows)."""
        rid = uuid_of(recovery_id, "recovery")
        recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
        if by is not None and by.role == Role.BUREAU and by.bureau != recovery.lead:
            raise errors.NotLeadBureau(f"recovery {recovery_id} is under {recovery.programme}, led by {recovery.lead};"
                                       f" {by.name} may read the recoveries of the programmes it leads",
                                       zh=f"追回款项 {recovery_id} 属于{self._programme_zh(recovery.programme)}"
                                          f"，由{self._bureau_zh(recovery.lead)}牵头；"
                                          f"{by.name} 只能查看本部门牵头项目的追回款项")
        return views.recovery(recovery)

    def _open_recovery(self, recovery_id: str, rid, doing: str) -> Recovery:
        recovery = self._get(Recovery, rid, f"recovery {recovery_id}")
        self._intact(rid, f"recovery {recovery_id}")
        if recovery.status == "closed":
            raise errors.InvalidState(f"recovery {recovery_id} is closed (recovered {yuan(recovery.recovered)},"
                                      f" written off {yuan(recovery.written_off)}); there is nothing left to"
                                      f" {doing}: nothing is outstanding",
                                      zh=f"追回款项 {recovery_id} 已结案（已追回 {yuan(recovery.recovered)} 元，已核销"
                                         f" {yuan(recovery.written_off)} 元），尚未追回金额为零，没有可核销的金额")
        return recovery


def _not_above_zero() -> errors.LedgerError:
    return errors.InvalidAmount("a repayment must be more than 0.00", zh="还款金额必须大于 0.00")


def _not_ahead(received_on: date) -> None:
    beijing.not_ahead(received_on, "received_on", "到账日期", "record a repayment on the day the bank received it,"
                      " or later", "请在银行实际到账当日或之后登记还款")


def _above_outstanding(value: Decimal, recovery: Recovery, recovery_id: str) -> errors.LedgerError:
    return errors.OverRecovered(f"a repayment of {yuan(value)} is more than the {yuan(recovery.outstanding)} still"
                                f" outstanding on recovery {recovery_id}; record at most that much and return the"
                                " difference to the payer",
                                zh=f"还款金额 {yuan(value)} 元超过追回款项 {recovery_id} 尚未追回的"
                                   f" {yuan(recovery.outstanding)} 元；请最多登记该金额，多出部分退还付款人")


def _amount_refused(amount: Decimal, recovery: Recovery, recovery_id: str) -> None:
    """A repayment's amount read alone: above 0.00, and (while the recovery is open) no more than is outstanding."""
    if (value := money(amount)) <= 0:
        raise _not_above_zero()
    if recovery.status == "open" and value > recovery.outstanding:
        raise _above_outstanding(value, recovery, recovery_id)


def _room_left(now: dict[str, dict], was: dict, cid: str, key: str, recovery_id: str, limit: Decimal) -> None:
    """Refuse where the cap would pass its limit with the revoked award's paid part back on it: other claims took
    the room the repayment freed since (a regression probe had any later claim on a cap block the reversal, though
    the cap had room for both)."""
    live = [(other, e) for other, e in now.items() if other != cid and e["status"] in LIVE]
    held = sum((e["amount"] for _, e in live), ZERO) + (was["amount"] if was["status"] in LIVE else ZERO)
    if held > limit:
        takers = sorted(other for other, _ in live)
        shown = ", ".join(takers[:5]) + (" …" if len(takers) > 5 else "")
        raise errors.Conflict(
            f"since the repayment on recovery {recovery_id}, claims on cap {key} ({shown}) hold what it freed: with"
            f" the revoked award's paid part back, the cap would hold {yuan(held)}, past its {yuan(limit)}. The"
            " bureau first withdraws, rejects or revokes what should not stand, or the repayment stands",
            zh=f"这笔还款登记后，额度账户 {key} 上的申请（{shown}）已占用其释放的额度：冲回后该额度将计入"
               f" {yuan(held)} 元，超过上限 {yuan(limit)} 元；请先由牵头部门撤回、驳回或撤销不应保留的申请，"
               "否则这笔还款不能冲回",
            claim_id=takers[0] if takers else None)


def _nothing_taken(now: dict[str, dict], before: dict[str, dict], cid: str, key: str, recovery_id: str) -> None:
    """Refuse where a claim other than `cid` holds more on the account now than before the repayment (live now and
    not then, or for more): the room the repayment freed was taken since, and putting the revoked award's part back
    would count money twice there."""
    for other, entry in now.items():
        if other == cid or entry["status"] not in LIVE:
            continue
        then = before.get(other)
        if then is None or then["status"] not in LIVE or entry["amount"] > then["amount"] \
                or entry["gross"] > then["gross"]:
            raise errors.Conflict(
                f"since the repayment on recovery {recovery_id}, claim {other} ({entry['status']}) has taken what it"
                f" freed on account {key}: reversing it would count the revoked award's paid part there again, beside"
                f" claim {other}'s; the bureau first withdraws, rejects or revokes claim {other} if it should not"
                " stand, or the repayment stands",
                zh=f"这笔还款登记后，申请 {other}（{status_zh(entry['status'])}）已占用其在账户 {key} 上释放的额度："
                   f"冲回将使已撤销奖补的已拨付部分与申请 {other} 重复计算；如该申请不应保留，请先由牵头部门撤回、"
                   "驳回或撤销，否则这笔还款不能冲回",
                claim_id=other)
