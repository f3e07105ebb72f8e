"""The pages at phone width (375 px) in a real browser, on a demo district: the page itself never scrolls
sideways (wide tables scroll inside their own box), the nav wraps by whole items, totals cards show their whole
figure, body text stays readable; and the same pages at 1280 px keep one line of nav and unclipped cards."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, Live
from tests.support import unique_id, unique_uscc

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

# What the page measures: sideways overflow, each nav link's box against its text, each totals card's figure
# against its box, and the smallest font of running text (paragraphs, table cells, list items, the nav).
MEASURE = """() => {
  const root = document.documentElement;
  const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight)
                             || parseFloat(getComputedStyle(el).fontSize) * 1.5;
  const nav = [...document.querySelectorAll('header nav a')].map((a) => {
    const box = a.getBoundingClientRect();
    return {text: a.textContent.trim(), width: box.width, height: box.height, line: lineHeight(a),
            scroll: a.scrollWidth, client: a.clientWidth, right: box.right};
  });
  const cards = [...document.querySelectorAll('dl.totals dd')].map((dd) => {
    const box = dd.getBoundingClientRect();
    return {text: dd.textContent.trim(), scroll: dd.scrollWidth, client: dd.clientWidth, right: box.right,
            height: box.height, line: lineHeight(dd)};
  });
  const texts = [...document.querySelectorAll('main p, main td, main th, main li, main dd, main dt, header nav a')]
    .filter((el) => el.offsetParent !== null && el.textContent.trim())
    .map((el) => ({tag: el.tagName, text: el.textContent.trim().slice(0, 30),
                   size: parseFloat(getComputedStyle(el).fontSize)}));
  const sticking = [...document.querySelectorAll('body *')].filter((el) => {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= window.innerWidth + 1) return false;
    for (let up = el.parentElement; up; up = up.parentElement) {  // inside a box that scrolls is fine
      const o = getComputedStyle(up).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
    }
    return true;
  }).map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' '
                 + Math.round(el.getBoundingClientRect().right));
  return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, nav, cards, texts,
          sticking: sticking.slice(0, 8)};
}"""


def _first(items: list[dict], what: str) -> dict:
    assert items, f"the demo district has no {what}"
    return items[0]


@pytest.fixture
def district(demo_district: str, live: Live) -> dict[str, str]:
    """The live app over a small demo district (generated before the app starts); an organisation with a
    recovery, a claim of kjj's (pending if there is one) and a year of the policy, to open the pages on."""
    deadline = time.monotonic() + 30  # the read models catch up with the district the app found on start
    while not (recoveries := live.ok("GET", "/v1/recoveries", as_="auditor")["recoveries"]):
        assert time.monotonic() < deadline, "the demo district has no recovery"
        time.sleep(0.2)
    recovery = recoveries[0]
    claims = live.ok("GET", "/v1/claims?bureau=kjj", as_="kjj")["claims"]
    claim = _first([c for c in claims if c["status"] == "pending"] + claims, "claim of kjj's")
    resting = (live.ok("GET", f"/v1/claims/{c['id']}", as_="kjj").get("certification_id") for c in claims[:40])
    certification = next((c for c in resting if c), None)
    assert certification, "the demo district has no claim of kjj's resting on a certification"
    return {"uscc": recovery["uscc"], "claim": claim["id"], "year": "2023", "recovery": recovery["id"],
            "certification": certification}


def _pages(who: str, d: dict[str, str]) -> list[str]:
    org, claim = f"/ui/organisations/{d['uscc']}", f"/ui/claims/{d['claim']}"
    return {
        "kjj": ["/ui/", org, claim, "/ui/recoveries", "/ui/sandbox", "/ui/organisations?q=%E7%A7%91%E6%8A%80",
                f"/ui/certifications/{d['certification']}"],
        "finance": ["/ui/", f"/ui/finance?year={d['year']}", "/ui/finance/write", "/ui/recoveries",
                    f"/ui/recoveries/{d['recovery']}"],
        "auditor": ["/ui/", org, claim, f"/ui/finance?year={d['year']}", "/ui/recoveries", "/ui/audit",
                    f"/ui/recoveries/{d['recovery']}", "/ui/sandbox"],
    }[who]


def _save(page: Any, request: pytest.FixtureRequest, who: str, path: str, width: int) -> None:
    folder = Path(os.environ.get("LEDGER_NARROW_SHOTS", SCREENSHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    backend = "postgres" if "postgres" in request.node.name else "sqlite"
    name = re.sub(r"[^A-Za-z0-9]+", "-", path.split("?")[0].removeprefix("/ui/")).strip("-") or "home"
    if "?" in path:
        name += "-" + re.sub(r"[^A-Za-z0-9]+", "-", path.split("?")[1]).strip("-")
    page.screenshot(path=str(folder / f"narrow-{backend}-{width}-{who}-{name[:40]}.png"), full_page=True)


def _problems(m: dict, path: str, narrow: bool) -> list[str]:
    found = []
    if m["scrollWidth"] > m["innerWidth"]:
        found.append(f"{path}: the page is {m['scrollWidth']} px wide in a {m['innerWidth']} px window "
                     f"(sticking out: {m['sticking']})")
    for a in m["nav"]:
        lines = a["height"] / a["line"]
        if lines > 2.2 if narrow else lines > 1.2:
            found.append(f"{path}: nav link {a['text']!r} takes {lines:.1f} lines ({a['width']:.0f} px wide)")
        if a["scroll"] > a["client"] + 1 or a["right"] > m["innerWidth"] + 1:
            found.append(f"{path}: nav link {a['text']!r} is clipped")
    for dd in m["cards"]:
        if dd["scroll"] > dd["client"] + 1 or dd["right"] > m["innerWidth"] + 1:
            found.append(f"{path}: totals card {dd['text']!r} is clipped ({dd['scroll']} > {dd['client']} px)")
        if not narrow and dd["height"] > dd["line"] * 1.2:
            found.append(f"{path}: totals card {dd['text']!r} wraps at 1280 px")
    small = [t for t in m["texts"] if t["size"] < 14]
    if small:
        found.append(f"{path}: text below 14 px: {small[:3]}")
    return found


@pytest.mark.parametrize("who", ["kjj", "finance", "auditor"])
def test_the_pages_fit_a_phone_and_still_fit_a_desktop(browser, live, district, who, request) -> None:
    """Each page `who` sees, in both languages, at 375 px (with app.js, which boxes wide tables, and without it,
    where style.css lets a table scroll as a box itself) and at 1280 px."""
    problems: list[str] = []
    for viewport, scripts in ((PHONE, True), (PHONE, False), (DESKTOP, True)):
        narrow = viewport is PHONE
        context = browser.new_context(base_url=live.url, locale="zh-CN", viewport=viewport,
                                      java_script_enabled=scripts)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            page.goto("/ui/sign-in")
            page.get_by_label(re.compile("访问令牌|Access token")).fill(live.tokens[who])
            page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).click()
            page.wait_for_url(lambda url: "/ui/sign-in" not in url)
            for path in _pages(who, district):
                for lang in ("zh", "en"):  # the choice sticks: each page names its language
                    url = path + ("&" if "?" in path else "?") + "lang=" + lang
                    answer = page.goto(url)
                    assert answer is not None and answer.status == 200, f"{url}: {answer and answer.status}"
                    problems += _problems(page.evaluate(MEASURE), url + ("" if scripts else " (no app.js)"), narrow)
                    if lang == "zh" and scripts:
                        _save(page, request, who, path, viewport["width"])
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def _signed_in(browser: Any, live: Live, who: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    """A browser context at `viewport`, signed in as `who` (in Chinese), and its page."""
    context = browser.new_context(base_url=live.url, locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.goto("/ui/sign-in")
    page.get_by_label("访问令牌").fill(live.tokens[who])
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/ui/sign-in" not in url)
    return context, page


def test_keyboard_focus_is_visible_at_phone_width(browser, live, district) -> None:
    """Tabbing to a nav link at 375 px shows a focus ring (an outline of some width, not `none`)."""
    context, page = _signed_in(browser, live, "auditor", PHONE)
    try:
        page.goto(f"/ui/organisations/{district['uscc']}")
        for _ in range(3):  # the brand, then the first nav links
            page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const el = document.activeElement, s = getComputedStyle(el);
            return {tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")
        assert focused["tag"] == "A" and focused["style"] != "none" and focused["width"] >= 1, focused
    finally:
        context.close()


def test_the_certification_import_pages_fit_a_phone(browser, live) -> None:
    """At 375 px, in both languages, the import form (its one-line list of columns) and the result of an import
    (the list's SHA-256, a refused line) do not scroll the page sideways: such code text wraps."""
    listed = ("uscc,programme,tier,effective_on,document_ref,body_id\n"
              "91330108MA2CFXXX00,A6.honour,,2023-03-01,杭经信〔2023〕1号,\n").encode()
    context = browser.new_context(base_url=live.url, locale="zh-CN", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto("/ui/sign-in")
        page.get_by_label("访问令牌").fill(live.tokens["kjj"])
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda url: "/ui/sign-in" not in url)
        for lang in ("zh", "en"):
            url = f"/ui/certifications/imports?lang={lang}"
            page.goto(url)
            problems += _problems(page.evaluate(MEASURE), url, narrow=True)
            page.set_input_files("#file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": listed}])
            page.get_by_test_id("import-form").locator("button[type=submit]").click()
            page.get_by_test_id("import-result").wait_for()
            problems += _problems(page.evaluate(MEASURE), url + " (its result)", narrow=True)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_table_wider_than_its_box_is_reached_by_the_keyboard(browser, live, district) -> None:
    """At 375 px a wide table scrolls in its box; a keyboard user reaches that box (tabindex 0, a group named as
    its table, not a landmark beside its section's) to scroll it (axe-core's scrollable-region-focusable, a pages
    probe). At 1280 px a box that fits takes no place in the tab order."""
    for viewport, narrow in ((PHONE, True), (DESKTOP, False)):
        context, page = _signed_in(browser, live, "finance", viewport)
        try:
            page.goto(f"/ui/finance?year={district['year']}")
            boxes = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')].map((b) => ({
                wide: b.scrollWidth > b.clientWidth + 1, tab: b.getAttribute('tabindex'), role: b.getAttribute('role'),
                named: b.getAttribute('aria-label') || b.getAttribute('aria-labelledby')}))""")
            wide = [b for b in boxes if b["wide"]]
            if narrow:
                assert wide, boxes
                assert all(b["tab"] == "0" and b["role"] == "group" and b["named"] for b in wide), wide
            assert all(b["tab"] is None for b in boxes if not b["wide"]), boxes
        finally:
            context.close()


# On paper (print media at an A4 page's printable width, 186 mm at 96 dpi): every table's cells lie inside the
# page (paper does not scroll, so a cell beyond it is lost without a sign), and no control is printed.
PAPER = {"width": 703, "height": 1000}
ACROSS = {"width": 1031, "height": 703}  # A4 landscape, for a page whose main prints across the sheet
PRINTED = """() => {
  const page = document.documentElement.clientWidth;
  const cut = [...document.querySelectorAll('table th, table td')]
    .filter((cell) => cell.offsetParent !== null && cell.getBoundingClientRect().right > page + 1)
    .map((cell) => cell.textContent.trim().slice(0, 20));
  // An action's section (a form's heading and hint: "Revoke this certification") is no record of the page, unless
  // it holds the preview a clerk prints for sign-off.
  const shown = [...document.querySelectorAll('header.top, form.card, form.search, button, '
                                             + 'section.decide:not(:has(.preview)), '
                                             + 'section:has(> form.card):not(:has(.preview))')]
    .filter((el) => el.offsetParent !== null).map((el) => el.tagName.toLowerCase() + '.' + el.className);
  const closed = document.querySelectorAll('details:not([open])').length;
  const beyond = [...document.querySelectorAll('main *')]
    .filter((el) => el.offsetParent !== null && !el.children.length && el.getBoundingClientRect().right > page + 1)
    .map((el) => el.tagName.toLowerCase() + ' ' + el.textContent.trim().slice(0, 30));
  return {cut: cut.slice(0, 6), shown: shown.slice(0, 6), closed, beyond: beyond.slice(0, 6)};
}"""


@pytest.fixture
def long_reference(live: Live) -> str:
    """A claim whose document reference is 80 characters without a space (a regression probe's ran off the sheet
    in print); its page's path, added to the pages printed."""
    uscc = unique_uscc()
    live.ok("POST", "/v1/organisations", {"uscc": uscc, "name": f"杭州长文号科技有限公司{uscc[-4:]}",
                                          "in_district": True})
    live.ok("POST", "/v1/innovation-bodies", {"id": unique_id("CONS-"), "name": "滨江企业创新联合体",
                                              "kind": "consortium", "lead_uscc": uscc, "recognised_on": "2022-10-01"})
    claim = live.ok("POST", "/v1/claims", {"uscc": uscc, "programme": "A5.voucher", "award_year": 2023,
                                           "effective_on": "2023-06-01", "basis_amount": "1000000.00",
                                           "document_ref": "杭高新科" + "X" * 76}, as_="kjj")
    return f"/ui/claims/{claim['id']}"


@pytest.mark.parametrize("who", ["kjj", "finance", "auditor"])
def test_a_printed_page_keeps_every_column_and_prints_no_controls(browser, live, district, long_reference,
                                                                   who) -> None:
    """A pages probe: printing the organisation page cut its table after "Paid" (the boxes that scroll on screen
    clip on paper), and printed the nav, sign-out and every form. Each page `who` sees, in both languages, as
    print media at A4's width: no table cell beyond the page, no control shown, and every folded claim opened
    for the print (app.js, on `beforeprint`) and folded again after it."""
    context, page = _signed_in(browser, live, who, PAPER)
    problems: list[str] = []
    try:
        for path in [*_pages(who, district), long_reference]:
            for lang in ("zh", "en"):
                url = path + ("&" if "?" in path else "?") + "lang=" + lang
                page.emulate_media(media="screen")
                page.goto(url)
                folded = page.evaluate("() => document.querySelectorAll('details:not([open])').length")
                page.emulate_media(media="print")
                across = page.evaluate("() => getComputedStyle(document.querySelector('main')).page === 'across'")
                page.set_viewport_size(ACROSS if across else PAPER)
                page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
                m = page.evaluate(PRINTED)
                if m["cut"]:
                    problems.append(f"{url}: cells beyond the page: {m['cut']}")
                if m["shown"]:
                    problems.append(f"{url}: controls printed: {m['shown']}")
                if m["closed"]:
                    problems.append(f"{url}: {m['closed']} details still folded for the print")
                if m["beyond"]:
                    problems.append(f"{url}: runs past the page: {m['beyond']}")
                page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
                again = page.evaluate("() => document.querySelectorAll('details:not([open])').length")
                if again != folded:
                    problems.append(f"{url}: {folded} details folded before the print, {again} after it")
                page.set_viewport_size(PAPER)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_filter_label_stays_on_the_line_of_its_field_at_phone_width(browser, live, district) -> None:
    """A pages probe: at 360 px the queue's filters wrapped between "Status" and its select, so the label ended one
    line and its field began the next beside another label. Each filter form's label now sits beside its field (the
    same line), on every page with one, in both languages."""
    problems: list[str] = []
    for who, paths in (("kjj", ["/ui/", "/ui/recoveries", f"/ui/organisations/{district['uscc']}"]),
                       ("finance", [f"/ui/finance?year={district['year']}"])):
        context, page = _signed_in(browser, live, who, {"width": 360, "height": 740})
        try:
            for path in paths:
                for lang in ("zh", "en"):
                    url = path + ("&" if "?" in path else "?") + "lang=" + lang
                    page.goto(url)
                    pairs = page.evaluate("""() => [...document.querySelectorAll('form.search label')].map((l) => {
                        const a = l.getBoundingClientRect(), c = l.control.getBoundingClientRect();
                        return {label: l.textContent.trim(), height: c.height,
                                apart: Math.abs((a.top + a.bottom) - (c.top + c.bottom)) / 2}; })""")
                    assert pairs, f"{url}: no filter form"
                    problems += [f"{url}: {p['label']!r} is {p['apart']:.0f} px off its field's line"
                                 for p in pairs if p["apart"] > p["height"] / 2]
        finally:
            context.close()
    assert not problems, "\n".join(problems)
