"""A digest kept outside the system catches a chain table rewritten to match tampered events."""
from __future__ import annotations

import pytest

from ledger.audit.chain import ALGORITHM, GENESIS, AuditChain, InvalidDigest
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import World


def test_rewritten_chain_passes_plain_check_but_fails_saved_digest(chain: AuditChain, dba: Dba) -> None:
    """After a byte is flipped and the chain rewritten, only the digest saved beforehand notices, at or before it."""
    saved = chain.digest()
    target = dba.positions()[9]
    dba.flip_byte(target)
    dba.rewrite_chain()
    assert chain.verify()["ok"] is True
    result = chain.verify(saved)
    assert (result["ok"], result["failure"]) == (False, "saved_digest_mismatch")
    assert result["first_bad_position"] <= target <= saved["position"]
    assert f"up to position {saved['position']}" in result["reason"]


def test_rewritten_chain_after_a_deletion_fails_saved_digest(chain: AuditChain, dba: Dba) -> None:
    """Deleting an event and rewriting the chain to match is caught by the digest saved before."""
    saved = chain.digest()
    dba.delete(dba.positions()[6])
    dba.rewrite_chain()
    assert chain.verify()["ok"] is True
    assert chain.verify(saved)["ok"] is False


def test_two_saved_digests_narrow_the_place(chain: AuditChain, dba: Dba, world: World) -> None:
    """With digests saved before and after the tampered event, the fault is placed between them."""
    earlier = chain.digest()
    record_history(world, organisations=1)
    later = chain.digest()
    target = next(p for p in dba.positions() if p > earlier["position"] + 3)
    dba.flip_byte(target)
    dba.rewrite_chain()
    result = chain.verify([later, earlier])
    assert earlier["position"] < result["first_bad_position"] <= target
    assert result["chain_head"]["position"] == earlier["position"]
    assert result["chain_head"]["digest"] == earlier["digest"]
    assert result["saved_digests_checked"] == 2


def test_an_old_digest_keeps_matching_as_the_ledger_grows(chain: AuditChain, world: World) -> None:
    """A digest saved earlier still verifies after more events are recorded and chained."""
    saved = chain.digest()
    record_history(world, organisations=1)
    result = chain.verify(saved)
    assert result["ok"] is True
    assert result["chain_head"]["position"] > saved["position"]


def test_digest_of_an_empty_store_is_genesis(database_url: str) -> None:
    """On an empty database the chain is created by itself and its digest is position 0, 32 zero bytes."""
    audit = AuditChain.open(database_url)
    digest = audit.digest()
    assert (digest["position"], digest["digest"], digest["algorithm"]) == (0, GENESIS.hex(), ALGORITHM)
    assert audit.verify(digest) | {"chain_head": None} == {
        "ok": True, "events_checked": 0, "first_bad_position": None, "reason": None, "reason_zh": None,
        "failure": None, "chain_head": None, "chain_position": 0, "saved_digests_checked": 1}


@pytest.mark.parametrize("saved", [
    {"position": 3, "digest": "00" * 32, "algorithm": "md5-chain"},
    {"position": -1, "digest": "00" * 32},
    {"position": 3, "digest": "xyz"},
    {"position": 3, "digest": "ab" * 16},
])
def test_a_malformed_digest_is_refused(database_url: str, saved: dict) -> None:
    """A saved digest with another algorithm, a negative position or bad hex is an error, not a verdict."""
    with pytest.raises(InvalidDigest):
        AuditChain.open(database_url).verify(saved)


def test_a_rewrite_a_saved_digest_places_is_said_as_a_range_with_the_backup_to_restore(chain: AuditChain,
                                                                                      dba: Dba) -> None:
    """An audit probe: a rewritten chain found by a saved digest was reported "TAMPERING at position 1", with the
    advice to restore "a backup taken before position 1" (an empty ledger). It is said as at or after that position,
    and the backup to restore is one whose chain still matches the saved digest."""
    from ledger.audit.tampering import found

    saved = chain.digest()
    dba.flip_byte(dba.positions()[9])
    dba.rewrite_chain()
    report = chain.verify(saved, logged=False)
    en, zh = found(report["first_bad_position"], report["reason"], report["reason_zh"], report["failure"])
    assert en.startswith(f"TAMPERING at or after position {report['first_bad_position']}:"), en
    assert "backup whose chain still matches the saved digest" in en and "backup taken before" not in en
    assert "或其后发现篡改" in zh and "仍与所保存摘要相符的备份" in zh


def test_a_middle_event_deleted_with_its_link_is_named_beside_the_next_event(chain: AuditChain, dba: Dba) -> None:
    """An audit probe deleted a middle event and its link: verify blamed the next event's bytes alone. Where the
    positions before the failing event hold neither an event nor a link, the reason names them as a deletion too."""
    target = dba.positions()[6]
    dba.delete(target)
    dba.execute(f"DELETE FROM rm_audit_chain WHERE position = {target}")
    report = chain.verify(logged=False)
    assert report["failure"] == "changed" and report["first_bad_position"] > target
    assert f"or an event at position {target}, where the log holds neither an event nor a link" in report["reason"]
    assert f"或位置 {target}" in report["reason_zh"]
