"""Links deleted from the chain table are said to be the chain's own records missing, not events slipped in, on
both stores: an audit probe emptied rm_audit_chain (and, again, deleted one link row) and was told "the event at
position 1 was inserted or renumbered afterwards", with the advice to restore a backup taken before position 1,
an empty ledger."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from api.cli import main
from ledger.application import AwardLedger
from ledger.audit import tampering
from ledger.audit.chain import CHAIN_TABLE, AuditChain
from ledger.audit.notary import Notary
from ledger.audit.signing import Signer
from ledger.audit.tampering import LINKS_ADVICE, UNLINKED_ADVICE, Tampered
from ledger.store import store_env
from tests.audit.conftest import Dba
from tests.store.conftest import FINANCE, World


def test_one_link_row_deleted_is_named_as_the_chains_record_missing(chain: AuditChain, dba: Dba) -> None:
    """The event keeps chaining into the next stored link: its link was deleted, the event is as recorded."""
    target = dba.positions()[9]
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (target,))
    report = chain.verify(logged=False)
    assert (report["ok"], report["failure"], report["first_bad_position"]) == (False, "link_missing", target), report
    assert f"no link is stored for position {target}" in report["reason"], report["reason"]
    assert "the chain table that was changed" in report["reason"] and "inserted" not in report["reason"]
    assert f"位置 {target}" in report["reason_zh"] and "被改动的是链表" in report["reason_zh"]
    assert (report["what_to_do"], report["what_to_do_zh"]) == LINKS_ADVICE
    assert "backup taken before" not in report["what_to_do"] and "rm_audit_chain" in report["what_to_do"]
    assert report["events_checked"] == len(dba.positions())


def test_an_emptied_chain_table_is_said_both_ways_until_a_signed_digest_tells(chain: AuditChain, dba: Dba,
                                                                              tmp_path: Path, monkeypatch,
                                                                              capsys) -> None:
    """Every link gone: without a digest, the table was emptied or every event slipped in, and a signed digest
    tells which (not a backup taken before position 1); with the digest saved before, the events hash to it, so
    it is the links that are missing. The command line says so, in both languages."""
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    saved = Notary(chain, signer).digest()
    (tmp_path / "digest.json").write_text(json.dumps(saved))
    first = dba.positions()[0]
    dba.execute(f"DELETE FROM {CHAIN_TABLE}")
    report = chain.verify(logged=False)
    assert (report["failure"], report["first_bad_position"]) == ("unexpected", first), report
    assert "the chain table holds no link at all" in report["reason"] and "emptied" in report["reason"]
    assert (report["what_to_do"], report["what_to_do_zh"]) == UNLINKED_ADVICE
    assert report["events_checked"] == 0 and report["chain_head"]["position"] == 0

    proven = chain.verify(saved, logged=False)
    assert (proven["failure"], proven["first_bad_position"]) == ("link_missing", first), proven
    assert "hash to the digest saved there" in proven["reason"], proven["reason"]
    # The digest, saved after every link, shows the events as recorded: nothing is left unchecked.
    assert proven["what_to_do"] == tampering.links_advice(saved["position"], saved["position"])[0] != LINKS_ADVICE[0]
    assert f"every event up to position {saved['position']} still hashes" in proven["what_to_do"], proven

    monkeypatch.setenv("LEDGER_DATABASE_URL", chain.url)
    for lang, words in (("en", ("CHAIN LINKS MISSING", "rm_audit_chain")), ("zh", ("缺少链的链接", "被改动的是链表"))):
        monkeypatch.setenv("LEDGER_LANG", lang)
        capsys.readouterr()
        assert main(["verify", "--digest", str(tmp_path / "digest.json")]) == 1
        err = capsys.readouterr().err
        assert all(w in err for w in words) and "backup taken before" not in err and "之前的备份" not in err, err
    capsys.readouterr()
    assert main(["verify"]) == 1
    err = capsys.readouterr().err
    assert "链表中没有任何链接" in err and "verify --digest" in err and "之前的备份" not in err, err


def test_an_event_slipped_in_is_still_called_inserted(chain: AuditChain, dba: Dba) -> None:
    """An event without a link that the next stored link chains past was inserted: said so, as before."""
    dba.forge_copy(of=dba.positions()[3], at=0)
    report = chain.verify(logged=False)
    assert (report["failure"], report["first_bad_position"]) == ("unexpected", 0), report
    assert "it was inserted or renumbered afterwards" in report["reason"], report["reason"]


def test_the_pages_saved_digest_check_says_a_digest_still_matches_events_whose_links_were_deleted(chain: AuditChain,
                                                                                                 dba: Dba) -> None:
    """The events hash to the digest saved before the links were deleted: the page says they match it, not that an
    event before it fails the chain, and that the chain's links are missing (link_missing), not that all is well."""
    import api.app  # noqa: F401 - the routes first: api.web and api.routes import each other
    from api.web.audit_digest import check_saved_digests, read_saved_digests

    saved = chain.digest()
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (dba.positions()[4],))
    verdict = check_saved_digests(chain, read_saved_digests([("d.json", json.dumps(saved).encode())]))
    assert (verdict["verdict"], verdict["key"]) == ("link_missing", "saved_links_missing"), verdict
    assert verdict["values"]["position"] == saved["position"], verdict


def _middle(dba: Dba, count: int = 2) -> tuple[int, int]:
    """The chain rows of `count` events in the middle of the log deleted, the events left as they are."""
    positions = dba.positions()
    gone = positions[len(positions) // 2:len(positions) // 2 + count]
    for position in gone:
        dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (position,))
    return gone[0], gone[-1]


def test_verify_digest_says_the_digest_matches_where_links_in_the_middle_were_deleted(
        chain: AuditChain, dba: Dba, tmp_path: Path, monkeypatch, capsys) -> None:
    """An audit probe: with links deleted in the middle of the chain, `verify --digest` said the chain's records were
    missing but not that the signed digest matched (it did for the tail, where the digest, not the next stored link,
    showed the events as recorded). It says both now, with where, in both languages and in --json."""
    signer, _ = Signer.load_or_create(tmp_path / "signing-key.pem")
    saved = Notary(chain, signer).digest()
    (tmp_path / "digest.json").write_text(json.dumps(saved))
    first, last = _middle(dba)
    at = saved["position"]
    monkeypatch.setenv("LEDGER_DATABASE_URL", chain.url)
    said = {}
    for lang in ("en", "zh"):
        monkeypatch.setenv("LEDGER_LANG", lang)
        capsys.readouterr()
        assert main(["verify", "--digest", str(tmp_path / "digest.json")]) == 1
        said[lang] = capsys.readouterr().err
    en, zh = said["en"], said["zh"]
    assert f"(position {at}) matches the events" in en and f"are missing, at positions {first} to {last}" in en, en
    assert "CHAIN LINKS MISSING" in en and f"every event up to position {at} still hashes to it" in en, en
    assert "rm_audit_chain" in en and "unchecked" not in en and "backup taken before" not in en, en
    assert f"（位置 {at}）与事件相符" in zh and f"缺失的只是位置 {first} 至 {last} 的事件链自身记录（链接）" in zh, zh
    assert "缺少链的链接" in zh and "未经核验" not in zh and "之前的备份" not in zh, zh

    monkeypatch.setenv("LEDGER_LANG", "en")
    capsys.readouterr()
    assert main(["verify", "--digest", str(tmp_path / "digest.json"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["failure"], report["first_bad_position"]) == (False, "link_missing", first), report
    assert report["links_missing"] == [{"first": first, "last": last}], report
    assert report["saved_digest_matched"] == at and report["events_checked"] == len(dba.positions()), report
    assert report["reason"].startswith(f"the events match the saved digest (every event up to position {at}"), report
    assert (report["what_to_do"], report["what_to_do_zh"]) == tampering.links_advice(at, last), report


def test_without_a_digest_the_links_missing_say_no_digest_matched(chain: AuditChain, dba: Dba) -> None:
    """No saved digest: nothing is said to match one, and the events stay to be shown genuine (LINKS_ADVICE)."""
    first, last = _middle(dba, count=1)
    report = chain.verify(logged=False)
    assert (report["failure"], report["links_missing"], report["saved_digest_matched"]) == (
        "link_missing", [{"first": first, "last": last}], None), report
    assert "saved digest" not in report["reason"] and report["what_to_do"] == LINKS_ADVICE[0], report


def test_a_command_on_a_record_whose_link_was_deleted_is_refused_with_the_links_advice(
        world: World, database_url: str, dba: Dba) -> None:
    """A payout on a claim one of whose links was deleted (its events untouched) is refused `tampering` as before,
    but said as the chain's records missing, to be put back: not "changed", nor a backup of the events to restore
    (an audit probe)."""
    target = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    world.org()  # recorded after it: the claim's events lie in the middle of the log
    position = dba.aggregate_positions(target)[-1]
    assert position < dba.positions()[-1]  # in the middle: the next stored link tells
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (position,))
    fresh = AwardLedger(store_env(database_url))  # a process that never saved these records: read from the store
    try:
        with pytest.raises(Tampered) as refused:
            fresh.record_payout(FINANCE, claim_id=target, amount="1000", paid_on=date(2023, 9, 1), bank_ref="B-LNK")
        en, zh = refused.value.detail, refused.value.zh
        assert f"no link is stored for position {position}" in en and "rm_audit_chain" in en, en
        assert "backup taken before" not in en and "were changed after they were recorded" not in en, en
        assert f"位置 {position}" in zh and "被改动的是链表" in zh and "之前的备份" not in zh, zh
        assert refused.value.context["position"] == position
    finally:
        fresh.close()



def test_a_command_on_a_record_whose_links_at_the_tail_were_deleted_says_a_digest_tells(world: World,
                                                                                        database_url: str,
                                                                                        dba: Dba) -> None:
    """The links of the log's last events deleted, a claim's among them: nothing after them tells whether they were
    slipped in or their links deleted, so both are said, and that a signed digest tells which; not a backup taken
    before them (an audit probe)."""
    target = world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]
    position = dba.aggregate_positions(target)[-1]
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position >= %s", (position,))
    fresh = AwardLedger(store_env(database_url))
    try:
        with pytest.raises(Tampered) as refused:
            fresh.record_payout(FINANCE, claim_id=target, amount="1000", paid_on=date(2023, 9, 1), bank_ref="B-TAIL")
        en, zh = refused.value.detail, refused.value.zh
        assert "inserted afterwards, or their links were deleted" in en and "verify --digest" in en, en
        assert "backup taken before" not in en and "之前的备份" not in zh and "链表中删除" in zh, zh
    finally:
        fresh.close()

def test_a_digest_refused_over_a_link_deleted_under_the_head_says_to_put_the_link_back(chain: AuditChain, dba: Dba,
                                                                                        tmp_path: Path) -> None:
    """The link just under the head deleted: the head no longer follows the link stored before it, and the digest
    is refused, said as the chain's record missing with the links' advice, not a backup taken before the head."""
    under = dba.positions()[-2]
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (under,))
    with pytest.raises(Tampered) as refused:
        Notary(AuditChain(chain.url), Signer.load_or_create(tmp_path / "key.pem")[0]).digest()
    en, zh = refused.value.detail, refused.value.zh
    assert en.startswith("no digest is signed: the chain's own records are missing: no link is stored for position"
                         f" {under}"), en
    assert "rm_audit_chain" in en and "backup taken before" not in en, en
    assert zh.startswith("不签发摘要：事件链自身的记录缺失") and "之前的备份" not in zh, zh
