"""As-of queries (an organisation's awards as the ledger knew them at a time) through the read models'
query side, on a store with a tenth of the run's events and on one with all of them, measured in turn: the
latency must stay flat (within 20%)."""
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


def picks(orgs: int) -> list[str]:
    rng = random.Random(3)
    return [make_uscc(rng.randrange(2, orgs + 1)) for _ in range(SAMPLES)]


def interleaved(small: tuple[str, int], full: tuple[str, int]) -> tuple[list[float], list[float]]:
    """Latencies of as-of queries on the two stores, one on each in turn.

    The machine is shared, so a burst of someone else's load would land on whichever store happened to be
    measured at the time; taking the samples in turn lets a burst hit both alike, and the ratio compares
    the stores, not the minutes. Each store is warmed with its own first 100 picks."""
    from projections.readmodels import ReadModels

    at = datetime.now(UTC)
    stores = [(ReadModels.open(url), picks(orgs)) for url, orgs in (small, full)]
    try:
        for read_models, chosen in stores:
            for uscc in chosen[:100]:
                read_models.award_state(uscc, at)
        out: tuple[list[float], list[float]] = ([], [])
        for i in range(SAMPLES):
            for (read_models, chosen), times in zip(stores, out, strict=True):
                t = now()
                assert read_models.award_state(chosen[i], at) is not None
                times.append(now() - t)
        return out
    finally:
        for read_models, _ in stores:
            read_models.close()


def main(fraction: float) -> None:
    full = orgs_at(fraction)
    small = max(100, full // 10)
    with fresh_database("asof_small") as small_url, fresh_database("asof") as url:
        ledger, small_events = load_world(small_url, small)
        ledger.close()
        rebuild_read_models(small_url)
        ledger, events = load_world(url, full)
        ledger.close()
        rebuild_read_models(url)
        before, after = interleaved((small_url, small), (url, full))
    b50, b99, a50, a99 = (percentile(x, p) * 1000 for x, p in ((before, 50), (before, 99), (after, 50), (after, 99)))
    report(f"as-of queries at {small_events:,} and {events:,} events ({small:,} and {full:,} organisations,"
           f" {SAMPLES:,} queries each, taken in turn)", [
        row(f"p50 at {events:,} events", a50, "ms", baseline=b50, base_unit=f"ms at {small_events:,}",
            target="within 20%", met=a50 <= 1.2 * b50),
        row(f"p99 at {events:,} events", a99, "ms", baseline=b99, base_unit=f"ms at {small_events:,}",
            target="within 20%", met=a99 <= 1.2 * b99),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
