"""A command whose save the store cuts off is not told "nothing was written" (PostgreSQL). A retry probe stopped a
private server under a burst of keyed claims: one came back 503 `busy`, "... and nothing was written", and its key
then replayed the claim: the save had committed before the connection was lost. Here each save of the events is
cut off by the server itself (a trigger ends its own backend, a real fault at the server: the client cannot know
whether the commit happened) and no new connection is let in: the answer says the command may have been recorded
and to send it again with the same key, which, once the store is back, records it once."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from api.app import create_app
from api.settings import Settings
from tests.api.conftest import Api, World

CUT = """
CREATE FUNCTION cut_off_save() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
CREATE TRIGGER cut_off_save AFTER INSERT ON awardledger_events FOR EACH STATEMENT EXECUTE FUNCTION cut_off_save();
"""


@contextmanager
def _cut_off(database_url: str, server_url: str, name: str) -> Iterator[None]:
    """Every save of events ends its own connection, and no new connection is let in, until the block ends."""
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(CUT)
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
    try:
        yield
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(name)))
        with psycopg.connect(database_url, autocommit=True) as admin:
            admin.execute("DROP TRIGGER cut_off_save ON awardledger_events; DROP FUNCTION cut_off_save()")


@pytest.mark.postgres
def test_a_save_the_store_cut_off_may_have_been_recorded(fresh_postgres_url, postgres_server_url, auth_file,
                                                         tokens) -> None:
    name = urlsplit(fresh_postgres_url).path.lstrip("/")
    settings = Settings(database_url=fresh_postgres_url, auth_file=auth_file, wait_timeout=2.0)
    with TestClient(create_app(settings)) as client:
        api = Api(client, tokens)
        bodies = {}
        for language, words, key in (("en", "send it again with the same Idempotency-Key", "cut-off-en"),
                                     ("zh", "操作可能已被记录：请使用相同的 Idempotency-Key", "cut-off-zh"),
                                     ("en", "look for it", None)):  # no key to send again with: look first
            org = World(api).org()  # a command: the ledger's connections are open when the cut begins
            bodies[key] = {"uscc": org, "programme": "A5.voucher", "award_year": 2023,
                           "effective_on": "2023-06-01", "basis_amount": "1000000.00"}
            with _cut_off(fresh_postgres_url, postgres_server_url, name):
                answer = api.call("POST", "/v1/claims", bodies[key], as_="kjj", key=key,
                                  headers={"Accept-Language": language})
            problem = answer.json()
            assert answer.status_code == 503 and problem["code"] == "store_unavailable", problem
            assert words in problem["detail"], problem
            assert problem["maybe_recorded"] is True and "nothing was written" not in problem["detail"]
        again = api.call("POST", "/v1/claims", bodies["cut-off-en"], as_="kjj", key="cut-off-en")
        assert again.status_code == 201, again.text
        assert len(api.ok("GET", f"/v1/claims?uscc={bodies['cut-off-en']['uscc']}", as_="kjj")["claims"]) == 1
