"""The demo district's corrections (issue 15): a few pending claims withdrawn by their applicants, two awards
revoked after an inspection (one fully paid, one paid in part, so the unpaid part is released) and the fully
paid one's recovery repaid in part. Chosen in the order the demo writes, never at random, so the same seed
chooses the same claims; every command carries a key derived from the seed, so a rerun writes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledger import beijing
from ledger.catalogue.model import Kind
from ledger.domain.values import fen_down

if TYPE_CHECKING:
    from ledger.demo import _Claim

WITHDRAWALS = 3
REPAID_SHARE = Decimal("0.4")  # of the recovery: the organisation pays back part, the rest stays owed
WITHDRAWN_BECAUSE = "申请单位主动撤回申请"
REVOKED_BECAUSE = "核查发现申报数据不实，依规撤销奖补"


@dataclass(eq=False)
class Correction:
    action: str  # withdraw | revoke
    claim: _Claim
    claim_id: str
    repay: bool = False  # revocations only: part of the recovery is repaid
    paid_on: date | None = None


class DemoCorrections:
    """Mixed into the demo: picks the corrections while claims and payouts are written, then writes them."""

    # What the demo (ledger/demo.py) provides: its summary, principals and `_do`/`_doc` writers.
    corrections: list[Correction]
    summary: Any
    by: dict[str, Any]
    finance: Any

    def _consider_withdrawal(self, c: _Claim, claim_id: str) -> None:
        """A claim left pending: the first few are withdrawn by their applicants."""
        if sum(x.action == "withdraw" for x in self.corrections) < WITHDRAWALS:
            self.corrections.append(Correction("withdraw", c, claim_id))

    def _consider_revocation(self, c: _Claim, claim_id: str, approved: Decimal, paid: Decimal) -> None:
        """After its payouts: the first fully paid award and the first paid in part are revoked."""
        if c.reversal or c.programme.kind is Kind.INVESTMENT or paid <= 0 or not c.instalments:
            return
        full = paid == approved
        if any(x.action == "revoke" and x.repay == full for x in self.corrections):
            return
        self.corrections.append(Correction("revoke", c, claim_id, repay=full, paid_on=c.instalments[-1][1]))

    def _correct(self, x: Correction) -> None:
        by = self.by[x.claim.programme.lead]
        if x.action == "withdraw":
            if self._do("withdraw_claim", f"{x.claim.tag}-withdraw", by, claim_id=x.claim_id,
                        reason=WITHDRAWN_BECAUSE) is not None:
                self.summary.withdrawn += 1
            return
        doc = self._doc(x.claim.programme.lead, x.paid_on or beijing.today(), f"{x.claim.tag}-revoke")
        view = self._do("revoke_claim", f"{x.claim.tag}-revoke", by, claim_id=x.claim_id,
                        reason=REVOKED_BECAUSE, document_ref=doc)
        if view is None:
            return
        owed = Decimal(view["to_recover"])
        self.summary.revoked += 1
        self.summary.approved -= Decimal(view["approved_amount"])
        self.summary.paid -= owed
        self.summary.released += Decimal(view["released_amount"])
        self.summary.to_recover += owed
        if x.repay and view["recovery_id"]:
            self._repay(x, view["recovery_id"], fen_down(owed * REPAID_SHARE))

    def _repay(self, x: Correction, recovery_id: str, amount: Decimal) -> None:
        on = (x.paid_on or beijing.today()) + timedelta(days=150)
        if self._do("record_repayment", f"{x.claim.tag}-repayment", self.finance,
                    recovery_id=recovery_id, amount=amount, received_on=on,
                    bank_ref=f"BJHK{on:%Y%m%d}-{x.claim.tag}") is not None:
            self.summary.to_recover -= amount
            self.summary.recovered += amount
