"""Proactive entitlement (免申即享) on both stores: proposals made by recorded facts through the one pipeline,
reserving nothing; confirmed (re-assessed) or dismissed; replaced by a submitted claim, an upgrade or a
revocation; and what the read models count of them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application import AwardLedger
from ledger.domain import errors
from ledger.domain.award_account import AwardAccount
from ledger.domain.claim import Claim
from tests.store.conftest import ADMIN, FINANCE, JXJ, KJJ, SCJGJ, World


def _erc(world: World, tier: str = "municipal", on: date = date(2023, 3, 1)) -> tuple[str, str, dict]:
    org = world.org(member=False)
    body = world.body(lead=org, kind="erc", on=date(2022, 9, 6))
    cert = world.ledger.record_certification(KJJ, uscc=org, programme="A3.erc", tier=tier, effective_on=on,
                                             document_ref="杭发改高技〔2023〕15号", body_id=body).view
    return org, body, cert


def _entries(ledger: AwardLedger, claim_id: str) -> dict[str, dict]:
    """Each account the claim names, with the entries it holds (none if it was never opened)."""
    found = {}
    for key in ledger._get(Claim, UUID(claim_id), "claim").accounts:
        account = ledger._get_or_none(AwardAccount, AwardAccount.create_id(key))
        found[key] = {} if account is None else dict(account.entries)
    return found


def test_a_certification_proposes_its_award_and_reserves_nothing(world: World) -> None:
    """Recording an A3.erc recognition proposes 200,000 with the pipeline's explanation, on no account."""
    _, body, cert = _erc(world)
    [pid] = cert["proposed_claims"]
    proposal = world.ledger.claim(pid)
    assert (proposal["status"], proposal["entitled_amount"], proposal["body_id"]) == ("proposed", "200000.00", body)
    assert proposal["proposal"]["text"].startswith(f"proposed because certification {cert['id']} was recorded on")
    assert proposal["explanation"][-1]["rule"] == "entitlement"
    assert all(pid not in entries for entries in _entries(world.ledger, pid).values())
    assert world.ledger.certification(cert["id"])["proposed_claims"] == [pid]  # read back, while it is open
    world.ledger.withdraw_claim(KJJ, claim_id=pid, reason="不予主动兑现")
    assert world.ledger.certification(cert["id"])["proposed_claims"] == []


def test_the_same_certification_recorded_again_is_a_conflict_not_a_second_proposal(world: World) -> None:
    """One fact, one record: the same recognition again (directly or from another file of the same list) is
    `conflict` naming the first, and no second proposal is made; revoked, the fact may be recorded anew."""
    org, body, cert = _erc(world)
    again = {"uscc": org, "programme": "A3.erc", "tier": "municipal", "effective_on": date(2023, 4, 1),
             "document_ref": "另一份文件", "body_id": body}
    with pytest.raises(errors.Conflict, match=cert["id"]) as caught:
        world.ledger.record_certification(KJJ, **again)
    assert caught.value.context["existing"] == cert["id"]
    listed = world.ledger.import_certifications(KJJ, sha256="1" * 64, total=1, rows=[(2, again)], refused=[]).view
    assert (listed["recorded"], [r["code"] for r in listed["refused"]], listed["proposed_claims"]) == (
        0, ["conflict"], [])
    world.ledger.revoke_certification(KJJ, certification_id=cert["id"], reason="认定有误",
                                      effective_on=date(2023, 4, 1), document_ref="撤销")
    assert world.ledger.record_certification(KJJ, **again).view["proposed_claims"]


def test_facts_that_need_a_figure_propose_nothing(world: World) -> None:
    """A designation, a ranked prize and an as-required award propose nothing: the ledger lacks the figure."""
    org = world.org()
    chain = world.ledger.record_certification(JXJ, uscc=org, programme="A6.chain_leader",
                                              effective_on=date(2023, 1, 10), document_ref="区经信〔2023〕3号").view
    assert chain["proposed_claims"] == []
    body = world.body(lead=org, kind="mic", on=date(2022, 9, 6))
    mic = world.ledger.record_certification(KJJ, uscc=org, programme="A3.mic", tier="national",
                                            effective_on=date(2023, 3, 1), document_ref="D", body_id=body).view
    assert mic["proposed_claims"] == []


def test_a_standard_proposes_what_a_tier_alone_gives_and_nothing_where_a_rank_is_needed(world: World) -> None:
    """A11.standard: leading an international standard is 1,000,000 whatever the rank, so its certification
    proposes it (a probe found nothing proposed); a national standard pays by rank, which the ledger lacks."""
    org = world.org()
    lead = world.ledger.record_certification(SCJGJ, uscc=org, programme="A11.standard", tier="international_lead",
                                             subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                             document_ref="国标委〔2023〕9号").view
    [pid] = lead["proposed_claims"]
    proposal = world.ledger.claim(pid)
    assert (proposal["status"], proposal["entitled_amount"]) == ("proposed", "1000000.00")
    national = world.ledger.record_certification(SCJGJ, uscc=org, programme="A11.standard", tier="national",
                                                 subject="standard:GB-30001", effective_on=date(2023, 5, 1),
                                                 document_ref="国标委〔2023〕10号").view
    assert national["proposed_claims"] == []


def test_confirming_gives_what_submitting_would(world: World) -> None:
    """Confirmed, the proposal is pending with the figures, explanation and accounts a submission gets."""
    _, _, cert = _erc(world)
    [pid] = cert["proposed_claims"]
    confirmed = world.ledger.confirm_claim(KJJ, claim_id=pid).view
    assert confirmed["status"] == "pending"
    world.ledger.withdraw_claim(KJJ, claim_id=pid, reason="比较")
    submitted = world.claim(cert["uscc"], "A3.erc", certification_id=cert["id"], effective_on=date(2023, 3, 1))
    for field in ("entitled_amount", "gross_amount", "explanation", "tier", "body_id", "policy_version"):
        assert confirmed[field] == submitted[field], field
    with pytest.raises(errors.InvalidState, match="not proposed"):
        world.ledger.confirm_claim(KJJ, claim_id=pid)


def test_a_submitted_claim_replaces_the_proposal(world: World) -> None:
    """A claim submitted for the same certification closes the proposal as withdrawn, naming the claim."""
    org, _, cert = _erc(world)
    [pid] = cert["proposed_claims"]
    submitted = world.claim(org, "A3.erc", certification_id=cert["id"], effective_on=date(2023, 3, 1))
    assert submitted["entitled_amount"] == "200000.00"  # the proposal blocked nothing
    closed = world.ledger.claim(pid)
    assert (closed["status"], closed["replaced_by"]) == ("withdrawn", submitted["id"])
    with pytest.raises(errors.InvalidState):
        world.ledger.confirm_claim(KJJ, claim_id=pid)


def test_an_upgrade_replaces_the_lower_rungs_proposal_with_the_new_figure(world: World) -> None:
    """Municipal proposed, then provincial recorded: one proposal for 500,000 (nothing was paid below)."""
    _, _, cert = _erc(world)
    [low] = cert["proposed_claims"]
    upgraded = world.ledger.record_upgrade(KJJ, certification_id=cert["id"], tier="provincial",
                                           effective_on=date(2023, 9, 1), document_ref="D2").view
    [high] = upgraded["proposed_claims"]
    assert world.ledger.claim(low)["replaced_by"] == high
    assert world.ledger.claim(high)["entitled_amount"] == "500000.00"


def test_an_upgrade_after_a_confirmed_rung_proposes_the_top_up(world: World) -> None:
    """Municipal confirmed and approved (200,000), provincial then proposes the 300,000 top-up (rule 3)."""
    _, _, cert = _erc(world)
    [low] = cert["proposed_claims"]
    world.ledger.confirm_claim(KJJ, claim_id=low)
    world.ledger.approve_claim(KJJ, claim_id=low)
    upgraded = world.ledger.record_upgrade(KJJ, certification_id=cert["id"], tier="provincial",
                                           effective_on=date(2023, 9, 1), document_ref="D2").view
    [high] = upgraded["proposed_claims"]
    assert world.ledger.claim(high)["entitled_amount"] == "300000.00"
    # It rests on the upgrade's document, not the first certification's (a black-box probe).
    assert (world.ledger.claim(high)["document_ref"], world.ledger.claim(low)["document_ref"]) == (
        "D2", cert["document_ref"])


def test_revoking_the_certification_withdraws_its_proposal(world: World) -> None:
    """A revocation from the certification's own day withdraws the open proposal, releasing nothing."""
    _, _, cert = _erc(world)
    [pid] = cert["proposed_claims"]
    answer = world.ledger.revoke_certification(KJJ, certification_id=cert["id"], reason="撤销认定",
                                               effective_on=date(2023, 3, 1), document_ref="R").view
    assert [(c["id"], c["status"], c["released_amount"]) for c in answer["claims"]] == [(pid, "withdrawn", "0.00")]


def test_dismissing_a_proposal_is_a_withdrawal_with_a_reason(world: World) -> None:
    """POST withdraw on a proposal closes it; only its lead bureau may; a dismissed one is not confirmed."""
    _, _, cert = _erc(world)
    [pid] = cert["proposed_claims"]
    with pytest.raises(errors.NotLeadBureau):
        world.ledger.withdraw_claim(SCJGJ, claim_id=pid, reason="x")
    assert world.ledger.withdraw_claim(KJJ, claim_id=pid, reason="单位放弃").view["status"] == "withdrawn"
    with pytest.raises(errors.InvalidState):
        world.ledger.confirm_claim(KJJ, claim_id=pid)


def test_bulk_confirmation_confirms_each_and_lists_refusals(world: World) -> None:
    """Many ids: the proposals are confirmed each in its own transaction, an unknown id is listed as refused."""
    firsts = [_erc(world)[2]["proposed_claims"][0] for _ in range(3)]
    answer = world.ledger.confirm_claims(KJJ, ids=[*firsts, "00000000-0000-0000-0000-000000000000"]).view
    assert sorted(c["id"] for c in answer["confirmed"]) == sorted(firsts)
    assert [r["code"] for r in answer["refused"]] == ["not_found"]


def test_a_membership_proposes_what_the_certification_could_not(world: World) -> None:
    """An A6.honour certification of a unit in no body proposes nothing; joining a body proposes it."""
    org = world.org(member=False)
    lead = world.org(member=False)
    body = world.body(lead=lead, kind="consortium", on=date(2022, 9, 6))
    cert = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="single_champion",
                                             effective_on=date(2023, 3, 1), document_ref="D").view
    assert cert["proposed_claims"] == []
    world.join(body, org, on=date(2023, 4, 1))
    [(pid, fact)] = world.ledger._organisation(org).proposals.items()
    assert world.ledger.claim(pid)["proposal"]["because"] == "membership" and fact["certification_id"] == cert["id"]


def _open(world: World, org: str) -> list[tuple]:
    return [(c["programme"], c["tier"], c["entitled_amount"], c["award_year"], c["effective_on"])
            for c in (world.ledger.claim(pid) for pid in world.ledger._organisation(org).proposals)
            if c["status"] == "proposed"]


def test_the_order_the_membership_and_the_certification_are_recorded_in_does_not_matter(world: World) -> None:
    """A unit that joins a body from 2024-03-01 and holds a little-giant honour from 2023-02-01: the certification
    recorded after the membership proposed nothing, and no later fact would (a probe's reference model); recorded
    before it, the membership proposes 1,000,000 from 2024-03-01. Both orders now propose that claim."""
    found = []
    for membership_first in (True, False):
        org, lead = world.org(member=False), world.org(member=False)
        body = world.body(lead=lead, kind="consortium", on=date(2022, 9, 6))
        if membership_first:
            world.join(body, org, on=date(2024, 3, 1))
        world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                          effective_on=date(2023, 2, 1), document_ref="工信部〔2023〕1号")
        if not membership_first:
            world.join(body, org, on=date(2024, 3, 1))
        found.append(_open(world, org))
    assert found == [[("A6.honour", "little_giant", "1000000.00", 2024, "2024-03-01")]] * 2


@pytest.mark.parametrize("decision", ["reject", "withdraw", "revoke"])
def test_a_membership_does_not_offer_again_what_the_bureau_decided(world: World, decision: str) -> None:
    """A proposal confirmed, then rejected, withdrawn, or approved and revoked: a unit that was a member already
    joining a second body proposed the award again, one click from being confirmed (a probe). A claim made for the
    fact, whatever became of it, is the bureau's decision: a later fact proposes nothing for it."""
    org = world.org()
    cert = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                             effective_on=date(2023, 2, 1), document_ref="工信部〔2023〕1号").view
    [pid] = cert["proposed_claims"]
    world.ledger.confirm_claim(JXJ, claim_id=pid)
    if decision == "reject":
        world.ledger.reject_claim(JXJ, claim_id=pid, reason="材料不全")
    elif decision == "withdraw":
        world.ledger.withdraw_claim(JXJ, claim_id=pid, reason="主动撤回")
    else:
        world.ledger.approve_claim(JXJ, claim_id=pid)
        world.ledger.revoke_claim(JXJ, claim_id=pid, reason="核查不实", document_ref="杭高新经信〔2024〕3号")
    world.join(world.body(lead=world.org(member=False)), org, on=date(2024, 1, 1))
    assert _open(world, org) == []


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tiers=st.lists(st.sampled_from(["municipal", "provincial", "national"]), min_size=1, max_size=3))
def test_proposing_never_changes_an_account(world: World, tiers: list[str]) -> None:
    """Whatever certifications are recorded, no proposal leaves an entry on any account (it reserves nothing)."""
    for tier in tiers:
        _, _, cert = _erc(world, tier)
        for pid in cert["proposed_claims"]:
            assert all(pid not in entries for entries in _entries(world.ledger, pid).values())


def test_a_lower_rungs_proposal_outranked_by_an_approval_is_closed_naming_it(world: World) -> None:
    """A queue probe: provincial SME and little giant certified apart, the little giant's proposal confirmed and
    approved: the SME proposal stayed open at 200,000 in the queue and its total, though confirming it is refused
    `already_awarded`. The approval closes it (`Outranked`, withdrawn, naming the approved claim); a proposal the
    approval leaves something to pay (another subject, another programme) stays open."""
    org = world.org()
    sme = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                            effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕7号").view
    giant = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                              effective_on=date(2023, 6, 1), document_ref="工信部〔2023〕2号").view
    other = world.ledger.record_certification(KJJ, uscc=org, programme="A3.erc", tier="municipal",
                                              body_id=world.body(lead=org, kind="erc", on=date(2022, 9, 6)),
                                              effective_on=date(2023, 3, 1), document_ref="D").view
    [low], [high], [kept] = sme["proposed_claims"], giant["proposed_claims"], other["proposed_claims"]
    assert world.ledger.claim(low)["entitled_amount"] == "200000.00"
    world.ledger.confirm_claim(JXJ, claim_id=high)
    before = world.events()
    world.ledger.approve_claim(JXJ, claim_id=high)
    closed = world.ledger.claim(low)
    assert (closed["status"], closed["replaced_by"]) == ("withdrawn", high), closed
    assert [h["event"] for h in closed["history"]] == ["Proposed", "Outranked"]
    assert world.ledger.claim(kept)["status"] == "proposed"
    with pytest.raises(errors.InvalidState):
        world.ledger.confirm_claim(JXJ, claim_id=low)
    assert world.events() > before


def test_a_proposal_an_approval_leaves_less_to_pay_shows_what_confirming_gives(world: World) -> None:
    """A regression probe: the SME honour's 200,000 approved, the little giant's proposal (certified apart) still
    showed 1,000,000 in the queue and its open total, though confirming it gives 800,000. The approval re-assesses
    it (its history: Proposed, then Reassessed with the old and new figures); it stays open, and confirming it gives
    the figure shown."""
    _, low, high = _honours(world)
    assert world.ledger.claim(high)["entitled_amount"] == "1000000.00"
    world.ledger.confirm_claim(JXJ, claim_id=low)
    world.ledger.approve_claim(JXJ, claim_id=low)
    shown = world.ledger.claim(high)
    assert (shown["status"], shown["entitled_amount"]) == ("proposed", "800000.00"), shown
    assert [(h["event"], h.get("previous_entitled_amount")) for h in shown["history"]] == [
        ("Proposed", None), ("Reassessed", "1000000.00")]
    confirmed = world.ledger.confirm_claim(JXJ, claim_id=high).view
    assert (confirmed["status"], confirmed["entitled_amount"]) == ("pending", "800000.00")


def _standard_members(world: World) -> tuple[str, str, str]:
    """Two units of one innovation body (A11's cap is per body per year, summed over its members)."""
    lead = world.org(member=False)
    body = world.body(lead=lead)
    unit = world.org(member=False)
    world.ledger.add_member(ADMIN, body_id=body, uscc=unit, joined_on=date(2022, 10, 1))
    return lead, unit, body


def test_a_proposal_a_cap_leaves_nothing_is_closed_naming_the_approval_that_took_it(world: World) -> None:
    """A regression probe: the body's 2023 A11 cap taken whole by one unit's approved award, another unit's
    proposal stayed open at 1,000,000 in the queue, though confirming it is refused `cap_exceeded`. The approval
    closes it (`Outranked`, withdrawn, naming the approval that used the cap), as a ladder or a subject does."""
    lead, unit, body = _standard_members(world)
    [pid] = world.ledger.record_certification(SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead",
                                              subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                              document_ref="国标委〔2023〕9号", body_id=body).view["proposed_claims"]
    assert world.ledger.claim(pid)["entitled_amount"] == "1000000.00"
    taken = world.approved(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:ISO-30001",
                           body_id=body, effective_on=date(2023, 4, 1))
    closed = world.ledger.claim(pid)
    assert (closed["status"], closed["replaced_by"]) == ("withdrawn", taken["id"]), closed
    assert [h["event"] for h in closed["history"]] == ["Proposed", "Outranked"]
    assert "cap" in closed["history"][-1]["reason"]
    with pytest.raises(errors.InvalidState):
        world.ledger.confirm_claim(SCJGJ, claim_id=pid)


def test_a_proposal_a_cap_leaves_less_is_reassessed_to_what_is_left(world: World) -> None:
    """The same, the approval leaving 500,000 of the body's cap: the other unit's proposal is re-assessed to it
    (open, Reassessed with the old and new figures), and confirming it gives the figure shown."""
    lead, unit, body = _standard_members(world)
    [pid] = world.ledger.record_certification(SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead",
                                              subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                              document_ref="国标委〔2023〕9号", body_id=body).view["proposed_claims"]
    world.approved(lead, "A11.standard", by=SCJGJ, tier="international_participate", subject="standard:ISO-30001",
                   body_id=body, effective_on=date(2023, 4, 1))
    shown = world.ledger.claim(pid)
    assert (shown["status"], shown["entitled_amount"]) == ("proposed", "500000.00"), shown
    assert [(h["event"], h.get("previous_entitled_amount")) for h in shown["history"]] == [
        ("Proposed", None), ("Reassessed", "1000000.00")]
    confirmed = world.ledger.confirm_claim(SCJGJ, claim_id=pid).view
    assert (confirmed["status"], confirmed["entitled_amount"]) == ("pending", "500000.00")


def _honours(world: World) -> tuple[str, str, str]:
    """An organisation certified a provincial SME honour and, apart, a little giant: (it, their two proposals)."""
    org = world.org()
    [low] = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                              effective_on=date(2023, 3, 1), document_ref="SME").view["proposed_claims"]
    [high] = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                               effective_on=date(2023, 6, 1), document_ref="LG").view["proposed_claims"]
    return org, low, high


def _proposals_of(world: World, uscc: str) -> list[dict]:
    """The organisation's open proposals, as its index holds them (the queue's read model is tested apart)."""
    return [world.ledger.claim(pid) for pid in world.ledger._organisation(uscc).proposals]


def test_revoking_the_approval_that_outranked_a_proposal_proposes_it_again(world: World) -> None:
    """免申即享 follows a correction as it follows a fact: the little giant's award, which closed the SME honour's
    proposal (nothing left to pay), is revoked; the SME honour is proposed again, at what it now gives (200,000),
    naming the revocation it rests on, and confirming it gives that figure."""
    org, low, high = _honours(world)
    world.ledger.confirm_claim(JXJ, claim_id=high)
    world.ledger.approve_claim(JXJ, claim_id=high)
    assert world.ledger.claim(low)["status"] == "withdrawn" and _proposals_of(world, org) == []
    world.ledger.revoke_claim(JXJ, claim_id=high, reason="认定材料不实", document_ref="杭高新经信〔2024〕3号")
    [again] = _proposals_of(world, org)
    assert again["id"] != low and again["entitled_amount"] == "200000.00", again
    shown = world.ledger.claim(again["id"])
    assert shown["proposal"]["because"] == "the revocation of claim" and shown["proposal"]["fact_id"] == high, shown
    assert shown["tier"] == "provincial_sme"
    confirmed = world.ledger.confirm_claim(JXJ, claim_id=again["id"]).view
    assert (confirmed["status"], confirmed["entitled_amount"]) == ("pending", "200000.00")
    # Offered once: a later correction finds nothing more to propose for the same fact.
    assert _proposals_of(world, org) == []


def test_a_proposal_a_cap_closed_is_proposed_again_for_what_a_revocation_left(world: World) -> None:
    """Another unit's standard proposal, closed once the body's 2023 A11 million was taken; the award that took it is
    revoked after 300,000 was paid: the paid part still counts on the cap (contract: what was paid becomes a
    recovery), so the unit is proposed again at 700,000."""
    lead, unit, body = _standard_members(world)
    [pid] = world.ledger.record_certification(SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead",
                                              subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                              document_ref="国标委〔2023〕9号", body_id=body).view["proposed_claims"]
    taken = world.approved(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:ISO-30001",
                           body_id=body, effective_on=date(2023, 4, 1))
    assert world.ledger.claim(pid)["status"] == "withdrawn"
    world.appropriate(2023)
    world.ledger.record_payout(FINANCE, claim_id=taken["id"], amount=Decimal("300000.00"), paid_on=date(2023, 8, 1),
                               bank_ref="ICBC-A11-1")
    world.ledger.revoke_claim(SCJGJ, claim_id=taken["id"], reason="标准发布单位核查不符", document_ref="D-1")
    [again] = _proposals_of(world, unit)
    assert (again["entitled_amount"], again["programme"]) == ("700000.00", "A11.standard"), again
    assert world.ledger.confirm_claim(SCJGJ, claim_id=again["id"]).view["entitled_amount"] == "700000.00"


def test_a_proposal_cut_by_a_pending_claim_is_reassessed_up_when_that_claim_is_rejected(world: World) -> None:
    """The lead's pending standard claim reserves 500,000 of the body's million: the unit's proposal is made at what
    is left (500,000). Rejecting the lead's claim frees it: the proposal is re-assessed to 1,000,000 (Reassessed,
    old and new), as confirming it would give; withdrawing instead does the same."""
    for end in ("reject", "withdraw"):
        lead, unit, body = _standard_members(world)
        held = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_participate",
                           subject="standard:ISO-30001", body_id=body, effective_on=date(2023, 4, 1))
        [pid] = world.ledger.record_certification(
            SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead", subject="standard:ISO-20001",
            effective_on=date(2023, 5, 1), document_ref="国标委〔2023〕9号", body_id=body).view["proposed_claims"]
        assert world.ledger.claim(pid)["entitled_amount"] == "500000.00"
        if end == "reject":
            world.ledger.reject_claim(SCJGJ, claim_id=held["id"], reason="材料不全")
        else:
            world.ledger.withdraw_claim(SCJGJ, claim_id=held["id"], reason="申报有误")
        shown = world.ledger.claim(pid)
        assert (shown["status"], shown["entitled_amount"]) == ("proposed", "1000000.00"), (end, shown)
        assert [(h["event"], h.get("previous_entitled_amount")) for h in shown["history"]] == [
            ("Proposed", None), ("Reassessed", "500000.00")]


def test_a_claim_going_pending_reassesses_the_proposals_drawing_on_what_it_reserves(world: World) -> None:
    """A proposals probe: the unit's proposal stayed at 1,000,000 in the queue while the lead's claim, submitted
    after it, reserved half the body's million, though confirming it gave 500,000. A claim going pending (submitted,
    or a proposal confirmed) now re-assesses the open proposals on what it reserves (Reassessed, old and new), and
    its rejection re-assesses them back; the figure shown is what confirming gives."""
    lead, unit, body = _standard_members(world)
    [pid] = world.ledger.record_certification(SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead",
                                              subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                              document_ref="国标委〔2023〕9号", body_id=body).view["proposed_claims"]
    assert world.ledger.claim(pid)["entitled_amount"] == "1000000.00"
    held = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_participate",
                       subject="standard:ISO-30001", body_id=body, effective_on=date(2023, 4, 1))
    shown = world.ledger.claim(pid)
    assert (shown["status"], shown["entitled_amount"]) == ("proposed", "500000.00"), shown
    assert [(h["event"], h.get("previous_entitled_amount")) for h in shown["history"]] == [
        ("Proposed", None), ("Reassessed", "1000000.00")]
    world.ledger.reject_claim(SCJGJ, claim_id=held["id"], reason="材料不全")
    assert world.ledger.claim(pid)["entitled_amount"] == "1000000.00"
    # The organisation's own, through a confirmation: the little giant's proposal shows what confirming it gives
    # once the SME honour's is confirmed, and its confirmation moves nothing.
    _, low, high = _honours(world)
    world.ledger.confirm_claim(JXJ, claim_id=low)
    shown = world.ledger.claim(high)
    confirmed = world.ledger.confirm_claim(JXJ, claim_id=high).view
    assert confirmed["entitled_amount"] == shown["entitled_amount"] == "800000.00", (shown, confirmed)
    assert [h["event"] for h in world.ledger.claim(high)["history"]] == ["Proposed", "Reassessed", "Confirmed"]


def test_revoking_a_certification_offers_what_its_award_held_to_the_proposals_waiting(world: World) -> None:
    """The SME honour's award (its certification revoked) had cut the little giant's proposal to 800,000: the
    revocation ends the award and the proposal is re-assessed to the full 1,000,000."""
    org = world.org()
    sme = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                            effective_on=date(2023, 3, 1), document_ref="SME").view
    [low] = sme["proposed_claims"]
    [high] = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                               effective_on=date(2023, 6, 1), document_ref="LG").view["proposed_claims"]
    world.ledger.confirm_claim(JXJ, claim_id=low)
    world.ledger.approve_claim(JXJ, claim_id=low)
    assert world.ledger.claim(high)["entitled_amount"] == "800000.00"
    world.ledger.revoke_certification(JXJ, certification_id=sme["id"], reason="撤销认定", effective_on=date(2024, 1, 1),
                                      document_ref="浙经信〔2024〕1号")
    shown = world.ledger.claim(high)
    assert (shown["status"], shown["entitled_amount"]) == ("proposed", "1000000.00"), shown
    assert [p["id"] for p in _proposals_of(world, org)] == [high]


def _certified_while_the_cap_is_held(world: World) -> tuple[str, str, dict, dict]:
    """The lead's pending international standard holding its body's whole 2023 A11 million when another unit's is
    certified: (lead, unit, the pending claim, the unit's certification)."""
    lead, unit, body = _standard_members(world)
    held = world.claim(lead, "A11.standard", by=SCJGJ, tier="international_lead", subject="standard:ISO-30001",
                       body_id=body, effective_on=date(2023, 4, 1))
    cert = world.ledger.record_certification(SCJGJ, uscc=unit, programme="A11.standard", tier="international_lead",
                                             subject="standard:ISO-20001", effective_on=date(2023, 5, 1),
                                             document_ref="国标委〔2023〕9号", body_id=body).view
    return lead, unit, held, cert


def test_a_fact_recorded_while_a_cap_was_held_is_proposed_once_the_holder_is_rejected(world: World) -> None:
    """The lead's pending claim holds the body's whole 2023 A11 million: the unit's international standard, certified
    then, proposes nothing (the caps probe: and was never proposed later). Rejecting the lead's claim frees the cap
    and the unit's award is proposed, naming the rejection; a dismissed one would not be."""
    lead, unit, held, cert = _certified_while_the_cap_is_held(world)
    assert cert["proposed_claims"] == [] and _proposals_of(world, unit) == []
    world.ledger.reject_claim(SCJGJ, claim_id=held["id"], reason="材料不全")
    [again] = _proposals_of(world, unit)
    assert (again["entitled_amount"], again["certification_id"]) == ("1000000.00", cert["id"]), again
    assert (again["proposal"]["because"], again["proposal"]["fact_id"]) == ("the rejection of claim", held["id"])
    assert _proposals_of(world, lead) == []  # the rejected claim's own fact is the bureau's decision: not offered


def _paid_then_revoked(world: World, proposal: str, paid: Decimal) -> str:
    """The A6.honour proposal confirmed, approved, `paid` in part and revoked: its recovery's id."""
    world.ledger.confirm_claim(JXJ, claim_id=proposal)
    world.ledger.approve_claim(JXJ, claim_id=proposal)
    world.appropriate(2023)
    world.ledger.record_payout(FINANCE, claim_id=proposal, amount=paid, paid_on=date(2023, 8, 1),
                               bank_ref=f"PAY-{proposal[:8]}")
    return world.ledger.revoke_claim(JXJ, claim_id=proposal, reason="认定材料不实",
                                     document_ref="杭高新经信〔2024〕3号").view["recovery_id"]


def test_a_repayment_on_a_revoked_award_offers_what_it_frees_to_the_proposals_waiting(world: World) -> None:
    """A regression probe: a revoked award's paid part still counts on its ladder until it is repaid; repaid, it
    stops counting, but the proposals waiting on the ladder were not told. Now the repayment re-assesses them up
    and proposes again what the award had outranked, naming the repayment."""
    org, low, high = _honours(world)
    recovery = _paid_then_revoked(world, high, Decimal("300000.00"))
    assert _proposals_of(world, org) == []  # 300,000 paid still counts on the ladder: the SME honour gives nothing
    world.ledger.record_repayment(FINANCE, recovery_id=recovery, amount=Decimal("300000.00"),
                                  received_on=date(2024, 3, 1), bank_ref="LG-BACK-1")
    [again] = _proposals_of(world, org)
    assert (again["tier"], again["entitled_amount"]) == ("provincial_sme", "200000.00"), again
    assert (again["proposal"]["because"], again["proposal"]["fact_id"]) == ("the repayment on claim", high)
    assert low != again["id"]


def test_a_repayment_raises_an_open_proposal_the_kept_part_had_cut(world: World) -> None:
    _, low, high = _honours(world)
    recovery = _paid_then_revoked(world, low, Decimal("100000.00"))
    assert world.ledger.claim(high)["entitled_amount"] == "900000.00"  # the paid 100,000 still counts
    world.ledger.record_repayment(FINANCE, recovery_id=recovery, amount=Decimal("100000.00"),
                                  received_on=date(2024, 3, 1), bank_ref="SME-BACK-1")
    shown = world.ledger.claim(high)
    assert (shown["status"], shown["entitled_amount"]) == ("proposed", "1000000.00"), shown


def test_a_lowered_approval_proposes_what_its_reservation_had_kept_from_being_proposed(world: World) -> None:
    """A proposals probe: the lead's pending standard held the body's whole 2023 million when the unit's international
    standard was certified (nothing proposed, rightly); approved at 400,000, it freed 600,000, but nothing was proposed,
    though recorded the other way round the unit would have had a 600,000 proposal."""
    _, unit, held, cert = _certified_while_the_cap_is_held(world)
    assert cert["proposed_claims"] == []
    world.ledger.approve_claim(SCJGJ, claim_id=held["id"], amount=Decimal("400000.00"))
    [again] = _proposals_of(world, unit)
    assert (again["entitled_amount"], again["proposal"]["because"]) == ("600000.00", "the lowered approval of claim")
    assert world.ledger.confirm_claim(SCJGJ, claim_id=again["id"]).view["entitled_amount"] == "600000.00"


def test_approving_a_proposal_says_to_confirm_it_first(world: World) -> None:
    _, _, high = _honours(world)
    with pytest.raises(errors.InvalidState, match=r"confirm it first \(POST /v1/claims/.*/confirm"):
        world.ledger.approve_claim(JXJ, claim_id=high)


@pytest.mark.parametrize("order", ["later first", "earlier first"])
def test_the_order_two_memberships_are_recorded_in_does_not_choose_the_proposals_year(world: World,
                                                                                     order: str) -> None:
    """A proposals probe: a certification held before any membership, then memberships from 2024-02-01 and from
    2023-04-01: recorded in that order, the proposal was for 2024; the other way round, for 2023. The holder was
    eligible from 2023-04-01 whatever the order: the proposal is for that day and year, the later one giving way."""
    org = world.org(member=False)
    cert = world.ledger.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                             effective_on=date(2023, 3, 1), document_ref="浙经信〔2023〕7号").view
    assert cert["proposed_claims"] == []
    later, earlier = world.body(lead=world.org(member=False)), world.body(lead=world.org(member=False))
    joins = [(later, date(2024, 2, 1)), (earlier, date(2023, 4, 1))]
    for body, day in joins if order == "later first" else joins[::-1]:
        world.join(body, org, on=day)
    [open_] = _proposals_of(world, org)
    assert (open_["effective_on"], open_["award_year"], open_["entitled_amount"]) == ("2023-04-01", 2023,
                                                                                      "200000.00"), open_
