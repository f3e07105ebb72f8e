"""The command line refuses bad input in its reader's language: LEDGER_LANG, else LC_ALL, LC_MESSAGES, LANG.

Each refusal is run for real (`api.cli.main`, or the entry point as a subprocess) in English and in Chinese:
the same exit code and the same `[code]` either way, today's English for an English reader, Chinese with no
English sentence for a Chinese one, and nothing written."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from api.cli_language import language
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "ledger" / "catalogue" / "binjiang-2022.toml"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# Three English words in a row, or a word only an English sentence has: none may reach a Chinese reader.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}\b|\b(is|not|the|should|must|cannot|give|Input|valid|"
                     r"Fix|Expected|required|missing)\b")
REFUSAL = re.compile(r"^(award-ledger(?: [a-z-]+)?): \[([a-z_]+)\] (.*)$", re.MULTILINE)
LOCALES = ("LEDGER_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
ENGLISH_READERS = {"C": {"LANG": "C"}, "LEDGER_LANG=en over zh_CN": {"LANG": "zh_CN.UTF-8", "LEDGER_LANG": "en"},
                   "LC_ALL=C over zh_CN": {"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}}
CHINESE_READERS = {"zh_CN": {"LANG": "zh_CN.UTF-8"}, "LEDGER_LANG=zh over C": {"LANG": "C", "LEDGER_LANG": "zh"},
                   "LC_MESSAGES=zh_TW over en_US": {"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW.UTF-8"}}
PRINCIPALS = {"principals": [{"name": "x", "role": "bureau", "bureau": "nasa", "token_sha256": "0" * 64},
                             {"name": "y", "role": "boss", "token_sha256": "abc"}]}
# name: (argv, LEDGER_* variables, code, exit code, today's English, whole or a part of it)
CASES: dict[str, tuple[list[str], dict[str, str], str, int, str]] = {
    "a bad store URL": (["verify"], {"LEDGER_DATABASE_URL": "mysql://root:s3cret@localhost/ledger"},
                        "database_url_invalid", 2,
                        "LEDGER_DATABASE_URL 'mysql://root:***@localhost/ledger' is not usable: it is neither a"
                        " sqlite:/// nor a postgresql:// URL. Accepted forms: sqlite:///PATH (relative or absolute;"
                        " sqlite:///:memory: for a throw-away store) or postgresql://USER[:PASS]@HOST[:PORT]/DB"
                        " (postgres:// also accepted)."),
    "a bad port in the store URL": (["verify"], {"LEDGER_DATABASE_URL": "postgresql://u@host:99999/db"},
                                    "database_url_invalid", 2, "the port is not a number from 1 to 65535"),
    "a bad principals file": (["serve"], {"LEDGER_AUTH_FILE": "principals.json"}, "auth_file_invalid", 2,
                              "LEDGER_AUTH_FILE 'principals.json' is not a valid principals file: principals.0:"
                              " Value error, bureau 'nasa' is not in the catalogue; use one of"),
    # The name given twice, and where (a newcomer probe read "principal names must be unique" and no more).
    "a principals file naming one twice": (["serve"], {"LEDGER_AUTH_FILE": "twice.json"}, "auth_file_invalid", 2,
                                           "principal names must be unique: 'a' names principals.0 and"
                                           " principals.1; give each principal a name of its own"),
    "a principals file that is not JSON": (["serve"], {"LEDGER_AUTH_FILE": "notes.txt"}, "auth_file_invalid", 2,
                                           "LEDGER_AUTH_FILE 'notes.txt' is not a valid principals file: file:"
                                           " Invalid JSON"),
    "a missing principals file": (["serve"], {"LEDGER_AUTH_FILE": "absent.json"}, "auth_file_invalid", 2,
                                  "LEDGER_AUTH_FILE 'absent.json' cannot be read (No such file or directory); point"
                                  " it at the principals JSON file"),
    "a port that is not a number": (["verify"], {"LEDGER_PORT": "abc"}, "settings_invalid", 2,
                                    "the settings are not valid: LEDGER_PORT: Input should be a valid integer, unable"
                                    " to parse string as an integer (from 1 to 65535). Fix the variables (see"
                                    " .env.example)"),
    "settings of every kind": (["verify"], {"LEDGER_PROJECTOR": "x", "LEDGER_FAST_LANES": "maybe",
                                            "LEDGER_WAIT_TIMEOUT": "soon", "LEDGER_WORKERS": "0"},
                               "settings_invalid", 2, "LEDGER_PROJECTOR: Input should be 'inprocess' or 'external'"),
    "several workers with the projector inside": (["serve", "--workers", "2"], {}, "workers_need_external", 2,
                                                  "--workers 2 needs LEDGER_PROJECTOR=external"),
    "export: a year outside the policy": (["export", "--year", "2019"], {}, "outside_policy_term", 2,
                                          "year 2019 is outside the policy term"),
    "export: no year": (["export"], {}, "argument_invalid", 2, "the following arguments are required: --year"),
    "export: a year that is not a number": (["export", "--year", "x"], {}, "argument_invalid", 2,
                                            "argument --year: 'x' is not a whole number"),
    # int() alone read "2_023", and "２０２３" in full-width digits, as 2023; the API takes ASCII digits only.
    "export: a year int() would read": (["export", "--year", "2_023"], {}, "argument_invalid", 2,
                                        "argument --year: '2_023' is not a whole number"),
    "replay: a moment it cannot read": (["replay", "--as-of", "yesterday"], {}, "argument_invalid", 2,
                                        "--as-of 'yesterday' is not a moment; give RFC 3339, e.g."
                                        " 2024-01-01T00:00:00+08:00"),
    "simulate: no draft file": (["simulate", "--catalogue", "draft.toml"], {}, "file_unreadable", 2,
                                "cannot read draft.toml: No such file or directory; give the draft catalogue's path"
                                " with --catalogue"),
    "simulate: a bad USCC": (["simulate", "--catalogue", str(CATALOGUE), "--uscc", "X"], {}, "invalid_uscc", 2,
                             "--uscc: USCC 'X' must be 18 characters"),
    "reconcile: no statement file": (["reconcile", "statement.csv"], {}, "file_unreadable", 2,
                                     "cannot read statement.csv: No such file or directory. Give the path of the"
                                     " bank's CSV export"),
    "demo: no organisations": (["demo", "--organisations", "0"], {}, "argument_invalid", 2,
                               "argument --organisations: must be at least 1"),
    "simulate: a negative --top": (["simulate", "--catalogue", str(CATALOGUE), "--top", "-1"], {}, "argument_invalid",
                                   2, "argument --top: must be at least 0"),
    "demo: a district too big to plan": (["demo", "--organisations", "99999999999999999"], {}, "argument_invalid", 2,
                                         "argument --organisations: must be at most 1000000"),
    "verify-receipt: no receipt": (["verify-receipt", "receipt.json", "--public-key", "ledger.pem"], {},
                                   "receipt_unreadable", 2, "cannot read the receipt or the key: [Errno 2] No such"
                                   " file or directory: 'receipt.json'"),
    "verify-receipt: a receipt nested too deep": (["verify-receipt", "deep.json", "--public-key", "ledger.pem"], {},
                                                  "receipt_unreadable", 2, "cannot read the receipt or the key: the"
                                                  " JSON nests deeper than the parser follows"),
    "verify: a digest that is not JSON": (["verify", "--digest", "notes.txt"], {}, "digest_unreadable", 2,
                                          "cannot read a saved digest: Expecting value: line 1 column 1 (char 0)."),
}


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(monkeypatch, capsys, cwd: Path, argv: list[str], variables: dict[str, str]) -> tuple[int, str, str]:
    """`award-ledger ARGV` run in `cwd` with only these LEDGER_* and locale variables; (exit code, stdout, stderr)."""
    with monkeypatch.context() as env:
        for name in [*LOCALES, *(n for n in os.environ if n.startswith("LEDGER_") and n != SETTLE)]:
            env.delenv(name, raising=False)
        if "LEDGER_PORT" not in variables:  # `serve` checks its address first: not 8000, where `make serve` may be
            env.setenv("LEDGER_PORT", str(free_port()))
        for name, value in variables.items():
            env.setenv(name, value)
        env.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(argv)
        except SystemExit as stopped:  # argparse's refusals exit from inside parse_args
            code = int(stopped.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err


def _run(monkeypatch, capsys, cwd: Path, argv: list[str], variables: dict[str, str]) -> tuple[int, str]:
    """`run_cli`'s exit code and stderr."""
    code, _, err = run_cli(monkeypatch, capsys, cwd, argv, variables)
    return code, err


def _refusals(err: str) -> list[tuple[str, str, str]]:
    found = REFUSAL.findall(err)
    assert found, err
    return found


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A folder with the bad inputs the cases name (a principals file, a text file) and nothing else."""
    (tmp_path / "principals.json").write_text(json.dumps(PRINCIPALS))
    (tmp_path / "notes.txt").write_text("not JSON\n")
    (tmp_path / "twice.json").write_text(json.dumps({"principals": [
        {"name": "a", "role": "auditor", "token_sha256": "1" * 64}, {"name": "a", "role": "admin",
                                                                       "token_sha256": "2" * 64}]}))
    (tmp_path / "deep.json").write_text("[" * 100_000)
    return tmp_path


@pytest.mark.parametrize("case", CASES)
def test_a_refusal_reads_in_the_readers_language_with_the_same_code_and_exit(case, workdir, monkeypatch, capsys):
    """English readers (LANG=C, LEDGER_LANG=en over a Chinese LANG, LC_ALL over LANG) get today's English; Chinese
    readers (zh_CN, LEDGER_LANG=zh over C, LC_MESSAGES over LANG) get Chinese with no English sentence; the exit
    code and the refusal's code are the same for all, and the refusal writes nothing."""
    argv, variables, code, exit_code, english = CASES[case]
    before = sorted(workdir.rglob("*"))
    variables = {"LEDGER_DATABASE_URL": "sqlite:///ledger.sqlite3", **variables}
    said: dict[str, str] = {}
    for reader, locale in {**ENGLISH_READERS, **CHINESE_READERS}.items():
        exited, err = _run(monkeypatch, capsys, workdir, argv, {**variables, **locale})
        assert exited == exit_code, (reader, err)
        refusals = _refusals(err)
        assert {found[1] for found in refusals} == {code}, (reader, err)
        said[reader] = err
        text = " ".join(found[2] for found in refusals)
        if reader in ENGLISH_READERS:
            assert english in text and not CJK.search(text), (reader, err)
        else:
            assert CJK.search(text) and not ENGLISH.search(text), (reader, text)
            assert "usage:" not in err, err
    assert len({said[r] for r in ENGLISH_READERS}) == 1 and len({said[r] for r in CHINESE_READERS}) == 1, said
    assert sorted(workdir.rglob("*")) == before  # no store, no file: nothing written


def test_the_chinese_says_what_to_do_next(workdir, monkeypatch, capsys):
    """Each Chinese refusal of a setting names the variable and what it should be."""
    _, err = _run(monkeypatch, capsys, workdir, ["verify"],
                  {"LANG": "zh_CN.UTF-8", "LEDGER_PORT": "abc", "LEDGER_PROJECTOR": "x", "LEDGER_FAST_LANES": "maybe"})
    assert "LEDGER_PORT：应为整数" in err and "LEDGER_PROJECTOR：应为以下之一：inprocess、external" in err
    assert "LEDGER_FAST_LANES：应为 true 或 false" in err and "请修正这些变量（见 .env.example）" in err
    _, err = _run(monkeypatch, capsys, workdir, ["serve"],
                  {"LANG": "zh_CN.UTF-8", "LEDGER_AUTH_FILE": "principals.json"})
    assert "部门 'nasa' 不在政策目录中；请使用以下之一：" in err and "kjj" in err
    assert "principals.1.role：应为以下之一：bureau、finance、auditor、admin" in err


@pytest.mark.parametrize("value", ["fr", "chinese", "zh_CN"])
def test_an_unknown_ledger_lang_is_refused_in_both_languages(value, workdir, monkeypatch, capsys):
    """LEDGER_LANG other than zh or en stops the command, whatever LANG says, naming the accepted values in English
    and in Chinese (the reader's language is what is unknown); the same exit code either way."""
    for locale in ("C", "zh_CN.UTF-8"):
        exited, err = _run(monkeypatch, capsys, workdir, ["verify"], {"LANG": locale, "LEDGER_LANG": value})
        assert exited == 2
        (english, chinese) = _refusals(err)
        assert english[1] == chinese[1] == "language_unknown"
        assert f"LEDGER_LANG {value!r} is not a language" in english[2] and "zh or en" in english[2]
        assert CJK.search(chinese[2]) and "zh（中文）或 en（英文）" in chinese[2]
    assert not (workdir / "ledger.sqlite3").exists()


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, "en"), ({"LANG": "C"}, "en"), ({"LANG": "POSIX"}, "en"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"), ({"LANG": "zh_TW"}, "zh"), ({"LANG": "ZH_CN.GB18030"}, "zh"),
    ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "C"}, "en"), ({"LANG": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"), ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, "zh"),
    ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # an empty variable is skipped, as POSIX says
    ({"LEDGER_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"), ({"LEDGER_LANG": "zh", "LC_ALL": "C"}, "zh"),
    ({"LEDGER_LANG": "ZH"}, "zh"), ({"LEDGER_LANG": "", "LANG": "zh_CN.UTF-8"}, "zh"),
])
def test_the_language_follows_ledger_lang_then_the_posix_locale(environ, expected):
    """LEDGER_LANG wins; then LC_ALL, LC_MESSAGES, LANG in that order; "zh..." is Chinese, the rest English."""
    assert language(environ) == expected


def test_a_domain_refusal_prints_the_ledgers_chinese(database_url, workdir, monkeypatch, capsys):
    """`receipt` of a claim the ledger does not hold: the ledger's not_found, in its own Chinese for a Chinese
    reader and its English otherwise, exit 2 both ways, and no receipt file."""
    claim = "00000000-0000-4000-8000-000000000000"
    variables = {"LEDGER_DATABASE_URL": database_url, "LEDGER_SIGNING_KEY_FILE": str(workdir / "key.pem")}
    exited_en, err_en = _run(monkeypatch, capsys, workdir, ["receipt", claim], {**variables, "LANG": "C"})
    exited_zh, err_zh = _run(monkeypatch, capsys, workdir, ["receipt", claim], {**variables, "LANG": "zh_CN.UTF-8"})
    (en,), (zh,) = _refusals(err_en), _refusals(err_zh)
    assert exited_en == exited_zh == 2 and en[:2] == zh[:2] == ("award-ledger receipt", "not_found")
    assert "is not in the ledger; check the id. Nothing was written" in en[2] and not CJK.search(en[2])
    assert "台账中没有" in zh[2] and zh[2].endswith("。未写入任何文件") and not ENGLISH.search(zh[2])
    assert not list(workdir.glob("receipt-*"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_postgresql_is_refused_in_the_readers_language(tmp_path):
    """The entry point itself, against a port where nothing listens: store_unreachable and exit 2 for both
    readers, today's English for one, Chinese without the driver's English (nor the password) for the other."""
    url = f"postgresql://ledger:s3cret@127.0.0.1:{_free_port()}/ledger"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") and k not in LOCALES}
    said = {}
    for locale in ("C", "zh_CN.UTF-8"):
        run = subprocess.run([sys.executable, "-m", "api.cli", "verify"], cwd=tmp_path, capture_output=True,
                             text=True, timeout=60,
                             env={**env, "PYTHONPATH": str(ROOT), "LANG": locale, "LEDGER_DATABASE_URL": url})
        assert run.returncode == 2, run.stderr
        (said[locale],) = _refusals(run.stderr)
        assert "s3cret" not in run.stderr
    assert said["C"][1] == said["zh_CN.UTF-8"][1] == "store_unreachable"
    assert said["C"][2].startswith("cannot open the store: ")
    assert said["C"][2].endswith(". Start the database or fix LEDGER_DATABASE_URL")
    chinese = said["zh_CN.UTF-8"][2]
    assert chinese.startswith("无法打开存储：") and "请启动数据库，或修正 LEDGER_DATABASE_URL" in chinese
    assert not ENGLISH.search(chinese), chinese


def _helps(parser) -> list[tuple[str, str]]:
    """(where, text) of every description and help text of `parser` and of its subcommands' parsers (argparse's own
    `-h` text is put into Chinese when the help is formatted, and checked there)."""
    import argparse

    found = [(parser.prog, parser.description)] if parser.description else []
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS and not isinstance(action, argparse._HelpAction):
            found.append((f"{parser.prog} {'/'.join(action.option_strings) or action.dest}", action.help))
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:  # each subcommand's line in the parent's help
                found.append((f"{parser.prog} {choice.dest}", choice.help))
            for sub in action.choices.values():
                found += _helps(sub)
    return found


def test_help_reads_in_the_readers_language(workdir, monkeypatch, capsys):
    """`--help`, of the CLI and of every subcommand: a Chinese reader gets every description and option in Chinese
    with no English sentence, and argparse's own words too (用法、选项); an English reader gets today's English with
    no Chinese. Both exit 0 and write nothing."""
    from api.cli import _parser, subcommand_names

    for locale, chinese in ((CHINESE_READERS["zh_CN"], True), (CHINESE_READERS["LEDGER_LANG=zh over C"], True),
                            (ENGLISH_READERS["C"], False), (ENGLISH_READERS["LEDGER_LANG=en over zh_CN"], False)):
        for key in LOCALES:
            monkeypatch.delenv(key, raising=False)
        for key, value in locale.items():
            monkeypatch.setenv(key, value)
        helps = _helps(_parser())
        assert len(helps) > 40, helps  # every subcommand's options, not only the top level
        for where, text in helps:
            if chinese:
                assert CJK.search(text) and not ENGLISH.search(text), (locale, where, text)
            else:
                assert not CJK.search(text), (locale, where, text)
        for name in ["", *subcommand_names()]:
            with monkeypatch.context() as env:
                env.chdir(workdir)
                capsys.readouterr()
                with pytest.raises(SystemExit) as stopped:
                    main([name, "--help"] if name else ["--help"])
                shown = capsys.readouterr().out
            assert stopped.value.code == 0, (locale, name)
            if chinese:
                assert shown.startswith("用法：award-ledger") and "选项：" in shown, (locale, name, shown)
                assert "usage:" not in shown and "show this help" not in shown, (locale, name, shown)
            else:
                assert shown.startswith("usage: award-ledger") and "show this help message and exit" in shown
                assert not CJK.search(shown), (locale, name, shown)
    assert sorted(workdir.rglob("*")) == [workdir / "deep.json", workdir / "notes.txt", workdir / "principals.json",
                                         workdir / "twice.json"]


def test_progress_and_outcome_lines_read_in_the_readers_language(database_url, monkeypatch, capsys):
    """What a command says while and after it works (its progress line off a terminal and its outcome) reads in
    Chinese for a Chinese reader, with no English sentence, and in today's English otherwise: verify, replay,
    recheck and rebuild on a store with history, both stores."""
    from ledger import beijing
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(database_url))
    World(ledger).org()
    ledger.close()
    today = beijing.today().isoformat()
    runs = {"verify": (["verify"], "完好：3 个事件", "intact: 3 events"),
            "replay": (["replay", "--as-of", today], "已重放截至", "events recorded by"),
            "recheck": (["recheck"], "所有已记录的申请均与现行规则相符", "every recorded claim matches"),
            "rebuild": (["rebuild"], "个事件，用时", "events applied in")}
    for name, (argv, chinese, english) in runs.items():
        for locale, zh in ((CHINESE_READERS["zh_CN"], True), (ENGLISH_READERS["C"], False)):
            with monkeypatch.context() as env:
                for key in LOCALES:
                    env.delenv(key, raising=False)
                for key, value in {**locale, "LEDGER_DATABASE_URL": database_url}.items():
                    env.setenv(key, value)
                capsys.readouterr()
                assert main(argv) == 0, name
                err = capsys.readouterr().err
            if zh:
                # No English word beyond the command's name and the zone label (UTC+08:00); the digests are hex, and
                # a command or an API address to use (`award-ledger verify --digest`, GET /v1/audit/digest) is code.
                code = re.sub(r"`[^`\n]*`|GET /v1/\S+", "", err)
                words = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"\b[0-9a-f]{16,}\b", "", code)))
                assert chinese in err and words <= {"award", "ledger", name, "UTC"}, (name, words, err)
            else:
                assert english in err and not CJK.search(err), (name, err)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_argument_a_subcommand_does_not_take_is_refused_with_its_own_usage(monkeypatch, capsys, workdir, lang):
    """`recheck --year 1999` showed the top level's usage (`award-ledger [-h] COMMAND ...`), where a subcommand's
    other argument errors show its own (a probe)."""
    code, err = _run(monkeypatch, capsys, workdir, ["recheck", "--year", "1999"], {"LEDGER_LANG": lang})
    assert code == 2, err
    usage, refusal = err.splitlines()[:2]
    assert "award-ledger recheck" in usage and "COMMAND" not in usage
    assert refusal.startswith("award-ledger recheck: [argument_invalid]") and "--year 1999" in refusal


def test_version_prints_the_installed_version(workdir, monkeypatch, capsys):
    """`award-ledger --version` was refused "the following arguments are required: COMMAND" (a newcomer probe)."""
    from importlib.metadata import version

    code, out, err = run_cli(monkeypatch, capsys, workdir, ["--version"], {})
    assert (code, out.strip()) == (0, f"award-ledger {version('award-ledger')}"), (code, out, err)


def test_a_setting_from_dot_env_is_said_to_come_from_there(tmp_path, monkeypatch, capsys):
    """A newcomer probe who had exported nothing met `LEDGER_PORT: Input should be a valid integer` and
    `LEDGER_LANG 'xx' is not a language` from a ./.env: the refusal now says the value came from ./.env; a variable
    of the environment is named as before."""
    (tmp_path / ".env").write_text("LEDGER_PORT=abc\n")
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {"LEDGER_PORT": "abc"})
    assert code == 2 and "LEDGER_PORT: Input" in err and "(from ./.env)" not in err, err
    with monkeypatch.context() as env:
        env.delenv("LEDGER_PORT", raising=False)
        env.chdir(tmp_path)
        capsys.readouterr()
        assert main(["verify"]) == 2
        assert "LEDGER_PORT (from ./.env): Input" in capsys.readouterr().err
    (tmp_path / ".env").write_text("LEDGER_LANG=xx\n")
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["verify"], {})
    assert code == 2 and "[language_unknown] LEDGER_LANG 'xx' (from ./.env)" in err, err
