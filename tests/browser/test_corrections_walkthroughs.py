"""Corrections in a real browser, in Chinese: a bureau clerk previews then confirms a revocation, finance
records a partial repayment (after a refused one), and a pending claim is withdrawn with what was typed kept."""
from __future__ import annotations

import re

from playwright.sync_api import expect


def test_a_clerk_previews_and_confirms_a_revocation_then_finance_takes_a_partial_repayment(page, live, world,
                                                                                           sign_in, shot):
    """The preview lists the award's release and recovery and writes nothing; confirming revokes it; finance
    finds the recovery on her home, is refused above the outstanding amount (her figures kept) and repays part."""
    sign_in("kjj")
    page.goto(f"/ui/claims/{world.approved_claim}")
    form = page.get_by_test_id("revoke-form")
    form.get_by_label("原因").fill("核查发现申报数据不实")
    form.get_by_role("button", name="预览影响").click()
    # Sent without its document: the page says what to fix and keeps the reason as typed.
    expect(page.get_by_test_id("error-document_ref")).to_contain_text("请填写依据文件文号")
    expect(page.get_by_test_id("revoke-form").get_by_label("原因")).to_have_value("核查发现申报数据不实")
    shot("revoke-refused")
    page.get_by_test_id("revoke-form").get_by_label("依据文件文号").fill("杭高新科〔2024〕17号")
    page.get_by_test_id("revoke-form").get_by_role("button", name="预览影响").click()
    preview = page.get_by_test_id("preview")
    expect(preview).to_contain_text("已撤销")
    row = preview.locator(f"tr[data-claim='{world.approved_claim}']")
    expect(row).to_contain_text("100,000.00 元（将开立追回款项）")
    shot("revoke-preview")
    # The preview was a dry run: the claim still stands, and no recovery exists.
    assert live.ok("GET", f"/v1/claims/{world.approved_claim}", as_="auditor")["status"] == "approved"
    assert live.ok("GET", "/v1/recoveries", as_="finance")["recoveries"] == []
    preview.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("已撤销")
    # The notice says what the revocation did: the municipal ERC's 200,000 less the 100,000 paid released, the
    # 100,000 paid to be recovered.
    expect(page.get_by_test_id("corrected")).to_have_text(
        "奖补已撤销：未拨付的 100,000.00 元已释放（额度、等次与专项资金）。"
        "已拨付的 100,000.00 元转为应追回款项，见下方“追回款项”。")
    shot("revoked")

    sign_in("finance")
    home_row = page.get_by_test_id("recoveries").locator("tr[data-recovery]")
    expect(home_row).to_contain_text("100,000.00 元")
    home_row.get_by_role("link").click()
    expect(page.get_by_test_id("recovery-outstanding")).to_have_text("100,000.00 元")
    repay = page.get_by_test_id("repay-form")
    repay.get_by_label("金额").fill("150000")
    repay.get_by_label("到账日期").fill("2024-04-02")
    repay.get_by_label("银行流水号").fill("ICBC-20240402-000031")
    repay.get_by_role("button", name="登记还款").click()
    expect(page.get_by_test_id("form-refusal-code")).to_have_text("over_recovered")
    expect(page.get_by_test_id("form-refusal")).not_to_contain_text("repayment")  # the refusal in Chinese too
    expect(page.get_by_test_id("error-amount")).to_contain_text("不能超过未追回余额")
    expect(page.get_by_test_id("repay-form").get_by_label("金额")).to_have_value("150000")
    expect(page.get_by_test_id("repay-form").get_by_label("银行流水号")).to_have_value("ICBC-20240402-000031")
    shot("repay-refused")
    page.get_by_test_id("repay-form").get_by_label("金额").fill("40000.00")
    page.get_by_test_id("repay-form").get_by_role("button", name="登记还款").click()
    expect(page.get_by_test_id("done")).to_have_text("还款已登记。")
    expect(page.get_by_test_id("recovery-recovered")).to_have_text("40,000.00 元")
    expect(page.get_by_test_id("recovery-outstanding")).to_have_text("60,000.00 元")
    expect(page.get_by_test_id("repayments")).to_contain_text("ICBC-20240402-000031")
    shot("repaid")
    page.get_by_role("navigation").get_by_role("link", name="追回款项").click()
    per_org = page.get_by_test_id("recoveries-by-organisation")
    expect(per_org).to_contain_text(world.uscc)
    expect(per_org).to_contain_text("60,000.00 元")
    shot("recoveries")
    recovery = live.ok("GET", "/v1/recoveries?status=open", as_="finance")["recoveries"][0]
    assert (recovery["recovered"], recovery["outstanding"]) == ("40000.00", "60000.00")


def test_a_clerk_withdraws_a_pending_claim_after_its_preview(page, live, world, sign_in, shot):
    """A blank reason is refused on the page; the preview releases the entitlement; confirming withdraws it."""
    sign_in("kjj")
    page.goto(f"/ui/claims/{world.pending_claim}")
    form = page.get_by_test_id("withdraw-form")
    form.get_by_role("button", name="预览影响").click()
    expect(page.get_by_test_id("error-reason")).to_contain_text("请填写原因")
    page.get_by_test_id("withdraw-form").get_by_label("原因").fill("申请单位主动撤回申请")
    page.get_by_test_id("withdraw-form").get_by_role("button", name="预览影响").click()
    expect(page.get_by_test_id("preview")).to_contain_text("300,000.00 元")
    assert live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")["status"] == "pending"
    shot("withdraw-preview")
    page.get_by_test_id("preview").get_by_role("button", name="确认撤回").click()
    expect(page.get_by_test_id("claim-status")).to_have_text(re.compile("已撤回"))
    assert live.ok("GET", f"/v1/claims/{world.pending_claim}", as_="auditor")["status"] == "withdrawn"
