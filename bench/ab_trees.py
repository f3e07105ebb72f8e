"""Two trees of the code served side by side, each on its own copy of the same world, with the bare endpoint
beside them, taken in turn under wrk (A B B A): CPU per request (server process + PostgreSQL backends, from
/proc) and latency of POST /v1/claims and GET /v1/organisations/{uscc}/awards. For before/after figures of a
change in one run on a busy machine, where CPU per request is steadier than requests per second.

    .venv/bin/python -m bench.ab_trees <git ref for A, e.g. main> [orgs]   # B is this working tree
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import wrk
from bench.bench_awards import fill_bare
from bench.common import (
    ROOT,
    Server,
    auth_file,
    bare_server,
    free_port,
    fresh_database,
    load_world,
    make_uscc,
    rebuild_read_models,
    wait_settled,
)
from bench.cpu import Meter

ROUNDS = 4
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "3"))
CONNECTIONS = 16


def tree_server(tree: Path, url: str, tmp: Path, name: str) -> tuple[Server, dict[str, str]]:
    """`award-ledger serve` from `tree` (its own packages first on sys.path), one worker, in-process projector."""
    path, tokens = auth_file(tmp / name)
    port = free_port()
    env = {"LEDGER_DATABASE_URL": url, "LEDGER_AUTH_FILE": str(path), "LEDGER_LOG_LEVEL": "warning",
           "LEDGER_PORT": str(port), "LEDGER_WORKERS": "1", "LEDGER_PROJECTOR": "inprocess",
           }
    start = (f"import sys; sys.path.insert(0, {str(tree)!r}); import api.cli;"
             f" assert api.cli.__file__.startswith({str(tree)!r}), api.cli.__file__;"
             f" sys.exit(api.cli.main(['serve', '--port', '{port}']))")
    server = Server([str(ROOT / ".venv/bin/python"), "-c", start], port, env, tmp / f"{name}.log")
    return server, tokens


def main(ref: str, orgs: int) -> None:
    claims_per_side = max(orgs - 10, 100)
    rng = random.Random(8)
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        old = tmp / "a-tree"
        old.mkdir()
        subprocess.run(f"git archive {ref} | tar -x -C {old}", shell=True, check=True, cwd=ROOT)
        if (ROOT.parent / "shared").exists():  # the specs a tree reads beside it (../shared)
            (tmp / "shared").symlink_to((ROOT.parent / "shared").resolve())
        trees = {"A": old, "B": ROOT}
        urls = {}
        for side in trees:
            url = stack.enter_context(fresh_database(f"ab{side.lower()}"))
            ledger, events = load_world(url, orgs + 2)
            ledger.close()
            rebuild_read_models(url)
            urls[side] = url
            (tmp / side).mkdir()
        servers, meters, tokens = {}, {}, {}
        for side, tree in trees.items():
            try:
                server, tokens[side] = tree_server(tree, urls[side], tmp, side)
            except RuntimeError:
                print((tmp / f"{side}.log").read_text()[-3000:])
                raise
            servers[side] = stack.enter_context(server)
            meters[side] = Meter(urls[side], [server.proc.pid])
        bare_url = stack.enter_context(fresh_database("abbare"))  # its own: a Meter counts a database's backends
        bare = stack.enter_context(bare_server(bare_url, tmp))
        for url in urls.values():
            wait_settled(url)
        fill_bare(urls["A"], orgs, into=bare_url)
        meters["bare"] = Meter(bare_url, [bare.proc.pid])
        # The client's own ceiling in the same run (wrk against a server that does nothing), as the other HTTP
        # benchmarks give it: a bare figure near it says the client, not the server, was the limit.
        top = {n: wrk.ceiling(tmp, connections=n) for n in sorted({1, CONNECTIONS})}
        print(f"{orgs:,} organisations, {events:,} events a side; A = {ref}, B = working tree;"
              f" {ROUNDS} × {SECONDS:g} s rounds, A B bare ... in turn; client ceiling (wrk → no-op server) "
              + ", ".join(f"{rate:,.0f} req/s at {n} connection(s)" for n, rate in top.items()), flush=True)
        sides = ("A", "B", "bare")
        picks = [make_uscc(rng.randrange(2, orgs + 1)) for _ in range(2000)]
        # Claims: each side's rounds take organisations of their own (a repeated claim is refused, cheaper).
        bodies = [json.dumps({"uscc": make_uscc(s), "programme": "A5.voucher", "award_year": 2025,
                              "effective_on": "2025-06-01", "basis_amount": "1000000.00"})
                  for s in range(2, 2 + claims_per_side)]
        for what in ("claims", "awards@1", "awards@16"):
            connections = 1 if what == "awards@1" else CONNECTIONS
            runs: dict[str, list[dict]] = {s: [] for s in sides}
            cpu = {s: [0.0, 0.0] for s in sides}
            load = wrk.load_average()
            for i in range(ROUNDS):
                order = sides if i % 2 == 0 else tuple(reversed(sides))
                for side in order:
                    base = servers[side].base if side != "bare" else bare.base
                    headers = {"Content-Type": "application/json"}
                    if side != "bare":
                        headers["Authorization"] = f"Bearer {tokens[side]['kjj' if what == 'claims' else 'auditor']}"
                    if what == "claims":
                        path = "/v1/claims" if side != "bare" else "/claims"
                        reqs = [("POST", path, b) for b in bodies[i::ROUNDS]]
                    else:
                        reqs = [("GET", f"/v1/organisations/{u}/awards" if side != "bare" else f"/orgs/{u}", "")
                                for u in picks]
                    file = wrk.write_requests(tmp / f"{what}-{side}-{i}.txt", reqs)
                    runs[side].append(meters[side].metered(cpu[side], wrk.run, base, file, seconds=SECONDS,
                                                           connections=connections, headers=headers))
            load += " → " + wrk.load_average()
            print(f"\n{what} (load {load})")
            for side in sides:
                c = wrk.combine(runs[side])
                n = max(c["requests"], 1)
                print(f"  {side:5} {c['rate']:8.1f} req/s  p50 {c['p50_ms']:7.2f} ms  p99 {c['p99_ms']:7.2f} ms"
                      f"  CPU/req server {1000 * cpu[side][0] / n:5.2f} ms + PG {1000 * cpu[side][1] / n:5.2f} ms"
                      f"  statuses {c['statuses']}", flush=True)
            if what == "claims" and any(set(wrk.combine(runs[s])["statuses"]) - {201} for s in ("A", "B")):
                print(f"  some claims were not fresh (a repeat is refused with 409, more cheaply): {orgs:,}"
                      " organisations are too few for these rounds; give more", flush=True)
            bare_rate = wrk.combine(runs["bare"])["rate"]
            if bare_rate >= wrk.CLIENT_BOUND * top[connections]:
                print(f"  client-bound: bare reached {bare_rate / top[connections]:.0%} of the client's ceiling,"
                      " so these ratios are not a result", flush=True)
        for meter in meters.values():
            meter.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "main", int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
