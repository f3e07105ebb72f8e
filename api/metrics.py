"""Prometheus metrics, in the text exposition format, written by hand: three families are not worth a dependency.

Labels are bounded on purpose: route *templates* (`/v1/claims/{claim_id}`), status codes and stable refusal
codes, never a USCC, a claim id or a principal's name, so /metrics can stay unauthenticated. Each worker
process counts its own requests (a scrape sees one worker); the store's gauges are the same from any worker.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

# Seconds; from a cached GET to a claim waiting for its read models (LEDGER_WAIT_TIMEOUT, 2 s by default).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Metrics:
    """Request latency by route and status, and commands by outcome; thread-safe, in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0] * len(BUCKETS))
        self._sums: dict[tuple[str, str, str], float] = defaultdict(float)
        self._counts: dict[tuple[str, str, str], int] = defaultdict(int)
        self._commands: dict[tuple[str, str], int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float, *, code: str | None = None,
                replayed: bool = False) -> None:
        key = (method, route, str(status))
        with self._lock:
            counts = self._buckets[key]
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    counts[i] += 1
            self._sums[key] += seconds
            self._counts[key] += 1
            if method in WRITES:
                self._commands[(_outcome(status, replayed), code or "")] += 1

    def exposition(self, gauges: dict[str, tuple[str, float | None]]) -> str:
        """The text format: request histogram, command counter, then `gauges` (name → (help, value or None))."""
        lines = ["# HELP ledger_http_request_duration_seconds Time to answer an HTTP request, by route template.",
                 "# TYPE ledger_http_request_duration_seconds histogram"]
        with self._lock:
            for key in sorted(self._counts):
                labels = _labels(method=key[0], route=key[1], status=key[2])
                for bound, count in zip(BUCKETS, self._buckets[key], strict=True):
                    lines.append(f"ledger_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}")
                lines.append(f"ledger_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {self._counts[key]}")
                lines.append(f"ledger_http_request_duration_seconds_sum{{{labels}}} {self._sums[key]:.6f}")
                lines.append(f"ledger_http_request_duration_seconds_count{{{labels}}} {self._counts[key]}")
            lines += ["# HELP ledger_commands_total Commands (POST requests) by outcome and refusal code.",
                      "# TYPE ledger_commands_total counter"]
            for (outcome, code), n in sorted(self._commands.items()):
                lines.append(f"ledger_commands_total{{{_labels(outcome=outcome, code=code)}}} {n}")
        for name, (help_text, value) in gauges.items():
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            if value is not None:  # an unreachable store: the gauge is absent rather than a false number
                lines.append(f"{name} {value:g}")
        return "\n".join(lines) + "\n"


def _outcome(status: int, replayed: bool) -> str:
    if replayed:
        return "replayed"
    if status < 400:
        return "accepted"
    return "refused" if status < 500 else "failed"


def _labels(**values: str) -> str:
    return ",".join(f'{k}="{_escape(v)}"' for k, v in values.items())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def parse(text: str) -> Iterable[tuple[str, dict[str, str], float]]:
    """(name, labels, value) for each sample of an exposition; what the tests and a quick look need."""
    import re

    sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
    label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        found = sample.match(line)
        if found is None:
            raise ValueError(f"not a sample line: {line!r}")
        yield found[1], dict(label.findall(found[2] or "")), float(found[3])
