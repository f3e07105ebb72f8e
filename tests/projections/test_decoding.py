"""The direct decoder reads every stored event into exactly the row the mapper's domain event gives."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from datetime import date, datetime
from decimal import Decimal

import pytest
from eventsourcing.domain import DomainEvent

import ledger.domain
from ledger import demo
from ledger.application import AwardLedger
from ledger.domain.bank_statement import StatementLine
from ledger.store import store_env
from projections import fold
from projections.decoding import Decoder, _moment
from projections.events import utc_text
from projections.rebuild import pages
from tests.projections.workload import ADMIN, FINANCE, JXJ, KJJ, mixed_workload
from tests.store.conftest import SCJGJ
from tests.support import make_uscc


def _event_names() -> set[str]:
    """Every event class the domain defines ("Claim.Approved"), but the abstract Event and Created bases."""
    names = set()
    for module in pkgutil.iter_modules(ledger.domain.__path__):
        for owner in vars(importlib.import_module(f"ledger.domain.{module.name}")).values():
            if inspect.isclass(owner) and owner.__module__.startswith("ledger.domain"):
                names |= {e.__qualname__ for e in vars(owner).values() if inspect.isclass(e)
                          and issubclass(e, DomainEvent) and e.__name__ not in ("Event", "Created")}
    return names


def _every_kind_of_event(app: AwardLedger) -> None:
    mixed_workload(app)
    demo.generate(app, organisations=40, bodies=4, seed=7)
    app.import_bank_statement(FINANCE, source="july.csv", lines=[
        StatementLine(date(2023, 7, 1), Decimal("-50000.00"), "BK-1", "杭州某某科技有限公司"),
        StatementLine(date(2023, 7, 2), Decimal("200000.00"), "BK-2", "")])
    app.register_organisation(ADMIN, uscc=make_uscc(990_001), name="Keyed Co", in_district=True, key="decoding-1")
    _corrections(app)
    app.record_appropriation(FINANCE, year=2024, amount=Decimal("5000000"), document_ref="czj-2024-supplement")
    app.correct_appropriation(FINANCE, year=2024, appropriation_ref="czj-2024-supplement", amount=Decimal("500000"),
                              reason="typed a zero too many", document_ref="czj-2024-fix")
    app.close_year(FINANCE, year=2023, reconciliation={"year": 2023, "rows": []},
                   digest={"position": 1, "digest": "00" * 32}, as_of="2024-01-31T00:00:00+08:00")


def _corrections(app: AwardLedger) -> None:
    """A withdrawal, a re-assessment, a certification revoked under a paid award, a repayment, a write-off, a
    departure."""
    org = make_uscc(990_002)
    app.register_organisation(ADMIN, uscc=org, name="Corrected Co", in_district=True)
    app.register_body(ADMIN, body_id="CORR-1", name="联合体", kind="consortium", lead_uscc=org,
                      recognised_on=date(2022, 10, 1))
    app.register_body(ADMIN, body_id="CORR-ERC", name="工程研究中心", kind="erc", lead_uscc=org,
                      recognised_on=date(2022, 10, 1))
    cert = app.record_certification(KJJ, uscc=org, programme="A3.erc", tier="municipal", body_id="CORR-ERC",
                                    effective_on=date(2023, 3, 1), document_ref="C-1").view["id"]
    claim = app.submit_claim(KJJ, uscc=org, programme="A3.erc", award_year=2023, effective_on=date(2023, 6, 1),
                             certification_id=cert).view["id"]
    app.approve_claim(KJJ, claim_id=claim)
    pending = app.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2024, effective_on=date(2024, 6, 1),
                               basis_amount=Decimal("100000")).view["id"]
    app.withdraw_claim(KJJ, claim_id=pending, reason="撤回")
    # Rule 12: a voucher cut by the yearly cap is re-assessed upwards at approval once the claim ahead of it
    # is rejected (Claim.Reassessed, AwardAccount.Revised).
    ahead, cut = (app.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                   effective_on=date(2023, 6, 1), basis_amount=Decimal("1000000")).view["id"]
                  for _ in range(2))
    app.reject_claim(KJJ, claim_id=ahead, reason="材料不全")
    assert app.approve_claim(KJJ, claim_id=cut).view["approved_amount"] == "300000.00"
    # A payout booked in error on an award revoked since, reversed: its recovery owes less (Recovery.Reduced).
    app.record_payout(FINANCE, claim_id=cut, amount=Decimal("600"), paid_on=date(2023, 7, 1), bank_ref="CUT-1")
    wrong = app.record_payout(FINANCE, claim_id=cut, amount=Decimal("400"), paid_on=date(2023, 7, 1),
                              bank_ref="CUT-2").view["id"]
    app.revoke_claim(KJJ, claim_id=cut, reason="r", document_ref="CUT-REV")
    app.reverse_payout(FINANCE, payout_id=wrong, reason="记错申请", document_ref="CUT-FIX")
    app.record_payout(FINANCE, claim_id=claim, amount=Decimal("1000"), paid_on=date(2023, 7, 1), bank_ref="CR-1")
    rid = app.revoke_certification(KJJ, certification_id=cert, reason="r", effective_on=date(2023, 12, 1),
                                   document_ref="REV").view["recoveries"][0]
    app.record_repayment(FINANCE, recovery_id=rid, amount=Decimal("400"), received_on=date(2024, 1, 2), bank_ref="RP")
    # A repayment booked in error, reversed (Recovery.RepaymentReversed, Claim.RepaymentReversed,
    # AwardAccount.Restored); a write-off reversed (Recovery.WriteOffReversed), then written off again.
    app.record_repayment(FINANCE, recovery_id=rid, amount=Decimal("100"), received_on=date(2024, 1, 3), bank_ref="RX")
    app.reverse_repayment(FINANCE, recovery_id=rid, amount=Decimal("100"), received_on=date(2024, 1, 3),
                          bank_ref="RX", reason="误记", document_ref="C-2")
    app.write_off_recovery(FINANCE, recovery_id=rid, reason="r", document_ref="W")
    app.reverse_write_off(FINANCE, recovery_id=rid, reason="核销有误", document_ref="W-fix")
    app.write_off_recovery(FINANCE, recovery_id=rid, reason="r", document_ref="W-2")
    chain = app.record_certification(JXJ, uscc=org, programme="A6.chain_leader", effective_on=date(2023, 1, 10),
                                     document_ref="CL-1").view["id"]
    app.revoke_certification(JXJ, certification_id=chain, reason="r", effective_on=date(2023, 6, 1),
                             document_ref="CL-REV")  # Organisation.DesignationRevoked
    app.change_district(ADMIN, uscc=org, in_district=False, effective_on=date(2024, 1, 1), reason="r",
                        document_ref="D")
    _proposals(app)


def _proposals(app: AwardLedger) -> None:
    """An official list imported (Certification.Imported, CertificationImport.Recorded), its proposal confirmed."""
    org = make_uscc(990_003)
    app.register_organisation(ADMIN, uscc=org, name="Listed Co", in_district=True)
    app.register_body(ADMIN, body_id="LIST-ERC", name="工程研究中心", kind="erc", lead_uscc=org,
                      recognised_on=date(2022, 10, 1))
    row = {"uscc": org, "programme": "A3.erc", "tier": "municipal", "effective_on": date(2023, 3, 1),
           "document_ref": "L-1", "body_id": "LIST-ERC"}
    listed = app.import_certifications(KJJ, sha256="0" * 64, total=1, rows=[(2, row)], refused=[]).view
    app.confirm_claim(KJJ, claim_id=listed["proposed_claims"][0])
    # A prize recorded without its project, claimed naming it (Certification.SubjectNamed).
    prize = app.record_certification(KJJ, uscc=org, programme="A9.national_award", tier="second",
                                     effective_on=date(2023, 1, 8), document_ref="NA-1").view["id"]
    app.submit_claim(KJJ, uscc=org, programme="A9.national_award", award_year=2023, effective_on=date(2023, 6, 1),
                     certification_id=prize, rank=1, subject="project:NA-1")
    # A lower rung's proposal outranked by the higher rung's approval (Claim.Outranked).
    sme = app.record_certification(JXJ, uscc=org, programme="A6.honour", tier="provincial_sme",
                                   effective_on=date(2023, 3, 1), document_ref="SME-1").view["proposed_claims"]
    giant = app.record_certification(JXJ, uscc=org, programme="A6.honour", tier="little_giant",
                                     effective_on=date(2023, 6, 1), document_ref="LG-1").view["proposed_claims"]
    app.confirm_claim(JXJ, claim_id=giant[0])
    app.approve_claim(JXJ, claim_id=giant[0])
    assert app.claim(sme[0])["status"] == "withdrawn"
    _top_up(app)


def _top_up(app: AwardLedger) -> None:
    """A lower rung revoked after the higher was approved net of it, the higher topped up (Claim.ToppedUp)."""
    org = make_uscc(990_004)
    app.register_organisation(ADMIN, uscc=org, name="Topped Co", in_district=True)
    app.register_body(ADMIN, body_id="TOP-ERC", name="工程研究中心", kind="erc", lead_uscc=org,
                      recognised_on=date(2022, 10, 1))
    cert = app.record_certification(KJJ, uscc=org, programme="A3.erc", tier="municipal", body_id="TOP-ERC",
                                    effective_on=date(2023, 3, 1), document_ref="T-1").view
    lower = cert["proposed_claims"][0]
    app.confirm_claim(KJJ, claim_id=lower)
    app.approve_claim(KJJ, claim_id=lower)
    higher = app.record_upgrade(KJJ, certification_id=cert["id"], tier="national", effective_on=date(2024, 3, 1),
                                document_ref="T-2").view["proposed_claims"][0]
    app.confirm_claim(KJJ, claim_id=higher)
    app.approve_claim(KJJ, claim_id=higher)
    app.revoke_claim(KJJ, claim_id=lower, reason="市级认定不实", document_ref="T-3")
    app.top_up_claim(KJJ, claim_id=higher, reason="补足国家级差额", document_ref="T-4")
    # A standards claim counted on a body's yearly cap by a membership recorded after it (Claim.CountedOn).
    app.register_body(ADMIN, body_id="TOP-CONS", name="联合体", kind="consortium", lead_uscc=make_uscc(990_002),
                      recognised_on=date(2022, 10, 1))
    app.register_body(ADMIN, body_id="TOP-ALLIANCE", name="联盟", kind="alliance", lead_uscc=org,
                      recognised_on=date(2022, 10, 1))
    app.submit_claim(SCJGJ, uscc=org, programme="A11.standard", award_year=2023, effective_on=date(2023, 6, 1),
                     tier="international_participate", subject="standard:ISO-TOP")
    app.add_member(ADMIN, body_id="TOP-CONS", uscc=org, joined_on=date(2023, 1, 1))


def test_direct_decoding_equals_decoding_through_domain_events(database_url: str, ledger: AwardLedger):
    """For every notification in a store holding every kind of event: direct row == mapper's row."""
    _every_kind_of_event(ledger)
    decoder = Decoder(ledger.mapper)
    assert decoder.direct
    seen, count = set(), 0
    for page in pages(ledger, 0):
        for n in page:
            direct = decoder._direct(n)  # not `decoder(page)`: a silent fall-back to the mapper would pass too
            assert direct == decoder.via_mapper([n])[0], n.topic
            seen.add(direct.event)
            count += 1
        assert decoder(page) == decoder.via_mapper(page)
    assert count == ledger.recorder.max_notification_id()
    assert seen == _event_names()


def test_events_no_stage_folds_are_passed_over_undecoded(database_url: str, ledger: AwardLedger):
    """Given the folded events, the others keep their place and name but carry no payload; the rest are whole."""
    _every_kind_of_event(ledger)
    decoder, only = Decoder(ledger.mapper), fold.folded()
    passed_over = set()
    for page in pages(ledger, 0):
        for row, whole in zip(decoder(page, only=only), decoder.via_mapper(page), strict=True):
            if whole.event in only:
                assert row == whole
            else:
                assert (row.position, row.aggregate_id, row.version, row.event) == (
                    whole.position, whole.aggregate_id, whole.version, whole.event)
                assert (row.recorded_at, row.payload) == ("", {})
                passed_over.add(row.event)
    assert "AwardAccount.Reserved" in passed_over and not passed_over & only


def test_a_compressed_store_is_read_through_the_mapper(tmp_path):
    """Stored state that is not plain JSON (here compressed) goes through the mapper, to the same rows."""
    zlib = {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}
    app = AwardLedger(env=store_env(f"sqlite:///{tmp_path}/zipped.sqlite3") | zlib)
    try:
        mixed_workload(app)
        decoder = Decoder(app.mapper)
        assert not decoder.direct
        for page in pages(app, 0):
            assert decoder(page) == decoder.via_mapper(page)
    finally:
        app.close()


@pytest.mark.parametrize("text", ["2026-11-25T15:01:21.368561+00:00", "2026-11-25T15:01:21+00:00",
                                  "2026-11-25T23:01:21.000001+08:00", "2026-11-25T15:01:21.5", "2026-11-25 15:01:21"])
def test_a_moment_reads_as_utc_text_does(text: str):
    assert _moment(text) == utc_text(datetime.fromisoformat(text))
