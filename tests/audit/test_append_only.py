"""The service's own connections cannot UPDATE, DELETE (or TRUNCATE) stored events or snapshots."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date

import psycopg
import pytest

from ledger.application import AwardLedger
from ledger.audit.append_only import MESSAGE, is_protected, protect, triggers
from ledger.audit.chain import AuditChain, events_table, snapshots_table
from ledger.audit.tables import CHAIN_TABLE, SINCE_TABLE
from ledger.domain.errors import LedgerError, OverApproved
from ledger.domain.fund_year import FundYear
from ledger.refused_keys import TABLE as REFUSED_TABLE
from ledger.store import is_postgres, postgres_conninfo, sqlite_path, store_env
from tests.api.test_cli_language import run_cli
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import FINANCE, World


def _refused(url: str, statement: str) -> str:
    """Run `statement` on a connection made from the service's own URL; the error it must raise, as text."""
    if not is_postgres(url):
        with closing(sqlite3.connect(sqlite_path(url), uri=True, timeout=10.0)) as conn:
            with pytest.raises(sqlite3.IntegrityError) as caught:
                conn.execute(statement)
            return str(caught.value)
    with psycopg.connect(postgres_conninfo(url)) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
            conn.execute(statement)
        return str(caught.value)


@pytest.mark.parametrize("statement", [
    "UPDATE {events} SET state = state",
    "UPDATE {events} SET originator_version = originator_version + 1000",
    "DELETE FROM {events}",
    "UPDATE {snapshots} SET state = state",
    "DELETE FROM {snapshots}",
])
def test_service_connection_is_refused_changes(database_url: str, ledger: AwardLedger, world: World, dba: Dba,
                                               statement: str) -> None:
    """A connection using the service's own URL gets an error on UPDATE and DELETE, and nothing changes."""
    ledger.take_snapshot(FundYear.create_id(2023))  # row triggers fire only on rows: give the snapshots one
    before = [dba.state(p) for p in dba.positions()]
    text = statement.format(events=events_table(database_url), snapshots=snapshots_table(database_url))
    assert f"{MESSAGE}: " in _refused(database_url, text)
    assert [dba.state(p) for p in dba.positions()] == before


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(fresh_postgres_url: str) -> None:
    """On PostgreSQL, TRUNCATE (which row triggers do not see) is refused as well."""
    app = AwardLedger(store_env(fresh_postgres_url))
    try:
        protect(fresh_postgres_url)
        World(app).appropriate(2023)
        before = Dba(fresh_postgres_url).positions()
        for table in (events_table(fresh_postgres_url), snapshots_table(fresh_postgres_url)):
            assert f"{MESSAGE}: TRUNCATE on table {table}" in _refused(fresh_postgres_url, f"TRUNCATE {table}")
        assert Dba(fresh_postgres_url).positions() == before != []
    finally:
        app.close()


@pytest.mark.usefixtures("world")
def test_protect_is_idempotent_and_restores_a_switched_off_trigger(database_url: str, dba: Dba) -> None:
    """protect() at every start-up changes nothing when in force, and re-arms triggers someone switched off."""
    names = protect(database_url)
    assert protect(database_url) == names
    assert sorted(triggers(database_url)) == sorted(names) and len(names) == 10
    assert is_protected(database_url)
    dba.switch_off_triggers()
    assert not is_protected(database_url)
    assert protect(database_url) == names
    assert is_protected(database_url)


def test_ledger_commands_work_with_protection(database_url: str, ledger: AwardLedger, world: World) -> None:
    """With the triggers on, every kind of command and a snapshot are recorded, and the store verifies."""
    assert is_protected(database_url)
    record_history(world, organisations=2)
    fund = FundYear.create_id(2023)
    ledger.take_snapshot(fund)
    assert list(ledger.snapshots.get(fund))  # type: ignore[union-attr]
    assert ledger.fund_year(2023)
    assert AuditChain.open(database_url).verify()["ok"] is True


def test_protect_on_an_empty_database_creates_the_store(database_url: str) -> None:
    """Pointed at an empty database, protect() creates the event store's tables itself and guards them."""
    assert len(protect(database_url)) == 10
    assert is_protected(database_url)


def test_a_kept_refusal_cannot_be_changed_or_removed(database_url: str, ledger: AwardLedger, world: World) -> None:
    """The refusal kept for an Idempotency-Key (ledger.refused_keys) is guarded like the log: deleting it would
    let a retry of a refused payout be carried out."""
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))
    with pytest.raises(OverApproved):
        ledger.record_payout(FINANCE, claim_id=claim["id"], amount="200000.01", paid_on=date(2023, 7, 1),
                             bank_ref="BK-OVER", key="over-1")
    for statement in (f"UPDATE {REFUSED_TABLE} SET answer = answer", f"DELETE FROM {REFUSED_TABLE}"):
        assert f"{MESSAGE}: " in _refused(database_url, statement)
    with pytest.raises(LedgerError) as again:
        ledger.record_payout(FINANCE, claim_id=claim["id"], amount="200000.01", paid_on=date(2023, 7, 1),
                             bank_ref="BK-OVER", key="over-1")
    assert again.value.code == "over_approved" and getattr(again.value, "replayed", False)


def _raw_changes(url: str) -> list[str]:
    events, snapshots = events_table(url), snapshots_table(url)
    return [f"UPDATE {events} SET state = state", f"DELETE FROM {events}", f"UPDATE {snapshots} SET state = state",
            f"DELETE FROM {snapshots}", f"UPDATE {CHAIN_TABLE} SET link = link", f"DELETE FROM {CHAIN_TABLE}",
            f"DELETE FROM {SINCE_TABLE}"]


def test_a_store_opened_as_a_command_opens_it_is_guarded_without_protect(database_url: str) -> None:
    """A store created and written the way every command opens it (`AwardLedger(store_env(url))`, as
    api/commands do), protect() never called (only serve calls it), refuses UPDATE and DELETE of its events,
    snapshots and links: the guard comes with the tables."""
    app = AwardLedger(store_env(database_url))
    try:
        World(app).appropriate(2023)
        app.take_snapshot(FundYear.create_id(2023))  # row triggers fire only on rows: give the snapshots one
    finally:
        app.close()
    before = Dba(database_url).positions()
    assert is_protected(database_url)
    for statement in _raw_changes(database_url):
        assert f"{MESSAGE}: " in _refused(database_url, statement), statement
    assert Dba(database_url).positions() == before != []


@pytest.mark.parametrize("argv", [["verify"], ["rebuild"], ["recheck"]])
def test_a_store_a_command_line_command_creates_is_guarded(argv: list[str], database_url: str, tmp_path,
                                                           monkeypatch, capsys) -> None:
    """`award-ledger verify`, `rebuild` or `recheck` pointed at an empty store leaves it guarded (before, only a
    store `serve` had opened was)."""
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": database_url})
    assert code == 0, err
    assert is_protected(database_url) and len(triggers(database_url)) == 10  # its rows are refused from the first


def test_opening_the_store_restores_a_switched_off_guard(database_url: str) -> None:
    """Triggers someone switched off are back once any command opens the store again."""
    AwardLedger(store_env(database_url)).close()
    Dba(database_url).switch_off_triggers()
    assert not is_protected(database_url)
    AwardLedger(store_env(database_url)).close()
    assert is_protected(database_url)


def test_the_signing_keys_registry_cannot_be_changed_or_removed(database_url: str, tmp_path) -> None:
    """An audit probe deleted the registry's rows with plain SQL (the only side table without the guard): the
    ledger's own genuine digest was then refused as another ledger's while `verify` said intact. The registry is
    guarded as it is created, and protect() guards one an older version created."""
    from ledger.audit import keys

    keys.signer_for(database_url, tmp_path / "signing-key.pem", may_rotate=False)
    for statement in (f"UPDATE {keys.KEYS_TABLE} SET public_key = public_key", f"DELETE FROM {keys.KEYS_TABLE}"):
        assert f"{MESSAGE}: " in _refused(database_url, statement), statement
    assert len(keys.registered(database_url)) == 1
    assert is_protected(database_url) and len(protect(database_url)) == (12 if is_postgres(database_url) else 13)
    if not is_postgres(database_url):  # a regression probe swapped a key by REPLACE, which runs no delete trigger
        (known,) = keys.registered(database_url)
        said = _refused(database_url, f"INSERT OR REPLACE INTO {keys.KEYS_TABLE} VALUES ('{known.key_id}', 'forged',"
                                      " '2020-01-01')")
        assert "cannot be replaced" in said and keys.registered(database_url) == [known]
    table = keys.KEYS_TABLE  # as an older version left it: no guard
    if is_postgres(database_url):
        with psycopg.connect(postgres_conninfo(database_url)) as conn:
            for name in (f"{table}_append_only", f"{table}_no_truncate"):
                conn.execute(f"DROP TRIGGER {name} ON {table}")
    else:
        with closing(sqlite3.connect(sqlite_path(database_url), uri=True, timeout=10.0)) as conn:
            for name in (f"{table}_no_update", f"{table}_no_delete", f"{table}_no_replace"):
                conn.execute(f"DROP TRIGGER {name}")
    assert not is_protected(database_url)
    protect(database_url)
    assert f"{MESSAGE}: " in _refused(database_url, f"DELETE FROM {table}")
