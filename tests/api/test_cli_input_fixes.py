"""The command line's answers to what a regression probe typed: a year in full-width digits is told the year to type
(as `replay --as-of` names a full-width moment), a value argparse quotes back is cut to 40 characters, and `export`
takes `--as-of` as GET /v1/finance/reconciliation takes `as_of`. Run for real: `api.cli.main` with captured output."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.api.test_cli_language import CJK, REFUSAL
from tests.api.test_cli_language import run_cli as _run

READERS = {"en": {"LANG": "C"}, "zh": {"LANG": "C", "LEDGER_LANG": "zh"}}


def _refused(monkeypatch, capsys, cwd: Path, argv: list[str], lang: str, variables: dict[str, str]) -> str:
    code, _, err = _run(monkeypatch, capsys, cwd, argv, {**variables, **READERS[lang]})
    found = REFUSAL.findall(err)
    assert code == 2 and len(found) == 1 and "Traceback" not in err, err
    assert found[0][1] == "argument_invalid", err
    return found[0][2]


@pytest.mark.parametrize("command", ["export", "close"])
def test_a_year_in_full_width_digits_is_told_the_year_to_type(command, tmp_path, monkeypatch, capsys):
    variables = {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}
    en = _refused(monkeypatch, capsys, tmp_path, [command, "--year", "２０２３"], "en", variables)
    assert "'２０２３' is written in full-width digits (an input method in full-width mode); type it as 2023" in en
    zh = _refused(monkeypatch, capsys, tmp_path, [command, "--year", "２０２３"], "zh", variables)
    assert "'２０２３' 使用了全角数字（输入法处于全角状态）；请改为输入 2023" in zh and "不是整数" not in zh
    assert not (tmp_path / "ledger.sqlite3").exists()  # refused before anything opened the store


@pytest.mark.parametrize("argv", [
    ["export", "--year", "2023", "--bogus", "x" * 3000],
    ["export", "--year", "2023", "--as-of", "x" * 3000],
    ["export", "--year", "2023", "--format", "x" * 3000],
    ["export", "--year", "9" * 3000],
    ["export", "--year", "9" * 5000],
    ["close", "--year", "9" * 3000],
    ["export", "--year", "x" * 3000],
])
def test_a_long_value_is_quoted_in_40_characters(argv, tmp_path, monkeypatch, capsys):
    """`export --year 2023 --as-of <3,000 characters>` echoed all of them, and `--year <3,000 digits>` made a 3 KB
    message (a regression probe): a value is quoted in 40 characters at most, with an ellipsis, as elsewhere."""
    variables = {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}
    for lang in READERS:
        said = _refused(monkeypatch, capsys, tmp_path, argv, lang, variables)
        assert len(said) < 300 and "…" in said, (lang, len(said), said[:200])
        assert bool(CJK.search(said.replace("…", ""))) == (lang == "zh"), said


def _world(url: str) -> None:
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(url))
    world = World(ledger)
    world.appropriate(2023)
    world.approved(world.org(), "A5.voucher", basis_amount="1000000")
    ledger.close()


def _export(monkeypatch, capsys, cwd: Path, url: str, *more: str) -> dict:
    code, out, err = _run(monkeypatch, capsys, cwd, ["export", "--year", "2023", "--format", "json", "--output", "-",
                                                     *more], {"LEDGER_DATABASE_URL": url, "LANG": "C"})
    assert code == 0, err
    return json.loads(out)


def test_export_takes_as_of_as_the_apis_reconciliation_does(database_url, tmp_path, monkeypatch, capsys):
    """`export` had no `--as-of` though GET /v1/finance/reconciliation takes `as_of` (a regression probe): the
    figures as the ledger knew them then, read through the API's own reading of `as_of` (a bare day is its end in
    Beijing time; a moment without seconds or an offset is refused as `replay --as-of` refuses it); a file is named
    for its moment, as the API's download is."""
    from tests.browser.conftest import page_client

    before = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    _world(database_url)
    now = _export(monkeypatch, capsys, tmp_path, database_url)
    assert now["totals"]["approved"] == "300000.00" and now.get("as_of") is None
    then = _export(monkeypatch, capsys, tmp_path, database_url, "--as-of", before)
    assert then["totals"]["approved"] == "0.00" and then["as_of"] is not None
    assert _export(monkeypatch, capsys, tmp_path, database_url, "--as-of", "2999-01-01")["totals"] == now["totals"]
    with page_client(database_url, tmp_path, {"finance": {"role": "finance"}}) as client:
        answer = client.get("/v1/finance/reconciliation", params={"year": 2023, "as_of": before},
                            headers={"Authorization": f"Bearer {client.tokens['finance']}"})
        assert answer.status_code == 200, answer.text
        assert (answer.json()["totals"], answer.json()["rows"]) == (then["totals"], then["rows"])
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--as-of", "2024-01-01T00:00"],
                        {"LEDGER_DATABASE_URL": database_url, "LANG": "C"})
    assert code == 2 and "[argument_invalid]" in err and "seconds and an offset" in err, err
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--as-of", before],
                        {"LEDGER_DATABASE_URL": database_url, "LANG": "C"})
    assert code == 0, err
    (written,) = tmp_path.glob("reconciliation-2023-as-of-*.csv")
    assert "对账截至（北京时间）" in written.read_text(encoding="utf-8-sig")
