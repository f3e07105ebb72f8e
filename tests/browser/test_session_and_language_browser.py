"""Where a form leads back to, in Debian's Chromium as a clerk has it: the language link after a refused form, and
signing in again after the session expired under a form. Both rest on the Referer a real browser sends (the
pages' `Referrer-Policy: same-origin`), which a test over plain HTTP can only set by hand."""
from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.projections.tables import query


def test_after_a_refused_form_the_language_link_leads_to_the_claim_s_page_in_the_other_language(
        page, live, world, sign_in, shot):
    """A clerk's probe: after a refused approval on a claim, the header's English led to the home page (every
    answer said `Referrer-Policy: no-referrer`, so the browser never named the claim's page). It leads to the
    claim's page in English; so does the form sent again from the refused form's own address, which is no page."""
    sign_in("kjj")
    claim = f"/ui/claims/{world.pending_claim}"
    page.goto(claim)
    for sent in range(2):  # from the claim's page, then again from the refused form's page
        page.get_by_label("批准金额").fill("一百万")
        page.get_by_label("审批意见").fill("经审核，同意")
        with page.expect_response(re.compile(r"/approve$")) as answered:
            page.get_by_role("button", name="批准").click()
        assert answered.value.status == 422
        assert answered.value.request.header_value("referer") == live.url + (claim if sent == 0 else claim + "/approve")
        expect(page.get_by_test_id("form-refusal")).to_be_visible()
        assert page.url == live.url + claim + "/approve"
    shot("refused")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(re.escape(claim) + r"\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("claim-status")).to_have_text("pending")
    shot("english")
    # Sent from a page, the link names that page with its query (here the language it was read in).
    page.get_by_label(re.compile("^Amount in yuan")).fill("abc")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_test_id("form-refusal")).to_be_visible()
    page.get_by_role("link", name="中文").click()
    page.wait_for_url(re.compile(re.escape(claim) + r"\?lang=zh$"))
    expect(page.get_by_test_id("claim-status")).to_have_text("待审批")
    assert live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")["status"] == "pending"


def test_a_rejection_sent_after_the_session_expired_signs_in_back_to_the_claim_s_page(
        page, live, world, sign_in, shot, database_url):
    """A clerk's probe: the session expired while a rejection reason was typed; 驳回 led to the sign-in page, which
    said nothing, and signing in again to the 405 page of the form's address. The sign-in page says the session
    expired and the rejection was not recorded, and signing in leads back to the claim's page, its reject form
    there to fill in again; nothing was rejected."""
    sign_in("kjj")
    claim = f"/ui/claims/{world.pending_claim}"
    page.goto(claim)
    page.get_by_label("驳回理由").fill("材料不全，不予受理")
    query(database_url, "UPDATE ui_sessions SET expires_at = %s", (time.time() - 1,))
    page.get_by_role("button", name="驳回").click()
    page.wait_for_url(re.compile(r"/ui/sign-in\?"))
    expect(page.get_by_test_id("session-expired")).to_contain_text("登录已过期")
    expect(page.get_by_test_id("session-expired")).to_contain_text("表单未记录")
    expect(page.get_by_test_id("unread-params")).to_have_count(0)
    shot("expired")
    page.get_by_label("访问令牌").fill(live.tokens["kjj"])
    page.get_by_role("button", name=re.compile("^登录$")).click()
    page.wait_for_url(re.compile(re.escape(claim) + "$"))
    expect(page.get_by_test_id("claim-status")).to_have_text("待审批")
    expect(page.get_by_test_id("reject-form")).to_be_visible()
    shot("back-on-the-claim")
    assert live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")["status"] == "pending"
