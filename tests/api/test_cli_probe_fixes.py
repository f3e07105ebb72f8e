"""What a black-box probe of the command line found (stop 40): inputs the API refuses and the CLI took, a next
step that did not fit, the API's parameter named where the command has a flag, Ctrl-C and a closed pipe as
tracebacks, and a malformed claim id that made a signing key before it was refused."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.api.test_cli_language import REFUSAL
from tests.api.test_cli_language import run_cli as _run
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if (not k.startswith("LEDGER_") or k == SETTLE) and k not in ("LC_ALL", "LC_MESSAGES")}
    return env | {"LANG": "C", "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3",
                  "PYTHONPATH": str(ROOT)} | extra


@pytest.mark.parametrize("argv", [
    ["export", "--year", " 2023"], ["export", "--year", "+2023"], ["close", "--year", "+2022 "],
    ["simulate", "--catalogue", "x.toml", "--top", "1001"], ["simulate", "--catalogue", "x.toml", "--top", "+5"],
])
def test_numbers_the_api_refuses_are_refused_before_anything_runs(argv, tmp_path, monkeypatch, capsys):
    exited, _, err = _run(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db"})
    assert exited == 2 and ("is not a whole number" in err or "must be at most 1000" in err), err
    assert not (tmp_path / "l.db").exists() and not (tmp_path / "var").exists()


def test_replay_takes_what_the_api_as_of_takes():
    """The same validator as GET ...?as_of=: lower-case `t` and `z` as RFC 3339 allows, no text around it."""
    from api.commands.replay import moment

    assert moment("2024-12-05t01:44:00z").isoformat() == "2024-12-05T01:44:00+00:00"
    assert moment("2024-01-01").isoformat() == "2024-01-01T15:59:59.999999+00:00"  # its end in Beijing, in UTC
    for text in ("2024-12-05T01:44:00+08:00 ", "1800000000", "2024-01-01T00:00Z", "2024-01-01T00:00:00"):
        with pytest.raises(ValueError):
            moment(text)


def test_a_full_width_moment_is_told_what_to_type_by_the_api_and_the_command_line(api, tmp_path, monkeypatch,
                                                                                  capsys):
    """An input method in full-width mode: ２０２４-01-01 was told only "not an RFC 3339 timestamp" (an adversarial
    probe), where a body's date or amount says it is full-width and what to type."""
    for lang, said in (("zh", "使用了全角字符"), ("en", "full-width")):
        problem = api.refused("GET", "/v1/finance/reconciliation?year=2023&as_of=２０２４-01-01", None, "auditor", 422,
                              "invalid_request", headers={"Accept-Language": lang})
        assert said in problem["detail"] and "2024-01-01" in problem["detail"], problem
    # What it reads as half-width is no moment either (年月日): the hint is one, not "2026年12月7日" (a probe)
    odd = api.refused("GET", "/v1/finance/reconciliation?year=2023&as_of=２０２６年１２月７日", None, "auditor", 422,
                      "invalid_request", headers={"Accept-Language": "zh"})
    assert "2026年12月7日" not in odd["detail"] and "2024-01-01T00:00:00+08:00" in odd["detail"], odd
    # a moment as the pages show one, with an ideographic space: told the whole form of that moment (a pages probe)
    spaced = api.refused("GET", "/v1/finance/reconciliation?year=2023&as_of=2025-06-30\u300010:00:00", None,
                         "auditor", 422, "invalid_request", headers={"Accept-Language": "zh"})
    assert "2025-06-30T10:00:00+08:00" in spaced["detail"], spaced
    exited, _, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", "２０２４-01-01"],
                          {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db", "LEDGER_LANG": "zh"})
    assert exited == 2 and "[argument_invalid]" in err and "全角" in err and "2024-01-01" in err, err
    # A day well written but out of range, or not of the calendar, says so, not "not a moment" (an audit probe)
    for day, said in (("1899-12-31", "不在 1900–2999 年之间"), ("2023-02-30", "日历上没有这一天")):
        exited, _, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", day],
                              {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db", "LEDGER_LANG": "zh"})
        assert exited == 2 and said in err and "不是一个时间" not in err, err


def test_a_long_claim_id_is_quoted_cut_short_as_the_api_quotes_it(tmp_path, monkeypatch, capsys):
    """`receipt` echoed a 5,000-character id whole (an adversarial probe); the API quotes its first 80."""
    for locale in ({}, {"LEDGER_LANG": "zh"}):
        exited, _, err = _run(monkeypatch, capsys, tmp_path, ["receipt", "x" * 5000],
                              {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db", **locale})
        assert exited == 2 and "[not_found]" in err and "x" * 81 not in err and "…" in err, err[:300]


def test_a_folder_given_as_a_statement_is_told_to_give_a_file(tmp_path, monkeypatch, capsys):
    for lang, locale in (("en", {}), ("zh", {"LEDGER_LANG": "zh"})):
        exited, _, err = _run(monkeypatch, capsys, tmp_path, ["reconcile", str(tmp_path)],
                              {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db", **locale})
        assert exited == 2 and "[file_unreadable]" in err, err
        assert "LEDGER_MAX_STATEMENT_BYTES" not in err and "split" not in err and "拆分" not in err, err
        assert ("saved as a file" if lang == "en" else "保存为文件") in err, err


def test_a_statement_with_a_bad_line_names_the_commands_own_flag(tmp_path, monkeypatch, capsys):
    statement = tmp_path / "statement.csv"
    statement.write_text("date,amount,reference\n2023-07-01,abc,PAY-1\n2023-07-02,5.00,PAY-2\n")
    for locale in ({}, {"LEDGER_LANG": "zh"}):
        exited, _, err = _run(monkeypatch, capsys, tmp_path, ["reconcile", str(statement)],
                              {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/l.db", **locale})
        assert exited == 2 and "--import-good-lines" in err and "import_good_lines=true" not in err, err


def test_a_malformed_claim_id_makes_no_key_and_no_store(tmp_path):
    run = subprocess.run([sys.executable, "-m", "api.cli", "receipt", "3bc9d6fd-bd34-4930-b320-0000000000"],
                         cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "[not_found]" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "var").exists() and not (tmp_path / "ledger.sqlite3").exists()


def test_a_closed_pipe_is_no_finding_and_no_traceback(tmp_path):
    """`verify --json | head -c 1` printed a BrokenPipeError traceback and exited 1, verify's code for tampering."""
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--organisations", "200", "--bodies", "5"], cwd=tmp_path,
                   env=_env(tmp_path), capture_output=True, timeout=300, check=True)
    reader = subprocess.Popen([sys.executable, "-m", "api.cli", "replay", "--as-of", "2030-01-01", "--json"],
                              cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stdout.read(1)
    reader.stdout.close()  # the reader goes away with most of the document (far more than a pipe holds) unread
    _, err = reader.communicate(timeout=120)
    assert reader.returncode in (0, 141), (reader.returncode, err)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err


@pytest.mark.parametrize("after", [0.3, 1.0, 2.0, 3.0])
def test_ctrl_c_is_said_not_a_traceback(tmp_path, after):
    # A job started in the background of a shell (as CI may run) inherits SIGINT ignored, and Python then never
    # raises KeyboardInterrupt: the demo is given SIGINT's default back, as a terminal's foreground job has it.
    demo = subprocess.Popen([sys.executable, "-m", "api.cli", "demo", "--organisations", "3000", "--bodies", "20"],
                            cwd=tmp_path, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not (tmp_path / "ledger.sqlite3").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(after)  # wherever it lands: in a command, a save, between them, in the read models' catch-up
    demo.send_signal(signal.SIGINT)
    _, err = demo.communicate(timeout=120)
    said = err.decode()
    assert demo.returncode == 130, (demo.returncode, said[-2000:])
    assert "Traceback" not in said and "KeyboardInterrupt" not in said, said[-2000:]
    assert [f[1] for f in REFUSAL.findall(said)] == ["interrupted"], said[-2000:]


STARTING = """
import os, signal, sys
sys.argv[0] = "award-ledger"  # as the console script runs
import api  # the package the command loads first
os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the rest is still loading
import api.cli  # never reached
"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ctrl_c_while_the_command_loads_is_said_not_a_traceback(tmp_path, lang):
    """In the first half second (the imports, before `main`), Ctrl-C printed a KeyboardInterrupt traceback (an
    operator probe): from the package's first line, it is the same `interrupted` refusal and exit 130."""
    run = subprocess.run([sys.executable, "-c", STARTING], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**_env(tmp_path), "LEDGER_LANG": lang},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert run.returncode == 130 and "Traceback" not in run.stderr, (run.returncode, run.stderr)
    [said] = REFUSAL.findall(run.stderr)
    assert said[1] == "interrupted" and ("中断" in said[2]) == (lang == "zh"), said


def test_an_interrupted_command_that_records_nothing_says_nothing_changed():
    """`verify`, `replay` and the other readers were told "what it had recorded stands, in whole commands" (an
    operator probe): they record nothing, and say so; each named is a real subcommand, and every other is one that
    records (its words stay)."""
    from api import cli_language
    from api.cli import subcommand_names

    assert set(cli_language.READS_ONLY) < set(subcommand_names())
    assert "没有任何改动" in cli_language.interrupted("verify")[1] and "records nothing" in cli_language.interrupted(
        "replay")[0]
    assert cli_language.interrupted("demo") == cli_language.INTERRUPTED


def test_a_second_close_of_a_year_makes_no_key(tmp_path):
    """A probe: `close --year 2025` on a closed year, run from a folder without var/signing-key.pem, refused
    "nothing was recorded" and had made a key there and registered it in the store. The signer now comes after the
    refusals a close can meet."""
    import sqlite3

    first, elsewhere = tmp_path / "office", tmp_path / "elsewhere"
    first.mkdir()
    elsewhere.mkdir()
    env = _env(tmp_path)
    subprocess.run([sys.executable, "-m", "api.cli", "demo", "--organisations", "5", "--bodies", "1"], cwd=first,
                   env=env, capture_output=True, timeout=300, check=True)
    closed = subprocess.run([sys.executable, "-m", "api.cli", "close", "--year", "2023"], cwd=first, env=env,
                            capture_output=True, text=True, timeout=300)
    assert closed.returncode == 0, closed.stderr
    with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
        keys = db.execute("SELECT COUNT(*) FROM ledger_audit_keys").fetchone()[0]
    again = subprocess.run([sys.executable, "-m", "api.cli", "close", "--year", "2023"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 1 and "[conflict]" in again.stderr, again.stderr
    assert "signing key" not in again.stderr and not (elsewhere / "var").exists(), again.stderr
    with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM ledger_audit_keys").fetchone()[0] == keys


@pytest.mark.parametrize("argv", [["rebuild"], ["export", "--year", "2023", "--output", "-"],
                                  ["replay", "--as-of", "2024-01-01"]])
def test_a_command_on_a_new_sqlite_store_makes_its_folder(argv, tmp_path, monkeypatch, capsys):
    """A SQLite file in a folder not made yet (var/ in a fresh checkout) is made, as `verify` and `serve` make it:
    `rebuild`, `export` and `replay` said `store_unreachable`, "Start the database" (a contract probe)."""
    store = tmp_path / "new" / "folder" / "ledger.sqlite3"
    exited, _, err = _run(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": f"sqlite:///{store}"})
    assert exited == 0, err
    assert store.exists()


def test_verify_on_a_sqlite_file_that_was_not_there_says_it_made_an_empty_one(tmp_path, monkeypatch, capsys):
    """A robustness probe: `verify` on a mistyped SQLite path made an empty store and printed "intact", exit 0, so a
    scheduled check with a typo passed for ever. It still makes the store (every command does on an empty database,
    as the contract has it) and exits 0, but says no ledger was there and what to set; a store that was there is not
    told so."""
    store = tmp_path / "typo" / "ledgr.sqlite3"
    env = {"LEDGER_DATABASE_URL": f"sqlite:///{store}", "LEDGER_LANG": "en"}
    exited, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], env)
    assert exited == 0 and store.exists(), err
    assert f"no ledger was at {store}" in err and "set LEDGER_DATABASE_URL" in err, err
    exited, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], env | {"LEDGER_LANG": "zh"})
    assert exited == 0 and "原本没有台账" not in err and "no ledger was at" not in err, err


@pytest.mark.parametrize("argv", [["export", "--year", "2023", "--output", "-"], ["replay", "--as-of", "2024-01-01"],
                                  ["rebuild"]])
def test_export_replay_and_rebuild_say_no_ledger_was_at_a_sqlite_path_that_was_not_there(argv, database_url, tmp_path,
                                                                                        monkeypatch, capsys):
    """A regression probe: on a mistyped SQLite path `export` wrote a reconciliation of zeros that looked genuine,
    `replay` replayed 0 events and `rebuild` applied 0, each exit 0 without a word (only `verify` said no ledger was
    there). Each still makes the empty store and exits 0, saying, in the reader's language, that no ledger was there
    and what to set; a store that is there (the same file after, any PostgreSQL database) is not told so."""
    sqlite = database_url.startswith("sqlite")
    for lang, said in (("en", "no ledger was at"), ("zh", "处原本没有台账")):
        store = tmp_path / lang / "ledgr.sqlite3"
        env = {"LEDGER_DATABASE_URL": f"sqlite:///{store}" if sqlite else database_url, "LEDGER_LANG": lang}
        exited, _, err = _run(monkeypatch, capsys, tmp_path, argv, env)
        assert exited == 0, err
        if sqlite:
            assert store.exists() and f"{store}" in err and said in err and "LEDGER_DATABASE_URL" in err, err
        else:
            assert said not in err, err
        exited, _, err = _run(monkeypatch, capsys, tmp_path, argv, env)
        assert exited == 0 and said not in err, err
