"""The audit routes through the real app: verify, digest, and the stored events for an outside replay."""
from __future__ import annotations

import base64
import hashlib
import logging

from ledger.audit.chain import GENESIS, event_bytes
from tests.api.conftest import World
from tests.audit.conftest import Dba


def _some_history(world) -> str:
    org = world.org()
    world.claim(org, "A5.voucher", basis_amount="1000000.00")
    return org


def test_an_intact_ledger_verifies_over_http(api, world) -> None:
    """GET /v1/audit/verify recomputes the chain over every event and finds it intact."""
    _some_history(world)
    report = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert report["ok"] is True and report["first_bad_position"] is None
    assert report["events_checked"] == api.events()


def test_tampering_is_located_over_http(api, world, database_url) -> None:
    """A byte changed in a stored event behind the service's back is named by its position."""
    _some_history(world)
    digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
    assert digest["position"] == api.events()
    Dba(database_url).flip_byte(3)
    report = api.ok("GET", "/v1/audit/verify", as_="admin")
    assert report["ok"] is False and report["first_bad_position"] == 3
    saved = api.ok("GET", f"/v1/audit/verify?position={digest['position']}&digest={digest['digest']}",
                   as_="auditor")
    assert saved["ok"] is False and saved["first_bad_position"] <= 3


def test_a_saved_digest_past_the_last_event_says_the_ledger_holds_fewer(api, world) -> None:
    """A digest saved at a position the ledger no longer reaches was said to "no longer hash to the digest" (an audit
    probe); it says the ledger now holds events up to its head only, as the audit page does, in either language."""
    _some_history(world)
    head = api.ok("GET", "/v1/audit/digest", as_="auditor")
    beyond = f"/v1/audit/verify?position={head['position'] + 500}&digest={head['digest']}"
    report = api.ok("GET", beyond, as_="auditor")
    assert report["ok"] is False and report["failure"] == "saved_beyond", report
    assert report["first_bad_position"] == head["position"] + 1 and report["events_checked"] == head["position"]
    assert f"holds events up to position {head['position']} only" in report["reason"]
    zh = api.ok("GET", beyond, as_="auditor", headers={"Accept-Language": "zh-CN"})
    assert f"存储中只有到位置 {head['position']} 的事件" in zh["reason"], zh


def test_a_digest_sent_by_value_that_does_not_match_is_not_called_tampering_as_fact(api, world) -> None:
    """A bare position and digest carry no signature: a zero digest typed by hand, or another ledger's, was answered
    "the chain table rewritten to hide it" and told to restore a backup (an audit probe), where `verify --digest` and
    the audit page said whose it was. It still fails, saying it may be mistyped or another ledger's, and to check the
    signed file first; the chain is reported as intact as it is."""
    _some_history(world)
    head = api.ok("GET", "/v1/audit/digest", as_="auditor")
    asked = f"/v1/audit/verify?position={head['position']}&digest={'0' * 64}"
    report = api.ok("GET", asked, as_="auditor")
    assert report["ok"] is False and report["failure"] == "saved_digest_mismatch", report
    assert "may be mistyped or another ledger's" in report["reason"], report["reason"]
    assert report["what_to_do"].startswith("First check the signed digest file"), report["what_to_do"]
    assert "verify --digest" in report["what_to_do"] and "restore" in report["what_to_do"], report
    zh = api.ok("GET", asked, as_="auditor", headers={"Accept-Language": "zh-CN"})
    assert "可能是输错了或属于另一台账" in zh["reason"] and zh["what_to_do"].startswith("请先用"), zh
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["ok"] is True


def test_a_saved_digest_with_only_one_half_is_refused(api, world) -> None:
    """A saved digest needs both its position and its digest."""
    api.refused("GET", "/v1/audit/verify?position=3", None, "auditor", 422, "invalid_request")


def test_stored_events_page_lets_an_auditor_redo_the_chain(api, world) -> None:
    """Paging GET /v1/audit/events and hashing its bytes outside reproduces the service's digest."""
    _some_history(world)
    digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
    link, after, seen = GENESIS, 0, 0
    while after is not None:
        page = api.ok("GET", f"/v1/audit/events?after={after}&limit=2", as_="auditor")
        for e in page["events"]:
            data = event_bytes(e["position"], e["aggregate_id"], e["version"], e["topic"],
                               base64.b64decode(e["state_base64"]))
            link = hashlib.sha256(link + data).digest()
            seen += 1
            if e["position"] == digest["position"]:
                assert link.hex() == digest["digest"] == e["link"]
        after = page["next_after"]
    assert seen == api.events()
    events = api.ok("GET", "/v1/audit/events?limit=1000", as_="auditor")["events"]
    registered = next(e for e in events if e["event"] == "Organisation.Registered")
    assert registered["data"]["in_district"] is True and registered["data"]["by"] == "admin-test"


def test_the_event_feed_serves_an_event_it_cannot_read_as_stored_and_says_so(api, world, database_url) -> None:
    """An event whose stored bytes were overwritten with something that is not an event: the feed answered 500, just
    when an auditor needs it to look at that row (an audit probe). It serves the bytes and the link as stored, with
    no data and the reason it cannot read them; the rows around it are as before, and the chain is re-done the same."""
    _some_history(world)
    dba = Dba(database_url)
    broken = dba.positions()[1]
    dba._set_state(broken, b"not json")
    events = api.ok("GET", "/v1/audit/events?limit=1000", as_="auditor")["events"]
    row = next(e for e in events if e["position"] == broken)
    assert base64.b64decode(row["state_base64"]) == b"not json" and row["link"] and row["data"] is None
    assert row["recorded_at"] is None and row["unreadable"]
    assert all(e["data"] and e.get("unreadable") is None for e in events if e["position"] != broken)
    verified = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert verified["ok"] is False and verified["first_bad_position"] == broken, verified


def test_an_after_beyond_any_position_is_refused_not_a_crash(api) -> None:
    """A page position past 64-bit integers is a 422 refusal on both stores, never a server error."""
    api.refused("GET", "/v1/audit/events?after=9223372036854775807", None, "auditor", 422, "invalid_request")
    assert api.ok("GET", f"/v1/audit/events?after={2**62}", as_="auditor")["events"] == []


def test_the_digest_is_signed_and_its_key_listed(api, world) -> None:
    """GET /v1/audit/digest carries the contract's fields, a tree root and an Ed25519 signature that checks."""
    from ledger.audit.signing import check, load_public

    _some_history(world)
    digest = api.ok("GET", "/v1/audit/digest", as_="auditor")
    assert {"position", "digest", "algorithm", "signature", "public_key", "tree_size", "root"} <= set(digest)
    assert check(digest, load_public(digest["public_key"])) is None
    keys = api.ok("GET", "/v1/audit/keys", as_="auditor")
    assert [k["key_id"] for k in keys] == [digest["key_id"]]
    later = (_some_history(world), api.ok("GET", "/v1/audit/digest", as_="auditor"))[1]
    proof = api.ok("GET", f"/v1/audit/consistency?first={digest['tree_size']}&second={later['tree_size']}",
                   as_="auditor")
    assert proof["first_root"] == digest["root"] and proof["second_root"] == later["root"] and proof["proof"]
    api.refused("GET", f"/v1/audit/consistency?first=5&second={later['tree_size'] + 1}", None, "auditor", 422,
                "invalid_request")
    # Any principal may read a signed head, as any may fetch a receipt (which carries one); verifying the chain
    # stays the auditors' and admin's.
    for who in ("kjj", "finance", "admin"):
        assert api.ok("GET", "/v1/audit/digest", as_=who)["tree_size"] >= later["tree_size"]
    assert api.ok("GET", f"/v1/audit/consistency?first={digest['tree_size']}&second={later['tree_size']}",
                  as_="finance")["proof"] == proof["proof"]
    api.refused("GET", "/v1/audit/verify", None, "kjj", 403, "forbidden")


def test_a_claim_receipt_over_http_verifies_offline(api, world) -> None:
    """GET /v1/claims/{id}/receipt answers a receipt that checks with the digest's public key alone."""
    from ledger.audit.receipts import check

    org = world.org()
    claim = world.claim(org, "A5.voucher", basis_amount="1000000.00")
    api.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)
    receipt = api.ok("GET", f"/v1/claims/{claim['id']}/receipt", as_="finance")
    assert [e["event"] for e in receipt["events"]] == ["Claim.Submitted", "Claim.Approved"]
    public_key = api.ok("GET", "/v1/audit/digest", as_="auditor")["public_key"]
    assert check(receipt, public_key) == []
    api.refused("GET", "/v1/claims/00000000-0000-0000-0000-000000000007/receipt", None, "finance", 404, "not_found")


def test_a_running_server_whose_key_another_process_retired_signs_nothing_more(api, settings, tmp_path, caplog):
    """A regression probe: a server running when another process rotated the store to a new key went on signing
    digests and receipts, dated after its key's retirement, which checkers accepted. Once its key is retired it
    answers 503 `signing_key_retired`, naming the key in use and to restart with it, in both languages; a receipt
    likewise; nothing is written, and what needs no signature (the key list, with retired_at) still answers."""
    from ledger.audit import keys
    from ledger.audit.signing import Signer
    from ledger.audit.stores import open_store

    world = World(api)
    org = world.org()
    claim = api.ok("POST", "/v1/claims", {"uscc": org, "programme": "A5.voucher", "award_year": 2023,
                                          "effective_on": "2023-06-01", "basis_amount": "100000"}, "kjj")
    assert api.call("GET", "/v1/audit/digest", None, "auditor").status_code == 200
    new, _ = Signer.create(tmp_path / "rotated.pem")
    keys.register(open_store(settings.database_url), new)  # as a command run with a new key file does
    before = api.events()
    with caplog.at_level(logging.WARNING, logger="ledger.audit"):
        for path in ("/v1/audit/digest", f"/v1/claims/{claim['id']}/receipt"):
            for lang, said in (("en", f"LEDGER_SIGNING_KEY_FILE set to the file holding key {new.key_id}"),
                               ("zh", f"存有密钥 {new.key_id} 的文件")):
                answer = api.call("GET", path, None, "auditor", headers={"Accept-Language": lang})
                assert answer.status_code == 503 and answer.json()["code"] == "signing_key_retired", answer.text
                assert said in answer.json()["detail"], answer.text
    # The server says so in its log, once (an operations probe: a replica left on the old key refused digests and
    # receipts with nothing in its log, and its /readyz stayed green).
    said = [r.getMessage() for r in caplog.records if "which the store retired" in r.getMessage()]
    assert len(said) == 1 and new.key_id in said[0], said
    listed = api.ok("GET", "/v1/audit/keys", None, "auditor")
    assert [k["retired_at"] is None for k in listed] == [False, True] and listed[1]["key_id"] == new.key_id
    assert api.events() == before


def test_a_server_started_in_another_folder_says_it_retired_the_ledgers_key(api, settings, tmp_path, monkeypatch,
                                                                             caplog):
    """An operations probe started a second replica in another folder with LEDGER_SIGNING_KEY_FILE unset: it made a
    new key there, retiring the ledger's for good, and its log said only "generated a new key". It says which key
    it replaced and what that does to servers still signing with it."""
    from api.signing import load_signer

    [current] = api.ok("GET", "/v1/audit/keys", None, "auditor")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with caplog.at_level(logging.WARNING):
        made = load_signer(settings.model_copy(update={"signing_key_file": None}), service=True)
    said = " ".join(r.getMessage() for r in caplog.records)
    assert made.key_id != current["key_id"] and f"It replaces key {current['key_id']}" in said, said
    assert "503 signing_key_retired" in said and "never signs again" in said, said
