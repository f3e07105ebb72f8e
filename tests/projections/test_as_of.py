"""As-of queries: an organisation's award state as the ledger knew it at a past moment."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime
from decimal import Decimal

from ledger.application import AwardLedger
from projections import Projector, ReadModels
from tests.projections.workload import ADMIN, FINANCE, KJJ, SCJGJ, bulk_workload
from tests.support import unique_id, unique_uscc


def _moment() -> datetime:
    """A timestamp strictly between the commands before and after it."""
    time.sleep(0.002)
    moment = datetime.now(UTC)
    time.sleep(0.002)
    return moment


def _member_of_new_body(ledger: AwardLedger, *members: str) -> str:
    for uscc in members:
        ledger.register_organisation(ADMIN, uscc=uscc, name=f"Org {uscc}", in_district=True)
    body = unique_id("B-")
    ledger.register_body(ADMIN, body_id=body, name="Consortium", kind="consortium", lead_uscc=members[0],
                         recognised_on=date(2022, 10, 1))
    for uscc in members[1:]:
        ledger.add_member(ADMIN, body_id=body, uscc=uscc, joined_on=date(2022, 11, 1))
    return body


def test_as_of_totals_before_and_after_a_payout_and_a_reversal(ledger: AwardLedger, read_models: ReadModels,
                                                                 projector: Projector):
    """Before the payout nothing is paid; after it, the payout is; after its reversal, it is outstanding again."""
    uscc = unique_uscc()
    before_registration = _moment()
    _member_of_new_body(ledger, uscc)
    ledger.record_appropriation(FINANCE, year=2023, amount=Decimal("300000000"), document_ref="czj-2023")
    claim = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2023,
                                effective_on=date(2023, 3, 1), basis_amount=Decimal("1000000")).view["id"]
    pending = _moment()
    ledger.approve_claim(KJJ, claim_id=claim)
    approved = _moment()
    payout = ledger.record_payout(FINANCE, claim_id=claim, amount=Decimal("120000"), paid_on=date(2023, 4, 1),
                                  bank_ref="bank-1").view["id"]
    paid = _moment()
    last = ledger.reverse_payout(FINANCE, payout_id=payout, reason="wrong account")
    reversed_ = _moment()
    assert read_models.wait(last.position, timeout=10)

    def totals(at: datetime) -> dict:
        found = read_models.award_state(uscc, as_of=at)["totals"]
        return {k: found[k] for k in ("entitled", "approved", "paid", "outstanding")}

    assert read_models.award_state(uscc, as_of=before_registration) is None
    assert totals(pending) == {"entitled": "300000.00", "approved": "0.00", "paid": "0.00", "outstanding": "0.00"}
    assert totals(approved) == {"entitled": "300000.00", "approved": "300000.00", "paid": "0.00",
                                "outstanding": "300000.00"}
    assert totals(paid) == {"entitled": "300000.00", "approved": "300000.00", "paid": "120000.00",
                            "outstanding": "180000.00"}
    assert totals(reversed_) == totals(approved)
    assert {k: v for k, v in read_models.award_state(uscc)["totals"].items()
            if k in ("entitled", "approved", "paid", "outstanding")} == totals(reversed_)
    assert read_models.award_state(uscc, as_of=paid)["as_of"] == paid.isoformat()
    assert read_models.award_state(uscc, as_of=paid)["caps"][0]["used"] == "300000.00"


def test_as_of_sees_a_shared_cap_as_it_stood_then(ledger: AwardLedger, read_models: ReadModels,
                                                   projector: Projector):
    """An organisation-year cap shared with another member shows that member's use as of the moment asked."""
    lead, member = unique_uscc(), unique_uscc()
    _member_of_new_body(ledger, lead, member)
    ledger.record_appropriation(FINANCE, year=2024, amount=Decimal("300000000"), document_ref="czj-2024")
    std = dict(programme="A11.standard", award_year=2024, effective_on=date(2024, 3, 1))
    ledger.submit_claim(SCJGJ, uscc=member, tier="national", rank=1, subject="standard:GB-9", **std)
    alone = _moment()
    claim = ledger.submit_claim(SCJGJ, uscc=lead, tier="international_participate", subject="standard:GB-8", **std)
    shared = _moment()
    last = ledger.approve_claim(SCJGJ, claim_id=claim.view["id"], amount=Decimal("300000"))
    assert read_models.wait(last.position, timeout=10)

    def cap(at: datetime | None) -> dict:
        return next(c for c in read_models.award_state(member, as_of=at)["caps"] if c["scope"] == "organisation_year")

    assert (cap(alone)["used"], cap(alone)["remaining"]) == ("200000.00", "800000.00")
    assert (cap(shared)["used"], cap(shared)["remaining"]) == ("700000.00", "300000.00")
    assert (cap(None)["used"], cap(None)["remaining"]) == ("500000.00", "500000.00")
    assert read_models.award_state(member, as_of=shared)["totals"]["entitled"] == "200000.00"


def test_as_of_folds_only_the_organisations_own_history(ledger: AwardLedger, read_models: ReadModels,
                                                         projector: Projector):
    """An as-of answer replays the organisation's own events, however many others the store holds."""
    uscc = unique_uscc()
    _member_of_new_body(ledger, uscc)
    bulk_workload(ledger, 40)
    last = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2023,
                               effective_on=date(2023, 3, 1), basis_amount=Decimal("1000"))
    assert read_models.wait(last.position, timeout=10)

    state = read_models.award_state(uscc, as_of=_moment())

    assert state["folded"] == len(read_models.history(uscc)) == 4  # registered, recognised, joined, claimed
    assert ledger.recorder.max_notification_id() > 400


def test_as_of_before_and_after_a_revocation(ledger: AwardLedger, read_models: ReadModels, projector: Projector):
    """Before the revocation the award stands and is paid; after it, nothing stands and the paid part is owed."""
    uscc = unique_uscc()
    _member_of_new_body(ledger, uscc)
    ledger.record_appropriation(FINANCE, year=2023, amount=Decimal("300000000"), document_ref="czj-2023")
    claim = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2023,
                                effective_on=date(2023, 3, 1), basis_amount=Decimal("1000000")).view["id"]
    ledger.approve_claim(KJJ, claim_id=claim)
    ledger.record_payout(FINANCE, claim_id=claim, amount=Decimal("120000"), paid_on=date(2023, 4, 1), bank_ref="b-9")
    paid = _moment()
    rid = ledger.revoke_claim(KJJ, claim_id=claim, reason="虚报", document_ref="REV-9").view["recovery_id"]
    revoked = _moment()
    last = ledger.record_repayment(FINANCE, recovery_id=rid, amount=Decimal("20000"), received_on=date(2024, 1, 2),
                                   bank_ref="r-9")
    assert read_models.wait(last.position, timeout=10)
    before, after = (read_models.award_state(uscc, as_of=at)["totals"] for at in (paid, revoked))
    assert (before["approved"], before["paid"], before["to_recover"]) == ("300000.00", "120000.00", "0.00")
    assert (after["approved"], after["paid"], after["to_recover"]) == ("0.00", "0.00", "120000.00")
    now = read_models.award_state(uscc)["totals"]
    assert (now["to_recover"], now["recovered"]) == ("100000.00", "20000.00")


def test_a_revoked_awards_reversals_leave_its_reconciliation_row_with_its_payments(
        ledger: AwardLedger, read_models: ReadModels, projector: Projector):
    """An audit probe: a revoked award's approval and payments left its row but its reversal stayed, and a signed
    close read "paid 0.00, reversed 100,000.00". The row's reversed counts the standing awards' reversals, as its
    approved and paid do."""
    uscc = unique_uscc()
    _member_of_new_body(ledger, uscc)
    ledger.record_appropriation(FINANCE, year=2024, amount=Decimal("300000000"), document_ref="czj-2024")

    def row() -> dict:
        found = [r for r in read_models.reconciliation(2024)["rows"] if (r["programme"], r["bureau"]) == (
            "A5.voucher", "kjj")]
        return found[0] if found else {"approved": "0.00", "paid": "0.00", "reversed": "0.00"}

    claim = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2024,
                                effective_on=date(2024, 3, 1), basis_amount=Decimal("1000000")).view["id"]
    ledger.approve_claim(KJJ, claim_id=claim)
    payout = ledger.record_payout(FINANCE, claim_id=claim, amount=Decimal("100000"), paid_on=date(2024, 4, 1),
                                  bank_ref=unique_id("b-")).view["id"]
    ledger.reverse_payout(FINANCE, payout_id=payout, reason="账户有误")
    last = ledger.record_payout(FINANCE, claim_id=claim, amount=Decimal("200000"), paid_on=date(2024, 5, 1),
                                bank_ref=unique_id("b-"))
    assert read_models.wait(last.position, timeout=10)
    before = row()
    last = ledger.revoke_claim(KJJ, claim_id=claim, reason="虚报", document_ref="REV-24")
    assert read_models.wait(last.position, timeout=10)
    after = row()
    for figure, gone in (("approved", "300000.00"), ("paid", "200000.00"), ("reversed", "100000.00")):
        assert Decimal(before[figure]) - Decimal(after[figure]) == Decimal(gone), (figure, before, after)
