"""Finance in Chinese in a real browser: an appropriation, a refused payout corrected in place, and a bank's
GB18030 statement uploaded, previewed against the payouts, then confirmed."""
from __future__ import annotations

import re
from urllib.parse import quote

from playwright.sync_api import expect

from tests.support import unique_id


def _statement(ref: str, stray: str) -> bytes:
    """A statement as a Chinese bank exports it (GB18030, Chinese headers, thousands separators)."""
    return ("交易日期,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,附言\n"
            f'2023-08-01,10:15:32,"150,000.00",,"299,850,000.00",杭州某某科技有限公司,'
            f"3301 0400 0012 3456 789,补助款,{ref} 认定奖励\n"
            f'2023-08-02,11:00:00,"8,000.00",,"299,842,000.00",杭州另一公司,'
            f"3301 0400 0012 0000 001,补助款,{stray} 创新券\n"
            ).encode("gb18030")


def test_finance_records_and_reconciles_through_the_dashboard(page, live, world, sign_in, shot, tmp_path):
    """Finance records an appropriation; a payout above what is left is refused with the typed values kept
    and the field named; corrected, it is recorded; a statement upload shows one match and one stray line
    before anything is imported, and confirming imports it."""
    sign_in("finance")
    page.get_by_role("link", name="财务录入").click()
    form = page.get_by_test_id("appropriation-form")
    form.get_by_label("年度").fill("2024")
    form.get_by_label("金额（元）").fill("300,000,000.00")
    form.get_by_label("文件文号").fill("杭高新财〔2024〕1号")
    form.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("recorded")).to_contain_text("已记录：资金安排")

    ref = unique_id("PAY-")
    form = page.get_by_test_id("payout-form")
    form.get_by_label("申请编号").fill(world.approved_claim)
    form.get_by_label("金额（元）").fill("150000.01")  # 100,000.00 of 200,000.00 is already paid
    form.get_by_label("拨付日期").fill("2023-08-01")
    form.get_by_label("银行流水号").fill(ref)
    form.get_by_role("button", name="记录").click()
    error = page.get_by_test_id("payout-form").get_by_test_id("form-error")
    expect(error).to_contain_text("超出批准金额")
    expect(error).to_contain_text("待拨付 100,000.00 元")
    expect(error).to_contain_text("请修改：金额（元）")
    form = page.get_by_test_id("payout-form")
    expect(form.get_by_label("银行流水号")).to_have_value(ref)
    expect(form.get_by_label("金额（元）")).to_have_value("150000.01")
    expect(form.get_by_label("金额（元）")).to_have_attribute("aria-invalid", "true")
    shot("payout-refused")
    form.get_by_label("金额（元）").fill("100000.00")
    form.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("recorded")).to_contain_text("已记录：拨付")

    upload = tmp_path / "工行对账单.csv"
    upload.write_bytes(_statement(ref, unique_id("PAY-")))
    form = page.get_by_test_id("statement-form")
    form.get_by_label(re.compile("对账单文件")).set_input_files(str(upload))
    form.get_by_role("button", name="预览匹配结果").click()
    expect(page.get_by_role("heading", name="导入前预览")).to_be_visible()
    expect(page.get_by_test_id("encoding")).to_contain_text("gb18030")
    expect(page.get_by_test_id("match-summary")).to_contain_text("已匹配 0")  # 150,000.00 vs 100,000.00 paid
    expect(page.get_by_test_id("report-amount_mismatches")).to_contain_text(ref)
    expect(page.get_by_test_id("report-unmatched_bank_lines")).to_contain_text("8,000.00")
    shot("statement-preview")
    before = live.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="银行对账单")).to_be_visible()
    expect(page.get_by_test_id("statement")).to_contain_text("工行对账单.csv")
    expect(page.get_by_test_id("report-amount_mismatches")).to_contain_text(ref)
    shot("statement-imported")
    statement_id = page.url.rsplit("/", 1)[1]
    imported = live.ok("GET", f"/v1/finance/bank-statements/{statement_id}", as_="finance")
    assert imported["lines"] == 2 and imported["report"]["counts"]["amount_mismatches"] == 1
    assert before["totals"]["paid"] == live.ok("GET", "/v1/finance/reconciliation?year=2023",
                                                as_="finance")["totals"]["paid"]


def test_finance_corrects_a_mistyped_appropriation_through_the_dashboard(page, live, world, sign_in, shot):
    """2023's document was booked at 300,000,000.00, a zero too many. Taking it below what 2023's approvals charge
    (an ERC award of 200,000.00) is refused with the field named and what was typed kept; the right figure is then
    recorded, and the year's fund reads it."""
    sign_in("finance")
    page.get_by_role("link", name="财务录入").click()
    form = page.get_by_test_id("appropriation-fix-form")
    form.get_by_label("年度").fill("2023")
    form.get_by_label("原安排文号").fill("杭高新财〔2023〕1号")
    form.get_by_label("更正后金额（元）").fill("100000")
    form.get_by_label("原因").fill("录入时多打了一个零")
    form.get_by_label("更正依据文件文号").fill("杭高新财〔2023〕9号")
    form.get_by_role("button", name="记录").click()
    error = page.get_by_test_id("appropriation-fix-form").get_by_test_id("form-error")
    expect(error).to_contain_text("fund_exhausted")
    expect(error).to_contain_text("已批准 200,000.00 元")
    expect(error).to_contain_text("请修改：更正后金额（元）")
    form = page.get_by_test_id("appropriation-fix-form")
    expect(form.get_by_label("原因")).to_have_value("录入时多打了一个零")
    shot("appropriation-fix-refused")
    form.get_by_label("更正后金额（元）").fill("30,000,000.00")
    form.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("recorded")).to_contain_text("已记录：更正资金安排")
    fund = live.ok("GET", "/v1/appropriations/2023", as_="finance")
    assert (fund["appropriated"], fund["approved"]) == ("30000000.00", "200000.00"), fund
    assert fund["appropriations"][0] == {"amount": "30000000.00", "document_ref": "杭高新财〔2023〕1号"}, fund
    # The year's finance page lists the documents the fund rests on and the correction, with who, why and when (a
    # pages probe: the form asked for a document no page showed, and no page showed the correction).
    page.goto("/ui/finance?year=2023")
    expect(page.get_by_test_id("appropriations")).to_contain_text("杭高新财〔2023〕1号")
    expect(page.get_by_test_id("appropriations")).to_contain_text("30,000,000.00")
    corrections = page.get_by_test_id("appropriation-corrections")
    for said in ("300,000,000.00", "30,000,000.00", "录入时多打了一个零", "杭高新财〔2023〕9号", "finance-ui",
                 "北京时间"):
        expect(corrections).to_contain_text(said)
    shot("appropriation-corrections")


def test_finance_forms_mark_every_fault_at_once_and_land_only_on_what_was_recorded(page, live, world, sign_in, shot):
    """In a browser: a payout with its bank reference typed full width and an amount above what is left is marked
    on both fields in one send; a correction naming a document 2023 does not hold beside an amount that is none, on
    both; an English full-width year names the field once; an appropriation's landing names its year and document,
    and the landing's address with nothing recorded shows no notice (regression probes)."""
    sign_in("finance")
    page.get_by_role("link", name="财务录入").click()
    before = live.ok("GET", "/v1/audit/digest")["position"]
    form = page.get_by_test_id("payout-form")
    form.get_by_label("申请编号").fill(world.approved_claim)
    form.get_by_label("金额（元）").fill("150,000.00")  # 100,000.00 of 200,000.00 is already paid
    form.get_by_label("拨付日期").fill("2023-08-01")
    form.get_by_label("银行流水号").fill("ＩＣＢＣ－０００１")
    form.get_by_role("button", name="记录").click()
    form = page.get_by_test_id("payout-form")
    for name in ("amount", "bank_ref"):
        expect(form.locator(f'[name="{name}"]')).to_have_attribute("aria-invalid", "true")
    for name in ("claim_id", "paid_on"):
        expect(form.locator(f'[name="{name}"]')).not_to_have_attribute("aria-invalid", "true")
    error = form.get_by_test_id("form-error")
    expect(error).to_contain_text("本次最多拨付 100,000.00 元")
    expect(error).to_contain_text("ICBC-0001")
    shot("payout-two-faults")

    form = page.get_by_test_id("appropriation-fix-form")
    form.get_by_label("年度").fill("2023")
    form.get_by_label("原安排文号").fill("杭高新财〔2023〕404号")
    form.get_by_label("更正后金额（元）").fill("三千万")
    form.get_by_label("原因").fill("录入时多打了一个零")
    form.get_by_label("更正依据文件文号").fill("杭高新财〔2023〕9号")
    form.get_by_role("button", name="记录").click()
    form = page.get_by_test_id("appropriation-fix-form")
    for name in ("appropriation_ref", "amount"):
        expect(form.locator(f'[name="{name}"]')).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_test_id("form-error")).to_contain_text("现有：杭高新财〔2023〕1号")
    shot("appropriation-fix-two-faults")

    page.goto("/ui/finance/write?lang=en")
    form = page.get_by_test_id("appropriation-form")
    form.locator('[name="year"]').fill("２０２４")
    form.locator('[name="amount"]').fill("1.00")
    form.locator('[name="document_ref"]').fill("BJCZ-2024-99")
    form.get_by_role("button", name="Record").click()
    error = page.get_by_test_id("appropriation-form").get_by_test_id("form-error")
    expect(error).to_contain_text("The year '２０２４' is written in full-width digits")
    expect(error).not_to_contain_text("Year: the year")
    assert live.ok("GET", "/v1/audit/digest")["position"] == before  # nothing refused was recorded

    page.goto("/ui/finance/write?lang=zh")
    document = unique_id("杭高新财追")
    form = page.get_by_test_id("appropriation-form")
    form.get_by_label("年度").fill("2024")
    form.get_by_label("金额（元）").fill("1,000.00")
    form.get_by_label("文件文号").fill(document)
    form.get_by_role("button", name="记录").click()
    notice = page.get_by_test_id("recorded")
    expect(notice).to_contain_text("已记录：资金安排")
    expect(notice).to_contain_text(f"2024 年度，文件文号 {document}")
    shot("appropriation-landed")
    for address in ("/ui/finance/write?done=appropriation", "/ui/finance/write?done=appropriation_fix&recorded="
                    + quote("2023:杭高新财〔2023〕1号", safe="")):
        page.goto(address)
        expect(page.get_by_role("heading", name="财务录入")).to_be_visible()
        expect(page.get_by_test_id("recorded")).to_have_count(0)
