"""Corrections on both stores: withdraw, revoke, recoveries, certification revocation, district changes."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain import errors
from tests.store.conftest import ADMIN, FINANCE, JXJ, KJJ, SCJGJ, World


def _voucher(world: World, org: str, basis: str = "1000000") -> dict:
    return world.claim(org, "A5.voucher", basis_amount=basis)


def test_withdrawing_a_pending_claim_frees_its_cap(world: World) -> None:
    """A withdrawn voucher claim gives its cap back, so a later claim gets the full amount again."""
    org = world.org()
    first = world.claim(org, "A5.voucher", basis_amount="2000000")  # 500,000 of the 500,000 yearly cap
    assert first["entitled_amount"] == "500000.00"
    answer = world.ledger.withdraw_claim(KJJ, claim_id=first["id"], reason="申请人撤回").view
    assert answer["status"] == "withdrawn" and answer["released_amount"] == "500000.00"
    assert _voucher(world, org)["entitled_amount"] == "300000.00"


def test_a_correction_that_cannot_apply_names_the_one_that_does(world: World) -> None:
    """Withdrawing an approved claim names /revoke; revoking a pending one names /withdraw; rejected: nothing."""
    org = world.org()
    approved = world.approved(org, "A5.voucher", basis_amount="100000")
    with pytest.raises(errors.InvalidState, match="/revoke"):
        world.ledger.withdraw_claim(KJJ, claim_id=approved["id"], reason="x")
    pending = _voucher(world, org, "100000")
    with pytest.raises(errors.InvalidState, match="/withdraw"):
        world.ledger.revoke_claim(KJJ, claim_id=pending["id"], reason="x", document_ref="D")
    world.ledger.reject_claim(KJJ, claim_id=pending["id"], reason="材料不全")
    with pytest.raises(errors.InvalidState, match="nothing was awarded"):
        world.ledger.revoke_claim(KJJ, claim_id=pending["id"], reason="x", document_ref="D")
    with pytest.raises(errors.NotLeadBureau):
        world.ledger.revoke_claim(JXJ, claim_id=approved["id"], reason="x", document_ref="D")
    # Revoked already: it was awarded, so not "nothing was awarded" (a queues probe); where its money is owed.
    world.ledger.record_payout(FINANCE, claim_id=approved["id"], amount="10000", paid_on=date(2023, 9, 1),
                               bank_ref=f"R-{org[-6:]}")
    recovery = world.ledger.revoke_claim(KJJ, claim_id=approved["id"], reason="x", document_ref="D").view["recovery_id"]
    with pytest.raises(errors.InvalidState, match=f"revoked already; an award is revoked once.*{recovery}") as again:
        world.ledger.revoke_claim(KJJ, claim_id=approved["id"], reason="y", document_ref="D2")
    assert "nothing was awarded" not in str(again.value) and "已被撤销" in again.value.zh
    with pytest.raises(errors.Forbidden):
        world.ledger.withdraw_claim(FINANCE, claim_id=approved["id"], reason="x")


def test_revoking_a_partly_paid_award_releases_the_rest_and_opens_a_recovery(world: World) -> None:
    """Approved 300,000, paid 100,000: revoke releases 200,000 to fund and cap, and 100,000 is to recover."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="1000000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="100000", paid_on=date(2023, 7, 1),
                               bank_ref="B-1")
    fund_before = Decimal(world.ledger.fund_year(2023)["approved"])
    answer = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="虚报数据",
                                       document_ref="杭高新科〔2024〕9号").view
    assert (answer["status"], answer["released_amount"]) == ("revoked", "200000.00")
    assert Decimal(world.ledger.fund_year(2023)["approved"]) == fund_before - Decimal("300000.00") + Decimal("100000")
    recovery = world.ledger.recovery(answer["recovery_id"])
    assert (recovery["amount"], recovery["outstanding"], recovery["status"]) == ("100000.00", "100000.00", "open")
    # The revoked award no longer counts on the cap: a new claim gets the full 300,000.
    assert _voucher(world, org)["entitled_amount"] == "300000.00"
    with pytest.raises(errors.InvalidState, match="only approved claims are paid"):
        world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="1", paid_on=date(2023, 8, 1), bank_ref="B-2")


def test_repayments_and_write_off_close_a_recovery(world: World) -> None:
    """Repaying more than is outstanding is over_recovered; a write-off closes it; a closed one takes nothing."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="100000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="30000", paid_on=date(2023, 7, 1),
                               bank_ref="B-3")
    rid = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="r", document_ref="D").view["recovery_id"]
    with pytest.raises(errors.OverRecovered):
        world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="30000.01", received_on=date(2024, 1, 5),
                                      bank_ref="R-1")
    with pytest.raises(errors.Forbidden):
        world.ledger.record_repayment(KJJ, recovery_id=rid, amount="1", received_on=date(2024, 1, 5), bank_ref="R")
    after = world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="10000", received_on=date(2024, 1, 5),
                                          bank_ref="R-1").view
    assert (after["recovered"], after["outstanding"], after["status"]) == ("10000.00", "20000.00", "open")
    closed = world.ledger.write_off_recovery(FINANCE, recovery_id=rid, reason="企业注销", document_ref="W-1").view
    assert (closed["written_off"], closed["outstanding"], closed["status"]) == ("20000.00", "0.00", "closed")
    # The write-off's own who, why and document, beside the revocation's.
    assert (closed["reason"], closed["document_ref"]) == ("r", "D")
    assert (closed["write_off_reason"], closed["write_off_document_ref"], closed["written_off_by"]) == (
        "企业注销", "W-1", FINANCE.name)
    with pytest.raises(errors.OverRecovered, match="closed"):  # nothing is outstanding: any repayment is above it
        world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="1", received_on=date(2024, 2, 1),
                                      bank_ref="R-2")
    with pytest.raises(errors.InvalidState, match="closed"):
        world.ledger.write_off_recovery(FINANCE, recovery_id=rid, reason="再次核销", document_ref="W-2")


def test_dry_run_answers_and_writes_nothing(world: World) -> None:
    """A dry-run revocation says what it would release and recover, and the store is unchanged."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="100000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="5000", paid_on=date(2023, 7, 1), bank_ref="B")
    before = world.events()
    preview = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="r", document_ref="D", dry_run=True).view
    assert preview["dry_run"] and preview["released_amount"] == "25000.00" and preview["to_recover"] == "5000.00"
    assert world.events() == before and world.ledger.claim(claim["id"])["status"] == "approved"


def test_revoking_a_certification_ends_every_claim_resting_on_it_whatever_its_date(world: World) -> None:
    """Every claim resting on the certification is ended, those effective before the revocation date too (the
    contract: "every proposed or pending claim resting on it is withdrawn, every approved one revoked"): what
    was not paid is released, what was paid becomes a recovery. No claim may rest on it again, of any date."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal", on=date(2023, 1, 1))
    early = world.approved(org, "A3.erc", certification_id=cert, year=2023, effective_on=date(2023, 2, 1))
    world.ledger.record_upgrade(KJJ, certification_id=cert, tier="provincial", effective_on=date(2024, 3, 1),
                                document_ref="UP")
    late = world.approved(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 4, 1))
    world.ledger.record_payout(FINANCE, claim_id=late["id"], amount="1000", paid_on=date(2024, 5, 1), bank_ref="E")
    answer = world.ledger.revoke_certification(KJJ, certification_id=cert, reason="复核不合格",
                                               effective_on=date(2024, 1, 1), document_ref="REV").view
    assert sorted((c["id"], c["status"]) for c in answer["claims"]) == sorted(
        [(early["id"], "revoked"), (late["id"], "revoked")])
    by_id = {c["id"]: c for c in answer["claims"]}
    assert by_id[late["id"]]["recovery_id"] and not by_id[early["id"]]["recovery_id"]
    assert answer["to_recover"] == "1000.00" and answer["released_amount"] == "499000.00"  # 200,000 + 299,000 unpaid
    assert (answer["released_from_awards"], answer["released_reservations"]) == ("499000.00", "0.00")
    assert world.ledger.claim(early["id"])["status"] == "revoked"
    with pytest.raises(errors.NotEligible, match="revoked"):
        world.approved(org, "A3.erc", certification_id=cert, year=2025, effective_on=date(2025, 1, 2))
    # Nor one dated before the revocation (a black-box probe claimed and was paid the revoked award again so),
    # nor an upgrade of it.
    with pytest.raises(errors.NotEligible, match="revoked"):
        world.claim(org, "A3.erc", certification_id=cert, year=2023, effective_on=date(2023, 2, 1))
    with pytest.raises(errors.InvalidState, match="revoked"):
        world.ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 6, 1),
                                    document_ref="UP2")


def test_revoking_a_designation_ends_every_claim_resting_on_it(world: World) -> None:
    """A6.chain_leader is the prerequisite of A8.orders and A6.chain_leader_rd (catalogue): those claims rest on the
    designation's certification, so its revocation ends them as a certification's does (contract: "every proposed
    or pending claim resting on it is withdrawn, every approved one revoked as above; the answer lists them"). A
    probe found the answer `claims: []`, a paid 800,000 left standing and two pending claims that could never be
    decided. After it no claim needing the designation is made, and the organisation no longer shows it."""
    org, other = world.org(), world.org()
    chain = world.ledger.record_certification(JXJ, uscc=org, programme="A6.chain_leader",
                                              effective_on=date(2023, 1, 10), document_ref="区经信〔2023〕3号").view
    world.ledger.record_certification(JXJ, uscc=other, programme="A6.chain_leader",
                                      effective_on=date(2023, 1, 10), document_ref="区经信〔2023〕4号")
    paid = world.approved(org, "A8.orders", by=JXJ, year=2023, basis_amount="150000000", requested_amount="800000")
    world.ledger.record_payout(FINANCE, claim_id=paid["id"], amount=Decimal("800000"), paid_on=date(2023, 8, 1),
                               bank_ref="B-CHAIN-1")
    pending = world.claim(org, "A8.orders", by=JXJ, year=2024, basis_amount="150000000", requested_amount="500000")
    rd = world.claim(org, "A6.chain_leader_rd", by=JXJ, year=2023, basis_amount="1000000")
    theirs = world.claim(other, "A8.orders", by=JXJ, year=2023, basis_amount="150000000", requested_amount="800000")
    answer = world.ledger.revoke_certification(JXJ, certification_id=chain["id"], reason="链主认定撤销",
                                               effective_on=date(2024, 1, 1), document_ref="区经信〔2024〕1号").view
    assert {c["id"]: c["status"] for c in answer["claims"]} == {
        paid["id"]: "revoked", pending["id"]: "withdrawn", rd["id"]: "withdrawn"}
    assert answer["to_recover"] == "800000.00" and len(answer["recoveries"]) == 1
    assert answer["released_amount"] == "700000.00"  # the pending 500,000 and 200,000
    # said apart (a finance probe read the total as money given back): nothing approved was left unpaid here
    assert (answer["released_from_awards"], answer["released_reservations"]) == ("0.00", "700000.00")
    assert world.ledger.claim(theirs["id"])["status"] == "pending"  # another organisation's designation
    for year in (2023, 2024):
        with pytest.raises(errors.NotEligible, match=r"A6\.chain_leader"):
            world.claim(org, "A8.orders", by=JXJ, year=year, basis_amount="150000000", requested_amount="800000")
    assert world.ledger.organisation(org)["designations"] == []


def test_an_organisation_that_left_is_not_eligible_after_its_leaving_date(world: World) -> None:
    """Leaving on 2024-01-01: a claim effective in 2024 is not_eligible, a 2023 one still is; re-entry restores."""
    org = world.org()
    world.ledger.change_district(ADMIN, uscc=org, in_district=False, effective_on=date(2024, 1, 1), reason="迁出",
                                 document_ref="MOVE-1")
    with pytest.raises(errors.NotEligible):
        world.claim(org, "A5.voucher", year=2024, basis_amount="100000")
    assert world.claim(org, "A5.voucher", year=2023, basis_amount="100000")["status"] == "pending"
    with pytest.raises(errors.InvalidState):
        world.ledger.change_district(ADMIN, uscc=org, in_district=False, effective_on=date(2024, 6, 1), reason="r",
                                     document_ref="D")
    world.ledger.change_district(ADMIN, uscc=org, in_district=True, effective_on=date(2025, 1, 1), reason="迁回",
                                 document_ref="MOVE-2")
    assert world.claim(org, "A5.voucher", year=2025, basis_amount="100000")["status"] == "pending"


def test_a_repayment_is_one_bank_receipt_on_a_day_that_has_come(world: World) -> None:
    """The same repayment twice on one recovery (reference, amount and day) is `conflict` (one receipt was counted
    twice); a repayment dated after today in Beijing is refused (money not yet received is not booked); neither
    writes. A top-up under the same reference (too little was recorded; nothing is edited) is recorded."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="100000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="30000", paid_on=date(2023, 7, 1),
                               bank_ref="B-9")
    rid = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="r", document_ref="D").view["recovery_id"]
    world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="2000", received_on=date(2024, 9, 1),
                                  bank_ref="RCV-1")
    before = world.events()
    with pytest.raises(errors.Conflict, match="RCV-1"):
        world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="2000", received_on=date(2024, 9, 1),
                                      bank_ref="RCV-1")
    with pytest.raises(errors.InvalidInput, match="in the future"):
        world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="2000", received_on=date(2099, 1, 1),
                                      bank_ref="RCV-2")
    assert world.events() == before
    assert world.ledger.recovery(rid)["recovered"] == "2000.00"
    world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="500", received_on=date(2024, 9, 1),
                                  bank_ref="RCV-1")
    assert world.ledger.recovery(rid)["recovered"] == "2500.00"


def test_a_bureau_reads_only_the_recoveries_of_programmes_it_leads(world: World) -> None:
    """GET /v1/recoveries lists a bureau only its programmes' recoveries; reading one by its id is held to the same:
    the lead bureau, finance, auditors and admin read it; another bureau is refused `not_lead_bureau`."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="100000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="30000", paid_on=date(2023, 7, 1),
                               bank_ref="B-10")
    rid = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="r", document_ref="D").view["recovery_id"]
    for reader in (KJJ, FINANCE, ADMIN, None):
        assert world.ledger.recovery(rid, reader)["id"] == rid
    with pytest.raises(errors.NotLeadBureau):
        world.ledger.recovery(rid, JXJ)


def test_a_claim_leaving_out_a_revoked_certification_is_refused_for_its_revocation(world: World) -> None:
    """A corrections probe: an A6 hidden champion's certification revoked from its first day, a claim for the same
    tier that left out certification_id stood alone and was approved and paid 1,000,000, where naming the
    certification is refused. It rests on the revoked certification and is refused `not_eligible`, naming the
    revocation; a certification in force at the tier still takes it, and an organisation never certified still
    claims alone, as the contract lets it."""
    org = world.org()
    [pid] = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="hidden_champion",
                                              effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕5号"
                                              ).view["proposed_claims"]
    cert = world.ledger.claim(pid)["certification_id"]
    world.ledger.revoke_certification(JXJ, certification_id=cert, reason="认定被省厅撤销",
                                      effective_on=date(2023, 3, 1), document_ref="ZJ-2024-088")
    with pytest.raises(errors.NotEligible) as refused:
        world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion")
    assert cert in refused.value.detail and "revoked" in refused.value.detail
    # A rung it held at another time, and one dated before it took effect: it rests on it all the same (a
    # regression probe's upgraded certification, revoked from its first day, paid both rungs by date).
    upgraded = world.ledger.record_certification(JXJ, uscc=world.org(), programme="A6.honour", tier="provincial_sme",
                                                 effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕6号").view
    world.ledger.record_upgrade(JXJ, certification_id=upgraded["id"], tier="little_giant",
                                effective_on=date(2024, 5, 1), document_ref="工信部〔2024〕1号")
    world.ledger.revoke_certification(JXJ, certification_id=upgraded["id"], reason="认定被撤销",
                                      effective_on=date(2023, 3, 1), document_ref="ZJ-2024-089")
    holder = world.ledger.certification(upgraded["id"])["uscc"]
    for tier, day in (("little_giant", date(2023, 6, 1)), ("provincial_sme", date(2024, 6, 1))):
        with pytest.raises(errors.NotEligible):
            world.claim(holder, "A6.honour", by=JXJ, tier=tier, effective_on=day, year=day.year)
    # A certification in force that held the rung and has risen since is the fact, not the revoked one: the claim
    # is told to claim the rung it stands at (a second regression probe was told of the revocation instead).
    live = world.ledger.record_certification(JXJ, uscc=holder, programme="A6.honour", tier="provincial_sme",
                                             effective_on=date(2023, 4, 1), document_ref="浙经信〔2023〕8号").view
    world.ledger.record_upgrade(JXJ, certification_id=live["id"], tier="little_giant", effective_on=date(2023, 9, 1),
                                document_ref="工信部〔2023〕4号")
    with pytest.raises(errors.AlreadyAwarded) as risen:
        world.claim(holder, "A6.honour", by=JXJ, tier="provincial_sme", effective_on=date(2023, 12, 1))
    assert live["id"] in risen.value.detail and "little_giant" in risen.value.detail, risen.value.detail
    again = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="hidden_champion",
                                              effective_on=date(2023, 5, 1), document_ref="浙经信〔2023〕9号").view
    world.ledger.withdraw_claim(JXJ, claim_id=again["proposed_claims"][0], reason="改为直接申报")
    assert world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion")["certification_id"] == again["id"]
    alone = world.claim(world.org(), "A6.honour", by=JXJ, tier="hidden_champion")
    assert (alone["certification_id"], alone["entitled_amount"]) == (None, "1000000.00")


def test_a_claim_dated_before_its_certification_rests_on_it_and_is_told_the_day(world: World) -> None:
    """A bureau probe: a hidden champion certified from 2024-05-01, a claim naming no certification dated 2024-04-30
    stood alone, yet replaced the certification's proposal as "the same fact"; revoking the certification from its
    first day then listed no claim, and the claim was approved and paid 1,000,000 with nothing to recover. The
    claim rests on the certification that reaches its rung only later and is refused `not_eligible`, told the day
    to date it from; the proposal stays open, and the revocation ends every claim on the honour. An upgrade's rung
    reached after the claim's day is told its own day."""
    org = world.org()
    made = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="hidden_champion",
                                             effective_on=date(2024, 5, 1), document_ref="浙经信〔2024〕66号").view
    [pid] = made["proposed_claims"]
    before = world.events()
    with pytest.raises(errors.NotEligible) as early:
        world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 4, 30), year=2024)
    assert made["id"] in early.value.detail and "2024-05-01" in early.value.detail, early.value.detail
    assert "2024-05-01" in early.value.zh
    assert world.events() == before and world.ledger.claim(pid)["status"] == "proposed"
    dated = world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 5, 1), year=2024)
    assert dated["certification_id"] == made["id"] and world.ledger.claim(pid)["status"] == "withdrawn"
    ended = world.ledger.revoke_certification(JXJ, certification_id=made["id"], reason="公示期内被举报，撤销认定",
                                              effective_on=date(2024, 5, 1), document_ref="浙经信〔2024〕88号").view
    assert [c["id"] for c in ended["claims"]] == [dated["id"]]
    assert world.ledger.claim(dated["id"])["status"] == "withdrawn"
    # An upgrade's rung, asked for before the upgrade's day: that day is named, not "leave tier out".
    holder = world.org()
    sme = world.ledger.record_certification(JXJ, uscc=holder, programme="A6.honour", tier="provincial_sme",
                                            effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕7号").view
    world.ledger.record_upgrade(JXJ, certification_id=sme["id"], tier="little_giant", effective_on=date(2024, 5, 1),
                                document_ref="工信部〔2024〕2号")
    with pytest.raises(errors.NotEligible, match="from 2024-05-01"):
        world.claim(holder, "A6.honour", by=JXJ, tier="little_giant", effective_on=date(2024, 4, 30), year=2024)
    with pytest.raises(errors.NotEligible, match="from 2024-05-01"):
        world.claim(holder, "A6.honour", by=JXJ, certification_id=sme["id"], tier="little_giant",
                    effective_on=date(2024, 4, 30), year=2024)


def test_a_revoked_one_time_award_is_not_awarded_again_while_its_payment_is_owed(world: World) -> None:
    """Contract: "what was not paid is released (caps, ladders, fund), what was paid net of reversals becomes a
    recovery". A corrections probe: an alliance's one-time 300,000, paid and revoked, was awarded and paid again in
    full while the 300,000 was still owed (600,000 paid for a one-time award). The one-time slot keeps the paid part,
    as a ladder's rung does: a new claim is `already_awarded` until the recovery is repaid in full, then it is free;
    what was not paid is released at once (an award revoked unpaid leaves the slot free)."""
    org = world.org()
    alliance = world.body(lead=org, kind="alliance")

    def alliance_claim() -> dict:
        return world.claim(org, "A3.alliance", body_id=alliance, requested_amount="300000")

    first = world.ledger.approve_claim(KJJ, claim_id=alliance_claim()["id"]).view
    world.ledger.record_payout(FINANCE, claim_id=first["id"], amount="300000", paid_on=date(2023, 7, 1),
                               bank_ref="ALLY-1")
    rid = world.ledger.revoke_claim(KJJ, claim_id=first["id"], reason="联盟未实际运作",
                                    document_ref="杭高新科〔2024〕2号").view["recovery_id"]
    with pytest.raises(errors.AlreadyAwarded):
        alliance_claim()
    world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="100000", received_on=date(2024, 1, 5),
                                  bank_ref="ALLY-R1")
    with pytest.raises(errors.AlreadyAwarded):
        alliance_claim()
    world.ledger.record_repayment(FINANCE, recovery_id=rid, amount="200000", received_on=date(2024, 2, 5),
                                  bank_ref="ALLY-R2")
    again = alliance_claim()
    assert again["entitled_amount"] == "300000.00", again
    # Revoked before any payment: nothing is owed, the slot is free at once.
    world.ledger.approve_claim(KJJ, claim_id=again["id"])
    world.ledger.revoke_claim(KJJ, claim_id=again["id"], reason="重复申报", document_ref="杭高新科〔2024〕3号")
    assert alliance_claim()["entitled_amount"] == "300000.00"


def test_a_claim_standing_alone_is_looked_at_again_at_its_approval(world: World) -> None:
    """A regression probe: a hidden champion claimed naming no certification (none recorded yet), then its
    certification recorded and revoked from its first day, and the claim approved and paid 1,000,000: the
    revocation now ends it. At its approval a claim standing alone rests on what it would rest on now: a
    certification reaching its tier only after its day refuses it (it stays pending); one in force lets it stand
    alone, as it was made."""
    org = world.org()
    alone = world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 6, 1), year=2024)
    assert alone["certification_id"] is None
    made = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="hidden_champion",
                                             effective_on=date(2024, 3, 1), document_ref="浙经信〔2024〕70号").view
    ended = world.ledger.revoke_certification(JXJ, certification_id=made["id"], reason="公示期内被举报",
                                              effective_on=date(2024, 3, 1), document_ref="浙经信〔2024〕90号").view
    # The revocation ends it, as it ends the claims resting on the certification (see the next test).
    assert [(c["id"], c["status"]) for c in ended["claims"]] == [(alone["id"], "withdrawn")]
    early = world.org()
    first = world.claim(early, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 4, 1), year=2024)
    world.ledger.record_certification(JXJ, uscc=early, programme="A6.honour", tier="hidden_champion",
                                      effective_on=date(2024, 5, 1), document_ref="浙经信〔2024〕71号")
    with pytest.raises(errors.NotEligible, match="2024-05-01"):
        world.ledger.approve_claim(JXJ, claim_id=first["id"])
    fine = world.org()
    stands = world.claim(fine, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 6, 1), year=2024)
    world.ledger.record_certification(JXJ, uscc=fine, programme="A6.honour", tier="hidden_champion",
                                      effective_on=date(2024, 3, 1), document_ref="浙经信〔2024〕72号")
    assert world.ledger.approve_claim(JXJ, claim_id=stands["id"]).view["approved_amount"] == "1000000.00"


def test_two_certifications_a_claim_fits_are_named_between_and_an_upgrade_makes_no_second(world: World) -> None:
    """A regression probe: a claim naming no certification that two of its organisation's certifications fit
    stood alone, and revoking both ended nothing; one of the two was made by upgrading into a rung another
    certification held. The claim is told to name one (certification_id); the upgrade is `conflict`, naming the
    certification that holds the rung, as recording that rung again is."""
    org = world.org()
    sme = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                            effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕7号").view
    giant = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                              effective_on=date(2023, 4, 1), document_ref="工信部〔2023〕3号").view
    before = world.events()
    with pytest.raises(errors.Conflict) as twice:
        world.ledger.record_upgrade(JXJ, certification_id=sme["id"], tier="little_giant",
                                    effective_on=date(2023, 9, 1), document_ref="工信部〔2023〕4号")
    assert giant["id"] in twice.value.detail and world.events() == before
    holder = world.org()
    for subject in (None, "standard:GB/T 1-2023"):
        world.ledger.record_certification(SCJGJ, uscc=holder, programme="A11.standard",
                                          tier="international_lead", effective_on=date(2023, 3, 1),
                                          document_ref="国标委〔2023〕1号", **({"subject": subject} if subject else {}))
    with pytest.raises(errors.InvalidInput, match="certification_id") as which:
        world.claim(holder, "A11.standard", by=SCJGJ, tier="international_lead",
                    subject="standard:GB/T 1-2023")
    assert "certification_id" in which.value.zh


def test_revoking_a_certification_ends_the_claims_standing_alone_that_it_fits(world: World) -> None:
    """A regression probe: a hidden champion claimed naming no certification, approved and paid, then its
    certification recorded and revoked from its first day: the revocation ended nothing and 1,000,000 stayed paid,
    where a claim made after the certification rests on it and ends with it. The revocation ends the organisation's
    claims standing alone that it fits (a rung it held, its body), as it ends those resting on it: revoked here, the
    paid part a recovery; an alliance's one-time award too."""
    org = world.org()
    alone = world.claim(org, "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 6, 1), year=2024)
    world.ledger.approve_claim(JXJ, claim_id=alone["id"])
    world.ledger.record_payout(FINANCE, claim_id=alone["id"], amount="1000000", paid_on=date(2024, 7, 1),
                               bank_ref="HC-ALONE-1")
    made = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="hidden_champion",
                                             effective_on=date(2024, 3, 1), document_ref="浙经信〔2024〕73号").view
    assert made["proposed_claims"] == []  # the claim holds the honour already
    ended = world.ledger.revoke_certification(JXJ, certification_id=made["id"], reason="公示期内被举报",
                                              effective_on=date(2024, 3, 1), document_ref="浙经信〔2024〕91号").view
    assert [(c["id"], c["status"]) for c in ended["claims"]] == [(alone["id"], "revoked")], ended
    assert world.ledger.recovery(ended["claims"][0]["recovery_id"])["amount"] == "1000000.00"
    # Another organisation's claim, or another honour of this one, is not the certification's.
    other = world.claim(world.org(), "A6.honour", by=JXJ, tier="hidden_champion", effective_on=date(2024, 6, 1),
                        year=2024)
    assert world.ledger.claim(other["id"])["status"] == "pending"
    lead = world.org()
    alliance = world.body(lead=lead, kind="alliance")
    paid = world.approved(lead, "A3.alliance", body_id=alliance, requested_amount="300000")
    cert = world.ledger.record_certification(KJJ, uscc=lead, programme="A3.alliance", effective_on=date(2023, 3, 1),
                                             document_ref="杭科〔2023〕9号", body_id=alliance).view
    gone = world.ledger.revoke_certification(KJJ, certification_id=cert["id"], reason="联盟未实际运作",
                                             effective_on=date(2023, 3, 1), document_ref="杭科〔2024〕2号").view
    assert [(c["id"], c["status"]) for c in gone["claims"]] == [(paid["id"], "revoked")], gone
