"""Topping up an approved award (catalogue rule 3: "only what was awarded on a lower rung is deducted"), both stores.
An upgrade approved net of a lower rung that is revoked afterwards was owed the difference with no way to pay it:
the README told the bureau to revoke the higher award and claim it again (a recovery if it was paid).
`POST /v1/claims/{id}/top-up` makes a pending claim for the difference, naming the award; the replay (`recheck`)
finds every figure again."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from api.cli import main
from ledger.domain import errors
from tests.store.conftest import FGJ, FINANCE, JXJ, KJJ, World

D = Decimal


def _ladder(world: World) -> tuple[str, str, dict, dict]:
    """Municipal ERC approved (200,000), upgraded to national and approved net of it (800,000)."""
    ledger = world.ledger
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    lower = world.approved(org, "A3.erc", certification_id=cert)
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 3, 1),
                          document_ref="国科发〔2024〕7号")
    higher = world.approved(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    assert (lower["approved_amount"], higher["approved_amount"]) == ("200000.00", "800000.00")
    return org, cert, lower, higher


def _top_up(world: World, award: dict) -> dict:
    return world.ledger.top_up_claim(KJJ, claim_id=award["id"], reason="市级认定撤销，国家级按全额补足",
                                     document_ref="杭高新科〔2025〕9号").view


def test_a_lower_rung_revoked_after_the_higher_was_approved_net_of_it_is_topped_up(world: World, database_url,
                                                                                   monkeypatch, capsys) -> None:
    ledger = world.ledger
    org, cert, lower, higher = _ladder(world)
    with pytest.raises(errors.AlreadyAwarded) as nothing:  # nothing short yet
        _top_up(world, higher)
    assert "800,000.00" in nothing.value.detail and nothing.value.context["earlier_claim"] == higher["id"]
    # Said of what it was entitled to, with how a lowered approval is corrected (a clerk's probe read 已按 … 核定).
    zh = nothing.value.in_language("zh")
    assert f"{higher['id']} 原应享 800,000.00 元" in zh and "核定 800" not in zh, zh
    assert "请撤销该奖补后重新提交申请" in zh, zh
    assert "revoke the award and submit the claim again" in nothing.value.detail
    ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="市级认定材料不实", document_ref="杭高新科〔2025〕8号")
    top = _top_up(world, higher)
    assert (top["status"], top["entitled_amount"], top["tops_up"]) == ("pending", "200000.00", higher["id"])
    assert (top["certification_id"], top["tier"], top["award_year"]) == (cert, "national", 2024)
    assert top["document_ref"] == "杭高新科〔2025〕9号" and top["top_up_reason"].startswith("市级认定撤销")
    step = next(s for s in top["explanation"] if s["rule"] == "award_top_up")
    assert (step["facts"]["award"], step["facts"]["held"], step["facts"]["owed"]) == (
        "1000000.00", "800000.00", "200000.00")
    assert ledger.claim(higher["id"])["top_ups"] == [top["id"]]
    with pytest.raises(errors.Conflict):  # one pending top-up at a time: it holds the difference
        _top_up(world, higher)
    with pytest.raises(errors.Conflict) as with_top_up:  # an award is revoked with its top-ups
        ledger.revoke_claim(KJJ, claim_id=higher["id"], reason="x", document_ref="y")
    assert top["id"] in with_top_up.value.detail
    fund = ledger.fund_year(2024)["approved"]
    approved = ledger.approve_claim(KJJ, claim_id=top["id"]).view
    assert approved["approved_amount"] == "200000.00"
    assert D(ledger.fund_year(2024)["approved"]) - D(fund) == D("200000.00")
    with pytest.raises(errors.AlreadyAwarded):  # the ladder now pays its national rung in full, no more
        _top_up(world, higher)
    with pytest.raises(errors.InvalidInput):  # a top-up is not topped up itself: its award is
        _top_up(world, top)
    # A claim for the national rung again is refused as before (rule 2): the top-up is the way to the difference.
    with pytest.raises(errors.AlreadyAwarded):
        world.claim(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["recheck", "--json"]) == 0, capsys.readouterr().out
    assert json.loads(capsys.readouterr().out) == []


def test_a_paid_lower_rung_counts_until_repaid_then_the_award_is_topped_up(world: World) -> None:
    """The contract keeps a revoked award's paid part on its ladder until repaid: topped up while it is owed,
    nothing is short; once repaid in full, the difference is."""
    ledger = world.ledger
    _, _, lower, higher = _ladder(world)
    ledger.record_payout(FINANCE, claim_id=lower["id"], amount=D("200000.00"), paid_on=date(2023, 7, 1),
                         bank_ref="PAY-TOPUP-1")
    revoked = ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="市级认定材料不实",
                                  document_ref="撤〔2025〕1号").view
    with pytest.raises(errors.AlreadyAwarded):
        _top_up(world, higher)
    ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=D("150000.00"),
                            received_on=date(2025, 1, 10), bank_ref="BACK-1")
    assert _top_up(world, higher)["entitled_amount"] == "150000.00"  # what has come back
    with pytest.raises(errors.Conflict):  # decided first
        _top_up(world, higher)


def test_a_top_up_is_not_approved_once_its_award_is_gone(world: World) -> None:
    """Withdrawn, the top-up leaves its award revocable; a top-up whose award was revoked meanwhile (its
    certification revoked ends both) is never approved."""
    ledger = world.ledger
    _, cert, lower, higher = _ladder(world)
    ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="r", document_ref="d")
    top = _top_up(world, higher)
    ledger.withdraw_claim(KJJ, claim_id=top["id"], reason="补足材料待补正")
    again = _top_up(world, higher)  # a withdrawn top-up holds nothing
    assert again["entitled_amount"] == "200000.00"
    ended = ledger.revoke_certification(KJJ, certification_id=cert, reason="认定撤销", effective_on=date(2024, 3, 1),
                                        document_ref="撤〔2025〕2号").view
    assert {c["id"]: c["status"] for c in ended["claims"]}[again["id"]] == "withdrawn"
    assert ledger.claim(higher["id"])["status"] == "revoked"


def test_one_top_up_of_an_award_is_pending_at_a_time_and_its_approval_pays_what_is_short_then(world: World) -> None:
    """A top-up probe repaid a revoked lower rung in two parts and topped the award up after each: approving both
    paid the shortfall and then the second's own figure again (5,666,667 on a 5,000,000 first prize; 1,200,000 for
    a 1,000,000 prize), or, the other way round, refused one and left the unit short. While one top-up of an award
    is pending another is `conflict`, naming it; approved, it is re-assessed to what is short by then (rule 12)."""
    ledger = world.ledger
    _, _, lower, higher = _ladder(world)
    ledger.record_payout(FINANCE, claim_id=lower["id"], amount=D("200000.00"), paid_on=date(2023, 7, 1),
                         bank_ref="PAY-TOPUP-2")
    recovery = ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="市级认定材料不实",
                                   document_ref="撤〔2025〕3号").view["recovery_id"]
    ledger.record_repayment(FINANCE, recovery_id=recovery, amount=D("50000.00"), received_on=date(2025, 1, 10),
                            bank_ref="BACK-A")
    first = _top_up(world, higher)
    assert first["entitled_amount"] == "50000.00"
    ledger.record_repayment(FINANCE, recovery_id=recovery, amount=D("150000.00"), received_on=date(2025, 2, 10),
                            bank_ref="BACK-B")
    with pytest.raises(errors.Conflict) as waiting:
        _top_up(world, higher)
    assert first["id"] in waiting.value.detail and "请先审批" in waiting.value.in_language("zh")
    approved = ledger.approve_claim(KJJ, claim_id=first["id"]).view
    assert approved["approved_amount"] == "200000.00"  # re-assessed at its approval to what was short by then
    with pytest.raises(errors.AlreadyAwarded):
        _top_up(world, higher)
    assert D(higher["approved_amount"]) + D(approved["approved_amount"]) == D("1000000.00")


def test_a_top_up_a_cap_leaves_nothing_is_cap_exceeded(world: World) -> None:
    """A voucher cut by its 500,000 a year (rule 5) whose neighbour on the cap is revoked is owed more; topped up
    once the cap is full again, it is refused `cap_exceeded` (rule 9: the rule that brought it to nothing), not
    "nothing is short" (a top-up probe)."""
    ledger = world.ledger
    org = world.org()
    first = world.approved(org, "A5.voucher", basis_amount="1000000", subject="project:V-1")     # 300,000
    cut = world.approved(org, "A5.voucher", basis_amount="1000000", subject="project:V-2")       # 200,000: the cap
    assert cut["approved_amount"] == "200000.00"
    ledger.revoke_claim(KJJ, claim_id=first["id"], reason="合同不实", document_ref="撤〔2025〕4号")
    world.approved(org, "A5.voucher", basis_amount="1000000", subject="project:V-3")             # takes the room
    with pytest.raises(errors.CapExceeded) as refused:
        _top_up(world, cut)
    assert cut["id"] in refused.value.detail and "上限" in refused.value.in_language("zh")
    assert refused.value.context["cap"].startswith("cap:enterprise_year:A5.voucher:"), refused.value.context
    said = refused.value.detail  # where to read the caps' use, the organisation filled in; no key, no API path
    assert org in said and "per enterprise per year" in said and "cap:" not in said and "/v1/" not in said, said
    # In Chinese, as a clerk reads it on a page: the cap by its scope, no account key, no API path, and the award's
    # entitlement called what it is (a clerk's probe read "原核定" of an award approved for less)
    zh = refused.value.in_language("zh")
    assert "每企业每年" in zh and "cap:" not in zh and "/v1/" not in zh and "原应享" in zh and org in zh, zh


@pytest.mark.parametrize("then", ["write_off", "repay"])
def test_a_revoked_top_ups_paid_part_counts_as_the_awards_until_it_comes_back(world: World, then: str) -> None:
    """A second top-up probe revoked a paid top-up and topped the award up again: the written-off 40,000 was paid again
    on a voucher, and on a ladder the revoked top-up's kept part held the rung and refused every later top-up. What a
    revoked top-up still keeps (owed back, or written off) counts as the award's: written off, the next top-up is owed
    the rest; repaid, the whole difference again."""
    ledger = world.ledger
    _, _, lower, higher = _ladder(world)
    ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="市级认定材料不实", document_ref="撤〔2025〕5号")
    first = _top_up(world, higher)
    ledger.approve_claim(KJJ, claim_id=first["id"])
    ledger.record_payout(FINANCE, claim_id=first["id"], amount=D("50000.00"), paid_on=date(2025, 3, 1),
                         bank_ref="PAY-TOPUP-3")
    recovery = ledger.revoke_claim(KJJ, claim_id=first["id"], reason="补足依据有误",
                                   document_ref="撤〔2025〕6号").view["recovery_id"]
    if then == "write_off":
        ledger.write_off_recovery(FINANCE, recovery_id=recovery, reason="企业已注销", document_ref="核〔2025〕1号")
        owed = "150000.00"  # 800,000 + the 50,000 kept + 150,000: the national rung's 1,000,000
    else:
        ledger.record_repayment(FINANCE, recovery_id=recovery, amount=D("50000.00"), received_on=date(2025, 4, 1),
                                bank_ref="BACK-C")
        owed = "200000.00"
    second = _top_up(world, higher)
    assert second["entitled_amount"] == owed
    assert ledger.approve_claim(KJJ, claim_id=second["id"]).view["approved_amount"] == owed


def test_a_top_up_made_on_what_an_earlier_top_up_kept_is_made_again_once_that_moves(world: World) -> None:
    """A last regression probe: a top-up made while a revoked top-up still kept 50,000, that 50,000 repaid before the
    approval, was approved at the old figure and left the national rung 50,000 short. Its approval is refused
    `conflict` saying what moved and what to do; withdrawn and made again, it is owed the whole difference."""
    ledger = world.ledger
    _, _, lower, higher = _ladder(world)
    ledger.revoke_claim(KJJ, claim_id=lower["id"], reason="市级认定材料不实", document_ref="撤〔2025〕7号")
    first = _top_up(world, higher)
    ledger.approve_claim(KJJ, claim_id=first["id"])
    ledger.record_payout(FINANCE, claim_id=first["id"], amount=D("50000.00"), paid_on=date(2025, 3, 1),
                         bank_ref="PAY-TOPUP-4")
    recovery = ledger.revoke_claim(KJJ, claim_id=first["id"], reason="补足依据有误",
                                   document_ref="撤〔2025〕8号").view["recovery_id"]
    second = _top_up(world, higher)
    assert second["entitled_amount"] == "150000.00"
    ledger.record_repayment(FINANCE, recovery_id=recovery, amount=D("50000.00"), received_on=date(2025, 4, 1),
                            bank_ref="BACK-D")
    with pytest.raises(errors.Conflict) as moved:
        ledger.approve_claim(KJJ, claim_id=second["id"])
    assert f"/v1/claims/{higher['id']}/top-up" in moved.value.detail and "重新补足" in moved.value.in_language("zh")
    ledger.withdraw_claim(KJJ, claim_id=second["id"], reason="补足依据已变化")
    third = _top_up(world, higher)
    assert ledger.approve_claim(KJJ, claim_id=third["id"]).view["approved_amount"] == "200000.00"


def test_a_capped_top_up_names_a_project_cap_by_its_project() -> None:
    """A pages probe read `cap:project:A4.challenge:project:…` in a top-up refusal: a project's cap is named by its
    scope and the project as the claim writes it (the key folds it to lower case)."""
    from ledger.rules.facts import ClaimFacts
    from ledger.rules.ladders import _cap_words

    facts = ClaimFacts(uscc="91330108MA27Y3XX4N", programme="A4.challenge", award_year=2023,
                       effective_on=date(2023, 6, 1), subject="project:数据产业化项目(A4-0074)")
    key = "cap:project:A4.challenge:project:数据产业化项目(a4-0074)"
    assert _cap_words(key, facts, "zh") == "每项目：project:数据产业化项目(A4-0074)"
    assert _cap_words(key, facts, "en") == "per project: project:数据产业化项目(A4-0074)"
    assert _cap_words("cap:enterprise_term:A5.computing:X:binjiang-2022", facts, "zh") == "每企业（政策期内）"


def test_a_top_up_a_better_award_on_its_subject_leaves_nothing_is_superseded_not_a_cap(world: World) -> None:
    """An A4 award approved net of a provincial first prize on its project (600,000 less 500,000: rule 4) was topped
    up and told its project cap held it, though 4,900,000 of the cap's 5,000,000 were left (a corrections probe).
    The rule that brought it to nothing is supersession (rule 9): `superseded`, naming the prize's claim; once the
    prize is revoked and its paid part came back, the top-up pays the rest."""
    ledger = world.ledger
    org = world.org()
    subject = f"project:PZ-{org[-6:]}"
    prize = world.approved(org, "A9.provincial_award", tier="first", rank=1, subject=subject)
    net = world.approved(org, "A4.challenge", basis_amount="2000000", subject=subject)
    assert (prize["approved_amount"], net["approved_amount"]) == ("500000.00", "100000.00")
    before = world.events()
    with pytest.raises(errors.Superseded) as refused:
        _top_up(world, net)
    assert world.events() == before  # a refusal writes nothing
    said, zh = refused.value.detail, refused.value.in_language("zh")
    assert refused.value.context["earlier_claim"] == prize["id"], refused.value.context
    assert prize["id"] in said and "500,000.00" in said and "A9.provincial_award" in said, said
    assert "hold it to" not in said, said
    assert "上限（" not in zh and prize["id"] in zh and "从优、从高、不重复" in zh, zh
    assert "（A9.provincial_award）下计得" in zh and " A9.provincial_award " not in zh, zh  # named, not a bare code
    cap = ledger._account(f"cap:project:A4.challenge:{subject.lower()}").state()
    assert cap.used == D("100000.00")  # the cap had room: it was not the cause
    ledger.revoke_claim(KJJ, claim_id=prize["id"], reason="省级奖项撤销", document_ref="撤〔2025〕9号")
    top = _top_up(world, net)
    assert top["entitled_amount"] == "500000.00", top


def test_a_lower_rung_after_a_revoked_higher_one_tops_up_over_its_kept_part(world: World) -> None:
    """A corrections probe: a national first prize (5,000,000) paid 500,000, then revoked as really a second prize;
    the second prize was refused `already_awarded` while the 500,000 was owed back, and for good once it was written
    off. The revoked rung was never reached: its kept part counts as awarded (rule 3 deducts what was awarded), so
    the second prize pays 1,000,000 - 500,000; repaid in part, the rest is owed. The same rung stays refused."""
    ledger = world.ledger
    org, subject = world.org(), f"project:NA-{world.org()[-6:]}"
    first = world.approved(org, "A9.national_award", tier="first", rank=1, subject=subject, year=2024,
                           effective_on=date(2024, 3, 1))
    ledger.record_payout(FINANCE, claim_id=first["id"], amount=D("500000.00"), paid_on=date(2024, 4, 1),
                         bank_ref=f"PAY-{first['id'][:8]}")
    revoked = ledger.revoke_claim(KJJ, claim_id=first["id"], reason="奖励等次更正为二等奖",
                                  document_ref="国科奖〔2024〕更1号").view
    assert revoked["recovery_id"]
    again = {"tier": "first", "rank": 1, "subject": subject, "year": 2024, "effective_on": date(2024, 3, 1)}
    with pytest.raises(errors.AlreadyAwarded):  # the same rung: until the paid part comes back
        world.claim(org, "A9.national_award", **again)
    second = world.claim(org, "A9.national_award", **again | {"tier": "second"})
    assert second["entitled_amount"] == "500000.00", second
    ledger.write_off_recovery(FINANCE, recovery_id=revoked["recovery_id"], reason="企业无力偿还",
                              document_ref="核销〔2025〕1号")
    approved = ledger.approve_claim(KJJ, claim_id=second["id"]).view
    assert approved["approved_amount"] == "500000.00", approved  # 500,000 kept (written off) + 500,000 = the rung


def test_a_revoked_higher_certifications_kept_part_leaves_the_lower_rung_proposed_net_of_it(world: World) -> None:
    """The probe's other case: a little giant approved (1,000,000) closes the provincial SME honour's proposal as
    outranked; 100,000 of it paid, the little giant's certification is revoked. The SME honour it still holds is
    proposed again net of what the little giant keeps (200,000 - 100,000), not refused."""
    ledger = world.ledger
    org = world.org()
    sme = world.certify(org, "A6.honour", "provincial_sme", on=date(2023, 3, 1), by=JXJ)
    giant = world.certify(org, "A6.honour", "little_giant", on=date(2023, 9, 1), by=JXJ)
    [proposal] = ledger.certification(giant)["proposed_claims"]
    ledger.confirm_claim(JXJ, claim_id=proposal)
    award = ledger.approve_claim(JXJ, claim_id=proposal).view
    assert award["approved_amount"] == "1000000.00"
    ledger.record_payout(FINANCE, claim_id=proposal, amount=D("100000.00"), paid_on=date(2023, 10, 1),
                         bank_ref=f"PAY-{proposal[:8]}")
    ledger.revoke_certification(JXJ, certification_id=giant, reason="复核不符合小巨人认定条件",
                                effective_on=date(2023, 9, 1), document_ref="工信〔2024〕撤1号")
    [again] = ledger.certification(sme)["proposed_claims"]
    assert ledger.claim(again)["entitled_amount"] == "100000.00"


def test_a_superseded_claim_is_told_when_what_outranks_it_is_a_revoked_awards_kept_part(world: World) -> None:
    """A probe was sent to a revoked claim by a `superseded` refusal without a word of its revocation: a prize paid
    500,000 and revoked keeps that part on its subject until repaid, which outranks a 300,000 challenge subsidy; the
    refusal says the prize is revoked and its paid part counts until repaid (in both languages)."""
    ledger = world.ledger
    org, subject = world.org(), f"project:P-{world.org()[-6:]}"
    prize = world.approved(org, "A9.provincial_award", tier="first", rank=1, subject=subject)
    ledger.record_payout(FINANCE, claim_id=prize["id"], amount=D("500000.00"), paid_on=date(2023, 8, 1),
                         bank_ref=f"PAY-{prize['id'][:8]}")
    ledger.revoke_claim(KJJ, claim_id=prize["id"], reason="获奖项目与申报不符", document_ref="科奖〔2024〕撤2号")
    with pytest.raises(errors.Superseded) as refused:
        world.claim(org, "A4.challenge", subject=subject, basis_amount="1000000")
    assert f"claim {prize['id']}, revoked: its paid part of 500,000.00 counts until it is repaid" in \
        refused.value.detail, refused.value.detail
    assert "已撤销：其已拨付的 500,000.00 元在退回前仍计入" in refused.value.in_language("zh")


def test_a_lower_rung_a_revoked_higher_rungs_kept_part_covers_is_told_why_and_when(world: World) -> None:
    """A provincial first prize paid 300,000 and revoked keeps it on the ladder until repaid: the second prize
    (200,000) is owed nothing now, and told it is the revoked higher rung's kept part, and that it may claim again
    once that is repaid (it read "earlier rungs … already awarded", of a higher rung: a regression probe)."""
    ledger = world.ledger
    org, subject = world.org(), f"project:PA-{world.org()[-6:]}"
    first = world.approved(org, "A9.provincial_award", tier="first", rank=1, subject=subject)
    ledger.record_payout(FINANCE, claim_id=first["id"], amount=D("300000.00"), paid_on=date(2023, 8, 1),
                         bank_ref=f"PAY-{first['id'][:8]}")
    revoked = ledger.revoke_claim(KJJ, claim_id=first["id"], reason="等次更正", document_ref="浙科奖〔2024〕更1号").view
    with pytest.raises(errors.AlreadyAwarded) as refused:
        world.claim(org, "A9.provincial_award", tier="second", rank=1, subject=subject)
    said = refused.value.detail
    assert f"claim {first['id']}, revoked at the higher rung" in said and "claim again once it is repaid" in said, said
    assert "退回后可再申请" in refused.value.in_language("zh")
    ledger.record_repayment(FINANCE, recovery_id=revoked["recovery_id"], amount=D("300000.00"),
                            received_on=date(2024, 5, 1), bank_ref=f"BACK-{first['id'][:8]}")
    assert world.claim(org, "A9.provincial_award", tier="second", rank=1, subject=subject)["entitled_amount"] == \
        "200000.00"


@pytest.mark.parametrize("approve_top_up", [True, False])
def test_a_top_up_of_a_lowered_award_does_not_stand_for_the_cut_again(world: World, approve_top_up: bool) -> None:
    """An oracle probe: an A4 award (828,000 on a 2,760,000 basis, 728,000 net of a provincial third prize) approved
    at 328,000, the prize revoked, the award topped up by the 100,000 it was net of: A4 then stood on the project at
    828,000 again, as if the bureau had cut nothing, and a provincial second prize there was owed 200,000 (a first
    prize next, 200,000 more: 828,000 approved on a subject whose best award is 500,000). A4 stands at 428,000, what
    the bureau decided; the second prize is lower, superseded; the first pays the 72,000 it leaves over that."""
    ledger = world.ledger
    org = world.org()
    subject = f"project:CUT-{org[-6:]}"
    third = world.approved(org, "A9.provincial_award", tier="third", rank=1, subject=subject,
                           effective_on=date(2023, 3, 1))
    a4 = world.claim(org, "A4.challenge", basis_amount="2760000", subject=subject, effective_on=date(2023, 4, 1))
    assert a4["entitled_amount"] == "728000.00"
    ledger.approve_claim(KJJ, claim_id=a4["id"], amount=D("328000"))
    ledger.revoke_claim(KJJ, claim_id=third["id"], reason="三等奖撤销", document_ref="撤〔2024〕1号")
    top = _top_up(world, a4)
    assert top["entitled_amount"] == "100000.00", top
    if approve_top_up:
        ledger.approve_claim(KJJ, claim_id=top["id"])
    with pytest.raises(errors.Superseded) as lower:
        world.claim(org, "A9.provincial_award", tier="second", rank=1, subject=subject, year=2024,
                    effective_on=date(2024, 3, 1))
    assert "428,000.00" in lower.value.detail and "A4.challenge" in lower.value.detail, lower.value.detail
    first = world.claim(org, "A9.provincial_award", tier="first", rank=1, subject=subject, year=2024,
                        effective_on=date(2024, 3, 1))
    assert first["entitled_amount"] == "72000.00", first


def test_a_top_up_of_a_lowered_rung_leaves_a_better_award_its_difference(world: World) -> None:
    """The probe's second shape, on a prize ladder: a provincial second prize (200,000), the first prize approved at
    100,000 of the 300,000 it was owed net of it, the second revoked, the first topped up by 200,000: A9 stood at
    500,000 and an A4 claim of 450,000 there was owed 200,000. A9 stands at 300,000 (the cut lost): A4 is owed
    450,000 − 300,000 = 150,000."""
    ledger = world.ledger
    org = world.org()
    subject = f"project:CUT2-{org[-6:]}"
    second = world.approved(org, "A9.provincial_award", tier="second", rank=1, subject=subject,
                            effective_on=date(2023, 3, 1))
    first = world.claim(org, "A9.provincial_award", tier="first", rank=1, subject=subject,
                        effective_on=date(2023, 4, 1))
    assert first["entitled_amount"] == "300000.00"
    ledger.approve_claim(KJJ, claim_id=first["id"], amount=D("100000"))
    ledger.revoke_claim(KJJ, claim_id=second["id"], reason="二等奖撤销", document_ref="撤〔2024〕2号")
    top = _top_up(world, first)
    assert top["entitled_amount"] == "200000.00", top
    ledger.approve_claim(KJJ, claim_id=top["id"])
    a4 = world.claim(org, "A4.challenge", basis_amount="1500000", subject=subject, year=2024,
                     effective_on=date(2024, 3, 1))
    assert a4["entitled_amount"] == "150000.00", a4


def test_a_decided_amount_approved_below_its_request_is_not_short_whatever_its_caps_left(world: World) -> None:
    """An oracle probe: an A13 equity award of a 12,500,000 request approved at 6,250,000, then another member's
    8,000,000 on the project, was refused a top-up `cap_exceeded`, "request at most 12,000,000.00", a request the
    top-up route does not take. The rules owe it nothing more (the bureau lowered it; an approval's cut is not
    topped up): `already_awarded`, saying so, in Chinese too."""
    ledger = world.ledger
    first, second = world.org(), world.org()
    project = f"project:EQ-{first[-6:]}"
    award = world.claim(first, "A13.equity", by=FGJ, subject=project, requested_amount="12500000")
    assert award["entitled_amount"] == "12500000.00", award["explanation"]
    ledger.approve_claim(FGJ, claim_id=award["id"], amount=D("6250000"))
    other = world.claim(second, "A13.equity", by=FGJ, subject=project, requested_amount="8000000")
    assert other["entitled_amount"] == "8000000.00", other["explanation"]
    with pytest.raises(errors.AlreadyAwarded) as nothing:  # was CapExceeded, "request at most 12,000,000.00"
        ledger.top_up_claim(FGJ, claim_id=award["id"], reason="补足", document_ref="杭发改〔2025〕3号")
    said, zh = str(nothing.value), nothing.value.in_language("zh")
    assert "nothing is short" in said and "request at most" not in said, said
    assert "12,500,000.00 before its caps and other awards (12,000,000.00 after)" in said, said
    assert "没有差额可补" in zh and "请申请不超过" not in zh and "计入后 12,000,000.00 元" in zh, zh
    assert ledger.claim(award["id"])["top_ups"] == []


def _paid_and_revoked(world: World, award: dict, amount: str) -> str:
    """`award` paid `amount`, then revoked: its recovery's id."""
    ledger = world.ledger
    ledger.record_payout(FINANCE, claim_id=award["id"], amount=D(amount), paid_on=date(2024, 4, 1),
                         bank_ref=f"PAY-{award['id'][:8]}")
    return ledger.revoke_claim(KJJ, claim_id=award["id"], reason="核查不实", document_ref="更〔2024〕1号").view[
        "recovery_id"]


def _write_off(world: World, recovery: str) -> None:
    world.ledger.write_off_recovery(FINANCE, recovery_id=recovery, reason="企业已注销", document_ref="核销〔2025〕2号")


def test_a_rung_a_revoked_awards_kept_part_holds_is_refused_saying_so_and_when_it_frees(world: World) -> None:
    """A regression probe: a national first prize paid 500,000 and revoked, claimed again, was refused "already
    awarded on this ladder by claim X" with no word that X was revoked nor when the rung frees; after a write-off it
    read the same, as the lower rung's refusal said "claim again once it is repaid", which a write-off makes
    impossible. Each says X was revoked and keeps its paid part, and when the rung frees, in both languages."""
    org, subject = world.org(), f"project:NA-{world.org()[-6:]}"
    again = {"tier": "first", "rank": 1, "subject": subject, "year": 2024, "effective_on": date(2024, 3, 1)}
    first = world.approved(org, "A9.national_award", **again)
    recovery = _paid_and_revoked(world, first, "500000.00")
    with pytest.raises(errors.AlreadyAwarded) as refused:
        world.claim(org, "A9.national_award", **again)
    said, zh = refused.value.detail, refused.value.in_language("zh")
    assert f"by claim {first['id']}, revoked: it keeps 500,000.00 paid until that is repaid in full" in said, said
    assert said.endswith("Claim again once it is repaid in full") and "already awarded" not in said, said
    assert f"已撤销的申请 {first['id']} 占用" in zh and "全额退回后可再申请" in zh, zh
    assert refused.value.context["earlier_claim"] == first["id"]
    # the lower rung a provincial first prize's kept part covers (0ae866d), and both once the part is written off
    lower = {"tier": "first", "rank": 1, "subject": f"project:PA-{org[-6:]}", "year": 2024,
             "effective_on": date(2024, 3, 1)}
    provincial = world.approved(org, "A9.provincial_award", **lower)
    lower_recovery = _paid_and_revoked(world, provincial, "300000.00")
    with pytest.raises(errors.AlreadyAwarded) as before:
        world.claim(org, "A9.provincial_award", **lower | {"tier": "second"})
    assert "claim again once it is repaid" in before.value.detail, before.value.detail
    _write_off(world, recovery)
    _write_off(world, lower_recovery)
    with pytest.raises(errors.AlreadyAwarded) as refused:
        world.claim(org, "A9.national_award", **again)
    said, zh = refused.value.detail, refused.value.in_language("zh")
    assert f"claim {first['id']}, revoked: the 500,000.00 it kept of what it was paid was written off, so it stays" \
        " held" in said and "once it is repaid" not in said, said
    assert "only if the write-off is reversed" in said and "已核销，将一直占用" in zh and "冲回核销" in zh, (said, zh)
    with pytest.raises(errors.AlreadyAwarded) as after:
        world.claim(org, "A9.provincial_award", **lower | {"tier": "second"})
    said, zh = after.value.detail, after.value.in_language("zh")
    assert "which was written off: it counts for good" in said and "once it is repaid" not in said, said
    assert "已核销，将一直计入本序列" in zh and "退回后可再申请" not in zh, zh


def test_a_one_time_slot_a_revoked_awards_kept_part_holds_is_refused_saying_so_and_when_it_frees(world: World
                                                                                                  ) -> None:
    """A regression probe: an alliance's one-time award paid 100,000 and revoked, claimed again, was refused "paid
    once per body, and claim X already holds it". It says X was revoked and keeps its paid part until repaid in full;
    written off, that it stays held; repaid in full, the slot frees."""
    ledger = world.ledger
    org = world.org(member=False)
    body = world.body(lead=org, kind="alliance", on=date(2023, 1, 10))
    sent = {"year": 2023, "effective_on": date(2023, 6, 1), "requested_amount": D("300000"), "body_id": body}
    award = world.approved(org, "A3.alliance", **sent)
    recovery = _paid_and_revoked(world, award, "100000.00")
    for lang, said in (("en", f"claim {award['id']}, revoked, still holds it: it keeps 100,000.00 paid until that is"
                              " repaid in full"), ("zh", f"已撤销的申请 {award['id']} 仍占用该名额")):
        with pytest.raises(errors.AlreadyAwarded) as refused:
            world.claim(org, "A3.alliance", **sent)
        assert said in refused.value.in_language(lang), refused.value.in_language(lang)
    _write_off(world, recovery)
    with pytest.raises(errors.AlreadyAwarded) as refused:
        world.claim(org, "A3.alliance", **sent)
    assert "was written off, so it stays held" in refused.value.detail, refused.value.detail
    assert "已核销，将一直占用" in refused.value.in_language("zh"), refused.value.in_language("zh")
    ledger.reverse_write_off(FINANCE, recovery_id=recovery, reason="法院执行到位", document_ref="执〔2025〕1号")
    ledger.record_repayment(FINANCE, recovery_id=recovery, amount=D("100000.00"), received_on=date(2025, 2, 1),
                            bank_ref=f"BACK-{award['id'][:8]}")
    assert world.claim(org, "A3.alliance", **sent)["status"] == "pending"
