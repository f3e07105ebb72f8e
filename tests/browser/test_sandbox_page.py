"""The sandbox page in a real browser, both stores: an auditor edits one rate of the catalogue in force, sees
the programme's delta in the table and the bars, downloads the CSV, and a number that is no number is
refused naming its field."""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

from tests.support import unique_id, unique_uscc

RATE = "A5.voucher 创新券补助 · 比例"


def _voucher_approved(live) -> str:
    uscc = unique_uscc()
    live.ok("POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "B-2023"},
            as_="finance")
    live.ok("POST", "/v1/organisations", {"uscc": uscc, "name": f"杭州沙盘科技有限公司{uscc[-4:]}",
                                          "in_district": True})
    live.ok("POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "滨江企业创新联合体",
                                              "kind": "consortium", "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    claim = live.ok("POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                           "effective_on": "2023-06-01", "basis_amount": "1000000.00"}, as_="kjj")
    live.ok("POST", f"/v1/claims/{claim['id']}/approve", {}, as_="kjj", status=200)
    return uscc


def _raise_the_rate(page, live, sign_in) -> None:
    """An auditor on the sandbox page with A5.voucher's rate raised to 0.40 and an approved claim explained."""
    uscc = _voucher_approved(live)
    sign_in("auditor")
    page.goto("/ui/sandbox")
    page.get_by_text("或修改现行政策的金额、比例与上限").click()
    page.get_by_label(RATE).fill("0.40")
    page.get_by_label(re.compile("逐笔说明某单位")).fill(uscc)


def test_an_edited_rate_shows_its_delta_and_downloads(page, live, sign_in) -> None:
    """Raising A5.voucher's rate to 0.40 in the form shows +100,000.00 on its row only, draws the bars, and the
    CSV button downloads the same figures."""
    _raise_the_rate(page, live, sign_in)
    page.get_by_test_id("simulate").click()
    row = page.locator('tr[data-code="A5.voucher"]')
    assert "100,000.00" in row.get_by_test_id("delta").inner_text()
    moved = page.locator("tr.moved").all_inner_texts()
    assert len(moved) == 1 and "A5.voucher" in moved[0]
    assert page.get_by_test_id("sandbox-chart").locator("rect").count() >= 2
    assert "300,000.00 元 → 400,000.00 元" in page.get_by_test_id("sandbox-organisation").inner_text()
    with page.expect_download() as caught:
        page.get_by_test_id("download-csv").click()
    text = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    assert "A5.voucher,创新券补助,300000.00,400000.00,100000.00,1" in text


def test_a_number_that_is_no_number_is_refused_naming_its_field(page, live, sign_in) -> None:
    """A rate of "abc" is answered 422 on the page naming the rate by its label, and nothing is simulated."""
    sign_in("kjj")
    page.goto("/ui/sandbox")
    page.get_by_text("或修改现行政策的金额、比例与上限").click()
    page.get_by_label(RATE).fill("abc")
    with page.expect_response(lambda r: r.url.endswith("/ui/sandbox") and r.request.method == "POST") as answer:
        page.get_by_test_id("simulate").click()
    assert answer.value.status == 422
    assert page.get_by_test_id("error-field").inner_text() == RATE  # by its label; the path marks the input
    assert re.fullmatch(r"programmes\[\d+\]\.rate", page.get_by_test_id("error-field").get_attribute("data-path"))
    assert page.get_by_test_id("sandbox-programmes").count() == 0


def test_a_simulation_while_the_long_queries_run_is_refused_on_the_page(page, live, sign_in, shot) -> None:
    """With this process's long-query slots taken (api/long_queries.py), the page answers 503 with the busy
    heading and says in Chinese to press Simulate again in a moment; once one is free, the same form simulates."""
    _raise_the_rate(page, live, sign_in)
    slots = live.app.state.long_queries
    with contextlib.ExitStack() as held:
        for _ in range(slots.limit):
            held.enter_context(slots.slot())
        with page.expect_response(lambda r: r.url.endswith("/ui/sandbox") and r.request.method == "POST") as answer:
            page.get_by_test_id("simulate").click()
        assert answer.value.status == 503
        refusal = page.get_by_test_id("draft-error").inner_text()
        assert "系统繁忙，暂未测算" in refusal and "请稍后再点“测算”" in refusal
        assert page.get_by_test_id("sandbox-programmes").count() == 0
        shot("busy")
    page.get_by_text("或修改现行政策的金额、比例与上限").click()
    page.get_by_label(RATE).fill("0.40")
    page.get_by_test_id("simulate").click()
    assert "100,000.00" in page.locator('tr[data-code="A5.voucher"]').get_by_test_id("delta").inner_text()
