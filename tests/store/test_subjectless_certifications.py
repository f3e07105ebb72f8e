"""A certification recorded without the subject its programme's awards are keyed by (A9's project, A11's standard:
a certification recorded without `subject`, or an official list imported without a `subject` column), on both
stores. An otherfacts probe found every claim at its tier refused: `missing_field` without a subject, "leave
subject out" with one, and a claim naming no certification pulled onto it and refused the same way. The claim
now names the subject, and every claim on the certification, at any rung, names the same one."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain import errors
from tests.store.conftest import KJJ, SCJGJ, World


def test_a_claim_on_it_names_the_subject_and_every_later_rung_names_the_same(world: World) -> None:
    org = world.org()
    cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8))
    with pytest.raises(errors.MissingFact, match=f"certification {cert} was recorded without the project") as no:
        world.claim(org, "A9.national_award", certification_id=cert, rank=1)
    assert (no.value.code, no.value.context.get("field")) == ("missing_field", "subject")
    first = world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:NA-2023-7")
    assert (first["status"], first["entitled_amount"], first["subject"]) == ("pending", "1000000.00",
                                                                            "project:NA-2023-7")
    world.ledger.approve_claim(KJJ, claim_id=first["id"])
    world.ledger.record_upgrade(KJJ, certification_id=cert, tier="first", effective_on=date(2024, 1, 9),
                                       document_ref="国科奖〔2024〕1号")
    with pytest.raises(errors.InvalidInput, match="project:NA-2023-7") as other:
        world.claim(org, "A9.national_award", year=2024, certification_id=cert, rank=1, subject="project:NA-2024-1")
    assert other.value.context["claim_id"] == first["id"]
    top = world.claim(org, "A9.national_award", year=2024, certification_id=cert, rank=1,
                      subject="  PROJECT:na-2023-7 ")  # the same subject, however it is written
    assert (top["entitled_amount"], top["certification_id"]) == ("4000000.00", cert)  # 5,000,000 less the second


def test_a_claim_naming_no_certification_rests_on_it_only_for_the_subject_it_was_claimed_for(world: World) -> None:
    org = world.org()
    cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8))
    first = world.claim(org, "A9.national_award", tier="second", rank=1, subject="project:P-1")
    assert (first["certification_id"], first["subject"], first["entitled_amount"]) == (cert, "project:P-1",
                                                                                       "1000000.00")
    with pytest.raises(errors.AlreadyAwarded):  # the certification's rung is held: once per certification
        world.claim(org, "A9.national_award", tier="second", rank=1, subject="project:p-1")
    alone = world.claim(org, "A9.national_award", tier="second", rank=1, subject="project:P-2")
    assert (alone["certification_id"], alone["entitled_amount"]) == (None, "1000000.00")  # another prize


def test_an_official_list_without_a_subject_column_records_what_a_claim_can_rest_on(world: World) -> None:
    org = world.org()
    row = {"uscc": org, "programme": "A11.standard", "tier": "international_participate",
           "effective_on": date(2024, 4, 4), "document_ref": "国标委〔2024〕1号"}
    listed = world.ledger.import_certifications(SCJGJ, sha256="7" * 64, total=1, rows=[(2, row)], refused=[]).view
    [recorded] = listed["certifications"]
    assert listed["proposed_claims"] == []  # the standard is a figure the ledger does not hold
    claim = world.claim(org, "A11.standard", year=2024, by=SCJGJ, certification_id=recorded["certification_id"],
                        subject="standard:ISO-20001", effective_on=date(2024, 5, 1))
    assert (claim["status"], claim["entitled_amount"], claim["subject"]) == ("pending", "500000.00",
                                                                            "standard:ISO-20001")


def test_a_certification_that_names_its_subject_still_refuses_another(world: World) -> None:
    org = world.org()
    cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8), subject="project:P-9")
    with pytest.raises(errors.InvalidInput, match="leave subject out"):
        world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:P-10")
    assert world.claim(org, "A9.national_award", certification_id=cert, rank=1)["subject"] == "project:P-9"


def test_claims_sent_at_once_on_two_rungs_cannot_name_two_subjects(world: World, database_url: str) -> None:
    """A regression probe: claims on the second and first prize of one upgraded certification, sent at the same
    moment from two processes, each naming its own project, were both taken and approved: 1,000,000 and 5,000,000
    for one prize. Each claim now records the subject it names on the certification, so the two saves meet there:
    one is taken, the other decided again and refused naming the first's subject. Five rounds."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.store.conftest import instances

    for round_ in range(5):
        org = world.org()
        cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8))
        world.ledger.record_upgrade(KJJ, certification_id=cert, tier="first", effective_on=date(2024, 1, 9),
                                    document_ref=f"国科奖〔2024〕{round_}号")
        sent = [(2023 + n % 2, f"project:{'AB'[n % 2]}{n}-{round_}") for n in range(4)]
        with instances(database_url, 4) as apps, ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(_claim_on, apps, [org] * 4, [cert] * 4, sent))
        taken = [a for a in answers if isinstance(a, dict)]
        refused = [a for a in answers if not isinstance(a, dict)]
        assert len(taken) == 1 and len(refused) == 3, answers
        assert all(r.code in ("invalid_request", "already_awarded") for r in refused), refused


def _claim_on(app, org: str, cert: str, sent: tuple[int, str]):
    """A claim on `cert` for `sent` (award year, subject): its view, or the refusal it met."""
    year, subject = sent
    try:
        return app.submit_claim(KJJ, uscc=org, programme="A9.national_award", award_year=year,
                                effective_on=date(year, 6, 1), certification_id=cert, rank=1, subject=subject).view
    except (errors.InvalidInput, errors.AlreadyAwarded) as refused:
        return refused


def test_a_revoked_award_still_binds_the_subject_it_was_paid_for(world: World) -> None:
    """A second regression probe: a claim on a certification without its subject, approved, part paid and revoked,
    and then claims naming another project were paid a second prize in full (5,400,000 for one prize). The award
    made the prize that project's: withdrawn or rejected claims named a subject to no effect, a revoked one did
    not, and another subject stays refused."""
    from tests.store.conftest import FINANCE

    org = world.org()
    cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8))
    withdrawn = world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:W-1")
    world.ledger.withdraw_claim(KJJ, claim_id=withdrawn["id"], reason="项目写错")
    paid = world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:X-1")
    world.ledger.approve_claim(KJJ, claim_id=paid["id"])
    world.ledger.record_payout(FINANCE, claim_id=paid["id"], amount=Decimal("400000.00"), paid_on=date(2023, 7, 1),
                               bank_ref=f"PAY-{paid['id'][:8]}")
    world.ledger.revoke_claim(KJJ, claim_id=paid["id"], reason="核查不实", document_ref="撤销-1")
    with pytest.raises(errors.InvalidInput, match="project:X-1") as other:
        world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:Y-1")
    assert other.value.context["claim_id"] == paid["id"]


def test_the_subject_a_claim_named_is_in_the_holders_history(world: World, database_url: str) -> None:
    """A second regression probe: `Certification.SubjectNamed` was in no history. The organisation's history shows
    it, after the certification it names the subject of and with the claim that named it."""
    from projections import ReadModels
    from projections.rebuild import rebuild

    org = world.org()
    cert = world.certify(org, "A9.national_award", "second", on=date(2023, 1, 8))
    claim = world.claim(org, "A9.national_award", certification_id=cert, rank=1, subject="project:H-1")
    rebuild(database_url)
    models = ReadModels.open(database_url)
    try:
        events = [h["event"] for h in models.history(org)]
    finally:
        models.close()
    assert "Certification.SubjectNamed" in events, events
    assert events.index("Certification.Recorded") < events.index("Certification.SubjectNamed"), events
    assert claim["subject"] == "project:H-1"
