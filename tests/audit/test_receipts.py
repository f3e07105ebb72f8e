"""Signed digests, consistency between them, and claim receipts that verify offline and locate any change."""
from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger.audit import merkle, receipts, signing
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from tests.store.conftest import FINANCE, World


@pytest.fixture
def notary(database_url: str, world: World, tmp_path: Path) -> Notary:
    signer, created = Signer.load_or_create(tmp_path / "keys" / "signing-key.pem")
    assert created
    return Notary(AuditChain.open(database_url), signer)


def _paid_and_reversed(world: World) -> str:
    """A claim approved, paid twice, one payout reversed: its receipt must list all of it."""
    org = world.org()
    claim = world.approved(org, "A5.voucher", basis_amount="1000000")
    for n, amount in enumerate(("100000", "50000")):
        payout = world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=amount, paid_on=date(2023, 9, 1),
                                            bank_ref=f"R-{org[-6:]}-{n}").view
    world.ledger.reverse_payout(FINANCE, payout_id=payout["id"], reason="wrong account")
    return claim["id"]


def test_a_digest_is_signed_and_a_changed_signature_is_found(notary: Notary) -> None:
    """The digest names the chain head and the tree root, verifies under its key, and fails once changed."""
    digest = notary.digest()
    assert digest["tree_size"] > 20 and len(digest["root"]) == 64
    assert signing.check(digest, signing.load_public(notary.signer.public_pem)) is None
    bad_signature = base64.b64decode(digest["signature"])
    bad = dict(digest, signature=base64.b64encode(bytes([bad_signature[0] ^ 1]) + bad_signature[1:]).decode())
    assert "signature does not match" in signing.check(bad)
    assert "signature does not match" in signing.check(dict(digest, root="00" * 32))


def test_old_digests_stay_checkable_after_key_rotation(notary: Notary, world: World, tmp_path: Path) -> None:
    """After the ledger moves to a new key, a digest signed by the old one is still recognised as its own."""
    old = notary.digest()
    rotated = Notary(notary.chain, Signer.load_or_create(tmp_path / "new-key.pem")[0])
    World.org(world)
    new = rotated.digest()
    assert new["key_id"] != old["key_id"]
    assert rotated.check_signed(old) is None and rotated.check_signed(new) is None
    assert [k["key_id"] for k in rotated.known_keys()] == [old["key_id"], new["key_id"]]
    stranger = Signer.load_or_create(tmp_path / "stranger.pem")[0].sign({k: old[k] for k in ("position", "digest")})
    assert "never used" in rotated.check_signed(stranger)


def test_consistency_between_two_saved_digests(notary: Notary, world: World) -> None:
    """The proof between an earlier and a later digest verifies by RFC 9162, and not against a forged root."""
    earlier = notary.digest()
    World.org(world)
    later = notary.digest()
    proof = notary.consistency(earlier["tree_size"], later["tree_size"])
    hashes = [bytes.fromhex(h) for h in proof["proof"]]
    first, second = bytes.fromhex(earlier["root"]), bytes.fromhex(later["root"])
    assert merkle.verify_consistency(earlier["tree_size"], later["tree_size"], first, second, hashes)
    assert not merkle.verify_consistency(earlier["tree_size"], later["tree_size"], bytes(32), second, hashes)


def test_a_receipt_lists_every_event_and_verifies_with_the_public_key_alone(notary: Notary, world: World,
                                                                            tmp_path: Path) -> None:
    """A paid, partly reversed claim's receipt holds its events and its payouts', and verify-receipt (run with
    no reachable database) accepts it with just the public key."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    names = [e["event"] for e in receipt["events"]]
    assert names.count("Claim.PayoutRecorded") == 2 and "Claim.PayoutReversed" in names
    assert "Payout.Reversed" in names and names[0] == "Claim.Submitted"
    assert receipt["status"] == "approved" and receipts.check(receipt, notary.signer.public_pem) == []
    # Each record named as the API names it, the same on either store (SQLite's were 32 hex digits, undashed).
    assert {e["aggregate_id"] for e in receipt["events"] if e["event"].startswith("Claim.")} == {receipt["claim_id"]}
    assert all(str(UUID(e["aggregate_id"])) == e["aggregate_id"] for e in receipt["events"])
    path, pem = tmp_path / "receipt.json", tmp_path / "ledger.pem"
    path.write_text(json.dumps(receipt, ensure_ascii=False))
    pem.write_text(notary.signer.public_pem)
    offline = {"PATH": "/usr/bin:/bin", "LEDGER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    run = subprocess.run([sys.executable, "-m", "api.cli", "verify-receipt", str(path), "--public-key", str(pem)],
                         capture_output=True, text=True, env=offline, timeout=60, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("valid: claim")


def _flip_hex(value: str) -> str:
    return ("1" if value[0] == "0" else "0") + value[1:]


def _mutations(receipt: dict) -> dict[str, tuple]:
    """Each way of changing one byte of a receipt, and the part its checker must name."""
    event = receipt["events"][2]
    state = bytearray(base64.b64decode(event["state_base64"]))
    state[-3] ^= 1
    at = f"event at position {event['position']}"
    return {
        "event bytes": (("events", 2, "state_base64"), base64.b64encode(bytes(state)).decode(), at),
        "readable data": (("events", 2, "data"), {**event["data"], "by": "someone-else"}, at),
        "link": (("events", 2, "link"), _flip_hex(event["link"]), at),
        "previous link": (("events", 2, "previous_link"), _flip_hex(event["previous_link"]), at),
        "inclusion path": (("events", 2, "inclusion_path", 0), _flip_hex(event["inclusion_path"][0]), at),
        "head root": (("head", "root"), _flip_hex(receipt["head"]["root"]), "head"),
        "head signature": (("head", "signature"), "A" + receipt["head"]["signature"][1:], "head"),
        "summary": (("status",), "rejected", "receipt"),
        "receipt signature": (("signature",), "A" + receipt["signature"][1:], "receipt"),
    }


def test_a_byte_changed_anywhere_in_a_receipt_is_found_and_located(notary: Notary, world: World) -> None:
    """Changing an event's bytes, its readable data, a link, a proof, the head or the summary is reported, and
    the report names the part that was changed."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    for what, (where, value, part) in _mutations(receipt).items():
        changed = copy.deepcopy(receipt)
        target = changed
        for step in where[:-1]:
            target = target[step]
        if target[where[-1]] == value:
            continue  # the mutation happened to be a no-op (e.g. a signature already starting with "A")
        target[where[-1]] = value
        problems = receipts.check(changed, notary.signer.public_pem)
        assert problems, what
        assert part in {p["part"] for p in problems}, (what, problems)


def _paths(node: object, at: tuple = ()) -> list[tuple]:
    """Every place in a JSON document: each key of each object and each index of each list, the root's own first."""
    found = [at]
    if isinstance(node, dict):
        found += [p for key, value in node.items() for p in _paths(value, (*at, key))]
    elif isinstance(node, list):
        found += [p for i, value in enumerate(node) for p in _paths(value, (*at, i))]
    return found


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.text(max_size=20)
    | st.sampled_from([float("inf"), float("-inf"), 1e300, -0.0, 3.5, 10**400, 10**3999]),  # 1e400 reads as inf
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)


def test_any_value_anywhere_in_a_receipt_is_a_problem_named_never_a_crash(notary: Notary, world: World) -> None:
    """A receipt comes from outside: whatever value stands in any place of it (`events` of 5, an event of null,
    a tree_size of 1e400), the checker names what is wrong rather than failing (verify-receipt printed a traceback
    and the audit page answered 500: an audit probe). The summary check alone, which a receipt signed again with
    the ledger's key reaches, holds too."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    places = _paths(receipt)[1:]

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(place=st.sampled_from(places), value=JSON_VALUES)
    @example(place=("head", "tree_size"), value=10**3999)
    @example(place=("events", 0, "position"), value=10**3999)
    def holds(place: tuple, value: object) -> None:
        changed = copy.deepcopy(receipt)
        target = changed
        for step in place[:-1]:
            target = target[step]
        if target[place[-1]] == value and type(target[place[-1]]) is type(value):
            return
        target[place[-1]] = value
        problems = receipts.check(changed, notary.signer.public_pem)
        assert problems and all(set(p) == {"part", "problem", "part_zh", "problem_zh"} for p in problems), problems
        # What it quotes back is cut short: a 4,000-digit tree_size came back whole (a regression probe).
        assert all(len(p["problem"]) < 1000 and len(p["part"]) < 200 for p in problems), problems
        assert all(isinstance(p, dict) for p in receipts.summary_faults(changed))

    holds()


def test_a_receipt_signed_by_another_key_is_refused(notary: Notary, world: World, tmp_path: Path) -> None:
    """A receipt checked against a key that is not the one that signed it is invalid, and says so."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    other = Signer.load_or_create(tmp_path / "other.pem")[0]
    problems = receipts.check(receipt, other.public_pem)
    assert {p["part"] for p in problems} >= {"head", "receipt"}
    assert "not by the trusted key" in problems[0]["problem"]


def test_a_key_that_shares_the_trusted_keys_id_vouches_for_nothing(notary: Notary, world: World, tmp_path: Path,
                                                                   monkeypatch) -> None:
    """A receipts probe: the check trusted the key a receipt carries once its 64-bit id matched the trusted key's,
    and verified with it, so a key found to share the id (2^64 work; seconds against a shortened id) signed a made-up
    receipt that passed against the ledger's real key. Here every key shares one id: a receipt (and a digest) forged
    and signed by another key is refused against the ledger's key, part by part, and the genuine one still holds."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    monkeypatch.setattr(signing, "key_id", lambda public: "0" * 16)
    forger = Signer.load_or_create(tmp_path / "forger.pem")[0]

    def resigned(document: dict) -> dict:
        return forger.sign({k: v for k, v in document.items() if k not in ("signature", "key_id", "public_key")})

    forged = copy.deepcopy(receipt)
    forged["claim"]["approved_amount"] = "4500000.00"
    forged["head"] = resigned(forged["head"])
    forged = resigned(forged)
    assert forged["key_id"] == forged["head"]["key_id"] == "0" * 16  # the id the ledger's key has too, here
    assert signing.check(forged, forger.public) is None  # genuinely signed: by the forger's key
    problems = receipts.check(forged, notary.signer.public_pem)
    assert {p["part"] for p in problems} >= {"head", "receipt"}, problems
    assert all("not by the trusted key" in p["problem"] for p in problems if p["part"] in ("head", "receipt")), problems
    digest = resigned(notary.digest())
    assert "not by the trusted key" in signing.check(digest, signing.load_public(notary.signer.public_pem))
    monkeypatch.undo()
    assert receipts.check(receipt, notary.signer.public_pem) == []


def test_an_unknown_claim_has_no_receipt(notary: Notary, world: World) -> None:
    """A receipt for an id the ledger never recorded is the ledger's not_found refusal."""
    from ledger.domain import errors

    with pytest.raises(errors.NotFound):
        receipts.for_claim(world.ledger, notary, str(UUID(int=7)))


def test_receipt_and_verify_receipt_commands(database_url: str, world: World, tmp_path: Path, monkeypatch,
                                             capsys) -> None:
    """`award-ledger receipt` writes the file; `verify-receipt` answers 0 for it, 1 naming the changed part
    for an altered copy, and 2 for a file that is not a receipt."""
    from api.cli import main

    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    claim_id = _paid_and_reversed(world)
    out = tmp_path / "r.json"
    assert main(["receipt", claim_id, "--output", str(out)]) == 0
    pem = tmp_path / "public.pem"
    pem.write_text(Signer.load_or_create(tmp_path / "key.pem")[0].public_pem)
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 0
    receipt = json.loads(out.read_text())
    receipt["events"][1]["state_base64"] = base64.b64encode(b'{"x": 1}').decode()
    out.write_text(json.dumps(receipt))
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 1
    assert f"INVALID event at position {receipt['events'][1]['position']}" in capsys.readouterr().err
    out.write_text("[1, 2]")
    assert main(["verify-receipt", str(out), "--public-key", str(pem)]) == 2
    assert main(["receipt", str(UUID(int=9)), "--output", str(out)]) == 2


def test_a_receipt_for_a_revoked_award_says_so(notary: Notary, world: World) -> None:
    """Once an award is revoked, its receipt carries the revocation event and the revoked status, and still
    verifies: a beneficiary holding it can see the award no longer stands."""
    from tests.store.conftest import KJJ

    claim_id = _paid_and_reversed(world)
    world.ledger.revoke_claim(KJJ, claim_id=claim_id, reason="figures found false on inspection",
                              document_ref="区科技局〔2025〕9号")
    receipt = receipts.for_claim(world.ledger, notary, claim_id)
    assert receipt["status"] == "revoked"
    assert "Claim.Revoked" in [e["event"] for e in receipt["events"]]
    assert receipts.check(receipt, notary.signer.public_pem) == []


def test_a_receipt_is_not_signed_over_a_head_the_events_do_not_bear_out(notary: Notary, world: World,
                                                                         database_url: str) -> None:
    """An audit probe: with the chain's head event changed, GET /v1/audit/digest refused (tampering) while a receipt
    of another claim signed that head, which a reader may save and use as a digest. A receipt is refused alike."""
    from ledger.audit.tampering import Tampered
    from tests.audit.conftest import Dba

    claim = _paid_and_reversed(world)
    assert receipts.for_claim(world.ledger, notary, claim)["status"] == "approved"
    world.org()  # a later event, of another record: the head
    dba = Dba(database_url)
    dba.flip_byte(dba.positions()[-1])
    with pytest.raises(Tampered):
        notary.digest()
    with pytest.raises(Tampered) as refused:
        receipts.for_claim(world.ledger, notary, claim)
    assert refused.value.detail.startswith("no receipt is signed:"), refused.value.detail  # not "no digest"
    assert refused.value.in_language("zh").startswith("不签发回执：")


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def test_every_character_of_a_signature_changed_is_found(notary: Notary, world: World) -> None:
    """A signature's last base64 character before `==` carries four bits that no byte of it holds: a decoder drops
    them, so 15 changes of that one character verified (an audit probe: `verify-receipt` exit 0, the page said 通过).
    Every other character of the signature, each of the 63 others in its place, of the receipt and of a digest."""
    receipt = receipts.for_claim(world.ledger, notary, _paid_and_reversed(world))
    digest = notary.digest()
    trusted = notary.signer.public_pem
    for document, found in ((receipt, lambda d: receipts.check(d, trusted)),
                            (digest, lambda d: signing.check(d, signing.load_public(trusted)))):
        assert not found(document)
        signature = document["signature"]
        last = len(signature.rstrip("=")) - 1
        for at in (0, last // 2, last):
            for other in B64:
                if other == signature[at]:
                    continue
                changed = dict(document, signature=signature[:at] + other + signature[at + 1:])
                assert found(changed), (at, other)
    tail = receipt["signature"]
    spoilt = dict(receipt, signature=tail[:last] + B64[B64.index(tail[last]) ^ 1] + tail[last + 1:])
    said = receipts.check(spoilt, trusted)
    assert any("not written as the ledger writes it" in p["problem"] for p in said), said
    assert any("写法与台账所写不同" in p["problem_zh"] for p in said), said
