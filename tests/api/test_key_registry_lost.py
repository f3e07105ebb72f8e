"""A signing key's row deleted from the key registry (an audit probe, with the triggers dropped as for every other
tamper): the server went on signing with a key its registry no longer listed, `verify` and GET /v1/audit/verify said
intact, `verify --digest` and the audit page then called the ledger's own fresh digest "another ledger's", a restart
re-registered the key as a rotation made then, and `receipt` sent the operator back to the retired key. Now the
server signs nothing with a key the registry lost, its verification fails `keys`, a key a recorded close shows is
not registered again as new, and the command line says what it can tell; on both stores, in both languages."""
from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from ledger.audit import keys
from ledger.audit.signing import Signer
from tests.api.conftest import Api, World
from tests.api.test_cli_language import run_cli
from tests.audit.conftest import Dba
from tests.browser.conftest import signed_in

ZH = {"Accept-Language": "zh"}


@contextmanager
def _server(settings: Settings, tokens: dict[str, str], key: Path) -> Iterator[Api]:
    """The app on the test's store, signing with the key file `key` (a new one rotates the store to it)."""
    with TestClient(create_app(settings.model_copy(update={"signing_key_file": key}))) as client:
        yield Api(client, tokens)


def _rotated(settings: Settings, tokens: dict[str, str], tmp_path: Path) -> tuple[str, str, str]:
    """A store with history under key A, then rotated to key B by a server started with it: (A, B, a paid claim)."""
    with _server(settings, tokens, tmp_path / "key-a.pem") as first:
        world = World(first)
        first.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00",
                                                "document_ref": "杭高新财〔2023〕1号"}, as_="finance")
        claim = world.paid(world.org())["claim_id"]
        old = first.client.app.state.notary.signer.key_id
    new = Signer.create(tmp_path / "key-b.pem")[0].key_id
    return old, new, claim


def _page_verdict(api: Api, tokens: dict[str, str]) -> str:
    """The audit page's verdict on the chain, once its verification in the background is done."""
    api.client.tokens = tokens  # type: ignore[attr-defined]
    signed_in(api.client, "auditor")
    deadline = time.monotonic() + 30
    while 'data-state="done"' not in (page := api.client.get("/ui/audit?lang=en").text):
        assert time.monotonic() < deadline, page
        time.sleep(0.2)
    return re.search(r'data-testid="verified-reason">(.*?)</dd>', page, re.S).group(1)


def test_a_key_row_deleted_under_a_running_server_stops_its_signing_and_fails_its_verification(
        settings: Settings, tokens: dict[str, str], database_url: str, tmp_path: Path, caplog, monkeypatch,
        capsys) -> None:
    """With the row of the key it signs with deleted, the server refuses digests, receipts and the key list (409
    `tampering`, saying which key and what to do, in the reader's language, logged as an ERROR), and its
    verification fails `keys`; the digest it signed before is not "another ledger's" to `verify --digest`; `verify`
    notes the key file the registry lacks; `receipt` is not sent back to the retired key; a restart that registers
    the key again says what the store cannot tell apart from a rotation."""
    old, new, claim = _rotated(settings, tokens, tmp_path)
    saved = tmp_path / "digest.json"
    with _server(settings, tokens, tmp_path / "key-b.pem") as api:
        digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
        assert digest["key_id"] == new
        saved.write_text(json.dumps(digest))
        Dba(database_url).delete_key(new)
        with caplog.at_level(logging.ERROR, logger="ledger.audit"):
            for path in ("/v1/audit/digest", "/v1/audit/keys", f"/v1/claims/{claim}/receipt"):
                problem = api.refused("GET", path, None, "auditor", 409, "tampering")
                assert f"does not list key {new}, which this server signs with" in problem["detail"], problem
                assert "put the key's row of ledger_audit_keys back from a backup" in problem["detail"], problem
            zh = api.refused("GET", "/v1/audit/digest", None, "auditor", 409, "tampering", headers=ZH)
            assert f"中没有密钥 {new}，而本服务正用它签名" in zh["detail"], zh
            report = api.ok("GET", "/v1/audit/verify", as_="auditor")
        assert (report["ok"], report["failure"]) == (False, "keys"), report
        assert f"does not list key {new}" in report["reason"], report
        assert any(f"does not list key {new}" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
        assert f"does not list key {new}, which this server signs with" in _page_verdict(api, tokens), "the page"
    variables = {"LEDGER_DATABASE_URL": database_url}
    said = {}
    for lang in ("en", "zh"):
        code, _, said[lang] = run_cli(monkeypatch, capsys, tmp_path, ["verify", "--digest", str(saved)],
                                      {**variables, "LEDGER_LANG": lang})
        assert code == 1 and "[digest_key_unlisted]" in said[lang], said[lang]
    assert "matches the chain" in said["en"] and f"signed by key {new}, which this store's key registry does not" \
        " list" in said["en"], said["en"]
    assert "another ledger's" not in said["en"] and "never used" not in said["en"], said["en"]
    assert "与防篡改链相符" in said["zh"] and "另一本台账" not in said["zh"], said["zh"]
    code, out, _ = run_cli(monkeypatch, capsys, tmp_path, ["verify", "--digest", str(saved), "--json"], variables)
    report = json.loads(out)
    assert code == 1 and (report["ok"], report["failure"]) == (False, "digest_key_unlisted"), report
    assert report["what_to_do"].startswith(f"Check that the ledger lists key {new}"), report
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"],
                           {**variables, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key-b.pem")})
    assert code == 0 and f"holds key {new}, which this store's key registry does not list" in err, err
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["receipt", claim, "--output", str(tmp_path / "r.json")],
                           {**variables, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key-b.pem")})
    assert code == 2 and "[signing_key_unknown]" in err and "the registry lost its row" in err, err
    assert f"to the file holding key {old}" not in err, err  # the key key-b retired is not the one to use
    with caplog.at_level(logging.WARNING, logger="award_ledger.signing"), \
            _server(settings, tokens, tmp_path / "key-b.pem") as restarted:
        assert restarted.ok("GET", "/v1/audit/digest", as_="auditor")["key_id"] == new
    assert any("this is no rotation but the key's row deleted" in r.getMessage() for r in caplog.records), \
        [r.getMessage() for r in caplog.records]


def test_a_key_a_recorded_close_signed_with_is_missed_by_verify_and_not_registered_again(
        settings: Settings, tokens: dict[str, str], database_url: str, tmp_path: Path, monkeypatch,
        capsys) -> None:
    """A year's close records the digest it signed among the chained events: the key that signed it must be listed.
    With its row deleted, `verify` fails `keys` naming the close, a server or a command with that key is refused
    `tampering` rather than register it again as a rotation made now, and nothing is registered."""
    old, new, claim = _rotated(settings, tokens, tmp_path)
    variables = {"LEDGER_DATABASE_URL": database_url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key-b.pem")}
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["close", "--year", "2023"], variables)
    assert code == 0 and f"signs with key {new}" in err, err
    Dba(database_url).delete_key(new)
    said = {}
    for lang in ("en", "zh"):
        code, _, said[lang] = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {**variables, "LEDGER_LANG": lang})
        assert code == 1 and "[tampering]" in said[lang], said[lang]
    assert re.search(rf"does not list key {new}, which signed the digest the 2023 close recorded \(position \d+\)",
                     said["en"]), said["en"]
    assert f"中没有密钥 {new}，而它签发了 2023 年度结账所记录的摘要" in said["zh"], said["zh"]
    code, out, _ = run_cli(monkeypatch, capsys, tmp_path, ["verify", "--json"], variables)
    assert code == 1 and json.loads(out)["failure"] == "keys", out
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["receipt", claim, "--output", str(tmp_path / "r.json")],
                           variables)
    assert code == 1 and "[tampering]" in err and "2023 close" in err, err
    with pytest.raises(keys.KeysAltered) as refused:
        create_app(settings.model_copy(update={"signing_key_file": tmp_path / "key-b.pem"}))
    assert f"does not list key {new}" in str(refused.value), refused.value
    assert [k.key_id for k in keys.registered(database_url)] == [old]  # not registered again as new
