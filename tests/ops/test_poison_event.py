"""An event the projector cannot apply is never a silent stop: /readyz answers 503 naming its position and
error, /metrics counts it, and once the cause is gone the service is ready again by itself."""
from __future__ import annotations

from api.metrics import parse
from projections.view import FAILING
from tests.support import readyz_failing
from tests.support import record_poison_event as _poison


def _gauge(text: str, name: str) -> float:
    return next(value for sample, _, value in parse(text) if sample == name)


def test_a_poison_event_makes_readyz_name_it_and_metrics_count_it(api) -> None:
    """/readyz 503 with the failing event's position and error; the failure gauges say so too."""
    assert api.client.get("/readyz").status_code == 200
    position = _poison(api.client.app.state.ledger)
    answer = readyz_failing(api)
    problem = answer.json()
    assert answer.status_code == 503 and problem["code"] == "not_ready", problem
    assert problem["failing_position"] == position and str(position) in problem["detail"]
    assert "not-money" in problem["failing_error"] or "Invalid" in problem["failing_error"]
    metrics = api.client.get("/metrics").text
    assert _gauge(metrics, "ledger_projection_failing") == 1.0
    assert _gauge(metrics, "ledger_projection_failures") >= 1.0


def test_readiness_returns_once_the_failure_is_cleared(api) -> None:
    """The record of a failure is what /readyz reads: without it (the projector applied an event) it is ready."""
    view = api.client.app.state.read_models.view
    view.record_failure(7, "ValueError: example")
    assert api.client.get("/readyz").json()["failing_position"] == 7
    view.clear_meta(FAILING)
    assert api.client.get("/readyz").status_code == 200
