"""History rows store their payload; the summary is made again on reading, and older rows that stored it
read as they were written."""
from __future__ import annotations

import json

from projections.events import EventRow
from projections.history import history_row
from projections.sql import history_from, history_values

EVENT = EventRow(7, "c-1", 3, "Claim.PayoutReversed", "2023-05-01T00:00:00.000000+00:00",
                 {"payout_id": "p-1", "reason": "returned by the bank", "by": "finance-1", "accounts": ["cap:x"]})


def test_a_history_row_reads_back_as_the_fold_made_it():
    row = history_row(EVENT, "91330108MA0000001X")
    values = history_values(row)
    assert "summary" not in json.loads(values[-1])
    assert history_from(values) == row
    assert row["summary"] == {"payout_id": "p-1", "reason": "returned by the bank"}


def test_a_row_stored_with_its_summary_reads_that_summary():
    row = history_row(EVENT, "91330108MA0000001X")
    stored = {"summary": {"reason": "as stored"}, "payload": row["payload"]}
    values = (*history_values(row)[:-1], json.dumps(stored))
    assert history_from(values)["summary"] == {"reason": "as stored"}
