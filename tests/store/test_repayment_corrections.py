"""Repayments corrected, on both stores: money that comes back after a write-off is booked against it, and a
repayment booked in error (on the wrong recovery, twice, for the wrong amount) is reversed, putting back exactly
what it took off the revoked award's accounts, unless another claim has taken that room since (a finance probe:
one bank receipt booked in full on two companies' recoveries, and nothing could undo it)."""
from __future__ import annotations

from datetime import date

import pytest

from ledger.domain import errors
from tests.store.conftest import FINANCE, KJJ, World

DAY = date(2024, 6, 20)


def _revoked(world: World, org: str, programme: str = "A5.voucher", paid: str = "50000", **facts) -> str:
    """An award of `org` approved, paid `paid` and revoked: its recovery's id."""
    claim = world.approved(org, programme, **facts)
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=paid, paid_on=date(2023, 7, 1),
                               bank_ref=f"PAY-{claim['id'][:8]}")
    return world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="核查发现申报数据不实",
                                     document_ref="杭高新科〔2024〕17号").view["recovery_id"]


def _repay(world: World, rid: str, amount: str, ref: str, day: date = DAY) -> dict:
    return world.ledger.record_repayment(FINANCE, recovery_id=rid, amount=amount, received_on=day,
                                         bank_ref=ref).view


def _reverse(world: World, rid: str, amount: str, ref: str, day: date = DAY) -> dict:
    return world.ledger.reverse_repayment(FINANCE, recovery_id=rid, amount=amount, received_on=day, bank_ref=ref,
                                          reason="误记入他户追回款项", document_ref="区财更〔2024〕12号").view


def test_money_that_comes_back_after_a_write_off_is_repaid_once_the_write_off_is_reversed(world: World) -> None:
    """A finance probe's debtor paid through the courts after the write-off, and the clerk was told only to send it
    back to the payer. The contract refuses a repayment above what is outstanding (over_recovered), and it still
    is, now told to reverse the write-off first; reversed, with why and the document, what was written off is owed
    again and the money is recorded as any repayment."""
    rid = _revoked(world, world.org(), basis_amount="100000", paid="30000")
    _repay(world, rid, "10000", "RCV-1", date(2024, 1, 5))
    world.ledger.write_off_recovery(FINANCE, recovery_id=rid, reason="企业已注销", document_ref="W-1")
    before = world.events()
    with pytest.raises(errors.OverRecovered) as over:
        _repay(world, rid, "5000", "COURT-1")
    assert "write-off/reverse" in over.value.detail and "冲回核销" in over.value.zh
    assert world.events() == before
    again = world.ledger.reverse_write_off(FINANCE, recovery_id=rid, reason="法院强制执行收回",
                                           document_ref="（2024）浙0108执123号").view
    assert (again["written_off"], again["outstanding"], again["status"], again["write_off_reason"]) == (
        "0.00", "20000.00", "open", None)
    court = _repay(world, rid, "5000", "COURT-1")
    assert (court["recovered"], court["outstanding"], court["status"]) == ("15000.00", "15000.00", "open")
    history = world.ledger.claim(world.ledger.recovery(rid)["claim_id"])["history"]
    assert [h["event"] for h in history][-3:] == ["Recovery.WrittenOff", "Recovery.WriteOffReversed",
                                                  "Recovery.Repaid"]
    with pytest.raises(errors.InvalidState):  # nothing is written off now
        world.ledger.reverse_write_off(FINANCE, recovery_id=rid, reason="r", document_ref="d")


def test_a_repayment_booked_on_the_wrong_recovery_is_reversed_and_the_slot_it_freed_is_held_again(
        world: World) -> None:
    """An alliance's one-time 300,000, paid and revoked: repaid in full, its slot is free (a new claim would be
    paid); the repayment was the wrong company's money, so it is reversed: the recovery is owed again, the slot
    is held by the paid part again (a new claim is already_awarded), and the history shows who, why and on what
    document. The right repayment is then booked."""
    org = world.org()
    alliance = world.body(lead=org, kind="alliance")
    rid = _revoked(world, org, "A3.alliance", paid="300000", body_id=alliance, requested_amount="300000")

    def alliance_claim() -> dict:
        return world.claim(org, "A3.alliance", body_id=alliance, requested_amount="300000")

    closed = _repay(world, rid, "300000", "RCV-2024-0620")
    assert closed["status"] == "closed"
    trial = alliance_claim()  # free again: the paid part came back in full
    assert trial["entitled_amount"] == "300000.00"
    world.ledger.withdraw_claim(KJJ, claim_id=trial["id"], reason="试算后撤回")
    reopened = _reverse(world, rid, "300000", "rcv-2024-0620")  # named as booked (case aside)
    assert (reopened["recovered"], reopened["outstanding"], reopened["status"]) == ("0.00", "300000.00", "open")
    assert reopened["repayments"] == [{"amount": "300000.00", "received_on": DAY.isoformat(),
                                       "bank_ref": "RCV-2024-0620", "reversed": True,
                                       "reversal_reason": "误记入他户追回款项",
                                       "reversal_document_ref": "区财更〔2024〕12号"}]
    with pytest.raises(errors.AlreadyAwarded):
        alliance_claim()
    claim_id = world.ledger.recovery(rid)["claim_id"]
    history = world.ledger.claim(claim_id)["history"]
    last = history[-1]
    assert (last["event"], last["amount"], last["kept_amount"], last["document_ref"], last["by"]) == (
        "Recovery.RepaymentReversed", "300000.00", "300000.00", "区财更〔2024〕12号", FINANCE.name)
    before = world.events()
    with pytest.raises(errors.InvalidState, match="already reversed"):  # once: named as reversed, not as none
        _reverse(world, rid, "300000", "RCV-2024-0620")
    assert world.events() == before
    again = _repay(world, rid, "300000", "RCV-2024-0701", date(2024, 7, 1))
    assert (again["recovered"], again["status"]) == ("300000.00", "closed")


def test_a_reversal_is_refused_where_another_claim_took_what_the_repayment_freed(world: World) -> None:
    """A voucher of 500,000 (the enterprise's yearly cap) paid and revoked, 200,000 repaid: 200,000 of the cap is
    free, and a new voucher claim takes it. Reversing the repayment would count the revoked award's 500,000 on the
    cap beside the new 200,000: refused `conflict`, naming the claim, writing nothing. Once the bureau withdraws that
    claim, the repayment can be reversed."""
    org = world.org()
    rid = _revoked(world, org, basis_amount="1666667", paid="500000")
    _repay(world, rid, "200000", "RCV-9")
    taker = world.claim(org, "A5.voucher", basis_amount="1000000")
    assert taker["entitled_amount"] == "200000.00"
    before = world.events()
    with pytest.raises(errors.Conflict) as taken:
        _reverse(world, rid, "200000", "RCV-9")
    assert taker["id"] in taken.value.detail and taker["id"] in taken.value.zh
    assert world.events() == before
    world.ledger.withdraw_claim(KJJ, claim_id=taker["id"], reason="待冲回后重新申请")
    back = _reverse(world, rid, "200000", "RCV-9")
    assert back["outstanding"] == "500000.00"
    with pytest.raises(errors.CapExceeded):  # the cap is the revoked award's paid part's again, in full
        world.claim(org, "A5.voucher", basis_amount="1000000")
    # A cap with room for both: a claim made since does not block the reversal (a regression probe had any later
    # claim on the cap block it): 100,000 paid and repaid in full, a 300,000 voucher claimed, the 100,000 back.
    other = world.org()
    rid = _revoked(world, other, basis_amount="1000000", paid="100000")
    _repay(world, rid, "100000", "RCV-10")
    since = world.claim(other, "A5.voucher", basis_amount="1000000")
    assert since["entitled_amount"] == "300000.00"
    assert _reverse(world, rid, "100000", "RCV-10")["outstanding"] == "100000.00"


def test_only_the_last_standing_repayment_is_reversed_later_ones_first(world: World) -> None:
    """Two repayments: the first is named, and the answer says to reverse the later one first (so each puts back
    what it found); reversed in that order, both stand reversed and the whole amount is owed again."""
    rid = _revoked(world, world.org(), basis_amount="1000000", paid="150000")
    _repay(world, rid, "100000", "RCV-A", date(2024, 6, 1))
    _repay(world, rid, "50000", "RCV-B", date(2024, 6, 2))
    with pytest.raises(errors.Conflict, match="RCV-B") as later:
        _reverse(world, rid, "100000", "RCV-A", date(2024, 6, 1))
    assert "RCV-B" in later.value.zh
    _reverse(world, rid, "50000", "RCV-B", date(2024, 6, 2))
    done = _reverse(world, rid, "100000", "RCV-A", date(2024, 6, 1))
    assert (done["recovered"], done["outstanding"]) == ("0.00", "150000.00")
    assert [r["reversed"] for r in done["repayments"]] == [True, True]
    # The one that was right is booked again as it was (a regression probe: the same receipt was refused as
    # already booked, its reversed booking counted), and reversing by mistake is undone the same way.
    again = _repay(world, rid, "50000", "RCV-B", date(2024, 6, 2))
    assert (again["recovered"], [r["reversed"] for r in again["repayments"]]) == ("50000.00", [True, True, False])
    with pytest.raises(errors.InvalidAmount):
        _reverse(world, rid, "0", "RCV-B", date(2024, 6, 2))
    with pytest.raises(errors.Forbidden):
        world.ledger.reverse_repayment(KJJ, recovery_id=rid, amount="1", received_on=DAY, bank_ref="X",
                                       reason="r", document_ref="d")
