"""Prometheus metrics through `prometheus-client`: request latency by route, commands by outcome and refusal
code, the store's gauges, and the library's process and GC collectors.

With several uvicorn workers, `serve` points PROMETHEUS_MULTIPROC_DIR at a folder of its own before any worker
starts: each worker writes its counts there and a scrape of any worker adds up all of them (the library's
multiprocess mode). Without it (one process, the tests' in-process app) each app counts in its own registry.

Labels are bounded on purpose: route *templates* (`/v1/claims/{claim_id}`), status codes and stable refusal
codes, never a USCC, a claim id or a principal's name, so /metrics can stay unauthenticated.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable

import prometheus_client
from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    ProcessCollector,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# Seconds; from a cached GET to a claim waiting for its read models (LEDGER_WAIT_TIMEOUT, 2 s by default).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Commands are POSTs (no route takes PUT, PATCH or DELETE: one answered 405 was counted a refused command, a
# newcomer probe); signing in or out of the dashboard is not a command of the ledger.
WRITES = frozenset({"POST"})
NOT_COMMANDS = ("/ui/sign-in", "/ui/sign-out")
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

# `_created` timestamps double the exposition and no dashboard of ours reads them.
prometheus_client.disable_created_metrics()


class Metrics:
    """Request latency by route and status, and commands by outcome; thread-safe, shared across workers."""

    def __init__(self) -> None:
        # The library picks its mode when first imported; a process that imported it before the folder was
        # set (a test calling `serve` in-process) counts in its own registry.
        multiprocess = values.ValueClass is not values.MutexValue
        self.shared = os.environ.get(MULTIPROC_DIR) if multiprocess else None
        # In multiprocess mode the values live in the folder's files; the registry is built at each scrape.
        self.registry = None if self.shared else CollectorRegistry(auto_describe=True)
        self.latency = Histogram("ledger_http_request_duration_seconds", "Time to answer an HTTP request, by route"
                                 " template.", ("method", "route", "status"), buckets=BUCKETS, registry=self.registry)
        self.commands = Counter("ledger_commands", "Commands (POST requests) by outcome and refusal code.",
                                ("outcome", "code"), registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float, *, code: str | None = None,
                replayed: bool = False) -> None:
        self.latency.labels(method, route, str(status)).observe(seconds)
        if method in WRITES and route not in NOT_COMMANDS:
            self.commands.labels(_outcome(status, replayed), code or "").inc()

    def exposition(self, gauges: dict[str, tuple[str, float | None]], collectors: Iterable[object] = ()) -> str:
        """The text format: requests and commands (every worker's), process and GC, then `gauges` and any
        scrape-time `collectors` (objects with `collect()`, such as api.proposal_gauges)."""
        registry = CollectorRegistry(auto_describe=True)
        if self.shared:
            MultiProcessCollector(registry, path=self.shared)
        ProcessCollector(registry=registry)  # this worker's CPU, memory and open files
        GCCollector(registry=registry)
        registry.register(_Gauges(gauges))
        for collector in collectors:
            registry.register(collector)  # type: ignore[arg-type]
        text = generate_latest(registry).decode()
        return text if self.registry is None else generate_latest(self.registry).decode() + text


class _Gauges:
    """The store's gauges, read by the route at each scrape; an unreachable store leaves a gauge absent."""

    def __init__(self, gauges: dict[str, tuple[str, float | None]]) -> None:
        self.gauges = gauges

    def collect(self) -> Iterable[GaugeMetricFamily]:
        for name, (help_text, value) in self.gauges.items():
            family = GaugeMetricFamily(name, help_text)
            if value is not None:  # absent rather than a false number
                family.add_metric([], value)
            yield family


def _outcome(status: int, replayed: bool) -> str:
    if replayed:
        return "replayed"
    if status < 400:
        return "accepted"
    return "refused" if status < 500 else "failed"


def parse(text: str) -> Iterable[tuple[str, dict[str, str], float]]:
    """(name, labels, value) for each sample of an exposition; what the tests and a quick look need."""
    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
    label = re.compile(r'(?<![a-zA-Z0-9_])([a-zA-Z_][a-zA-Z0-9_]*+)="((?:[^"\\]|\\.)*+)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        found = sample.match(line)
        if found is None:
            raise ValueError(f"not a sample line: {line!r}")
        yield found[1], dict(label.findall(found[2] or "")), float(found[3])
