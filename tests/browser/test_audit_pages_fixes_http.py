"""The audit page's two checks over plain HTTP, on both stores: a saved digest changed in its file is blamed on
the file, not the ledger (its signature is checked first), an unsigned one says either side may have changed,
a receipt sent to the saved-digest form is named as one; and every failure of the digest-or-receipt check is
worded in the page's language."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "auditor": {"role": "auditor"}, "admin": {"role": "admin"},
          "finance": {"role": "finance"}}
SIGNED = ("signature", "key_id", "public_key", "signature_algorithm")


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        api(c, "POST", "/v1/organisations", {"uscc": unique_uscc(), "name": "杭州滨江核验科技有限公司",
                                              "in_district": True})
        yield c


def _saved(client: TestClient, csrf: str, body: object, name: str = "digest.json", lang: str = "zh") -> str:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = client.post(f"/ui/audit/digest?lang={lang}", data={"csrf": csrf},
                         files={"files": (name, raw, "application/json")})
    return answer.text


def _checked(client: TestClient, csrf: str, body: object, lang: str = "zh") -> str:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = client.post(f"/ui/audit/check?lang={lang}", data={"csrf": csrf},
                         files={"file": ("upload.json", raw, "application/json")})
    found = re.search(r'data-testid="check-result">(.*?)</p>', answer.text, re.S)
    assert found, answer.text
    return " ".join(found.group(1).split())


def _proposal(client: TestClient) -> str:
    """A municipal ERC's award proposed (免申即享) to its lead: the proposal's id."""
    uscc, body = unique_uscc(), unique_id("ERC-")
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": "杭州滨江提议科技有限公司", "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                  "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A3.erc", "tier": "municipal",
                                               "effective_on": "2023-03-01", "document_ref": "D1", "body_id": body},
        as_="kjj")
    return api(client, "GET", f"/v1/claims?status=proposed&uscc={uscc}", as_="kjj")["claims"][0]["id"]


def _receipt(client: TestClient) -> dict:
    uscc = unique_uscc()
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": "杭州滨江回执科技有限公司", "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("C-"), "name": "联合体", "kind": "consortium",
                                                   "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    claim = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                                "effective_on": "2023-06-01", "basis_amount": "100000.00"}, as_="kjj")
    return api(client, "GET", f"/v1/claims/{claim['id']}/receipt", as_="auditor")


def test_a_signed_digest_changed_in_its_file_is_blamed_on_the_file(client):
    """The downloaded digest (signed) with its digest set to zeros: the file was altered, the ledger is not
    said to differ."""
    csrf = signed_in(client, "auditor")
    digest = client.get("/ui/audit/digest.json").json()
    assert all(k in digest for k in SIGNED)
    page = _saved(client, csrf, digest | {"digest": "0" * 64})
    assert 'data-verdict="altered"' in page
    assert "文件“digest.json”在保存之后被改动过（或不是本台账签发的）" in page
    assert "签名与内容不符" in page
    assert "不一致" not in page and "改动在位置" not in page
    english = _saved(client, csrf, digest | {"digest": "0" * 64}, lang="en")
    assert "was altered after it was saved (or was not signed by this ledger)" in english
    assert "Differs:" not in english
    assert 'data-verdict="extends"' in _saved(client, csrf, digest)  # as saved, it still holds


def test_an_unsigned_digest_that_differs_says_either_side_may_have_changed(client):
    """The same digest with its signature taken off is checked against the chain, as before, saying it carries
    no signature."""
    csrf = signed_in(client, "auditor")
    digest = {k: v for k, v in client.get("/ui/audit/digest.json").json().items() if k not in SIGNED}
    page = _saved(client, csrf, digest | {"digest": "0" * 64}, name="plain.json")
    assert 'data-verdict="differs"' in page and "不一致" in page
    assert "文件“plain.json”没有签名：无法判断改动的是台账还是该文件" in page
    assert 'data-verdict="extends"' in _saved(client, csrf, digest)
    assert "没有签名" not in _saved(client, csrf, digest)


def test_a_receipt_sent_to_the_saved_digest_form_is_named_as_one(client):
    """A receipt is no saved digest: the form says so and points to the other check, never "position None"."""
    csrf = signed_in(client, "auditor")
    page = _saved(client, csrf, _receipt(client), name="receipt.json")
    refused = re.search(r'data-testid="saved-refused">(.*?)</p>', page, re.S).group(1)
    assert "文件“receipt.json”是申请回执，不是摘要" in refused and "核验摘要或回执" in refused
    assert "None" not in refused
    english = _saved(client, csrf, _receipt(client), name="receipt.json", lang="en")
    assert "is a claim&#39;s receipt, not a digest" in english or "is a claim's receipt, not a digest" in english


def test_the_digest_or_receipt_check_fails_in_the_pages_language(client):
    """A changed signed digest, a tampered receipt, a file that is no JSON and a key the ledger never used: each
    failure in Chinese on the Chinese page, in English on the English one."""
    csrf = signed_in(client, "auditor")
    digest = client.get("/ui/audit/digest.json").json()
    changed = digest | {"digest": "0" * 64}
    assert _checked(client, csrf, changed) == "核验失败：签名：签名与内容不符：签名之后其中有内容被改动过"
    assert _checked(client, csrf, changed, lang="en").startswith(
        "INVALID: signature: the signature does not match the content")

    receipt = _receipt(client)
    receipt["status"] = "approved" if receipt.get("status") != "approved" else "rejected"
    said = _checked(client, csrf, receipt)
    assert said.startswith("核验失败：回执：回执本身的签名未通过核验：签名与内容不符"), said
    assert "signature" not in said and "receipt:" not in said
    assert "the receipt&#39;s own signature does not verify" in _checked(client, csrf, receipt, lang="en")

    assert _checked(client, csrf, b"not json") == "核验失败：文件：不是 JSON 格式的摘要或回执"
    assert _checked(client, csrf, b"not json", lang="en") == "INVALID: file: not a JSON digest or receipt"

    stranger = digest | {"key_id": "0123456789abcdef"}
    assert _checked(client, csrf, stranger) == ("核验失败：签名：它由密钥 &#39;0123456789abcdef&#39; 签名，"
                                                "而本台账从未使用过该密钥：它属于另一本台账，或被他人重新签名")
    assert "which this ledger never used" in _checked(client, csrf, stranger, lang="en")
    assert _checked(client, csrf, digest) == "核验通过：签名有效，内容与本账本一致。"

    # JSON that is neither is said so, not judged by a key it does not carry ("signed by key None": a pages probe);
    # a digest stripped of its key_id is named unsigned.
    for lang, said in (("zh", "既不是摘要"), ("en", "not a digest")):
        neither = _checked(client, csrf, {"x": 1}, lang=lang)
        assert said in neither and "None" not in neither, neither
    unsigned = _checked(client, csrf, {k: v for k, v in digest.items() if k != "key_id"})
    assert "没有 key_id" in unsigned and "None" not in unsigned, unsigned
    # Its signature taken out: never signed, not "changed after signing" (a regression probe).
    stripped = _checked(client, csrf, {k: v for k, v in digest.items() if k != "signature"})
    assert "没有签名" in stripped and "改动" not in stripped, stripped


def test_a_claim_page_whose_events_no_longer_fold_says_where_the_chain_breaks(client, database_url):
    """The claim page of a claim with an event whose type was changed behind the ledger's back is a 409 page naming the
    position and what to do, in the page's language (it was a 500)."""
    from tests.audit.conftest import Dba

    claim_id = _receipt(client)["claim_id"]
    dba = Dba(database_url)
    first = dba.aggregate_positions(claim_id)[0]
    dba.change_topic(first)
    signed_in(client, "auditor")
    page = client.get(f"/ui/claims/{claim_id}?lang=zh")
    assert page.status_code == 409, page.text
    assert f"事件链在位置 {first} 断开" in page.text and "award-ledger verify" in page.text  # and what to do
    english = client.get(f"/ui/claims/{claim_id}?lang=en")
    assert english.status_code == 409 and f"the chain breaks at position {first}" in english.text


def test_the_audit_page_says_why_the_chain_check_failed_in_its_language(client, database_url):
    """A pages probe: with a changed event the Chinese audit page's verdict and position were right, but its 说明 line,
    which says what was changed, was the English reason. It is in the page's language now, as the API's is."""
    import time

    from tests.audit.conftest import Dba

    claim_id = _receipt(client)["claim_id"]
    dba = Dba(database_url)
    dba.flip_byte(dba.aggregate_positions(claim_id)[-1])
    signed_in(client, "auditor")
    said = {}
    for lang in ("zh", "en"):
        deadline = time.monotonic() + 30
        while 'data-state="done"' not in (page := client.get(f"/ui/audit?lang={lang}").text):
            assert time.monotonic() < deadline, page
            time.sleep(0.2)
        found = re.search(r'data-testid="verified-reason">(.*?)</dd>', page, re.S)
        assert found, page
        said[lang] = found.group(1)
    assert re.search(r"[\u4e00-\u9fff]", said["zh"]) and not re.search(r"\b(the|event|chain)\b", said["zh"]), said
    assert "no longer hashes" in said["en"] or "chain" in said["en"], said
    # and what to do, as the command line says it (the page gave the reason alone: an audit probe)
    todo = re.search(r'data-testid="verified-what-to-do">(.*?)</dd>', client.get("/ui/audit?lang=zh").text, re.S)
    assert todo and "请保持存储原样" in todo.group(1) and "之前的备份恢复事件" in todo.group(1), todo


def test_a_receipt_taken_before_a_correction_is_not_said_to_agree_with_the_ledger_now(client):
    """A trust probe: a receipt taken before its claim's revocation was "valid: ... agrees with this ledger", though
    the ledger then held the revocation. Valid still (the signature and the events hold), the page now says when it
    was issued, the events recorded on the claim since, and what the claim stands as now; a current receipt gets no
    such line."""
    before = _receipt(client)
    claim_id = before["claim_id"]
    api(client, "POST", f"/v1/claims/{claim_id}/withdraw", {"reason": "企业申请撤回"}, as_="kjj")
    csrf = signed_in(client, "auditor")
    said = _checked(client, csrf, before)
    assert said.startswith("核验通过") and "但这份回执出具于" in said and "（北京时间）" in said, said
    assert "此后本申请又记录了 1 个事件（撤回申请），现为已撤回" in said, said
    english = _checked(client, csrf, before, lang="en")
    assert "since then 1 more event(s) were recorded on this claim" in english and "withdrawn" in english, english
    # a proposal declined since is said declined, as its page says it (a regression probe read 撤回申请, 已撤回)
    proposal = _proposal(client)
    taken = api(client, "GET", f"/v1/claims/{proposal}/receipt", as_="auditor")
    api(client, "POST", f"/v1/claims/{proposal}/withdraw", {"reason": "不符合条件"}, as_="kjj")
    said = _checked(client, csrf, taken)
    assert "不予确认待确认奖补" in said and "现为不予确认" in said and "已撤回" not in said, said
    current = api(client, "GET", f"/v1/claims/{claim_id}/receipt", as_="auditor")
    assert "但这份回执出具于" not in _checked(client, csrf, current)


def test_a_receipt_naming_a_key_twice_is_refused_on_the_page(client):
    """A trust probe: a receipt with forged values written before the genuine ones under the same keys passed the
    page's check (it read the last copy). The page refuses it, naming the key, in the page's language."""
    receipt = _receipt(client)
    text = json.dumps(receipt, ensure_ascii=False)
    forged = text.replace('"status": ', '"status": "approved", "status": ', 1).encode()
    csrf = signed_in(client, "auditor")
    said = _checked(client, csrf, forged)
    said = said.replace("&#39;", "'")
    assert said.startswith("核验失败") and "两次出现键 'status'" in said, said
    assert "twice" in _checked(client, csrf, forged, lang="en")


def test_the_events_since_an_older_receipt_include_its_recovery(client):
    """A regression probe: a receipt taken after a payout, then the claim revoked (a recovery opened) and a repayment
    recorded: the page listed only the revocation, the recovery's events hidden behind the payout's versions. Each
    record's events are compared with that record's own on the receipt."""
    api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财〔2023〕1号"},
        as_="finance")
    claim_id = _receipt(client)["claim_id"]
    api(client, "POST", f"/v1/claims/{claim_id}/approve", {}, as_="kjj")
    api(client, "POST", "/v1/payouts", {"claim_id": claim_id, "amount": "30000.00", "paid_on": "2023-07-01",
                                        "bank_ref": unique_id("ICBC-")}, as_="finance")
    before = api(client, "GET", f"/v1/claims/{claim_id}/receipt", as_="auditor")
    revoked = api(client, "POST", f"/v1/claims/{claim_id}/revoke", {"reason": "虚报", "document_ref": "撤〔2024〕1号"},
                  as_="kjj")
    api(client, "POST", f"/v1/recoveries/{revoked['recovery_id']}/repayments",
        {"amount": "10000.00", "received_on": "2024-01-05", "bank_ref": unique_id("REP-")}, as_="finance")
    csrf = signed_in(client, "auditor")
    said = _checked(client, csrf, before, lang="en")
    assert "since then 3 more event(s)" in said, said
    assert "Recovery opened" in said or "recovery" in said.lower(), said
    # A receipt taken after all that shows it all: no later event, the revocation included (a pages probe: every
    # receipt of a revoked award was told its own revocation came after it, the claim's `Revoked` event compared
    # with the recovery's versions, as it names the recovery).
    current = api(client, "GET", f"/v1/claims/{claim_id}/receipt", as_="auditor")
    assert "since then" not in _checked(client, csrf, current, lang="en")


def test_a_receipt_the_rewritten_ledger_contradicts_is_not_said_to_agree(client, database_url):
    """An audit probe rewrote an approval and the chain after it: a receipt from before was "核验通过 … 与本账本一致",
    while the same page's digest at the receipt's position differed. The receipt's signed head is a digest kept
    outside the ledger, and is now checked against the chain as an uploaded digest is."""
    from tests.audit.conftest import Dba

    api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财-1"},
        as_="finance")
    claim_id = _receipt(client)["claim_id"]
    api(client, "POST", f"/v1/claims/{claim_id}/approve", {}, as_="kjj")
    before = api(client, "GET", f"/v1/claims/{claim_id}/receipt", as_="auditor")
    csrf = signed_in(client, "auditor")
    assert _checked(client, csrf, before).startswith("核验通过")
    dba = Dba(database_url)
    position, _ = dba.raise_an_approved_amount()
    dba.rewrite_chain()  # the events as they are now, chained again: only a digest kept outside tells
    said = _checked(client, csrf, before)
    # the receipt sound, the ledger no longer bearing it out: said as the ledger's fault, not the receipt's (an audit
    # probe's enterprise read 核验失败 as "my receipt failed")
    assert said.startswith("台账已与这份回执不符") and "与本账本一致" not in said, said
    assert "不再相符" in said and "链表被改写" in said, said  # what the digest check says of such a ledger
    assert position <= before["head"]["position"]
    english = _checked(client, csrf, before, lang="en")
    assert "agrees with this ledger" not in english, english


def test_half_a_character_or_a_number_too_long_in_an_upload_is_refused_not_a_500(client):
    """An input probe: a digest or receipt holding "\\ud800" (half a character) answered 500 on both checks (its
    canonical form cannot be written as UTF-8), and a 10,000-digit number was told in Python's English. Each is
    refused on the page, in the page's language, saying what is wrong."""
    csrf = signed_in(client, "auditor")
    digest = client.get("/ui/audit/digest.json").json()
    half = json.dumps(digest).replace('"digest": "', '"digest": "\\ud800', 1).encode()
    said = _checked(client, csrf, half)
    assert said.startswith("核验失败") and "半个字符" in said, said
    assert "half a character" in _checked(client, csrf, half, lang="en")
    page = _saved(client, csrf, half)
    assert "半个字符" in page and "internal_error" not in page, page
    receipt = json.dumps(_receipt(client)).replace('"status": "', '"status": "\\udfff', 1).encode()
    assert "半个字符" in _checked(client, csrf, receipt)
    pair = json.dumps(_receipt(client)).replace('"status": "', '"status": "\\ud83d\\ude00', 1).encode()
    assert "半个字符" not in _checked(client, csrf, pair)  # a whole character escaped as a pair: read, then judged
    raw = json.dumps(digest).replace('"digest": "', '"digest": "X', 1).encode().replace(b"X", b"\xed\xa0\x80", 1)
    said = _checked(client, csrf, raw)  # the same half as its bytes (a 500: a regression probe), and UTF-16
    assert said.startswith("核验失败") and "不是 UTF-8 文本" in said, said
    assert "不是 UTF-8 文本" in _checked(client, csrf, json.dumps(_receipt(client)).encode("utf-16"))
    long = json.dumps(digest).replace('"position": ', '"position": ' + "9" * 10_000 + ", \"x\": ", 1).encode()
    said = _checked(client, csrf, long)
    assert "超过 4,300 位的数字" in said and "set_int_max_str_digits" not in said, said


def test_the_audit_page_compares_the_read_models_when_asked_and_says_it_did_not_otherwise(client, database_url):
    """The page said "verified, chain intact" over a figure forged in the read models, offering no check of them (an
    audit probe hid a 630,000 debt); it says the chain check leaves them out, and compares them on request, as GET
    /v1/audit/verify?read_models=true does."""
    from tests.audit.test_verify_read_models import _raise_a_figure

    api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
        as_="finance")
    claim = _receipt(client)["claim_id"]
    api(client, "POST", f"/v1/claims/{claim}/approve", {}, as_="kjj")
    signed_in(client, "auditor")
    page = client.get("/ui/audit?lang=zh").text
    assert 'data-testid="read-models-not-compared"' in page and "不比对读模型" in page
    assert 'data-testid="unread-params"' not in client.get("/ui/audit?read_models=true").text
    agreed = client.get("/ui/audit?read_models=true&lang=zh")
    assert agreed.status_code == 200 and "比对通过：读模型的每一行、每个数字都与重放事件的结果一致" in agreed.text
    key = _raise_a_figure(database_url)
    differ = client.get("/ui/audit?read_models=true&lang=zh").text
    verdict = re.search(r'data-testid="read-models-verdict">(.*?)</p>', differ, re.S).group(1)
    assert "比对失败" in verdict, verdict
    listed = re.search(r'data-testid="read-models-differences">(.*?)</ul>', differ, re.S).group(1)
    assert f"rm_finance[{key}] 的 approved：表中为" in listed and "900000.00" in listed, listed  # in Chinese
    assert "stored" not in listed and "replayed" not in listed, listed
    reason = re.search(r'data-testid="read-models-reason">(.*?)</p>', differ, re.S).group(1)
    assert "verify --digest" in reason and "rebuild" in reason, reason
    assert "read_models.differences" not in reason and "/v1/" not in reason and "见上方列表" in reason, reason
    english = client.get("/ui/audit?read_models=true&lang=en").text
    assert "DIFFERENT: " in english and "read-model rows or figures differ from a replay of the events" in english
    assert f"rm_finance[{key}].approved: stored" in english
    # A value the page cannot read is said, and nothing compared (it was passed over as "no": a regression probe).
    for query in ("read_models=maybe", "read_models=true&amp;read_models=false".replace("&amp;", "&")):
        unread = client.get(f"/ui/audit?{query}&lang=zh").text
        assert 'data-testid="read-models-unread"' in unread and "无法读取 read_models=" in unread, query
        assert 'data-testid="read-models-verdict"' not in unread, query
    assert 'data-testid="read-models-unread"' not in client.get("/ui/audit?read_models=false&lang=zh").text
