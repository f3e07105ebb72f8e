"""Bad input against a real `award-ledger serve` on PostgreSQL: hypothesis-generated bodies, mostly
almost-right ones, to the commands. No answer is a 5xx, and a refusal writes nothing."""
from __future__ import annotations

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import make_uscc

pytestmark = [pytest.mark.resilience, pytest.mark.postgres, pytest.mark.timeout(300)]

KNOWN = make_uscc(424242)
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                   st.floats(allow_nan=False, allow_infinity=False),
                   st.text(max_size=30), st.sampled_from(["1000000.00", "0.001", "-1", "1e3", "２０２３", KNOWN,
                                                          "A5.voucher", "A3.erc", "2023-06-01", "2031-02-30"]))
CLAIM = st.fixed_dictionaries({}, optional={
    "uscc": st.one_of(st.just(KNOWN), VALUES), "programme": st.one_of(st.just("A5.voucher"), VALUES),
    "award_year": st.one_of(st.sampled_from([2021, 2023, 2026]), VALUES), "effective_on": VALUES,
    "basis_amount": VALUES, "requested_amount": VALUES, "tier": VALUES, "rank": VALUES, "subject": VALUES,
    "body_id": VALUES, "certification_id": VALUES, "extra": VALUES})
ORG = st.fixed_dictionaries({}, optional={"uscc": st.one_of(st.just(KNOWN), VALUES), "name": VALUES,
                                          "in_district": VALUES})
PAYOUT = st.fixed_dictionaries({}, optional={"claim_id": VALUES, "amount": VALUES, "paid_on": VALUES,
                                             "bank_ref": VALUES})
BODIES = st.one_of(st.tuples(st.just(("kjj", "/v1/claims")), CLAIM), st.tuples(st.just(("admin", "/v1/organisations")),
                                                                                ORG),
                   st.tuples(st.just(("finance", "/v1/payouts")), PAYOUT),
                   st.tuples(st.just(("kjj", "/v1/claims/not-a-claim/approve")), st.dictionaries(st.text(max_size=8),
                                                                                                  VALUES, max_size=3)),
                   st.tuples(st.sampled_from([("kjj", "/v1/claims"), ("admin", "/v1/organisations")]),
                             st.one_of(VALUES, st.lists(VALUES, max_size=3))))


def test_generated_bodies_answer_no_5xx_and_a_refusal_writes_nothing(service, principals, fresh_postgres_url):
    """Every generated body gets a 2xx or a 4xx problem; a 4xx leaves the event count where it was."""
    svc = service()
    tokens = principals[1]
    with httpx.Client(base_url=svc.base, timeout=30) as client, psycopg.connect(fresh_postgres_url,
                                                                                autocommit=True) as conn:
        def events() -> int:
            return conn.execute("SELECT COUNT(*) FROM awardledger_events").fetchone()[0]

        assert client.post("/v1/organisations", json={"uscc": KNOWN, "name": "杭州坏输入测试有限公司",
                                                      "in_district": True},
                           headers={"Authorization": f"Bearer {tokens['admin']}"}).status_code == 201

        @given(sent=BODIES)
        @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def answers(sent: tuple[tuple[str, str], object]) -> None:
            (role, path), body = sent
            before = events()
            r = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[role]}"})
            assert r.status_code < 500, (path, body, r.status_code, r.text)
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/problem+json"), r.headers
                assert events() == before, f"{path} refused {body!r} ({r.status_code}) but wrote events"

        answers()


CELLS = st.one_of(st.text(max_size=12), st.sampled_from(["2023-07-01", "2023-07-01T00:00:00", "0001-01-01", "1,2,3",
                                                         "1,234.50", "-5", "R\x00", "\x1b[2J", "\u202e", ""]))
STATEMENTS = st.lists(st.lists(CELLS, min_size=0, max_size=5), max_size=6).map(
    lambda rows: "date,amount,reference,counterparty\n" + "\n".join(",".join(r) for r in rows))


def test_generated_statements_answer_no_5xx_and_a_refusal_leaves_no_trace(service, principals, fresh_postgres_url):
    """Generated bank CSVs: a 2xx or a 4xx; a 4xx adds no event and no read-model line, and the service stays
    ready (no event it recorded is one the projector cannot apply)."""
    svc = service()
    finance = {"Authorization": f"Bearer {principals[1]['finance']}", "Content-Type": "text/csv"}
    with httpx.Client(base_url=svc.base, timeout=30) as client, psycopg.connect(fresh_postgres_url,
                                                                                autocommit=True) as conn:
        def traces() -> tuple[int, int]:
            events = conn.execute("SELECT COUNT(*) FROM awardledger_events").fetchone()[0]
            return events, conn.execute("SELECT COUNT(*) FROM rm_bank_lines").fetchone()[0]

        @given(text=STATEMENTS)
        @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def answers(text: str) -> None:
            before = traces()
            r = client.post("/v1/finance/bank-statements", content=text.encode("utf-8", "surrogatepass"),
                            headers=finance)
            assert r.status_code < 500, (text, r.status_code, r.text)
            if r.status_code >= 400:
                assert traces() == before, f"refused {text!r} ({r.status_code}) but left a trace"

        answers()
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
