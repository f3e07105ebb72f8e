"""Prefetching covers the corrections' events too (withdrawals, revocations, recoveries, repayments, write-offs,
district changes, revoked certifications): folding them as they come reads none of their rows one at a time,
and a rebuild without prefetching writes the same rows."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.application import AwardLedger
from projections import ReadModels, check, rebuild
from projections.rebuild import catch_up
from projections.sql import SqlTables
from tests.projections.tables import dump
from tests.projections.test_prefetch import single_row_reads  # noqa: F401 - the fixture, used by name
from tests.store.conftest import ADMIN, FINANCE, KJJ, World
from tests.support import unique_id


def _phases(ledger: AwardLedger, organisations: int = 6):
    """The district (paid awards, pending claims, a certified ERC), then its corrections, then money back."""
    world = World(ledger)
    world.appropriate(2023)
    awards, pending = [], []
    for _ in range(organisations):
        award = world.approved(world.org(), "A5.voucher", basis_amount=Decimal("1000000.00"))
        ledger.record_payout(FINANCE, claim_id=award["id"], amount=Decimal("100000.00"), paid_on=date(2023, 7, 3),
                             bank_ref=unique_id("PAY-"))
        awards.append(award["id"])
        pending.append(world.claim(world.org(), "A5.voucher", basis_amount=Decimal("500000.00"))["id"])
    lead, leaving = world.org(), world.org()
    cert = world.certify(lead, "A3.erc", "municipal", body_id=world.body(lead, kind="erc", on=date(2022, 9, 6)))
    erc = world.approved(lead, "A3.erc", certification_id=cert)
    ledger.record_payout(FINANCE, claim_id=erc["id"], amount=Decimal("50000.00"), paid_on=date(2023, 7, 3),
                         bank_ref=unique_id("PAY-"))
    yield "set up"
    recoveries = [ledger.revoke_claim(KJJ, claim_id=cid, reason="核查不实", document_ref="杭高新科〔2024〕17号")
                  .view["recovery_id"] for cid in awards]
    for cid in pending:
        ledger.withdraw_claim(KJJ, claim_id=cid, reason="主动撤回")
    ledger.change_district(ADMIN, uscc=leaving, in_district=False, effective_on=date(2024, 1, 1), reason="迁出",
                           document_ref="迁出证明")
    ledger.revoke_certification(KJJ, certification_id=cert, reason="复核不再符合", effective_on=date(2024, 1, 1),
                                document_ref="杭高新科〔2024〕18号")
    yield "corrected"
    for n, rid in enumerate(recoveries):
        ledger.record_repayment(FINANCE, recovery_id=rid, amount=Decimal("30000.00"), received_on=date(2024, 4, 2),
                                bank_ref=unique_id("REC-"))
        if n % 2:
            ledger.write_off_recovery(FINANCE, recovery_id=rid, reason="企业已注销", document_ref="滨财核〔2025〕3号")
    yield "repaid"


def corrections_workload(ledger: AwardLedger) -> None:
    for _ in _phases(ledger):
        pass


def test_folding_corrections_reads_no_row_one_at_a_time(database_url: str, ledger: AwardLedger,
                                                        single_row_reads: list[str]):  # noqa: F811
    """Corrections and repayments folded after the rows they change were written: every row they read is
    fetched with the page's own few queries, none one at a time."""
    models = ReadModels.open(database_url)
    try:
        for phase in _phases(ledger):
            catch_up(models.view, ledger)
            assert single_row_reads == [], phase
            single_row_reads.clear()  # the set-up's own first reads of absent rows are not the point
    finally:
        models.close()
    assert check(database_url) == []


def test_without_prefetching_corrections_rebuild_to_the_same_rows(database_url: str, ledger: AwardLedger,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  single_row_reads: list[str]):  # noqa: F811
    """Prefetching the corrections' rows is only a hint: without it, in small pages, the rows are the same."""
    corrections_workload(ledger)
    rebuild(database_url)
    prefetched = dump(database_url)
    monkeypatch.setattr(SqlTables, "prefetch", lambda self, table, keys: None)
    rebuild(database_url, size=7)
    assert single_row_reads
    assert dump(database_url) == prefetched
    assert check(database_url) == []
