"""A store behind a digest the ledger signed (an older backup restored over a newer ledger, or the tail deleted with
its links) is said to miss events, and the backup to restore is the newer one, on both stores: an audit probe was
told to "restore the events from a backup taken before position 99", which the store in place already was, and
"or the digest is from another ledger" of a digest whose signature had just been checked under this ledger's key."""
from __future__ import annotations

import json
from pathlib import Path

from api.cli import main
from ledger.audit.chain import CHAIN_TABLE, AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import World


def _older_backup_restored(dba: Dba, keep: int) -> None:
    """The store as a backup taken at `keep` holds it: every event after it gone, with its link."""
    for position in [p for p in dba.positions() if p > keep]:
        dba.delete(position)
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position > %s", (keep,))


def _signed_then_behind(world: World, database_url: str, tmp_path: Path) -> tuple[dict, int, Path]:
    """A digest signed at the head, then the store put back to an earlier position: (digest, that position, file)."""
    chain = AuditChain.open(database_url)
    older = chain.digest()["position"]
    record_history(world, organisations=1)
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    newer = Notary(AuditChain.open(database_url), signer).digest()
    assert newer["position"] > older
    _older_backup_restored(Dba(database_url), older)
    path = tmp_path / "digest-now.json"
    path.write_text(json.dumps(newer))
    return newer, older, path


def test_a_signed_digest_past_the_store_says_restore_the_newer_backup(world: World, database_url: str,
                                                                     tmp_path: Path, monkeypatch, capsys) -> None:
    """`verify --digest` with the newer signed digest: events missing after the store's head, the likely cause (an
    older backup restored), and to restore the newest backup holding the digest's position; never a backup taken
    before the store's head, nor another ledger's digest. In both languages, in the text and in --json."""
    newer, older, path = _signed_then_behind(world, database_url, tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    said = {}
    for lang in ("en", "zh"):
        monkeypatch.setenv("LEDGER_LANG", lang)
        capsys.readouterr()
        assert main(["verify", "--digest", str(path)]) == 1
        said[lang] = capsys.readouterr().err
    en, zh = said["en"], said["zh"]
    assert "[tampering]" in en and f"EVENTS MISSING from position {older + 1} on" in en, en
    assert "an older backup was restored over the newer store" in en, en
    assert f"restore the newest backup that holds position {newer['position']}" in en, en
    assert "another ledger" not in en and "backup taken before" not in en, en
    assert f"if no backup reaches position {newer['position']}," in en and "{" not in en, en  # no placeholder left
    assert f"自位置 {older + 1} 起缺少事件" in zh and "较早的备份被恢复到了较新的存储之上" in zh, zh
    assert f"恢复含有位置 {newer['position']} 的最新备份" in zh and "另一台账" not in zh and "之前的备份" not in zh, zh
    monkeypatch.setenv("LEDGER_LANG", "en")
    capsys.readouterr()
    assert main(["verify", "--digest", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["failure"], report["first_bad_position"]) == ("saved_beyond", older + 1), report
    assert "signed with this ledger's own key" in report["reason"] and "another ledger" not in report["reason"]
    assert f"holds position {newer['position']}" in report["what_to_do"], report
    assert "backup taken before" not in report["what_to_do"] and "之前的备份" not in report["what_to_do_zh"], report


def test_a_digest_whose_signature_was_not_checked_may_still_be_another_ledgers(chain: AuditChain, dba: Dba) -> None:
    """A bare position and digest (GET /v1/audit/verify?position=&digest=) carries no signature: it may be another
    ledger's, so that is still said, with the check of the signed file first; the backup is the newer one too."""
    head = chain.digest()
    _older_backup_restored(dba, head["position"] - 3)
    report = chain.verify(head, logged=False)
    assert report["failure"] == "saved_beyond" and "another ledger" in report["reason"], report
    assert report["what_to_do"].startswith("Keep the store as it is and first check the signed digest file")
    assert f"holds position {head['position']}" in report["what_to_do"] and "另一台账" in report["reason_zh"]
    assert "backup taken before" not in report["what_to_do"], report
