"""The command line's answers to what a black-box tester found (issue "CLI defects"): each bad setting or file is
a refusal with its code, in the reader's language, exit 2, never a traceback; tables and notices read in the
reader's language; stdout carries only the document asked for.

Run for real: `api.cli.main` with captured output, or the entry point as a subprocess where the process matters
(serve, which hands over to uvicorn)."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.api.test_cli_language import CJK, ENGLISH, LOCALES, REFUSAL
from tests.api.test_cli_language import run_cli as _run

ROOT = Path(__file__).resolve().parents[2]
JUNK = bytes(range(256)) * 4  # no text in any encoding, and not a SQLite database
READERS = {"en": {"LANG": "C"}, "zh": {"LANG": "C", "LEDGER_LANG": "zh"}}


def _both(monkeypatch, capsys, cwd: Path, argv: list[str], variables: dict[str, str], code: str,
          exit_code: int = 2, quoted: str = "") -> dict[str, str]:
    """The refusal in English and in Chinese: the same code and exit, no traceback, Chinese without English
    sentences; {language: its text}. `quoted`: a pattern of what either quotes as it is (a file's column names)."""
    said = {}
    for lang, locale in READERS.items():
        exited, _, err = _run(monkeypatch, capsys, cwd, argv, {**variables, **locale})
        assert "Traceback" not in err, err
        found = REFUSAL.findall(err)
        assert exited == exit_code and [f[1] for f in found] == [code], (lang, exited, err)
        said[lang] = found[0][2]
    assert not CJK.search(re.sub(quoted, "", said["en"]) if quoted else said["en"]), said["en"]
    assert CJK.search(said["zh"]) and not ENGLISH.search(re.sub(quoted, "", said["zh"]) if quoted else said["zh"])
    return said


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/ledger.sqlite3"


# (1) A file that is not a SQLite database.
@pytest.mark.parametrize("argv", [["verify"], ["export", "--year", "2023"], ["rebuild"], ["recheck"],
                                  ["replay", "--as-of", "2024-01-01"], ["close", "--year", "2023"], ["demo"],
                                  ["receipt", "00000000-0000-4000-8000-000000000000"]])
def test_a_file_that_is_not_a_sqlite_database_is_refused_as_store_invalid(argv, tmp_path, monkeypatch, capsys):
    junk = tmp_path / "junk.bin"
    junk.write_bytes(JUNK)
    said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": f"sqlite:///{junk}"}, "store_invalid")
    assert "is not a SQLite database" in said["en"] and "Point LEDGER_DATABASE_URL at" in said["en"]
    assert "不是 SQLite 数据库文件" in said["zh"] and "新路径" in said["zh"]
    assert junk.read_bytes() == JUNK  # left as it was


@pytest.mark.parametrize("argv", [["rebuild"], ["demo"], ["close", "--year", "2023"], ["verify"]])
def test_another_applications_events_table_is_store_invalid_and_left_alone(argv, tmp_path, monkeypatch, capsys):
    """An operations probe: a SQLite file whose `stored_events` is another application's (other columns) got
    `store_unreachable`, "start the database", from rebuild, demo, close and serve, after five of the ledger's
    tables had been added to it. Every command refuses it `store_invalid` and leaves it as it was."""
    import sqlite3

    from ledger.audit.tables import events_table

    url = _sqlite(tmp_path)
    file = tmp_path / "ledger.sqlite3"
    with contextlib.closing(sqlite3.connect(file)) as conn:
        conn.execute(f"CREATE TABLE {events_table(url)} (id INTEGER, blah TEXT)")
        conn.commit()
    before = file.read_bytes()
    said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": url,
                                                        "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem")},
                 "store_invalid", quoted=r"`[^`]*`|\S+\.sqlite3|stored_events")
    assert "is not the ledger's event log" in said["en"] or "holds no ledger" in said["en"], said
    assert file.read_bytes() == before


@pytest.mark.parametrize("command", ["project", "serve"])
def test_the_long_running_commands_refuse_it_too(command, tmp_path):
    """`project` and `serve`, which would otherwise run until stopped: the entry point, with a timeout."""
    junk = tmp_path / "junk.bin"
    junk.write_bytes(JUNK)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") and k not in LOCALES}
    for lang in ("en", "zh"):
        run = subprocess.run([sys.executable, "-m", "api.cli", command], cwd=tmp_path, capture_output=True, text=True,
                             timeout=60, env={**env, "PYTHONPATH": str(ROOT), **READERS[lang],
                                              "LEDGER_DATABASE_URL": f"sqlite:///{junk}"})
        (found,) = REFUSAL.findall(run.stderr)
        assert run.returncode == 2 and found[1] == "store_invalid" and "Traceback" not in run.stderr, run.stderr
        assert (lang == "zh") == bool(CJK.search(found[2]))


@pytest.mark.parametrize("argv", [["verify"], ["export", "--year", "2023"], ["demo"], ["replay", "--as-of",
                                                                                     "2024-01-01"]])
def test_a_sqlite_store_that_cannot_be_made_or_names_a_folder_is_said_with_its_path(argv, tmp_path, monkeypatch,
                                                                                    capsys):
    """A file where the store's folder would be made (the default ./var a file, say) was a traceback and exit 1 on
    every command; a URL naming a folder was "unable to open database file. Start the database" (an operator
    probe). Each names the path and what to do, exit 2, and nothing is made."""
    (tmp_path / "var").write_text("not a folder", encoding="utf-8")
    said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": "sqlite:///var/ledger.sqlite3"},
                 "store_forbidden")
    assert f"{tmp_path / 'var'} is a file, not a folder" in said["en"] and "是文件，不是文件夹" in said["zh"]
    (tmp_path / "store").mkdir()
    said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'store'}"},
                 "store_invalid")
    assert f"names {tmp_path / 'store'}, a folder, not a file" in said["en"] and "是文件夹" in said["zh"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "var"] and not any((tmp_path / "store").iterdir())


def test_a_sqlite_store_behind_a_link_is_judged_by_the_file_it_names(tmp_path, monkeypatch, capsys):
    """SQLite writes in the folder of the file a link names, so that folder is checked, not the link's (a link in a
    read-only folder to a writable store was refused: a regression probe): a link to a store in another folder
    works, and a link to a place whose folder is a file is refused naming the link."""
    from tests.api.test_cli_language import run_cli

    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "ledger.sqlite3").symlink_to(tmp_path / "real" / "ledger.sqlite3")
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {
        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'links' / 'ledger.sqlite3'}"})
    assert code == 0 and (tmp_path / "real" / "ledger.sqlite3").is_file(), err
    (tmp_path / "blocked").write_text("a file where a folder should be", encoding="utf-8")
    (tmp_path / "links" / "nowhere.sqlite3").symlink_to(tmp_path / "blocked" / "ledger.sqlite3")
    said = _both(monkeypatch, capsys, tmp_path, ["verify"],
                 {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path / 'links' / 'nowhere.sqlite3'}"}, "store_forbidden")
    assert f"{tmp_path / 'links' / 'nowhere.sqlite3'} cannot be made: {tmp_path / 'blocked'} is a file" in said["en"]


def test_a_file_with_a_sqlite_header_and_junk_after_it_is_refused_too(tmp_path, monkeypatch, capsys):
    """The header check passes; SQLite's own "file is not a database" is caught and said the same way."""
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    said = _both(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": f"sqlite:///{junk}"},
                 "store_invalid")
    assert "is not a SQLite database" in said["en"]


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_reading_command_refuses_a_store_of_something_else_and_writes_nothing_in_it(store, tmp_path, monkeypatch,
                                                                                      capsys, request):
    """verify, export, replay, recheck and simulate, pointed at a database holding another application's tables and
    none of the ledger's, added the ledger's tables to it and said only "the store holds no events" (an operator
    probe). They refuse it as store_invalid naming the tables found, and the database is left as it was; an
    empty store is still answered (it holds no events)."""
    import psycopg

    if store == "sqlite":
        import sqlite3

        url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
        with contextlib.closing(sqlite3.connect(tmp_path / "crm.sqlite3")) as db:
            db.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
            # Another application's table may bear the ledger's name; its columns are not eventsourcing's.
            db.execute("CREATE TABLE stored_events (id INTEGER, payload TEXT)")
            db.commit()

        def tables() -> list[str]:
            with contextlib.closing(sqlite3.connect(tmp_path / "crm.sqlite3")) as db:
                return [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    else:
        url = request.getfixturevalue("fresh_postgres_url")
        with psycopg.connect(url, autocommit=True) as db:
            db.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
            db.execute("CREATE TABLE awardledger_events (id INTEGER, payload TEXT)")

        def tables() -> list[str]:
            with psycopg.connect(url) as db:
                return [n for (n,) in db.execute("SELECT table_name FROM information_schema.tables"
                                                 " WHERE table_schema = current_schema()")]
    draft = tmp_path / "draft.toml"
    draft.write_text((ROOT / "ledger" / "catalogue" / "binjiang-2022.toml").read_text(encoding="utf-8"),
                     encoding="utf-8")
    foreign = sorted(tables())
    for argv in (["verify"], ["export", "--year", "2023"], ["replay", "--as-of", "2024-01-01"], ["recheck"],
                 ["simulate", "--catalogue", str(draft)], ["receipt", "00000000-0000-4000-8000-000000000000"]):
        said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": url}, "store_invalid",
                     quoted=r"`[a-z]+`|customers|stored_events|LEDGER_DATABASE_URL|/\S+|\w+_\w+_\w+")
        assert "holds no ledger" in said["en"] and "customers" in said["en"] and "没有台账" in said["zh"], said
        assert sorted(tables()) == foreign
    empty = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": empty})
    assert code == 0 and "holds no events" in err, err


def test_a_ledger_whose_events_table_was_dropped_is_told_tampered_not_something_else(database_url, tmp_path,
                                                                                      monkeypatch, capsys):
    """The store check took a ledger whose events table was dropped for another application's database (its
    chain, refused keys and read models "of something else": a regression probe). Its own tables make it a ledger:
    verify runs and says the chain breaks."""
    import sqlite3

    import psycopg

    from ledger.application import AwardLedger
    from ledger.audit.tables import events_table
    from ledger.store import sqlite_path, store_env
    from tests.audit.conftest import record_history
    from tests.store.conftest import World

    app = AwardLedger(store_env(database_url))
    try:
        record_history(World(app), organisations=1)
    finally:
        app.close()
    if "postgresql" in database_url:
        with psycopg.connect(database_url, autocommit=True) as db:
            db.execute(f"DROP TABLE {events_table(database_url)} CASCADE")
    else:
        with contextlib.closing(sqlite3.connect(sqlite_path(database_url))) as db:
            db.execute(f"DROP TABLE {events_table(database_url)}")
            db.commit()
    code, out, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": database_url})
    assert code == 1 and "store_invalid" not in err and "TAMPERING" in err + out, err


def test_another_eventsourcing_applications_store_is_not_the_ledgers(tmp_path, monkeypatch, capsys):
    """Its events table has eventsourcing's columns, as the ledger's has; its events' topics are its own: recheck
    printed a traceback and the ledger's tables were added (a regression probe). A store left with only the
    ledger's read models (rm_*) is the ledger's, not "something else"."""
    import sqlite3

    other = tmp_path / "other.sqlite3"
    with contextlib.closing(sqlite3.connect(other)) as db:
        db.execute("CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT,"
                   " state BLOB, PRIMARY KEY (originator_id, originator_version))")
        db.execute("INSERT INTO stored_events VALUES ('a', 1, 'shop.orders:Order.Placed', x'7b7d')")
        db.commit()
    for argv in (["recheck"], ["verify"]):
        said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": f"sqlite:///{other}"},
                     "store_invalid", quoted=r"`[a-z]+`|stored_events|LEDGER_DATABASE_URL|/\S+")
        assert "holds no ledger" in said["en"], said
    with contextlib.closing(sqlite3.connect(other)) as db:
        assert [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["stored_events"]
    reads = tmp_path / "reads.sqlite3"
    with contextlib.closing(sqlite3.connect(reads)) as db:
        db.execute("CREATE TABLE rm_organisations (uscc TEXT)")
        db.commit()
    _, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": f"sqlite:///{reads}"})
    assert "store_invalid" not in err, err


# (2) Bad files named by settings, and ./.env.
def test_a_principals_file_that_is_not_utf8_is_auth_file_invalid(tmp_path, monkeypatch, capsys):
    (tmp_path / "principals.json").write_bytes(JUNK)
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,reference,counterparty\n2024-07-01,1.00,PAY-1,x\n", encoding="utf-8")
    for argv in (["reconcile", str(statement)], ["close", "--year", "2023"], ["serve"]):
        said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_AUTH_FILE": "principals.json",
                                                           "LEDGER_DATABASE_URL": _sqlite(tmp_path)},
                     "auth_file_invalid")
        assert "not UTF-8 text" in said["en"] and "UTF-8 文本" in said["zh"]


@pytest.mark.parametrize("kind", ["junk", "folder", "not toml", "no fields"])
def test_a_bank_column_map_that_cannot_be_used_is_settings_invalid(kind, tmp_path, monkeypatch, capsys):
    columns = tmp_path / "columns.toml"
    if kind == "junk":
        columns.write_bytes(JUNK)
    elif kind == "folder":
        columns.mkdir()
    elif kind == "not toml":
        columns.write_text("[fields\ndate = 1\n", encoding="utf-8")
    else:
        columns.write_text("[memo]\npattern = 'x'\n", encoding="utf-8")
    statement = tmp_path / "s.csv"
    statement.write_text("date,amount,reference,counterparty\n2024-07-01,1.00,PAY-1,x\n", encoding="utf-8")
    # serve too, at start, as every other bad setting: it was found only at finance's first upload, a 422 naming
    # the server's path (an ops probe); export, which reads no bank file, is held to the same settings.
    for argv in (["reconcile", str(statement)], ["serve"], ["export", "--year", "2023"]):
        said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_BANK_COLUMNS": str(columns),
                                                           "LEDGER_DATABASE_URL": _sqlite(tmp_path)},
                     "settings_invalid")
        assert said["en"].startswith(f"LEDGER_BANK_COLUMNS '{columns}' cannot be used as the bank column map: ")
        assert "Errno" not in said["zh"] and "ledger/bank_files/columns.toml" in said["zh"]
        assert not (tmp_path / "ledger.sqlite3").exists()  # refused before the store is opened


def test_a_signing_key_path_that_is_a_folder_is_signing_key_invalid(tmp_path, monkeypatch, capsys):
    (tmp_path / "keys").mkdir()
    # `close`, which signs: a receipt of a claim the store does not hold is refused before the key is read.
    said = _both(monkeypatch, capsys, tmp_path, ["close", "--year", "2023"],
                 {"LEDGER_SIGNING_KEY_FILE": str(tmp_path / "keys"), "LEDGER_DATABASE_URL": _sqlite(tmp_path)},
                 "signing_key_invalid")
    assert "cannot be read as a key file" in said["en"] and "这是文件夹，不是文件" in said["zh"]


def test_a_dot_env_that_is_not_utf8_is_settings_invalid_naming_it(tmp_path, monkeypatch, capsys):
    (tmp_path / ".env").write_bytes(JUNK)
    said = _both(monkeypatch, capsys, tmp_path, ["verify"], {}, "settings_invalid")
    assert f"{tmp_path / '.env'} is not UTF-8 text" in said["en"] and ".env" in said["zh"]


@pytest.mark.parametrize(("variable", "value", "low", "high"), [("LEDGER_WORKER_HEALTHCHECK", "abc", 5, 3600),
                                                                ("LEDGER_WORKER_HEALTHCHECK", "1.5", 5, 3600),
                                                                ("LEDGER_DB_POOL", "x", 2, 256)])
def test_a_number_setting_that_is_no_number_is_told_its_bounds(variable, value, low, high, tmp_path, monkeypatch,
                                                               capsys):
    """`LEDGER_WORKER_HEALTHCHECK=abc` was told "a whole number such as 1", itself refused (a probe): a setting
    that is no number is told its bounds, and its example is one of them."""
    said = _both(monkeypatch, capsys, tmp_path, ["verify"], {variable: value}, "settings_invalid")
    assert f"(from {low} to {high})" in said["en"], said["en"]
    assert f"例如 {low}（{low} 到 {high} 之间）" in said["zh"], said["zh"]


# (3) A newly generated key is said on stderr, in the reader's language; stdout is the receipt alone.
def test_receipt_to_stdout_is_json_alone_when_the_key_is_generated(tmp_path, monkeypatch, capsys):
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    for lang in ("zh", "en"):
        url = f"sqlite:///{tmp_path}/ledger-{lang}.sqlite3"  # a store of its own: one with a key gets no new one
        ledger = AwardLedger(store_env(url))
        world = World(ledger)
        world.appropriate(2023)
        claim = world.claim(world.org(), "A5.voucher", basis_amount="100000")
        ledger.close()
        key = tmp_path / f"key-{lang}.pem"
        code, out, err = _run(monkeypatch, capsys, tmp_path, ["receipt", claim["id"], "--output", "-"],
                              {"LEDGER_DATABASE_URL": url, "LEDGER_SIGNING_KEY_FILE": str(key), **READERS[lang]})
        assert code == 0 and key.exists()
        assert json.loads(out)["claim_id"] == claim["id"]
        notice = next(line for line in err.splitlines() if str(key) in line)
        if lang == "zh":
            assert "生成新的 Ed25519 签名密钥" in notice and not ENGLISH.search(notice.replace(str(key), "")), err
        else:
            assert "generated a new Ed25519 signing key" in notice and not CJK.search(err), err


# (4) Tables in the reader's language.
def _world_with_a_claim(url: str) -> str:
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(url))
    world = World(ledger)
    world.appropriate(2023)
    organisation = world.org()
    world.approved(organisation, "A5.voucher", basis_amount="1000000")
    ledger.close()
    return organisation


def test_replay_and_simulate_tables_read_in_the_readers_language(tmp_path, monkeypatch, capsys):
    url = _sqlite(tmp_path)
    _world_with_a_claim(url)
    draft = ROOT / "ledger" / "catalogue" / "binjiang-2022.toml"
    runs = {"replay": ["replay", "--as-of", "2999-01-01T00:00:00+08:00"], "simulate": ["simulate", "--catalogue",
                                                                                          str(draft)]}
    for name, argv in runs.items():
        for lang in ("zh", "en"):
            code, out, _ = _run(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": url, **READERS[lang]})
            assert code == 0, (name, out)
            # The organisations' USCCs and names, programme codes, policy versions and the zone are not words.
            out = re.sub(r"杭州测试科技有限公司 \S+", "某企业", out)
            words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[0-9A-Z]{18}\b|UTC|A\d+\.\w+|\d{4}\.\d", "", out)))
            if lang == "zh":
                assert "合计" in out and not words, (name, words, out)
            else:
                assert "total" in out and not CJK.search(out.replace("某企业", "")), (name, out)
                if name == "simulate":
                    assert "项目" not in out and "programme" in out


def test_the_reconcile_table_reads_in_the_readers_language():
    from api.commands.reconcile import describe

    found = {"id": "s1", "source": "a.csv", "lines": 2, "period": {"from": "2024-07-01", "to": "2024-07-02"},
             "total": "100.00", "already_imported": False,
             "report": {"matched": [{"line": {"line": 2, "date": "2024-07-01", "reference": "PAY-1",
                                              "amount": "50.00"}, "payouts": [{"amount": "50.00"}]}],
                        "amount_mismatches": [], "reversed_but_on_statement": [],
                        "unmatched_bank_lines": [{"line": 3, "date": "2024-07-02", "reference": "X-1",
                                                  "amount": "50.00"}],
                        "unmatched_payouts": [{"paid_on": "2024-07-01", "bank_ref": "PAY-9", "amount": "9.00",
                                               "id": "p9"}],
                        "counts": {"matched": 1, "unmatched_bank_lines": 1, "unmatched_payouts": 1},
                        "all_matched": False},
             "refused_lines": [{"line": 4, "message": "line 4: bad", "message_zh": "第 4 行：有误"}]}
    zh, en = describe(found, zh=True), describe(found, zh=False)
    assert "已匹配" in zh and "无对应拨付" in zh and "发现不符" in zh and "第 4 行：有误（未导入）" in zh
    assert not set(re.findall(r"[A-Za-z]{2,}", re.sub(r"PAY|csv", "", zh))), zh
    assert "NO PAYOUT" in en and "DISCREPANCIES found" in en and not CJK.search(en)
    # The counts are named as the statement page names them (one table, api/statement_words.py): the command said
    # 无对应拨付的流水行 where the page said 无对应拨付的银行行, and "unmatched bank lines" in English.
    from api.web.i18n import MESSAGES

    for key in ("matched", "unmatched_bank_lines", "unmatched_payouts"):
        assert f"{MESSAGES[key][0]}：1" in zh and f"{MESSAGES[key][1]}: 1" in en


# (5) serve where it cannot listen.
def _serve(tmp_path: Path, lang: str, *args: str, **variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") and k not in LOCALES}
    principals = tmp_path / "principals.json"
    principals.write_text(json.dumps({"principals": []}), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "api.cli", "serve", *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60,
                          env={**env, "PYTHONPATH": str(ROOT), **READERS[lang], "LEDGER_AUTH_FILE": str(principals),
                               "LEDGER_DATABASE_URL": _sqlite(tmp_path), **variables})


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]])
def test_serve_on_a_port_in_use_is_refused_as_address_in_use(workers, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = str(taken.getsockname()[1])
        for lang in ("en", "zh"):
            run = _serve(tmp_path, lang, "--port", port, *workers, LEDGER_PROJECTOR="external")
            (found,) = REFUSAL.findall(run.stderr)
            assert run.returncode == 2 and found[1] == "address_in_use", run.stderr
            assert ("--port" in found[2]) and ((lang == "zh") == bool(CJK.search(found[2]))), found


def test_serve_on_an_address_that_is_not_this_machines_is_refused_as_host_invalid(tmp_path):
    for lang in ("en", "zh"):
        run = _serve(tmp_path, lang, "--host", "256.1.1.1", "--port", "18999")
        (found,) = REFUSAL.findall(run.stderr)
        assert run.returncode == 2 and found[1] == "host_invalid" and "--host" in found[2], run.stderr
        assert (lang == "zh") == bool(CJK.search(found[2]))


def test_serve_refused_where_it_would_listen_writes_no_development_tokens(tmp_path):
    """Without LEDGER_AUTH_FILE, serve makes development tokens; refused for its address, it makes none (a probe
    found them printed and written before the refusal)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") and k not in LOCALES}
    run = subprocess.run([sys.executable, "-m", "api.cli", "serve", "--host", "256.1.1.1", "--port", "18999"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**env, "PYTHONPATH": str(ROOT), "LANG": "C", "LEDGER_DATABASE_URL": _sqlite(tmp_path)})
    assert run.returncode == 2 and "[host_invalid]" in run.stderr, run.stderr
    assert not (tmp_path / "var" / "dev-tokens.json").exists() and "dev-finance" not in run.stderr


# (9) and (10): flags that argparse refuses, in words a person reads.
@pytest.mark.parametrize(("argv", "english", "chinese"), [
    (["serve", "--workers", "0"], "argument --workers: must be at least 1", "参数 --workers 应至少为 1"),
    (["serve", "--workers", "-3"], "argument --workers: must be at least 1", "参数 --workers 应至少为 1"),
    (["serve", "--port", "70000"], "argument --port: must be at most 65535", "参数 --port 应至多为 65535"),
    (["demo", "--organisations", "abc"], "argument --organisations: 'abc' is not a whole number",
     "参数 --organisations 的取值 'abc' 不是整数"),
])
def test_flags_out_of_range_are_refused_naturally(argv, english, chinese, tmp_path, monkeypatch, capsys):
    said = _both(monkeypatch, capsys, tmp_path, argv, {"LEDGER_DATABASE_URL": _sqlite(tmp_path)}, "argument_invalid")
    assert english in said["en"] and "_positive" not in said["en"]
    assert chinese in said["zh"]


# (6) Chinese without English fragments or UTC.
def test_close_refusals_read_wholly_in_chinese_with_beijing_time(tmp_path, monkeypatch, capsys):
    url = _sqlite(tmp_path)
    variables = {"LEDGER_DATABASE_URL": url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem")}
    said = _both(monkeypatch, capsys, tmp_path, ["close", "--year", "2031"], variables, "outside_policy_term")
    assert "至" in said["zh"] and " to " not in said["zh"]
    code, _, _ = _run(monkeypatch, capsys, tmp_path, ["close", "--year", "2023", "--as", "finance-wang"],
                      {**variables, "LANG": "C"})
    assert code == 0
    said = _both(monkeypatch, capsys, tmp_path, ["close", "--year", "2023"], variables, "conflict", exit_code=1)
    moment = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\+08:00"
    clock = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"  # 北京时间 in Chinese, as the pages say it (an audit probe)
    assert re.search(f"已由财政账号 finance-wang 结账（截至北京时间 {clock}）", said["zh"]), said["zh"]
    assert re.search(f"closed by the finance principal finance-wang as of {moment}", said["en"]), said["en"]
    assert "+00:00" not in said["zh"] + said["en"]


def test_receipt_of_an_unknown_claim_says_claim_in_chinese(tmp_path, monkeypatch, capsys):
    said = _both(monkeypatch, capsys, tmp_path, ["receipt", "00000000-0000-0000-0000-000000000000"],
                 {"LEDGER_DATABASE_URL": _sqlite(tmp_path), "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "k.pem")},
                 "not_found")
    assert "台账中没有申请 00000000-0000-0000-0000-000000000000" in said["zh"]


# (7) The development principals' warning.
def test_the_development_principals_warning_reads_in_the_readers_language(tmp_path, monkeypatch, capsys):
    from api import dev_principals

    for lang in ("zh", "en"):
        with monkeypatch.context() as env:
            for name in LOCALES:
                env.delenv(name, raising=False)
            for name, value in READERS[lang].items():
                env.setenv(name, value)
            folder = tmp_path / lang
            _, tokens, fresh = dev_principals.development_principals(folder)
            capsys.readouterr()
            dev_principals.announce(folder, tokens, fresh)
            first = capsys.readouterr().err
            _, tokens, fresh = dev_principals.development_principals(folder)
            dev_principals.announce(folder, tokens, fresh)
            second = capsys.readouterr().err
        for banner in (first, second):
            prose = re.sub(r"Authorization: Bearer \S+|python3 -c .*|\S*dev-tokens\.json\S*|dev-\w+|"
                           r"LEDGER_AUTH_FILE|README|Principals and tokens", "", banner)
            if lang == "zh":
                assert "警告：未设置 LEDGER_AUTH_FILE" in banner and not ENGLISH.search(prose), banner
            else:
                assert "WARNING: LEDGER_AUTH_FILE is not set" in banner and not CJK.search(banner), banner


# (8) PostgreSQL that answers, and refuses.
@pytest.mark.postgres
def test_a_missing_postgresql_database_or_user_is_said_at_once(postgres_server_url, tmp_path, monkeypatch, capsys):
    import time
    from urllib.parse import urlsplit

    server = urlsplit(postgres_server_url)
    where = f"{server.hostname}:{server.port or 5432}"
    started = time.monotonic()
    said = _both(monkeypatch, capsys, tmp_path, ["verify"],
                 {"LEDGER_DATABASE_URL": f"postgresql://{server.username}@{where}/cli_fix_never_created"},
                 "store_unreachable")
    assert time.monotonic() - started < 4  # both readers, at once: no wait for a pool to time out
    assert "has no database 'cli_fix_never_created'" in said["en"] and "createdb" in said["en"]
    assert "没有数据库 'cli_fix_never_created'" in said["zh"] and "createdb" in said["zh"]
    said = _both(monkeypatch, capsys, tmp_path, ["verify"],
                 {"LEDGER_DATABASE_URL": f"postgresql://cli_fix_no_such_user@{where}/postgres"}, "store_unreachable")
    assert "has no user 'cli_fix_no_such_user'" in said["en"] and "没有用户" in said["zh"]
    assert "-U postgres cli_fix_no_such_user" in said["en"]  # the missing user cannot create itself (an ops probe)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    said = _both(monkeypatch, capsys, tmp_path, ["verify"],
                 {"LEDGER_DATABASE_URL": f"postgresql://{server.username}@127.0.0.1:{nobody}/x"}, "store_unreachable")
    assert "Connection refused. Is the server running" in said["en"], said  # libpq's two lines, as two sentences


@pytest.mark.postgres
def test_serve_refuses_a_read_replica_setting_it_cannot_use_at_once_naming_it(postgres_server_url, fresh_postgres_url,
                                                                             tmp_path):
    """LEDGER_READ_DATABASE_URL that is not PostgreSQL, names no database, nothing listening, or a server that is
    not a standby: refused before anything starts, naming that variable (serve had waited 30 s, then blamed
    LEDGER_DATABASE_URL in a traceback, exit 3)."""
    from urllib.parse import urlsplit

    server = urlsplit(postgres_server_url)
    where = f"{server.hostname}:{server.port or 5432}"
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nobody = closed.getsockname()[1]
    for replica, code, said in ((_sqlite(tmp_path), "settings_invalid", "on PostgreSQL"),
                                (f"postgresql://{server.username}@{where}/cli_fix_no_replica", "store_unreachable",
                                 "does not exist"),
                                (f"postgresql://{server.username}@127.0.0.1:{nobody}/x", "store_unreachable",
                                 "Connection refused"),
                                (fresh_postgres_url, "settings_invalid", "not a streaming replica")):
        for lang in ("en", "zh"):
            run = _serve(tmp_path, lang, "--port", "18998", LEDGER_DATABASE_URL=fresh_postgres_url,
                         LEDGER_READ_DATABASE_URL=replica)
            (found,) = REFUSAL.findall(run.stderr)
            assert run.returncode == 2 and found[1] == code, run.stderr
            assert "LEDGER_READ_DATABASE_URL" in found[2] and "Traceback" not in run.stderr, run.stderr
            assert (said in found[2]) if lang == "en" else bool(CJK.search(found[2])), found


@pytest.mark.postgres
def test_a_user_who_may_not_create_the_tables_is_told_how_to_grant_it(postgres_server_url, fresh_postgres_url,
                                                                      tmp_path, monkeypatch, capsys):
    """Since PostgreSQL 15 only a database's owner may create tables in its schema `public`: a user who is not is
    refused `store_forbidden`, naming the GRANT or owner that fixes it, by every command and by serve (a
    traceback before; serve's was exit 3)."""
    import psycopg
    from psycopg import sql

    from tests.support import unique_id

    role = unique_id("cli_fix_nopriv_")
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        url = urlsplit_replace_user(fresh_postgres_url, role)
        said = _both(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": url}, "store_forbidden",
                     quoted=r"`[^`]*`|'[^']*'|permission denied for schema public")
        assert f"GRANT USAGE, CREATE ON SCHEMA public TO {role}" in said["en"] and "ALTER DATABASE" in said["zh"]
        for lang in ("en", "zh"):
            run = _serve(tmp_path, lang, "--port", "18997", LEDGER_DATABASE_URL=url)
            (found,) = REFUSAL.findall(run.stderr)
            assert run.returncode == 2 and found[1] == "store_forbidden", run.stderr
            assert "Traceback" not in run.stderr and (lang == "zh") == bool(CJK.search(found[2])), run.stderr
    finally:
        with psycopg.connect(postgres_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.mark.postgres
@pytest.mark.parametrize("argv", [["verify"], ["export", "--year", "2023", "--output", "-"], ["rebuild"],
                                  ["replay", "--as-of", "2024-01-01"]])
def test_a_user_who_may_only_read_the_tables_is_refused_store_forbidden_not_a_traceback(
        argv, postgres_server_url, fresh_postgres_url, tmp_path, monkeypatch, capsys):
    """An operations probe: a user without rights to the ledger's tables (or with SELECT alone: the chain's check
    locks them) made verify, export, rebuild and replay crash with a traceback and exit 1, tampering's code, where
    recheck and demo refused `store_forbidden`. Each is refused so, naming the grant."""
    import psycopg
    from psycopg import sql

    from tests.support import unique_id

    variables = {"LEDGER_DATABASE_URL": fresh_postgres_url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem")}
    assert _run(monkeypatch, capsys, tmp_path, ["verify"], variables)[0] == 0  # the owner makes the tables
    role = unique_id("cli_fix_reader_")
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    try:
        for grant in (None, "SELECT"):
            if grant:
                with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
                    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {}").format(
                        sql.Identifier(role)))
            url = urlsplit_replace_user(fresh_postgres_url, role)
            said = _both(monkeypatch, capsys, tmp_path, argv, {**variables, "LEDGER_DATABASE_URL": url},
                         "store_forbidden", quoted=r"`[^`]*`|'[^']*'|permission denied for \w+ \w+")
            assert f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}" in said["en"], said
    finally:
        with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
            conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(sql.Identifier(role)))
        with psycopg.connect(postgres_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


@pytest.mark.postgres
def test_a_server_that_takes_no_more_connections_is_not_a_database_to_start(postgres_server_url, fresh_postgres_url,
                                                                            tmp_path, monkeypatch, capsys):
    """A hostile-input probe, while the server was full ("too many clients already"): every command and serve said
    to start the database or fix the URL, and in Chinese only "OperationalError". A connection refused for the
    server's (or a role's) connection limit says so, and to wait and retry or raise the limit, in both languages."""
    import psycopg
    from psycopg import sql

    from tests.support import unique_id

    role = unique_id("cli_fix_full_")
    with psycopg.connect(postgres_server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN CONNECTION LIMIT 0").format(sql.Identifier(role)))
    try:
        url = urlsplit_replace_user(fresh_postgres_url, role)
        said = _both(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": url}, "store_unreachable",
                     quoted=r"`[^`]*`|'[^']*'|max_connections|LEDGER_\w+|PostgreSQL|README|Connections"
                            r"|ALTER ROLE … CONNECTION LIMIT|CONNECTION LIMIT")
        assert "try again" in said["en"] and "Start the database" not in said["en"], said
        assert "ALTER ROLE" in said["en"] and "max_connections" not in said["en"], said  # the role's own limit
        assert "重试" in said["zh"] and "OperationalError" not in said["zh"], said
        for lang in ("en", "zh"):
            run = _serve(tmp_path, lang, "--port", "18996", LEDGER_DATABASE_URL=url)
            (found,) = REFUSAL.findall(run.stderr)
            assert run.returncode == 2 and found[1] == "store_unreachable", run.stderr
            assert "CONNECTION LIMIT" in found[2] and ("重试" in found[2] if lang == "zh" else "try again" in found[2])
    finally:
        with psycopg.connect(postgres_server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def urlsplit_replace_user(url: str, user: str) -> str:
    from urllib.parse import urlsplit

    split = urlsplit(url)
    return split._replace(netloc=f"{user}@{split.hostname}:{split.port or 5432}").geturl()


# (10) reconcile, export, replay.
@pytest.mark.parametrize("content", [b"", b"foo\nbar\n", "日期,金额\n2024-07-01,1.00\n".encode()])
def test_a_statement_without_a_header_is_csv_unreadable(content, tmp_path, monkeypatch, capsys):
    statement = tmp_path / "empty.txt"
    statement.write_bytes(content)
    said = _both(monkeypatch, capsys, tmp_path, ["reconcile", str(statement)],
                 {"LEDGER_DATABASE_URL": _sqlite(tmp_path)}, "csv_unreadable",
                 quoted=r"(?<=: ).*?(?=[;；]|\. Nothing|。未导入)")  # the map's column names, as the file holds them
    assert "no header row in its first 20 lines" in said["en"] and "date: " in said["en"]
    assert "交易日期（date）：" in said["zh"] and "借方金额（debit）：" in said["zh"]


def test_export_json_carries_closed_and_post_close_adjustments_as_the_api_does(tmp_path, monkeypatch, capsys):
    url = _sqlite(tmp_path)
    variables = {"LEDGER_DATABASE_URL": url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem"), "LANG": "C"}
    code, out, _ = _run(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--format", "json",
                                                        "--output", "-"], variables)
    document = json.loads(out)
    assert code == 0 and document["closed"] is None and document["post_close_adjustments"] == []
    assert _run(monkeypatch, capsys, tmp_path, ["close", "--year", "2023"], variables)[0] == 0
    code, out, _ = _run(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--format", "json",
                                                        "--output", "-"], variables)
    document = json.loads(out)
    assert document["closed"]["year"] == 2023 and document["post_close_adjustments"] == []


@pytest.mark.parametrize(("moment", "accepted"), [
    ("2024-01-01T00:00", False), ("2024-01-01T00:00:00", False), ("1800000000", False), ("2024-01-01T00:00Z", False),
    ("2024-01-01", True), ("2024-01-01T00:00:00+08:00", True), ("2024-01-01T00:00:00Z", True),
    ("2024-01-01T00:00:00.5+08:00", True),
])
def test_replay_as_of_takes_what_the_http_as_of_takes(moment, accepted, tmp_path, monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", moment, "--json"],
                        {"LEDGER_DATABASE_URL": _sqlite(tmp_path), "LANG": "C"})
    if accepted:
        assert code == 0, err
    else:
        assert code == 2 and "[argument_invalid]" in err and "seconds and an offset" in err, err


# (11) simulate names the organisations that gain and lose.
def test_simulate_names_the_gaining_organisations_in_json_and_csv(tmp_path, monkeypatch, capsys):
    from tests.sandbox.drafts import edit

    url = _sqlite(tmp_path)
    organisation = _world_with_a_claim(url)
    draft = tmp_path / "draft.toml"
    draft.write_text(edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"'), encoding="utf-8")
    code, out, _ = _run(monkeypatch, capsys, tmp_path, ["simulate", "--catalogue", str(draft), "--json",
                                                        "--output", str(tmp_path / "sim.csv")],
                        {"LEDGER_DATABASE_URL": url, "LANG": "C"})
    assert code == 0
    (gaining,) = json.loads(out)["organisations_gaining"]
    name = f"杭州测试科技有限公司 {organisation[-6:]}"
    assert gaining["uscc"] == organisation and gaining["name"] == name
    rows = list(csv.reader(io.StringIO((tmp_path / "sim.csv").read_text(encoding="utf-8-sig"))))
    at = rows.index(["增加最多的单位"])
    assert rows[at + 1][:2] == [organisation, name]


def test_a_misspelt_setting_is_named_and_an_empty_store_is_said_so(tmp_path, monkeypatch, capsys):
    """LEDGER_DATABSE_URL left LEDGER_DATABASE_URL unset and `verify` said "intact: 0 events" of a new default
    store: the misspelt name is now warned of with the setting it resembles (environment or ./.env, in the
    reader's language), and an empty store is named, so a scheduled check on the wrong store does not stay green
    unnoticed. Names that are no setting's near miss (a test suite's own) say nothing."""
    (tmp_path / ".env").write_text("LEDGER_WAIT_TIMOUT=3\n", encoding="utf-8")
    variables = {"LEDGER_DATABSE_URL": "postgresql://nobody@127.0.0.1:1/nowhere", "LEDGER_FUZZ_EXAMPLES": "5"}
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {**variables, "LANG": "C"})
    assert code == 0, err
    assert "LEDGER_DATABSE_URL is not a setting and is ignored; did you mean LEDGER_DATABASE_URL?" in err
    assert "LEDGER_WAIT_TIMOUT is not a setting and is ignored; did you mean LEDGER_WAIT_TIMEOUT?" in err
    assert "LEDGER_FUZZ_EXAMPLES" not in err
    assert f"the store holds no events (SQLite {tmp_path / 'var' / 'ledger.sqlite3'})" in err
    _, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {**variables, "LANG": "C", "LEDGER_LANG": "zh"})
    assert "是否应为 LEDGER_DATABASE_URL" in err and "该存储中没有任何事件" in err


def test_a_whole_number_is_ascii_digits_as_the_api_takes_them() -> None:
    """A probe: `export --year ２０２３` (full-width digits) was read as 2023, which the API refuses everywhere."""
    import argparse

    from api.cli_language import whole_number

    parse = whole_number(minimum=1)
    assert parse("2023") == 2023
    # A second probe: " 2023 " and "+2023" were read as 2023 (`close --year '+2022 '` recorded a close); the API
    # refuses both ("digits only").
    for text in ("2_023", "٢٠٢٣", "2023.0", "", " 2023 ", "+2023", "2023 "):
        with pytest.raises(argparse.ArgumentTypeError, match="is not a whole number"):
            parse(text)
    # Full-width digits are still refused, told the number to type (a regression probe).
    with pytest.raises(argparse.ArgumentTypeError, match=r"full-width digits .*; type it as 2023"):
        parse("２０２３")


def test_a_sqlite_store_it_may_not_write_is_forbidden_not_a_database_to_start(tmp_path, monkeypatch, capsys):
    """A SQLite file this process may not write (here opened read-only; a crash probe made it immutable) is refused
    `store_forbidden`, saying to make it writable, by a command and by serve: both said "Start the database"."""
    store = tmp_path / "ledger.sqlite3"
    exited, _, err = _run(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_DATABASE_URL": f"sqlite:///{store}"})
    assert exited == 0, err
    url = f"sqlite:///file:{store}?mode=ro"
    said = _both(monkeypatch, capsys, tmp_path, ["rebuild"], {"LEDGER_DATABASE_URL": url}, "store_forbidden",
                 quoted=r"file:\S+|\(attempt to write a readonly database\)|-wal|-shm|LEDGER_DATABASE_URL")
    assert "writable by the user the ledger runs as" in said["en"] and "Start the database" not in said["en"]
    for lang in ("en", "zh"):
        run = _serve(tmp_path, lang, "--port", "18996", LEDGER_DATABASE_URL=url)
        (found,) = REFUSAL.findall(run.stderr)
        assert run.returncode == 2 and found[1] == "store_forbidden", run.stderr
        assert "Traceback" not in run.stderr and (lang == "zh") == bool(CJK.search(found[2])), run.stderr


def test_a_year_not_yet_ended_in_beijing_is_not_closed(tmp_path, monkeypatch, capsys):
    """A parity probe closed 2025 on 1 March 2025 (and at 23:59 on 31 December, Beijing time): a close is once and
    for all, so every later approval of the year showed as a post-close adjustment. A year is closed once it has
    ended in Beijing; before, the refusal says when and where to read its figures, and records nothing."""
    from ledger import beijing

    url = _sqlite(tmp_path)
    variables = {"LEDGER_DATABASE_URL": url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem")}
    for day in (date(2025, 3, 1), date(2025, 12, 31)):
        monkeypatch.setattr(beijing, "today", lambda day=day: day)
        said = _both(monkeypatch, capsys, tmp_path, ["close", "--year", "2025"], variables, "argument_invalid",
                     quoted=r"`award-ledger export --year 2025`|GET /v1/finance/reconciliation")
        assert f"today is {day.isoformat()}" in said["en"] and "award-ledger export --year 2025" in said["en"]
        assert f"2025 年度在北京时间尚未结束（今天是 {day.isoformat()}）" in said["zh"], said["zh"]
    assert not (tmp_path / "key.pem").exists()  # refused before a key is made or anything recorded
    monkeypatch.setattr(beijing, "today", lambda: date(2026, 1, 1))
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["close", "--year", "2025"], variables)
    assert code == 0, err


def test_without_a_principals_file_the_development_auditor_does_not_close_a_year(tmp_path, monkeypatch, capsys):
    """An audit probe ran `close --as dev-auditor` on a development store: YearClose.Closed recorded by an auditor,
    who writes nothing. The development principals are the principals in force without LEDGER_AUTH_FILE: one of
    another role is refused, in the reader's language, writing nothing; a finance name is taken."""
    from ledger import beijing

    monkeypatch.setattr(beijing, "today", lambda: date(2026, 1, 1))
    url = _sqlite(tmp_path)
    variables = {"LEDGER_DATABASE_URL": url, "LEDGER_SIGNING_KEY_FILE": str(tmp_path / "key.pem")}
    for who in ("dev-auditor", "dev-admin", "dev-kjj", "DEV-ADMIN", "ｄｅｖ－ａｕｄｉｔｏｒ"):
        said = _both(monkeypatch, capsys, tmp_path, ["close", "--year", "2025", "--as", who], variables,
                     "argument_invalid",
                     quoted=r"--as|'[^']+'|\(dev-finance\)|dev-finance|cli-finance")
        assert "not finance" in said["en"] and "不是财政" in said["zh"], said
    assert not (tmp_path / "key.pem").exists()  # refused before anything was made or recorded
    code, _, err = _run(monkeypatch, capsys, tmp_path, ["close", "--year", "2025", "--as", "dev-finance"], variables)
    assert code == 0, err


def test_replay_heads_its_table_with_the_moment_to_the_microsecond(tmp_path, monkeypatch, capsys):
    """Two instants a microsecond apart are two books, and their headings both read 22:45:30 (an audit probe): the
    heading keeps the fraction asked for, as the pages show an exact moment (the start of a second is .000000, a day
    its end, shown to the second)."""
    url = _sqlite(tmp_path)
    code, out, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", "2024-01-01T00:00:00.394256+08:00"],
                          {"LEDGER_DATABASE_URL": url, "LANG": "C"})
    assert code == 0, err
    assert "2024-01-01 00:00:00.394256" in out + err, out + err
    code, out, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", "2024-01-01"],
                          {"LEDGER_DATABASE_URL": url, "LANG": "C"})
    assert code == 0 and "2024-01-01 23:59:59 UTC+08:00" in out + err, out + err
    # in Chinese, 北京时间 as the pages say it, in the heading and the outcome line (an audit probe read UTC+08:00)
    code, out, err = _run(monkeypatch, capsys, tmp_path, ["replay", "--as-of", "2024-01-01T00:00:00.394256+08:00"],
                          {"LEDGER_DATABASE_URL": url, "LEDGER_LANG": "zh"})
    assert code == 0 and "台账截至 2024-01-01 00:00:00.394256（北京时间）所知的状态" in out, out
    assert "已重放截至 2024-01-01 00:00:00.394256（北京时间）记录的" in err and "UTC" not in out + err, out + err
