"""`award-ledger receipt` writes the ledger's public key beside the receipt and prints the check with both real
paths, which runs as printed; with `--output -` stdout is the receipt alone and stderr says where the key comes
from. In both languages, on both stores."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.cli import main
from tests.store.conftest import World

BIN = Path(sys.executable).parent  # where the project's `award-ledger` script is installed
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def claim(database_url: str, world: World, monkeypatch, tmp_path: Path) -> str:
    """The CLI in a working folder, on a store with history; the id of an approved claim."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(tmp_path / "key.pem"))
    return world.approved(world.org(), "A5.voucher", basis_amount="1000000")["id"]


def _run_as_printed(said: str, cwd: Path) -> subprocess.CompletedProcess:
    """The one `award-ledger verify-receipt …` command the stderr shows, run by a shell as a person would paste it."""
    (command,) = re.findall(r"`(award-ledger verify-receipt [^`]+)`", said)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_printed_check_runs_as_printed(claim: str, tmp_path: Path, monkeypatch, capsys, lang: str) -> None:
    """By default and with an --output whose folder has a space in its name, the key file is written beside the
    receipt, and the command printed (paths quoted for a shell) exits 0 with `valid`."""
    monkeypatch.setenv("LEDGER_LANG", lang)
    (tmp_path / "my receipts").mkdir()
    for args in ([], ["--output", "my receipts/r.json"]):
        assert main(["receipt", claim, *args]) == 0
        said = capsys.readouterr().err
        receipt = Path(args[1] if args else f"receipt-{claim}.json")
        key = receipt.with_name(f"{receipt.stem}.public-key.pem")
        assert key.read_text().startswith("-----BEGIN PUBLIC KEY-----")
        assert ("台账公钥已写入" if lang == "zh" else "the ledger's public key to") in said and str(key) in said
        checked = _run_as_printed(said, tmp_path)
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith("有效：" if lang == "zh" else "valid:"), checked.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_to_stdout_the_receipt_is_alone_and_stderr_says_where_the_key_comes_from(
        claim: str, database_url: str, tmp_path: Path, monkeypatch, capsys, lang: str) -> None:
    """`--output -`: stdout parses as the receipt; stderr names GET /v1/audit/digest's public_key as the key and
    gives the check, which runs as printed once the receipt and that key are saved under the names it uses."""
    from api.settings import Settings
    from api.signing import load_signer
    from ledger.audit.chain import AuditChain
    from ledger.audit.notary import Notary

    monkeypatch.setenv("LEDGER_LANG", lang)
    assert main(["receipt", claim, "--output", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["claim_id"] == claim
    assert "GET /v1/audit/digest" in captured.err and "public_key" in captured.err
    assert not list(tmp_path.glob("*.public-key.pem"))
    (tmp_path / "receipt.json").write_text(captured.out)
    digest = Notary(AuditChain.open(database_url), load_signer(Settings())).digest()  # what GET /v1/audit/digest says
    (tmp_path / "ledger.pem").write_text(digest["public_key"])
    checked = _run_as_printed(captured.err, tmp_path)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_receipt_piped_in_is_checked_and_an_earlier_keys_says_where_to_look(claim: str, tmp_path: Path,
                                                                              lang: str) -> None:
    """A receipts probe: `receipt --output - | verify-receipt - --public-key …` failed, "- no such file"; and a
    genuine receipt checked against the ledger's newer key read as a forgery, no next step. `-` reads standard
    input (a terminal there is refused, saying to pipe it in); a key mismatch says to look the signing key up in
    GET /v1/audit/keys and check with it if the ledger lists it."""
    import pty

    from ledger.audit.signing import Signer

    assert main(["receipt", claim, "--output", "first.json"]) == 0  # the ledger's key made and registered
    (tmp_path / "ledger.pem").write_text(Signer.load(tmp_path / "key.pem").public_pem)
    (tmp_path / "newer.pem").write_text(Signer.create(tmp_path / "newer-private.pem")[0].public_pem)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT),
           "LEDGER_LANG": lang}
    for pem, exit_code in (("ledger.pem", 0), ("newer.pem", 1)):
        run = subprocess.run(f"award-ledger receipt {claim} --output - | award-ledger verify-receipt - --public-key"
                             f" {pem}", shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == exit_code, run.stderr
        if exit_code == 0:
            assert run.stdout.startswith("有效：" if lang == "zh" else "valid:"), run.stdout
        else:
            assert "GET /v1/audit/keys" in run.stderr and ("使用期间" if lang == "zh" else "in use") in run.stderr
    terminal, its_end = pty.openpty()
    try:
        tty = subprocess.run([sys.executable, "-m", "api.cli", "verify-receipt", "-", "--public-key", "ledger.pem"],
                             cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, stdin=its_end)
    finally:
        os.close(terminal)
        os.close(its_end)
    assert tty.returncode == 2 and "[receipt_unreadable]" in tty.stderr and "|" in tty.stderr, tty.stderr
