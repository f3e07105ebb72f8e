"""What `receipt` and `verify-receipt` say where an audit probe found them misleading: a claim whose middle event
was deleted was refused with the reader's exception (`OriginatorVersionError: (5, 4)`) and no position, where the
API names it; and a genuine receipt from before a key rotation, checked with the new key, closed with advice that
implied the file had been altered. On both stores, in both languages."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from ledger.audit import keys
from ledger.audit.signing import Signer
from tests.audit.conftest import Dba
from tests.store.conftest import FINANCE, World


@pytest.fixture
def cli(database_url: str, world: World, monkeypatch, tmp_path: Path) -> str:
    """The CLI on a store with history; the id of a claim with two payouts."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    for n in (1, 2):
        world.ledger.record_payout(FINANCE, claim_id=claim, amount="10000", paid_on=date(2023, 7, n),
                                   bank_ref=f"BANK-{claim[:8]}-{n}")
    return claim


def _run(monkeypatch, capsys, argv: list[str], lang: str) -> tuple[int, str]:
    monkeypatch.setenv("LEDGER_LANG", lang)
    capsys.readouterr()
    code = main(argv)
    return code, capsys.readouterr().err


def test_a_receipt_of_a_claim_missing_a_middle_event_names_the_position(cli: str, database_url: str, tmp_path: Path,
                                                                        monkeypatch, capsys) -> None:
    """The command names where the chain breaks, as GET /v1/claims/{id} does (`receipts.located`), and shows no
    exception name nor "this version cannot read it"."""
    dba = Dba(database_url)
    gone = dba.aggregate_positions(cli)[2]  # its third event: later versions remain, one is missing between
    dba.delete(gone)
    argv = ["receipt", cli, "--output", str(tmp_path / "r.json")]
    code, en = _run(monkeypatch, capsys, argv, "en")
    assert code == 1 and "[tampering]" in en and f"the chain breaks at position {gone}" in en, en
    assert "Error" not in en and "cannot read it" not in en, en
    code, zh = _run(monkeypatch, capsys, argv, "zh")
    assert code == 1 and f"事件链在位置 {gone} 断开" in zh and "Error" not in zh, zh
    assert not (tmp_path / "r.json").exists()


def test_a_receipt_from_before_a_rotation_checked_with_the_new_key_is_sent_to_the_key_list(
        cli: str, database_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """Its one fault is the key: the closing advice says to look the key up in GET /v1/audit/keys and check with
    it, not to fetch a new receipt whose passing would "show" the file altered; a receipt altered as well still gets
    the general advice."""
    out = tmp_path / "old.json"
    assert _run(monkeypatch, capsys, ["receipt", cli, "--output", str(out)], "en")[0] == 0
    old = Signer.load(tmp_path / "key.pem").key_id
    Signer.create(tmp_path / "key-new.pem")
    new, _ = keys.signer_for(database_url, tmp_path / "key-new.pem", may_rotate=True)  # the ledger rotates
    (tmp_path / "new.pem").write_text(new.public_pem)
    argv = ["verify-receipt", str(out), "--public-key", str(tmp_path / "new.pem")]
    code, en = _run(monkeypatch, capsys, argv, "en")
    assert code == 1 and f"sound under the key it carries, key {old}" in en, en
    assert f"Look key {old} up in the ledger's GET /v1/audit/keys" in en and "altered" not in en, en
    code, zh = _run(monkeypatch, capsys, argv, "zh")
    assert code == 1 and f"在台账的 GET /v1/audit/keys 中查找密钥 {old}" in zh and "改动过" not in zh, zh
    altered = json.loads(out.read_text())
    altered["status"] = "rejected"
    (tmp_path / "altered.json").write_text(json.dumps(altered))
    code, en = _run(monkeypatch, capsys, ["verify-receipt", str(tmp_path / "altered.json"), "--public-key",
                                          str(tmp_path / "new.pem")], "en")
    assert code == 1 and "sound under the key it carries" not in en and "altered after it was issued" in en, en
