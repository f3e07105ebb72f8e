"""Every file the CLI reads is bounded and must be a regular file: one byte over its limit is refused as
`file_too_large`, a FIFO or a device as `file_unreadable`, in both languages, exit 2, before anything is read
into memory (a FIFO used to hang the command, /dev/zero to grow it until the kernel killed it)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.commands.common import DIGEST_LIMIT, KEY_LIMIT
from api.commands.receipt import RECEIPT_LIMIT
from api.web.audit_digest import MAX_BYTES as DASHBOARD_DIGEST_LIMIT
from ledger.catalogue.draft import MAX_DRAFT_BYTES
from ledger.domain.statement_fields import MAX_LINES
from tests.api.test_cli_fixes import _both

ROOT = Path(__file__).resolve().parents[2]
STATEMENT_LIMIT = 16 * 1024 * 1024  # LEDGER_MAX_STATEMENT_BYTES's default (api/settings.py)


def test_a_saved_digest_is_bounded_as_the_dashboard_bounds_it():
    assert DIGEST_LIMIT == DASHBOARD_DIGEST_LIMIT


def _over(path: Path, limit: int, sparse: bool = False) -> Path:
    """A file one byte over `limit`: sparse (a hole, so no memory or disk) or written out."""
    if sparse:
        with path.open("wb") as out:
            out.truncate(limit + 1)
    else:
        path.write_bytes(b"#" * (limit + 1))
    return path


def _cases(tmp_path: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    db = {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}
    receipt, key = tmp_path / "receipt.json", tmp_path / "ledger.pem"
    receipt.write_text("{}")
    key.write_text("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
    return {
        "receipt": (["verify-receipt", str(_over(tmp_path / "big.json", RECEIPT_LIMIT, sparse=True)),
                     "--public-key", str(key)], {}),
        "public key": (["verify-receipt", str(receipt), "--public-key",
                        str(_over(tmp_path / "big.pem", KEY_LIMIT))], {}),
        "draft": (["simulate", "--catalogue", str(_over(tmp_path / "big.toml", MAX_DRAFT_BYTES))], db),
        "statement": (["reconcile", str(_over(tmp_path / "big.csv", STATEMENT_LIMIT, sparse=True))], db),
        "statement, LEDGER_MAX_STATEMENT_BYTES": (["reconcile", str(_over(tmp_path / "small.csv", 2048))],
                                                   {**db, "LEDGER_MAX_STATEMENT_BYTES": "2048"}),
        "digest": (["verify", "--digest", str(_over(tmp_path / "big-digest.json", DIGEST_LIMIT))], db),
    }


@pytest.mark.parametrize("case", ["receipt", "public key", "draft", "statement",
                                  "statement, LEDGER_MAX_STATEMENT_BYTES", "digest"])
def test_a_file_one_byte_over_its_limit_is_refused(case, tmp_path, monkeypatch, capsys):
    argv, variables = _cases(tmp_path)[case]
    said = _both(monkeypatch, capsys, tmp_path, argv, variables, "file_too_large")
    assert "larger than" in said["en"] and "超过" in said["zh"]


@pytest.mark.parametrize("argv", [
    ["verify-receipt", "{fifo}", "--public-key", "{fifo}"],
    ["verify-receipt", "{receipt}", "--public-key", "{fifo}"],
    ["simulate", "--catalogue", "{fifo}"],
    ["reconcile", "{fifo}"],
    ["verify", "--digest", "{fifo}"],
    ["verify-receipt", "/dev/zero", "--public-key", "{fifo}"],
    ["simulate", "--catalogue", "{tmp}"],
])
def test_a_fifo_a_device_or_a_folder_is_refused_at_once(argv, tmp_path):
    fifo, receipt = tmp_path / "pipe", tmp_path / "receipt.json"
    os.mkfifo(fifo)
    receipt.write_text("{}")
    argv = [a.format(fifo=fifo, receipt=receipt, tmp=tmp_path) for a in argv]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") and k not in ("LC_ALL", "LC_MESSAGES")}
    env |= {"LANG": "C", "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "api.cli", *argv], cwd=tmp_path, capture_output=True, text=True,
                         env=env, timeout=30)  # the old code blocked on the FIFO's open for ever
    # Each command's own documented code (README): a receipt's and a digest's have theirs (a probe).
    code = {"verify-receipt": "receipt_unreadable", "verify": "digest_unreadable"}.get(argv[0], "file_unreadable")
    assert run.returncode == 2 and f"[{code}]" in run.stderr, run.stderr
    assert "not a regular file" in run.stderr and "Traceback" not in run.stderr


def test_a_statement_of_more_lines_than_http_takes_is_refused(tmp_path, monkeypatch, capsys):
    statement = tmp_path / "statement.csv"
    statement.write_text("date,amount,reference\n" + "2023-07-01,5.00,PAY-1\n" * (MAX_LINES + 1))
    said = _both(monkeypatch, capsys, tmp_path, ["reconcile", str(statement)],
                 {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}, "statement_too_large")
    assert f"{MAX_LINES + 1:,} lines" in said["en"] and "按月拆分" in said["zh"]


def test_a_statement_of_mixed_encodings_is_refused_naming_the_line(tmp_path, monkeypatch, capsys):
    statement = tmp_path / "statement.csv"
    statement.write_bytes("交易日期,借方发生额,对方户名,附言\n2024-07-02,5.00,杭州某某科技有限公司,PAY-1\n".encode()
                          + "2024-07-03,6.00,杭州某某软件有限公司,PAY-2\n".encode("gb18030"))
    said = _both(monkeypatch, capsys, tmp_path, ["reconcile", str(statement)],
                 {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}, "csv_unreadable",
                 quoted=r"\S*statement\.csv|UTF-8")
    assert "line 3 is not UTF-8" in said["en"] and "第 3 行" in said["zh"]


def test_a_statement_in_no_encoding_the_ledger_reads_is_csv_unreadable(tmp_path, monkeypatch, capsys):
    """An operations probe: random bytes were refused `invalid_request`, the API's code, not one of the CLI's."""
    statement = tmp_path / "statement.csv"
    statement.write_bytes(bytes(range(128, 256)) * 40)
    said = _both(monkeypatch, capsys, tmp_path, ["reconcile", str(statement)],
                 {"LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.sqlite3"}, "csv_unreadable",
                 quoted=r"\S*statement\.csv|UTF-8|GB18030/GBK|CSV")
    assert "neither UTF-8 nor GB18030" in said["en"]


def test_an_output_name_with_a_control_character_is_refused_before_any_work(tmp_path, monkeypatch, capsys):
    """A hostile-input probe: `export --output "$(printf 'x\\x01y.csv')"` wrote a file whose name holds U+0001, which
    no one can read or type back. Refused (exit 2, `output_unwritable`), naming the character, nothing written."""
    from tests.api.test_cli_language import run_cli

    store = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--output", "x\x01y.csv"],
                           {"LEDGER_DATABASE_URL": store})
    assert code == 2 and "[output_unwritable]" in err and "U+0001" in err, err
    assert not list(tmp_path.glob("x*y.csv"))
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--output", "x\x01y.csv"],
                           {"LEDGER_DATABASE_URL": store, "LEDGER_LANG": "zh"})
    assert code == 2 and "控制字符" in err, err
    # Said on one line, as written: a right-to-left override quoted back turned the rest of the line round on a
    # terminal, a line break split it (a regression probe).
    code, _, err = run_cli(monkeypatch, capsys, tmp_path, ["export", "--year", "2023", "--output", "a\u202eb.csv"],
                           {"LEDGER_DATABASE_URL": store})
    assert code == 2 and "a\\u202eb.csv" in err and "\u202e" not in err and err.count("\n") == 1, err
