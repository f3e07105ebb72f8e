"""Prometheus gauges of the open proposals (免申即享), per programme and lead bureau: how many, what they come
to, how old the oldest is. Computed from the read model at each scrape (GET /v1/proposals/summary's own
query), so every worker answers the same figures without sharing a counter through the multiprocess folder.

Money is exported in fen, a whole number a float holds exactly up to 9e15 fen, rather than in yuan (a float
of yuan cannot hold every fen). Labels are the catalogue's programme codes and bureaus: bounded."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from prometheus_client.core import GaugeMetricFamily

LABELS = ("programme", "bureau")


class ProposalGauges:
    """A collector over one summary; `None` (the store did not answer) leaves the families empty."""

    def __init__(self, summary: dict | None, now: datetime | None = None) -> None:
        self.summary = summary
        self.now = now or datetime.now(UTC)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        count = GaugeMetricFamily("ledger_open_proposals", "Open proposed claims (免申即享), by programme and"
                                  " lead bureau.", labels=LABELS)
        total = GaugeMetricFamily("ledger_open_proposals_fen", "What the open proposals come to, in fen, by"
                                  " programme and lead bureau.", labels=LABELS)
        oldest = GaugeMetricFamily("ledger_open_proposals_oldest_age_seconds", "Age of the oldest open proposal,"
                                   " by programme and lead bureau.", labels=LABELS)
        for group in (self.summary or {}).get("by_programme", []):
            labels = [group["programme"], group["bureau"]]
            count.add_metric(labels, group["count"])
            total.add_metric(labels, int(Decimal(group["total"]) * 100))
            proposed = datetime.fromisoformat(group["oldest_proposed_at"])
            oldest.add_metric(labels, max(0, int((self.now - proposed).total_seconds())))
        yield from (count, total, oldest)
