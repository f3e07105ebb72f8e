"""Links deleted from the chain table, the events untouched, are said alike everywhere on the audit page, over plain
HTTP on both stores: an audit probe deleted link rows in the middle of the chain, and the saved-digest check said the
events matched the digest while the receipt check, with the same signed head, said the ledger no longer agreed with
it and the events were unchecked. Each now says the events still hash to the signed head or digest, that only the
chain's own records are missing (verdict link_missing), where, and what to do: put those rows back, not restore the
events from a backup. A receipt is not issued over the missing links, and is refused with that advice too."""
from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ledger.audit.chain import CHAIN_TABLE
from tests.audit.conftest import Dba
from tests.browser.conftest import api, page_client, signed_in
from tests.browser.test_audit_pages_fixes_http import PEOPLE, _checked, _receipt, _saved


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _links_deleted_in_the_middle(database_url: str, claim_id: str) -> tuple[int, int]:
    """The chain rows of the two events after the claim's first deleted, the events left as they are: (first, last)."""
    dba = Dba(database_url)
    first = dba.aggregate_positions(claim_id)[0]
    gone = [p for p in dba.positions() if p > first][:2]
    for position in gone:
        dba.execute(f"DELETE FROM {CHAIN_TABLE} WHERE position = %s", (position,))
    return gone[0], gone[-1]


def _verdict(page: str) -> str:
    return " ".join(re.search(r'data-testid="saved-verdict".*?</div>', page, re.S).group(0).split())


def test_the_receipt_check_and_the_saved_digest_check_say_alike_that_only_links_are_missing(client, database_url):
    """The same signed head, as a receipt's head and as a saved digest: both say the events still hash to it and the
    chain's links are missing at those positions, with the links' advice; neither says the ledger no longer agrees,
    that the events are unchecked, or to restore a backup taken before a position."""
    csrf = signed_in(client, "auditor")
    older = _receipt(client)
    receipt = _receipt(client)
    head = receipt["head"]
    first, last = _links_deleted_in_the_middle(database_url, older["claim_id"])
    assert first < last < head["position"]

    said = _checked(client, csrf, receipt)
    assert said.startswith("回执本身有效（签名和内容均核验通过），且就事件而言与本台账相符"), said
    assert f"位置 {first} 至 {last}" in said and "rm_audit_chain" in said and "请保留这份回执" in said, said
    assert f"截至位置 {head['position']} 的每个事件仍与" in said, said
    assert "台账已与这份回执不符" not in said and "未经核验" not in said and "之前的备份" not in said, said
    english = _checked(client, csrf, receipt, lang="en")
    assert english.startswith("The receipt itself is sound (its signatures and content check), and it matches this"
                              " ledger as far as the events go"), english
    assert f"positions {first} to {last}" in english and "Keep this receipt" in english, english
    assert "no longer agrees" not in english and "unchecked" not in english, english
    assert "backup taken before" not in english, english

    digest = client.get("/ui/audit/digest.json").json()  # the signed digest of the page, at a later head
    said = _checked(client, csrf, digest)
    assert said.startswith("摘要本身有效（签名核验通过），且就事件而言与本台账相符"), said
    assert f"位置 {first} 至 {last}" in said and "台账已与这份摘要不符" not in said and "未经核验" not in said, said

    panel = _verdict(_saved(client, csrf, digest))
    assert 'data-verdict="link_missing"' in panel, panel
    assert f"截至位置 {digest['position']} 的事件仍与保存的摘要相符" in panel, panel
    assert f"位置 {first} 至 {last} 的事件链自身记录（链接）缺失" in panel and "rm_audit_chain" in panel, panel
    assert "一致：台账仍延续保存的摘要" not in panel and "之前的备份" not in panel, panel
    english = _verdict(_saved(client, csrf, digest, lang="en"))
    assert "The events match; the chain&#39;s records are missing" in english, english
    assert f"missing at positions {first} to {last}" in english and "backup taken before" not in english, english

    # The chain's own verdict, with no digest, names the links missing too, not the chain altered.
    deadline = time.monotonic() + 30
    while 'data-state="done"' not in (page := client.get("/ui/audit?lang=zh").text):
        assert time.monotonic() < deadline, page
        time.sleep(0.2)
    verified = " ".join(re.search(r'data-testid="verified".*?</p>', page, re.S).group(0).split())
    assert "事件链自身的记录（链接）缺失" in verified and "事件链被改动" not in verified, verified


def test_a_receipt_over_the_missing_links_is_refused_with_the_links_advice(client, database_url):
    """A claim whose events lie before the deleted links gets no receipt (its proofs would rest on them), and the
    refusal says the chain's records are missing, to put them back: not to restore a backup taken before them."""
    older = _receipt(client)
    _receipt(client)
    first, last = _links_deleted_in_the_middle(database_url, older["claim_id"])
    for lang, words in (("en", ("no link is stored for positions", "rm_audit_chain", "not the events")),
                        ("zh", (f"位置 {first} 至 {last}", "rm_audit_chain", "被改动的是链表"))):
        answer = client.get(f"/v1/claims/{older['claim_id']}/receipt",
                            headers={"Authorization": f"Bearer {client.tokens['auditor']}", "Accept-Language": lang})
        assert answer.status_code == 409 and answer.json()["code"] == "tampering", answer.text
        detail = answer.json()["detail"]
        assert all(w in detail for w in words), detail
        assert "backup taken before" not in detail and "之前的备份" not in detail, detail
        assert answer.json()["position"] == first, answer.json()
    assert api(client, "GET", "/v1/audit/digest", as_="auditor")["position"] > last  # the head is not in question
