"""The audit page's verdicts say what happened and what to do, over plain HTTP on both stores: a store behind a
digest or receipt the ledger signed (an older backup restored) is told to restore the newer backup, not "a backup
taken before" the store's head, nor that the digest may be another ledger's; a receipt the page checks is told
apart from the ledger it is checked against, each with a next step."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.audit.chain import CHAIN_TABLE
from tests.audit.conftest import Dba
from tests.browser.conftest import api, page_client, signed_in
from tests.browser.test_audit_pages_fixes_http import PEOPLE, _checked, _receipt, _saved
from tests.support import unique_uscc


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        api(c, "POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "杭州滨江核验科技有限公司",
                                              "in_district": True})
        yield c


def _older_backup_restored(database_url: str, keep: int) -> None:
    dba = Dba(database_url)
    for position in [p for p in dba.positions() if p > keep]:
        dba.delete(position)
    dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position > %s", (keep,))


def test_a_store_behind_a_signed_digest_or_receipt_is_told_to_restore_the_newer_backup(client, database_url):
    """An audit probe restored an old backup over a newer ledger, then uploaded the newer signed digest and a receipt
    issued at the newer head: both checks said to restore a backup taken before the store's own head (the store in
    place), and the saved-digest panel "or the digest is from another ledger", with no next step."""
    csrf = signed_in(client, "auditor")
    older = client.get("/ui/audit/digest.json").json()
    receipt = _receipt(client)
    newer = client.get("/ui/audit/digest.json").json()
    assert newer["position"] > older["position"]
    _older_backup_restored(database_url, older["position"])
    head = older["position"]
    for upload in (newer, receipt):
        said = _checked(client, csrf, upload)
        assert f"恢复含有位置 {upload['head']['position'] if 'head' in upload else newer['position']} 的最新备份" \
            in said, said
        assert "较早的备份被恢复" in said and "另一台账" not in said and f"位置 {head + 1} 之前的备份" not in said, said
        english = _checked(client, csrf, upload, lang="en")
        assert "an older backup was restored" in english and "another ledger" not in english, english
        assert "backup taken before" not in english, english
    panel = _saved(client, csrf, [older, newer], name="both.json")
    verdict = re.search(r'data-testid="saved-verdict".*?</div>', panel, re.S).group(0)
    assert f"恢复含有位置 {newer['position']} 的最新备份" in verdict and "另一台账" not in verdict, verdict
    assert f"位置 {older['position']} 的摘要仍然一致" in verdict, verdict  # the one that matched narrows it
    english = _saved(client, csrf, newer, lang="en")
    assert "restore the newest backup that holds position" in english and "another ledger" not in english
    # unsigned, it may still be another ledger's: said, with the signed file's check first
    bare = {k: newer[k] for k in ("position", "digest", "algorithm")}
    unsigned = re.search(r'data-testid="saved-verdict".*?</div>', _saved(client, csrf, bare), re.S).group(0)
    assert "另一台账" in unsigned and "先用 `award-ledger verify --digest 文件`" in unsigned, unsigned


def test_a_receipt_check_says_which_side_is_at_fault_and_what_to_do(client, database_url):
    """An audit probe: a tampered receipt got "核验失败：回执：…" and nothing more, where `verify-receipt` says what to
    do next; and a genuine receipt, checked against a store changed after it was issued, read 核验失败 too, which an
    enterprise reads as "my receipt failed". A receipt at fault is told not to be relied on and how to get a new one;
    a sound receipt the ledger no longer bears out is said so, the ledger at fault, with what to do about it."""
    csrf = signed_in(client, "auditor")
    receipt = _receipt(client)
    altered = receipt | {"status": "approved" if receipt.get("status") != "approved" else "rejected"}
    said = _checked(client, csrf, altered)
    assert said.startswith("核验失败：回执：") and "请勿以这份回执为据" in said and "重新获取回执" in said, said
    english = _checked(client, csrf, altered, lang="en")
    assert "Do not rely on this receipt" in english and "Get a new receipt" in english, english

    dba = Dba(database_url)
    later = _receipt(client)  # a later claim's events, changed behind the ledger's back after the receipt
    digest = client.get("/ui/audit/digest.json").json()
    dba.flip_byte(dba.aggregate_positions(later["claim_id"])[-1])
    said = _checked(client, csrf, receipt)
    assert said.startswith("回执本身有效（签名和内容均核验通过），台账截至其链头仍与之相符；但台账在此之后被改动"), said
    assert "核验失败" not in said and "请保持存储原样" in said and "请保留这份回执" in said, said
    assert "请勿以这份回执为据" not in said, said
    english = _checked(client, csrf, receipt, lang="en")
    assert english.startswith("The receipt itself is sound"), english
    assert "Keep the store as it is" in english and "INVALID" not in english, english
    # the change before the receipt's own events: the ledger no longer agrees with it at all
    dba.flip_byte(dba.aggregate_positions(receipt["claim_id"])[0])
    said = _checked(client, csrf, receipt)
    assert said.startswith("台账已与这份回执不符：回执本身有效") and "请保留这份回执" in said, said
    assert "This ledger no longer agrees with this receipt" in _checked(client, csrf, receipt, lang="en")
    said = _checked(client, csrf, digest)
    assert said.startswith("台账已与这份摘要不符：摘要本身有效") and "请保留" not in said, said


def test_a_receipt_signed_over_a_changed_recovery_is_said_to_come_from_a_changed_store(client, database_url):
    """A regression probe: a repayment changed to 950,000 on a recovery of 100,000 and the chain linked over it got
    a receipt the page called valid (核验通过 … 尚欠 -850,000.00 元). Such a receipt, signed with the ledger's key,
    is refused naming what breaks, and told, as `verify-receipt` tells it, that the ledger's store was changed
    before it was issued (not to fetch a new one, which the ledger now refuses)."""
    from uuid import UUID

    from ledger.audit import receipts
    from ledger.audit.chain import AuditChain
    from ledger.audit.notary import Notary
    from tests.audit.test_tampered_store_refused import _revoked_and_repaid
    from tests.store.conftest import World

    world = World(client.app.state.ledger)
    world.appropriate(2023)
    ids = _revoked_and_repaid(world)
    dba = Dba(database_url)
    dba.change_amount(ids["recovery"], "Recovery.Repaid", "950000.00")
    dba.rewrite_chain()
    refused = client.get(f"/v1/claims/{ids['claim']}/receipt",
                         headers={"Authorization": f"Bearer {client.tokens['auditor']}"})
    assert refused.status_code == 409 and refused.json()["code"] == "tampering", refused.text
    assert "-850,000.00 still owed" in refused.json()["detail"], refused.text
    notary = Notary(AuditChain.open(database_url), client.app.state.notary.current_signer())
    claim = client.app.state.ledger.claim(ids["claim"], with_history=False)
    rows = notary.chain.aggregate_events([UUID(ids["claim"]), UUID(ids["payout"]), UUID(ids["recovery"])])
    signed = receipts.build(notary, claim, rows)
    csrf = signed_in(client, "auditor")
    said = _checked(client, csrf, signed)
    assert said.startswith("核验失败：摘要：") and "使尚欠金额为 -850,000.00 元，低于零" in said, said
    assert "台账的存储在出具前已被改动" in said and "重新获取回执" not in said, said
    assert "核验通过：签名有效" not in said, said
    english = html.unescape(_checked(client, csrf, signed, lang="en"))
    assert "leaves -850,000.00 still owed, below zero" in english, english
    assert "the ledger's store was changed before it was issued" in english and "Get a new receipt" not in english
