"""The sandbox page's form of numbers in force, over plain HTTP on both stores: a number it refuses is named as
the form labels it (programme and 比例 / rate), never by its internal path, with an example that fits it."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.web.sandbox_form import numbers
from tests.browser.conftest import page_client, signed_in

PEOPLE = {"auditor": {"role": "auditor"}}
RATE = next(n for n in numbers() if n.labels[0] == "A5.voucher 创新券补助 · 比例")
CAP = next(n for n in numbers() if n.labels[0].startswith("A5.voucher 创新券补助 · 上限"))


@pytest.fixture
def client(database_url, tmp_path) -> Iterator[TestClient]:
    with page_client(database_url, tmp_path, PEOPLE) as c:
        yield c


def _refused(client: TestClient, csrf: str, number, value: str, lang: str) -> tuple[str, str]:
    answer = client.post(f"/ui/sandbox?lang={lang}", data={"csrf": csrf, "format": "html", f"n:{number.path}": value})
    assert answer.status_code == 422, answer.text[:300]
    # The API's code, as every refused page shows it (an inputs probe found the sandbox's box without one).
    assert '<code data-testid="error-code">invalid_catalogue</code>' in answer.text
    error = re.search(r'data-testid="draft-error">(.*?)</div>', answer.text, re.S).group(1)
    field = re.search(r'data-testid="error-field"[^>]*>(.*?)</', error, re.S).group(1)
    assert f'name="n:{number.path}" data-path="{number.path}"' in answer.text  # the input still marked
    shown = re.sub(r"<[^>]+>", " ", error)  # the text a reader sees
    return html.unescape(field), html.unescape(" ".join(shown.split()))


@pytest.mark.parametrize(("lang", "label", "example"), [
    ("zh", "A5.voucher 创新券补助 · 比例", '如 "0.30"'),
    ("en", "A5.voucher Innovation voucher · rate", 'such as "0.30"'),
])
def test_a_rate_written_as_a_percentage_is_refused_by_its_label(client, lang, label, example):
    """A5.voucher's 比例 set to 20%: the refusal names the field by its label, the example is a rate's, and
    no internal path ("programmes[7].rate", "表单.") is shown."""
    csrf = signed_in(client, "auditor")
    field, said = _refused(client, csrf, RATE, "20%", lang)
    assert field == label
    assert f"{label}{'：' if lang == 'zh' else ': '}" in said and example in said
    assert "0.20" in said and '"500000.00"' not in said
    assert "programmes[" not in said and "表单" not in said and "catalogue file" not in said


def test_an_amount_keeps_an_amounts_example_under_its_label(client):
    """A cap that is no number: named by its label, with an amount for example."""
    csrf = signed_in(client, "auditor")
    field, said = _refused(client, csrf, CAP, "五十万", "zh")
    assert field == CAP.labels[0] and '如 "500000.00"' in said and "programmes[" not in said
    field, said = _refused(client, csrf, RATE, "2", "en")
    assert field == RATE.labels[1] and "a rate is a fraction in (0, 1]" in said and "programmes[" not in said


@pytest.mark.parametrize(("lang", "taught"), [("zh", '30% 请写作 "0.30"'), ("en", 'write 30% as "0.30"')])
@pytest.mark.parametrize("value", ["1.5", "30", "0"])
def test_a_rate_out_of_range_is_taught_30_percent_as_0_30(client, lang, taught, value):
    """A rate of 1.5, 30 or 0: the reader's own sentence, "write 30% as "0.30"", stands; the form put its example
    "0.20" for every "0.30" and taught a regression probe 30% as "0.20"."""
    csrf = signed_in(client, "auditor")
    _, said = _refused(client, csrf, RATE, value, lang)
    assert taught in said and '"0.20"' not in said, said


@pytest.mark.parametrize(("lang", "label", "named"), [("zh", "粘贴的草案", "草案："),
                                                      ("en", "The pasted draft", "the pasted draft: ")])
def test_a_pasted_draft_that_is_no_toml_is_refused_in_the_pages_language(client, lang, label, named):
    """The English page said "Field toml … 草案: not valid TOML" (a pages probe): the field is the draft, named by
    its label, and the draft is named in the page's language."""
    csrf = signed_in(client, "auditor")
    answer = client.post(f"/ui/sandbox?lang={lang}", data={"csrf": csrf, "format": "html",
                                                           "draft": "[policy]\nversion = \n"})
    assert answer.status_code == 422, answer.text[:300]
    error = re.search(r'data-testid="draft-error">(.*?)</div>', answer.text, re.S).group(1)
    field = re.search(r'data-testid="error-field"[^>]*>(.*?)</', error, re.S).group(1)
    shown = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", error).split()))
    assert html.unescape(field) == label and named in shown, shown
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", shown), shown


@pytest.mark.parametrize(("lang", "heading", "label"), [
    ("zh", "统一社会信用代码有误，未测算", "统一社会信用代码"),
    ("en", "The USCC is not valid: nothing was simulated", "USCC"),
])
def test_a_bad_uscc_to_explain_is_not_called_a_draft_that_does_not_validate(client, lang, heading, label):
    """A sandbox probe: a malformed USCC in "explain one organisation" came back headed "草案未通过校验" (the draft
    does not validate) though the draft was the catalogue in force. The heading says what is wrong, the field is
    named by its label, and the draft is not blamed."""
    csrf = signed_in(client, "auditor")
    answer = client.post(f"/ui/sandbox?lang={lang}", data={"csrf": csrf, "format": "html", "uscc": "bad"})
    assert answer.status_code == 422, answer.text[:300]
    error = re.search(r'data-testid="draft-error">(.*?)</div>', answer.text, re.S).group(1)
    shown = html.unescape(" ".join(re.sub(r"<[^>]+>", " ", error).split()))
    assert shown.startswith(heading) and f"{label} " in shown, shown
    assert "草案未通过校验" not in shown and "does not validate" not in shown


def test_an_amount_is_read_as_the_pages_show_amounts_grouped_in_threes(client):
    """A sandbox probe: the form took every ASCII comma out, so "15,00,000.00" and "1,5,0,0,0,0,0" were read as
    1,500,000, and refused full-width "1，500，000.00". Amounts are read as every other form reads them: grouped
    in threes with ASCII or full-width commas, or plain; anything else is refused by its label."""
    csrf = signed_in(client, "auditor")
    for typed in ("15,00,000.00", "1,5,0,0,0,0,0"):
        field, said = _refused(client, csrf, CAP, typed, "zh")
        assert field == CAP.labels[0] and "可每三位用逗号分组" in said and "分隔符" not in said, (typed, said)
    # said of the field as the form groups amounts, for a key of the policy's own table too, with no path in it
    floor = next(n for n in numbers() if n.path == "policy.special_fund_floor")
    field, said = _refused(client, csrf, floor, "15,00,000.00", "en")
    assert field == floor.labels[1] and "grouped in threes" in said, said
    assert "policy.special_fund_floor" not in said and "表单" not in said and "separators" not in said, said
    for typed in ("1，500，000.00", "1,500,000.00", "1500000"):
        answer = client.post("/ui/sandbox?lang=zh", data={"csrf": csrf, "format": "html", f"n:{CAP.path}": typed})
        assert answer.status_code == 200, (typed, answer.text[:300])


def test_every_number_wrong_on_its_own_is_marked_at_once(client):
    """A probe fixed the form's numbers one send at a time: the reader stops at its first fault. Now each number
    changed and wrong on its own is said and marked beside the first (a number in force, or a right one, is not)."""
    csrf = signed_in(client, "auditor")
    fund = next(n for n in numbers() if n.path == "policy.special_fund_floor")
    sent = {"csrf": csrf, "format": "html", f"n:{RATE.path}": "20%", f"n:{CAP.path}": "五十万",
            f"n:{fund.path}": "abc", f"n:{numbers()[-1].path}": numbers()[-1].value}
    answer = client.post("/ui/sandbox?lang=zh", data=sent)
    assert answer.status_code == 422, answer.text[:300]
    marked = set(re.findall(r'name="n:([^"]+)" data-path="[^"]+" inputmode="decimal"\s+value="[^"]*" aria-invalid',
                            answer.text))
    assert marked == {RATE.path, CAP.path, fund.path}, marked
    error = re.search(r'data-testid="draft-error">(.*?)</div>', answer.text, re.S).group(1)
    others = re.findall(r'data-testid="other-error" data-path="([^"]+)">([^<]*)<', error)
    assert len(others) == 2 and {p for p, _ in others} | {
        re.search(r'data-testid="error-field" data-path="([^"]+)"', error).group(1)} == marked, error
    said = " ".join(html.unescape(text) for _, text in others)
    assert "programmes[" not in said and "表单" not in said, said
    assert answer.text.count(" autofocus") == 1
    one = client.post("/ui/sandbox?lang=en", data={"csrf": csrf, "format": "html", f"n:{CAP.path}": "fifty"})
    assert one.status_code == 422 and 'data-testid="other-error"' not in one.text


@pytest.mark.parametrize(("lang", "said"), [("zh", "此处应写作 1200000.00"), ("en", "here 1200000.00")])
def test_an_amount_in_wan_is_told_the_yuan_digits_to_write(client, lang, said):
    """专精特新小巨人 set to `120万` got the form's general hint, where the README promises an amount in 万 is told
    the yuan digits to write (a clerk's probe); the percent hint of a rate is unchanged."""
    giant = next(n for n in numbers() if "小巨人" in n.labels[0] and n.path.endswith(".amount"))
    csrf = signed_in(client, "auditor")
    field, shown = _refused(client, csrf, giant, "120万", lang)
    assert field == giant.label(lang) and said in shown, shown
    assert '"500000.00"' not in shown, shown
