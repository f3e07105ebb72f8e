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
    fresh_database,
    ledger_server,
    load_world,
    make_uscc,
    now,
    orgs_at,
    percentile,
    report,
    row,
    wait_settled,
)

WORKERS = 16
ROUNDS = 10


def main(fraction: float) -> None:
    count = max(400, orgs_at(fraction) // 5)
    with fresh_database("http") as url, tempfile.TemporaryDirectory() as tmp:
        ledger, _ = load_world(url, count + 1)
        ledger.close()
        bodies = [{"uscc": make_uscc(s), "programme": "A5.voucher", "award_year": 2025, "effective_on": "2025-06-01",
                   "basis_amount": "1000000.00"} for s in range(2, count + 2)]
        server, tokens = ledger_server(url, Path(tmp))
        with server, bare_server(url, Path(tmp)) as bare:
            wait_settled(url)
            headers = {"Authorization": f"Bearer {tokens['kjj']}"}
            sides = {"ours": (server.base, "/v1/claims", headers), "bare": (bare.base, "/claims", {})}
            measured = asyncio.run(in_turn(sides, bodies))
            ours_rss, bare_rss = server.peak_rss_mb(), bare.peak_rss_mb()
    (lat, statuses, took), (blat, bstatuses, btook) = measured["ours"], measured["bare"]
    ours, base = len(lat) / took, len(blat) / btook
    errors = sum(n for s, n in statuses.items() if s >= 500)
    report(f"HTTP POST /v1/claims, {WORKERS} clients, {count:,} requests in {ROUNDS} rounds taken in turn with the"
           f" bare endpoint (statuses {statuses}; bare {bstatuses})", [
        row("requests/s", ours, "req/s", baseline=base, base_unit="req/s (bare INSERT)", target="≥ 0.5 of bare",
            met=ours / base >= 0.5 and errors == 0),
        row("p50 latency", percentile(lat, 50) * 1000, "ms", baseline=percentile(blat, 50) * 1000),
        row("p99 latency", percentile(lat, 99) * 1000, "ms", baseline=percentile(blat, 99) * 1000),
        row("peak RSS (server)", ours_rss, "MB", baseline=bare_rss),
    ])


async def in_turn(sides: dict[str, tuple[str, str, dict]], bodies: list[dict]
                  ) -> dict[str, tuple[list[float], dict[int, int], float]]:
    """Both servers run throughout; rounds alternate between them in ABBA order, so a burst of someone
    else's load on the shared machine, and what one side leaves behind, land on both alike. Each side keeps
    one client (its connections) across its rounds, so no round pays for connecting."""
    import httpx

    limits = httpx.Limits(max_connections=WORKERS, max_keepalive_connections=WORKERS)
    measured: dict[str, tuple[list[float], dict[int, int], float]] = {side: ([], {}, 0.0) for side in sides}
    clients = {side: httpx.AsyncClient(base_url=base, timeout=30, limits=limits)
               for side, (base, _, _) in sides.items()}
    try:
        for i in range(ROUNDS):
            chunk = bodies[i::ROUNDS]
            for side in (("ours", "bare") if i % 2 == 0 else ("bare", "ours")):
                _, path, headers = sides[side]
                queue, latencies, statuses = list(reversed(chunk)), measured[side][0], measured[side][1]

                async def worker(client: httpx.AsyncClient, path: str = path, headers: dict = headers,
                                 queue: list = queue, latencies: list = latencies, statuses: dict = statuses) -> None:
                    while queue:
                        body = queue.pop()
                        t = now()
                        answer = await client.post(path, json=body, headers=headers)
                        latencies.append(now() - t)
                        statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

                started = now()
                await asyncio.gather(*(worker(clients[side]) for _ in range(WORKERS)))
                measured[side] = (latencies, statuses, measured[side][2] + now() - started)
    finally:
        for client in clients.values():
            await client.aclose()
    return measured


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
