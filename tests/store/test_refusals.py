"""Every refusal carries its contract code and writes nothing: the event count is unchanged."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from ledger.domain import errors
from tests.store.conftest import ADMIN, AUDITOR, FINANCE, JXJ, KJJ, World


def refused(world: World, code: str, command: Callable[[], object]) -> errors.LedgerError:
    before = world.events()
    with pytest.raises(errors.LedgerError) as caught:
        command()
    assert caught.value.code == code, caught.value.detail
    assert world.events() == before, "a refused command wrote events"
    return caught.value


def test_invalid_uscc(world: World) -> None:
    """A code failing its GB 32100-2015 check character is bad input."""
    refused(world, "invalid_uscc", lambda: world.ledger.register_organisation(
        ADMIN, uscc="91330108MA00000010", name="坏代码公司", in_district=True))


def test_already_registered(world: World) -> None:
    """Registering a known organisation again is a conflict."""
    org = world.org()
    refused(world, "conflict", lambda: world.ledger.register_organisation(ADMIN, uscc=org, name="x", in_district=True))


def test_not_lead_bureau_certifies(world: World) -> None:
    """Only the lead bureau records a programme's certifications: jxj may not certify kjj's ERC."""
    org = world.org()
    refused(world, "not_lead_bureau", lambda: world.certify(org, "A3.erc", "municipal", by=JXJ))


@pytest.mark.parametrize("who", [AUDITOR, FINANCE, ADMIN])
def test_non_bureaus_may_not_claim(world: World, who) -> None:
    """Auditors, finance and admins decide nothing."""
    org = world.org()
    refused(world, "forbidden", lambda: world.claim(org, "A5.voucher", basis_amount="1000", by=who))


def test_bureau_may_not_pay(world: World) -> None:
    """Only finance records payouts and appropriations."""
    refused(world, "forbidden", lambda: world.ledger.record_appropriation(KJJ, year=2024, amount="1",
                                                                           document_ref="X"))


def test_outside_policy_term_claim(world: World) -> None:
    """A claim resting on a fact after the term is refused."""
    org = world.org()
    refused(world, "outside_policy_term", lambda: world.claim(org, "A5.voucher", basis_amount="1000", year=2025,
                                                              effective_on=date(2025, 9, 6)))


def test_not_eligible_outside_district(world: World) -> None:
    """Units outside the district do not benefit."""
    org = world.org(in_district=False)
    refused(world, "not_eligible", lambda: world.claim(org, "A5.voucher", basis_amount="1000"))


def test_not_eligible_without_membership(world: World) -> None:
    """A unit in no recognised innovation organisation is refused, except for technology transfer."""
    org = world.org(member=False)
    refused(world, "not_eligible", lambda: world.claim(org, "A5.voucher", basis_amount="1000"))
    assert world.claim(org, "A8.tech_transfer", basis_amount="1000", by=JXJ)["entitled_amount"] == "200.00"


def test_cap_exceeded_requested_above_cap(world: World) -> None:
    """A decided amount above a capped programme's cap is refused, not cut."""
    org = world.org()
    alliance = world.body(lead=org, kind="alliance")
    refused(world, "cap_exceeded", lambda: world.claim(org, "A3.alliance", body_id=alliance,
                                                       requested_amount="300000.01"))


def test_already_awarded(world: World) -> None:
    """The same certification claimed twice is refused."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "provincial")
    world.approved(org, "A3.erc", certification_id=cert)
    refused(world, "already_awarded", lambda: world.claim(org, "A3.erc", certification_id=cert, year=2024))


def test_superseded(world: World) -> None:
    """A lower award for a subject already awarded higher is refused, naming the earlier claim."""
    org = world.org()
    first = world.approved(org, "A9.national_award", tier="second", rank=1, subject="project:GB-1")
    err = refused(world, "superseded", lambda: world.claim(org, "A4.challenge", basis_amount="2000000",
                                                           subject="project:GB-1"))
    assert first["id"] in err.detail
    # Each programme by its name in Chinese, its code beside it (the bare codes were said: a regression probe).
    zh = err.in_language("zh")
    assert "（A9.national_award）下计得" in zh, zh
    assert "（A4.challenge）为" in zh and " A9.national_award " not in zh, zh


def test_fund_exhausted(world: World) -> None:
    """An approval past the year's appropriation is refused; a year with no appropriation has nothing."""
    org = world.org()
    claim = world.claim(org, "A3.erc", year=2022, effective_on=date(2022, 10, 1),
                        certification_id=world.recognise(org, "A3.erc", "municipal", on=date(2022, 10, 1)))
    refused(world, "fund_exhausted", lambda: world.ledger.approve_claim(KJJ, claim_id=claim["id"]))
    world.appropriate(2022, "100000.00")
    refused(world, "fund_exhausted", lambda: world.ledger.approve_claim(KJJ, claim_id=claim["id"]))
    world.appropriate(2022, "100000.00")
    assert world.ledger.approve_claim(KJJ, claim_id=claim["id"]).view["status"] == "approved"


def test_over_approved(world: World) -> None:
    """Payouts never exceed what was approved; a reversal restores the outstanding amount."""
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))
    paid = world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="150000", paid_on=date(2023, 7, 1),
                                      bank_ref="BK-1").view
    refused(world, "over_approved", lambda: world.ledger.record_payout(
        FINANCE, claim_id=claim["id"], amount="50000.01", paid_on=date(2023, 7, 2), bank_ref="BK-2"))
    world.ledger.reverse_payout(FINANCE, payout_id=paid["id"], reason="退回：账户错误")
    assert world.ledger.claim(claim["id"])["outstanding_amount"] == "200000.00"


def test_approval_may_lower_never_raise(world: World) -> None:
    """An approval above the entitlement is refused; a lower one is recorded."""
    org = world.org()
    claim = world.claim(org, "A3.alliance", body_id=world.body(lead=org, kind="alliance"), requested_amount="300000")
    refused(world, "cap_exceeded", lambda: world.ledger.approve_claim(KJJ, claim_id=claim["id"], amount="300000.01"))
    assert world.ledger.approve_claim(KJJ, claim_id=claim["id"], amount="120000").view["approved_amount"] == "120000.00"


def test_deciding_twice(world: World) -> None:
    """A decided claim cannot be decided again."""
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))
    refused(world, "invalid_state", lambda: world.ledger.reject_claim(KJJ, claim_id=claim["id"], reason="重复"))


@pytest.mark.parametrize("amount", [1.5, "-1", "1.001", "abc"])
def test_bad_amounts(world: World, amount) -> None:
    """Floats, negatives, fractions of a fen and non-numbers are refused as invalid amounts."""
    org = world.org()
    refused(world, "invalid_amount", lambda: world.claim(org, "A5.voucher", basis_amount=amount))


def test_unknown_programme_and_tier(world: World) -> None:
    """Programme and tier codes must be the catalogue's."""
    org = world.org()
    refused(world, "unknown_programme", lambda: world.claim(org, "A99.nothing"))
    refused(world, "unknown_tier", lambda: world.claim(org, "A3.erc", tier="galactic"))


def test_rejection_releases_the_reservation(world: World) -> None:
    """A pending claim reserves cap headroom; rejecting it gives the headroom back."""
    org = world.org()
    first = world.claim(org, "A5.voucher", basis_amount="1000000")
    assert world.claim(org, "A5.voucher", basis_amount="1000000")["entitled_amount"] == "200000.00"
    world.ledger.reject_claim(KJJ, claim_id=first["id"], reason="材料不全")
    assert world.claim(org, "A5.voucher", basis_amount="1000000")["entitled_amount"] == "300000.00"


def test_a_full_width_bank_reference_is_refused_showing_the_form_to_write(world: World) -> None:
    """An input probe: a payout under "ＩＣＢＣ－ＦＷ－０００１" (a clerk's input method in full-width mode) was a
    second payout for the bank transaction "ICBC-FW-0001" already booked, where the same reference in lower case is
    `conflict`. A reference with full-width or other compatibility characters is refused, writing nothing, naming the
    form to write, as a body's id is; so is a repayment's."""
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="10.00", paid_on=date(2023, 7, 1),
                               bank_ref="ICBC-FW-0001")
    err = refused(world, "invalid_request", lambda: world.ledger.record_payout(
        FINANCE, claim_id=claim["id"], amount="10.00", paid_on=date(2023, 7, 1), bank_ref="ＩＣＢＣ－ＦＷ－０００１"))
    assert "'ICBC-FW-0001'" in err.detail and err.context.get("field") == "bank_ref"
    assert "银行流水号" in err.in_language("zh") and "请写作 'ICBC-FW-0001'" in err.in_language("zh")
    assert world.ledger.claim(claim["id"])["paid_amount"] == "10.00"
    revoked = world.ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="虚报", document_ref="撤〔2024〕1号").view
    refused(world, "invalid_request", lambda: world.ledger.record_repayment(
        FINANCE, recovery_id=revoked["recovery_id"], amount="10.00", received_on=date(2024, 1, 5),
        bank_ref="ＲＥＰ－１"))


def test_a_second_reversal_names_the_payout_and_what_to_do_instead(world: World) -> None:
    """A finance probe was told only "拨付 … 已冲回": the refusal names the payout's amount, reference and reason, and
    says a payment made again is a new payout."""
    claim = world.approved(world.org(), "A5.voucher", basis_amount="100000")
    payout = world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="30000", paid_on=date(2023, 7, 1),
                                        bank_ref="B-REV-1").view
    world.ledger.reverse_payout(FINANCE, payout_id=payout["id"], reason="户名不符，银行退回")
    before = world.events()
    with pytest.raises(errors.InvalidState) as again:
        world.ledger.reverse_payout(FINANCE, payout_id=payout["id"], reason="再次冲回")
    assert "B-REV-1" in again.value.detail and "POST /v1/payouts" in again.value.detail
    assert "户名不符，银行退回" in again.value.zh and "另行登记拨付" in again.value.zh and "30,000.00" in again.value.zh
    assert world.events() == before


def test_a_fund_refusal_of_an_approval_the_re_assessment_raised_names_both_figures(ledger) -> None:
    """A pages probe read "approving 3,000,000.00 would pass" on a claim that showed 2,000,000.00: the approval's
    re-assessment (rule 12) raised it, and a refusal records nothing of that. The refusal names both figures and
    that a lower amount within the fund may be approved with a note; it writes nothing."""
    world = World(ledger)
    world.appropriate(2023)
    world.appropriate(2024, "900000.00")
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    lower = world.claim(org, "A3.erc", certification_id=cert)  # pending: holds its 200,000 on the ladder
    ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 5, 10),
                          document_ref="DOC-up")
    upper = world.claim(org, "A3.erc", certification_id=cert, year=2024)
    assert upper["entitled_amount"] == "800000.00"
    ledger.reject_claim(KJJ, claim_id=lower["id"], reason="材料不全")
    before = world.events()
    with pytest.raises(errors.FundExhausted) as refused:
        ledger.approve_claim(KJJ, claim_id=upper["id"])
    said, zh = refused.value.detail, refused.value.in_language("zh")
    assert "800,000.00 as recorded, 1,000,000.00 now" in said, said
    assert "记录为 800,000.00 元，现为 1,000,000.00 元" in zh and "调低批准金额" in zh, zh
    assert world.events() == before
    assert ledger.approve_claim(KJJ, claim_id=upper["id"], amount="900000", note="资金所限").view[
        "approved_amount"] == "900000.00"
