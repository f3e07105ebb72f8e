"""`serve --workers N`: refused unless the read models are kept by an external projector and principals come
from a file; with both, several uvicorn workers answer, each writing JSON request lines."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from api.cli import main
from tests.support import SETTLE

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("variables", [{"LEDGER_PROJECTOR": "inprocess"}, {"LEDGER_PROJECTOR": "external"}])
def test_several_workers_are_refused_with_an_in_process_projector_or_dev_tokens(variables, tmp_path, monkeypatch,
                                                                                capsys) -> None:
    """--workers 2 exits 2 naming LEDGER_PROJECTOR=external and LEDGER_AUTH_FILE, before anything starts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEDGER_AUTH_FILE", raising=False)
    monkeypatch.setenv("LEDGER_DATABASE_URL", f"sqlite:///{tmp_path}/ledger.sqlite3")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "LEDGER_PROJECTOR=external" in err and "LEDGER_AUTH_FILE" in err
    assert not (tmp_path / "ledger.sqlite3").exists()


@pytest.mark.postgres
def test_two_workers_answer_readiness_and_log_json_lines(fresh_postgres_url: str, auth_file: Path,
                                                        tmp_path: Path) -> None:
    """With an external projector and a principals file, two workers serve /readyz and log one JSON line each."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_") or k == SETTLE} | {
        "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": fresh_postgres_url, "LEDGER_AUTH_FILE": str(auth_file),
        "LEDGER_PROJECTOR": "external", "LEDGER_LOG_FORMAT": "json"}
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port)],
                                  cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline, answers = time.monotonic() + 30, []
            while len(answers) < 4:
                assert time.monotonic() < deadline, log.read_text()
                try:
                    request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz",
                                                     headers={"X-Request-ID": f"w-{len(answers)}"})
                    with urllib.request.urlopen(request, timeout=3) as response:
                        answers.append(json.load(response))
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(20)
    assert all(a["status"] == "ready" and a["projector"] == "external" for a in answers)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert "Started parent process" in " ".join(entry["message"] for entry in lines)
    requests = [entry for entry in lines if entry["logger"] == "award_ledger.requests"]
    assert {entry["request_id"] for entry in requests} >= {"w-0", "w-1", "w-2", "w-3"}
    # The new signing key is said once, as a JSON line: it was a plain line and a JSON one (an ops probe).
    notices = [line for line in log.read_text().splitlines() if "generated a new Ed25519 signing key" in line]
    assert len(notices) == 1 and json.loads(notices[0])["level"].lower().startswith("warn"), notices


@pytest.mark.postgres
def test_a_scrape_of_any_worker_counts_every_workers_requests(fresh_postgres_url: str, auth_file: Path,
                                                             tmp_path: Path) -> None:
    """Requests spread over two workers (new connections each) all appear in one scrape, with process and GC
    metrics; the metrics folder `serve` made for its workers is removed when it stops."""
    from api.metrics import parse

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PROMETHEUS_"))} | {
        "PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": fresh_postgres_url, "LEDGER_AUTH_FILE": str(auth_file),
        "LEDGER_PROJECTOR": "external", "LEDGER_LOG_FORMAT": "json", "TMPDIR": str(tmp_path)}
    log = tmp_path / "serve.log"
    answered_by: set[int] = set()
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port)],
                                  cwd=tmp_path, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline, asked = time.monotonic() + 60, 0
            while len(answered_by) < 2 or asked < 20:  # until both workers have answered some
                assert time.monotonic() < deadline, log.read_text()
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3):
                        asked += 1
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.2)
                    continue
                answered_by |= {json.loads(line).get("pid") for line in log.read_text().splitlines()
                                if line.startswith("{") and '"/healthz"' in line} - {None}
            scrapes = []
            for _ in range(4):  # whichever worker answers, it counts every one's requests
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                    scrapes.append(list(parse(response.read().decode())))
            folders = [p for p in tmp_path.iterdir() if p.name.startswith("award-ledger-metrics-")]
            assert len(folders) == 1 and any(folders[0].iterdir())
        finally:
            server.terminate()
            server.wait(20)
    for samples in scrapes:
        counted = sum(v for name, labels, v in samples
                      if name == "ledger_http_request_duration_seconds_count" and labels["route"] == "/healthz")
        assert counted == asked
        names = {name for name, _, _ in samples}
        assert {"process_resident_memory_bytes", "python_gc_collections_total"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("award-ledger-metrics-")]
