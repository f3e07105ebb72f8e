"""The fuzzing pass, on each store against a real `award-ledger serve`: hypothesis bends the body of every POST
operation the served /openapi.json lists (test_schemathesis.py checks the same document in process), and
generates bank statements and certification lists for the CSV importers. No answer is a 5xx, a refusal is a
problem document that leaves no event and no read-model row behind, and the service is still ready after.

CI runs LEDGER_FUZZ_EXAMPLES requests per pass (about a minute a store on two cores); `make soak` runs more."""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.formats import unregister_string_format

from projections.runner import check
from tests.resilience.fuzz_bodies import Sent, bent
from tests.resilience.fuzz_csv import certification_lists, statements
from tests.resilience.fuzz_target import BUREAUS, CATALOGUE, LEAD, Target, start_target
from tests.support import make_uscc

pytestmark = [pytest.mark.resilience, pytest.mark.timeout(900)]

EXAMPLES = int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=20), database=None,
                    suppress_health_check=list(HealthCheck))
ODD_BODY_IDS = ["", "erc-1", "x" * 300, "\x00"]
ANSWERS: Counter[tuple[str, int]] = Counter()  # (route, status) -> answers, for the reach check
ID_IN_PATH = re.compile(r"/v1/([a-z-]+)/[^/]+/")
FINANCE = ("/v1/payouts", "/v1/appropriations", "/v1/finance", "/v1/recoveries")


@schemathesis.serializer("application/toml")
def _toml(ctx, value) -> bytes:
    """The simulation's draft catalogue is TOML text: what schemathesis draws for it goes as that text."""
    return (value if isinstance(value, str) else json.dumps(value, default=str)).encode("utf-8", "surrogatepass")


@pytest.fixture
def target(database_url: str, tmp_path: Path) -> Iterator[Target]:
    """A demo district served on this store (SQLite or a fresh PostgreSQL database)."""
    target = start_target(database_url, tmp_path)
    yield target
    target.service.stop()
    target.traces.close()


def formats(target: Target) -> dict[str, st.SearchStrategy]:
    """Strategies for the document's own formats, from the catalogue and the store, so most bodies get past
    validation to the rules: organisations that exist, real programme and tier codes, days around the term."""
    term = CATALOGUE.policy
    return {"uscc": st.sampled_from(target.ids["uscc"]) | st.builds(make_uscc, st.integers(10**6, 10**9)),
            "programme": st.sampled_from(sorted(CATALOGUE.programmes)),
            "tier": st.sampled_from(sorted({t.code for p in CATALOGUE.programmes.values() for t in p.tiers})),
            "body-kind": st.sampled_from(sorted(CATALOGUE.body_kinds)),
            "date": st.dates(term.effective_from - timedelta(days=30), term.effective_to + timedelta(days=30))
            .map(date.isoformat)}


def principal(target: Target, path: str, params: dict[str, str], body: object) -> st.SearchStrategy:
    """Mostly the principal the contract lets through (so the body reaches the rules), sometimes anyone."""
    if path.startswith(FINANCE):
        right = "finance"
    elif path in ("/v1/organisations", "/v1/innovation-bodies") or path.endswith("/members"):
        right = "admin"
    elif lead := next((target.lead[v] for v in params.values() if v in target.lead), None):
        right = lead
    else:
        right = LEAD.get(body.get("programme") if isinstance(body, dict) else None, "kjj")  # type: ignore[arg-type]
    anyone = st.sampled_from([None, *sorted(target.tokens)])
    return st.one_of(st.just(right), st.just(right), st.just(right), anyone)


def path_value(target: Target, name: str) -> st.SearchStrategy[str]:
    """An id of that kind that exists, usually, else anything at all."""
    real = target.ids.get(name, [])
    odd = st.text(min_size=1, max_size=30) | st.sampled_from(["..", "%00", "x" * 5000, "\u202e", " "])
    return (st.sampled_from(real) | odd) if real else odd


def requests(target: Target, operations: list) -> st.SearchStrategy[tuple[str, str | None, Sent]]:
    """(path, principal, what is sent) over every POST operation of the document."""

    @st.composite
    def one(draw: st.DrawFn) -> tuple[str, str | None, Sent]:
        operation = draw(st.sampled_from(operations))
        case = draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        params = {n: draw(path_value(target, n)) for n in re.findall(r"{(\w+)}", operation.path)}
        path = operation.path.format(**{n: quote(v, safe="") for n, v in params.items()})
        body = case.body if isinstance(case.body, dict | list | str | bytes) else {}
        fields = tuple(operation.body[0].definition.get("schema", {}).get("properties", {})) if operation.body else ()
        sent = draw(bent(body, case.media_type or "application/json", fields))
        return path, draw(principal(target, operation.path, params, body)), sent

    return one()


def answer_is_sound(target: Target, client: httpx.Client, path: str, who: str | None, sent: Sent) -> None:
    """Send one request; no 5xx (but a declared 501), and a refusal leaves the store as it found it."""
    before = target.traces.settled()
    r = client.post(path, content=sent.content, headers=target.headers(who, sent.content_type))
    ANSWERS[ID_IN_PATH.sub(r"/v1/\1/{id}/", path), r.status_code] += 1
    if r.status_code >= 500:
        assert r.status_code == 501 and r.json()["code"] == "not_implemented", \
            f"{path} as {who}: {sent!r} answered {r.status_code} {r.text}\nserver log: {target.service.logs()}"
    if r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith("application/problem+json"), (path, sent, r.headers)
        after = target.traces.counts()
        changed = {t: (before.get(t), n) for t, n in after.items() if before.get(t) != n}
        assert not changed, f"{path} refused {sent!r} ({r.status_code} {r.text[:300]}) but left rows: {changed}"


def still_sound(target: Target, client: httpx.Client) -> None:
    """After the pass: ready, and the read models equal a fresh replay of the log."""
    target.traces.settled()
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert check(target.service.url) == []


def reached(operations: list) -> None:
    """The pass proved something: most operations had bodies get past validation to the ledger's rules
    (accepted, or refused by a rule: not found, conflict), not only refused at the door."""
    print("\nanswers by route and status:", *sorted(ANSWERS.items()), sep="\n  ")
    ruled = {route for (route, status) in ANSWERS if status < 300 or status in (404, 409)}
    assert len(ruled) * 3 >= len(operations) * 2, f"only {sorted(ruled)} got past validation"
    assert sum(n for (_, status), n in ANSWERS.items() if status < 300) >= 10, ANSWERS


def test_every_command_body_bent_answers_no_5xx_and_a_refusal_leaves_no_trace(target: Target) -> None:
    """Bent bodies to every POST operation of the served document get a 2xx or a 4xx problem; each 4xx leaves
    the event count and every read-model table's row count as they were, and the service ends ready."""
    strategies = formats(target)
    for name, strategy in strategies.items():
        schemathesis.openapi.format(name, strategy)
    try:
        with httpx.Client(base_url=target.service.base, timeout=60) as client:
            schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
            operations = [r.ok() for r in schema.get_all_operations() if r.ok().method.upper() == "POST"]
            assert len(operations) >= 20, [o.path for o in operations]

            @given(request=requests(target, operations))
            @SETTINGS
            def answers(request: tuple[str, str | None, Sent]) -> None:
                answer_is_sound(target, client, *request)

            ANSWERS.clear()
            answers()
            still_sound(target, client)
            reached(operations)
    finally:
        for name in strategies:
            unregister_string_format(name)


def test_generated_csv_imports_answer_no_5xx_and_a_refusal_leaves_no_trace(target: Target) -> None:
    """Generated bank statements (text/csv and form uploads) and certification lists (text/csv) get a 2xx or a
    4xx problem; each 4xx leaves the store as it was, and the service ends ready."""
    uploads = st.one_of(
        statements(target.ids["bank_ref"]).map(lambda s: ("/v1/finance/bank-statements", "finance", s)),
        certification_lists(target.ids["uscc"], [*target.ids["body_id"], *ODD_BODY_IDS]).flatmap(
            lambda s: st.sampled_from([*BUREAUS, "kjj", "kjj", "admin"]).map(
                lambda who: ("/v1/certifications/imports", who, s))))

    with httpx.Client(base_url=target.service.base, timeout=60) as client:
        @given(request=uploads)
        @SETTINGS
        def answers(request: tuple[str, str | None, Sent]) -> None:
            answer_is_sound(target, client, *request)

        answers()
        still_sound(target, client)
