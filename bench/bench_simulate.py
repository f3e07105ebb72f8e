"""The policy sandbox on PostgreSQL: `award-ledger simulate` over the whole log under a draft that raises
A5.voucher's rate (every claim of the bench world moves), on two cores (the draft's replay in a second process)
and in one, against a rebuild of the read models from the same log. Targets: under 60 s at BENCH_SCALE=1
(scaled down with the event count below it), under half a rebuild's time, and flat memory.

The simulation runs as the real command in its own process, so its peak RSS is its own (the world's loading
is not counted) and the time includes what a user waits for: start-up, the read of the log, both replays."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, kept_world, now, orgs_at, rebuild_read_models, report, row

FULL_EVENTS = 1_300_000
LIMIT_AT_FULL_S = 60.0


def draft_text() -> str:
    text = (ROOT / "ledger" / "catalogue" / "binjiang-2022.toml").read_text(encoding="utf-8")
    start = text.index('code = "A5.voucher"')
    return text[:start] + text[start:].replace('rate = "0.30"', 'rate = "0.40"', 1)


def simulate(url: str, draft: Path, processes: int) -> float:
    started = now()
    done = subprocess.run([str(Path(sys.executable).with_name("award-ledger")), "simulate", "--catalogue",
                           str(draft), "--output", str(draft.with_suffix(".json")), "--processes", str(processes)],
                          env={"LEDGER_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"award-ledger simulate failed ({done.returncode}): {done.stderr[-2000:]}")
    return now() - started


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    took: dict[str, list[float]] = {"2": [], "1": [], "rebuild": []}
    loads: list[float] = []
    cpu: dict[str, float] = {"2": 0.0, "1": 0.0}
    # BENCH_KEEP_WORLD=1 keeps the store between runs (bench/common.py: building 1.3 M events takes longer
    # than the benchmark); the simulation writes nothing, and each rebuild replaces the read models whole.
    with kept_world(orgs) as (url, events), tempfile.TemporaryDirectory() as tmp:
        draft = Path(tmp) / "draft.toml"
        draft.write_text(draft_text(), encoding="utf-8")
        # Taken in turn (ABBA): a burst of the shared machine's load lands on every side alike. "2": the draft's
        # replay in a second process (the CLI's default on a large log), "1": both replays in one process.
        for side in ("2", "1", "rebuild", "rebuild", "1", "2"):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = simulate(url, draft, int(side)) if side != "rebuild" else rebuild_read_models(url)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if side != "rebuild":
                cpu[side] += (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            took[side].append(spent)
            loads.append(os.getloadavg()[0])
            print(f"  {side if side == 'rebuild' else f'simulate, {side} process(es)'}: {spent:,.1f} s"
                  f" (load average {loads[-1]:.1f})", flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = children.ru_maxrss / 1024  # the largest simulate process (the rebuilds ran in this one)
    mean = {side: sum(v) / len(v) for side, v in took.items()}
    limit = LIMIT_AT_FULL_S * min(1.0, events / FULL_EVENTS)
    rebuilt = mean["rebuild"]
    rows = []
    for side, label in (("2", "two processes (the default)"), ("1", "one process")):
        rows += [
            row(f"simulation, {label} (mean of 2)", mean[side], "s", target=f"< {limit:,.1f} s (60 s at 1.3 M events)",
                met=mean[side] < limit),
            row("  CPU time, all its processes (mean)", cpu[side] / 2, "s"),
            row(f"  against a rebuild ({label})", mean[side], "s", baseline=rebuilt, base_unit="s (rebuild)",
                target="< 0.5 of a rebuild", met=mean[side] < 0.5 * rebuilt),
        ]
    rows += [row("events/s, two processes", events / mean["2"], "ev/s"),
             row("peak RSS (largest simulate process)", rss, "MB")]
    report(f"policy sandbox ({orgs:,} organisations, {events:,} events; `award-ledger simulate` in its own"
           f" process(es), 2 simulations each way and 2 rebuilds of the same store taken in turn; load average"
           f" {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores)", rows)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
