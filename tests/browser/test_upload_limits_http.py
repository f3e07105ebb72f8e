"""The body cap on the pages' uploads (api/edge.py, api/web/too_large.py, api/web/finance_forms.py), over HTTP
through the real app on both stores: a bank statement just under the page's limit previews and is then recorded
from the preview (its base64 confirmation is allowed), and an upload or form over the limit answers a 413 page in
the page's language (Chinese unless the page is English, whatever Accept-Language says), with the limit and advice
that fits the form (a certification list: several files; a statement: by month; a finance form: type less), and
writes nothing."""
from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.settings import Settings
from tests.browser.conftest import api as _api
from tests.browser.conftest import page_client
from tests.browser.conftest import signed_in as _sign_in
from tests.browser.test_finance_pages_fixes import _paid_award as paid_award
from tests.support import unique_id, unique_uscc

PEOPLE = {"kjj": {"role": "bureau", "bureau": "kjj"}, "admin": {"role": "admin"}, "finance": {"role": "finance"}}
LIMIT = Settings.model_fields["max_body_bytes"].default  # LEDGER_MAX_BODY_BYTES, as page_client's app has it
SHOWN_LIMIT = f"{LIMIT:,}"


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _paid_award(client: TestClient) -> dict:
    """A 2023 ERC award of a fresh organisation, approved and paid 100,000.00 under a bank reference (the finance
    pages' own set-up, after the year's appropriation)."""
    _api(client, "POST", "/v1/appropriations", {"year": 2023, "amount": "300000000.00", "document_ref": "财1号"},
         as_="finance")
    return paid_award(client)


def _statement(payout_ref: str, size: int) -> tuple[bytes, int]:
    """A bank's GB18030 statement of about `size` bytes (never more): the payout's line, then debit lines to
    suppliers with long names; and how many transactions it holds."""
    head = ("账号：3301 0400 0012 3456 789\n交易日期,借方发生额,贷方发生额,对方户名,附言\n"
            f'2023-07-03,"100,000.00",,滨江某科技有限公司,{payout_ref} 认定奖励\n').encode("gb18030")
    lines, total, n = [head], len(head), 1
    while True:
        line = (f'2023-07-{4 + n % 20:02d},"1,{n % 1000:03d}.50",,杭州滨江{"集成电路产业链供应链协同创新" * 16}有限公司'
                f"{n:05d},货款 第{n:05d}笔\n").encode("gb18030")
        if total + len(line) > size:
            return b"".join(lines), n
        lines.append(line)
        total += len(line)
        n += 1


def _preview(client: TestClient, csrf: str, raw: bytes, lang: str = "zh"):
    return client.post(f"/ui/finance/statements/preview?lang={lang}", data={"csrf": csrf},
                       files={"file": ("七月对账单.csv", raw, "text/csv")})


def _refusal(answer, lang: str) -> str:
    """The 413 page's detail, asserting it is a page in `lang` with the code and the limit."""
    assert answer.status_code == 413, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html"), answer.headers["content-type"]
    page = answer.text
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    assert 'data-testid="refusal"' in page and ">body_too_large</code>" in page
    detail = page.split('data-testid="problem-detail">')[1].split("</dd>")[0]
    assert SHOWN_LIMIT in detail and "1 MiB" in detail
    assert ("字节" in detail and "未" in detail) if lang == "zh" else ("bytes" in detail and "othing" in detail)
    return detail


def test_a_statement_just_under_the_page_limit_previews_then_is_recorded_from_the_preview(client):
    """A file a little under LEDGER_MAX_BODY_BYTES previews; its confirmation (the file as base64, a third larger,
    over the limit itself) is recorded, and still needs the form's CSRF token and keeps its idempotency key."""
    award = _paid_award(client)
    raw, count = _statement(award["bank_ref"], LIMIT - 1024)
    assert LIMIT - 2048 < len(raw) <= LIMIT - 1024
    csrf = _sign_in(client, "finance")
    shown = _preview(client, csrf, raw)
    assert shown.status_code == 200, shown.text[:500]
    assert f'data-testid="lines-read">{count}<' in shown.text
    form = shown.text.split('data-testid="confirm-form"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert len(fields["content"]) > LIMIT and base64.urlsafe_b64decode(fields["content"]) == raw
    forged = client.post("/ui/finance/statements", data=fields | {"csrf": "not-this-browser's"},
                         follow_redirects=False)
    assert forged.status_code == 403 and 'data-testid="refusal"' in forged.text

    done = client.post("/ui/finance/statements", data=fields, follow_redirects=False)
    assert done.status_code == 303, done.text[:500]
    statement_id = done.headers["location"].rsplit("/", 1)[1]
    recorded = _api(client, "GET", f"/v1/finance/bank-statements/{statement_id}", as_="finance")
    assert recorded["lines"] == count and recorded["source"] == "七月对账单.csv"
    assert [p["id"] for m in recorded["report"]["matched"] for p in m["payouts"]] == [award["payout"]]
    assert len(recorded["report"]["unmatched_bank_lines"]) == count - 1
    again = client.post("/ui/finance/statements", data=fields, follow_redirects=False)  # the same key, sent twice
    assert again.status_code == 303 and again.headers["location"] == done.headers["location"]
    page = client.get(done.headers["location"])
    assert page.status_code == 200 and award["bank_ref"] in page.text


def test_an_over_limit_statement_is_a_page_in_the_pages_language_advising_to_split_it_by_month(client):
    """The preview over the limit: a Chinese page by default (an English Accept-Language does not change a page),
    an English one once the page is English; the advice is the statement's (by month), never the list's."""
    award = _paid_award(client)
    raw, _ = _statement(award["bank_ref"], LIMIT + 4096)
    csrf = _sign_in(client, "finance")
    client.headers["Accept-Language"] = "en-GB,en;q=0.9"
    detail = _refusal(_preview(client, csrf, raw), "zh")
    assert "按月拆分流水" in detail and "名单" not in detail and "split" not in detail
    detail = _refusal(_preview(client, csrf, raw, lang="en"), "en")
    assert "Split the statement by month" in detail and "list" not in detail
    client.get("/ui/finance/write?lang=en")  # the page made English: its cookie, as a person's click leaves it
    detail = _refusal(client.post("/ui/finance/statements/preview", data={"csrf": csrf},
                                  files={"file": ("july.csv", raw, "text/csv")}), "en")
    assert "Split the statement by month" in detail


def test_a_confirmation_over_its_limit_is_a_statement_page_and_records_nothing(client):
    """A confirmation bigger than any preview could make (a file over the limit, sent back by hand) is refused
    as a page with the statement's advice; the file is then new to the ledger."""
    award = _paid_award(client)
    raw, count = _statement(award["bank_ref"], LIMIT * 4 // 3 + 64 * 1024)
    csrf = _sign_in(client, "finance")
    content = base64.urlsafe_b64encode(raw).decode()
    answer = client.post("/ui/finance/statements", data={"csrf": csrf, "content": content, "source": "july.csv",
                                                         "import_good_lines": "", "key": unique_id("k-")},
                         follow_redirects=False)
    assert "按月拆分流水" in _refusal(answer, "zh")
    fresh = client.post("/v1/finance/bank-statements?source=july.csv", content=raw,
                        headers={"Authorization": f"Bearer {client.tokens['finance']}", "Content-Type": "text/csv"})
    assert fresh.status_code == 201 and fresh.json()["already_imported"] is False, fresh.text[:500]
    assert fresh.json()["lines"] == count


def test_an_over_limit_certification_list_is_a_page_advising_to_split_the_list_and_records_nothing(client):
    """The import page over the limit: a Chinese page (English once the page is English) saying to split the
    list into several files, not the statement's advice; the list's good row is not recorded."""
    uscc = unique_uscc()
    _api(client, "POST", "/v1/organisations", {"uscc": uscc, "name": f"滨江某科技有限公司{uscc[-4:]}",
                                               "in_district": True})
    body = unique_id("ERC-")
    _api(client, "POST", "/v1/innovation-bodies", {"id": body, "name": "某工程研究中心", "kind": "erc",
                                                   "lead_uscc": uscc, "recognised_on": "2022-09-06"})
    rows = ["uscc,programme,tier,effective_on,document_ref,body_id",
            f"{uscc},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,{body}"]
    filler = "91330108MA0000000I,A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,nobody"  # refused rows
    rows += [filler] * (LIMIT // len(filler.encode()) + 10)
    listed = ("\n".join(rows) + "\n").encode()
    assert len(listed) > LIMIT
    csrf = _sign_in(client, "kjj")
    client.headers["Accept-Language"] = "en"

    def post(**query: str):
        return client.post("/ui/certifications/imports", params=query, data={"csrf": csrf, "key": unique_id("k-")},
                           files={"file": ("名单.csv", listed, "text/csv")})

    detail = _refusal(post(), "zh")
    assert "拆分为几个较小的文件" in detail and "按月" not in detail and "流水" not in detail
    detail = _refusal(post(lang="en"), "en")
    assert "Split the list into several smaller files" in detail and "by month" not in detail
    assert "statement" not in detail
    history = client.get(f"/v1/organisations/{uscc}/history",
                         headers={"Authorization": f"Bearer {client.tokens['admin']}"})
    assert history.status_code == 200 and "Certification" not in history.text and "A3.erc" not in history.text
    small = ("\n".join(rows[:2]) + "\n").encode()  # the same good row, within the limit: recorded (201)
    recorded = client.post("/ui/certifications/imports", data={"csrf": csrf},
                           files={"file": ("名单.csv", small, "text/csv")})
    assert recorded.status_code == 201, recorded.text[:500]
    assert "A3.erc" in client.get(f"/v1/organisations/{uscc}/history",
                                  headers={"Authorization": f"Bearer {client.tokens['admin']}"}).text


@pytest.mark.parametrize("form", ["appropriation", "payout", "reversal"])
def test_an_over_limit_finance_form_is_a_page_advising_to_type_less_and_records_nothing(client, form):
    """A finance form whose text is over the limit: a page in the page's language saying to shorten what was
    typed (no file to split); nothing recorded."""
    award = _paid_award(client)
    long = "杭" * (LIMIT // 3 + 100)
    path, data = {
        "appropriation": ("/ui/finance/appropriations", {"year": "2024", "amount": "1000.00", "document_ref": long}),
        "payout": ("/ui/finance/payouts", {"claim_id": award["claim"], "amount": "1.00", "paid_on": "2023-07-04",
                                           "bank_ref": long}),
        "reversal": ("/ui/finance/reversals", {"payout_id": award["payout"], "reason": long}),
    }[form]
    csrf = _sign_in(client, "finance")
    answer = client.post(path, data=data | {"csrf": csrf, "key": unique_id("k-")}, follow_redirects=False)
    detail = _refusal(answer, "zh")
    assert "删减所填内容" in detail and "按月" not in detail and "名单" not in detail
    client.get("/ui/finance/write?lang=en")
    answer = client.post(path, data=data | {"csrf": csrf, "key": unique_id("k-")}, follow_redirects=False)
    detail = _refusal(answer, "en")
    assert "Shorten what was typed" in detail and "month" not in detail
    assert _api(client, "GET", "/v1/appropriations/2024", as_="finance")["appropriations"] == []
    payout = _api(client, "GET", f"/v1/payouts/{award['payout']}", as_="finance")
    assert payout["status"] == "paid" and payout["reversal_reason"] is None, payout  # not reversed
    paid = _api(client, "GET", f"/v1/organisations/{award['uscc']}/awards", as_="finance")
    assert paid["totals"]["paid"] == "100000.00", paid["totals"]  # no second payout


def test_a_file_named_with_an_emojis_joiner_previews_and_is_recorded_under_its_name_made_fit(client):
    """An input probe: 对账单👨‍👩‍👧.csv previewed clean, then its confirmation was refused ("source holds U+200D", a
    hidden field the clerk cannot change), and the certification list page refused such a list whole. The file name
    is kept as the source without the invisible joiner."""
    raw = "交易日期,借方发生额,贷方发生额,附言\n2024-07-02,1.00,,PAY-EMOJI-1\n".encode()
    csrf = _sign_in(client, "finance")
    shown = client.post("/ui/finance/statements/preview", data={"csrf": csrf},
                        files={"file": ("对账单👨\u200d👩\u200d👧.csv", raw, "text/csv")})
    assert shown.status_code == 200, shown.text[:500]
    form = shown.text.split('data-testid="confirm-form"')[1].split("</form>")[0]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    done = client.post("/ui/finance/statements", data=fields, follow_redirects=False)
    assert done.status_code == 303, done.text[:800]
    recorded = _api(client, "GET", f"/v1/finance/bank-statements/{done.headers['location'].rsplit('/', 1)[1]}",
                    as_="finance")
    assert recorded["source"] == "对账单👨👩👧.csv", recorded["source"]
