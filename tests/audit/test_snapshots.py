"""Snapshots are anchored to the chain and sealed: a forged one is never used, and verify reports it."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.domain import Snapshot

from ledger.application import AwardLedger
from ledger.audit import snapshots
from ledger.audit.append_only import protect
from ledger.audit.chain import AuditChain
from ledger.audit.tables import snapshots_table
from ledger.domain import errors
from ledger.domain.award_account import AwardAccount
from ledger.domain.claim import Claim
from ledger.store import store_env
from tests.audit.conftest import Dba
from tests.store.conftest import KJJ, World

KEY = b"k" * 32


@pytest.fixture
def sealed(database_url: str) -> Iterator[AwardLedger]:
    """The application as the service runs it: with a seal key, on a protected store."""
    app = AwardLedger(store_env(database_url), seal_key=KEY)
    protect(database_url)
    yield app
    app.close()


def _capped_org(world: World) -> tuple[str, list[UUID]]:
    """An organisation whose computing subsidy has used its whole cap over the term, and the tallies it used."""
    world.appropriate(2023)
    org = world.org()
    claim = world.approved(org, "A5.computing", basis_amount="5000000")
    keys = world.ledger._get(Claim, UUID(claim["id"]), "claim").accounts
    return org, [AwardAccount.create_id(key) for key in keys]


def _second_claim_code(url: str, org: str) -> str:
    """The refusal a fresh process (nothing cached) gives a further computing claim of `org`."""
    cold = AwardLedger(store_env(url), seal_key=KEY)
    try:
        with pytest.raises(errors.LedgerError) as caught:
            cold.submit_claim(KJJ, uscc=org, programme="A5.computing", award_year=2024,
                              effective_on=date(2024, 6, 1), basis_amount=Decimal("1000000"))
        return caught.value.code
    finally:
        cold.close()


def _forge_empty(app: AwardLedger, account_id: UUID, *, anchored: bool) -> None:
    """INSERT a snapshot of the tally at its current version with nothing reserved or consumed: naive (no
    chain point, as in issue 14) or anchored at the true chain point, but without the ledger's key."""
    account = app.repository.get(account_id)
    base = Snapshot.take(account)
    state = dict(base.state, entries={})
    if anchored:
        position, link = app.chain_point(account_id, account.version)
        forged = snapshots.ChainedSnapshot(originator_id=account_id, originator_version=account.version,
                                           timestamp=base.timestamp, topic=base.topic, state=state,
                                           folded_position=position, folded_link=link, seal="0" * 64)
    else:
        forged = Snapshot(originator_id=account_id, originator_version=account.version, timestamp=base.timestamp,
                          topic=base.topic, state=state)
    app.snapshots.put([forged])  # type: ignore[union-attr]  # INSERT: what anyone with the database can do


@pytest.mark.parametrize("anchored", [False, True], ids=["naive", "anchored"])
def test_a_forged_empty_cap_snapshot_is_ignored_and_reported(database_url: str, sealed: AwardLedger,
                                                              anchored: bool, caplog) -> None:
    """With an empty snapshot of its tally forged, a second claim is still refused as before, the snapshot is
    logged as ignored, and verify reports it by aggregate and version."""
    org, accounts = _capped_org(World(sealed))
    before = _second_claim_code(database_url, org)
    assert before == "cap_exceeded"
    for account_id in accounts:
        _forge_empty(sealed, account_id, anchored=anchored)
    with caplog.at_level(logging.WARNING, logger="ledger.audit.snapshots"):
        assert _second_claim_code(database_url, org) == before
    assert "snapshot ignored" in caplog.text
    report = AuditChain(database_url).verify(app=sealed)
    assert (report["ok"], report["failure"], report["snapshots_checked"]) == (False, "snapshot", len(accounts))
    assert {b["aggregate_id"] for b in report["bad_snapshots"]} == {str(a) for a in accounts}
    assert "folding the aggregate's events" in report["bad_snapshots"][0]["reason"]


def test_a_genuine_snapshot_is_used_and_verifies(database_url: str, sealed: AwardLedger, caplog) -> None:
    """A snapshot the ledger took carries its chain point and seal, is used without complaint, and verifies."""
    org, accounts = _capped_org(World(sealed))
    sealed.take_snapshot(accounts[0])
    (taken,) = list(sealed.snapshots.get(accounts[0]))  # type: ignore[union-attr]
    assert isinstance(taken, snapshots.ChainedSnapshot) and len(taken.seal) == 64
    assert (taken.folded_position, taken.folded_link) == sealed.chain_point(accounts[0], taken.originator_version)
    with caplog.at_level(logging.WARNING, logger="ledger.audit.snapshots"):
        assert _second_claim_code(database_url, org) == "cap_exceeded"
    assert "snapshot ignored" not in caplog.text
    report = AuditChain(database_url).verify(app=sealed)
    assert (report["ok"], report["snapshots_checked"], report["bad_snapshots"]) == (True, 1, [])


def test_a_byte_changed_in_a_snapshot_is_found_and_not_used(database_url: str, sealed: AwardLedger,
                                                           caplog) -> None:
    """Changing a stored snapshot's bytes breaks its seal (it is not used) and verify names it."""
    _, accounts = _capped_org(World(sealed))
    sealed.take_snapshot(accounts[0])
    table = snapshots_table(database_url)
    (stored,) = sealed.snapshots.recorder.select_events(accounts[0])  # type: ignore[union-attr]
    changed = stored.state.replace(b"1000000.00", b"0000000.00")
    assert changed != stored.state
    Dba(database_url).execute(f"UPDATE {table} SET state = %s", (changed,))
    with caplog.at_level(logging.WARNING, logger="ledger.audit.snapshots"):
        assert list(sealed.snapshots.get(accounts[0])) == []  # type: ignore[union-attr]
    assert "seal does not match" in caplog.text
    report = AuditChain(database_url).verify(app=sealed)
    assert report["ok"] is False and report["bad_snapshots"][0]["aggregate_id"] == str(accounts[0])


def test_snapshots_are_append_only(database_url: str, sealed: AwardLedger) -> None:
    """The service's own connection may not change or delete a snapshot (the triggers cover the table)."""
    from ledger.audit.append_only import triggers

    table = snapshots_table(database_url)
    assert any(name.startswith(table) for name in triggers(database_url))
