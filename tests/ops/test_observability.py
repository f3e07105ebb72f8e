"""Request ids, one structured log line per request naming the principal, and /metrics in Prometheus format."""
from __future__ import annotations

import json
import logging
import os
import sys
import time

import pytest

from api.logs import JsonFormatter
from api.metrics import parse
from tests.support import unique_uscc


def _request_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    """The request log's records as the JSON formatter writes them."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "award_ledger.requests"]


def test_a_given_request_id_is_echoed_and_a_missing_or_unsafe_one_is_replaced(api) -> None:
    """X-Request-ID comes back as sent; without one, or with one that could break a log line, a new one is made."""
    assert api.call("GET", "/healthz", headers={"X-Request-ID": "req-7f3a"}).headers["X-Request-ID"] == "req-7f3a"
    made = api.call("GET", "/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    unsafe = api.call("GET", "/healthz", headers={"X-Request-ID": 'x" injected=1'}).headers["X-Request-ID"]
    assert unsafe != 'x" injected=1' and len(unsafe) == 32


def test_each_request_logs_one_json_line_with_its_id_principal_route_and_error_code(api, caplog) -> None:
    """A refused call logs request id, principal name, route template, status, duration and the problem's code."""
    caplog.set_level(logging.INFO, logger="award_ledger.requests")
    missing = unique_uscc()
    api.call("GET", f"/v1/organisations/{missing}", as_="auditor", headers={"X-Request-ID": "trace-1"})
    api.call("GET", "/v1/programmes", as_=None)
    found, anonymous = _request_lines(caplog)[-2:]
    assert found["request_id"] == "trace-1" and found["principal"] == "auditor-test"
    assert found["route"] == "/v1/organisations/{uscc}" and found["status"] == 404 and found["code"] == "not_found"
    assert found["method"] == "GET" and found["duration_ms"] >= 0 and found["level"] == "info"
    assert "principal" not in anonymous and anonymous["status"] == 401 and anonymous["code"] == "unauthenticated"


def test_metrics_expose_latency_by_route_commands_by_outcome_and_the_store_gauges(api) -> None:
    """/metrics parses as Prometheus text: latency by route template, commands by outcome, events and lag."""
    code = unique_uscc()
    body = {"uscc": code, "name": "杭州度量科技有限公司", "in_district": True}
    api.ok("POST", "/v1/organisations", body, key="k-metrics")
    api.ok("POST", "/v1/organisations", body, key="k-metrics")  # replayed
    api.refused("POST", "/v1/organisations", {**body, "uscc": "not-a-uscc"}, "admin", 422, "invalid_uscc")
    api.ok("GET", f"/v1/organisations/{code}", as_="auditor")
    # Not commands (a newcomer probe saw a DELETE answered 405 counted as a refused one): no route takes DELETE.
    assert api.call("DELETE", "/v1/programmes", as_="auditor").status_code == 405
    response = api.call("GET", "/metrics", as_=None)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = list(parse(response.text))
    value = {(name, tuple(sorted(labels.items()))): v for name, labels, v in samples}

    def one(name: str, **labels: str) -> float:
        return value[(name, tuple(sorted(labels.items())))]

    assert one("ledger_http_request_duration_seconds_count", method="GET", route="/v1/organisations/{uscc}",
               status="200") == 1
    assert one("ledger_http_request_duration_seconds_bucket", method="GET", route="/v1/organisations/{uscc}",
               status="200", le="+Inf") == 1
    assert one("ledger_commands_total", outcome="accepted", code="") == 1
    assert one("ledger_commands_total", outcome="replayed", code="") == 1
    assert one("ledger_commands_total", outcome="refused", code="invalid_uscc") == 1
    assert ("ledger_commands_total", (("code", "method_not_allowed"), ("outcome", "refused"))) not in value
    assert one("ledger_events_recorded") == api.events() and one("ledger_store_up") == 1
    assert one("ledger_projection_lag_events") == 0
    assert code not in response.text and "admin-test" not in response.text  # nothing personal to scrape


def test_json_formatter_keeps_non_ascii_messages_and_exceptions() -> None:
    """A record with Chinese text and an exception becomes one JSON line holding both."""
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "杭州 %s", ("滨江",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "杭州 滨江" and "坏了" in entry["exception"] and entry["level"] == "error"



def test_logs_written_while_a_request_is_handled_carry_its_request_id(api, auth_file, caplog) -> None:
    """The principals file reloading during a request logs a record that names that request's id."""
    from api import rotation
    from api.logs import RequestContext

    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestContext())
    auth_file.write_text(auth_file.read_text() + "\n")
    later = time.time_ns() + 2_000_000_000
    os.utime(auth_file, ns=(later, later))
    time.sleep(rotation.CHECK_SECONDS + 0.1)
    api.call("GET", "/healthz", headers={"X-Request-ID": "ctx-9"})
    (reloaded,) = [r for r in caplog.records if "changed" in r.getMessage()]
    assert reloaded.request_id == "ctx-9"
    assert json.loads(JsonFormatter().format(reloaded))["request_id"] == "ctx-9"


def test_an_unexpected_error_answers_500_problem_with_the_request_id_and_logs_it(settings, caplog) -> None:
    """A route that fails unexpectedly gives problem+json internal_error carrying X-Request-ID, logged with it."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    caplog.set_level(logging.INFO, logger="award_ledger.requests")
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "bug-1"})
    assert response.status_code == 500 and response.headers["X-Request-ID"] == "bug-1"
    assert response.json()["code"] == "internal_error"
    (line,) = [entry for entry in _request_lines(caplog) if entry.get("request_id") == "bug-1"]
    assert line["status"] == 500 and line["code"] == "internal_error" and line["route"] == "/boom"


def test_dashboard_requests_log_the_principal_of_the_session_cookie(api, tokens, caplog) -> None:
    """A dashboard page requested with a session cookie is logged with the name of the principal it signs in."""
    import re

    caplog.set_level(logging.INFO, logger="award_ledger.requests")
    try:
        form = api.client.get("/ui/sign-in").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        api.client.post("/ui/sign-in", data={"csrf": csrf, "token": tokens["finance"]}, follow_redirects=False)
        api.client.get("/ui/", headers={"X-Request-ID": "ui-1"})
        # A page's refusal is logged with its code, as the API's are (an ops probe: no code, the page being HTML);
        # HEAD is logged as asked, under the route its GET took.
        api.client.get("/ui/claims/nope", headers={"X-Request-ID": "ui-2"})
        api.client.get("/ui/nope", headers={"X-Request-ID": "ui-3"})
        api.client.head("/ui/", headers={"X-Request-ID": "ui-4"})
        api.client.head("/ui/claims/nope", headers={"X-Request-ID": "ui-5"})
    finally:
        api.client.cookies.clear()
    lines = {entry.get("request_id"): entry for entry in _request_lines(caplog)}
    assert lines["ui-1"]["principal"] == "finance-test" and lines["ui-1"].get("code") is None
    assert (lines["ui-2"]["status"], lines["ui-2"]["code"]) == (404, "not_found"), lines["ui-2"]
    assert (lines["ui-3"]["status"], lines["ui-3"]["code"]) == (404, "not_found"), lines["ui-3"]
    assert (lines["ui-4"]["method"], lines["ui-4"]["route"], lines["ui-4"]["status"]) == ("HEAD", "/ui/", 200)
    assert (lines["ui-5"]["method"], lines["ui-5"]["status"], lines["ui-5"]["code"]) == ("HEAD", 404, "not_found")


def test_a_line_break_in_a_url_path_cannot_forge_a_log_line(api, caplog) -> None:
    """`%0a` in a path is logged escaped: the text format's line stays one line."""
    caplog.set_level(logging.INFO, logger="award_ledger.requests")
    api.client.get("/v1/x%0a2026-01-01 INFO forged")
    (record,) = [r for r in caplog.records if r.name == "award_ledger.requests" and "forged" in r.getMessage()]
    assert "\n" not in logging.Formatter("%(message)s").format(record) and "\\n" in record.getMessage()


def test_metrics_gauge_the_open_proposals_per_programme_and_bureau(api, world) -> None:
    """Two A3.erc proposals show as 2 open, 400,000 yuan in fen, under kjj; confirming one leaves 1 and 200,000."""
    ids = []
    for _ in range(2):
        code = world.org(member=False)
        body = world.body(lead=code, kind="erc", recognised_on="2022-09-06")
        cert = {"uscc": code, "programme": "A3.erc", "tier": "municipal", "effective_on": "2023-03-01",
                "document_ref": "杭发改高技〔2023〕15号", "body_id": body}
        ids += api.ok("POST", "/v1/certifications", cert, as_="kjj")["proposed_claims"]

    def gauges() -> dict[str, float]:
        text = api.call("GET", "/metrics", as_=None).text
        return {name: v for name, labels, v in parse(text)
                if name.startswith("ledger_open_proposals") and labels == {"programme": "A3.erc", "bureau": "kjj"}}

    found = gauges()
    assert found["ledger_open_proposals"] == 2 and found["ledger_open_proposals_fen"] == 40_000_000
    assert 0 <= found["ledger_open_proposals_oldest_age_seconds"] < 3600
    api.ok("POST", f"/v1/claims/{ids[0]}/confirm", {}, as_="kjj", status=200)
    assert (gauges()["ledger_open_proposals"], gauges()["ledger_open_proposals_fen"]) == (1, 20_000_000)
