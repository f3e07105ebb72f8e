"""As-of queries (an organisation's awards as the ledger knew them at a time) through the read models'
query side, at a tenth of the run's events and at all of them: the latency must stay flat (within 20%)."""
from __future__ import annotations

import random
import sys
from datetime import UTC, datetime

from bench.common import (
    fresh_database,
    load_world,
    make_uscc,
    now,
    orgs_at,
    peak_rss_mb,
    percentile,
    rebuild_read_models,
    report,
    row,
)

SAMPLES = 1000


def latencies(url: str, orgs: int) -> list[float]:
    from projections.readmodels import ReadModels

    rng, at = random.Random(3), datetime.now(UTC)
    read_models = ReadModels.open(url)
    try:
        picks = [make_uscc(rng.randrange(2, orgs + 1)) for _ in range(SAMPLES)]
        for uscc in picks[:100]:
            read_models.award_state(uscc, at)
        out = []
        for uscc in picks:
            t = now()
            assert read_models.award_state(uscc, at) is not None
            out.append(now() - t)
        return out
    finally:
        read_models.close()


def main(fraction: float) -> None:
    full = orgs_at(fraction)
    small = max(100, full // 10)
    with fresh_database("asof") as url:
        ledger, small_events = load_world(url, small)
        rebuild_read_models(url)
        before = latencies(url, small)
        _, events = load_world(url, full - small + 1, first=small + 1, ledger=ledger)  # serials small+1..full
        ledger.close()
        rebuild_read_models(url)
        after = latencies(url, full)
    b50, b99, a50, a99 = (percentile(x, p) * 1000 for x, p in ((before, 50), (before, 99), (after, 50), (after, 99)))
    report(f"as-of queries at {small_events:,} and {events:,} events ({small:,} and {full:,} organisations)", [
        row(f"p50 at {events:,} events", a50, "ms", baseline=b50, base_unit=f"ms at {small_events:,}",
            target="within 20%", met=a50 <= 1.2 * b50),
        row(f"p99 at {events:,} events", a99, "ms", baseline=b99, base_unit=f"ms at {small_events:,}",
            target="within 20%", met=a99 <= 1.2 * b99),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
