"""How the ledger saves on PostgreSQL: one statement per save (ledger/pg_recorder.py), and one pooled
connection per command (ledger/connection.py). Both are speed-ups that must not cost an invariant: the log
is committed in notification-id order, so a follower never passes a gap that fills later; and a command
still sees the store's latest state and loses nothing when the server drops its connection."""
from __future__ import annotations

import threading
import time
import uuid
from decimal import Decimal

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.application import AwardLedger
from ledger.store import store_env
from tests.store.conftest import KJJ
from tests.support import make_uscc

pytestmark = pytest.mark.postgres

STATE = b'{"note":"' + b"x" * 200 + b'"}'


def _batch(size: int = 3):
    from eventsourcing.persistence import StoredEvent

    return [StoredEvent(uuid.uuid4(), 1, "tests.store:Probe.Event", STATE) for _ in range(size)]


def test_saves_are_one_statement_and_commit_in_notification_order(fresh_postgres_url):
    """Eight writers save as fast as they can while a reader keeps counting the committed rows: at every
    moment it must see notification ids 1..max with no hole. A save that committed before an earlier-issued
    id would show a hole here, which is exactly what a tailing follower would skip for ever."""
    ledger = AwardLedger(store_env(fresh_postgres_url))
    recorder = ledger.recorder
    assert recorder.datastore.enable_db_functions
    assert recorder.pg_function_name_insert_events.startswith("ledger_insert_events_")
    stop, errors, holes, looks = threading.Event(), [], [], 0

    def write() -> None:
        try:
            while not stop.is_set():
                recorder.insert_events(_batch())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=write) for _ in range(8)]
    for writer in writers:
        writer.start()
    try:
        with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
            deadline = time.monotonic() + 3.0
            while time.monotonic() < deadline:
                count, top = conn.execute("SELECT count(*), coalesce(max(notification_id), 0)"
                                          " FROM awardledger_events").fetchone()
                looks += 1
                if count != top:
                    holes.append((count, top))
    finally:
        stop.set()
        for writer in writers:
            writer.join()
        ledger.close()
    assert not errors, errors
    assert looks > 50
    assert holes == [], f"{len(holes)} of {looks} looks saw a hole, e.g. {holes[:3]}"


_topics = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)
_events = st.lists(st.tuples(st.integers(1, 2**62), _topics, st.binary(max_size=3000)), max_size=12)


def test_a_save_stores_exactly_the_bytes_sent(fresh_postgres_url):
    """The events go to the save's function as four binary arrays (ledger/pg_recorder.py). For any batch (any
    state bytes, NUL and backslashes included; any topic, quotes, commas and braces included; any version), the
    log reads back each event as it was given, with the ids the save returned, consecutive and in the order
    given; an empty batch saves nothing and is not a statement."""
    ledger = AwardLedger(store_env(fresh_postgres_url))
    recorder = ledger.recorder

    @settings(max_examples=60, deadline=None)
    @given(batch=_events)
    def saved_as_sent(batch) -> None:
        from eventsourcing.persistence import StoredEvent

        sent = [StoredEvent(uuid.uuid4(), version, topic, state) for version, topic, state in batch]
        top = recorder.max_notification_id() or 0
        ids = recorder.insert_events(sent)
        assert ids == list(range(top + 1, top + 1 + len(sent)))
        got = recorder.select_notifications(start=top + 1, limit=len(sent) + 1) if sent else []
        assert [(n.id, n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in got] == [
            (i, e.originator_id, e.originator_version, e.topic, e.state) for i, e in zip(ids, sent, strict=True)]
        assert (recorder.max_notification_id() or 0) == top + len(sent)

    try:
        saved_as_sent()
    finally:
        ledger.close()


def test_a_command_reads_and_saves_on_one_connection(fresh_postgres_url):
    """A claim's approval reads the claim, its cap accounts and the fund year, then saves: one checkout
    of the pool for the whole command, where eventsourcing alone takes one per statement."""
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(fresh_postgres_url))
    try:
        world = World(ledger)
        world.appropriate(2025)
        claim = world.claim(world.org(), "A5.voucher", year=2025, basis_amount=Decimal("100000.00"))
        pool = ledger.recorder.datastore.pool
        before = pool.get_stats().get("requests_num", 0)
        ledger.approve_claim(KJJ, claim_id=claim["id"])
        assert pool.get_stats().get("requests_num", 0) - before == 1
        assert ledger.claim(claim["id"], with_history=False)["status"] == "approved"
    finally:
        ledger.close()


def test_a_command_survives_its_connection_being_killed(fresh_postgres_url):
    """The server ends every connection of the ledger between two commands: the next command's first
    statement fails, the pool's idle connections are checked and the dead ones replaced, and the command,
    tried again on a fresh connection, lands once."""

    ledger = AwardLedger(store_env(fresh_postgres_url))
    try:
        first = make_uscc(8)
        ledger.register_organisation(KJJ, uscc=first, name="Before Co", in_district=True)
        pool = ledger.recorder.datastore.pool
        busy = [pool.getconn() for _ in range(6)]  # as after a burst: more idle connections than a retry uses
        for conn in busy:
            pool.putconn(conn)
        dbname = fresh_postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:
            killed = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                   " WHERE datname = %s AND pid <> pg_backend_pid()", (dbname,)).fetchone()[0]
        assert killed >= 6
        lost = pool.get_stats().get("connections_lost", 0)
        second = make_uscc(9)
        ledger.register_organisation(KJJ, uscc=second, name="After Co", in_district=True)
        assert ledger.organisation(second)["name"] == "After Co"
        assert ledger.recorder.max_notification_id() == 2
        assert pool.get_stats().get("connections_lost", 0) > lost  # found by the check, not one by one
    finally:
        ledger.close()


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_snapshotted_aggregate_read_cold_equals_its_full_replay(store, request, tmp_path):
    """A fund year opened and appropriated 450 times (451 events) has snapshots at 200 and 400. A process
    that has never seen it reads it in one query on PostgreSQL (its latest snapshot and the 51 events after),
    and must find exactly what replaying all 451 events gives; a later appropriation is then decided on it."""
    from eventsourcing.application import project_aggregate

    from ledger.domain.fund_year import FundYear
    from tests.store.conftest import FINANCE

    url = f"sqlite:///{tmp_path}/l.sqlite3" if store == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    writer = AwardLedger(store_env(url))
    try:
        for n in range(450):
            writer.record_appropriation(FINANCE, year=2024, amount=Decimal("1000.01"), document_ref=f"B-{n}")
        fund_id = FundYear.create_id(2024)
        assert [s.originator_version for s in writer.snapshots.get(fund_id)] == [200, 400]
    finally:
        writer.close()
    cold = AwardLedger(store_env(url))
    try:
        read = cold._get_or_none(FundYear, fund_id)
        replayed = project_aggregate(None, cold.events.get(fund_id))
        assert read is not None and read.version == replayed.version == 451
        assert read.appropriated == replayed.appropriated == Decimal("450004.50")
        assert cold.fund_year(2024)["appropriated"] == "450004.50"
        cold.record_appropriation(FINANCE, year=2024, amount=Decimal("0.50"), document_ref="B-last")
        assert cold.fund_year(2024)["appropriated"] == "450005.00"
    finally:
        cold.close()


def test_the_commands_pool_allows_a_minute_idle_in_a_transaction(fresh_postgres_url):
    """eventsourcing's default of 5 s ended a start-up transaction (fetching the composite types) when CI paused
    the process, and the ledger failed to open: the commands' connections now allow a minute, as the
    projector's do (their saves are one autocommitted statement, so no command holds a transaction open)."""
    ledger = AwardLedger(store_env(fresh_postgres_url))
    try:
        with ledger.recorder.datastore.get_connection() as conn:
            shown = conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()
        assert next(iter(shown.values())) == "1min"
    finally:
        ledger.close()
