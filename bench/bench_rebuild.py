"""Projection rebuild on PostgreSQL: every read model replayed from the log, against a raw SELECT-and-decode
of the same events (the recorder's pages, nothing written). Targets: at least 20,000 events/s and at least
0.25 of raw.

Raw is measured two ways. The target is judged against the stricter one, SELECT + json.loads of each
stored state: the fastest decode there is, and the physical floor now that the projection reads the JSON
itself (projections/decoding.py). SELECT + the mapper's domain events, the baseline before that, is shown
beside it for comparison."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from bench.common import fresh_database, load_world, now, orgs_at, peak_rss_mb, rebuild_read_models, report, row

PAGE = 500


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    with fresh_database("rebuild") as url:
        ledger, events = load_world(url, orgs)
        decodes = {"json": lambda n: json.loads(n.state), "mapper": ledger.mapper.to_domain_event}
        before = {name: select_and_decode(ledger, decode) for name, decode in decodes.items()}
        took = rebuild_read_models(url)
        # Raw is the faster of a run before the rebuild and one after it: the server is still busy with what
        # the rebuild wrote (autovacuum, checkpoints) for a while, which would flatter the ratio.
        json_took, mapper_took = (min(before[name], select_and_decode(ledger, decode))
                                  for name, decode in decodes.items())
        ledger.close()
    ours, raw, mapped = events / took, events / json_took, events / mapper_took
    report(f"projection rebuild ({orgs:,} organisations, {events:,} events)", [
        row("events/s", ours, "ev/s", target="≥ 20,000 ev/s", met=ours >= 20_000),
        row("against raw (judged)", ours, "ev/s", baseline=raw, base_unit="ev/s (SELECT + json.loads)",
            target="≥ 0.25 of raw", met=ours / raw >= 0.25),
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


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
