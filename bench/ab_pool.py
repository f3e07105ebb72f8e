"""POST /v1/claims with two sizes of the commands' connection pool, taken in turn on one store: one worker each
(LEDGER_PROJECTOR=external, one `award-ledger project` beside them), wrk with 16 connections, A B B A rounds; and
the most connections each server held (pg_stat_activity, by application_name); wrk's own ceiling against a
server that does nothing is printed beside them. On demand, not in `make bench`:

    .venv/bin/python -m bench.ab_pool 30 16 [orgs]   # LEDGER_DB_POOL of A, of B
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from bench import wrk
from bench.common import fresh_database, ledger_server, load_world, make_uscc, projector_process, wait_settled

ROUNDS = 4
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))
CONNECTIONS = 16


def peaks(url: str, stop: threading.Event, found: dict[str, int]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            for name, n in conn.execute("SELECT application_name, COUNT(*) FROM pg_stat_activity WHERE datname ="
                                        " current_database() AND pid <> pg_backend_pid() GROUP BY 1").fetchall():
                found[name] = max(found.get(name, 0), n)
            time.sleep(0.02)


def main(pools: dict[str, int], orgs: int) -> None:
    with fresh_database("pool") as url, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        ledger, _ = load_world(url, orgs)
        ledger.close()
        top = wrk.ceiling(tmp, connections=CONNECTIONS)  # the client's own ceiling, against a server doing nothing
        servers = {}
        for side, pool in pools.items():
            (tmp / side).mkdir()
            os.environ.update(LEDGER_DB_POOL=str(pool), PGAPPNAME=f"ab-{side}")
            servers[side] = ledger_server(url, tmp / side, workers=1, external=True, name=side)
        os.environ["PGAPPNAME"] = "ab-projector"
        projector = projector_process(url, tmp)
        stop, found = threading.Event(), {}
        watcher = threading.Thread(target=peaks, args=(url, stop, found), daemon=True)
        watcher.start()
        try:
            wait_settled(url)
            bodies = [json.dumps({"uscc": make_uscc(s), "programme": "A5.voucher", "award_year": 2025,
                                  "effective_on": "2025-06-01", "basis_amount": "1000000.00"}) for s in range(2, orgs)]
            runs: dict[str, list[dict]] = {side: [] for side in pools}
            turn = 0
            for i in range(ROUNDS):
                for side in (("A", "B") if i % 2 == 0 else ("B", "A")):
                    server, tokens = servers[side]
                    requests = wrk.write_requests(tmp / f"r{turn}.txt", [("POST", "/v1/claims", b)
                                                                          for b in bodies[turn::2 * ROUNDS]])
                    turn += 1
                    headers = {"Authorization": f"Bearer {tokens['kjj']}", "Content-Type": "application/json"}
                    runs[side].append(wrk.run(server.base, requests, seconds=SECONDS, connections=CONNECTIONS,
                                              headers=headers))
        finally:
            stop.set()
            for server, _ in servers.values():
                server.stop()
            projector.terminate()
            projector.wait(15)
    for side, pool in pools.items():
        got = wrk.combine(runs[side])
        print(f"{side}: LEDGER_DB_POOL={pool}: {got['rate']:.1f} claims/s, p99 {got['p99_ms']:.0f} ms,"
              f" statuses {got['statuses']}, at most {found.get(f'ab-{side}', 0)} connections")
    print(f"projector: at most {found.get('ab-projector', 0)} connections")
    print(f"wrk's own ceiling: {top:,.0f} req/s at {CONNECTIONS} connections")


if __name__ == "__main__":
    a, b = int(sys.argv[1]), int(sys.argv[2])
    main({"A": a, "B": b}, int(sys.argv[3]) if len(sys.argv) > 3 else 9000)
