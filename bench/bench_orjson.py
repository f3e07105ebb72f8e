"""orjson against the stdlib for the read models' JSON rows: decoding what a query reads (rm_records data, the
awards GET's rows) and encoding what the projector writes, taken in turn on the same rows (ABBA, 8 rounds)."""
from __future__ import annotations

import json
import sys
import time

import orjson

from bench.common import fresh_database, load_world, orgs_at, rebuild_read_models, report, row
from projections.sql import dumps

STDLIB = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))

ROUNDS = 8


def main(fraction: float) -> None:
    import psycopg

    with fresh_database("orjson") as url:
        ledger, _ = load_world(url, max(200, orgs_at(fraction) // 10))
        ledger.close()
        rebuild_read_models(url)
        with psycopg.connect(url) as conn:
            texts = [d for (d,) in conn.execute("SELECT data FROM rm_records")]
    values = [json.loads(t) for t in texts]
    sides = {
        "decode": (lambda: [json.loads(t) for t in texts], lambda: [orjson.loads(t) for t in texts]),
        # As projections/sql.py wrote rows before (the standard library, sorted keys) and writes them now.
        "encode": (lambda: [STDLIB.encode(v) for v in values], lambda: [dumps(v) for v in values]),
    }
    rows = []
    for name, (stdlib, fast) in sides.items():
        spent = {"stdlib": 0.0, "orjson": 0.0}
        for i in range(ROUNDS):
            for side in (("stdlib", "orjson") if i % 2 == 0 else ("orjson", "stdlib")):
                started = time.perf_counter()
                (stdlib if side == "stdlib" else fast)()
                spent[side] += time.perf_counter() - started
        per = {k: ROUNDS * len(texts) / v for k, v in spent.items()}
        rows.append(row(f"{name} rows/s (orjson)", per["orjson"], "rows/s", baseline=per["stdlib"],
                        base_unit="rows/s (stdlib json)"))
    report(f"orjson against json on {len(texts):,} read-model rows, {ROUNDS} rounds taken in turn", rows)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
