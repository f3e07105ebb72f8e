"""Issue 13 on the real ledger, both stores: what an award is attached to (certification, body, project, rank,
subject) and how awards compare, through the ledger's own commands, including re-assessment on approval."""
from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import AwardLedger
from ledger.catalogue import current
from ledger.domain import errors
from tests.store.conftest import FGJ, JXJ, KJJ, SCJGJ, World, instances
from tests.store.test_concurrency import race

D = Decimal


def recognise(world: World, code: str, programme: str, tier: str, on: date = date(2023, 3, 1)) -> tuple[str, str]:
    """An Art. 3 recognition as the acceptance harness records it: a body of the programme's kind led by
    `code`, certified at `tier`. Returns (body id, certification id)."""
    body = world.body(lead=code, kind=programme.split(".", 1)[1], on=date(2022, 9, 6))
    return body, world.certify(code, programme, tier, on=on, body_id=body)


def refused(code: str, command, *args, **kwargs) -> errors.LedgerError:
    with pytest.raises(errors.LedgerError) as caught:
        command(*args, **kwargs)
    assert caught.value.code == code, caught.value.detail
    return caught.value


def test_a_certification_is_paid_once_whatever_subject_a_claim_names(world: World, ledger: AwardLedger) -> None:
    """Rule 2: a claim naming another subject than its certification's is refused invalid_request; the same
    certification again is already_awarded; its national upgrade pays the 800,000 top-up, 1,000,000 in all."""
    org = world.org()
    _, cert = recognise(world, org, "A3.erc", "municipal")
    assert world.approved(org, "A3.erc", certification_id=cert)["approved_amount"] == "200000.00"
    before = world.events()
    refused("invalid_request", world.claim, org, "A3.erc", certification_id=cert, subject="project:OTHER", year=2024)
    refused("already_awarded", world.claim, org, "A3.erc", certification_id=cert, year=2024)
    assert world.events() == before
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 5, 10),
                          document_ref="DOC-up")
    claim = world.claim(org, "A3.erc", certification_id=cert, year=2024)
    assert claim["entitled_amount"] == "800000.00"


def test_recognition_award_belongs_to_the_body(world: World) -> None:
    """Rule 13: an A3 certification names its body and is recorded for its lead; a member cannot claim the
    body's award again; a body of another kind, or none, is refused naming it; a claim naming only the body
    rests on the body's certification."""
    lead, member = world.org(), world.org()
    body, cert = recognise(world, lead, "A3.consortium", "provincial")
    world.join(body, member)
    refused("missing_field", world.certify, lead, "A3.consortium", "municipal")
    err = refused("not_eligible", world.certify, member, "A3.consortium", "municipal", body_id=body)
    assert body in err.detail and "lead" in err.detail
    consortium = world.body(lead=lead)
    err = refused("not_eligible", world.certify, lead, "A3.erc", "national", body_id=consortium)
    assert consortium in err.detail and "consortium" in err.detail
    refused("not_eligible", world.claim, lead, "A3.erc", tier="national", body_id=consortium)
    assert world.claim(lead, "A3.consortium", body_id=body)["entitled_amount"] == "500000.00"
    refused("not_eligible", world.claim, member, "A3.consortium", body_id=body)
    refused("already_awarded", world.claim, lead, "A3.consortium", certification_id=cert, year=2024)


def test_a_claim_naming_its_body_rests_on_the_certification_that_fits(world: World, ledger: AwardLedger) -> None:
    """A body with two ERC certifications: the claim naming the body (and a tier) rests on the one standing at
    that tier on its day, and a revoked one is passed over. It rested on whichever was recorded last: 422 'tier
    national disagrees with ... municipal', or not_eligible for a certification revoked as recorded in error."""
    lead = world.org()
    body = world.body(lead=lead, kind="erc", on=date(2022, 9, 6))
    national = world.certify(lead, "A3.erc", "provincial", on=date(2023, 1, 17), body_id=body)
    ledger.record_upgrade(KJJ, certification_id=national, tier="national", effective_on=date(2024, 9, 19),
                          document_ref="国家级认定")
    world.certify(lead, "A3.erc", "municipal", on=date(2024, 1, 22), body_id=body)
    claim = world.claim(lead, "A3.erc", tier="national", body_id=body, year=2024,
                        effective_on=date(2024, 10, 23))
    assert (claim["certification_id"], claim["entitled_amount"]) == (national, "1000000.00")
    lead = world.org()
    body = world.body(lead=lead, kind="erc", on=date(2022, 9, 6))
    live = world.certify(lead, "A3.erc", "national", on=date(2023, 5, 4), body_id=body)
    wrong = world.certify(lead, "A3.erc", "provincial", on=date(2023, 1, 7), body_id=body)
    ledger.revoke_certification(KJJ, certification_id=wrong, reason="误录", effective_on=date(2023, 1, 7),
                                document_ref="更正说明")
    claim = world.claim(lead, "A3.erc", body_id=body, effective_on=date(2023, 6, 12))
    assert (claim["certification_id"], claim["entitled_amount"]) == (live, "1000000.00")


def test_project_cap_is_shared_by_co_undertakers(world: World) -> None:
    """Rule 5: two co-undertakers of one 揭榜挂帅 project share its 5,000,000, whatever case they write it in."""
    first, second = world.org(), world.org()
    assert world.claim(first, "A4.challenge", basis_amount="10000000", subject="project:JB-7")["entitled_amount"] \
        == "3000000.00"
    assert world.claim(second, "A4.challenge", basis_amount="10000000", subject=" Project: jb-7")[
        "entitled_amount"] == "2000000.00"
    refused("cap_exceeded", world.claim, world.org(), "A4.challenge", basis_amount="10", subject="project:JB-7")


def test_one_fund_for_equity_and_follow_on(world: World) -> None:
    """Rule 5 and 6: A13's two programmes draw on one 100,000,000 pool, and each states its decided amount; a
    decided amount above what the pool has left is refused naming what is left, not cut, and writes nothing."""
    refused("missing_field", world.claim, world.org(), "A13.equity", by=FGJ, subject="project:E-0")
    for n in range(4):
        world.claim(world.org(), "A13.equity", by=FGJ, subject=f"project:E-{n}", requested_amount="20000000")
    claim = world.claim(world.org(), "A13.follow_on", by=FGJ, subject="project:F-1", basis_amount="200000000",
                        requested_amount="10000000")
    assert claim["entitled_amount"] == "10000000.00"
    investor = world.org()
    before = world.events()
    err = refused("cap_exceeded", world.claim, investor, "A13.equity", by=FGJ, subject="project:E-9",
                  requested_amount="20000000")
    assert "request at most 10,000,000.00" in err.detail and world.events() == before
    last = world.claim(investor, "A13.equity", by=FGJ, subject="project:E-9", requested_amount="10000000")
    assert last["entitled_amount"] == "10000000.00"
    refused("cap_exceeded", world.claim, world.org(), "A13.follow_on", by=FGJ, subject="project:F-2",
            basis_amount="1000", requested_amount="1")


def test_rank_is_one_units_and_award_year_follows_the_facts(world: World) -> None:
    """Rule 11: a second unit claiming rank 1 of one prize is refused `conflict` naming the holder. Rule 10: an
    award year that does not follow the facts is refused invalid_request."""
    holder = world.claim(world.org(), "A9.national_award", tier="first", rank=1, subject="project:NA-9")
    err = refused("conflict", world.claim, world.org(), "A9.national_award", tier="first", rank=1,
                  subject="project:na-9")
    assert holder["id"] in err.detail
    refused("invalid_request", world.claim, world.org(), "A5.voucher", basis_amount="1000", year=2023,
            effective_on=date(2024, 6, 1))


def test_approval_reassesses_when_a_lower_rung_is_rejected(world: World, ledger: AwardLedger) -> None:
    """Rule 12: a national claim that deducted a pending municipal one is re-assessed on approval once the
    municipal claim is rejected: a Reassessed event with the old and new figures, then 1,000,000 approved."""
    org = world.org()
    _, cert = recognise(world, org, "A3.erc", "municipal")
    lower = world.claim(org, "A3.erc", certification_id=cert)
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 5, 10),
                          document_ref="DOC-up")
    upper = world.claim(org, "A3.erc", certification_id=cert, year=2024)
    assert upper["entitled_amount"] == "800000.00"
    ledger.reject_claim(KJJ, claim_id=lower["id"], reason="the municipal file was incomplete")
    approved = ledger.approve_claim(KJJ, claim_id=upper["id"]).view
    assert (approved["entitled_amount"], approved["approved_amount"]) == ("1000000.00", "1000000.00")
    history = ledger.claim(upper["id"])["history"]
    reassessed = [h for h in history if h["event"] == "Reassessed"]
    assert len(reassessed) == 1 and reassessed[0]["previous_entitled_amount"] == "800000.00"
    assert reassessed[0]["entitled_amount"] == "1000000.00"
    assert [h["event"] for h in history][-2:] == ["Reassessed", "Approved"]


def test_approving_an_earlier_claim_after_a_later_one_keeps_the_project_cap(world: World, ledger: AwardLedger) -> None:
    """Rules 5 and 12: approving the first co-undertaker after the second re-assesses it against both, so the
    project's cap of 5,000,000 holds and neither is cut short."""
    org = world.org()
    challenge = world.claim(org, "A4.challenge", basis_amount="10000000", subject="project:RZ")
    other = world.claim(world.org(), "A4.challenge", basis_amount="10000000", subject="project:RZ")
    assert other["entitled_amount"] == "2000000.00"
    ledger.approve_claim(KJJ, claim_id=other["id"])
    ledger.approve_claim(KJJ, claim_id=challenge["id"])
    assert ledger.claim(challenge["id"])["approved_amount"] == "3000000.00"
    assert ledger._account("cap:project:A4.challenge:project:rz").state().used == D("5000000.00")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_subject_never_pays_past_its_best_programme_after_that_programmes_project_cap(world: World,
                                                                                     ledger: AwardLedger,
                                                                                     data) -> None:
    """Rules 4 and 5: a national second prize (1,000,000) and two challenge claims on one project (30 % of
    20,000,000, cut to the project's 5,000,000), approved in any order: the subject is never paid more than
    5,000,000, the challenge's standing after its cap (a black-box probe had 6,000,000 approved, 1 + 3 + 2)."""
    org = world.org()
    subject = f"project:NX-{org[-6:]}"
    made = [world.claim(org, "A9.national_award", tier="second", rank=1, subject=subject)]
    for _ in range(2):
        with contextlib.suppress(errors.LedgerError):
            made.append(world.claim(org, "A4.challenge", basis_amount="20000000", subject=subject))
    approved = D("0")
    for claim in data.draw(st.permutations(made)):
        with contextlib.suppress(errors.LedgerError):
            approved += D(ledger.approve_claim(KJJ, claim_id=claim["id"]).view["approved_amount"])
    assert approved <= D("5000000.00"), approved


@pytest.mark.postgres
def test_concurrent_co_undertakers_and_rank_claims_never_break_the_cap_or_the_rank(fresh_postgres_url: str) -> None:
    """Rules 5 and 11 under a race (PostgreSQL, 20 threads on 3 application instances): different organisations
    claiming one project's 5,000,000 never pass it; claiming one rank, exactly one wins, the rest `conflict`."""
    with instances(fresh_postgres_url, 3) as ledgers:
        world = World(ledgers[0])
        orgs = [world.org() for _ in range(20)]
        claimed = race(ledgers, lambda app, i: app.submit_claim(
            KJJ, uscc=orgs[i], programme="A4.challenge", award_year=2023, effective_on=date(2023, 6, 1),
            basis_amount="4000000", subject="project:RACE").view["entitled_amount"])
        assert claimed == Counter({"1200000.00": 4, "200000.00": 1, "cap_exceeded": 15}), claimed
        assert world.ledger._account("cap:project:A4.challenge:project:race").state().used == D("5000000.00")
        ranks = race(ledgers, lambda app, i: app.submit_claim(
            KJJ, uscc=orgs[i], programme="A9.national_award", award_year=2023, effective_on=date(2023, 6, 1),
            tier="first", rank=2, subject="project:RANK").view["entitled_amount"])
        assert ranks == Counter({"2500000.00": 1, "conflict": 19}), ranks


CLAIMS = {
    "A4.challenge": st.builds(lambda b: {"basis_amount": str(b)},
                              st.decimals(min_value=D("100"), max_value=D("30000000"), places=2)),
    "A4.matching": st.builds(lambda r: {"requested_amount": str(r)},
                             st.decimals(min_value=D("1"), max_value=D("6000000"), places=2)),
    "A9.national_award": st.builds(lambda t, r: {"tier": t, "rank": r}, st.sampled_from(["first", "second"]),
                                   st.integers(min_value=1, max_value=5)),
    "A9.provincial_award": st.builds(lambda t: {"tier": t, "rank": 1}, st.sampled_from(["first", "second", "third"])),
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_best_of_after_caps_in_any_order_on_the_store(world: World, ledger: AwardLedger, data) -> None:
    """Rule 4 on the store: claims on one project under several programmes, submitted and approved in any order,
    approve in total the highest single after-caps entitlement, never more."""
    codes = data.draw(st.lists(st.sampled_from(sorted(CLAIMS)), min_size=1, max_size=4, unique=True))
    claims = [(code, data.draw(CLAIMS[code])) for code in codes]
    org, ids = world.org(), []
    best = max(D(world.claim(world.org(), code, subject=f"project:ALONE-{org}-{n}", **facts)["entitled_amount"])
               for n, (code, facts) in enumerate(claims))
    for code, facts in claims:
        with contextlib.suppress(errors.Superseded):
            ids.append(world.claim(org, code, subject=f"project:ONE-{org}", **facts)["id"])
    order = data.draw(st.permutations(ids))
    approved = []
    for i in order:
        try:
            approved.append(D(ledger.approve_claim(KJJ, claim_id=i).view["approved_amount"]))
        except errors.Superseded:  # outranked by one approved before it: it stays pending, nothing was written
            assert ledger.claim(i)["status"] == "pending"
    assert sum(approved) == best


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_ladder_pays_its_highest_approved_rung_whatever_the_order_of_decisions(world: World, ledger: AwardLedger,
                                                                                data) -> None:
    """Rules 3 and 12: a lower rung pending when the higher is claimed, then both decided (approved or rejected)
    in any order: the ladder pays the highest rung a claim was approved at, never less, never more. A pending
    lower rung deducts nothing at the higher one's approval (only what was awarded is deducted), so rejecting
    it afterwards leaves nothing short; approving it after the higher one is refused already_awarded."""
    org = world.org()
    _, cert = recognise(world, org, "A3.erc", "municipal", on=date(2023, 1, 10))
    lower = world.claim(org, "A3.erc", certification_id=cert, year=2023)
    top = data.draw(st.sampled_from(["provincial", "national"]))
    ledger.record_upgrade(KJJ, certification_id=cert, tier=top, effective_on=date(2024, 3, 1), document_ref="UP")
    higher = world.claim(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    assert higher["entitled_amount"] == {"provincial": "300000.00", "national": "800000.00"}[top]  # pending deducted
    rung = {lower["id"]: D("200000.00"), higher["id"]: {"provincial": D("500000.00"), "national": D("1000000.00")}[top]}
    verdicts = {i: data.draw(st.sampled_from(["approve", "reject"])) for i in rung}
    approved_ones = set()
    for i in data.draw(st.permutations(list(rung))):
        if verdicts[i] == "reject":
            ledger.reject_claim(KJJ, claim_id=i, reason="不予支持")
            continue
        try:
            ledger.approve_claim(KJJ, claim_id=i)
            approved_ones.add(i)
        except errors.AlreadyAwarded:  # the lower rung after the higher was approved
            assert i == lower["id"] and higher["id"] in approved_ones
    wanted = max((rung[i] for i, v in verdicts.items() if v == "approve"), default=D("0"))
    total = sum((D(ledger.claim(i)["approved_amount"] or "0") for i in approved_ones), D("0"))
    assert total == wanted


def test_a_later_co_undertaker_does_not_wear_down_a_pending_claim_that_an_earlier_award_tops_up(
        world: World, ledger: AwardLedger) -> None:
    """Rules 4, 5 and 12 together (a black-box probe): X's challenge claim is cut to the project's last 500,000
    and owes 300,000 over X's own provincial second prize (200,000) for the project. A co-undertaker Z, claiming
    while X is pending, takes the 200,000 X's claim does not draw. X's approval must not then re-assess X to
    100,000 (its standing ground down to the 300,000 it reserved) and strand 200,000 of the project's cap: X is
    approved 300,000, Z 200,000, and the project's 5,000,000 is used to the fen, whatever order they come in."""
    subject = f"project:TOP-{world.org()[-6:]}"
    y, x, z = world.org(), world.org(), world.org()
    world.approved(y, "A4.challenge", basis_amount="15000000", subject=subject)
    world.approved(x, "A9.provincial_award", tier="second", rank=1, subject=subject)
    mine = world.claim(x, "A4.challenge", basis_amount="20000000", subject=subject)
    assert mine["entitled_amount"] == "300000.00"
    later_one = world.claim(z, "A4.challenge", basis_amount="20000000", subject=subject)
    assert later_one["entitled_amount"] == "200000.00"
    approved = ledger.approve_claim(KJJ, claim_id=mine["id"]).view
    assert approved["approved_amount"] == "300000.00", approved
    assert [h["event"] for h in ledger.claim(mine["id"])["history"]].count("Reassessed") == 0
    assert ledger.approve_claim(KJJ, claim_id=later_one["id"]).view["approved_amount"] == "200000.00"
    refused("cap_exceeded", world.claim, world.org(), "A4.challenge", basis_amount="10", subject=subject)
    assert ledger._account(f"cap:project:A4.challenge:{subject.lower()}").state().used == D("5000000.00")


@pytest.mark.parametrize("top_up_first", [True, False])
def test_a_top_up_over_a_pending_prize_never_outranks_that_prize(world: World, ledger: AwardLedger,
                                                                top_up_first: bool) -> None:
    """Rules 4, 5 and 12 (an oracle probe): X's national second prize (1,000,000) pending, X's challenge claim on the
    project owes only 200,000 over it (standing 1,200,000), and a co-undertaker takes the rest of the project's
    5,000,000. Approving the top-up first kept its standing of 1,200,000, which then superseded the very prize it
    topped up: X was paid 200,000. In either order X is paid 1,200,000, its best standing, and no more."""
    x, y = world.org(), world.org()
    subject = f"project:TOPPED-{x[-6:]}"
    prize = world.claim(x, "A9.national_award", tier="second", rank=1, subject=subject, year=2024,
                        effective_on=date(2024, 3, 1))
    top_up = world.claim(x, "A4.challenge", basis_amount="4000000", subject=subject, year=2024,
                         effective_on=date(2024, 4, 1))
    assert (prize["entitled_amount"], top_up["entitled_amount"]) == ("1000000.00", "200000.00")
    world.approved(y, "A4.challenge", basis_amount="20000000", subject=subject, year=2024,
                   effective_on=date(2024, 3, 1))
    first, then = (top_up, prize) if top_up_first else (prize, top_up)
    approved = {c["programme"]: ledger.approve_claim(KJJ, claim_id=c["id"]).view["approved_amount"]
                for c in (first, then)}
    assert approved == {"A9.national_award": "1000000.00", "A4.challenge": "200000.00"}, approved
    assert ledger._account(f"cap:project:A4.challenge:{subject.lower()}").state().used == D("5000000.00")
    refused("superseded", world.claim, x, "A9.provincial_award", tier="first", rank=1, subject=subject, year=2024,
            effective_on=date(2024, 5, 1))


def test_a_unit_in_two_bodies_cannot_escape_a_spent_standards_cap(world: World, ledger: AwardLedger) -> None:
    """A11: each body's yearly 1,000,000 is summed over its member units, so a unit in two bodies counts in both:
    naming the second body does not escape the first body's spent cap (a probe had B1's units hold 1,200,000 of
    2023's standard awards), and freeing the first body's cap (a rejection) lets it through, reserved on both."""
    lead, unit, other_lead = world.org(member=False), world.org(member=False), world.org(member=False)
    first, second = world.body(lead=lead), world.body(lead=other_lead, kind="alliance")
    world.join(first, unit)
    world.join(second, unit)
    spent = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:TB-1")
    before = world.events()
    err = refused("cap_exceeded", world.claim, unit, "A11.standard", by=SCJGJ, tier="national", rank=1,
                  subject="standard:TB-2", body_id=second)
    assert f"{first}:2023" in err.context["cap"] and world.events() == before
    ledger.reject_claim(SCJGJ, claim_id=spent["id"], reason="材料不全")
    got = world.claim(unit, "A11.standard", by=SCJGJ, tier="national", rank=1, subject="standard:TB-2",
                      body_id=second)
    assert got["entitled_amount"] == "200000.00"
    steps = [s["detail"] for s in got["explanation"] if s["rule"] == "cap:organisation_year"]
    assert [first in s for s in steps] == [False, True] and [second in s for s in steps] == [True, False]
    # The first body's sum now holds the unit's 200,000: its lead is cut to the 800,000 left.
    again = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:TB-3")
    assert again["entitled_amount"] == "800000.00"


def test_a_membership_recorded_after_a_standards_award_never_takes_a_body_past_its_cap(world: World,
                                                                                      ledger: AwardLedger) -> None:
    """A race probe: a unit's 1,000,000 standards award approved under its own body, then the unit recorded in body
    B1 (800,000 of its 2023 cap used) from a day before: the award was never counted on B1's cap, and B1's lead got
    B1's last 200,000 too, 2,000,000 in B1's units for the year (sent at once, the same). A membership (or a new body
    its lead) that the unit's claims on or after its first day would take past the body's cap is refused `conflict`,
    naming them, writing nothing; one they fit in is recorded and the body's cap counts them from then on. A
    membership from a day after the claim's is recorded: the claim is not B1's to count."""
    lead, unit = world.org(member=False), world.org(member=False)
    b1, b2 = world.body(lead=lead), world.body(lead=unit, kind="alliance")
    for subject, amount in (("standard:RB-1", "500000"), ("standard:RB-2", "300000")):
        made = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_participate", subject=subject)
        ledger.approve_claim(SCJGJ, claim_id=made["id"], amount=amount)
    award = world.approved(unit, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:RB-3",
                           body_id=b2)
    assert award["approved_amount"] == "1000000.00"
    later = world.org(member=False)
    world.join(b1, later, on=date(2022, 10, 1))  # no standards claim of its own: recorded as before
    before = world.events()
    err = refused("conflict", world.join, b1, unit, on=date(2022, 10, 1))
    assert award["id"] in err.detail and b1 in err.detail and "revoke" in err.detail and award["id"] in err.zh
    assert world.events() == before
    # A body the unit leads, recognised from before the award: its lead is a member from then (a regression probe),
    # so the body's cap counts the award; it fits, so the body is recorded, and a second member finds the cap used.
    b3 = world.body(lead=unit, kind="community", on=date(2022, 10, 1))
    assert ledger._account(f"cap:organisation_year:A11.standard:{b3}:2023").state().used == D("1000000.00")
    other = world.org(member=False)
    world.join(b3, other, on=date(2022, 10, 1))
    refused("cap_exceeded", world.claim, other, "A11.standard", by=SCJGJ, tier="national", rank=1,
            subject="standard:RB-4", body_id=b3)
    world.join(b1, unit, on=date(2023, 7, 1))  # from after the award's day: not B1's to count
    assert ledger._account(f"cap:organisation_year:A11.standard:{b1}:2023").state().used == D("800000.00")


def test_a_membership_waits_for_a_pending_standards_claim_then_counts_it(world: World, ledger: AwardLedger) -> None:
    """The same refusal for a pending claim (its approval and the membership sent at once gave the unit its whole
    1,000,000 in two runs of three); withdrawn, the membership is recorded, and a new claim counts on both caps."""
    lead, unit = world.org(member=False), world.org(member=False)
    b1, b2 = world.body(lead=lead), world.body(lead=unit, kind="alliance")
    for subject, amount in (("standard:RP-0", "500000"), ("standard:RP-1", "300000")):
        made = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_participate", subject=subject)
        ledger.approve_claim(SCJGJ, claim_id=made["id"], amount=amount)
    pending = world.claim(unit, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:RP-2",
                          body_id=b2)
    refused("conflict", world.join, b1, unit, on=date(2022, 10, 1))
    ledger.withdraw_claim(SCJGJ, claim_id=pending["id"], reason="待登记成员后重新申请")
    world.join(b1, unit, on=date(2022, 10, 1))
    again = world.claim(unit, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:RP-2",
                        body_id=b2)
    assert again["entitled_amount"] == "200000.00"


@pytest.mark.parametrize(("steps", "best"), [
    ((("A5.voucher", "500000", 2023), ("A8.tech_transfer", "3000000", 2023), ("A8.tech_transfer", "3000000", 2023)),
     "1000000.00"),
    ((("A8.tech_transfer", "500000", 2023), ("A5.voucher", "1000000", 2023), ("A5.voucher", "1000000", 2023)),
     "500000.00"),
    ((("A8.tech_transfer", "1000000", 2023), ("A5.computing", "3000000", 2023), ("A5.computing", "3000000", 2024)),
     "1000000.00"),
    ((("A8.tech_transfer", "3000000", 2023), ("A8.tech_transfer", "3000000", 2024)), "1200000.00"),
], ids=["tech-transfer-year", "voucher-year", "computing-term", "two-years-apart"])
def test_a_programme_stands_on_a_subject_within_its_own_per_enterprise_cap(world: World, ledger: AwardLedger,
                                                                         steps, best) -> None:
    """Rule 4 with a per-enterprise cap (an oracle probe): a voucher's 150,000 approved, then tech transfer's 600,000
    paid its 450,000 difference, then a second tech transfer of 600,000 for the same project and year took the 550,000
    the year's cap showed left (the cap counts what is paid): tech transfer stood at 1,150,000 on the subject, past
    its 1,000,000 a year, and the unit was paid 1,150,000 (a voucher 600,000 past its 500,000; computing 1,200,000
    past its term's 1,000,000). A programme's standing on a subject stays within its own caps per enterprise (per
    year, per term), so the subject is paid its best single award after caps; claims in years apart each have their
    year's cap."""
    org = world.org()
    subject = f"project:YC-{org[-6:]}"
    approved = []
    for programme, basis, year in steps:
        by = JXJ if programme.startswith("A8") else KJJ
        try:
            made = world.claim(org, programme, by=by, year=year, subject=subject, basis_amount=basis)
        except (errors.Superseded, errors.CapExceeded):
            continue
        approved.append(D(ledger.approve_claim(by, claim_id=made["id"]).view["approved_amount"]))
    assert sum(approved, D("0.00")) == D(best), approved


def test_an_approval_refused_as_outranked_says_what_closes_the_claim(world: World, ledger: AwardLedger) -> None:
    """An oracle probe: approving a lower rung after the higher one (or a claim a better award outranks) is refused
    and the claim stays pending at 0.00, but the refusal said nothing of what to do with it. It says to reject or
    withdraw it, in both languages, and writes nothing."""
    org = world.org()
    _, cert = recognise(world, org, "A3.erc", "municipal", on=date(2023, 1, 10))
    lower = world.claim(org, "A3.erc", certification_id=cert, year=2023)
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 3, 1), document_ref="UP")
    higher = world.claim(org, "A3.erc", certification_id=cert, year=2024, effective_on=date(2024, 3, 1))
    ledger.approve_claim(KJJ, claim_id=higher["id"])
    before = world.events()
    err = refused("already_awarded", ledger.approve_claim, KJJ, claim_id=lower["id"])
    assert "reject it (or withdraw it) to close it" in err.detail and "请驳回（或撤回）以结案" in err.zh, err.detail
    assert world.events() == before and ledger.claim(lower["id"])["status"] == "pending"


def test_a_late_membership_a_pending_standards_claim_fits_in_counts_it_through_its_approval(
        world: World, ledger: AwardLedger) -> None:
    """The body's cap counts a pending claim from the late membership on (reserved), and still at its approval (its
    re-assessment moves it onto the body's cap, rule 12): the body's other member is cut to what is left."""
    lead, unit = world.org(member=False), world.org(member=False)
    b1, b2 = world.body(lead=lead), world.body(lead=unit, kind="alliance")
    pending = world.claim(unit, "A11.standard", by=SCJGJ, tier="international_participate", subject="standard:RF-1",
                          body_id=b2)
    world.join(b1, unit, on=date(2022, 10, 1))
    account = f"cap:organisation_year:A11.standard:{b1}:2023"
    assert ledger._account(account).state().used == D("500000.00")
    assert ledger.approve_claim(SCJGJ, claim_id=pending["id"]).view["approved_amount"] == "500000.00"
    assert ledger._account(account).state().used == D("500000.00")
    later = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:RF-2")
    assert later["entitled_amount"] == "500000.00"


def _approved_total(ledger: AwardLedger, *claims: dict) -> Decimal:
    return sum((D(ledger.claim(c["id"])["approved_amount"] or "0") for c in claims), D("0.00"))


def test_a_lowered_approval_stands_at_what_was_awarded_under_rule_4(world: World, ledger: AwardLedger) -> None:
    """Rule 4 pays the difference over what was awarded: an approval the bureau lowered stands at its decided
    figure. Before, it stood at its entitlement there (and at its approved figure on a ladder and in what was
    paid): a 揭榜挂帅 award approved at 0.01 made the unit's national first prize for the project `superseded`,
    and a 300,000 cut was paid back once a prize sat on the subject (a black-box probe's reference model)."""
    # A4 on 20,000,000 (5,000,000 after its project cap) approved at 0.01, then the national first prize.
    org = world.org()
    a4 = world.claim(org, "A4.challenge", basis_amount=D("20000000"), subject="project:LOW-4")
    ledger.approve_claim(KJJ, claim_id=a4["id"], amount=D("0.01"))
    prize = world.claim(org, "A9.national_award", tier="first", rank=1, subject="project:LOW-4")
    assert prize["entitled_amount"] == "4999999.99"
    ledger.approve_claim(KJJ, claim_id=prize["id"])
    assert _approved_total(ledger, a4, prize) == D("5000000.00")
    # The other order comes to the same: the prize first, then A4 at 5,000,000 is no higher.
    other = world.org()
    prize = world.approved(other, "A9.national_award", tier="first", rank=1, subject="project:LOW-5")
    refused("superseded", world.claim, other, "A4.challenge", basis_amount=D("20000000"), subject="project:LOW-5")
    assert _approved_total(ledger, prize) == D("5000000.00")
    # A4 1,200,000 approved at 300,000, then a national second prize (1,000,000): 700,000 more; and the mirror.
    org = world.org()
    a4 = world.claim(org, "A4.challenge", basis_amount=D("4000000"), subject="project:LOW-1")
    ledger.approve_claim(KJJ, claim_id=a4["id"], amount=D("300000"))
    assert world.claim(org, "A9.national_award", tier="second", rank=1,
                       subject="project:LOW-1")["entitled_amount"] == "700000.00"
    org = world.org()
    a9 = world.claim(org, "A9.national_award", tier="second", rank=1, subject="project:LOW-2")
    ledger.approve_claim(KJJ, claim_id=a9["id"], amount=D("300000"))
    assert world.claim(org, "A4.challenge", basis_amount=D("4000000"),
                       subject="project:LOW-2")["entitled_amount"] == "900000.00"


def test_a_prize_on_the_subject_does_not_pay_back_a_lowered_approval(world: World, ledger: AwardLedger) -> None:
    """A4 600,000 approved at 300,000; a national second prize tops the subject up to 1,000,000; a second A4
    claim of 900,000 brings A4 as decided to 1,200,000: 200,000 more, as without the prize (it gave 500,000)."""
    totals = []
    for prize in (False, True):
        org, subject = world.org(), f"project:LOW-6-{prize}"
        first = world.claim(org, "A4.challenge", basis_amount=D("2000000"), subject=subject)
        ledger.approve_claim(KJJ, claim_id=first["id"], amount=D("300000"))
        claims = [first]
        if prize:
            claims.append(world.approved(org, "A9.national_award", tier="second", rank=1, subject=subject))
            assert claims[-1]["approved_amount"] == "700000.00"
        claims.append(world.approved(org, "A4.challenge", basis_amount=D("3000000"), subject=subject))
        assert claims[-1]["approved_amount"] == ("200000.00" if prize else "900000.00")
        totals.append(_approved_total(ledger, *claims))
    assert totals == [D("1200000.00")] * 2


@pytest.mark.parametrize(("lower", "lower_rank", "higher", "higher_rank", "paid"), [
    ("international_participate", None, "international_lead", None, "500000.00"),
    ("industry", 1, "national", 1, "100000.00"),
])
def test_one_standards_awards_are_not_added_up(world: World, lower, lower_rank, higher, higher_rank, paid) -> None:
    """A caps probe: one unit paid 500,000 for taking part in an international standard and then 1,000,000 for
    leading the same one (1,500,000), and an industry standard raised to a national one 100,000 + 200,000. Art. 16:
    "同一…标准获得多项资助（奖励）的，按从优、从高、不重复…晋升到高等次时补足差额": the higher level pays the
    difference; a lower or equal level after it is refused `already_awarded`; another standard is apart."""
    unit = world.org()  # the lead of a body of its own: A11 counts it there
    subject, extra = f"standard:GB-{unit[-6:]}", {}
    first = world.approved(unit, "A11.standard", by=SCJGJ, tier=lower, rank=lower_rank, subject=subject,
                           effective_on=date(2023, 4, 1), **extra)
    second = world.approved(unit, "A11.standard", by=SCJGJ, tier=higher, rank=higher_rank, subject=subject,
                            effective_on=date(2024, 4, 1), year=2024, **extra)
    assert second["approved_amount"] == paid, second
    total = Decimal(first["approved_amount"]) + Decimal(second["approved_amount"])
    assert total == current().programme("A11.standard").tier(higher).amount
    err = refused("already_awarded", world.claim, unit, "A11.standard", by=SCJGJ, tier=lower, rank=lower_rank,
                  subject=subject, effective_on=date(2024, 5, 1), year=2024, **extra)
    assert err is not None
    other = world.approved(unit, "A11.standard", by=SCJGJ, tier=lower, rank=lower_rank,
                           subject=f"standard:GB-{unit[-6:]}-2", effective_on=date(2024, 6, 1), year=2024, **extra)
    assert Decimal(other["approved_amount"]) > 0


def test_a_pending_lower_level_of_a_standard_does_not_cut_the_higher_ones_approval(world: World) -> None:
    """A regression probe: a unit's national-standard claim (200,000) pending, its lead claim for the same standard
    approved first was cut to 800,000 by the body's 1,000,000 cap, which still counted the pending claim's 200,000
    though that very approval left it nothing to pay; the unit was paid 800,000 of its 1,000,000. A pending claim
    on the ladder at the approved rung or below is not counted on the caps the approval is bounded by: it is paid
    1,000,000, and the national claim comes to nothing (rule 3)."""
    unit = world.org()
    subject = f"standard:GB-{unit[-6:]}"
    national = world.claim(unit, "A11.standard", by=SCJGJ, tier="national", rank=1, subject=subject,
                           effective_on=date(2023, 4, 1))
    lead = world.claim(unit, "A11.standard", by=SCJGJ, tier="international_lead", subject=subject,
                       effective_on=date(2023, 6, 1))
    assert lead["entitled_amount"] == "800000.00"  # at submission the pending lower rung is deducted (rule 3)
    approved = world.ledger.approve_claim(SCJGJ, claim_id=lead["id"]).view
    assert approved["approved_amount"] == "1000000.00", approved
    assert world.ledger.claim(national["id"])["entitled_amount"] == "0.00"
    refused("already_awarded", world.ledger.approve_claim, SCJGJ, claim_id=national["id"])
