"""Projection rebuild on PostgreSQL: every read model replayed from the log, against a raw SELECT-and-decode
of the same events (the recorder's pages turned into domain events, nothing written).
Targets: at least 20,000 events/s and at least 0.25 of raw."""
from __future__ import annotations

import sys

from bench.common import fresh_database, load_world, now, orgs_at, peak_rss_mb, rebuild_read_models, report, row

PAGE = 500


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    with fresh_database("rebuild") as url:
        ledger, events = load_world(url, orgs)
        took = rebuild_read_models(url)
        raw_took = select_and_decode(ledger)
        ledger.close()
    ours, base = events / took, events / raw_took
    report(f"projection rebuild ({orgs:,} organisations, {events:,} events)", [
        row("events/s", ours, "ev/s", target="≥ 20,000 ev/s", met=ours >= 20_000),
        row("against raw", ours, "ev/s", baseline=base, base_unit="ev/s (SELECT + decode)", target="≥ 0.25 of raw",
            met=ours / base >= 0.25),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


def select_and_decode(ledger) -> float:
    started, after = now(), 0
    while page := ledger.recorder.select_notifications(start=after + 1, limit=PAGE):
        for n in page:
            ledger.mapper.to_domain_event(n)
        after = page[-1].id
    return now() - started


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
