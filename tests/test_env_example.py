""".env.example copied to .env as it stands (README: "copy .env.example to .env") gives settings the commands
start with: every line is safe to copy; a file the user must create first is named on a commented-out line."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GENERATED = {"signing_key_file"}  # made on first use where it points (api/signing.py), so it may name a new file


def _copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings `award-ledger` reads in a fresh folder holding only the copied .env."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("LEDGER_")]:
        monkeypatch.delenv(name)
    return Settings()


def test_every_file_it_sets_exists_or_is_made_on_first_use(tmp_path, monkeypatch) -> None:
    """No uncommented line names a file the user has yet to create (the principals file, a bank column map)."""
    settings = _copied(tmp_path, monkeypatch)
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, Path) and name not in GENERATED:
            assert (tmp_path / value).is_file(), f"LEDGER_{name.upper()}={value} names no file in a fresh folder"


def test_serve_builds_its_app_from_the_copied_file(tmp_path, monkeypatch) -> None:
    """What `serve` does before it listens (store, principals, signing key) succeeds with the copied .env, and the
    bank column map in force loads."""
    from api.app import create_app
    from api.bank_columns import bank_columns

    settings = _copied(tmp_path, monkeypatch)
    create_app(settings)  # a missing LEDGER_AUTH_FILE is AuthFileError here, as `serve` refuses it
    assert bank_columns(settings.bank_columns) is not None


def test_verify_runs_with_the_copied_file(tmp_path) -> None:
    """`award-ledger verify` in a folder holding only the copied .env (and no LEDGER_* from elsewhere) exits 0."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "api.cli", "verify"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "var" / "ledger.sqlite3").is_file()  # the store the copied .env names, made on first use


def test_a_path_setting_set_empty_is_unset(monkeypatch):
    """`LEDGER_AUTH_FILE=` (set, empty: a line of .env left blank) was read as the current folder and refused as '.'
    (an operator probe): empty is unset, as an empty LEDGER_READ_DATABASE_URL is."""
    from api.settings import Settings

    for name in ("LEDGER_AUTH_FILE", "LEDGER_SIGNING_KEY_FILE", "LEDGER_BANK_COLUMNS"):
        monkeypatch.setenv(name, " ")
    found = Settings(_env_file=None)
    assert (found.auth_file, found.signing_key_file, found.bank_columns) == (None, None, None)
    monkeypatch.setenv("LEDGER_AUTH_FILE", "var/principals.json")
    assert str(Settings(_env_file=None).auth_file) == "var/principals.json"


def test_a_setting_that_is_no_finite_number_is_told_so_in_chinese():
    """`LEDGER_WAIT_TIMEOUT=inf` was told, in Chinese, to write a number such as "300000.00": money's example, not a
    setting's (an operator probe)."""
    from pydantic import ValidationError

    from api import cli_language
    from api.settings import Settings

    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, wait_timeout="inf")
    _, zh = cli_language.settings_problems(refused.value.errors())
    assert "LEDGER_WAIT_TIMEOUT：应为有限的数字，不能是 inf 或 nan" in zh and "300000.00" not in zh, zh
