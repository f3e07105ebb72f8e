"""`make bench`: every benchmark in bench/ on the local PostgreSQL, each in its own process and database,
at a tenth of BENCH_SCALE and at BENCH_SCALE (peak memory must stay flat between the two); prints each
table and rewrites bench/RESULTS.md's generated section with the machine and the figures.

    BENCH_SCALE=0.05 make bench   # the default: 5,000 organisations, ~65,000 events
    BENCH_SCALE=1 make bench      # the issue's full size: 100,000 organisations, ~1,300,000 events
    BENCH_ONLY=rebuild make bench # one benchmark
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.common import FULL_ORGS, machine, scale  # noqa: E402

BENCHMARKS = ["bench_commands", "bench_chaining", "bench_http_claims", "bench_rebuild", "bench_awards", "bench_asof",
              "bench_import", "bench_orjson", "bench_save_params", "bench_simulate", "bench_reconciliation",
              "bench_audit_page"]
# Benchmarks whose subject holds state that grows with the data by its nature, so "flat" does not apply.
GROWS = {"bench_reconciliation": "reported: both folds hold the year's claims, and its baseline every record"}
RESULTS = Path(os.environ.get("BENCH_RESULTS", HERE / "RESULTS.md"))  # another file: a trial run
LIMIT_S = float(os.environ.get("BENCH_TIMEOUT", "1800"))  # per benchmark run: every run is bounded


def run(module: str, fraction: float) -> tuple[list[dict], float]:
    """Run one benchmark at `fraction` of the scale; its tables and its process's peak RSS (MB)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", f"bench.{module}", str(fraction)], cwd=HERE.parent,
                            stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        print(f"{module}: stopped after {LIMIT_S:.0f} s", file=sys.stderr)
    tables = []
    for line in out.splitlines():
        if line.startswith("BENCH-JSON "):
            tables.append(json.loads(line[len("BENCH-JSON "):]))
        else:
            print(line)
    print(f"({module} at {fraction:g} of the scale: {time.monotonic() - started:.0f} s, exit {proc.returncode})",
          flush=True)
    return tables, _peak(tables)


def _peak(tables: list[dict]) -> float:
    for t in tables:
        for r in t["rows"]:
            if r["figure"].startswith("peak RSS"):
                return float(r["value"].split()[0].replace(",", ""))
    return 0.0


def main() -> int:
    only = os.environ.get("BENCH_ONLY")
    chosen = [b for b in BENCHMARKS if not only or only in b]
    info = machine()
    head = (f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM; PostgreSQL {info['postgres']};"
            f" Python {info['python']}. BENCH_SCALE={scale():g} ({int(FULL_ORGS * scale()):,} organisations at"
            f" full run scale). {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.")
    print(head)
    sections, memory = [], []
    for module in chosen:
        _, small_rss = run(module, 0.1)
        tables, rss = run(module, 1.0)
        sections += tables
        flat = rss <= 1.5 * small_rss if small_rss and module not in GROWS else None
        memory.append({"figure": f"peak RSS, {module}", "value": f"{rss:,.1f} MB",
                       "baseline": f"{small_rss:,.1f} MB at 0.1 of the scale",
                       "ratio": f"{rss / small_rss:.2f}" if small_rss else "",
                       "target": GROWS.get(module, "flat (≤ 1.5×)"),
                       "met": "" if flat is None else ("yes" if flat else "**no**")})
    sections.append({"name": "peak memory at a tenth of the scale and at the scale", "rows": memory})
    from bench.common import table

    body = "\n\n".join(f"### {t['name']}\n\n{table(t['rows'])}" for t in sections)
    print("\n### peak memory\n" + table(memory))
    # One generated section per selection and scale, so a one-benchmark run at full scale sits beside the
    # whole run at the default scale instead of replacing it.
    write_results(f"{only or 'all'}@{scale():g}", f"{head}\n\n{body}\n")
    return 0


def write_results(section: str, generated: str) -> None:
    begin, end = f"<!-- bench:begin {section} -->", f"<!-- bench:end {section} -->"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if begin not in text:
        text += f"\n{begin}\n{end}\n"
    text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: f"{begin}\n{generated}{end}", text,
                  flags=re.S)
    RESULTS.write_text(text)
    print(f"\nwrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
