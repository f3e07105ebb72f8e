"""A refusal answered to an Idempotency-Key is kept, or not given: when the store cannot take it at that moment
(PostgreSQL: the connection dropped as the refusal is kept; SQLite: another process holds the write lock past the
wait), the answer is 503 `store_unavailable` and nothing is kept, so the same key sent again is decided then, and
that refusal is kept. A crash probe had the refusal answered and not kept: after a reversal the same key paid."""
from __future__ import annotations

import sqlite3
import threading
import time

import psycopg
import pytest

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
    # PostgreSQL: the connection is gone; SQLite: the store is there, its write lock held past the wait.
    code = "store_unavailable" if is_postgres(database_url) else "busy"
    assert (answer.status_code, answer.json()["code"]) == (503, code), answer.text
    assert "Idempotency-Key" in answer.json()["detail"] and time.monotonic() - started < 60
    # Sent again with the store back: decided then (refused), and that refusal is kept for the key.
    again = api.call("POST", "/v1/payouts", over, as_="finance", key="over-once")
    assert (again.status_code, again.json()["code"]) == (409, "over_approved")
    api.ok("POST", f"/v1/payouts/{first['id']}/reverse", {"reason": "银行退票"}, as_="finance", status=200)
    replayed = api.call("POST", "/v1/payouts", over, as_="finance", key="over-once")
    assert (replayed.status_code, replayed.json()["code"]) == (409, "over_approved"), replayed.text
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    assert api.ok("GET", f"/v1/claims/{claim['id']}")["paid_amount"] == "0.00"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL has no file lock
def test_a_held_sqlite_write_lock_is_busy_at_once_not_store_unreachable(api: Api, world: World, database_url: str,
                                                                        ) -> None:
    """Another process holding the SQLite file's write lock: a command waits the lock's timeout once (not once per
    retry: a crash probe waited 25-41 s), then answers 503 `busy` naming the lock, not "cannot be reached"; it
    writes nothing, and the same key succeeds once the lock is let go."""
    org = world.org()
    body = {"uscc": org, "programme": "A5.voucher", "award_year": 2023, "effective_on": "2023-06-01",
            "basis_amount": "100000.00"}
    started = time.monotonic()
    answer = _while_the_store_cannot_keep(database_url, lambda: api.call("POST", "/v1/claims", body, as_="kjj",
                                                                         key="locked-once"))
    waited = time.monotonic() - started
    assert (answer.status_code, answer.json()["code"]) == (503, "busy"), answer.text
    assert "write lock" in answer.json()["detail"] and answer.headers["Retry-After"]
    assert waited < 20, f"waited {waited:.1f} s: the lock's wait was repeated"
    again = api.call("POST", "/v1/claims", body, as_="kjj", key="locked-once")
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") is None, again.text
