"""A year's reconciliation as of a past moment, `GET /v1/finance/reconciliation?as_of=` without its HTTP:
folded from the read models' as-of index (the year's claims and recoveries, the log beyond the read models,
the fund year) against the whole log folded up to the moment, the way it was answered before and the way
`award-ledger close` still folds it. Taken in turn, the same figures asserted each time.

In this world each organisation has one claim in each of 2023 and 2024 (2 of its 13 events are 2023's claim),
and the fund years hold the template organisation's charges only: a district's fund year holds one charge per
approval, read from its aggregate, which this world understates."""
from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime

from bench.common import fresh_database, load_world, now, orgs_at, peak_rss_mb, rebuild_read_models, report, row

ROUNDS = 4
YEAR = 2023


def figures(found: dict) -> dict:
    return {k: v for k, v in found.items() if k not in ("events_replayed", "position")}


def traced_peak_mb(answer: Callable[[], object]) -> float:
    """The most memory Python held at once while `answer` ran, above what it held before (traced apart from
    the timed runs: tracing slows every allocation)."""
    gc.collect()
    tracemalloc.start()
    try:
        answer()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main(fraction: float) -> None:
    from projections.ledger_as_of import reconciliation_as_of
    from projections.readmodels import ReadModels

    orgs = orgs_at(fraction)
    with fresh_database("recon_asof") as url:
        ledger, events = load_world(url, orgs)
        rebuild_read_models(url)
        read_models = ReadModels.open(url)
        at = datetime.now(UTC)
        seconds: dict[str, list[float]] = {"indexed": [], "whole": []}
        folded: dict[str, int] = {}
        answer = None
        try:
            for i in range(ROUNDS):  # ABBA: a burst of the machine's other load lands on both alike
                for way in (("indexed", "whole") if i % 2 == 0 else ("whole", "indexed")):
                    started = now()
                    found = reconciliation_as_of(ledger, YEAR, at,
                                                 read_models=read_models if way == "indexed" else None)
                    seconds[way].append(now() - started)
                    folded[way] = found["events_replayed"]
                    assert answer is None or figures(found) == answer, "the two ways disagree"
                    answer = figures(found)
            traced = {way: traced_peak_mb(lambda way=way: reconciliation_as_of(
                ledger, YEAR, at, read_models=read_models if way == "indexed" else None)) for way in seconds}
        finally:
            read_models.close()
            ledger.close()
    indexed_s, whole_s = seconds["indexed"], seconds["whole"]
    indexed, whole = sum(indexed_s) / ROUNDS, sum(whole_s) / ROUNDS
    report(f"reconciliation of {YEAR} as of a moment ({orgs:,} organisations, {events:,} events; {ROUNDS} of each,"
           " taken in turn, the same figures each time)", [
        row(f"from the as-of index ({folded['indexed']:,} events folded)", indexed * 1000, "ms",
            baseline=whole * 1000, base_unit=f"ms folding the whole log ({folded['whole']:,} events)"),
        row("fastest from the index", min(indexed_s) * 1000, "ms", baseline=min(whole_s) * 1000,
            base_unit="ms, fastest whole-log fold"),
        row("memory one answer allocates at its peak (tracemalloc, a separate run)", traced["indexed"], "MB",
            baseline=traced["whole"], base_unit="MB folding the whole log"),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
