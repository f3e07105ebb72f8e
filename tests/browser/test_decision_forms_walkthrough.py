"""A refused decision in a real browser: the claim page comes back with what the clerk typed and the field to
fix, and the corrected form (a fresh key, the button enabled again) is recorded."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_refused_approval_comes_back_as_typed_and_the_corrected_one_is_recorded(page, live, world, sign_in, shot):
    """kjj approves 0.00: the page says the amount must be more than 0.00 beside 批准金额, keeps 0 and the note;
    she clears the amount and approves again: the entitlement is approved."""
    sign_in("kjj")
    page.goto(f"/ui/claims/{world.pending_claim}")
    form = page.get_by_test_id("approve-form")
    key = form.locator("input[name=key]").input_value()
    form.get_by_label(re.compile("批准金额")).fill("0")
    form.get_by_label("审批意见").fill("经审核，同意")
    form.get_by_role("button", name="批准").click()
    expect(page.get_by_test_id("form-refusal")).to_contain_text("批准金额")
    form = page.get_by_test_id("approve-form")
    expect(form.get_by_test_id("error-amount")).to_contain_text("大于 0.00")
    # The keyboard's focus is on the field to fix, not left at the top of the page (a pages probe).
    expect(form.get_by_label(re.compile("批准金额"))).to_be_focused()
    expect(form.get_by_label(re.compile("批准金额"))).to_have_value("0")
    expect(form.get_by_label("审批意见")).to_have_value("经审核，同意")
    assert form.locator("input[name=key]").input_value() != key
    shot("refused")
    form.get_by_label(re.compile("批准金额")).fill("")
    form.get_by_role("button", name="批准").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("已批准")
    expect(page.get_by_test_id("approved")).to_have_text("300,000.00 元")
    expect(page.get_by_test_id("decision-note")).to_have_text("经审核，同意")
    shot("approved")


def test_the_first_tab_reaches_a_link_that_skips_to_the_main_content(page, live, world, sign_in):
    """A keyboard user's first Tab lands on 跳到正文 (shown once focused), which moves focus past the navigation."""
    sign_in("kjj")
    page.goto(f"/ui/claims/{world.pending_claim}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到正文")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
