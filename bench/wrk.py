"""HTTP load from wrk (a C event loop; `make bench-deps` installs it), not from Python on the same cores:
requests from a file through bench/requests.lua, one JSON line of figures back. Also the client's own ceiling
(wrk against bench/trivial_app.py) and the rule that a comparison whose baseline reaches 80% of that ceiling
measures the client, not the servers."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT, Server, free_port

HERE = Path(__file__).resolve().parent
CLIENT_BOUND = 0.8  # a baseline at or above this share of the client's ceiling is reported as client-bound


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: run `make bench-deps` (Debian's wrk), then `make bench` again")
    return found


def write_requests(path: Path, requests: list[tuple[str, str, str]]) -> Path:
    """One request a line (method, path, JSON body or ''), what requests.lua reads."""
    path.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in requests))
    return path


def run(base: str, requests: Path, *, seconds: float, connections: int, threads: int = 2,
        headers: dict[str, str] | None = None) -> dict:
    """wrk for `seconds` against `base`: requests, seconds, p50_ms, p99_ms, errors, statuses."""
    threads = min(threads, connections)
    cmd = [wrk_path(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "30s",
           "-s", str(HERE / "requests.lua")]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    done = subprocess.run([*cmd, base], capture_output=True, text=True, timeout=seconds + 60,
                          env={**os.environ, "REQUESTS_FILE": str(requests), "WRK_THREADS": str(threads)})
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures (exit {done.returncode}): {done.stdout}\n{done.stderr}")
    figures = json.loads(line[len("WRK-JSON "):])
    figures["statuses"] = {int(k): v for k, v in figures["statuses"].items()}
    return figures


def trivial_server(tmp: Path) -> Server:
    port = free_port()
    return Server([sys.executable, "-m", "bench.trivial_app", str(port)], port, {}, tmp / "trivial.log")


def ceiling(tmp: Path, *, connections: int, threads: int = 2, seconds: float = 3.0) -> float:
    """Requests/s wrk reaches against a server that does nothing, with the benchmark's own settings."""
    with trivial_server(tmp) as trivial:
        requests = write_requests(tmp / "trivial.txt", [("GET", "/", "")])
        got = run(trivial.base, requests, seconds=seconds, connections=connections, threads=threads)
    return got["requests"] / got["seconds"]


def combine(runs: list[dict]) -> dict:
    """Rounds of one side: throughput over their summed time; latency percentiles weighted by requests."""
    total = sum(r["requests"] for r in runs)
    statuses: dict[int, int] = {}
    for r in runs:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {"rate": total / sum(r["seconds"] for r in runs), "requests": total, "statuses": statuses,
            "errors": sum(r["errors"] for r in runs),
            "p50_ms": sum(r["p50_ms"] * r["requests"] for r in runs) / max(total, 1),
            "p99_ms": sum(r["p99_ms"] * r["requests"] for r in runs) / max(total, 1)}


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


__all__ = ["CLIENT_BOUND", "ROOT", "ceiling", "combine", "load_average", "run", "write_requests"]
