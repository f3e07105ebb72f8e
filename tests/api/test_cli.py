"""The `award-ledger` command line: serve (with development tokens when no principals file is given),
clear refusals of bad settings, and honest refusals of the subcommands later issues bring."""
from __future__ import annotations

import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.cli import main, subcommand_names
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE}
    return {**env, "PYTHONPATH": str(ROOT), **values}


def test_the_contract_subcommands_exist():
    """serve, verify, rebuild, export and demo (the contract's list) are all subcommands."""
    assert {"serve", "verify", "rebuild", "export", "demo", "project"} <= set(subcommand_names())


def test_verify_reports_an_intact_chain_and_exits_zero(database_url, monkeypatch, capsys):
    """`award-ledger verify` on a store with history says intact, with the events checked and the head digest."""
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(database_url))
    World(ledger).org()
    ledger.close()
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["verify"]) == 0
    err = capsys.readouterr().err
    assert "intact: 3 events" in err and "events/s" in err  # registered; body recognised; lead joined


def test_a_bad_principals_file_stops_serve_with_advice(tmp_path, capsys, monkeypatch):
    """A principals file with an unknown bureau exits 2, naming the file, the field and the fix."""
    bad = tmp_path / "principals.json"
    bad.write_text(json.dumps({"principals": [{"name": "x", "role": "bureau", "bureau": "nasa",
                                               "token_sha256": "0" * 64}]}))
    monkeypatch.setenv("LEDGER_AUTH_FILE", str(bad))
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    monkeypatch.setenv("LEDGER_PORT", str(_free_port()))  # serve checks its address first; 8000 may be `make serve`'s
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "nasa" in err and "kjj" in err


def test_a_bad_database_url_stops_serve_with_advice(tmp_path, capsys, monkeypatch):
    """An unusable LEDGER_DATABASE_URL exits 2 and lists the accepted forms."""
    monkeypatch.setenv("LEDGER_DATABASE_URL", "mysql://root@localhost/ledger")
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    assert "sqlite:///" in capsys.readouterr().err


@contextmanager
def _serving(cwd: Path, database_url: str, log: Path) -> Iterator[str]:
    """`award-ledger serve` in `cwd` without LEDGER_AUTH_FILE, until it answers /healthz; its base URL."""
    port = _free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=cwd,
                                  env=_env(LEDGER_DATABASE_URL=database_url), stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                    assert json.load(answer) == {"status": "ok"}
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal: -15 is a clean stop.
    assert server.returncode in (0, -15) and "Application shutdown complete" in log.read_text(), log.read_text()


def _status(base: str, path: str, token: str) -> int:
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.status


def test_serve_without_a_principals_file_keeps_its_development_tokens(tmp_path, database_url):
    """With no LEDGER_AUTH_FILE, serve warns and prints new tokens, which work; they are kept owner-only under
    var/ (files 0600, folder 0700), and the next start reuses them, saying where they are instead of printing."""
    with _serving(tmp_path, database_url, tmp_path / "first.log") as base:
        printed = (tmp_path / "first.log").read_text()
        assert "LEDGER_AUTH_FILE is not set" in printed and "DEVELOPMENT" in printed
        tokens = dict(re.findall(r"(dev-\w+)\s+Authorization: Bearer (\S+)", printed))
        assert {"dev-kjj", "dev-finance", "dev-auditor", "dev-admin"} <= tokens.keys()
        assert _status(base, "/v1/programmes", tokens["dev-auditor"]) == 200
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("dev-tokens.json", "dev-principals.json"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name
    assert json.loads((var / "dev-tokens.json").read_text()) == tokens
    assert not any(token in (var / "dev-principals.json").read_text() for token in tokens.values())

    (var / "dev-tokens.json").chmod(0o644)  # widened by hand: narrowed again on the next start
    with _serving(tmp_path, database_url, tmp_path / "second.log") as base:
        printed = (tmp_path / "second.log").read_text()
        assert not any(token in printed for token in tokens.values())  # nothing new to print
        assert "var/dev-tokens.json" in printed and "unchanged since the last start" in printed
        assert _status(base, "/v1/finance/reconciliation?year=2023", tokens["dev-finance"]) == 200
    assert json.loads((var / "dev-tokens.json").read_text()) == tokens
    assert stat.S_IMODE((var / "dev-tokens.json").stat().st_mode) == 0o600


def test_an_unreachable_store_stops_start_up_with_advice(auth_file):
    """A PostgreSQL server that does not answer stops start-up with what to fix, and no password shown."""
    from fastapi.testclient import TestClient

    from api.app import StoreUnreachable, create_app
    from api.settings import Settings

    port = _free_port()  # nothing listens there
    settings = Settings(database_url=f"postgresql://ledger:s3cret@127.0.0.1:{port}/ledger", auth_file=auth_file)
    with pytest.raises(StoreUnreachable) as refused, TestClient(create_app(settings)):
        pass
    message = str(refused.value)
    assert f"127.0.0.1:{port}/ledger" in message and "LEDGER_DATABASE_URL" in message
    assert "s3cret" not in message


def _record_an_organisation(url: str) -> tuple[str, int]:
    from ledger.application import AwardLedger
    from ledger.principals import Principal, Role
    from ledger.store import store_env
    from tests.support import unique_uscc

    ledger = AwardLedger(store_env(url))
    try:
        code = unique_uscc()
        ledger.register_organisation(Principal("ops", Role.ADMIN), uscc=code, name="杭州某某科技有限公司",
                                     in_district=True)
        return code, ledger.recorder.max_notification_id()
    finally:
        ledger.close()


def test_rebuild_replays_the_log_and_prints_progress(database_url, monkeypatch, capsys, tmp_path):
    """`rebuild` fills the read models from the log, with a progress line and its rate."""
    from projections.readmodels import ReadModels

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    code, _ = _record_an_organisation(database_url)
    assert main(["rebuild"]) == 0
    err = capsys.readouterr().err
    assert "events/s" in err and "1 event applied in" in err  # one organisation, no body
    read_models = ReadModels.open(database_url)
    try:
        assert read_models.award_state(code)["uscc"] == code
    finally:
        read_models.close()


def test_project_follows_the_log_reports_and_stops_on_sigterm(database_url, tmp_path):
    """`project` catches up with the log, says where it is, and stops cleanly on SIGTERM."""
    _, head = _record_an_organisation(database_url)
    log = tmp_path / "project.log"
    with log.open("wb") as out:
        projector = subprocess.Popen([sys.executable, "-m", "api.cli", "project"], cwd=tmp_path,
                                     env=_env(LEDGER_DATABASE_URL=database_url), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while f"at event {head:,}, 0 behind" not in log.read_text():
            assert projector.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
    finally:
        projector.terminate()
        projector.wait(15)
    assert projector.returncode == 0 and "project: stopped" in log.read_text(), log.read_text()
    # Under LEDGER_LOG_FORMAT=json (the default) every line it writes is a JSON object, its own reports too: they
    # were plain text between the JSON lines (an ops probe).
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines and all(json.loads(line) for line in lines), lines


def test_one_event_is_counted_in_the_singular(database_url, monkeypatch, capsys):
    """English lines counted "1 events" (an inputs probe): one organisation registered without a body is one event."""
    from ledger.application import AwardLedger
    from ledger.store import store_env
    from tests.store.conftest import World

    ledger = AwardLedger(store_env(database_url))
    World(ledger).org(member=False)
    ledger.close()
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    assert main(["verify"]) == 0
    err = capsys.readouterr().err
    assert "intact: 1 event, head" in err and not re.search(r"(?<![\d,])1 events", err), err  # not "31 events/s"
