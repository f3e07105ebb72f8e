"""GET /v1/organisations/{uscc}/awards on `award-ledger serve`, at the run's scale of organisations and
events, one client at a time (latency, not queueing), against a bare FastAPI endpoint doing one
primary-key SELECT of a JSON row of the same organisations, both servers up and asked in turn.
Targets: p99 ≤ 10 ms and ≤ 2× bare."""
from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
from pathlib import Path

import psycopg

from bench.common import (
    bare_server,
    fresh_database,
    ledger_server,
    load_world,
    make_uscc,
    now,
    orgs_at,
    percentile,
    rebuild_read_models,
    report,
    row,
    wait_settled,
)

SAMPLES = 2000


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    rng = random.Random(8)
    with fresh_database("awards") as url, tempfile.TemporaryDirectory() as tmp:
        ledger, events = load_world(url, orgs)
        ledger.close()
        rebuild_read_models(url)
        picks = [make_uscc(rng.randrange(2, orgs + 1)) for _ in range(SAMPLES)]
        server, tokens = ledger_server(url, Path(tmp))
        with server, bare_server(url, Path(tmp)) as bare:
            wait_settled(url)
            fill_bare(url, orgs)
            headers = {"Authorization": f"Bearer {tokens['auditor']}"}
            lat, blat, statuses, bstatuses = asyncio.run(in_turn(server.base, bare.base, headers, picks))
            rss = server.peak_rss_mb()
    p50, p99, b50, b99 = (percentile(x, p) * 1000 for x, p in ((lat, 50), (lat, 99), (blat, 50), (blat, 99)))
    report(f"GET awards ({orgs:,} organisations, {events:,} events; statuses {statuses}, bare {bstatuses})", [
        row("p50", p50, "ms", baseline=b50, base_unit="ms (bare PK SELECT)"),
        row("p99", p99, "ms", baseline=b99, base_unit="ms (bare PK SELECT)", target="≤ 10 ms and ≤ 2× bare",
            met=p99 <= 10 and p99 <= 2 * b99),
        row("peak RSS (server)", rss, "MB"),
    ])


async def in_turn(ours: str, bare: str, headers: dict, picks: list[str]
                  ) -> tuple[list[float], list[float], dict[int, int], dict[int, int]]:
    """One client each; the same organisation asked of both servers in turn (which first alternates), so a
    burst of someone else's load on the shared machine lands on both alike. The first 200 warm the pools."""
    import httpx

    lat: list[float] = []
    blat: list[float] = []
    statuses: dict[int, int] = {}
    bstatuses: dict[int, int] = {}
    async with httpx.AsyncClient(base_url=ours, timeout=30) as a, httpx.AsyncClient(base_url=bare, timeout=30) as b:
        sides = [(a, lambda u: f"/v1/organisations/{u}/awards", headers, lat, statuses),
                 (b, lambda u: f"/orgs/{u}", {}, blat, bstatuses)]
        for i, uscc in enumerate(picks[:200] + picks):
            for client, path, head, times, seen in (sides if i % 2 == 0 else sides[::-1]):
                t = now()
                answer = await client.get(path(uscc), headers=head)
                if i >= 200:
                    times.append(now() - t)
                    seen[answer.status_code] = seen.get(answer.status_code, 0) + 1
    return lat, blat, statuses, bstatuses


def fill_bare(url: str, orgs: int) -> None:
    """One JSON row per organisation, its award state's size, keyed by USCC."""
    with psycopg.connect(url) as conn:
        sample = conn.execute("SELECT data FROM rm_records WHERE kind = 'organisation' LIMIT 1").fetchone()[0]
        with conn.cursor() as cur, cur.copy("COPY bare_orgs (uscc, data) FROM STDIN") as copy:
            for s in range(1, orgs + 1):
                copy.write_row((make_uscc(s), json.dumps({"uscc": make_uscc(s), "record": sample})))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
