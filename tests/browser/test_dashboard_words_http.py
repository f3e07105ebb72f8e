"""The dashboard says what the ledger does, in the reader's language, over plain HTTP on both stores: the
certification revocation's reach, an organisation's recoveries, the USCC-prefix search, the sandbox's labels,
a claim's history, events, notes, tiers and rules, refusals by label and name, English units and brackets, the
bureau's queue filters, the icon, the navigation's name and Beijing time."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.web.amounts import wan, yuan
from ledger.catalogue import current
from tests.browser.conftest import api, page_client, signed_in
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "jxj": {"role": "bureau", "bureau": "jxj"},
          "scjgj": {"role": "bureau", "bureau": "scjgj"},
          "finance": {"role": "finance"}, "auditor": {"role": "auditor"}, "admin": {"role": "admin"}}
REVOCATION_DOC = "杭高新科〔2024〕17号"


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


@pytest.fixture
def world(client: TestClient) -> dict:
    """An ERC certification (which proposed an award, replaced by the claim then submitted for it), that award
    approved and 100,000 paid, and a pending voucher claim."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/appropriations",
         {"year": 2023, "amount": "300000000.00", "document_ref": "财〔2023〕1号"}, as_="finance")
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江链芯科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    body = unique_id("ERC-")
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                   "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    cert = api(client, "POST", "/v1/certifications", {
        "uscc": uscc, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
        "document_ref": "杭发改〔2023〕15号", "body_id": body}, as_="kjj")
    erc = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A3.erc", "award_year": 2023,
                                              "effective_on": "2023-06-01", "certification_id": cert["id"]}, as_="kjj")
    api(client, "POST", f"/v1/claims/{erc['id']}/approve", {}, as_="kjj")
    api(client, "POST", "/v1/payouts", {"claim_id": erc["id"], "amount": "100000.00", "paid_on": "2023-07-03",
                                         "bank_ref": unique_id("ICBC-")}, as_="finance")
    voucher = api(client, "POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                                  "effective_on": "2023-06-01", "basis_amount": "100000.00"}, as_="kjj")
    replaced = api(client, "GET", f"/v1/claims?status=withdrawn&uscc={uscc}")["claims"]
    assert [c["programme"] for c in replaced] == ["A3.erc"], replaced
    return {"uscc": uscc, "cert": cert["id"], "erc": erc["id"], "voucher": voucher["id"],
            "proposal": replaced[0]["id"]}


def _revoked(client: TestClient, world: dict) -> dict:
    return api(client, "POST", f"/v1/claims/{world['erc']}/revoke",
                {"reason": "核查发现申报数据不实", "document_ref": REVOCATION_DOC}, as_="kjj")


def test_the_certification_revocation_says_every_claim_goes_whatever_its_date(client, world):
    """Revoking a certification withdraws or revokes every claim resting on it, earlier ones too (the contract,
    the README, the preview): the page no longer says that awards before the date stand, in either language."""
    signed_in(client, "kjj")
    zh = client.get(f"/ui/certifications/{world['cert']}").text
    assert "无论其日期" in zh and "此前的奖补保留" not in zh and "自生效日期起" not in zh
    en = client.get(f"/ui/certifications/{world['cert']}?lang=en").text
    assert "whatever its date" in en and "earlier awards stand" not in en and "from the effective date" not in en


def test_the_organisation_page_shows_what_is_owed_back_and_what_came_back(client, world):
    """A revoked paid award's recovery appears on the organisation page: totals and its programme's row show
    to recover and recovered, as GET /v1/organisations/{uscc}/awards has them, in both languages."""
    recovery = _revoked(client, world)["recovery_id"]
    api(client, "POST", f"/v1/recoveries/{recovery}/repayments", {"amount": "30000.00", "received_on": "2024-01-05",
                                                                   "bank_ref": unique_id("R-")}, as_="finance")
    awards = api(client, "GET", f"/v1/organisations/{world['uscc']}/awards")
    assert awards["totals"]["to_recover"] == "70000.00" and awards["totals"]["recovered"] == "30000.00"
    signed_in(client, "auditor")
    page = client.get(f"/ui/organisations/{world['uscc']}").text
    for key in ("to_recover", "recovered"):
        assert f'data-testid="total-{key}">{yuan(awards["totals"][key])}<' in page
    row = re.search(r'<tr data-programme="A3.erc">.*?</tr>', page, re.S).group(0)
    assert f'data-key="to_recover">{yuan("70000.00")}<' in row and f'data-key="recovered">{yuan("30000.00")}<' in row
    assert "应追回" in page and "已追回" in page
    english = client.get(f"/ui/organisations/{world['uscc']}?lang=en").text
    assert "To recover" in english and "Recovered" in english and "70,000.00 yuan" in english


def test_the_search_page_finds_a_uscc_prefix_as_the_api_does(client, world):
    """`q` matches a USCC prefix (any case) or part of the name, on the page as in GET /v1/organisations."""
    signed_in(client, "kjj")
    for q in (world["uscc"][:12], world["uscc"][:4], world["uscc"][:12].lower()):
        assert world["uscc"] in [o["uscc"] for o in api(client, "GET", f"/v1/organisations?q={q}&limit=500")
                                 ["organisations"]] or q == world["uscc"][:4]
        page = client.get("/ui/organisations", params={"q": q})
        assert page.status_code == 200 and world["uscc"] in page.text, q
    assert world["uscc"] in client.get("/ui/organisations", params={"q": "链芯科技"}).text
    later = client.get("/ui/organisations", params={"q": "9133", "cursor": "9" + "0" * 17}).text
    assert world["uscc"] in later  # a cursor pages on, by USCC, as the API's does
    assert 'href="/ui/organisations?q=9133" data-testid="first-page"' in later
    # One the API refuses is refused on the page too, in its language (a pages probe: "nothing found" was shown).
    for lang, said in (("zh", "不是本资源给出的翻页游标"), ("en", "is not a cursor this resource gave")):
        for q in ("9133", "", "  "):
            refused = client.get("/ui/organisations", params={"q": q, "cursor": "bad", "lang": lang})
            assert refused.status_code == 422 and said in refused.text, (q, refused.text)


def _number_labels(page: str) -> list[str]:
    return re.findall(r'<label for="n-\d+">([^<]*)</label>', page)


def test_the_sandbox_labels_every_number_in_the_readers_language(client):
    """The edit-in-form numbers are labelled in English on ?lang=en (no Chinese), and in Chinese with cap scopes
    by name (上限（每项目）), never a raw scope key."""
    signed_in(client, "admin")
    english = _number_labels(client.get("/ui/sandbox?lang=en").text)
    assert english and "Art. 2 special fund floor" in english
    assert not [label for label in english if re.search(r"[\u3000-\u9fff\uff00-\uffef]", label)], english
    assert any("cap (per project)" in label for label in english)
    chinese = _number_labels(client.get("/ui/sandbox?lang=zh").text)
    assert "第2条 专项资金最低安排" in chinese and any("上限（每项目）" in label for label in chinese)
    assert not [label for label in chinese if re.search(r"上限（[a-z_]+）", label)], chinese


def test_a_claims_history_notes_tiers_and_rules_read_in_chinese(client, world):
    """The claim page names every event, the tier and each explanation rule in Chinese; a system note is a
    system note in Chinese, a revocation's reason sits under 撤销理由 with its document, never under 审批意见."""
    recovery = _revoked(client, world)["recovery_id"]
    bank_ref = unique_id("R-")
    api(client, "POST", f"/v1/recoveries/{recovery}/repayments",
        {"amount": "30000.00", "received_on": "2024-01-05", "bank_ref": bank_ref}, as_="finance")
    api(client, "POST", f"/v1/recoveries/{recovery}/write-off",
        {"reason": "企业已注销，无法追回", "document_ref": "滨财核〔2025〕3号"}, as_="finance")
    signed_in(client, "auditor")
    revoked = client.get(f"/ui/claims/{world['erc']}").text
    shown = re.sub(r"<[^>]+>", " ", revoked)  # what a reader sees, attributes aside
    assert "Claim." not in shown and "Recovery." not in shown and "撤销奖补" in revoked and "批准申请" in revoked
    assert "撤销理由" in revoked and "审批意见" not in revoked and "核查发现申报数据不实" in revoked
    assert f'data-testid="history-document">依据文件文号：{REVOCATION_DOC}<' in revoked
    assert "登记还款" in revoked and bank_ref in revoked and "核销追回款项" in revoked
    assert "核销理由：企业已注销，无法追回" in revoked and "依据文件文号：滨财核〔2025〕3号" in revoked
    tier = r'data-testid="tier">\s*<span class="name" data-code="municipal">市级</span>'  # the name only, in Chinese
    assert re.search(tier, revoked)
    assert "政策期限" in revoked and "应享金额" in revoked
    assert not re.search(r'<td data-rule="[^"]+">\s*[a-z_:]+\s*</td>', revoked)
    # The certification proposed the award (免申即享); the claim then submitted for it replaced the proposal.
    proposal = client.get(f"/ui/claims/{world['proposal']}").text
    assert "Claim.Proposed" not in proposal and "Claim.Replaced" not in proposal
    assert "系统生成待确认奖补" in proposal and "待确认奖补被取代" in proposal
    assert "系统说明" in proposal and f"已由申请 {world['erc']} 取代" in proposal
    assert "replaced by claim" not in proposal and "审批意见" not in proposal
    english = client.get(f"/ui/claims/{world['erc']}?lang=en").text
    assert "Reason for revocation" in english and "Policy term" in english and "Award revoked" in english


def _key(page: str, form: str) -> str:
    found = re.search(rf'data-testid="{form}".*?name="key" value="([^"]+)"', page, re.S)
    return found.group(1)


def test_a_refused_approval_or_rejection_comes_back_as_typed_naming_the_field(client, world):
    """Approve and reject behave as the other forms: refused, the claim page comes back with what was typed,
    the field named by its label and what to send (more than 0.00 for an approval), and a fresh key."""
    csrf = signed_in(client, "kjj")
    claim = f"/ui/claims/{world['voucher']}"
    for amount in ("-5", "0", "1.001"):
        sent = unique_id("k-")
        page = client.post(f"{claim}/approve", data={"csrf": csrf, "amount": amount, "note": "同意", "key": sent})
        assert page.status_code == 422 and 'data-testid="approve-form"' in page.text, page.text
        assert f'name="amount" type="text" value="{amount}"' in page.text and 'value="同意"' in page.text
        error = re.search(r'data-testid="error-amount">([^<]+)<', page.text).group(1)
        assert "大于 0.00" in error and "零或正数" not in page.text, error
        assert "批准金额" in page.text and "amount：" not in page.text
        assert _key(page.text, "approve-form") != sent
    page = client.post(f"{claim}/reject", data={"csrf": csrf, "reason": "", "key": unique_id("k-")})
    assert page.status_code == 422 and 'data-testid="error-reason"' in page.text and "reason：" not in page.text
    assert "驳回理由：" in page.text
    english = client.post(f"{claim}/approve?lang=en", data={"csrf": csrf, "amount": "1.001", "key": unique_id("k")})
    assert "Approved amount: " in english.text and "more than 0.00" in english.text
    assert api(client, "GET", f"/v1/claims/{world['voucher']}")["status"] == "pending"
    done = client.post(f"{claim}/approve", data={"csrf": csrf, "amount": "", "key": unique_id("k-")},
                       follow_redirects=False)
    assert done.status_code == 303 and api(client, "GET", f"/v1/claims/{world['voucher']}")["status"] == "approved"


def test_refusals_name_statuses_and_roles_in_the_readers_language(client, world):
    """A decision on a decided claim names its status (已批准), and a role refusal the roles (审计 或 管理员)."""
    csrf = signed_in(client, "kjj")
    again = client.post(f"/ui/claims/{world['erc']}/approve", data={"csrf": csrf, "key": unique_id("k-")})
    assert again.status_code == 409 and "已是“已批准”状态" in again.text and "approved 状态" not in again.text
    refused = client.get("/ui/audit")
    assert refused.status_code == 403 and "需要角色 审计 或 管理员" in refused.text
    assert "auditor" not in refused.text and "（区级部门）" in refused.text
    english = client.get("/ui/audit?lang=en").text
    assert "needs auditor or administrator" in english


def test_english_pages_write_yuan_and_ascii_brackets(client, world):
    """English pages show "yuan" (policy amounts written out in yuan, not 万元) and ASCII brackets."""
    assert (yuan("300000", "en"), wan("300000000", "en"), wan("200000", "zh")) == (
        "300,000.00 yuan", "300,000,000 yuan", "20 万元")
    signed_in(client, "admin")
    for path in (f"/ui/claims/{world['erc']}", f"/ui/organisations/{world['uscc']}", "/ui/audit"):
        page = client.get(path, params={"lang": "en"}).text
        body = re.split(r"<main[^>]*>", page, maxsplit=1)[1]
        assert "yuan" in body or path == "/ui/audit", path
        for chinese in (" 元", "万元", "（", "）", "北京时间"):
            assert chinese not in body, (path, chinese)
    claim = client.get(f"/ui/claims/{world['erc']}?lang=en").text
    assert "(Policy amount 200,000 yuan)" in claim
    audit = client.get("/ui/audit?lang=en").text
    assert " (took " in audit
    csrf = re.search(r'name="csrf" value="([^"]+)"', audit).group(1)
    simulated = client.post("/ui/sandbox?lang=en", data={"csrf": csrf, "format": "html"}).text
    answer = simulated.split('data-testid="sandbox-totals"')[1]
    assert "yuan" in answer and not re.search(r"[\u3000-\u9fff\uff00-\uffef]| 元", re.sub(r"<[^>]+>", "", answer))
    # Each programme's bureau by its name, as the by-bureau table names it (bare kjj: a clerk's probe).
    chinese = client.post("/ui/sandbox?lang=zh", data={"csrf": csrf, "format": "html"}).text
    assert "<td>kjj</td>" not in chinese and "<td>区科技局</td>" in chinese


def test_the_bureaus_queue_filters_by_uscc_and_any_status_and_says_what_it_ignored(client, world):
    """The queue offers every status and a USCC filter; a status, programme or USCC it cannot apply is named in
    a notice, in the reader's language, with what to send; a later page links back to the first."""
    signed_in(client, "kjj")
    home = client.get("/ui/").text
    assert 'name="uscc"' in home
    for status in ("proposed", "pending", "approved", "rejected", "withdrawn", "revoked"):
        assert f'<option value="{status}"' in home
    approved = client.get("/ui/", params={"status": "approved", "uscc": world["uscc"]}).text
    assert f'data-claim="{world["erc"]}"' in approved and f'data-claim="{world["voucher"]}"' not in approved
    only = client.get("/ui/", params={"uscc": world["uscc"].lower()}).text
    assert f'data-claim="{world["voucher"]}"' in only and 'data-testid="ignored-filters"' not in only
    other = next(code for code, p in current().programmes.items() if p.lead != "kjj")
    odd = client.get("/ui/", params={"status": "approvd", "programme": other, "uscc": "123"}).text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', odd, re.S).group(1)
    assert "“approvd”" in notice and "approved（已批准）" in notice and f"“{other}”" in notice
    assert "“123”" in notice and "统一社会信用代码" in notice
    assert "（区科技局）" in notice and "（kjj）" not in notice  # the bureau by its name, not its code
    assert "不由本部门" in notice
    # A code that is no programme at all is said so, not called another bureau's (a pages probe).
    nope = client.get("/ui/", params={"programme": "nope"}).text
    said = re.search(r'data-testid="ignored-filters">(.*?)</div>', nope, re.S).group(1)
    assert "“nope”不是政策所列的条目" in said and "不由本部门" not in said
    english = client.get("/ui/", params={"status": "approvd", "lang": "en"}).text
    assert "Status “approvd” is not one of the choices and was ignored" in english
    later = client.get("/ui/", params={"cursor": "1", "status": "pending"}).text
    assert re.search(r'data-testid="first-page"', later) and 'href="/ui/?status=pending"' in later


def test_the_bureaus_queue_takes_award_year_names_a_parameter_it_does_not_know_and_shows_several_statuses(
        client, world):
    """A bureau probe: `award_year` (the API's name for the year) was ignored without a word, so was `stauts`, and
    `status=pending,approved` was applied under a drop-down showing the default. The page filters by `award_year` as by
    `year`, names any other parameter in its notice with the ones it takes, and the drop-down shows what it applied."""
    signed_in(client, "kjj")
    year = client.get("/ui/", params={"award_year": "2023", "uscc": world["uscc"]}).text
    assert f'data-claim="{world["voucher"]}"' in year and 'data-testid="ignored-filters"' not in year
    assert "<option selected>2023</option>" in year
    later = client.get("/ui/", params={"award_year": "2024", "uscc": world["uscc"]}).text
    assert f'data-claim="{world["voucher"]}"' not in later
    outside = client.get("/ui/", params={"award_year": "2019"}).text
    assert "奖补年度“2019”不是政策期内的年度" in re.search(r'data-testid="ignored-filters">(.*?)</div>', outside,
                                                            re.S).group(1)
    both = client.get("/ui/", params={"year": "2023", "award_year": "2024", "uscc": world["uscc"]}).text
    assert f'data-claim="{world["voucher"]}"' in both and "award_year“2024”与 year“2023”不一致" in both
    typo = client.get("/ui/", params={"stauts": "approved", "uscc": world["uscc"]}).text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', typo, re.S).group(1)
    assert "查询参数“stauts”（值“approved”）不是本页的筛选条件" in notice and "status、programme、year" in notice
    assert f'data-claim="{world["voucher"]}"' in typo  # the queue as it would be without it
    several = client.get("/ui/", params={"status": "pending,approved", "uscc": world["uscc"]}).text
    assert f'data-claim="{world["voucher"]}"' in several and f'data-claim="{world["erc"]}"' in several
    shown = re.search(r'<option value="pending,approved" selected data-testid="several-statuses">(.*?)</option>',
                      several).group(1)
    assert shown == "待审批 + 已批准", shown
    one = client.get("/ui/", params={"status": "approved"}).text
    assert '<option value="approved" selected>' in one and 'data-testid="several-statuses"' not in one
    english = client.get("/ui/", params={"stauts": "approved", "lang": "en"}).text
    assert "Query parameter “stauts” (value “approved”) is not a filter of this page" in english


def test_finances_list_names_the_filters_it_takes_and_a_status_as_one_it_does_not(client, world):
    """Finance's home lists unpaid approved claims: it takes no status filter, yet named status among its filters
    when another parameter was ignored, and took ?status=pending in silence (a pages probe)."""
    signed_in(client, "finance")
    typo = client.get("/ui/", params={"stauts": "approved", "lang": "zh"}).text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', typo, re.S).group(1)
    assert "本页按以下参数筛选：programme、year、award_year、uscc。" in notice, notice
    status = client.get("/ui/", params={"status": "pending", "lang": "zh"}).text
    notice = re.search(r'data-testid="ignored-filters">(.*?)</div>', status, re.S).group(1)
    assert "查询参数“status”（值“pending”）不是本页的筛选条件" in notice and "status、" not in notice, notice
    twice = client.get("/ui/", params=[("status", "pending"), ("status", "approved"), ("lang", "zh")]).text
    assert "给出了多个值" not in twice, twice  # not a filter here: no value of it is applied, so none dropped


def test_the_icon_the_navigations_name_and_beijing_time(client, world):
    """/favicon.ico is served (no 404 on a first page), the main navigation is named in the page's language, and
    times name Beijing time in words, not UTC+08:00."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    signed_in(client, "auditor")
    chinese = client.get(f"/ui/claims/{world['erc']}").text
    assert '<nav aria-label="主导航">' in chinese and 'rel="icon"' in chinese
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间）", chinese) and "UTC+08:00" not in chinese
    english = client.get(f"/ui/claims/{world['erc']}?lang=en").text
    assert '<nav aria-label="Main navigation">' in english
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Beijing time", english) and "UTC+08:00" not in english


def test_every_event_and_rule_a_page_can_show_has_a_name_in_both_languages():
    """Each event the read models record (a claim's history, an organisation's timeline) and each rule an
    explanation step can cite is named in Chinese and English, so no page shows its code instead."""
    from pathlib import Path

    from api.web import i18n
    from projections.fold import folded

    assert sorted(e for e in folded() if e not in i18n.EVENTS) == []
    rules_dir = Path(__file__).resolve().parents[2] / "ledger" / "rules"
    rules = {r for f in rules_dir.glob("*.py") for r in re.findall(r'\.add\(\s*"([a-z_]+)"', f.read_text())}
    assert rules and sorted(rules - set(i18n.RULES)) == []
    for lang in i18n.LANGS:
        assert i18n.rule_name("cap:project", lang) in ("上限（每项目）", "Cap (per project)")


def test_every_cap_scope_has_a_name_in_both_languages():
    """The Art. 13 fund's pool showed its key, `scope_pool`, on the organisation page (a pages probe): every scope
    a catalogue may give a cap is named in both languages."""
    from api.web import i18n
    from ledger.catalogue.model import CapScope

    unnamed = [s.value for s in CapScope if f"scope_{s.value}" not in i18n.MESSAGES]
    assert unnamed == []
    assert all(i18n.pick(i18n.MESSAGES, f"scope_{s.value}", lang) for s in CapScope for lang in i18n.LANGS)


def test_every_template_fills_the_placeholders_of_the_words_it_shows():
    """A template calling `t('open_certification')` without `id` showed "打开认定 {id}，…" on every claim resting on a
    certification, and the recoveries list "打开追回款项 {id}，…" (a pages probe): each `t(...)` in a template names
    every placeholder its words have, in both languages."""
    from pathlib import Path
    from string import Formatter

    import api.app  # noqa: F401 - the pages' words, merged as the app has them
    from api.web import i18n

    templates = Path(__file__).resolve().parents[2] / "api" / "web" / "templates"
    unfilled, calls = [], 0
    for path in templates.rglob("*.html"):
        for key, args in re.findall(r"\bt\(\s*'(\w+)'\s*((?:,[^()]*(?:\([^()]*\))?[^()]*)*)\)", path.read_text()):
            calls += 1
            given = set(re.findall(r"(\w+)\s*=", args))
            wanted = {name for words in i18n.MESSAGES.get(key, ()) for _, name, _, _ in Formatter().parse(words)
                      if name}
            if wanted - given:
                unfilled.append(f"{path.relative_to(templates)}: t('{key}') lacks {sorted(wanted - given)}")
    assert calls > 100 and unfilled == []


def test_an_outranked_proposal_says_which_approval_closed_it(client):
    """A lower rung's proposal closed by the higher rung's approval says so, naming the approved claim, in both
    languages; not "replaced by a claim submitted for the same fact", which it was not."""
    uscc = unique_uscc()
    api(client, "POST", "/v1/appropriations",
        {"year": 2023, "amount": "300000000.00", "document_ref": "财〔2023〕1号"}, as_="finance")
    api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江小巨人科技有限公司{uscc[-4:]}",
                                              "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "滨江企业创新联合体",
                                                   "kind": "consortium", "lead_uscc": uscc,
                                                   "recognised_on": "2022-10-01"})  # Art. 1: a member unit
    made = [api(client, "POST", "/v1/certifications", {"uscc": uscc, "programme": "A6.honour", "tier": tier,
                                                       "effective_on": day, "document_ref": doc}, as_="jxj")
            for tier, day, doc in (("provincial_sme", "2023-03-01", "浙经信〔2023〕7号"),
                                   ("little_giant", "2023-06-01", "工信部〔2023〕2号"))]
    sme, giant = (m["proposed_claims"][0] for m in made)
    signed_in(client, "jxj")
    home = client.get(f"/ui/?status=proposed&uscc={uscc}").text
    # Each proposal's tick box is told apart by its tier and figure (a journey probe found two labelled alike).
    labels = re.findall(r'name="claim" value="[^"]+"[^>]*aria-label="([^"]+)"', home)
    assert len(labels) == 2 and len(set(labels)) == 2, labels
    assert any("小巨人" in label and "1,000,000.00" in label for label in labels), labels
    sme, giant = (p["id"] if isinstance(p, dict) else p for p in (sme, giant))
    api(client, "POST", f"/v1/claims/{giant}/confirm", {}, as_="jxj")
    api(client, "POST", f"/v1/claims/{giant}/approve", {}, as_="jxj")
    signed_in(client, "jxj")
    zh = client.get(f"/ui/claims/{sme}").text
    assert "待确认奖补因另一奖补获批而关闭" in zh and f"申请 {giant} 已获批准" in zh and "从优、从高" in zh, zh
    assert "已由申请" not in zh and "Claim.Outranked" not in zh
    en = client.get(f"/ui/claims/{sme}?lang=en").text
    assert f"Claim {giant} was approved" in en and "Replaced by claim" not in en


def test_a_proposal_closed_by_a_used_up_cap_says_so(client):
    """A standard's proposal closed because another unit's approved award used up the body's A11 cap for the year
    says that a cap, not "best, highest, never twice", closed it (in both languages), naming the approval."""
    lead, unit, body = unique_uscc(), unique_uscc(), unique_id("CONS-")
    api(client, "POST", "/v1/appropriations",
        {"year": 2023, "amount": "300000000.00", "document_ref": "财〔2023〕1号"}, as_="finance")
    for uscc in (lead, unit):
        api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江标准科技有限公司{uscc[-4:]}",
                                                  "in_district": True})
    api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "滨江企业创新联合体", "kind": "consortium",
                                                   "lead_uscc": lead, "recognised_on": "2022-10-01"})
    api(client, "POST", f"/v1/innovation-bodies/{body}/members", {"uscc": unit, "joined_on": "2022-10-01"})
    made = api(client, "POST", "/v1/certifications", {
        "uscc": unit, "programme": "A11.standard", "tier": "international_lead", "subject": "standard:ISO-20001",
        "effective_on": "2023-05-01", "document_ref": "国标委〔2023〕9号", "body_id": body}, as_="scjgj")
    [proposal] = made["proposed_claims"]
    proposal = proposal["id"] if isinstance(proposal, dict) else proposal
    taken = api(client, "POST", "/v1/claims", {
        "uscc": lead, "programme": "A11.standard", "award_year": 2023, "effective_on": "2023-04-01",
        "tier": "international_lead", "subject": "standard:ISO-30001", "body_id": body}, as_="scjgj")
    api(client, "POST", f"/v1/claims/{taken['id']}/approve", {}, as_="scjgj")
    signed_in(client, "scjgj")
    zh = client.get(f"/ui/claims/{proposal}").text
    assert f"申请 {taken['id']} 已获批准，用完了本项所计入的奖补上限" in zh and "从优、从高" not in zh, zh
    en = client.get(f"/ui/claims/{proposal}?lang=en").text
    assert f"Claim {taken['id']} was approved and used up the cap" in en, en
