"""HTTP POST /v1/claims with 16 concurrent clients against `award-ledger serve` on PostgreSQL, against a
bare FastAPI endpoint doing one INSERT (bench/bare_app.py) under the same uvicorn settings and database.
Target: at least 0.5 of bare."""
from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from bench.common import (
    bare_server,
    drive,
    fresh_database,
    ledger_server,
    load_world,
    make_uscc,
    orgs_at,
    percentile,
    report,
    row,
    wait_settled,
)

WORKERS = 16


def main(fraction: float) -> None:
    count = max(400, orgs_at(fraction) // 5)
    with fresh_database("http") as url, tempfile.TemporaryDirectory() as tmp:
        ledger, _ = load_world(url, count + 1)
        ledger.close()
        bodies = [{"uscc": make_uscc(s), "programme": "A5.voucher", "award_year": 2025, "effective_on": "2025-06-01",
                   "basis_amount": "1000000.00"} for s in range(2, count + 2)]
        server, tokens = ledger_server(url, Path(tmp))
        with server:
            wait_settled(url)
            headers = {"Authorization": f"Bearer {tokens['kjj']}"}
            lat, statuses, took = asyncio.run(drive(server.base, [("POST", "/v1/claims", b, headers) for b in bodies],
                                                    workers=WORKERS))
            ours_rss = server.peak_rss_mb()
        with bare_server(url, Path(tmp)) as bare:
            blat, bstatuses, btook = asyncio.run(drive(bare.base, [("POST", "/claims", b, {}) for b in bodies],
                                                       workers=WORKERS))
            bare_rss = bare.peak_rss_mb()
    ours, base = len(lat) / took, len(blat) / btook
    errors = sum(n for s, n in statuses.items() if s >= 500)
    report(f"HTTP POST /v1/claims, {WORKERS} clients, {count:,} requests (statuses {statuses}; bare {bstatuses})", [
        row("requests/s", ours, "req/s", baseline=base, base_unit="req/s (bare INSERT)", target="≥ 0.5 of bare",
            met=ours / base >= 0.5 and errors == 0),
        row("p50 latency", percentile(lat, 50) * 1000, "ms", baseline=percentile(blat, 50) * 1000),
        row("p99 latency", percentile(lat, 99) * 1000, "ms", baseline=percentile(blat, 99) * 1000),
        row("peak RSS (server)", ours_rss, "MB", baseline=bare_rss),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
