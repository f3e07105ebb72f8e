"""A recovery's page over plain HTTP on both stores: the write-off reversal's confirmation bound to what its preview
showed (a stale one reversed a colleague's newer write-off), and the repayment form marking every field wrong on its
own in one send, as finance's payout form does (a regression probe needed three sends for three faults)."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import funded_page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with funded_page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _recovery(client: TestClient) -> str:
    """A recovery of 100,000.00: an award of 200,000.00 paid 100,000.00 and revoked."""
    award = paid_erc_award(client)
    return _api(client, "POST", f"/v1/claims/{award['claim']}/revoke",
                {"reason": "核查发现申报数据不实", "document_ref": "杭高新科〔2024〕30号"}, as_="kjj")["recovery_id"]


def _position(client: TestClient) -> int:
    return _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]


def _confirm_fields(page: str) -> dict[str, str]:
    """The hidden fields of the write-off reversal's confirmation, as its preview shows it."""
    confirm = page.split('data-testid="unwrite-off-preview"')[1].split("</form>")[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', confirm))


def _recovered(client: TestClient, rid: str) -> dict[str, str]:
    found = _api(client, "GET", f"/v1/recoveries/{rid}", as_="finance")
    return {k: found[k] for k in ("written_off", "outstanding", "status")}


def _preview_reversal(client: TestClient, rid: str, csrf: str) -> dict[str, str]:
    form = {"csrf": csrf, "reason": "法院判决追回", "document_ref": "滨财核〔2025〕8号", "step": "preview"}
    page = client.post(f"/ui/recoveries/{rid}/write-off/reverse?lang=zh", data=form)
    assert page.status_code == 200, page.text[:500]
    return _confirm_fields(page.text)


def _write_off(client: TestClient, rid: str, document_ref: str) -> None:
    _api(client, "POST", f"/v1/recoveries/{rid}/write-off", {"reason": "企业已注销", "document_ref": document_ref},
         as_="finance")


def test_a_write_off_reversal_confirmed_after_a_colleagues_new_write_off_comes_back_previewed_anew(client):
    """The preview showed 100,000.00 owed once reversed; a colleague reversed the write-off, booked 40,000.00 and
    wrote off the 60,000.00 left. The stale confirmation reversed that new write-off without a word: it comes back
    (409) naming both figures and writes nothing; confirmed from the new preview it reverses, once."""
    rid = _recovery(client)
    _write_off(client, rid, "滨财核〔2025〕1号")
    csrf = _sign_in(client, "finance")
    sent = _preview_reversal(client, rid, csrf)
    assert sent["shown"].startswith("100000.00|"), sent
    _api(client, "POST", f"/v1/recoveries/{rid}/write-off/reverse", {"reason": "另案", "document_ref": "滨财核2号"},
         as_="finance")
    _api(client, "POST", f"/v1/recoveries/{rid}/repayments", {"amount": "40000.00", "received_on": "2024-05-10",
                                                              "bank_ref": unique_id("RP-")}, as_="finance")
    _write_off(client, rid, "滨财核〔2025〕3号")
    before, position = _recovered(client, rid), _position(client)
    assert before == {"written_off": "60000.00", "outstanding": "0.00", "status": "closed"}
    for lang, was, now in (("zh", "100,000.00 元", "60,000.00 元"), ("en", "100,000.00 yuan", "60,000.00 yuan")):
        moved = client.post(f"/ui/recoveries/{rid}/write-off/reverse?lang={lang}",
                            data=sent | {"key": unique_id("k")}, follow_redirects=False)
        assert moved.status_code == 409, moved.text[:500]
        said = moved.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
        assert was in said and now in said, said
        assert _recovered(client, rid) == before and _position(client) == position  # nothing written
    again = _confirm_fields(moved.text)
    assert again["shown"].startswith("60000.00|") and again["shown"] != sent["shown"], again
    once = again | {"key": unique_id("k")}
    done = client.post(f"/ui/recoveries/{rid}/write-off/reverse", data=once, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?done=unwrote_off"), done.text[:500]
    assert _recovered(client, rid) == {"written_off": "0.00", "outstanding": "60000.00", "status": "open"}
    twice = client.post(f"/ui/recoveries/{rid}/write-off/reverse", data=once, follow_redirects=False)
    assert twice.status_code == 303 and twice.headers["location"] == done.headers["location"]  # answered as first


def test_a_write_off_reversal_is_bound_to_the_write_off_it_previewed_at_the_same_figure(client):
    """A write-off reversed and made again at the same figure is another write-off (its own reason and document):
    the stale confirmation says so and writes nothing."""
    rid = _recovery(client)
    _write_off(client, rid, "滨财核〔2025〕1号")
    csrf = _sign_in(client, "finance")
    sent = _preview_reversal(client, rid, csrf)
    _api(client, "POST", f"/v1/recoveries/{rid}/write-off/reverse", {"reason": "另案", "document_ref": "滨财核2号"},
         as_="finance")
    _write_off(client, rid, "滨财核〔2025〕3号")
    position = _position(client)
    moved = client.post(f"/ui/recoveries/{rid}/write-off/reverse", data=sent | {"key": unique_id("k")})
    assert moved.status_code == 409, moved.text[:500]
    said = moved.text.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]
    assert "预览时的核销已被冲回" in said, said
    assert _position(client) == position and _recovered(client, rid)["status"] == "closed"


def _marked(form: str) -> dict[str, str]:
    """Each field of the repayment form marked wrong, and what is said beside it."""
    return {name: re.sub(r"<[^>]+>", "", said) for name, said in
            re.findall(r'data-testid="error-(\w+)">(.*?)</p>', form, re.S)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_repayment_form_marks_every_field_wrong_on_its_own_in_one_send(client, lang):
    """A bad amount, a day in the future and a full-width bank reference are all marked in one send; so is an amount
    above what is outstanding beside a future day. Each in the page's language; nothing is written."""
    rid = _recovery(client)
    csrf = _sign_in(client, "finance")
    position = _position(client)
    future = {"zh": "到账日期 2099-01-01 晚于今天", "en": "Received on 2099-01-01 is in the future"}[lang]
    wide = {"zh": "含全角", "en": "full-width"}[lang]
    over = {"zh": "不能超过未追回余额", "en": "cannot exceed what is outstanding"}[lang]
    for typed, wanted in (({"amount": "abc", "bank_ref": "ＩＣＢＣ－１"}, {"amount": "", "received_on": future,
                                                                         "bank_ref": wide}),
                          ({"amount": "100.00", "bank_ref": "ＩＣＢＣ－１"}, {"received_on": future, "bank_ref": wide}),
                          ({"amount": "999999999.00", "bank_ref": "OK-1"}, {"amount": over, "received_on": future})):
        page = client.post(f"/ui/recoveries/{rid}/repayments?lang={lang}", data={
            "csrf": csrf, "key": unique_id("k"), "step": "confirm", "received_on": "2099-01-01", **typed})
        assert page.status_code in (409, 422), page.text[:500]
        marked = _marked(page.text.split('data-testid="repay-form"')[1].split("</form>")[0])
        assert set(marked) == set(wanted), (typed, marked)
        for name, said in wanted.items():
            assert said in marked[name], (typed, name, marked[name])
    assert _position(client) == position
    assert _recovered(client, rid) == {"written_off": "0.00", "outstanding": "100000.00", "status": "open"}


def test_the_repayment_form_marks_a_day_before_the_payout_beside_a_bad_reference(client):
    """The day is read as the ledger reads it: received before the award was paid (2023-07-03) is marked beside a
    reference typed full width, not on the next send."""
    rid = _recovery(client)
    csrf = _sign_in(client, "finance")
    page = client.post(f"/ui/recoveries/{rid}/repayments?lang=zh", data={
        "csrf": csrf, "key": unique_id("k"), "step": "confirm", "amount": "100.00", "received_on": "2023-06-01",
        "bank_ref": "ＩＣＢＣ－１"})
    marked = _marked(page.text.split('data-testid="repay-form"')[1].split("</form>")[0])
    assert set(marked) == {"received_on", "bank_ref"}, marked
    assert "早于该奖补的拨付日期" in marked["received_on"], marked
