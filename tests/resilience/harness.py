"""The pieces resilience tests are made of: the service in a subprocess, a bounded mixed load of
concurrent clients that remembers every acknowledged command, and the ledger's invariants checked after."""
from __future__ import annotations

import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg

from tests.support import unique_id, unique_uscc

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "award-ledger")
SECONDS = float(os.environ.get("LEDGER_RESILIENCE_SECONDS", "15"))
CLIENTS = 16
ROLES = {"admin": ("ops", "admin", None), "kjj": ("kjj-clerk", "bureau", "kjj"),
         "finance": ("finance-1", "finance", None), "auditor": ("audit-1", "auditor", None)}
VOUCHER_CAP = Decimal("500000.00")  # A5.voucher: per enterprise and award year


def write_principals(directory: Path) -> tuple[Path, dict[str, str]]:
    tokens = {role: unique_id(f"tok-{role}-") for role in ROLES}
    principals = [{"name": n, "role": r, **({"bureau": b} if b else {}),
                   "token_sha256": hashlib.sha256(tokens[k].encode()).hexdigest()} for k, (n, r, b) in ROLES.items()]
    path = directory / "principals.json"
    path.write_text(json.dumps({"principals": principals}))
    return path, tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`award-ledger serve` or `award-ledger project` in its own process; `kill()` is kill -9."""

    def __init__(self, command: str, url: str, auth: Path, tmp: Path, env: dict[str, str]) -> None:
        self.command, self.url = command, url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_AUTH_FILE": str(auth),
                    "LEDGER_LOG_LEVEL": "warning", "LEDGER_PORT": str(self.port), **env}
        self.log_path = tmp / f"{command}-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        args = [CLI, self.command] + (["--port", str(self.port)] if self.command == "serve" else [])
        self.log = self.log_path.open("a")
        self.proc = subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        if self.command == "serve":
            self.wait_healthy()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"serve exited: {self.logs()}"
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"serve not healthy after {timeout} s: {self.logs()}")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()

    def logs(self) -> str:
        return self.log_path.read_text()[-4000:] if self.log_path.exists() else ""


@dataclass
class Acknowledged:
    """What the service said it did (2xx answers only), and every status it answered."""

    orgs: set[str] = field(default_factory=set)
    claims: dict[str, str] = field(default_factory=dict)  # id -> last acknowledged status
    payouts: dict[str, str] = field(default_factory=dict)  # id -> claim id
    statuses: dict[int, int] = field(default_factory=dict)
    unavailable_without_retry_after: int = 0
    transport_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def server_errors(self) -> dict[int, int]:
        return {s: n for s, n in self.statuses.items() if s >= 500 and s != 503}


class Load:
    """CLIENTS threads sending a mix of commands and queries for `seconds` (and at most `max_requests`
    each); a 503 or a dropped connection is retried with the same Idempotency-Key, as a client should."""

    def __init__(self, base: str, tokens: dict[str, str], *, seconds: float = SECONDS, max_requests: int = 5000,
                 seed_orgs: int = 8) -> None:
        self.base, self.tokens, self.seconds, self.max_requests = base, tokens, seconds, max_requests
        self.ack = Acknowledged()
        self.stop = threading.Event()
        self.seed_orgs = seed_orgs

    def run(self) -> Acknowledged:
        """Seed a few organisations and appropriations, then run the clients to the end."""
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for year in (2023, 2024, 2025):
                self._send(client, "finance", "POST", "/v1/appropriations",
                           {"year": year, "amount": "10000000.00", "document_ref": f"B-{year}"})
            for _ in range(self.seed_orgs):
                self._register(client)
        threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(self.seconds + 120)
        return self.ack

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def _client(self, number: int) -> None:
        rng = random.Random(number)
        deadline = time.monotonic() + self.seconds
        with httpx.Client(base_url=self.base, timeout=30) as client:
            for _ in range(self.max_requests):
                if time.monotonic() > deadline or self.stop.is_set():
                    return
                self._step(client, rng)

    def _step(self, client: httpx.Client, rng: random.Random) -> None:
        with self.ack.lock:
            orgs = sorted(self.ack.orgs)
            pending = [c for c, s in self.ack.claims.items() if s == "pending"]
            approved = [c for c, s in self.ack.claims.items() if s == "approved"]
        roll = rng.random()
        if roll < 0.08 or not orgs:
            self._register(client)
        elif roll < 0.40:
            body = {"uscc": rng.choice(orgs), "programme": "A5.voucher", "award_year": rng.choice((2023, 2024, 2025)),
                    "basis_amount": str(rng.choice((200000, 500000, 1000000))), "effective_on": "2024-06-01"}
            body["effective_on"] = f"{body['award_year']}-06-01"
            if (answer := self._send(client, "kjj", "POST", "/v1/claims", body)) is not None:
                self._claim(answer["id"], answer["status"])
        elif roll < 0.60 and pending:
            claim = rng.choice(pending)
            verb = "approve" if rng.random() < 0.85 else "reject"
            body = {} if verb == "approve" else {"reason": "资料不全"}
            if (answer := self._send(client, "kjj", "POST", f"/v1/claims/{claim}/{verb}", body)) is not None:
                self._claim(claim, answer["status"])
        elif roll < 0.72 and approved:
            claim = rng.choice(approved)
            body = {"claim_id": claim, "amount": str(rng.choice((50000, 100000, 200000))), "paid_on": "2025-07-01",
                    "bank_ref": unique_id("ICBC-")}
            if (answer := self._send(client, "finance", "POST", "/v1/payouts", body)) is not None:
                with self.ack.lock:
                    self.ack.payouts[answer["id"]] = claim
        elif roll < 0.90:
            self._send(client, "auditor", "GET", f"/v1/organisations/{rng.choice(orgs)}/awards")
        else:
            target = rng.choice(pending + approved) if pending or approved else None
            if target:
                self._send(client, "auditor", "GET", f"/v1/claims/{target}")

    def _register(self, client: httpx.Client) -> None:
        code = unique_uscc()
        if self._send(client, "admin", "POST", "/v1/organisations",
                      {"uscc": code, "name": f"杭州韧性测试科技有限公司{code[-6:]}", "in_district": True}) is None:
            return
        # Vouchers benefit members of a recognised innovation organisation only: the organisation leads one.
        if self._send(client, "admin", "POST", "/v1/innovation-bodies",
                      {"id": unique_id("CONS-"), "name": f"滨江创新联合体{code[-6:]}", "kind": "consortium",
                       "lead_uscc": code, "recognised_on": "2022-10-01"}) is not None:
            with self.ack.lock:
                self.ack.orgs.add(code)

    def _claim(self, claim: str, status: str) -> None:
        with self.ack.lock:
            self.ack.claims[claim] = status

    def _send(self, client: httpx.Client, role: str, method: str, path: str, body: dict | None = None) -> dict | None:
        """The answer of a 2xx, None for a refusal; retries 503s and dropped connections for up to 60 s."""
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        if method == "POST":
            headers["Idempotency-Key"] = unique_id("res-")
        deadline = time.monotonic() + 60
        while True:
            try:
                r = client.request(method, path, json=body, headers=headers)
            except httpx.TransportError:
                with self.ack.lock:
                    self.ack.transport_errors += 1
                if time.monotonic() > deadline or self.stop.is_set():
                    return None
                time.sleep(0.2)
                continue
            with self.ack.lock:
                self.ack.statuses[r.status_code] = self.ack.statuses.get(r.status_code, 0) + 1
                if r.status_code == 503 and "retry-after" not in r.headers:
                    self.ack.unavailable_without_retry_after += 1
            if r.status_code == 503 and time.monotonic() < deadline and not self.stop.is_set():
                time.sleep(min(float(r.headers.get("retry-after", "1")), 1.0))
                continue
            return r.json() if r.status_code < 300 else None


def wait_projected(url: str, timeout: float = 60.0) -> None:
    """Until the read models have folded every recorded event."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            head = conn.execute("SELECT MAX(notification_id) FROM awardledger_events").fetchone()[0] or 0
            at = conn.execute("SELECT notification_id FROM rm_tracking WHERE application_name = %s",
                              ("AwardLedger",)).fetchone()
            if at and at[0] >= head:
                return
            time.sleep(0.2)
        rows = conn.execute("SELECT * FROM rm_tracking").fetchall()
    raise AssertionError(f"the read models did not reach the head of the log: tracking {rows}, head {head}")


def invariants(url: str, ack: Acknowledged) -> list[str]:
    """Every acknowledged command's events are there, and the ledger's books agree with themselves."""
    from ledger.application import AwardLedger
    from ledger.domain.award_account import AwardAccount
    from ledger.domain.fund_year import FundYear
    from ledger.store import store_env
    from projections.runner import check

    problems: list[str] = []
    ledger = AwardLedger(store_env(url))
    try:
        with psycopg.connect(url) as conn:
            ids = [r[0] for r in conn.execute("SELECT originator_id FROM awardledger_events WHERE topic ="
                                              " 'ledger.domain.claim:Claim.Submitted'")]
        claims = {str(i): ledger.repository.get(i) for i in ids}
        for uscc in ack.orgs:
            try:
                ledger.organisation(uscc)
            except Exception as err:
                problems.append(f"acknowledged organisation {uscc} missing: {err}")
        for cid, status in ack.claims.items():
            if cid not in claims:
                problems.append(f"acknowledged claim {cid} missing")
            elif status != "pending" and claims[cid].status != status:
                problems.append(f"claim {cid} acknowledged {status}, stored {claims[cid].status}")
        for pid, cid in ack.payouts.items():
            claim = claims.get(cid)
            if claim is None or pid not in claim.payouts:
                problems.append(f"acknowledged payout {pid} of claim {cid} missing")
        used: dict[tuple[str, int], Decimal] = {}
        charged: dict[int, Decimal] = {}
        for cid, claim in claims.items():
            if claim.paid_amount > (claim.approved_amount or 0):
                problems.append(f"claim {cid} paid {claim.paid_amount} > approved {claim.approved_amount}")
            amount = {"approved": claim.approved_amount, "pending": claim.entitled_amount}.get(claim.status)
            if amount is not None:
                key = (claim.uscc, claim.award_year)
                used[key] = used.get(key, Decimal(0)) + amount
            if claim.status == "approved" and claim.pays_award:
                charged[claim.award_year] = charged.get(claim.award_year, Decimal(0)) + claim.approved_amount
            for key in claim.accounts:
                account = ledger.repository.get(AwardAccount.create_id(key))
                entry = account.entries.get(cid)
                if entry is None or entry["status"] != claim.status:
                    problems.append(f"claim {cid} ({claim.status}) has no matching reservation on {key}: {entry}")
        problems += [f"cap A5.voucher {k}: used {v} > {VOUCHER_CAP}" for k, v in used.items() if v > VOUCHER_CAP]
        for year, total in charged.items():
            fund = ledger.repository.get(FundYear.create_id(year))
            if fund.approved != total:
                problems.append(f"fund {year}: charged {fund.approved}, approvals sum to {total}")
    finally:
        ledger.close()
    wait_projected(url)
    problems += [f"read models differ from a replay: {d}" for d in check(url)]
    return problems

