"""An organisation leaves the district (or re-enters it) on a date: claims effective from that day are
judged `not_eligible` by the rules (Art. 1 benefits units inside the district); what was awarded before
stands. A change that would not change anything on its day is refused. A departure withdraws the open proposals
(免申即享) it makes ineligible, naming it: a proposal the organisation can no longer be paid on is not left in the
bureau's queue at its old figure (a probe found the summary counting it until confirming was refused). A re-entry
proposes again what the organisation's certifications open from its day, so the order the facts are recorded in
does not decide what is proposed."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.domain import Aggregate

from ledger import beijing, views
from ledger.domain import errors
from ledger.domain.claim import Claim
from ledger.domain.organisation import Organisation
from ledger.domain.values import Uscc
from ledger.principals import Principal, Role
from ledger.usecases.common import require_role, text, uuid_of

if TYPE_CHECKING:
    from ledger.application import Outcome


class DistrictChanges:
    def change_district(self, by: Principal, *, uscc: str, in_district: bool, effective_on: date, reason: str,
                        document_ref: str, dry_run: bool = False, key: str | None = None) -> Outcome:
        require_role(by, Role.ADMIN, Role.BUREAU, doing="record an organisation leaving or entering the district")
        code = Uscc.parse(uscc).value
        reason, document_ref = text(reason, "reason"), text(document_ref, "document_ref")
        # The organisation's `in_district` is what its latest change says: one dated ahead showed a unit still inside
        # as outside, while claims of today's facts were still taken (a corrections probe, 2099-01-01). As a
        # revocation, a repayment and a payout, a change is recorded on or after its day.
        beijing.not_ahead(effective_on, "effective_on", "生效日期",
                          "record a move on or after the day it takes effect, with that day",
                          "迁出或迁入请在生效当日或之后登记，并填写生效日期")

        def decide() -> tuple[list[Aggregate], dict]:
            org = self._organisation(code)
            if org.in_district_on(effective_on) == bool(in_district):
                where = "inside" if in_district else "outside"
                raise errors.InvalidState(f"{code} is already {where} the district on {effective_on}; record"
                                          f" {'a departure' if in_district else 'a re-entry'} instead, or another date",
                                          zh=f"{code} 在 {effective_on} 已"
                                             f"{'在辖区内' if in_district else '不在辖区内'}；"
                                             f"请改为记录{'迁出' if in_district else '迁入'}，或另选日期")
            org.change_district(bool(in_district), effective_on, reason, document_ref, by.name)
            if in_district:
                # Back inside: what its certifications open from that day is proposed, as when they were recorded
                # (a proposal a departure withdrew comes back; one the bureau declined does not).
                made = self._reopen(org, effective_on, by, "district re-entry", code, lambda prog: True)
            else:
                made = self._withdraw_outside(org, effective_on, reason, document_ref, by)
            return [org, *made], views.organisation(org)

        args = {"uscc": code, "in": bool(in_district), "on": effective_on, "reason": reason, "doc": document_ref}
        return self._run(by, key, "change_district", args, decide, dry_run=dry_run)

    def _withdraw_outside(self, org: Organisation, effective_on: date, reason: str, document_ref: str,
                          by: Principal) -> list[Aggregate]:
        """The open proposals whose day now falls outside the district, withdrawn. Closed as `ineligible`, not as
        the bureau's withdrawal: a later fact (the organisation back in the district) may propose them again."""
        withdrawn: list[Aggregate] = []
        for pid in list(org.proposals):
            claim = self._get(Claim, uuid_of(pid, "claim"), f"claim {pid}")
            if claim.status != "proposed" or org.in_district_on(claim.effective_on):
                continue
            claim.withdraw(f"the organisation left the district on {effective_on.isoformat()}: {reason}", by.name,
                           document_ref)
            org.close_proposal(pid, "ineligible", by.name)
            withdrawn.append(claim)
        return withdrawn
