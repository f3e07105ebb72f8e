"""Chained when acknowledged: every command's events are linked by the transaction that records them."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

from ledger.audit.chain import AuditChain
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import FINANCE, KJJ, World


def test_every_event_has_its_link_when_the_command_returns(database_url: str, world: World, dba: Dba) -> None:
    """With no background work at all, each recorded event already has its link, and the chain verifies."""
    audit = AuditChain(database_url)
    assert dba.chain_rows() == len(dba.positions()) > 20
    record_history(world, organisations=1)
    assert dba.chain_rows() == len(dba.positions())
    assert audit.verify()["ok"] is True
    assert audit.digest()["position"] == dba.positions()[-1]


def test_concurrent_commands_chain_in_log_order(database_url: str, world: World, dba: Dba) -> None:
    """Eight threads deciding claims at once leave one unbroken chain over the log in notification order."""
    orgs = [world.org() for _ in range(8)]

    def claim_and_approve(org: str) -> None:
        claim = world.claim(org, "A5.voucher", basis_amount="1000000", effective_on=date(2023, 5, 1))
        world.ledger.approve_claim(KJJ, claim_id=claim["id"])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(claim_and_approve, orgs))
    assert dba.chain_rows() == len(dba.positions())
    assert AuditChain(database_url).verify()["ok"] is True


def test_an_upgraded_store_catches_up_its_unchained_tail_once(database_url: str, world: World, dba: Dba) -> None:
    """A store whose links came from the old background loop, which had not reached its last events when the
    new version first opened it, is caught up by `open` and verifies; so do its links written before."""
    positions = dba.positions()
    dba.unlink(after=positions[-6])
    dba.set_upgrade_point(positions[-1])
    assert AuditChain(database_url).verify()["failure"] == "unexpected"
    audit = AuditChain.open(database_url)
    assert audit.appended == 5
    assert audit.verify()["ok"] is True
    record_history(world, organisations=1)  # later saves chain on top
    assert audit.verify()["ok"] is True


def test_the_first_save_after_an_upgrade_catches_up_too(database_url: str, world: World, dba: Dba) -> None:
    """Without `open`, the first command after the upgrade chains the old tail before its own events."""
    positions = dba.positions()
    dba.unlink(after=positions[-4])
    dba.set_upgrade_point(positions[-1])
    record_history(world, organisations=1)
    assert dba.chain_rows() == len(dba.positions())
    assert AuditChain(database_url).verify()["ok"] is True


def test_an_event_slipped_in_between_saves_is_never_chained(database_url: str, world: World, dba: Dba) -> None:
    """A row inserted behind the service's back after the upgrade point stays without a link through later
    saves and `open`, and verify names it, instead of it being chained as if genuine."""
    forged = dba.positions()[-1] + 1
    dba.forge_copy(of=dba.positions()[3], at=forged)
    record_history(world, organisations=1)
    audit = AuditChain.open(database_url)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, forged, "unexpected")
    assert "without a link" in result["reason"]


def test_verify_says_when_opening_the_store_linked_events_before_its_upgrade_point(
        database_url: str, world: World, dba: Dba, tmp_path, monkeypatch, capsys) -> None:
    """An audit probe moved the upgrade point over a forged event and deleted the links after it: `verify` linked
    the forgery itself, said intact, and never mentioned it. The links are still made (an upgrade needs them), but
    `verify` says how many and where, and what it means on a store no earlier version ran."""
    from tests.api.test_cli_language import run_cli

    positions = dba.positions()
    dba.unlink(after=positions[-6])
    dba.set_upgrade_point(positions[-1])
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": database_url})
    assert code == 0, err
    assert f"linked 5 events (positions {positions[-5]:,} to {positions[-1]:,})" in err, err
    assert "treat it as tampering" in err and "verify --digest" in err, err
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": database_url})
    assert code == 0 and "linked" not in err, err  # once: nothing more to link


def test_export_said_so_too_when_it_was_the_first_to_open_the_store(
        database_url: str, world: World, dba: Dba, tmp_path, monkeypatch, capsys) -> None:
    """The regression probe: run first, `export` linked the events up to a moved upgrade point without a word, and
    `verify` after it had nothing left to say. Every command that checks the chain on opening says so."""
    from tests.api.test_cli_language import run_cli

    positions = dba.positions()
    dba.unlink(after=positions[-4])
    dba.set_upgrade_point(positions[-1])
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--output", "-"],
                           {"LEDGER_DATABASE_URL": database_url})
    assert code == 0, err
    assert f"award-ledger export: note: opening the store linked 3 events (positions {positions[-3]:,}" in err, err


def test_a_receipt_run_first_says_so_too(database_url: str, world: World, dba: Dba, tmp_path, monkeypatch,
                                         capsys) -> None:
    """The second regression probe: `receipt`, run first, linked the events up to a moved upgrade point and signed a
    receipt of them without a word."""
    from tests.api.test_cli_language import run_cli

    claim = world.claim(world.org(), "A5.voucher", basis_amount="1000000")
    positions = dba.positions()
    dba.unlink(after=positions[-3])
    dba.set_upgrade_point(positions[-1])
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["receipt", claim["id"], "--output", "-"],
                           {"LEDGER_DATABASE_URL": database_url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "k.pem")})
    assert code == 0, err
    assert "award-ledger receipt: note: opening the store linked 2 events" in err, err


def test_a_record_whose_versions_lost_their_middle_with_their_links_is_a_gap(
        database_url: str, world: World, dba: Dba, tmp_path, monkeypatch, capsys) -> None:
    """An operations probe restored a SQLite backup under a running server: its next commands saved versions 5 and 6
    of a fund year on a store holding versions 1 and 2, every command on that year was then refused as tampering,
    and `verify` said intact (the chain over what was left held). A record whose versions do not run from 1 without
    a gap is now verify's failure `gap` (exit 1), naming the record and its versions."""
    from tests.api.test_cli_language import run_cli

    record_history(world, organisations=1)
    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="1000", paid_on=date(2023, 9, 1), bank_ref="B-1")
    positions = dba.aggregate_positions(claim["id"])
    assert len(positions) >= 3
    dba.delete(positions[1])
    dba.rewrite_chain()  # the restore took the links with the events: the chain over what is left holds
    report = AuditChain.open(database_url).verify(app=world.ledger)
    assert (report["ok"], report["failure"]) == (False, "gap"), report
    assert report["gaps"][0]["record"] == claim["id"] and report["gaps"][0]["first_version"] == 1, report
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": database_url})
    assert code == 1 and "[tampering]" in err and f"record {claim['id']} holds" in err and "versions are missing" in err
