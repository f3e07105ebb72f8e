"""The pages in a real browser: sign in, find, read, decide, download, be refused, switch language."""
from __future__ import annotations

import contextlib
import csv
import io
import re
import threading
from pathlib import Path

from playwright.sync_api import expect


def test_sign_in_and_find_an_organisation_by_name_and_by_uscc(page, live, world, sign_in, shot):
    """A wrong token is refused on the form; the right one signs in, and search finds by name and by USCC."""
    page.goto("/ui/organisations")
    expect(page).to_have_url(re.compile(r"/ui/sign-in\?next="))
    page.get_by_label("访问令牌").fill("not-a-token")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("令牌不匹配")
    shot("refused-token")
    sign_in("kjj")
    expect(page.get_by_test_id("principal")).to_have_text("kjj-ui")
    page.get_by_label("统一社会信用代码或企业名称").fill("链芯科技")
    page.get_by_role("button", name="查找").click()
    results = page.get_by_test_id("results")
    expect(results).to_contain_text(world.name)
    shot("found-by-name")
    page.get_by_role("link", name=world.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(world.name)
    page.get_by_role("navigation").get_by_role("link", name="查找企业").click()
    page.get_by_label("统一社会信用代码或企业名称").fill(world.uscc.lower())  # any case finds the code
    page.get_by_role("button", name="查找").click()
    expect(page).to_have_url(re.compile(f"/ui/organisations/{world.uscc}$"))
    expect(page.get_by_test_id("uscc")).to_have_text(world.uscc)


def test_organisation_page_shows_totals_programmes_caps_timeline_and_explanations(page, world, sign_in, shot):
    """The organisation page: 元 totals with separators, the programme table, 万元 cap bars, who-and-when, why."""
    sign_in("auditor")
    page.goto(f"/ui/organisations/{world.uscc}")
    expect(page.get_by_test_id("total-entitled")).to_have_text("500,000.00 元")
    expect(page.get_by_test_id("total-approved")).to_have_text("200,000.00 元")
    expect(page.get_by_test_id("total-paid")).to_have_text("100,000.00 元")
    expect(page.get_by_test_id("total-outstanding")).to_have_text("100,000.00 元")
    programmes = page.get_by_test_id("programmes")
    expect(programmes).to_contain_text("A3.erc")
    expect(programmes).to_contain_text("A5.voucher")
    caps = page.get_by_test_id("caps")
    expect(caps).to_contain_text("上限 50 万元")  # the voucher's 500,000 a year, in the policy's own unit
    expect(caps.get_by_role("meter").first).to_have_attribute("aria-valuenow", "60")
    timeline = page.get_by_test_id("timeline")
    for label in ("登记企业", "记录认定", "提交申请", "批准申请", "记录拨付"):
        expect(timeline).to_contain_text(label)
    expect(timeline).to_contain_text("kjj-ui")
    expect(timeline).to_contain_text("finance-ui")
    explanation = page.get_by_test_id(f"claim-{world.pending_claim}")
    explanation.locator("summary .code").first.click()  # opens it (the summary also links to the claim)
    expect(explanation.locator("table.explanation")).to_contain_text("300,000.00 元")
    shot("organisation")


def test_lead_bureau_approves_a_claim(page, live, world, sign_in, shot):
    """kjj approves the pending voucher claim for less than its entitlement; the ledger and the pages agree."""
    sign_in("kjj")
    page.goto(f"/ui/claims/{world.pending_claim}")
    expect(page.get_by_test_id("claim-status")).to_have_text("待审批")
    expect(page.get_by_test_id("entitled")).to_have_text("300,000.00 元")
    shot("pending")
    page.get_by_label("批准金额").fill("250000")
    page.get_by_label("审批意见").fill("经审核，同意")
    page.get_by_role("button", name="批准").click()
    expect(page.get_by_role("status")).to_have_text("审批已记录：已批准 250,000.00 元。")
    expect(page.get_by_test_id("claim-status")).to_have_text("已批准")
    expect(page.get_by_test_id("approved")).to_have_text("250,000.00 元")
    shot("approved")
    claim = live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")
    assert (claim["status"], claim["approved_amount"]) == ("approved", "250000.00")
    assert claim["decision_note"] == "经审核，同意"
    assert [(h["event"], h["by"]) for h in claim["history"]] == [("Submitted", "kjj-ui"), ("Approved", "kjj-ui")]
    page.goto(f"/ui/organisations/{world.uscc}")
    expect(page.get_by_test_id("total-approved")).to_have_text("450,000.00 元")


def test_a_bureau_outside_the_programme_sees_no_decision_forms_and_a_forged_post_is_a_403_page(
        page, live, world, sign_in, shot):
    """jxj may read a kjj claim but sees no approve/reject form; a POST made anyway is a 403 `not_lead_bureau`."""
    sign_in("jxj")
    page.goto(f"/ui/claims/{world.pending_claim}")
    expect(page.get_by_test_id("not-lead")).to_contain_text("区科技局")  # the lead bureau by name, not kjj
    expect(page.get_by_role("button", name="批准")).to_have_count(0)
    expect(page.get_by_role("button", name="驳回")).to_have_count(0)
    # The same form the lead bureau gets, made in this page (same origin, this browser's CSRF token).
    page.evaluate("""(action) => { const f = document.createElement('form'); f.method = 'post'; f.action = action;
        const csrf = document.querySelector('input[name=csrf]').cloneNode(); f.appendChild(csrf);
        const b = document.createElement('button'); b.textContent = 'go'; f.appendChild(b);
        document.querySelector('main').appendChild(f); }""", f"/ui/claims/{world.pending_claim}/approve")
    with page.expect_response(re.compile(r"/approve$")) as answered:
        page.get_by_role("button", name="go").click()
    assert answered.value.status == 403
    expect(page.get_by_test_id("problem-code")).to_have_text("not_lead_bureau")
    expect(page.get_by_test_id("refusal")).to_contain_text("403")
    expect(page.get_by_test_id("problem-detail")).to_contain_text("由区科技局（kjj）牵头")  # the bureau by name
    shot("403")
    assert live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")["status"] == "pending"
    response = page.goto("/ui/finance?year=2023")
    assert response.status == 403
    expect(page.get_by_test_id("problem-code")).to_have_text("forbidden")


def test_finance_page_chart_and_csv_download(page, world, sign_in, shot):
    """Finance sees the year's totals and the appropriation chart, and downloads the reconciliation as CSV."""
    sign_in("finance")
    page.goto("/ui/finance?year=2023")
    expect(page.get_by_test_id("total-approved")).to_have_text("200,000.00 元")
    expect(page.get_by_test_id("total-paid")).to_have_text("100,000.00 元")
    chart = page.get_by_test_id("appropriation-chart")
    expect(chart.locator("rect")).to_have_count(4)
    expect(chart).to_contain_text("300,000,000.00 元")
    expect(chart).to_contain_text("30,000 万元")  # the Art. 2 floor, in the policy's own unit
    expect(page.get_by_test_id("reconciliation")).to_contain_text("A3.erc")
    shot("finance")
    with page.expect_download() as downloading:
        page.get_by_test_id("download-csv").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert any("A3.erc" in row for row in rows), rows
    assert any("200000.00" in cell or "200,000.00" in cell for row in rows for cell in row), rows


def test_english_switch(page, world, sign_in, shot):
    """Chinese by default; the switch turns the pages English and the choice is remembered."""
    sign_in("auditor")
    page.goto(f"/ui/organisations/{world.uscc}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="合计")).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Totals")).to_be_visible()
    expect(page.get_by_test_id("caps")).to_contain_text("Limit 500,000 yuan")
    shot("english")
    page.goto("/ui/audit")
    expect(page.get_by_role("heading", name="Tamper-evidence verification")).to_be_visible()
    page.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", name="防篡改链核验")).to_be_visible()


def test_audit_page_says_it_did_not_verify_while_the_long_queries_run(page, live, world, sign_in, shot):
    """Verifying the chain reads the whole log, a long query: with this process's slots taken the page answers 503
    and says, in place of the verdict, that the chain was not verified this time (its digest still shown); a
    reload once a slot is free verifies it."""
    sign_in("auditor")
    slots = live.app.state.long_queries
    with contextlib.ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        answer = page.goto("/ui/audit")
        assert answer is not None and answer.status == 503
        expect(page.get_by_test_id("verified")).to_contain_text("系统繁忙，本次未核验事件链")
        expect(page.get_by_test_id("verified")).to_contain_text("请稍后刷新本页")
        expect(page.get_by_test_id("digest")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        shot("audit-busy")
    assert page.reload().status == 200
    expect(page.get_by_test_id("verified")).to_contain_text("核验通过")


def test_audit_page_shows_a_long_verification_s_progress_and_reloads_itself_to_its_verdict(page, live, world, sign_in,
                                                                                             shot):
    """A verification that outlasts the page's wait shows how far it has got and the page reloads itself until
    the verdict is there, with the time it was reached in Beijing time."""
    sign_in("auditor")
    runs = live.app.state.chain_verifications
    real, gate, saved = runs.verify, threading.Event(), (runs.wait, runs.reuse)
    runs.verify = lambda progress: gate.wait(30) and real(progress=progress)
    runs.wait, runs.reuse = 0.2, 0
    try:
        page.goto("/ui/audit")
        expect(page.get_by_test_id("verified")).to_contain_text("正在核验事件链")
        expect(page.get_by_test_id("verified")).to_contain_text("本页将于 3 秒后自动刷新")
        expect(page.get_by_test_id("verify-progress")).to_be_visible()
        shot("audit-verifying")
        gate.set()
        expect(page.get_by_test_id("verified")).to_contain_text("核验通过", timeout=15_000)  # by the page's reload
        expect(page.get_by_test_id("verified-at")).to_contain_text("（北京时间）")
    finally:
        gate.set()
        runs.verify, (runs.wait, runs.reuse) = real, saved


def test_audit_page_shows_verification_and_the_current_digest(page, live, world, sign_in, shot):
    """The auditor sees the chain verified end to end and the digest the API gives."""
    sign_in("auditor")
    page.goto("/ui/audit")
    expect(page.get_by_test_id("verified")).to_contain_text("核验通过")
    expect(page.get_by_test_id("digest")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    shot("audit")
    digest = page.get_by_test_id("digest").inner_text()
    position = int(page.get_by_test_id("digest-position").inner_text())
    verified = live.ok("GET", f"/v1/audit/verify?position={position}&digest={digest}", as_="auditor")
    assert verified["ok"] and verified["saved_digests_checked"] == 1
