"""Every field wrong on its own marked in one send, on the forms beside the new-certification form (cb84667): the
upgrade and certification-revocation forms and finance's appropriation, correction and payout forms. The request
model names the malformed fields and the ledger's checks stop at the first; each form reads its other fields alone
beside that refusal (a regression probe needed three sends for three faults). Nothing is written."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client, paid_erc_award
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        _api(c, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
             as_="finance")
        yield c


def _position(client: TestClient) -> int:
    return _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]


def _marked(text: str, name: str, scope: str = "") -> bool:
    """Whether the form's field `name` is marked wrong (within `scope`, a part of the page, if given)."""
    part = text.split(scope, 1)[1] if scope else text
    return bool(re.search(rf'name="{name}"[^>]*aria-invalid="true"', part, re.S))


def test_an_upgrade_marks_its_tier_day_and_document_at_once(client):
    """A tier that is no higher rung, a day outside the term and no document: all three in one send, in the page's
    language; a day before the certification is marked beside an empty document too."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    before = _position(client)
    form = {"csrf": csrf, "key": unique_id("k"), "tier": "bogus", "effective_on": "2030-01-01", "document_ref": ""}
    page = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=zh", data=form)
    assert page.status_code == 422, page.text[:500]
    scope = 'data-testid="upgrade-form"'
    assert 'data-testid="error-tier"' in page.text and "请选择高于现有等次的等次" in page.text
    for name in ("effective_on", "document_ref"):
        assert _marked(page.text, name, scope), name
    assert "2030-01-01 不在政策期" in page.text
    early = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=en",
                        data=form | {"key": unique_id("k"), "tier": "provincial", "effective_on": "2023-01-02"})
    assert _marked(early.text, "effective_on", scope) and _marked(early.text, "document_ref", scope)
    assert "is before the certification" in early.text
    assert 'data-testid="error-tier"' not in early.text  # a higher rung: not marked
    assert _position(client) == before


def test_a_certification_revocation_marks_a_future_day_beside_empty_fields(client):
    """No reason, no document and a day ahead of today: the day is marked with them, not on the next send."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    before = _position(client)
    form = {"csrf": csrf, "key": unique_id("k"), "step": "preview", "reason": "", "effective_on": "2099-01-01",
            "document_ref": ""}
    page = client.post(f"/ui/certifications/{award['cert']}/revoke?lang=zh", data=form)
    assert page.status_code == 422, page.text[:500]
    scope = 'data-testid="revoke-cert-form"'
    for name in ("reason", "effective_on", "document_ref"):
        assert _marked(page.text, name, scope), name
    assert "2099-01-01 晚于今天" in page.text
    english = client.post(f"/ui/certifications/{award['cert']}/revoke?lang=en",
                          data=form | {"effective_on": "2023-01-02", "reason": "no longer holds"})
    assert _marked(english.text, "effective_on", scope) and _marked(english.text, "document_ref", scope)
    assert "is before certification" in english.text and not _marked(english.text, "reason", scope)
    assert _position(client) == before


def _finance_form(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</form>")[0]


def test_finance_forms_mark_a_year_and_a_day_beside_their_other_faults(client):
    """A full-width year no longer hides the amount and document; a year outside the term is marked beside a bad
    amount and no document; a payout's future day beside its too-large amount; the correction's likewise. Each
    said in the page's language, nothing written."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "finance")
    before = _position(client)
    for year, wanted in (("２０２４", "请改为输入 2024"), ("2030", "2030 年度不在政策期")):
        page = client.post("/ui/finance/appropriations?lang=zh", data={
            "csrf": csrf, "key": unique_id("k"), "year": year, "amount": "x", "document_ref": ""})
        assert page.status_code == 422, page.text[:500]
        form = _finance_form(page.text, "appropriation-form")
        for name in ("year", "amount", "document_ref"):
            assert _marked(form, name), (year, name)
        said = form.split('data-testid="form-error"')[1].split("</div>")[0]
        assert wanted in said and "金额" in said and "文件文号" in said, said
    fix = client.post("/ui/finance/appropriations/correct?lang=en", data={
        "csrf": csrf, "key": unique_id("k"), "year": "2030", "appropriation_ref": "财1号", "amount": "x",
        "reason": "", "document_ref": "财9号"})
    form = _finance_form(fix.text, "appropriation-fix-form")
    for name in ("year", "amount", "reason"):
        assert _marked(form, name), name
    assert "Year 2030 does not overlap the policy term" in form  # its words name the field: not labelled again
    wide = client.post("/ui/finance/appropriations/correct?lang=zh", data={
        "csrf": csrf, "key": unique_id("k"), "year": "２０２３", "appropriation_ref": "", "amount": "1.00",
        "reason": "更正", "document_ref": "财9号"})
    form = _finance_form(wide.text, "appropriation-fix-form")
    assert _marked(form, "year") and _marked(form, "appropriation_ref") and "请改为输入 2023" in form
    for lang, wanted in (("zh", "拨付日期 2030-03-01 晚于今天"), ("en", "Paid on 2030-03-01 is in the future")):
        page = client.post(f"/ui/finance/payouts?lang={lang}", data={
            "csrf": csrf, "key": unique_id("k"), "claim_id": award["claim"], "amount": "99,999,999",
            "paid_on": "2030-03-01", "bank_ref": unique_id("B-")})
        assert page.status_code == 409, page.text[:500]  # over_approved, as the API answers it
        form = _finance_form(page.text, "payout-form")
        assert _marked(form, "amount") and _marked(form, "paid_on"), form
        assert not _marked(form, "claim_id") and not _marked(form, "bank_ref")
        said = form.split('data-testid="form-error"')[1].split("</div>")[0]
        assert wanted in said and ("99,999,999.00" in said), said
    assert _position(client) == before


def _said(form: str) -> str:
    """What a finance form's refusal says (its detail), apart from the line naming the fields to fix."""
    return form.split('data-testid="form-error"')[1].split("<p>")[1].split("</p>")[0]


def test_a_payout_marks_an_amount_above_the_approval_beside_its_bank_reference(client):
    """An empty bank reference was marked alone, and the amount above what is left to pay came back on the next
    send (a regression probe): both in one send, in the page's language; so with a bank reference the ledger
    refuses itself (full-width); nothing written."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "finance")
    before = _position(client)
    for lang, over, empty in (("zh", "本次最多拨付 100,000.00 元", "银行流水号"),
                              ("en", "pay at most 100,000.00", "Bank reference")):
        for bank_ref in ("", "ＩＣＢＣ－０００１"):
            page = client.post(f"/ui/finance/payouts?lang={lang}", data={
                "csrf": csrf, "key": unique_id("k"), "claim_id": award["claim"], "amount": "150,000.00",
                "paid_on": "2023-08-01", "bank_ref": bank_ref})
            assert page.status_code in (409, 422), page.text[:500]
            form = _finance_form(page.text, "payout-form")
            assert _marked(form, "amount") and _marked(form, "bank_ref"), (lang, bank_ref)
            assert not _marked(form, "claim_id") and not _marked(form, "paid_on")
            said = _said(form)
            assert over in said and empty in said, said
    assert _position(client) == before


def test_a_correction_marks_a_document_the_year_does_not_hold_beside_its_other_faults(client):
    """A document 2023 holds no appropriation on, beside no reason or an amount that is none: all marked in one
    send, the documents the year holds named (the unknown document came back on the next send: a regression
    probe)."""
    csrf = _sign_in(client, "finance")
    before = _position(client)
    for lang, unknown in (("zh", "2023 年专项资金没有按文件 财404号 安排的资金（现有：财1号）"),
                          ("en", "2023&#39;s fund holds no appropriation on document 财404号 (it holds: 财1号)")):
        page = client.post(f"/ui/finance/appropriations/correct?lang={lang}", data={
            "csrf": csrf, "key": unique_id("k"), "year": "2023", "appropriation_ref": "财404号", "amount": "x",
            "reason": "", "document_ref": "财9号"})
        assert page.status_code == 422, page.text[:500]
        form = _finance_form(page.text, "appropriation-fix-form")
        for name in ("appropriation_ref", "amount", "reason"):
            assert _marked(form, name), (lang, name)
        assert not _marked(form, "year") and not _marked(form, "document_ref")
        assert unknown in _said(form), _said(form)
    known = client.post("/ui/finance/appropriations/correct?lang=zh", data={
        "csrf": csrf, "key": unique_id("k"), "year": "2023", "appropriation_ref": "财1号", "amount": "x",
        "reason": "", "document_ref": "财9号"})
    assert not _marked(_finance_form(known.text, "appropriation-fix-form"), "appropriation_ref")
    assert _position(client) == before


def test_a_full_width_year_is_labelled_once_in_english(client):
    """"Year: the year '２０２４' is written in full-width digits" named the field twice (a regression probe): the
    sentence names it once, on both forms, in English as in Chinese."""
    csrf = _sign_in(client, "finance")
    for path, testid, body in (
            ("/ui/finance/appropriations", "appropriation-form", {"amount": "1.00", "document_ref": "财9号"}),
            ("/ui/finance/appropriations/correct", "appropriation-fix-form",
             {"appropriation_ref": "财1号", "amount": "1.00", "reason": "更正", "document_ref": "财9号"})):
        for lang, label, wanted in (("en", "Year", "The year &#39;２０２４&#39; is written in full-width digits"),
                                    ("zh", "年度", "年度 &#39;２０２４&#39; 使用了全角数字")):
            page = client.post(f"{path}?lang={lang}", data={"csrf": csrf, "key": unique_id("k"), "year": "２０２４",
                                                            **body})
            said = _said(_finance_form(page.text, testid))
            assert said.startswith(wanted) and said.casefold().count(label.casefold()) == 1, said


def _summary(page: str) -> str:
    return page.split('data-testid="form-refusal-detail">')[1].split("</span>")[0]


def test_the_upgrade_and_revocation_summaries_name_every_fault_marked_below_them(client):
    """The summary above the upgrade and certification-revocation forms named the empty document (and reason) the
    request model refused, not the tier or day marked on their fields (a regression probe): it names each field
    marked, by its label, in the page's language."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    before = _position(client)
    upgrade = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=zh", data={
        "csrf": csrf, "key": unique_id("k"), "tier": "bogus", "effective_on": "2030-01-01", "document_ref": ""})
    said = _summary(upgrade.text)
    for wanted in ("依据文件文号：", "晋级后的等次：请选择高于现有等次的等次", "2030-01-01 不在政策期"):
        assert wanted in said, (wanted, said)
    early = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=en", data={
        "csrf": csrf, "key": unique_id("k"), "tier": "provincial", "effective_on": "2023-01-02", "document_ref": ""})
    assert "is before the certification" in _summary(early.text), _summary(early.text)
    revoke = {"csrf": csrf, "key": unique_id("k"), "step": "preview", "reason": "", "effective_on": "2099-01-01",
              "document_ref": ""}
    for lang, wanted in (("zh", "2099-01-01 晚于今天"), ("en", "2099-01-01 is in the future")):
        page = client.post(f"/ui/certifications/{award['cert']}/revoke?lang={lang}", data=revoke)
        assert page.status_code == 422 and _marked(page.text, "effective_on", 'data-testid="revoke-cert-form"')
        assert wanted in _summary(page.text), _summary(page.text)
    english = client.post(f"/ui/certifications/{award['cert']}/revoke?lang=en",
                          data=revoke | {"effective_on": "2023-01-02", "reason": "no longer holds"})
    assert "is before certification" in _summary(english.text), _summary(english.text)
    assert _position(client) == before


def test_the_upgrade_form_and_its_refusals_say_one_word_for_an_upgrade(client):
    """The upgrade form said 晋级 in its heading and 晋升序列 in its hint, and its refusals 晋升 where the page said
    晋级 (a regression probe): 晋级 throughout, as the rest of the pages say it."""
    award = paid_erc_award(client)
    csrf = _sign_in(client, "kjj")
    page = client.get(f"/ui/certifications/{award['cert']}?lang=zh").text
    assert "记录晋级" in page and "晋升" not in page
    form = {"csrf": csrf, "document_ref": "升〔2024〕1号"}
    for tier, day, wanted in (("municipal", "2024-01-01", "晋级只能升到更高等次"),
                              ("provincial", "2023-01-02", "晋级的生效日期 2023-01-02 早于该认定的生效日期")):
        refused = client.post(f"/ui/certifications/{award['cert']}/upgrades?lang=zh",
                              data=form | {"key": unique_id("k"), "tier": tier, "effective_on": day})
        assert refused.status_code == 422 and wanted in refused.text and "晋升" not in refused.text, tier
