"""The pages' forms read what is typed with the JSON API's own rules: a year or an amount in other digits
(superscript, full-width, Arabic-Indic) is refused as the API refuses it, on a page in the reader's language,
never a 500 and never recorded; a form over its limit is told the limit, not to send JSON."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import page_client
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "finance": {"role": "finance"}}
OTHER_DIGITS = {"superscript": "²⁰²⁴", "full-width": "２０２４", "arabic-indic": "٢٠٢٤"}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _signed_in(client: TestClient, who: str, page: str) -> str:
    """Sign `who` in; the CSRF token of `page`, for its forms."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    client.post("/ui/sign-in", data={"csrf": csrf, "token": client.tokens[who]}, follow_redirects=False)
    return re.search(r'name="csrf" value="([^"]+)"', client.get(page).text).group(1)


def _events(client: TestClient) -> int:
    return client.app.state.ledger.recorder.max_notification_id() or 0


def _api(client: TestClient, body: dict, lang: str) -> dict:
    answer = client.post("/v1/appropriations", json=body, headers={
        "Authorization": f"Bearer {client.tokens['finance']}", "Accept-Language": lang})
    assert answer.status_code == 422, answer.text
    return answer.json()


@pytest.mark.parametrize("year", OTHER_DIGITS.values(), ids=OTHER_DIGITS.keys())
def test_a_year_in_other_digits_is_refused_as_the_json_api_refuses_it(client, year):
    """`year=²⁰²⁴` (a 500 before) and `year=２０２４` (recorded as 2024 before) come back as the form with the
    API's own refusal of that year, Chinese by default and English with ?lang=en, and nothing is recorded."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    form = {"csrf": csrf, "year": year, "amount": "300000000.00", "document_ref": "杭高新财〔2024〕1号",
            "key": unique_id("k-")}
    before = _events(client)
    for lang in ("zh", "en"):  # the page's language is chosen once with ?lang=, then kept in a cookie
        page = client.post(f"/ui/finance/appropriations?lang={lang}", data=form)
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), page.text
        api = _api(client, {k: form[k] for k in ("year", "amount", "document_ref")}, lang)
        assert api["code"] == "invalid_request" and api["errors"][0]["field"] == "year"
        said = api["errors"][0]["message"]  # the API's words for this year, in the reader's language
        # The form's label, and the API's words without their JSON advice: a text box has no quotes to drop.
        typed = said.split("（JSON")[0] if lang == "zh" else said.split(", as a JSON")[0]
        if year == OTHER_DIGITS["full-width"]:  # an input method's full-width mode: said so, with the year to type
            assert ("全角" if lang == "zh" else "full-width") in page.text and "2024" in page.text, page.text
            continue
        assert f"{'年度：' if lang == 'zh' else 'Year: '}{typed}" in page.text, page.text
        assert "JSON" not in page.text.split('role="alert"')[1].split("</div>")[0], page.text
        assert "Internal" not in page.text and "Traceback" not in page.text
    assert _events(client) == before


@pytest.mark.parametrize("amount", ["３００,０００,０００.００", "300000000.⁰⁰", "3,00,000", "1000,50", "1,000.5.0"])
def test_an_amount_the_json_api_refuses_is_refused_on_the_form(client, amount):
    """Other digits and a separator anywhere but between groups of three are not read past: the API's validator
    refuses the amount as typed (invalid_amount), nothing recorded."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    before = _events(client)
    page = client.post("/ui/finance/appropriations", data={
        "csrf": csrf, "year": "2024", "amount": amount, "document_ref": "杭高新财〔2024〕1号", "key": unique_id("k-")})
    assert page.status_code == 422 and "invalid_amount" in page.text and "金额" in page.text, page.text
    assert _events(client) == before


def test_a_plain_year_and_a_grouped_amount_are_still_recorded(client):
    """What a person types in ASCII, thousands separators included, is recorded as the API would record it."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    answer = client.post("/ui/finance/appropriations", data={
        "csrf": csrf, "year": " 2024 ", "amount": "300，000，000.00", "document_ref": "杭高新财〔2024〕2号",
        "key": unique_id("k-")}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    fund = client.get("/v1/appropriations/2024", headers={"Authorization": f"Bearer {client.tokens['finance']}"})
    assert fund.json()["appropriated"] == "300000000.00", fund.text


def test_the_home_pages_year_filter_refuses_other_digits_on_a_page(client):
    """`/ui/?year=²⁰²⁴` was a 500, then a refusal page of its own; on finance's home it is now noticed and left out
    as on a bureau's queue (stop 57), the unpaid claims shown; a plain year filters."""
    _signed_in(client, "finance", "/ui/")
    for kind, year in OTHER_DIGITS.items():
        page = client.get("/ui/", params={"year": year})
        # full-width digits are an input method's mode, said so with the year to type (a journey probe)
        said = ("使用了全角数字（输入法处于全角状态），已忽略；请改为输入 2024" if kind == "full-width" else
                "不是政策期内的年度，已忽略")
        assert page.status_code == 200 and f"奖补年度“{year}”{said}" in page.text, page.text
    assert client.get("/ui/", params={"year": "2024"}).status_code == 200
    assert client.get("/ui/", params={"year": ""}).status_code == 200


def test_a_bureau_queue_year_that_is_no_year_of_the_policy_is_noticed_and_left_out(client):
    """A pages probe: the bureau's queue took a status, a programme or a USCC it could not use as a notice beside
    the queue, but `?year=abc` was a 422 page of its own and `?year=1999` an empty queue without a word. Each is now
    noticed as the others are, naming the policy's years, and the queue is shown without it."""
    _signed_in(client, "kjj", "/ui/")
    for year in (*OTHER_DIGITS.values(), "abc", "1999"):
        page = client.get("/ui/", params={"year": year, "lang": "zh"})
        assert page.status_code == 200, page.text
        notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', page.text, re.S).group(1)
        if year == OTHER_DIGITS["full-width"]:
            assert f"奖补年度“{year}”使用了全角数字（输入法处于全角状态），已忽略；请改为输入 2024。" in notice, notice
            continue
        assert f"奖补年度“{year}”不是政策期内的年度，已忽略；请选择：2022、2023、2024、2025" in notice, notice
    english = client.get("/ui/", params={"year": "1999", "lang": "en"}).text
    assert "Award year “1999” is not a year of the policy and was ignored" in english
    assert 'data-testid="ignored-filters"' not in client.get("/ui/", params={"year": "2024"}).text


def test_confirming_more_proposals_than_the_api_takes_says_the_limit_on_a_page(client):
    """1,001 ticked proposals: a page (not JSON advice) saying at most 1,000 at once, in the reader's language,
    nothing confirmed; none ticked says to tick some."""
    csrf = _signed_in(client, "kjj", "/ui/")
    before = _events(client)
    form = {"csrf": csrf, "key": unique_id("k-"), "claim": [unique_id("c-") for _ in range(1001)]}
    chinese = client.post("/ui/claims/confirm?lang=zh", data=form)
    assert chinese.status_code == 422 and chinese.headers["content-type"].startswith("text/html"), chinese.text
    assert "一次最多确认 1,000 项奖补，本次提交了 1,001 项" in chinese.text and "JSON" not in chinese.text
    english = client.post("/ui/claims/confirm?lang=en", data=form)
    assert english.status_code == 422 and "At most 1,000 proposals can be confirmed at once" in english.text
    assert "JSON" not in english.text
    none = client.post("/ui/claims/confirm?lang=zh", data={"csrf": csrf, "key": unique_id("k-")})
    assert none.status_code == 422 and "未选择任何待确认奖补" in none.text
    assert _events(client) == before


def test_a_form_the_parser_cannot_take_is_a_page_not_json_advice(client):
    """Past what any page reads (too many fields), or a multipart body without its boundary: a 422 page in the
    reader's language saying what to do, never the API's "send JSON" problem."""
    csrf = _signed_in(client, "kjj", "/ui/")
    flood = {"csrf": csrf, "claim": [str(n) for n in range(12_000)]}
    page = client.post("/ui/claims/confirm?lang=zh", data=flood)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), page.text
    assert "表单项过多" in page.text and "JSON" not in page.text
    english = client.post("/ui/claims/confirm?lang=en", data=flood)
    assert "The form has more than 10,000 fields" in english.text and "JSON" not in english.text
    _signed_in(client, "finance", "/ui/finance/write")
    broken = client.post("/ui/finance/statements/preview?lang=zh", content=b"--x\r\n",
                         headers={"Content-Type": "multipart/form-data"})
    assert broken.status_code == 422 and "无法读取提交的表单" in broken.text and "JSON" not in broken.text


def test_a_refused_form_corrected_and_sent_again_with_its_key_is_decided_afresh(client):
    """An API client's key keeps its refusal (a retry must get the first answer); a page's key does not: a refused
    form comes back to be corrected, and sent again from the browser's history with the same key it is decided on
    what it now says, not answered 409 for a key "used for another command"."""
    from datetime import date

    from tests.store.conftest import World

    world = World(client.app.state.ledger)
    world.appropriate(2023)
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal",
                                                                          on=date(2023, 3, 1)))
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    form = {"csrf": csrf, "claim_id": claim["id"], "amount": "200000.01", "paid_on": "2023-07-01",
            "bank_ref": unique_id("ICBC-"), "key": unique_id("k-")}
    before = _events(client)
    refused = client.post("/ui/finance/payouts", data=form)
    assert refused.status_code == 409 and "over_approved" in refused.text, refused.text
    assert _events(client) == before
    recorded = client.post("/ui/finance/payouts", data=form | {"amount": "200000.00"}, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    assert client.app.state.ledger.claim(claim["id"])["paid_amount"] == "200000.00"


def test_a_payout_form_sent_again_changed_says_what_happened_in_a_clerks_words(client):
    """A probe: Back to a recorded payout's form, the amount and bank reference changed, then 记录 answered 409
    naming the Idempotency-Key and asking for "a new key value", which no clerk can give. Now the page says the form
    was recorded before and nothing was recorded this time, keeps what was typed with a fresh key, and sending it
    once more records the new payout."""
    from datetime import date

    from tests.store.conftest import World

    world = World(client.app.state.ledger)
    world.appropriate(2023)
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal",
                                                                          on=date(2023, 3, 1)))
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    form = {"csrf": csrf, "claim_id": claim["id"], "amount": "50000.00", "paid_on": "2023-07-01",
            "bank_ref": unique_id("ICBC-"), "key": unique_id("k-")}
    assert client.post("/ui/finance/payouts", data=form, follow_redirects=False).status_code == 303
    before = _events(client)
    changed = form | {"amount": "60000.00", "bank_ref": unique_id("ICBC-")}
    again = client.post("/ui/finance/payouts", data=changed)
    assert again.status_code == 409 and _events(client) == before, again.text
    assert "Idempotency-Key" not in again.text and "键值" not in again.text and form["key"] not in again.text
    assert "此前已提交并记录过" in again.text and "请再按一次“记录”" in again.text
    assert 'value="60000.00"' in again.text and changed["bank_ref"] in again.text
    fresh = re.search(r'name="key" value="([^"]+)"', again.text).group(1)
    assert fresh != form["key"]
    recorded = client.post("/ui/finance/payouts", data=changed | {"key": fresh}, follow_redirects=False)
    assert recorded.status_code == 303, recorded.text
    assert client.app.state.ledger.claim(claim["id"])["paid_amount"] == "110000.00"


def test_a_payout_is_reversed_from_the_finance_page(client):
    """The reversal form named its payout id as a body field the API's model does not take, so every reversal,
    real or not, was refused "not a field of this request" (a browser probe). Now a real payout is reversed, and
    an unknown id is refused in the page's words, nothing recorded."""
    from ledger.domain.payout import Payout
    from tests.store.conftest import World

    world = World(client.app.state.ledger)
    world.appropriate(2023)
    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    bank_ref = unique_id("ICBC-")
    paid = client.post("/ui/finance/payouts", data={"csrf": csrf, "claim_id": claim["id"], "amount": "100000.00",
                                                    "paid_on": "2023-07-01", "bank_ref": bank_ref,
                                                    "key": unique_id("k-")}, follow_redirects=False)
    assert paid.status_code == 303, paid.text
    payout = {"id": str(Payout.create_id(bank_ref))}
    before = _events(client)
    unknown = client.post("/ui/finance/reversals", data={"csrf": csrf, "payout_id": "nope", "reason": "银行退票",
                                                         "key": unique_id("k-")})
    assert unknown.status_code == 404 and "不是此请求的字段" not in unknown.text and _events(client) == before
    form = {"csrf": csrf, "payout_id": payout["id"], "reason": "银行退票", "key": unique_id("k-")}
    reversed_ = client.post("/ui/finance/reversals", data=form, follow_redirects=False)
    assert reversed_.status_code == 303, reversed_.text
    assert client.app.state.ledger.claim(claim["id"])["paid_amount"] == "0.00"


def _revoked_after_payouts(client: TestClient, *amounts: str) -> tuple[Any, dict, list[str], str]:
    """A voucher (300,000) paid `amounts`, then revoked, recorded in process: (the ledger, the claim, the payouts'
    ids, the recovery's id)."""
    from datetime import date
    from decimal import Decimal

    from tests.store.conftest import FINANCE, KJJ, World

    ledger = client.app.state.ledger
    world = World(ledger)
    world.appropriate(2023)
    claim = world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    payouts = [ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal(amount), paid_on=date(2023, 7, 1),
                                    bank_ref=unique_id("ICBC-")).view["id"] for amount in amounts]
    rid = ledger.revoke_claim(KJJ, claim_id=claim["id"], reason="虚报", document_ref="杭科〔2024〕8号").view[
        "recovery_id"]
    return ledger, claim, payouts, rid


def test_a_payout_of_an_award_revoked_since_is_reversed_from_its_page(client):
    """A payout booked on the wrong claim, whose award was revoked since: its claim's page offers finance the
    reversal (it offered none once revoked), the form reverses it, and the recovery owes that much less."""
    ledger, claim, payouts, rid = _revoked_after_payouts(client, "60000.00", "40000.00")
    assert client.app.state.read_models.wait(ledger.recorder.max_notification_id(), timeout=10)
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    page = client.get(f"/ui/claims/{claim['id']}").text
    assert f"/ui/finance/write?payout_id={payouts[1]}" in page, page
    form = {"csrf": csrf, "payout_id": payouts[1], "reason": "记错申请", "document_ref": "滨财更正1号",
            "key": unique_id("k-")}
    done = client.post("/ui/finance/reversals", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert ledger.recovery(rid)["amount"] == "60000.00"
    reductions = client.get(f"/ui/recoveries/{rid}").text.split('data-testid="reductions"')[1].split("</section>")[0]
    assert "40,000.00" in reductions and "记错申请" in reductions and "滨财更正1号" in reductions, reductions
    said = "冲回误登记的拨付，追回总额相应减少"
    assert said in client.get(f"/ui/claims/{claim['id']}").text
    timeline = client.get(f"/ui/organisations/{claim['uscc']}").text.split('data-testid="timeline"')[1]
    reduced = next(item for item in timeline.split("<li>") if said in item)
    assert claim["id"][:8] in reduced and "40,000.00" in reduced, reduced  # its claim, linked, and its figure


def test_a_reversal_above_what_a_recovery_still_owes_is_told_on_the_page_what_to_reverse_first(client):
    """A payout of a revoked award, above what its recovery still owes (money repaid since): the finance page's
    refusal names the recovery's page, where the repayment is reversed, not the API's path (a regression probe read
    "在追回款项 X 的页面上记录/reverse")."""
    from datetime import date
    from decimal import Decimal

    from tests.store.conftest import FINANCE

    ledger, _, payouts, rid = _revoked_after_payouts(client, "60000.00", "40000.00")
    ledger.record_repayment(FINANCE, recovery_id=rid, amount=Decimal("70000.00"), received_on=date(2024, 3, 1),
                            bank_ref=unique_id("BACK-"))
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    before = _events(client)
    refused = client.post("/ui/finance/reversals", data={"csrf": csrf, "payout_id": payouts[1], "reason": "记错申请",
                                                         "key": unique_id("k-")})
    assert refused.status_code == 409 and _events(client) == before
    assert f"还款：在追回款项 {rid} 的页面上冲回" in refused.text and "/v1/" not in refused.text.split("<main")[1]


def test_a_repayment_sent_from_a_recovery_page_a_reversal_closed_meanwhile_says_why(client):
    """A recovery closed by a payout reversal while its page was open: a repayment sent from that page is refused
    (nothing written) with its code and words on the page, where the form no longer is (a 409 with no word, a
    regression probe)."""
    from tests.store.conftest import FINANCE

    ledger, _, [wrong], rid = _revoked_after_payouts(client, "40000.00")
    assert client.app.state.read_models.wait(ledger.recorder.max_notification_id(), timeout=10)
    csrf = _signed_in(client, "finance", f"/ui/recoveries/{rid}")
    ledger.reverse_payout(FINANCE, payout_id=wrong, reason="记错申请")  # another tab: nothing is owed now
    before = _events(client)
    stale = client.post(f"/ui/recoveries/{rid}/repayments", data={
        "csrf": csrf, "amount": "40000.00", "received_on": "2024-03-01", "bank_ref": unique_id("BACK-"),
        "step": "confirm", "key": unique_id("k-")})
    assert stale.status_code == 409 and _events(client) == before, stale.text
    assert 'data-testid="form-refusal-code"' in stale.text and "over_recovered" in stale.text, stale.text


def test_a_refusal_of_a_value_the_ledger_checks_marks_its_field(client):
    """A year outside the term, an unknown claim and an unknown payout are refused naming the field to fix by its
    label, as a malformed value is (a pages probe: they came back with the message alone)."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    cases = [("/ui/finance/appropriations", {"year": "2030", "amount": "1000.00", "document_ref": "财1号"}, "year",
              "年度"),
             ("/ui/finance/payouts", {"claim_id": "3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f", "amount": "100.00",
                                      "paid_on": "2024-01-02", "bank_ref": unique_id("B-")}, "claim_id", "申请编号"),
             ("/ui/finance/reversals", {"payout_id": "3f6d2c1e-8a4b-4f5e-9d7c-1b2a3c4d5e6f", "reason": "退票"},
              "payout_id", "拨付编号")]
    for path, form, field, label in cases:
        page = client.post(path, data={"csrf": csrf, "key": unique_id("k-"), **form})
        assert page.status_code in (404, 409, 422), page.text
        assert f"请修改：{label}" in page.text, (path, page.text[-3000:])
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', page.text), page.text


@pytest.mark.parametrize("charset", ["gbk", None], ids=["declared-gbk", "undeclared"])
def test_a_form_in_another_charset_is_refused_not_recorded_as_other_text(client, charset):
    """A hostile-input probe posted the appropriation form with the raw GBK bytes of 拨款测试: it was recorded as
    ²¦¿î²âÊÔ (the bytes read as Latin-1), though the JSON API refuses them. A form's body is percent-encoded ASCII,
    declared UTF-8 or undeclared; anything else is a page saying what to send, and nothing is recorded."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    body = (f"csrf={csrf}&year=2024&amount=1000.00&key={unique_id('k-')}&document_ref=").encode() + "拨款测试".encode(
        "gbk")
    kind = "application/x-www-form-urlencoded" + (f"; charset={charset}" if charset else "")
    before = _events(client)
    page = client.post("/ui/finance/appropriations", content=body, headers={"Content-Type": kind})
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html"), page.text
    assert "UTF-8" in page.text and "Traceback" not in page.text, page.text
    assert _events(client) == before
    typed = client.post("/ui/finance/appropriations", data={
        "csrf": csrf, "year": "2024", "amount": "1000.00", "document_ref": "拨款测试", "key": unique_id("k-")},
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}, follow_redirects=False)
    assert typed.status_code == 303, typed.text


def test_a_urlencoded_field_percent_encoded_in_gbk_is_told_to_encode_as_utf8_not_an_invisible_character(client):
    """An input probe: document_ref=%B2%E2%CA%D4%CE%C4%BA%C5 (测试文号 in GBK, as a GBK page or script sends it) was
    refused for holding U+FFFD, a character never sent (the parser's reading of the escapes). The field is named as
    not UTF-8, with what to send, in the reader's language; nothing is recorded."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    body = (f"csrf={csrf}&year=2024&amount=1000.00&key={unique_id('k-')}&document_ref=%B2%E2%CA%D4%CE%C4%BA%C5")
    before = _events(client)
    page = client.post("/ui/finance/appropriations?lang=zh", content=body.encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 422 and "表单字段 &#39;document_ref&#39; 不是 UTF-8 文本" in page.text, page.text
    assert "U+FFFD" not in page.text
    assert _events(client) == before


def test_a_multipart_form_field_in_another_charset_is_refused_and_a_file_in_gb18030_is_not(client):
    """The regression probe sent the same form as multipart/form-data with 拨款测试 in GBK: recorded as mojibake, as
    the form parser reads such a field as Latin-1. A field that is not UTF-8 is now a 422 page, nothing recorded; a
    file part is the route's to read, so a bank file in GB18030 still reaches it."""
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    fields = {"csrf": csrf, "year": "2024", "amount": "1000.00", "key": unique_id("k-")}
    body = b"".join(f'--B0\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in
                    fields.items())
    body += b'--B0\r\nContent-Disposition: form-data; name="document_ref"\r\n\r\n' + "拨款测试".encode("gbk")
    body += b"\r\n--B0--\r\n"
    before = _events(client)
    page = client.post("/ui/finance/appropriations", content=body,
                       headers={"Content-Type": "multipart/form-data; boundary=B0"})
    assert page.status_code == 422 and "document_ref" in page.text and "UTF-8" in page.text, page.text
    assert _events(client) == before
    typed = client.post("/ui/finance/appropriations", files={k: (None, v) for k, v in fields.items()} | {
        "document_ref": (None, "拨款测试")}, follow_redirects=False)
    assert typed.status_code == 303, typed.text
    raw = "交易日期,借方发生额,贷方发生额,附言\n2024-07-02,1.00,,PAY-GB-1\n".encode("gb18030")
    preview = client.post("/ui/finance/statements/preview", data={"csrf": csrf},
                          files={"file": ("对账单.csv", raw, "text/csv")})
    assert preview.status_code == 200 and "PAY-GB-1" in preview.text, preview.text


def test_the_language_link_of_a_refused_form_leads_back_to_the_page_it_was_sent_from(client):
    """A pages probe: a refused form comes back at the form's address, which takes no GET, so its language link led
    to the home page and a clerk switching language to read the refusal lost the page. It leads to the page the form
    was sent from (its Referer, one of these pages on this host), in the other language; a Referer elsewhere, none,
    or one that is no page (the refused form's own address, sent again from there) leads to the page the form's
    address lies under, by the app's routes (finance's), never to an address that takes no GET. A real browser's
    Referer: tests/browser/test_session_and_language_browser.py."""
    csrf = _signed_in(client, "finance", "/ui/finance/write?year=2023")
    form = {"csrf": csrf, "claim_id": "00000000-0000-4000-8000-000000000000", "amount": "abc",
            "paid_on": "2023-07-01", "bank_ref": unique_id("ICBC-"), "key": unique_id("k-")}

    def link(referer: str | None) -> str:
        refused = client.post("/ui/finance/payouts", data=form,
                              headers={} if referer is None else {"Referer": referer})
        assert refused.status_code == 422, refused.text
        return re.search(r'<a class="lang" href="([^"]+)"', refused.text).group(1).replace("&amp;", "&")

    assert link("http://testserver/ui/finance/write?year=2023&lang=zh") == "/ui/finance/write?year=2023&lang=en"
    for elsewhere in (None, "https://evil.example/ui/finance/write", "http://testserver/docs", "not a url",
                      "http://testserver/ui/finance/payouts", "http://testserver/ui/sign-in?next=/ui/finance"):
        assert link(elsewhere) == "/ui/finance?lang=en", elsewhere


def test_a_form_body_sent_to_the_api_is_told_what_the_route_takes(client):
    """A newcomer probe posted a draft catalogue with `curl --data-binary` (a form, unless told otherwise) and was
    told to "send the form from its page". The API's routes take no form: each says what it takes (a draft as
    application/toml, a command's JSON object), in the reader's language, and nothing is written; a page's form in
    another charset is still refused as before (above)."""
    draft = "[policy]\nversion = \"草案\"\n".encode()
    headers = {"Authorization": f"Bearer {client.tokens['kjj']}", "Content-Type": "application/x-www-form-urlencoded"}
    before = _events(client)
    answer = client.post("/v1/simulations", content=draft, headers=headers)
    assert answer.status_code == 422 and "application/toml" in answer.json()["detail"], answer.text
    answer = client.post("/v1/organisations", content="uscc=企业".encode(), headers=headers | {"Accept-Language": "zh"})
    assert answer.status_code == 422 and "application/json" in answer.json()["detail"], answer.text
    assert "从页面提交表单" not in answer.json()["detail"], answer.text
    assert _events(client) == before


def test_a_form_sent_with_nothing_in_it_asks_for_what_is_missing(client):
    """A clerk's probe (with `required` taken off): an empty token was told it matches no user; a statement preview
    with no file got a bare 422 naming `file`; an empty 到账日期 was told '' is not written YYYY-MM-DD. Each asks for
    what to give, in the page's language, and writes nothing."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/sign-in").text).group(1)
    empty = client.post("/ui/sign-in?lang=zh", data={"csrf": csrf, "token": " "})
    assert "请填写令牌" in empty.text and "不匹配" not in empty.text, empty.text
    csrf = _signed_in(client, "finance", "/ui/finance/write")
    none = client.post("/ui/finance/statements/preview?lang=zh", data={"csrf": csrf},
                       files={"file": ("", b"", "application/octet-stream")})
    assert none.status_code == 422 and "请先选择银行对账单文件" in none.text, none.text
    missing = client.post("/ui/finance/statements/preview?lang=zh", data={"csrf": csrf, "import_good_lines": "1"})
    assert missing.status_code == 422 and "请先选择银行对账单文件" in missing.text, missing.text
    from ledger.domain.errors import InvalidInput
    from ledger.domain.statement_fields import booking_day
    with pytest.raises(InvalidInput) as said:
        booking_day("  ", "received_on")
    assert "未填写日期" in said.value.zh and "no date was given" in said.value.detail
