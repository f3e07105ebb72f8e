"""A revocation racing payouts of the same claim (PostgreSQL, two application instances): money paid on a
revoked award always has a recovery for exactly that much, and no payout lands after the revocation."""
from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from threading import Barrier
from uuid import UUID

import pytest

from ledger.application import AwardLedger
from ledger.domain import errors
from tests.store.conftest import FINANCE, KJJ, World, instances

ROUNDS = 8
pytestmark = pytest.mark.postgres


@pytest.fixture
def ledgers(fresh_postgres_url: str) -> Iterator[list[AwardLedger]]:
    with instances(fresh_postgres_url, 2) as apps:
        yield apps


def _race(ledgers: list[AwardLedger], claim: str, n: int) -> list[str]:
    """Three payouts and one revocation of `claim`, released together; their outcomes, payouts first."""
    start = Barrier(4)

    def pay(i: int) -> str:
        start.wait()
        try:
            ledgers[i % 2].record_payout(FINANCE, claim_id=claim, amount=Decimal("5000"), paid_on=date(2023, 7, 1),
                                         bank_ref=f"RACE-{n}-{i}")
            return "paid"
        except errors.LedgerError as err:
            return err.code

    def revoke() -> str:
        start.wait()
        ledgers[1].revoke_claim(KJJ, claim_id=claim, reason="核查不实", document_ref=f"REV-{n}")
        return "revoked"

    with ThreadPoolExecutor(4) as pool:
        return [f.result() for f in [pool.submit(pay, i) for i in range(3)] + [pool.submit(revoke)]]


def test_a_revocation_racing_payouts_never_leaves_paid_money_without_a_recovery(ledgers: list[AwardLedger]) -> None:
    """Each round: three payouts and a revocation released together; afterwards recovery == net paid."""
    world = World(ledgers[0])
    world.appropriate(2023)
    for n in range(ROUNDS):
        org = world.org()
        claim = world.approved(org, "A5.voucher", basis_amount="100000")["id"]
        outcomes = _race(ledgers, claim, n)
        assert set(outcomes[:3]) <= {"paid", "invalid_state"}, outcomes
        final = ledgers[0].repository.get(UUID(claim))
        paid = Decimal("5000") * outcomes[:3].count("paid")
        assert final.status == "revoked" and final.paid_amount == paid
        if paid:
            assert ledgers[0].recovery(final.recovery_id)["amount"] == f"{paid:.2f}"
        else:
            assert final.recovery_id is None
