"""What the CLI writes, it writes where it was asked and nowhere it must not: an --output naming the ledger's own
store, signing key or principals file is refused before anything is replaced (an operations probe: `export
--output` over the SQLite store put a 2 KB CSV in its place, exit 0), and a receipt whose key file cannot be
written leaves the receipt that was there."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from api.cli import main
from ledger.application import AwardLedger
from ledger.audit.signing import Signer
from ledger.store import is_postgres, sqlite_path, store_env
from tests.sandbox.drafts import IN_FORCE
from tests.store.conftest import World


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _a_claim(url: str) -> str:
    ledger = AwardLedger(store_env(url))
    try:
        world = World(ledger)
        return world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    finally:
        ledger.close()


@pytest.mark.parametrize("command", [
    ["export", "--year", "2023", "--format", "csv", "--output"],
    ["simulate", "--catalogue", "CATALOGUE", "--format", "json", "--output"],
])
def test_an_output_naming_the_ledgers_own_files_is_refused(demo_district: str, tmp_path: Path, capsys, monkeypatch,
                                                           command: list[str]) -> None:
    key = tmp_path / "key.pem"
    Signer.load_or_create(key)
    targets = [key] if is_postgres(demo_district) else [Path(sqlite_path(demo_district)), key]
    command = [str(IN_FORCE) if part == "CATALOGUE" else part for part in command]
    for target in targets:
        before = _digest(target)
        assert main([*command, str(target)]) == 2, target
        err = capsys.readouterr().err
        assert "[output_unwritable]" in err and "it is the ledger's" in err and "Choose another --output" in err, err
        assert _digest(target) == before
        monkeypatch.setenv("LEDGER_LANG", "zh")
        assert main([*command, str(target)]) == 2
        assert "它是台账的" in capsys.readouterr().err
        monkeypatch.setenv("LEDGER_LANG", "en")
    assert main(["verify"]) == 0  # the store is still the ledger


def test_a_receipt_is_not_written_over_the_key_and_a_failed_key_leaves_the_old_receipt(
        demo_district: str, tmp_path: Path, capsys) -> None:
    claim = _a_claim(demo_district)
    key = tmp_path / "key.pem"
    Signer.load_or_create(key)
    before = _digest(key)
    assert main(["receipt", claim, "--output", str(key)]) == 2
    assert "it is the ledger's signing key" in capsys.readouterr().err and _digest(key) == before
    assert not (tmp_path / "key.public-key.pem").exists()  # nothing written beside it either
    # The public key's file cannot be written (a folder in its place): the receipt that was there stays.
    old = tmp_path / "k.json"
    old.write_text("old receipt")
    (tmp_path / "k.public-key.pem").mkdir()
    assert main(["receipt", claim, "--output", str(old)]) == 2
    assert "[output_unwritable]" in capsys.readouterr().err and old.read_text() == "old receipt"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_hard_link_or_the_linked_stores_journal_is_refused_too(demo_district: str, tmp_path: Path, capsys,
                                                                 monkeypatch) -> None:
    """A regression probe: a hard link to the store (or the key) was written in place, replacing the ledger's bytes;
    with the store named through a symbolic link, its real -wal beside the linked file was not protected."""
    store = Path(sqlite_path(demo_district))
    key = tmp_path / "key.pem"
    Signer.load_or_create(key)
    for original in (store, key):
        hard = tmp_path / f"hard-{original.name}.csv"
        hard.hardlink_to(original)
        before = _digest(original)
        assert main(["export", "--year", "2023", "--format", "csv", "--output", str(hard)]) == 2
        assert "it is the ledger's" in capsys.readouterr().err and _digest(original) == before
    link = tmp_path / "link.sqlite3"
    link.symlink_to(store)
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{link}")
    assert main(["export", "--year", "2023", "--format", "csv", "--output", f"{store}-wal"]) == 2
    assert "it is the ledger's store" in capsys.readouterr().err
