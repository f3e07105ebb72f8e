"""An auditor, in Chinese, in a real browser: saves the chain's digest from the audit page, uploads it again
after more events (the ledger extends it), after someone rewrote an event and the chain table to match (it
differs, and the page says where), and uploads a file that is no digest (refused, saying what to send)."""
from __future__ import annotations

import json
import re

from playwright.sync_api import expect

from tests.audit.conftest import Dba
from tests.support import unique_uscc


def test_an_auditor_checks_a_saved_digest_on_the_audit_page(page, live, world, sign_in, shot, database_url,
                                                            tmp_path):
    """Download, more events, upload → 一致; an event rewritten with its chain → 不一致 between positions;
    a CSV → refused with what to upload; a bureau may not check."""
    sign_in("auditor")
    page.goto("/ui/audit")
    with page.expect_download() as download:
        page.get_by_test_id("saved-download").click()
    saved_path = tmp_path / download.value.suggested_filename
    download.value.save_as(saved_path)
    saved = json.loads(saved_path.read_text())
    assert re.fullmatch(r"award-ledger-digest-\d+\.json", saved_path.name) and saved["position"] > 0

    uscc = unique_uscc()  # the ledger goes on after the digest was saved
    live.ok("POST", "/v1/organisations", {"uscc": uscc, "name": "杭州滨江后来科技有限公司", "in_district": True})
    page.get_by_label("保存的摘要文件").set_input_files(str(saved_path))
    page.get_by_role("button", name="核对").click()
    verdict = page.get_by_test_id("saved-verdict")
    expect(verdict).to_have_attribute("data-verdict", "extends")
    expect(verdict).to_contain_text(f"一致：台账仍延续保存的摘要，截至位置 {saved['position']} 的事件未被改动")
    expect(page.get_by_test_id("verified")).to_contain_text("核验通过")
    verdict.scroll_into_view_if_needed()
    shot("extends")

    dba = Dba(database_url)  # someone with the database's keys changes an event and rewrites the chain to match
    target = next(p for p in dba.positions() if p >= saved["position"] // 2)
    dba.flip_byte(target)
    dba.rewrite_chain()
    page.get_by_label("保存的摘要文件").set_input_files(str(saved_path))
    page.get_by_role("button", name="核对").click()
    expect(verdict).to_have_attribute("data-verdict", "differs")
    expect(verdict).to_contain_text(f"至 {saved['position']} 之间")
    expect(page.get_by_test_id("verified")).to_contain_text("核验通过")  # the chain table alone was fooled
    shot("differs")

    statement = tmp_path / "statement.csv"
    statement.write_text("交易日期,交易金额\n2023-07-03,100000.00\n", encoding="utf-8")
    page.get_by_label("保存的摘要文件").set_input_files(str(statement))
    page.get_by_role("button", name="核对").click()
    expect(page.get_by_test_id("saved-refused")).to_contain_text("文件“statement.csv”不是 JSON")
    expect(page.get_by_test_id("saved-refused")).to_contain_text("GET /v1/audit/digest")
    shot("refused")

    sign_in("kjj")
    assert page.goto("/ui/audit").status == 403
