"""Over HTTP a tampered claim gets no receipt (409 `tampering`, in the reader's language), the server's chain
verification logs an ERROR saying where and what to do, and a claim's history shows its recovery."""
from __future__ import annotations

import json
import logging

import pytest

from ledger.audit.keys import KeysAltered
from tests.api.conftest import Api, World
from tests.audit.conftest import Dba


def test_a_tampered_claim_gets_no_receipt(api: Api, world: World, database_url: str, caplog) -> None:
    """GET /v1/claims/{id}/receipt for a claim whose stored event was changed is 409 `tampering`, naming the
    position and what to do (Chinese to a Chinese reader), and the server logs it as an ERROR."""
    world.paid(world.org())
    position, claim_id = Dba(database_url).raise_an_approved_amount()
    with caplog.at_level(logging.ERROR, logger="ledger.audit"):
        problem = api.refused("GET", f"/v1/claims/{claim_id}/receipt", None, "auditor", 409, "tampering")
    assert f"position {position}" in problem["detail"] and "restore the events from a backup" in problem["detail"]
    assert any(f"position {position}" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    zh = api.refused("GET", f"/v1/claims/{claim_id}/receipt", None, "auditor", 409, "tampering",
                     headers={"Accept-Language": "zh"})
    assert f"在位置 {position} 的事件与其在链中的链接不再相符" in zh["detail"] and "no longer" not in zh["detail"]


def test_the_servers_verification_logs_tampering(api: Api, world: World, database_url: str, caplog) -> None:
    """GET /v1/audit/verify answers ok:false and the server logs an ERROR with the position and what to do."""
    world.paid(world.org())
    position, _ = Dba(database_url).raise_an_approved_amount()
    with caplog.at_level(logging.ERROR, logger="ledger.audit"):
        report = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert (report["ok"], report["first_bad_position"]) == (False, position)
    [logged] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert f"TAMPERING at position {position}" in logged.getMessage()
    assert "restore the events from a backup" in logged.getMessage()
    # and the answer says what to do, in the reader's language, as the command line does (it gave the reason alone:
    # an audit probe)
    assert f"from a backup taken before position {position}" in report["what_to_do"], report
    zh = api.ok("GET", "/v1/audit/verify", as_="auditor", headers={"Accept-Language": "zh"})
    assert f"从位置 {position} 之前的备份恢复事件" in zh["what_to_do"] and "what_to_do_zh" not in zh, zh


def test_a_claims_history_shows_its_recovery(api: Api, world: World) -> None:
    """GET /v1/claims/{id} lists the recovery's Opened, Repaid and WrittenOff after Revoked, with the repayment's
    bank reference and the write-off's reason and document."""
    claim_id = world.paid(world.org())["claim_id"]
    rid = api.ok("POST", f"/v1/claims/{claim_id}/revoke", {"reason": "申报不实", "document_ref": "撤销〔2024〕3号"},
                 as_="kjj", status=200)["recovery_id"]
    api.ok("POST", f"/v1/recoveries/{rid}/repayments", {"amount": "40000.00", "received_on": "2024-04-02",
                                                       "bank_ref": f"BACK-{claim_id[:8]}"}, as_="finance")
    api.ok("POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业已注销", "document_ref": "核销〔2024〕7号"},
           as_="finance", status=200)
    history = api.ok("GET", f"/v1/claims/{claim_id}")["history"]
    assert [h["event"] for h in history][-4:] == ["Revoked", "Recovery.Opened", "Recovery.Repaid",
                                                  "Recovery.WrittenOff"]
    repaid, written = history[-2:]
    assert (repaid["amount"], repaid["received_on"], repaid["bank_ref"]) == ("40000.00", "2024-04-02",
                                                                             f"BACK-{claim_id[:8]}")
    assert (written["reason"], written["document_ref"], written["by"]) == ("企业已注销", "核销〔2024〕7号",
                                                                           "finance-test")


def test_a_public_key_swapped_in_the_key_registry_is_found_and_never_published(
        api: Api, world: World, database_url: str, tmp_path, caplog, monkeypatch, capsys) -> None:
    """An audit probe swapped the public key under the ledger's own key id with plain SQL: GET /v1/audit/keys
    published the attacker's key under the genuine id, digests and receipts were still signed beside it, and
    `verify` said intact. Each key must be the key its id names: the keys route and signing refuse (409
    `tampering`, in the reader's language), and the verification says so (ok false, failure `keys`)."""
    from ledger.audit.signing import Signer

    world.paid(world.org())
    [key] = api.ok("GET", "/v1/audit/keys", as_="auditor")
    saved = tmp_path / "digest.json"
    saved.write_text(json.dumps(api.ok("GET", "/v1/audit/digest", as_="auditor")))
    stranger = Signer.load_or_create(tmp_path / "stranger.pem")[0]
    Dba(database_url).swap_public_key(key["key_id"], stranger.public_pem)
    problem = api.refused("GET", "/v1/audit/keys", None, "auditor", 409, "tampering")
    assert f"lists key {key['key_id']} with a public key whose id is {stranger.key_id}" in problem["detail"], problem
    zh = api.refused("GET", "/v1/audit/digest", None, "auditor", 409, "tampering", headers={"Accept-Language": "zh"})
    assert "登记表在写入后被改动过" in zh["detail"], zh
    with caplog.at_level(logging.ERROR, logger="ledger.audit"):
        report = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert (report["ok"], report["failure"]) == (False, "keys"), report
    assert any("key registry" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    from tests.api.test_cli_language import run_cli

    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": database_url})
    assert code == 1 and "[tampering]" in err and f"lists key {key['key_id']}" in err, err
    # A digest kept outside is not blamed for the registry's change (it was: "not by the trusted key").
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify", "--digest", str(saved)],
                           {"LEDGER_DATABASE_URL": database_url})
    assert code == 1 and "[tampering]" in err and "key registry" in err and "untouched copy" not in err, err


def test_a_key_dated_after_now_in_the_registry_is_found(api: Api, world: World, database_url: str, tmp_path) -> None:
    """The regression probe inserted a consistent key (its id its own) dated later than the key in use, with plain
    SQL: the server's own key read as retired and a restart was told to use the intruder's; `verify` said intact.
    A key first used at a moment that has not come is the registry altered: 409 `tampering`, failure `keys`."""
    from ledger.audit.signing import Signer
    from ledger.audit.tables import KEYS_TABLE

    world.paid(world.org())
    stranger = Signer.load_or_create(tmp_path / "stranger.pem")[0]
    Dba(database_url).execute(f"INSERT INTO {KEYS_TABLE} (key_id, public_key, first_used) VALUES (%s, %s, %s)",
                              (stranger.key_id, stranger.public_pem, "2999-01-01T00:00:00+00:00"))
    problem = api.refused("GET", "/v1/audit/keys", None, "auditor", 409, "tampering")
    assert f"key {stranger.key_id} was first used at 2999-01-01" in problem["detail"], problem
    api.refused("GET", "/v1/audit/digest", None, "auditor", 409, "tampering")
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["failure"] == "keys"
    from api.signing import load_signer

    with pytest.raises(KeysAltered) as refused:  # a restart is not told to use the intruder's key
        load_signer(api.client.app.state.settings, announce=False)
    assert stranger.key_id in str(refused.value) and "LEDGER_SIGNING_KEY_FILE" not in str(refused.value)
