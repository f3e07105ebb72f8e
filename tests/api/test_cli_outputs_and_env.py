"""An operations probe's CLI findings, each run for real (`api.cli.main`): the document a command was asked for that
cannot reach stdout (a full disk, a closed stdout) is refused `output_unwritable`, exit 2, not a traceback and 1
(tampering's code) nor a silent 0; LEDGER_LANG is read from ./.env as every other setting is; serve's notice of a
new signing key reads in its starter's language."""
from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

import pytest

from api.cli import main

COMMANDS = [["verify", "--json"], ["export", "--year", "2023", "--output", "-"],
            ["replay", "--as-of", "2030-01-01", "--json"]]


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    monkeypatch.delenv("LEDGER_LANG", raising=False)
    monkeypatch.setenv("LANG", "C")
    return tmp_path


@pytest.mark.parametrize("argv", COMMANDS)
def test_a_full_disk_or_a_closed_stdout_is_output_unwritable(store: Path, argv: list[str], monkeypatch,
                                                             capsys) -> None:
    full = open("/dev/full", "w")  # noqa: SIM115 - closed below, where what it could not write is dropped
    monkeypatch.setattr(sys, "stdout", full)
    try:
        assert main(argv) == 2
    finally:
        with contextlib.suppress(OSError):
            full.close()
    err = capsys.readouterr().err
    assert "[output_unwritable] cannot write the output to stdout: No space left on device" in err, err
    assert "Traceback" not in err
    monkeypatch.setattr(sys, "stdout", None)  # what Python makes of a closed descriptor 1 (`>&-`)
    assert main(argv) == 2
    assert "stdout is closed" in capsys.readouterr().err
    monkeypatch.setenv("LEDGER_LANG", "zh")
    assert main(argv) == 2
    assert "无法将输出写入标准输出：标准输出已关闭" in capsys.readouterr().err


def test_ledger_lang_is_read_from_the_dot_env_file(store: Path, capsys) -> None:
    (store / ".env").write_text("LEDGER_LANG=zh\n", encoding="utf-8")
    assert main(["verify"]) == 0
    assert "完好" in capsys.readouterr().err
    (store / ".env").write_text("LEDGER_LANG=fr\n", encoding="utf-8")
    assert main(["verify"]) == 2
    assert "[language_unknown] LEDGER_LANG 'fr'" in capsys.readouterr().err


def test_serves_new_signing_key_notice_reads_in_its_starters_language(store: Path, monkeypatch, caplog) -> None:
    from api.settings import Settings
    from api.signing import load_signer

    monkeypatch.setenv("LEDGER_LANG", "zh")
    with caplog.at_level(logging.WARNING, logger="award_ledger.signing"):
        load_signer(Settings(), service=True)
    assert any("已在" in r.getMessage() and "生成新的 Ed25519 签名密钥" in r.getMessage() for r in caplog.records), \
        caplog.records


@pytest.mark.parametrize("argv", [["verify", "--bogus"], ["export", "--year", "abc"], ["demo", "--organisations", "0"]])
def test_an_english_argument_refusal_says_what_to_do_next(store: Path, argv: list[str], capsys) -> None:
    """An operations probe: the Chinese refusal pointed to the usage and --help, the English one did not."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "[argument_invalid]" in err and "See the usage above, or add --help" in err, err


def test_a_closed_stdout_a_command_never_writes_to_is_no_failure(store: Path, monkeypatch, capsys) -> None:
    """A regression probe: refused at once, `close >&-` had closed the year and then said it refused; `verify >&-`
    on a tampered store said 2, not tampering's 1. A command that prints no document ends as it would; one whose
    document is lost keeps a finding's exit and says what it recorded stands."""
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["verify"]) == 0
    assert "[output_unwritable]" not in capsys.readouterr().err
    assert main(["verify", "--json"]) == 2
    assert "what the command recorded or wrote elsewhere stands" in capsys.readouterr().err
