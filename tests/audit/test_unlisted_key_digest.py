"""A backup restored from before a key rotation, checked with `verify --digest` and the newest digest, as the README's
backup and restore procedure says: its registry does not list the key the digest is signed with, and the digest was
refused `digest_invalid`, "another ledger's", exit 2, never compared (an audit probe). It is compared with the events
as an outsider's claim, its key's absence said for what it may be; and `--json` prints the report for every digest
finding, where it printed nothing. On both stores, in both languages."""
from __future__ import annotations

import json
from pathlib import Path

from api.cli import main
from ledger.audit import keys
from ledger.audit.chain import CHAIN_TABLE, AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import World


def _backup_from_before_a_rotation(world: World, database_url: str, tmp_path: Path) -> tuple[dict, dict, int, str]:
    """The store under key A; key B registered by a rotation and a digest signed with it at once, then more events
    and a newer digest; then the store put back as a backup taken before the rotation holds it (the later events,
    their links and B's row gone). (the digest at the rotation, the newer one, the backup's head, B's id)."""
    keys.signer_for(database_url, tmp_path / "key-a.pem", may_rotate=True)
    older = AuditChain.open(database_url).digest()["position"]
    Signer.create(tmp_path / "key-b.pem")
    new = keys.signer_for(database_url, tmp_path / "key-b.pem", may_rotate=True)[0]
    at_rotation = Notary(AuditChain.open(database_url), new).digest()
    record_history(world, organisations=1)
    newer = Notary(AuditChain.open(database_url), new).digest()
    dba = Dba(database_url)
    for position in [p for p in dba.positions() if p > older]:
        dba.delete(position)
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position > %s", (older,))
    dba.delete_key(new.key_id)
    assert at_rotation["position"] == older < newer["position"]
    return at_rotation, newer, older, new.key_id


def _verify(monkeypatch, capsys, *argv: str, lang: str = "en") -> tuple[int, str, str]:
    monkeypatch.setenv("LEDGER_LANG", lang)
    capsys.readouterr()
    code = main(["verify", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_backup_from_before_a_rotation_is_told_it_is_older_than_the_newest_digest(
        world: World, database_url: str, tmp_path: Path, monkeypatch, capsys) -> None:
    """The newest digest lies beyond the backup: EVENTS MISSING (exit 1), the backup older than the digest's key,
    and the newest backup holding its position to restore once the key is found to be the ledger's; never "another
    ledger's". A digest signed by the new key at the backup's head matches, said with the key the backup lacks (exit
    1, `digest_key_unlisted`)."""
    at_rotation, newer, head, key = _backup_from_before_a_rotation(world, database_url, tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    (tmp_path / "at-rotation.json").write_text(json.dumps(at_rotation))
    code, _, en = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "newer.json"))
    assert code == 1 and f"[tampering] EVENTS MISSING from position {head + 1} on" in en, en
    assert f"most likely a backup taken before the ledger rotated to key {key}" in en, en
    assert f"first check that the ledger lists key {key}" in en, en
    assert f"restore the newest backup that holds position {newer['position']}" in en, en
    assert "another ledger's" not in en and "[digest_invalid]" not in en, en
    code, _, zh = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "newer.json"), lang="zh")
    assert code == 1 and f"自位置 {head + 1} 起缺少事件" in zh and f"台账轮换到密钥 {key} 之前的备份" in zh, zh
    assert f"恢复含有位置 {newer['position']} 的最新备份" in zh and "另一本台账" not in zh, zh
    code, out, _ = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "newer.json"), "--json")
    report = json.loads(out)
    assert code == 1 and (report["ok"], report["failure"]) == (False, "saved_beyond"), report
    assert f"holds position {newer['position']}" in report["what_to_do"], report
    code, _, en = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "at-rotation.json"))
    assert code == 1 and "[digest_key_unlisted]" in en and "matches the chain" in en, en
    assert f"this store is older than key {key}" in en and "another ledger's" not in en, en


def test_verify_json_prints_the_report_for_a_digest_refused_for_itself(world: World, database_url: str,
                                                                       tmp_path: Path, monkeypatch, capsys) -> None:
    """`verify --digest FILE --json` printed nothing on stdout for `digest_not_signed` (exit 1) and `digest_invalid`
    (exit 2), where a script expects the report (an audit probe): it is the report, ok false, the code as failure,
    and what to do."""
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    ours = Notary(AuditChain.open(database_url), signer).digest()
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    cases = {"digest_not_signed": ({**ours, "digest": "cd" * 32}, 1), "digest_invalid": ({"position": "3"}, 2)}
    for failure, (document, exit_code) in cases.items():
        path = tmp_path / f"{failure}.json"
        path.write_text(json.dumps(document))
        for lang in ("en", "zh"):
            code, out, err = _verify(monkeypatch, capsys, "--digest", str(path), "--json", lang=lang)
            report = json.loads(out)
            assert code == exit_code and f"[{failure}]" in err, err
            assert (report["ok"], report["failure"]) == (False, failure), report
            assert report["reason"] and report["reason_zh"] and report["read_models"] is None, report
    assert "what_to_do" in json.loads(_verify(monkeypatch, capsys, "--digest", str(tmp_path / "digest_not_signed.json"),
                                              "--json")[1])
    stranger, _ = Signer.create(tmp_path / "stranger.pem")  # a key the store does not list, a digest without position
    (tmp_path / "no-position.json").write_text(json.dumps(stranger.sign({"digest": "ab" * 32})))
    code, out, err = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "no-position.json"), "--json")
    assert code == 2 and "[digest_invalid]" in err and "has no position" in err and "Traceback" not in err, err
    assert json.loads(out)["failure"] == "digest_invalid", out


def test_a_digest_signed_before_its_key_was_registered_again_is_noted(world: World, database_url: str,
                                                                      tmp_path: Path, monkeypatch, capsys) -> None:
    """A restart after the key's row was deleted registers the key as a rotation made then: the digests it signed
    before read as signed before their key was first used, and nothing flagged it (an audit probe). `verify --digest`
    notes it, the chain's verdict unchanged."""
    from datetime import UTC, datetime, timedelta

    from ledger.audit.tables import KEYS_TABLE

    at_rotation, _, _, key = _backup_from_before_a_rotation(world, database_url, tmp_path)
    Dba(database_url).execute(f"INSERT INTO {KEYS_TABLE} (key_id, public_key, first_used) VALUES (%s, %s, %s)",
                              (key, at_rotation["public_key"], datetime.now(UTC).isoformat()))  # the restart's
    earlier = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="seconds")  # signed an hour before it
    unsigned = {k: v for k, v in at_rotation.items() if k not in ("signature", "key_id", "public_key")}
    at_rotation = Signer.load(tmp_path / "key-b.pem").sign(unsigned | {"computed_at": earlier})
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    (tmp_path / "at-rotation.json").write_text(json.dumps(at_rotation))
    code, _, en = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "at-rotation.json"))
    assert code == 0 and f"note: the store's key registry dates key {key} from" in en, en
    assert "deleted and registered anew by a server's restart" in en and "matches the chain" in en, en
    code, _, zh = _verify(monkeypatch, capsys, "--digest", str(tmp_path / "at-rotation.json"), lang="zh")
    assert code == 0 and f"记载密钥 {key} 自" in zh, zh
