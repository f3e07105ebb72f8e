"""HTTP POST /v1/claims under wrk (16 connections) against `award-ledger serve` on PostgreSQL, against a bare
FastAPI endpoint doing one INSERT (bench/bare_app.py) under the same uvicorn and database: with one worker
(in-process projector), with one worker and the projector in its own process (`award-ledger project`), and
with two workers and the external projector; each against the bare endpoint on as many workers.
The client's ceiling (wrk against a server that does nothing) is measured in the same run: a baseline at
80% of it measures wrk, and the ratio is then reported as client-bound. Target: at least 0.5 of bare."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import wrk
from bench.common import (
    bare_server,
    fresh_database,
    ledger_server,
    load_world,
    make_uscc,
    orgs_at,
    projector_process,
    report,
    row,
    wait_settled,
)
from bench.cpu import Meter

CONNECTIONS = 16
ROUNDS = 4  # ABBA: ours, bare, bare, ours, ...
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))
# (API workers, projector in its own process): the default deployment, the same with the fold moved out of the
# API's process, and compose's shape on two workers.
CONFIGURATIONS = ((1, False), (1, True), (2, True))


def main(fraction: float) -> None:
    # Distinct claims for every request a configuration can send (up to 800 req/s): a claim sent twice would
    # be refused, and a refusal is cheaper than an acceptance.
    count = max(int(800 * ROUNDS * SECONDS), orgs_at(fraction))
    with fresh_database("http") as url, tempfile.TemporaryDirectory() as tmp:
        ledger, _ = load_world(url, len(CONFIGURATIONS) * count + 1)
        ledger.close()
        top = wrk.ceiling(Path(tmp), connections=CONNECTIONS)
        for n, (workers, external) in enumerate(CONFIGURATIONS):
            first = 2 + n * count
            bodies = [json.dumps({"uscc": make_uscc(s), "programme": "A5.voucher", "award_year": 2025,
                                  "effective_on": "2025-06-01", "basis_amount": "1000000.00"})
                      for s in range(first, first + count)]
            measure(url, Path(tmp), workers, external, bodies, top)


def measure(url: str, tmp: Path, workers: int, external: bool, bodies: list[str], top: float) -> None:
    server, tokens = ledger_server(url, tmp, workers=workers, external=external,
                                   name=f"ledger-{workers}{'-external' if external else ''}")
    projector = projector_process(url, tmp) if external else None
    try:
        with server, bare_server(url, tmp, workers=workers) as bare:
            wait_settled(url)
            headers = {"Authorization": f"Bearer {tokens['kjj']}", "Content-Type": "application/json"}
            runs: dict[str, list[dict]] = {"ours": [], "bare": []}
            meters = {"ours": Meter(url, [server.proc.pid] + ([projector.pid] if projector else [])),
                      "bare": Meter(url, [bare.proc.pid])}
            cpu = {"ours": [0.0, 0.0], "bare": [0.0, 0.0]}  # server, PostgreSQL backends: CPU seconds
            load = wrk.load_average()
            for i in range(ROUNDS):
                for side in (("ours", "bare") if i % 2 == 0 else ("bare", "ours")):
                    # Each round of ours has claims of its own; the bare endpoint takes any body.
                    path = "/v1/claims" if side == "ours" else "/claims"
                    requests = wrk.write_requests(tmp / f"{side}-{i}.txt",
                                                  [("POST", path, b) for b in bodies[i::ROUNDS]])
                    base = server.base if side == "ours" else bare.base
                    runs[side].append(meters[side].metered(cpu[side], wrk.run, base, requests, seconds=SECONDS,
                                                           connections=CONNECTIONS, headers=headers))
            load += " → " + wrk.load_average()
            ours_rss, bare_rss = server.peak_rss_mb(), bare.peak_rss_mb()
            for meter in meters.values():
                meter.close()
    finally:
        if projector is not None:
            projector.terminate()
            try:
                projector.wait(15)
            except subprocess.TimeoutExpired:
                projector.kill()
    a, b = wrk.combine(runs["ours"]), wrk.combine(runs["bare"])
    bound = b["rate"] >= wrk.CLIENT_BOUND * top
    ratio = a["rate"] / b["rate"]
    failed = a["errors"] + sum(n for s, n in a["statuses"].items() if s >= 300)
    what = (f"{'one worker' if workers == 1 else f'{workers} workers'} + external projector" if external
            else "one worker, in-process projector")
    report(f"HTTP POST /v1/claims, {what}, wrk {CONNECTIONS} connections, {ROUNDS} × {SECONDS:g} s rounds in turn"
           f" with the bare endpoint on {workers} worker(s) (statuses {a['statuses']}; bare {b['statuses']};"
           f" load average {load})", [
        row("requests/s", a["rate"], "req/s", baseline=b["rate"], base_unit=f"req/s (bare INSERT, {workers} w)",
            target="≥ 0.5 of bare", met=None if bound else (ratio >= 0.5 and failed == 0)),
        row("client ceiling (wrk → no-op server)", top, "req/s", baseline=b["rate"], base_unit="req/s bare",
            ratio=b["rate"] / top, target="bare < 80% of it",
            met=not bound) | ({"value": f"{top:,.1f} req/s: **client-bound, no result**"} if bound else {}),
        # On two busy cores throughput follows CPU per request: where it goes says what stands in the way.
        row("server CPU per request", 1000 * cpu["ours"][0] / max(a["requests"], 1), "ms",
            baseline=1000 * cpu["bare"][0] / max(b["requests"], 1)),
        row("PostgreSQL CPU per request", 1000 * cpu["ours"][1] / max(a["requests"], 1), "ms",
            baseline=1000 * cpu["bare"][1] / max(b["requests"], 1)),
        row("p50 latency", a["p50_ms"], "ms", baseline=b["p50_ms"]),
        row("p99 latency", a["p99_ms"], "ms", baseline=b["p99_ms"]),
        row("peak RSS (server, parent process)", ours_rss, "MB", baseline=bare_rss),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
