"""GET /v1/organisations/{uscc}/awards on `award-ledger serve`, at the run's scale of organisations and
events, against a bare FastAPI endpoint doing one primary-key SELECT of a JSON row of the same
organisations, both servers up and driven by wrk in turn (ABBA rounds): with one connection (latency, not
queueing) and with 16 (under load). wrk measures the latency in C, so the client's own time no longer
pads both sides alike (an httpx client did, which flattered the ratio). Targets: p99 ≤ 10 ms and ≤ 2× bare."""
from __future__ import annotations

import json
import os
import random
import sys
import tempfile
from pathlib import Path

import psycopg

from bench import wrk
from bench.common import (
    bare_server,
    fresh_database,
    ledger_server,
    load_world,
    make_uscc,
    orgs_at,
    rebuild_read_models,
    report,
    row,
    wait_settled,
)

SAMPLES = 2000
ROUNDS = 4  # ABBA: ours, bare, bare, ours
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    rng = random.Random(8)
    with fresh_database("awards") as url, tempfile.TemporaryDirectory() as tmp:
        ledger, events = load_world(url, orgs)
        ledger.close()
        rebuild_read_models(url)
        picks = [make_uscc(rng.randrange(2, orgs + 1)) for _ in range(SAMPLES)]
        top = wrk.ceiling(Path(tmp), connections=16)
        server, tokens = ledger_server(url, Path(tmp))
        with server, bare_server(url, Path(tmp)) as bare:
            wait_settled(url)
            fill_bare(url, orgs)
            headers = {"Authorization": f"Bearer {tokens['auditor']}"}
            ours_file = wrk.write_requests(Path(tmp) / "ours.txt",
                                           [("GET", f"/v1/organisations/{u}/awards", "") for u in picks])
            bare_file = wrk.write_requests(Path(tmp) / "bare.txt", [("GET", f"/orgs/{u}", "") for u in picks])
            for connections in (1, 16):
                load = wrk.load_average()
                wrk.run(server.base, ours_file, seconds=1, connections=connections, headers=headers)  # warm up
                wrk.run(bare.base, bare_file, seconds=1, connections=connections)
                runs: dict[str, list[dict]] = {"ours": [], "bare": []}
                for i in range(ROUNDS):
                    for side in (("ours", "bare") if i % 2 == 0 else ("bare", "ours")):
                        base, file = (server.base, ours_file) if side == "ours" else (bare.base, bare_file)
                        runs[side].append(wrk.run(base, file, seconds=SECONDS, connections=connections,
                                                  headers=headers if side == "ours" else None))
                load += " → " + wrk.load_average()
                a, b = wrk.combine(runs["ours"]), wrk.combine(runs["bare"])
                bound = b["rate"] >= wrk.CLIENT_BOUND * top
                report(f"GET awards, wrk {connections} connection(s), {ROUNDS} × {SECONDS:g} s rounds in turn"
                       f" ({orgs:,} organisations, {events:,} events; statuses {a['statuses']}, bare"
                       f" {b['statuses']}; load average {load})", [
                    row("p50", a["p50_ms"], "ms", baseline=b["p50_ms"], base_unit="ms (bare PK SELECT)"),
                    row("p99", a["p99_ms"], "ms", baseline=b["p99_ms"], base_unit="ms (bare PK SELECT)",
                        target="≤ 10 ms and ≤ 2× bare",
                        met=None if bound else a["p99_ms"] <= 10 and a["p99_ms"] <= 2 * b["p99_ms"]),
                    row("requests/s", a["rate"], "req/s", baseline=b["rate"], base_unit="req/s (bare)"),
                    row("client ceiling (wrk → no-op server)", top, "req/s", baseline=b["rate"],
                        base_unit="req/s bare", ratio=b["rate"] / top, target="bare < 80% of it", met=not bound),
                    row("peak RSS (server)", server.peak_rss_mb(), "MB"),
                ])


def fill_bare(url: str, orgs: int, *, into: str | None = None) -> None:
    """One JSON row per organisation, its award state's size, keyed by USCC (in `into`'s bare_orgs if given)."""
    with psycopg.connect(url) as conn:
        sample = conn.execute("SELECT data FROM rm_records WHERE kind = 'organisation' LIMIT 1").fetchone()[0]
    with psycopg.connect(into or url) as conn, conn.cursor() as cur, \
            cur.copy("COPY bare_orgs (uscc, data) FROM STDIN") as copy:
        for s in range(1, orgs + 1):
            copy.write_row((make_uscc(s), json.dumps({"uscc": make_uscc(s), "record": sample})))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
