"""A revoked award's recovery (opened, repaid, written off) belongs to its claim's record: its receipt holds the
recovery's events and verifies offline (one without them is refused: the claim's Revoked names the recovery), and
the claim's history lists them with who, when, amounts, bank reference, reason and document."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from ledger import views
from ledger.audit import receipts
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from ledger.domain.recovery import Recovery
from tests.store.conftest import FINANCE, KJJ, World


def written_off(world: World) -> tuple[str, str]:
    """A voucher approved, 100,000.00 paid, revoked, 40,000.00 repaid, the rest written off: (claim, recovery)."""
    claim_id = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    world.ledger.record_payout(FINANCE, claim_id=claim_id, amount="100000", paid_on=date(2023, 7, 1),
                               bank_ref=f"PAY-{claim_id[:8]}")
    recovery_id = world.ledger.revoke_claim(KJJ, claim_id=claim_id, reason="申报不实",
                                            document_ref="撤销〔2024〕3号").view["recovery_id"]
    world.ledger.record_repayment(FINANCE, recovery_id=recovery_id, amount=Decimal("40000"),
                                  received_on=date(2024, 4, 2), bank_ref=f"BACK-{claim_id[:8]}")
    world.ledger.write_off_recovery(FINANCE, recovery_id=recovery_id, reason="企业已注销，无可追回财产",
                                    document_ref="核销〔2024〕7号")
    return claim_id, recovery_id


@pytest.fixture
def notary(database_url: str, world: World, tmp_path: Path) -> Notary:
    return Notary(AuditChain.open(database_url), Signer.load_or_create(tmp_path / "keys" / "key.pem")[0])


def test_a_receipt_holds_the_recovery_and_verifies(notary: Notary, world: World) -> None:
    """The receipt of a revoked award lists its recovery's Opened, Repaid and WrittenOff events, with the
    write-off's reason and document, and `check` accepts it with the public key alone."""
    claim_id, recovery_id = written_off(world)
    receipt = receipts.for_claim(world.ledger, notary, claim_id)
    recovery = [e for e in receipt["events"] if UUID(e["aggregate_id"]) == UUID(recovery_id)]
    assert [e["event"] for e in recovery] == ["Recovery.Opened", "Recovery.Repaid", "Recovery.WrittenOff"]
    assert (recovery[2]["data"]["reason"], recovery[2]["data"]["document_ref"]) == ("企业已注销，无可追回财产",
                                                                                    "核销〔2024〕7号")
    assert receipts.check(receipt, notary.signer.public_pem) == []


def test_a_receipt_without_the_recovery_the_claim_names_is_refused(notary: Notary, world: World) -> None:
    """A receipt of the claim's and its payouts' events only (as issued before recoveries were included) no longer
    verifies: the claim's Revoked names the recovery, whose events must be there (a finance probe re-signed one
    without them, showing nothing owed, and it passed)."""
    claim_id, recovery_id = written_off(world)
    claim = world.ledger.claim(claim_id, with_history=False)
    own = notary.chain.aggregate_events([UUID(claim_id)])
    payouts = {p for row in own if (p := receipts.readable(bytes(row[4])).get("payout_id"))}
    rows = own + notary.chain.aggregate_events([UUID(p) for p in payouts])
    old = receipts.build(notary, claim, rows)
    assert UUID(recovery_id) not in {UUID(e["aggregate_id"]) for e in old["events"]}
    problems = receipts.check(old, notary.signer.public_pem)
    assert any(recovery_id in p["problem"] and "whose events the receipt does not carry" in p["problem"]
               for p in problems), problems


def test_an_unrelated_recovery_in_a_receipt_is_refused(notary: Notary, world: World) -> None:
    """Only the recovery the claim's own events name belongs in its receipt: another claim's is refused."""
    claim_id, mine = written_off(world)
    _, stranger = written_off(world)
    claim = world.ledger.claim(claim_id, with_history=False)
    own = notary.chain.aggregate_events([UUID(claim_id)])
    payouts = [UUID(p) for row in own if (p := receipts.readable(bytes(row[4])).get("payout_id"))]
    rows = own + notary.chain.aggregate_events([*payouts, UUID(mine), UUID(stranger)])
    problems = receipts.check(receipts.build(notary, claim, rows), notary.signer.public_pem)
    assert problems and all("nor to a payout or recovery its events name" in p["problem"] for p in problems)


def test_the_claim_history_lists_the_recovery(world: World) -> None:
    """The claim's history goes on past Revoked with the recovery's events, read from the events: who, when,
    the amounts, the repayment's day and bank reference, the write-off's reason and document."""
    claim_id, recovery_id = written_off(world)
    events = world.ledger.events
    history = views.claim_history(events.get(UUID(claim_id)), events.get(Recovery.create_id(claim_id)))
    assert [h["event"] for h in history][-4:] == ["Revoked", "Recovery.Opened", "Recovery.Repaid",
                                                  "Recovery.WrittenOff"]
    opened, repaid, written = history[-3:]
    assert {opened["recovery_id"], repaid["recovery_id"], written["recovery_id"]} == {recovery_id}
    assert (opened["amount"], opened["reason"], opened["document_ref"], opened["by"]) == (
        "100000.00", "申报不实", "撤销〔2024〕3号", KJJ.name)
    assert (repaid["amount"], repaid["received_on"], repaid["bank_ref"], repaid["by"]) == (
        "40000.00", "2024-04-02", f"BACK-{claim_id[:8]}", FINANCE.name)
    assert (written["amount"], written["reason"], written["document_ref"], written["by"]) == (
        "60000.00", "企业已注销，无可追回财产", "核销〔2024〕7号", FINANCE.name)
    assert all(h["recorded_at"] for h in history)
