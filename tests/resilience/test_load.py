"""Sixteen clients of mixed commands and queries against a real `award-ledger serve` on PostgreSQL."""
from __future__ import annotations

import pytest

from tests.resilience.harness import SECONDS, Load, invariants

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.timeout(SECONDS * 4 + 180)]


def test_mixed_load_answers_no_server_error_and_loses_nothing(service, principals):
    """Under load: no 5xx, every acknowledged command's events are stored, and the books hold together."""
    svc = service()
    ack = Load(svc.base, principals[1]).run()
    assert not ack.server_errors() and ack.statuses.get(503, 0) == 0, (ack.statuses, svc.logs())
    assert len(ack.claims) > 20, ack.statuses  # the load really ran
    assert invariants(svc.url, ack) == [], svc.logs()
