"""`award-ledger verify --digest` trusts a saved digest's signature only under a key this ledger signed with: a
digest signed again by a stranger was checked against the chain and reported as TAMPERING on an intact ledger,
sending the operator to restore backups (a probe). One its key's registry does not list is compared with the events
as an outsider's claim: borne out, it is a finding about the key (exit 1, `digest_key_unlisted`); contradicted, it
is refused as not shown to be this ledger's (exit 2), never as tampering."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.cli import main
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from tests.audit.conftest import record_history
from tests.store.conftest import World

SIGNED = ("signature_algorithm", "key_id", "public_key", "signature")


def _verify(monkeypatch, capsys, url: str, path: Path) -> tuple[int, str]:
    monkeypatch.setenv("LEDGER_DATABASE_URL", url)
    monkeypatch.setenv("LEDGER_LANG", "en")
    capsys.readouterr()
    code = main(["verify", "--digest", str(path)])
    return code, capsys.readouterr().err


def test_a_digest_signed_by_a_key_the_ledger_never_used_is_not_its_digest(world: World, database_url: str,
                                                                          tmp_path: Path, monkeypatch,
                                                                          capsys) -> None:
    record_history(world, organisations=1)
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    ours = Notary(AuditChain.open(database_url), signer).digest()
    (tmp_path / "ours.json").write_text(json.dumps(ours))
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "ours.json")
    assert code == 0, err
    # said, not only in --json (an operations probe)
    assert f"the saved digest {tmp_path / 'ours.json'} (position {ours['position']:,}) matches the chain" in err, err
    stranger, _ = Signer.create(tmp_path / "stranger.pem")
    bare = {k: v for k, v in ours.items() if k not in SIGNED}
    forgeries = {"same.json": stranger.sign(bare), "changed.json": stranger.sign({**bare, "digest": "ab" * 32})}
    for name, forged in forgeries.items():
        (tmp_path / name).write_text(json.dumps(forged))
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "same.json")
    assert code == 1 and "[digest_key_unlisted]" in err and "does not list" in err, err
    assert "TAMPERING" not in err and "intact" not in err
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "changed.json")
    assert code == 2 and "[digest_invalid]" in err and "no tampering is concluded" in err, err
    assert "TAMPERING" not in err and "intact" not in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_digest_changed_after_signing_is_still_not_signed(world: World, database_url: str, tmp_path: Path,
                                                            monkeypatch, capsys) -> None:
    record_history(world, organisations=1)
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    ours = Notary(AuditChain.open(database_url), signer).digest()
    (tmp_path / "edited.json").write_text(json.dumps({**ours, "digest": "cd" * 32}))
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "edited.json")
    assert code == 1 and "[digest_not_signed]" in err, err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_unsigned_digest_is_checked_with_a_note_that_it_proves_no_issuer(world: World, database_url: str,
                                                                            tmp_path: Path, monkeypatch,
                                                                            capsys) -> None:
    """A digest with its signature taken off was accepted silently (an audit probe): it is still checked against
    the chain (digests of earlier versions carry none), and the answer notes it cannot show who issued it."""
    record_history(world, organisations=1)
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    ours = Notary(AuditChain.open(database_url), signer).digest()
    (tmp_path / "bare.json").write_text(json.dumps({k: v for k, v in ours.items() if k not in SIGNED}))
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "bare.json")
    assert code == 0 and "carries no signature" in err and "intact" in err, err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("saved", "en", "zh"), [
    ({}, "has no position", "缺少 position"),
    ({"position": None, "digest": "ab" * 32}, "not null", "而不是 null"),
    ({"position": "3", "digest": "ab" * 32}, 'not "3"', '而不是 "3"'),
])
def test_a_saved_digest_without_a_position_is_said_missing_in_the_readers_words(world: World, database_url: str,
                                                                                tmp_path: Path, monkeypatch, capsys,
                                                                                saved, en, zh) -> None:
    """`{}` was refused "not None" in both languages, Python's word for a field left out (a zh probe)."""
    (tmp_path / "digest.json").write_text(json.dumps(saved))
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "digest.json")
    assert code == 2 and "[digest_invalid]" in err and en in err and "None" not in err, err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(["verify", "--digest", str(tmp_path / "digest.json")]) == 2
    err = capsys.readouterr().err
    assert zh in err and "None" not in err, err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_verify_names_the_digest_to_keep_which_verify_digest_then_takes(world: World, database_url: str,
                                                                        tmp_path: Path, monkeypatch, capsys) -> None:
    """A newcomer probe kept what `verify` printed ("keep that digest outside the system"), and `verify --json`, and
    `verify --digest` refused both, naming `award-ledger verify` as a source of the file. `verify` now names the
    signed digest of GET /v1/audit/digest and the command that checks it; the refusal no longer names `verify`."""
    record_history(world)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_LANG", "en")
    capsys.readouterr()
    assert main(["verify"]) == 0
    said = capsys.readouterr().err
    assert "GET /v1/audit/digest" in said and "award-ledger verify --digest FILE" in said, said
    assert main(["verify", "--json"]) == 0
    (tmp_path / "report.json").write_text(capsys.readouterr().out)
    code, err = _verify(monkeypatch, capsys, database_url, tmp_path / "report.json")
    assert code == 2 and "has no position" in err and "GET /v1/audit/digest" in err, err
    assert "(or `award-ledger verify`)" not in err, err
