"""`make sdk-check`: generate a Python client and TypeScript types from the document a real `serve` serves,
fail on any generator warning or unresolved reference, then run one small flow through the generated client.

Usage: .venv/bin/python sdk/check.py   (needs sdk/node_modules: `npm ci --prefix sdk`, which make does)
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SDK = ROOT / "sdk"
OUT = SDK / "out"
BIN = Path(sys.executable).parent
NODE_BIN = SDK / "node_modules" / ".bin"
WARNING = re.compile(r"warn|error|unsupported|could not", re.IGNORECASE)


def say(text: str) -> None:
    print(f"==> [sdk-check] {text}", file=sys.stderr, flush=True)


def fail(text: str) -> None:
    print(f"[sdk-check] ERROR: {text}", file=sys.stderr)
    sys.exit(1)


def run(argv: list[str], what: str) -> str:
    """Run a generator; its output with any warning (or a non-zero exit) fails the check."""
    done = subprocess.run(argv, capture_output=True, text=True, cwd=OUT,
                          env=os.environ | {"PATH": f"{BIN}:{os.environ.get('PATH', '')}"})
    output = done.stdout + done.stderr
    flagged = [line for line in output.splitlines() if WARNING.search(line)]
    if done.returncode != 0 or flagged:
        fail(f"{what} did not run cleanly (exit {done.returncode}):\n{output}\nFix the document (api/openapi.py,"
             " the route's decorator or its models), then run `make openapi` and `make sdk-check` again")
    return output


def serve(workdir: Path, token: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    principals = workdir / "principals.json"
    principals.write_text(json.dumps({"principals": [
        {"name": "sdk-admin", "role": "admin", "token_sha256": hashlib.sha256(token.encode()).hexdigest()},
        {"name": "sdk-finance", "role": "finance", "token_sha256": hashlib.sha256(b"f" + token.encode()).hexdigest()},
    ]}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")} | {
        "LEDGER_DATABASE_URL": f"sqlite:///{workdir}/ledger.sqlite3", "LEDGER_AUTH_FILE": str(principals),
        "LEDGER_LOG_LEVEL": "warning", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([str(BIN / "award-ledger"), "serve", "--port", str(port)], cwd=workdir, env=env,
                              stdout=subprocess.DEVNULL, stderr=(workdir / "serve.log").open("w"))
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                fail(f"`award-ledger serve` did not start:\n{(workdir / 'serve.log').read_text()}")
            time.sleep(0.2)


def flow(port: int, token: str) -> None:
    """Register an organisation, read it back, appropriate a year, read its reconciliation and CSV, meet a 404."""
    sys.path.insert(0, str(OUT))
    from award_ledger_client import AuthenticatedClient
    from award_ledger_client.api.appropriations import record_appropriation
    from award_ledger_client.api.finance import export_reconciliation_csv, get_reconciliation
    from award_ledger_client.api.organisations import get_organisation, register_organisation
    from award_ledger_client.models import AppropriationCreate, OrganisationCreate, Problem

    url = f"http://127.0.0.1:{port}"
    admin = AuthenticatedClient(base_url=url, token=token)
    finance = AuthenticatedClient(base_url=url, token="f" + token)
    made = register_organisation.sync_detailed(client=admin, body=OrganisationCreate(
        uscc="91330108MA2H0T5X61", name="杭州某某科技有限公司", in_district=True), idempotency_key="sdk-check-1")
    assert made.status_code == 201 and made.parsed.uscc == "91330108MA2H0T5X61", made
    assert made.headers.get("x-request-id"), "every answer carries X-Request-ID"
    again = get_organisation.sync(client=admin, uscc="91330108MA2H0T5X61")
    assert again.name == "杭州某某科技有限公司", again
    fund = record_appropriation.sync_detailed(client=finance, body=AppropriationCreate.from_dict(
        {"year": 2023, "amount": "300000000.00", "document_ref": "杭高新财〔2023〕1号"}))
    assert fund.status_code == 201, fund.content
    figures = get_reconciliation.sync(client=finance, year=2023)
    assert figures.appropriation.appropriated == "300000000.00", figures
    csv = export_reconciliation_csv.sync(client=finance, year=2023)
    assert csv.payload.read().decode("utf-8-sig").startswith("项目代码"), "the CSV has its Chinese header"
    missing = get_organisation.sync(client=admin, uscc="91330108MA27XQ2L4Q")
    assert isinstance(missing, Problem) and missing.code == "not_found", missing


def main() -> int:
    if not (NODE_BIN / "openapi-typescript").exists():
        fail("sdk/node_modules is missing: run `npm ci --prefix sdk` (make sdk-check does)")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    token = os.urandom(16).hex()
    with tempfile.TemporaryDirectory(prefix="sdk-check-") as work:
        server, port = serve(Path(work), token)
        try:
            say(f"document from a real `award-ledger serve` on port {port}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=10) as answer:
                (OUT / "openapi.json").write_bytes(answer.read())
            say("openapi-python-client generate")
            run([str(BIN / "openapi-python-client"), "generate", "--path", "openapi.json", "--meta", "none",
                 "--output-path", "award_ledger_client", "--config", str(SDK / "openapi-python-client.yaml")],
                "openapi-python-client")
            say("openapi-typescript, then tsc --strict on the types")
            run([str(NODE_BIN / "openapi-typescript"), "openapi.json", "-o", "api.d.ts"], "openapi-typescript")
            run([str(NODE_BIN / "tsc"), "--noEmit", "--strict", "api.d.ts"], "tsc")
            say("a flow through the generated Python client")
            flow(port, token)
        finally:
            server.terminate()
            server.wait(timeout=15)
    say("generated clients are clean and the flow passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
