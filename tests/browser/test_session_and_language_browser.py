"""Where a form leads back to, in Debian's Chromium as a clerk has it: the language link after a refused form. It
rests on the Referer a real browser sends (the pages' `Referrer-Policy: same-origin`), which a test over plain HTTP
can only set by hand."""
from __future__ import annotations

import re

from playwright.sync_api import expect


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

