"""A refusal answered to an Idempotency-Key is kept, or not given: when the store cannot take it at that moment
(PostgreSQL: the connection dropped as the refusal is kept; SQLite: another process holds the write lock past the
wait), the answer is 503 `store_unavailable` and nothing is kept, so the same key sent again is decided then, and
that refusal is kept. A crash probe had the refusal answered and not kept: after a reversal the same key paid."""
from __future__ import annotations

import sqlite3
import threading
import time

import psycopg

from ledger.store import is_postgres, postgres_conninfo, sqlite_path
from tests.api.conftest import Api, World

DROP = ("CREATE OR REPLACE FUNCTION drop_keeper() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$;"
        " CREATE TRIGGER drop_keeper BEFORE INSERT ON ledger_refused_keys FOR EACH ROW EXECUTE FUNCTION drop_keeper()")
UNDROP = "DROP TRIGGER drop_keeper ON ledger_refused_keys; DROP FUNCTION drop_keeper()"


def _while_the_store_cannot_keep(database_url: str, send):
    """`send()` while keeping a refusal fails: a trigger drops the connection (PostgreSQL), or another connection
    holds the write lock for longer than the ledger waits (SQLite)."""
    if is_postgres(database_url):
        with psycopg.connect(postgres_conninfo(database_url), autocommit=True) as conn:
            conn.execute(DROP)
            try:
                return send()
            finally:
                conn.execute(UNDROP)
    answer: list = []
    holder = sqlite3.connect(sqlite_path(database_url), timeout=30, isolation_level=None)
    try:
        worker = threading.Thread(target=lambda: answer.append(send()))
        holder.execute("BEGIN IMMEDIATE")
        worker.start()
        worker.join(60)  # the refusal is decided on reads (which the lock lets through), then waits to be kept
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    return answer[0]


def test_a_refusal_the_store_cannot_keep_is_not_given(api: Api, world: World, database_url: str) -> None:
    claim = world.approved(world.org())  # 300,000.00 approved
    first = api.ok("POST", "/v1/payouts", {"claim_id": claim["id"], "amount": claim["approved_amount"],
                                           "paid_on": "2023-07-03", "bank_ref": "BK-FULL-1"}, as_="finance")
    over = {"claim_id": claim["id"], "amount": "1.00", "paid_on": "2023-07-04", "bank_ref": "BK-OVER-1"}
    started = time.monotonic()
    answer = _while_the_store_cannot_keep(database_url, lambda: api.call("POST", "/v1/payouts", over, as_="finance",
                                                                         key="over-once"))
    assert (answer.status_code, answer.json()["code"]) == (503, "store_unavailable"), answer.text
    assert "Idempotency-Key" in answer.json()["detail"] and time.monotonic() - started < 60
    # Sent again with the store back: decided then (refused), and that refusal is kept for the key.
    again = api.call("POST", "/v1/payouts", over, as_="finance", key="over-once")
    assert (again.status_code, again.json()["code"]) == (409, "over_approved")
    api.ok("POST", f"/v1/payouts/{first['id']}/reverse", {"reason": "银行退票"}, as_="finance", status=200)
    replayed = api.call("POST", "/v1/payouts", over, as_="finance", key="over-once")
    assert (replayed.status_code, replayed.json()["code"]) == (409, "over_approved"), replayed.text
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert api.ok("GET", f"/v1/claims/{claim['id']}")["paid_amount"] == "0.00"
