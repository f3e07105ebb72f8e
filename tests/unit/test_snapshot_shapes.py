"""The state of every aggregate the ledger snapshots keeps its shape: a snapshot is checked against folding the
aggregate's events (`verify`, `ledger/audit/snapshots.py`), so a field added to that state makes every snapshot a
store took before read as altered. An audit probe met exactly that: an appropriation entry given `by` and
`recorded_at` flagged each fund year's snapshot of an untouched store as tampered. A change to these shapes needs
a migration of the stored snapshots (or their retirement) with it, and this test changed in the same commit."""
from __future__ import annotations

from decimal import Decimal

from eventsourcing.domain import Snapshot

from ledger.application import AwardLedger
from ledger.domain.award_account import AwardAccount
from ledger.domain.fund_year import FundYear

BASE = {"id", "_created_on", "_modified_on", "_version"}


def _shape(aggregate: object) -> dict[str, object]:
    state = Snapshot.take(aggregate).state
    return {name: sorted(next(iter(value)).keys() if isinstance(value, list) else
                         next(iter(value.values())).keys() if isinstance(value, dict) and value
                         and isinstance(next(iter(value.values())), dict) else [])
            for name, value in state.items() if name not in BASE}


def test_the_snapshotted_aggregates_are_the_ones_pinned_here() -> None:
    assert set(AwardLedger.snapshotting_intervals) == {FundYear, AwardAccount}


def test_a_fund_years_state_keeps_the_shape_its_stored_snapshots_have() -> None:
    fund = FundYear(year=2024)
    fund.appropriate(Decimal("300000000.00"), "杭高新财〔2024〕1号", "finance-1")
    fund.charge("c-1", Decimal("200000.00"), "kjj")
    fund.release("c-1", Decimal("1000.00"), "kjj")
    assert _shape(fund) == {"year": [], "appropriations": ["amount", "document_ref"], "appropriated": [],
                            "approved": []}


def test_a_corrected_fund_year_alone_has_its_corrections_in_its_state() -> None:
    """A correction's list is made with the first one (no snapshot taken before this stop holds a correction), so a
    fund year never corrected keeps the shape above; one corrected adds `corrections`, and its snapshot folds back."""
    fund = FundYear(year=2024)
    fund.appropriate(Decimal("3000000.00"), "区财〔2024〕1号", "finance-1")
    fund.correct("区财〔2024〕1号", Decimal("300000.00"), Decimal("3000000.00"), "多打了一个零", "区财〔2024〕2号",
                 "finance-1", at="2024-03-01T00:00:00+00:00")
    assert _shape(fund) == {"year": [], "appropriations": ["amount", "document_ref"], "appropriated": [],
                            "approved": [], "corrections": ["amount", "appropriation_ref", "at", "by", "document_ref",
                                                            "reason", "was"]}
    again = Snapshot.take(fund).mutate(None)
    assert (again.appropriated, again.corrections) == (Decimal("300000.00"), fund.corrections)


def test_an_award_accounts_state_keeps_the_shape_its_stored_snapshots_have() -> None:
    account = AwardAccount(key="cap|A5.voucher|91330108MA00000001|2024")
    account.reserve("c-1", "A5.voucher", Decimal("1.00"), Decimal("1.00"), None, "kjj", uscc="91330108MA00000001")
    account.consume("c-1", Decimal("1.00"), "kjj")
    assert _shape(account) == {"key": [], "entries": ["amount", "gross", "programme", "status", "tier", "uscc"]}
    account.close("revoked", "kjj")
    assert _shape(account)["closed"] == []
