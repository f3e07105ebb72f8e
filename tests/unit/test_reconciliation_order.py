"""The reconciliation's rows in article order (A3 before A10) with names, in JSON and in the CSV."""
from __future__ import annotations

from api.reports import reconciliation as report

ZERO = {"approved": "0.00", "paid": "0.00", "reversed": "0.00", "outstanding": "0.00", "claims": 0}


def _recon(codes: list[tuple[str, str]]) -> dict:
    rows = [{"programme": code, "bureau": bureau, "kind": "award", **ZERO} for code, bureau in codes]
    return {"year": 2023, "rows": rows, "totals": ZERO, "investments": ZERO,
            "appropriation": {"appropriated": "0.00", "approved": "0.00", "headroom": "0.00", "floor": "0.00",
                              "below_floor": True}}


def test_rows_come_in_article_order_with_names():
    """A10, A11, A3, A9 as the store sorts them (by text) come out A3, A9, A10, A11, each named."""
    stored = [("A10.first_set", "jxj"), ("A11.standard", "scjgj"), ("A3.erc", "kjj"), ("A9.national_award", "kjj")]
    rows = report.arranged(_recon(stored))["rows"]
    assert [r["programme"] for r in rows] == ["A3.erc", "A9.national_award", "A10.first_set", "A11.standard"]
    assert all(r["programme_name"]["zh"] and r["bureau_name"]["en"] for r in rows)
    text = report.to_csv(_recon(stored)).decode("utf-8-sig")
    assert text.index("A3.erc") < text.index("A9.national_award") < text.index("A10.first_set")
