"""The audit page's verdicts say what happened and what to do, over plain HTTP on both stores: a store behind a
digest or receipt the ledger signed (an older backup restored) is told to restore the newer backup, not "a backup
taken before" the store's head, nor that the digest may be another ledger's; a receipt the page checks is told
apart from the ledger it is checked against, each with a next step."""
from __future__ import annotations

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
