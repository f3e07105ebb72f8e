"""CPU seconds spent by a server (its process tree) and by the PostgreSQL backends of a database, read from
/proc around a load round. On a machine whose cores are all busy, throughput follows CPU per request, so
these say where a request's cost lies (bench/RESULTS.md, issue 17) better than a profile's share does."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pid: int) -> float:
    """User + system CPU seconds of one process so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def tree(pid: int) -> list[int]:
    """The process and all its descendants (uvicorn's workers, the multiprocessing helpers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children") if Path(f"/proc/{current}").exists() else []:
            todo.extend(int(child) for child in task.read_text().split())
    return found


class Meter:
    """CPU seconds of the given processes' trees and of the database's backends, between two readings."""

    def __init__(self, url: str, pids: list[int]) -> None:
        self.pids = pids
        self.conn = psycopg.connect(url, autocommit=True)
        self.database = self.conn.info.dbname

    def reading(self) -> tuple[float, float]:
        server = sum(process_seconds(p) for root in self.pids for p in tree(root))
        backends = [pid for (pid,) in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.database,))]
        return server, sum(process_seconds(p) for p in backends)

    def metered(self, totals: list[float], run: Callable[..., dict], *args: Any, **kwargs: Any) -> dict:
        """`run(*args, **kwargs)`'s figures (a wrk round), adding the CPU seconds it cost to `totals` ([server,
        PostgreSQL])."""
        before = self.reading()
        figures = run(*args, **kwargs)
        after = self.reading()
        for i, (a, b) in enumerate(zip(before, after, strict=True)):
            totals[i] += b - a
        return figures

    def close(self) -> None:
        self.conn.close()
