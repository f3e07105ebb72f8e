"""The certification pages over plain HTTP: a lead bureau records a certification (the same request model and
command as POST /v1/certifications) and its upgrade, refusals come back beside the fields in the page's language,
and the certification's page names its organisation, the claims resting on it and, once revoked, the revocation."""
from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client
from tests.browser.conftest import signed_in as _sign_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "rcb": {"role": "bureau", "bureau": "rcb"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def organisation(client) -> dict:
    """An organisation leading a consortium (an Art. 3 body) and an engineering research centre."""
    uscc = unique_uscc()
    name = f"滨江认定测试科技有限公司{uscc[-4:]}"
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": name, "in_district": True})
    consortium, erc = unique_id("CONS-"), unique_id("ERC-")
    _api(client, "POST", "/v1/innovation-bodies", {"id": consortium, "name": "某创新联合体", "kind": "consortium",
                                                   "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    _api(client, "POST", "/v1/innovation-bodies", {"id": erc, "name": "某工程研究中心", "kind": "erc",
                                                   "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    return {"uscc": uscc, "name": name, "consortium": consortium, "erc": erc}


def _form(csrf: str, org: dict, **fields: str) -> dict:
    return {"csrf": csrf, "key": unique_id("k"), "uscc": org["uscc"], "programme": "A3.consortium",
            "tier": "municipal", "effective_on": "2023-03-01", "document_ref": "杭科高〔2023〕15号",
            "body_id": org["consortium"], "subject": ""} | fields


def _certification_id(location: str) -> str:
    found = re.fullmatch(r"/ui/certifications/([0-9a-f-]{36})\?recorded=1&once=[\w-]+", location)
    assert found, location
    return found[1]


def test_a_lead_bureau_records_a_certification_once_and_sees_the_proposal_it_made(client, organisation):
    """The form offers the bureau's own programmes by name and their tiers by name; recorded, it lands on the
    certification's page, which shows the organisation and the 免申即享 proposal; the same form sent twice (its
    idempotency key) records one certification."""
    csrf = _sign_in(client, "kjj")
    assert 'href="/ui/certifications/new"' in client.get("/ui/").text  # found from the home page's proposals panel
    page = client.get("/ui/certifications/new")
    assert page.status_code == 200 and 'data-testid="certify-form"' in page.text
    assert '<option value="A3.consortium">A3.consortium 企业创新联合体认定奖励</option>' in page.text
    assert 'value="A6.chain_leader"' not in page.text  # jxj's
    assert 'value="A5.voucher"' not in page.text  # a rate: no certification
    assert '<option value="municipal">市级（municipal）</option>' in page.text
    english = client.get("/ui/certifications/new?lang=en").text  # ASCII brackets on an English page (a probe)
    assert "（" not in english.split('id="certify-tier"')[1].split("</select>")[0]
    client.get("/ui/certifications/new?lang=zh")  # the choice sticks: back to Chinese
    form = _form(csrf, organisation)
    done = client.post("/ui/certifications/new", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    cert_id = _certification_id(done.headers["location"])
    again = client.post("/ui/certifications/new", data=form, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == done.headers["location"]
    recorded = _api(client, "GET", f"/v1/certifications/{cert_id}")
    assert recorded["programme"] == "A3.consortium" and recorded["body_id"] == organisation["consortium"]
    assert len(recorded["proposed_claims"]) == 1
    shown = client.get(done.headers["location"])
    assert shown.status_code == 200 and 'data-testid="recorded"' in shown.text
    assert organisation["name"] in shown.text
    assert "生成待确认奖补（免申即享）：1 项。" in shown.text
    proposal = recorded["proposed_claims"][0]
    assert f'href="/ui/claims/{proposal}"' in shown.text and "待确认" in shown.text


def test_a_certification_that_proposes_nothing_says_why_on_its_page(client, organisation):
    """A bureau probe: a certification of an organisation outside the district was recorded with "0 项" and no more,
    where an official list's line says why. The page says what the command answered (found by the form's own key:
    another's key, or words put in the URL, say nothing); one that proposed says no why."""
    outside = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": outside, "name": f"区外测试公司{outside[-4:]}",
                                               "in_district": False})
    csrf = _sign_in(client, "jxj")
    form = {"csrf": csrf, "key": unique_id("k"), "uscc": outside, "programme": "A6.honour", "tier": "provincial_sme",
            "effective_on": "2024-05-01", "document_ref": "浙经信〔2024〕61号", "body_id": "", "subject": ""}
    done = client.post("/ui/certifications/new", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"])
    assert "生成待确认奖补（免申即享）：0 项。" in shown.text, shown.text
    assert 'data-testid="unproposed-why"' in shown.text and "辖区外" in shown.text, shown.text[:400]
    english = client.get(done.headers["location"] + "&lang=en").text
    assert "Why none:" in english and "outside the district" in english, english
    assert 'data-testid="unread-params"' not in shown.text
    cert_id = _certification_id(done.headers["location"])
    bare = client.get(f"/ui/certifications/{cert_id}?recorded=1&once=not-a-key-of-mine&lang=zh").text
    assert "0 项" in bare and 'data-testid="unproposed-why"' not in bare
    _sign_in(client, "kjj")  # another principal's page by the same key: its own command it is not
    assert 'data-testid="unproposed-why"' not in client.get(done.headers["location"]).text
    csrf = _sign_in(client, "kjj")
    made = client.post("/ui/certifications/new", data=_form(csrf, organisation), follow_redirects=False)
    proposed = client.get(made.headers["location"]).text
    assert "1 项" in proposed and 'data-testid="unproposed-why"' not in proposed


def test_refusals_come_back_beside_their_fields_in_the_page_language(client, organisation):
    """The API's validator and the ledger's refusals, each beside the field that cures it, as typed; nothing is
    recorded. In English with ?lang=en."""
    csrf = _sign_in(client, "kjj")
    no_body = client.post("/ui/certifications/new", data=_form(csrf, organisation, programme="A3.erc", body_id=""))
    assert no_body.status_code == 422 and 'data-testid="error-body_id"' in no_body.text
    assert "创新组织" in no_body.text and organisation["uscc"] in no_body.text  # kept as typed
    # What the clerk reads names the field by its label, not the API's key and path (a pages probe).
    for lang, label in (("zh", "被认定的创新组织编号"), ("en", "innovation body id")):
        page = client.post(f"/ui/certifications/new?lang={lang}",
                           data=_form(csrf, organisation, programme="A3.erc", body_id=""))
        shown = re.sub(r"<[^>]*>", " ", page.text)  # the text, not the markup's names
        assert label in shown and "body_id" not in shown and "POST /v1" not in shown, shown[:2000]
    bad_tier = client.post("/ui/certifications/new", data=_form(csrf, organisation, tier="national"))
    assert bad_tier.status_code == 422 and 'data-testid="error-tier"' in bad_tier.text
    no_tier = client.post("/ui/certifications/new", data=_form(csrf, organisation, tier=""))
    assert no_tier.status_code == 422 and 'data-testid="error-tier"' in no_tier.text
    bad_uscc = client.post("/ui/certifications/new", data=_form(csrf, organisation, uscc="123"))
    assert bad_uscc.status_code == 422 and 'data-testid="error-uscc"' in bad_uscc.text
    # Eighteen characters whose check character is wrong: told so, not "give the 18-character USCC" (a probe).
    miscopied = organisation["uscc"][:-1] + ("0" if organisation["uscc"][-1] != "0" else "1")
    for lang, said in (("zh", "校验位不符"), ("en", "fails its check character")):
        wrong = client.post(f"/ui/certifications/new?lang={lang}", data=_form(csrf, organisation, uscc=miscopied))
        assert wrong.status_code == 422 and 'data-testid="error-uscc"' in wrong.text
        field = wrong.text[wrong.text.index('data-testid="error-uscc"'):]
        assert said in field[:field.index("</")], field[:300]
        assert ("统一社会信用代码无效" if lang == "zh" else "Invalid USCC") in wrong.text  # not "Invalid uscc"
    unknown = client.post("/ui/certifications/new", data=_form(csrf, organisation, uscc=unique_uscc()))
    assert unknown.status_code == 404 and 'data-testid="error-uscc"' in unknown.text
    no_doc = client.post("/ui/certifications/new?lang=en", data=_form(csrf, organisation, document_ref=""))
    assert no_doc.status_code == 422 and 'data-testid="error-document_ref"' in no_doc.text
    assert "Give the document" in no_doc.text
    # A body of another kind, or one the organisation does not lead, is said beside the field that cures it (its
    # refusal marked no field: a pages probe)
    wrong_kind = client.post("/ui/certifications/new?lang=zh", data=_form(csrf, organisation, body_id=organisation[
        "erc"]))
    assert wrong_kind.status_code == 409 and 'data-testid="error-body_id"' in wrong_kind.text, wrong_kind.text
    other = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": other, "name": f"滨江另一科技有限公司{other[-4:]}",
                                              "in_district": True})
    not_lead = client.post("/ui/certifications/new?lang=zh", data=_form(csrf, organisation, uscc=other))
    assert not_lead.status_code == 409 and 'data-testid="error-uscc"' in not_lead.text, not_lead.text
    no_day = client.post("/ui/certifications/new?lang=zh", data=_form(csrf, organisation, effective_on=""))
    assert no_day.status_code == 422 and 'data-testid="error-effective_on"' in no_day.text
    assert "请填写生效日期" in no_day.text
    assert not [c for c in client.get(f"/v1/organisations/{organisation['uscc']}",
                                      headers={"Authorization": f"Bearer {client.tokens['admin']}"}).json().get(
        "designations", [])]


def test_only_a_bureau_leading_the_programme_records_it(client, organisation):
    """Another bureau is refused 403 as in the API; finance may not open the form; a form needs its CSRF token."""
    csrf = _sign_in(client, "jxj")
    page = client.get("/ui/certifications/new")
    assert page.status_code == 200 and 'value="A6.chain_leader"' in page.text
    assert 'value="A3.consortium"' not in page.text
    refused = client.post("/ui/certifications/new", data=_form(csrf, organisation), follow_redirects=False)
    assert refused.status_code == 403 and "not_lead_bureau" in refused.text
    english = client.get("/ui/certifications/new?lang=en")
    assert "Record a certification" in english.text
    assert "A6.chain_leader Chain-leader enterprise designation" in english.text
    _sign_in(client, "rcb")  # leads only A12.talent, which takes no certification
    assert 'data-testid="no-certifying-programmes"' in client.get("/ui/certifications/new?lang=zh").text
    _sign_in(client, "finance")
    assert client.get("/ui/certifications/new").status_code == 403
    _sign_in(client, "kjj")
    no_csrf = _form("", organisation)
    del no_csrf["csrf"]
    assert client.post("/ui/certifications/new", data=no_csrf).status_code == 403


def test_an_upgrade_is_recorded_from_the_certification_page(client, organisation):
    """The lead bureau's page offers only the higher rungs; recorded, the tier climbs and the new proposal shows;
    a rung not above is refused beside the tier; another bureau sees no form and is refused."""
    cert = _api(client, "POST", "/v1/certifications", {
        "uscc": organisation["uscc"], "programme": "A3.consortium", "tier": "municipal",
        "effective_on": "2023-03-01", "document_ref": "杭科高〔2023〕15号", "body_id": organisation["consortium"]},
        as_="kjj")
    csrf = _sign_in(client, "kjj")
    page = client.get(f"/ui/certifications/{cert['id']}")
    assert 'data-testid="upgrade-form"' in page.text
    form_html = page.text.split('data-testid="upgrade-form"')[1].split("</form>")[0]
    assert 'value="provincial"' in form_html and 'value="municipal"' not in form_html
    assert "（provincial）" in form_html  # the code beside the name, in the page's brackets
    english = client.get(f"/ui/certifications/{cert['id']}?lang=en").text.split('data-testid="upgrade-form"')[1]
    assert " (provincial)" in english.split("</form>")[0] and "（" not in english.split("</form>")[0]  # a pages probe
    client.get(f"/ui/certifications/{cert['id']}?lang=zh")  # the page's language is kept: back to Chinese
    form = {"csrf": csrf, "key": unique_id("k"), "tier": "municipal", "effective_on": "2024-05-10",
            "document_ref": "浙科〔2024〕6号"}
    lower = client.post(f"/ui/certifications/{cert['id']}/upgrades", data=form)
    assert lower.status_code == 422 and 'data-testid="error-tier"' in lower.text
    early = client.post(f"/ui/certifications/{cert['id']}/upgrades",
                        data=form | {"tier": "provincial", "effective_on": "2023-02-01"})
    assert early.status_code == 422 and 'data-testid="error-effective_on"' in early.text
    assert "早于该认定的生效日期" in early.text
    outside = client.post(f"/ui/certifications/{cert['id']}/upgrades",
                          data=form | {"tier": "provincial", "effective_on": "2031-01-01"})
    assert outside.status_code == 409 and 'data-testid="error-effective_on"' in outside.text
    done = client.post(f"/ui/certifications/{cert['id']}/upgrades", data=form | {"tier": "provincial"},
                       follow_redirects=False)
    assert done.status_code == 303 and "?upgraded=1&once=" in done.headers["location"]
    after = _api(client, "GET", f"/v1/certifications/{cert['id']}")
    assert after["tier"] == "provincial" and len(after["tiers"]) == 2
    # The tier it stands at on its own day and document: the header read 省级 · 2023-03-01 · the municipal
    # document (a journey probe); the first recording's are said as such
    assert (after["tier_effective_on"], after["tier_document_ref"]) == ("2024-05-10", "浙科〔2024〕6号"), after
    assert (after["effective_on"], after["document_ref"]) == ("2023-03-01", "杭科高〔2023〕15号"), after
    shown = client.get(done.headers["location"])
    assert 'data-testid="tier-effective-on">2024-05-10<' in shown.text
    assert 'data-testid="tier-document">浙科〔2024〕6号<' in shown.text and "首次认定生效日期" in shown.text
    assert 'data-testid="upgraded"' in shown.text and "upgrade-form" not in shown.text  # no rung above provincial
    # Sent again from a tab opened before the upgrade: refused, and said, though the form is no longer offered (the
    # page came back 422 with nothing on it: a regression probe); an empty one alike.
    stale = client.post(f"/ui/certifications/{cert['id']}/upgrades",
                        data=form | {"tier": "provincial", "key": unique_id("k")})
    assert stale.status_code == 422 and 'data-testid="upgrade-refused"' in stale.text
    assert "not_an_upgrade" in stale.text and "已处于其晋级序列的最高等次" in stale.text
    # The ledger's own words agree: no "fill in a tier above …" where none is left (a regression probe).
    assert "没有可晋级的更高等次" in stale.text and "请填写高于" not in stale.text, stale.text
    empty = client.post(f"/ui/certifications/{cert['id']}/upgrades", data={"csrf": csrf, "key": unique_id("k")})
    assert empty.status_code == 422 and 'data-testid="upgrade-refused"' in empty.text
    assert 'data-testid="form-refusal"' in empty.text.split('data-testid="upgrade-refused"')[1]
    # the refusal says why; "choose a higher tier" beside "no tier is left" contradicted it (a regression probe)
    assert "请选择高于现有等次的等次" not in stale.text
    for proposal in after["proposed_claims"]:
        assert f'href="/ui/claims/{proposal}"' in shown.text
    # The organisation's timeline names the certification, its programme and tier, and links it, for the record and
    # the upgrade alike (记录认定 had no tier; 认定晋级 neither programme nor tier: a clerk's probe)
    timeline = client.get(f"/ui/organisations/{organisation['uscc']}?lang=zh").text.split(
        'data-testid="timeline"')[1].split("</ol>")[0]
    items = [item for item in timeline.split("<li>") if f'href="/ui/certifications/{cert["id"]}"' in item]
    assert len(items) == 2, timeline
    assert any("认定晋级" in i and "省级" in i and "企业创新联合体" in i for i in items), items
    assert any("记录认定" in i and "市级" in i for i in items), items
    other = _sign_in(client, "jxj")
    assert "upgrade-form" not in client.get(f"/ui/certifications/{cert['id']}").text
    refused = client.post(f"/ui/certifications/{cert['id']}/upgrades",
                          data=form | {"csrf": other, "tier": "provincial", "key": unique_id("k")})
    assert refused.status_code == 403 and "not_lead_bureau" in refused.text


def test_the_certification_page_shows_its_claims_and_its_revocation(client, organisation):
    """The organisation's name, each claim resting on it (linked, status in Chinese, amount); once revoked, the
    reason, the document, who and when."""
    cert = _api(client, "POST", "/v1/certifications", {
        "uscc": organisation["uscc"], "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改〔2023〕15号", "body_id": organisation["erc"]}, as_="kjj")
    claim = _api(client, "POST", "/v1/claims", {"uscc": organisation["uscc"], "programme": "A3.erc",
                                                "award_year": 2023, "effective_on": "2023-06-01",
                                                "certification_id": cert["id"]}, as_="kjj")
    approved = _api(client, "POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj")
    amount = f"{Decimal(approved['approved_amount']):,.2f} 元"
    _sign_in(client, "finance")
    page = client.get(f"/ui/certifications/{cert['id']}")
    assert page.status_code == 200 and organisation["name"] in page.text
    row = page.text.split(f'data-claim="{claim["id"]}"')[1].split("</tr>")[0]
    assert f'href="/ui/claims/{claim["id"]}"' in row and "已批准" in row and amount in row
    assert 'data-testid="revocation"' not in page.text
    _api(client, "POST", f"/v1/certifications/{cert['id']}/revoke",
         {"reason": "复核不再符合认定条件", "effective_on": "2024-01-01", "document_ref": "杭高新科〔2024〕18号"},
         as_="kjj")
    revoked = client.get(f"/ui/certifications/{cert['id']}")
    assert 'data-testid="revocation"' in revoked.text
    assert "复核不再符合认定条件" in revoked.text and "杭高新科〔2024〕18号" in revoked.text
    assert "kjj-ui" in revoked.text and "（北京时间）" in revoked.text
    row = revoked.text.split(f'data-claim="{claim["id"]}"')[1].split("</tr>")[0]
    assert "已撤销" in row
    english = client.get(f"/ui/certifications/{cert['id']}?lang=en")
    assert "Revoked by" in english.text and "Claims resting on this certification" in english.text


def test_a_designations_page_lists_the_claims_resting_on_it(client, organisation):
    """An A8.orders claim names no certification but rests on the chain-leader designation (its revocation ends
    the claim): the designation's page lists it among the claims resting on it (a review found the list empty)."""
    chain = _api(client, "POST", "/v1/certifications", {
        "uscc": organisation["uscc"], "programme": "A6.chain_leader", "effective_on": "2023-01-10",
        "document_ref": "区经信〔2023〕3号"}, as_="jxj")
    claim = _api(client, "POST", "/v1/claims", {"uscc": organisation["uscc"], "programme": "A8.orders",
                                                "award_year": 2023, "effective_on": "2023-06-01",
                                                "basis_amount": "150000000", "requested_amount": "800000"}, as_="jxj")
    _sign_in(client, "finance")
    page = client.get(f"/ui/certifications/{chain['id']}")
    assert page.status_code == 200 and f'data-claim="{claim["id"]}"' in page.text


def test_the_claims_resting_on_a_certification_name_their_programme(client, organisation):
    """A bureau probe: a designation's page listed the claims resting on it (A6.chain_leader_rd and A8.orders alike)
    as "70de7b19 · 2023 · — · 已撤回", and a clerk could not tell which was which. Each row names its programme, by
    code and by name in the page's language."""
    chain = _api(client, "POST", "/v1/certifications", {
        "uscc": organisation["uscc"], "programme": "A6.chain_leader", "effective_on": "2023-01-10",
        "document_ref": "区经信〔2023〕4号"}, as_="jxj")
    claim = _api(client, "POST", "/v1/claims", {"uscc": organisation["uscc"], "programme": "A8.orders",
                                                "award_year": 2023, "effective_on": "2023-06-01",
                                                "basis_amount": "150000000", "requested_amount": "800000"}, as_="jxj")
    _sign_in(client, "finance")
    for lang, name in (("zh", "链主企业本地配套订单增量奖励"), ("en", None)):
        page = client.get(f"/ui/certifications/{chain['id']}?lang={lang}").text
        row = page.split(f'data-claim="{claim["id"]}"')[1].split("</tr>")[0]
        cell = re.search(r'data-testid="claim-programme">(.*?)</td>', row, re.S).group(1)
        assert "A8.orders" in cell and (name is None or name in cell), cell
        assert ("政策条目" if lang == "zh" else "Programme") in page.split('data-testid="claims-on-cert"')[1]


def test_a_refused_certification_form_keeps_the_headings_in_order(client, organisation):
    """The refusal's heading sat as an h3 straight under the page's h1 (a pages probe): a screen reader's list of
    headings skipped a level. On this page it is an h2; every heading is at most one level below the one before."""
    csrf = _sign_in(client, "kjj")
    refused = client.post("/ui/certifications/new", data=_form(csrf, organisation, tier="national"))
    assert refused.status_code == 422 and 'data-testid="form-refusal"' in refused.text
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", refused.text)]
    assert levels[0] == 1 and 2 in levels
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_a_certification_recorded_twice_links_the_one_to_upgrade_not_an_api_path(client, organisation):
    """The form sent again for a certification already held was told "晋级请用 POST /v1/certifications/…/upgrades"
    (a pages probe): a clerk is linked to the certification's page, where it is upgraded, in either language."""
    csrf = _sign_in(client, "kjj")
    done = client.post("/ui/certifications/new", data=_form(csrf, organisation), follow_redirects=False)
    cert_id = _certification_id(done.headers["location"])
    for lang, said in (("zh", "晋级请在认定"), ("en", "an upgrade is recorded on certification")):
        again = client.post(f"/ui/certifications/new?lang={lang}", data=_form(csrf, organisation))
        refusal = again.text[again.text.index("data-testid=\"form-refusal\""):][:1500]
        assert again.status_code == 409 and "POST /v1" not in refusal and said in refusal, refusal
        assert f'href="/ui/certifications/{cert_id}" data-testid="form-refusal-link"' in again.text


def test_a_certification_imported_from_a_list_shows_where_it_came_from(client, organisation):
    """The list's line, its size, who imported it, the import's id and the file's SHA-256, as the API keeps them
    with the certification: the page showed none, so an auditor on the pages could not trace an award back to its
    list (an imports probe); a certification recorded by hand shows no such line."""
    listed = {"rows": [{"uscc": organisation["uscc"], "programme": "A3.erc", "tier": "municipal",
                        "effective_on": "2023-03-01", "document_ref": "杭发改高技〔2023〕15号",
                        "body_id": organisation["erc"]}]}
    imported = _api(client, "POST", "/v1/certifications/imports", listed, as_="kjj")
    cert_id = imported["certifications"][0]["certification_id"]
    _sign_in(client, "finance")
    page = client.get(f"/ui/certifications/{cert_id}").text
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert f"名单第 2 行（共 1 行），由 kjj-ui 导入；导入编号 {imported['id']}" in shown, shown
    assert f'data-testid="imported-sha256">{imported["sha256"]}<' in page
    by_hand = _api(client, "POST", "/v1/certifications", {"uscc": organisation["uscc"], "programme": "A3.consortium",
                                                          "tier": "provincial", "effective_on": "2023-03-01",
                                                          "document_ref": "浙科发〔2023〕2号",
                                                          "body_id": organisation["consortium"]}, as_="kjj")
    assert 'data-testid="imported-from"' not in client.get(f"/ui/certifications/{by_hand['id']}").text


def test_an_imported_line_that_proposed_nothing_says_why_on_the_import_page(client):
    """A bureau probe could not tell from the import page why a line for an organisation outside the district proposed
    nothing: the recorded lines now say why beside the line that proposed nothing, in the page's language."""
    inside, outside = unique_uscc(), unique_uscc()
    for code, in_district in ((inside, True), (outside, False)):
        _api(client, "POST", "/v1/organisations", {"uscc": code, "name": f"滨江导入页科技有限公司{code[-4:]}",
                                                   "in_district": in_district})
        _api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "某创新联合体",
                                                       "kind": "consortium", "lead_uscc": code,
                                                       "recognised_on": "2022-10-01"})
    raw = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
           f"{inside},A6.honour,provincial_sme,2024-05-01,浙经信〔2024〕61号,\n"
           f"{outside},A6.honour,provincial_sme,2024-05-01,浙经信〔2024〕62号,\n").encode()
    csrf = _sign_in(client, "jxj")
    page = client.post("/ui/certifications/imports", data={"csrf": csrf},
                       files={"file": ("名单.csv", raw, "text/csv")})
    assert page.status_code == 201, page.text
    rows = dict(re.findall(r'<tr data-line="(\d+)">(.*?)</tr>', page.text.split('data-testid="recorded-lines"')[1]))
    assert "生成的待确认奖补（或未生成的原因）" in page.text
    assert "not_eligible" in rows["3"] and "登记为辖区外单位" in rows["3"], rows["3"]
    assert "not_eligible" not in rows["2"], rows["2"]
    # The line that proposed names and links its proposal, and each line links its certification (an empty reason
    # and plain ids: a clerk's probe).
    [made] = _api(client, "GET", f"/v1/claims?status=proposed&uscc={inside}", as_="jxj")["claims"]
    assert f'href="/ui/claims/{made["id"]}"' in rows["2"], rows["2"]
    assert all('href="/ui/certifications/' in row for row in rows.values()), rows


def test_every_wrong_field_of_a_certification_is_marked_at_once(client, organisation):
    """A date outside the term, no tier and an unknown body came one a send (a clerk's probe), where the finance
    forms mark every wrong field at once: each is marked, with what to give, and nothing is written; fields that
    are right are not marked."""
    csrf = _sign_in(client, "kjj")
    before = _api(client, "GET", "/v1/audit/digest", as_="admin")["position"]
    sent = _form(csrf, organisation, programme="A3.erc", tier="", effective_on="2021-01-01", body_id="NOPE")
    page = client.post("/ui/certifications/new?lang=zh", data=sent)
    assert page.status_code in (409, 422), page.text[:500]
    for name in ("tier", "effective_on", "body_id"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', page.text, re.S), name
    assert "2021-01-01 不在政策期" in page.text and "请选择该政策条目的等次" in page.text
    assert "请填写被认定的创新组织编号" in page.text
    assert not re.search(r'name="uscc"[^>]*aria-invalid="true"', page.text, re.S)  # registered: not marked
    unknown = client.post("/ui/certifications/new?lang=en", data=_form(
        csrf, organisation, uscc="91330108MA000082X9", effective_on="2021-01-01"))
    for name in ("uscc", "effective_on"):
        assert re.search(rf'name="{name}"[^>]*aria-invalid="true"', unknown.text, re.S), name
    assert "is outside the policy term" in unknown.text
    assert _api(client, "GET", "/v1/audit/digest", as_="admin")["position"] == before


def test_an_unregistered_organisation_is_refused_without_the_apis_path(client, organisation):
    """"台账中没有单位 …（请先以 POST /v1/organisations 登记）" quoted an HTTP verb and path to a clerk (a clerk's
    probe): the page says the organisation must be registered first, in its own words."""
    csrf = _sign_in(client, "kjj")
    for lang, wanted in (("zh", "（该单位须先在台账中登记）"), ("en", "(it must be registered in the ledger first)")):
        page = client.post(f"/ui/certifications/new?lang={lang}", data=_form(csrf, organisation,
                                                                           uscc="91330108MA000082X9"))
        assert page.status_code == 404 and wanted in page.text and "/v1/" not in page.text, page.text[-3000:]


def test_the_tier_and_subject_are_named_by_the_forms_words_not_the_apis_keys(client, organisation):
    """"subject '某某项目' 不是政策所列的事项类型；请将 subject 写成 …" and "须填写等次 tier" named the API's keys on a
    Chinese page (a clerk's probe): the form's 认定对象 and 等次."""
    csrf = _sign_in(client, "kjj")
    page = client.post("/ui/certifications/new?lang=zh", data=_form(csrf, organisation, programme="A9.national_award",
                                                                    tier="first", subject="某某项目", body_id=""))
    shown = html.unescape(page.text)
    assert "认定对象 '某某项目' 不是政策所列的事项类型" in shown and "请将 认定对象 写成" in shown, shown[-3000:]
    assert "subject '" not in shown
    tierless = client.post("/ui/certifications/new?lang=zh", data=_form(csrf, organisation, tier=""))
    assert "须填写等次，为以下之一" in tierless.text and "等次 tier" not in tierless.text, tierless.text[-3000:]
