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
from tests.projections.workload import ADMIN, FINANCE, mixed_workload
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
