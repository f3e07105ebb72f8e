"""Read-your-writes: a command's caller can wait, bounded, until the read models hold its own write."""
from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest

from ledger.application import AwardLedger
from ledger.store import is_postgres
from projections import Projector, ReadModels
from projections.applied import AppliedListener
from projections.runner import check
from tests.projections.workload import ADMIN, FINANCE, KJJ
from tests.support import unique_id, unique_uscc


def test_a_command_reads_its_own_write_through_the_read_models(ledger: AwardLedger, read_models: ReadModels,
                                                               projector: Projector):
    """After each command, wait(position) returns True and the read models already show that command."""
    uscc = unique_uscc()
    outcome = ledger.register_organisation(ADMIN, uscc=uscc, name="Org", in_district=True)
    projector.wake()  # what the API does after each command
    assert read_models.wait(outcome.position, timeout=5)
    assert read_models.award_state(uscc)["totals"]["entitled"] == "0.00"

    ledger.register_body(ADMIN, body_id=unique_id("B-"), name="Body", kind="alliance", lead_uscc=uscc,
                         recognised_on=date(2022, 10, 1))
    ledger.record_appropriation(FINANCE, year=2023, amount=Decimal("300000000"), document_ref="czj")
    for basis in ("100000", "200000", "300000"):
        outcome = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2023,
                                      effective_on=date(2023, 3, 1), basis_amount=Decimal(basis))
        projector.wake()
        assert read_models.wait(outcome.position, timeout=5)
        assert read_models.position() >= outcome.position
        claims = read_models.award_state(uscc)["programmes"][0]["claims"]
        assert claims == {"100000": 1, "200000": 2, "300000": 3}[basis]
    assert read_models.award_state(uscc)["totals"]["entitled"] == "180000.00"


def test_wait_is_bounded_when_nothing_projects(ledger: AwardLedger, read_models: ReadModels):
    """Without a projector, wait() gives up after its timeout; with no position it returns at once."""
    outcome = ledger.register_organisation(ADMIN, uscc=unique_uscc(), name="Org", in_district=True)

    started = time.monotonic()
    assert read_models.wait(outcome.position, timeout=0.2) is False
    assert 0.2 <= time.monotonic() - started < 1.0
    assert read_models.wait(None) is True
    assert read_models.lag() == outcome.position
    assert read_models.award_state(outcome.view["uscc"]) is None  # the ledger knows it; the models not yet


def test_the_projector_catches_up_and_lag_falls_to_zero(database_url: str, ledger: AwardLedger,
                                                        read_models: ReadModels):
    """Events recorded while no projector ran are applied when one starts; lag then reads zero."""
    last = ledger.register_organisation(ADMIN, uscc=unique_uscc(), name="Org", in_district=True)
    assert read_models.lag() > 0
    projector = Projector(database_url)  # opens its own ledger, as `award-ledger project` does
    projector.start()
    try:
        assert read_models.wait(last.position, timeout=10)
    finally:
        projector.stop()
    assert read_models.lag() == 0
    assert read_models.position() == last.position


def test_the_projector_signals_each_position_it_applies(ledger: AwardLedger, read_models: ReadModels,
                                                        projector: Projector):
    """An in-process projector's own wait() returns once it has applied a command's events, and the read
    models show them then; a position not yet written times out."""
    for _ in range(3):
        uscc = unique_uscc()
        outcome = ledger.register_organisation(ADMIN, uscc=uscc, name="Org", in_district=True)
        projector.wake()
        assert projector.wait(outcome.position, timeout=5)
        assert read_models.award_state(uscc) is not None
    started = time.monotonic()
    assert not projector.wait(outcome.position + 1000, timeout=0.2)
    assert time.monotonic() - started < 2


def test_commands_fold_their_own_events_exactly_once_beside_the_projector(
        database_url: str, ledger: AwardLedger, read_models: ReadModels, projector: Projector):
    """Six threads submit claims and each folds its own events (as the API's commands do) while the projector
    thread follows the log too: every fold returns with the read models showing that claim, and the replay
    comparison finds every event applied exactly once."""
    ledger.record_appropriation(FINANCE, year=2023, amount=Decimal("300000000"), document_ref="czj")
    usccs = [unique_uscc() for _ in range(6)]
    for uscc in usccs:
        ledger.register_organisation(ADMIN, uscc=uscc, name="Org", in_district=True)
        ledger.register_body(ADMIN, body_id=unique_id("B-"), name="Body", kind="alliance", lead_uscc=uscc,
                             recognised_on=date(2022, 10, 1))
    failures: list[str] = []

    def submit(uscc: str) -> None:
        try:
            for n, basis in enumerate(("100000", "200000", "300000"), start=1):
                outcome = ledger.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=2023,
                                              effective_on=date(2023, 3, 1), basis_amount=Decimal(basis))
                # As the API does: fold its own events; if the fold lock is not had in time (SQLite's one
                # writer, a loaded machine), wait for whoever holds it.
                if not (projector.fold_own(outcome.position, timeout=10) or read_models.wait(outcome.position, 10)):
                    failures.append(f"{uscc}: position {outcome.position} not folded")
                elif read_models.award_state(uscc)["programmes"][0]["claims"] != n:
                    failures.append(f"{uscc}: claim {n} folded but not shown")
        except Exception as error:  # a thread's exception would otherwise only be a warning
            failures.append(f"{uscc}: {error!r}")

    threads = [threading.Thread(target=submit, args=(uscc,)) for uscc in usccs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert check(database_url) == []  # includes: events applied since the reset == events in the log


def test_a_command_waits_as_before_when_the_projector_has_not_started(database_url: str, ledger: AwardLedger,
                                                                      read_models: ReadModels):
    """Before the projector has opened its read models a command cannot fold its own events: fold_own gives
    up at once, writes nothing, and the caller falls back to waiting."""
    outcome = ledger.register_organisation(ADMIN, uscc=unique_uscc(), name="Org", in_district=True)
    idle = Projector(database_url, app=ledger)
    started = time.monotonic()
    assert idle.fold_own(outcome.position, timeout=5) is False
    assert time.monotonic() - started < 1
    assert read_models.position() < outcome.position


def test_an_external_projector_announces_each_position_it_applies(database_url: str, ledger: AwardLedger,
                                                                  read_models: ReadModels):
    """With the projector in its own process (`award-ledger project` announces), an API worker's listener
    hears each position committed: wait() returns once the read models show the command, without polling
    them, and a position not yet written times out."""
    if not is_postgres(database_url):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite the waiting commands look at the tracking table")
    listener = AppliedListener(database_url)
    listener.start()
    projector = Projector(database_url, announce=True)  # opens its own ledger, as `award-ledger project` does
    try:
        assert listener.listening.wait(10)
        projector.start()
        for _ in range(3):
            uscc = unique_uscc()
            outcome = ledger.register_organisation(ADMIN, uscc=uscc, name="Org", in_district=True)
            assert listener.wait(outcome.position, timeout=10)
            assert read_models.award_state(uscc) is not None
        assert not listener.wait(outcome.position + 1000, timeout=0.2)
    finally:
        projector.stop()
        listener.stop()
