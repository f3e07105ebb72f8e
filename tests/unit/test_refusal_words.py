"""What a page says of a refusal: the API's routes a refusal names in passing are left out for a clerk."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from api.web.refusal_words import named

LEDGER = Path(__file__).resolve().parents[2] / "ledger"


@pytest.mark.parametrize(("said", "lang", "shown"), [
    ("请带上该数额提交申请（POST /v1/claims）", "zh", "请带上该数额提交申请"),
    ("请运行 `award-ledger verify`（或 GET /v1/audit/verify）查明", "zh", "请运行 `award-ledger verify`查明"),
    ("record it first (POST /v1/certifications with body_id)", "en", "record it first"),
    ("Run `award-ledger verify` (or GET /v1/audit/verify) to find", "en", "Run `award-ledger verify` to find"),
    ("请核验账本（GET /v1/audit/verify）", "zh", "请核验账本"),
])
def test_an_api_route_named_in_passing_is_left_out_on_a_page(said, lang, shown):
    """A pages probe read POST /v1/certifications in a refusal on a form: the clerk has the page's forms."""
    assert named(said, lang) == shown


def test_no_refusal_the_ledger_words_in_chinese_shows_an_api_route_in_brackets_on_a_page():
    """Every bracketed route in the ledger's Chinese refusals is left out by `named` (a new one is caught here)."""
    found = set()
    for source in LEDGER.rglob("*.py"):
        found |= set(re.findall(r"（(?:或 ?)?(?:GET|POST) /v1/[^）\"]*）", source.read_text(encoding="utf-8")))
    assert found, "the ledger names no route in its Chinese refusals any more: this test has nothing to check"
    for aside in found:
        assert "/v1/" not in named(f"前{aside}后", "zh"), aside
