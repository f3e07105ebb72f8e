"""`close --json` lists the recorded reconciliation's rows in article order (A4 before A10), the order the README
promises and the reconciliation and `export` use, on both stores."""
from __future__ import annotations

import json
import re

from api.cli import main


def _article(code: str) -> int:
    return int(re.match(r"A(\d+)\.", code)[1])  # type: ignore[index]


def test_close_json_rows_come_in_article_order_as_export_gives_them(demo_district: str, monkeypatch,
                                                                      capsys) -> None:
    """A demo district's 2024 has programmes of articles 4 to 13: string order would put A10 and A11 first; the
    close's JSON lists them by article, each (programme, bureau) row where `export --format json` puts it."""
    monkeypatch.setenv("LEDGER_LANG", "en")
    assert main(["close", "--year", "2024", "--json"]) == 0
    closed = json.loads(capsys.readouterr().out)["reconciliation"]["rows"]
    programmes = [r["programme"] for r in closed]
    assert {_article(p) for p in programmes} >= {4, 10}  # a district where the two orders differ
    assert [_article(p) for p in programmes] == sorted(_article(p) for p in programmes), programmes
    assert main(["export", "--year", "2024", "--format", "json", "--output", "-"]) == 0
    exported = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["programme"], r["bureau"]) for r in closed] == [(r["programme"], r["bureau"]) for r in exported]
