"""`award-ledger verify --read-models`: the events intact, a read-model row changed by hand is found and named.

The audit probe set an approved figure in `rm_finance` (and a claim's in `rm_claims`) to 900,000: the work queue
and the reconciliation showed it while `verify` said the ledger was intact, and nothing an auditor could run
compared the read models with the events."""
from __future__ import annotations

import json
import sqlite3

import psycopg

from api.cli import main
from ledger.store import is_postgres, postgres_conninfo, sqlite_file
from projections.rebuild import catch_up
from projections.view import open_ledger, open_view


def _caught_up(url: str) -> None:
    view, app = open_view(url), open_ledger(url)
    try:
        catch_up(view, app)
    finally:
        app.close()
        view.close()


def _raise_a_figure(url: str) -> str:
    """Set the first reconciliation row's approved figure to 900,000.00, as someone with SQL would; its id."""
    conn = psycopg.connect(postgres_conninfo(url)) if is_postgres(url) else sqlite3.connect(sqlite_file(url))
    mark = "%s" if is_postgres(url) else "?"
    try:
        key, data = conn.execute("SELECT id, data FROM rm_finance ORDER BY id LIMIT 1").fetchone()
        row = json.loads(data) | {"approved": "900000.00"}
        conn.execute(f"UPDATE rm_finance SET data = {mark} WHERE id = {mark}", (json.dumps(row), key))
        conn.commit()
    finally:
        conn.close()
    return key


def test_read_models_changed_by_hand_are_named_and_intact_ones_pass(demo_district: str, capsys) -> None:
    _caught_up(demo_district)
    assert main(["verify", "--read-models"]) == 0
    assert "read models: every row and figure is what a replay of the events gives" in capsys.readouterr().err
    key = _raise_a_figure(demo_district)
    assert main(["verify", "--read-models", "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    # The API's report: failed, named, with what to do (it said `"ok": true` while exiting 1: a regression probe).
    assert report["ok"] is False and report["failure"] == "read_models", report
    assert report["read_models"]["ok"] is False and "award-ledger rebuild" in report["what_to_do"], report
    assert "verify --digest" in report["what_to_do"] and report["what_to_do_zh"], report
    assert any(d.startswith(f"rm_finance[{key}].approved: stored '900000.00'") for d in report["read_models"][
        "differences"]), report["read_models"]
    assert "[read_models_differ]" in err and "award-ledger rebuild" in err, err
    # The chain holding does not make the events intact: changed with their links rewritten, the read models keep the
    # true figures, and `rebuild` first would copy the forgery over them (an audit probe). The events are checked
    # against a digest kept outside first.
    assert "events are intact" not in err and "verify --digest" in err, err
    assert err.index("verify --digest") < err.index("award-ledger rebuild"), err


def test_verify_lists_read_model_differences_in_chinese(demo_district: str, capsys, monkeypatch) -> None:
    """`LEDGER_LANG=zh verify --read-models` listed each difference in English ("stored … replayed": a regression
    probe); they read as the Chinese audit page lists them, the table, key and values as they are."""
    _caught_up(demo_district)
    key = _raise_a_figure(demo_district)
    monkeypatch.setenv("LEDGER_LANG", "zh")
    capsys.readouterr()
    assert main(["verify", "--read-models"]) == 1
    err = capsys.readouterr().err
    assert f"rm_finance[{key}] 的 approved：表中为 '900000.00'" in err and "replayed" not in err, err
    # and in --json beside the English, one for one, as `reason_zh` is (only English there: a regression probe)
    assert main(["verify", "--read-models", "--json"]) == 1
    listed = json.loads(capsys.readouterr().out)["read_models"]
    assert len(listed["differences_zh"]) == len(listed["differences"]) >= 1, listed
    assert f"rm_finance[{key}] 的 approved：表中为 '900000.00'" in listed["differences_zh"][
        listed["differences"].index(next(d for d in listed["differences"] if d.startswith(f"rm_finance[{key}]")))]


def test_verify_without_read_models_says_they_were_not_compared(demo_district: str, capsys, monkeypatch) -> None:
    """An audit probe forged a figure in rm_finance: `verify` printed intact, saying nothing of the figures the pages
    and the reconciliation show, and its --json left `read_models` out where the API answers null. The intact line
    is followed by "not compared" and how to compare them, in both languages; --json carries `read_models: null`."""
    _caught_up(demo_district)
    _raise_a_figure(demo_district)
    for lang, words in (("en", "read models: not compared"), ("zh", "读模型：未比对")):
        monkeypatch.setenv("LEDGER_LANG", lang)
        capsys.readouterr()
        assert main(["verify"]) == 0
        err = capsys.readouterr().err
        assert words in err and "--read-models" in err, err
    assert main(["verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "read_models" in report and report["read_models"] is None, report
