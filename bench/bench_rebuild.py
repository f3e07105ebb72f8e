"""Projection rebuild on PostgreSQL: every read model replayed from the log, against a raw SELECT-and-decode
of the same events (the recorder's pages, nothing written). Targets: at least 20,000 events/s and at least
0.25 of raw.

Raw is measured two ways. The target is judged against the stricter one, SELECT + json.loads of each
stored state: the fastest decode there is, and the physical floor now that the projection reads the JSON
itself (projections/decoding.py). SELECT + the mapper's domain events, the baseline before that, is shown
beside it for comparison. Rebuilds and raw reads are taken in turn, in ABBA order, and their times summed:
a burst of someone else's load on the shared machine, and the work a rebuild leaves the server (WAL
flushes, autovacuum), land on both alike. Each rebuild starts from emptied read models, as the first does."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import psycopg

from bench.common import fresh_database, load_world, now, orgs_at, peak_rss_mb, rebuild_read_models, report, row

PAGE = 500
ROUNDS = 4


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    with fresh_database("rebuild") as url:
        ledger, events = load_world(url, orgs)
        decodes = {"json": lambda n: json.loads(n.state), "mapper": ledger.mapper.to_domain_event}
        took, raw = 0.0, dict.fromkeys(decodes, 0.0)
        for i in range(ROUNDS):
            ours_first = i % 2 == 1
            if not ours_first:
                for name, decode in decodes.items():
                    raw[name] += select_and_decode(ledger, decode)
            if i:
                empty_read_models(url)
            took += rebuild_read_models(url)
            if ours_first:
                for name, decode in decodes.items():
                    raw[name] += select_and_decode(ledger, decode)
        ledger.close()
    ours, base, mapped = (ROUNDS * events / t for t in (took, raw["json"], raw["mapper"]))
    report(f"projection rebuild ({orgs:,} organisations, {events:,} events; {ROUNDS} rebuilds taken in turn with"
           " the raw reads)", [
        row("events/s", ours, "ev/s", target="≥ 20,000 ev/s", met=ours >= 20_000),
        row("against raw (judged)", ours, "ev/s", baseline=base, base_unit="ev/s (SELECT + json.loads)",
            target="≥ 0.25 of raw", met=ours / base >= 0.25),
        row("against SELECT + domain events", ours, "ev/s", baseline=mapped,
            base_unit="ev/s (SELECT + mapper decode)"),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


def select_and_decode(ledger, decode: Callable[[Any], Any]) -> float:
    started, after = now(), 0
    while page := ledger.recorder.select_notifications(start=after + 1, limit=PAGE):
        for n in page:
            decode(n)
        after = page[-1].id
    return now() - started


def empty_read_models(url: str) -> None:
    """The read models as a fresh store has them (not timed): empty, nothing tracked, no rebuild begun."""
    from projections.events import APPLICATION
    from projections.schema import CLEARED

    with psycopg.connect(url) as conn:
        conn.execute(f"TRUNCATE {', '.join(CLEARED)}")
        conn.execute("UPDATE rm_tracking SET notification_id = 0 WHERE application_name = %s", (APPLICATION,))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
