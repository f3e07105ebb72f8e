"""LEDGER_READ_DATABASE_URL: queries read a real streaming replica (built by the test), commands write the primary
and answer once the replica shows them, or say Read-Models-Lag when it does not within LEDGER_WAIT_TIMEOUT."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import StoreUnreachable, create_app
from api.settings import Settings
from projections.readmodels import ReadModels
from tests.api.conftest import Api
from tests.replica import ReplicaUnavailable, database_on, streaming_replica
from tests.support import unique_uscc

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def replica_server(postgres_server_url: str) -> Iterator[str]:
    """A hot standby of the test server on a free port, for this module's tests."""
    try:
        with streaming_replica(postgres_server_url) as url:
            yield url
    except ReplicaUnavailable as err:
        if os.environ.get("LEDGER_REQUIRE_POSTGRES"):
            pytest.fail(str(err), pytrace=False)
        pytest.skip(str(err))


# LEDGER_WAIT_TIMEOUT for these tests: long enough that a replica replaying under CI's load still shows a command
# before its answer (1 s was not, once), short enough for the paused-replay test to wait it out.
WAIT = 3.0


@pytest.fixture
def on_replica(replica_server: str, fresh_postgres_url: str, auth_file: Path, tokens: dict[str, str]
               ) -> Iterator[tuple[Api, str]]:
    """The app on a fresh primary database with its queries on the replica's copy of it; and that copy's URL."""
    read_url = database_on(replica_server, fresh_postgres_url)
    settings = Settings(database_url=fresh_postgres_url, read_database_url=read_url, auth_file=auth_file,
                        wait_timeout=WAIT)
    with TestClient(create_app(settings)) as client:
        _caught_up(fresh_postgres_url, read_url)
        yield Api(client, tokens), read_url


def _caught_up(primary_url: str, read_url: str, within: float = 60.0) -> None:
    """Wait until the replica has replayed everything the primary wrote so far: the new database and the app's
    schema. Under CI's load a first command once waited its whole LEDGER_WAIT_TIMEOUT behind that setup, and said
    Read-Models-Lag; the tests are about commands, not about a replica still building its copy."""
    with psycopg.connect(primary_url, autocommit=True) as primary:
        lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + within
    with psycopg.connect(read_url, autocommit=True) as replica:
        while not replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]:
            assert time.monotonic() < deadline, f"the replica did not replay up to {lsn} within {within:.0f} s"
            time.sleep(0.05)


def _register(api: Api) -> tuple[str, object]:
    code = unique_uscc()
    answer = api.call("POST", "/v1/organisations", {"uscc": code, "name": "杭州副本科技有限公司", "in_district": True})
    assert answer.status_code == 201, answer.text
    return code, answer


def test_a_command_answers_once_the_replica_shows_it_and_queries_read_the_replica(on_replica) -> None:
    """Registered on the primary, the organisation's awards are at once readable through the replica."""
    api, read_url = on_replica
    for _ in range(5):
        code, answer = _register(api)
        assert "Read-Models-Lag" not in answer.headers
        assert api.ok("GET", f"/v1/organisations/{code}/awards", as_="auditor")["uscc"] == code
    with psycopg.connect(read_url, autocommit=True) as conn:  # the API's queries are sessions on the replica
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                            " AND pid <> pg_backend_pid()").fetchone()[0] >= 1


def test_while_the_replica_does_not_replay_a_command_says_read_models_lag_and_queries_do_not_see_it(on_replica
                                                                                                  ) -> None:
    """With replay paused, a command still commits on the primary but answers Read-Models-Lag: true after the
    wait; the replica's answer lacks it until replay resumes, while the primary's read models have it."""
    api, read_url = on_replica
    with psycopg.connect(read_url, autocommit=True) as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            started = time.monotonic()
            code, answer = _register(api)
            assert answer.headers.get("Read-Models-Lag") == "true"
            assert time.monotonic() - started >= WAIT - 0.1  # it waited LEDGER_WAIT_TIMEOUT for the replica
            assert api.call("GET", f"/v1/organisations/{code}/awards", as_="auditor").status_code == 404
            assert api.client.app.state.primary_models.award_state(code) is not None
            # /readyz and /metrics count the events the replica has not shown (a probe saw lag 0: both figures
            # were read on the replica).
            ready = api.client.get("/readyz").json()
            assert ready["projection_lag"] >= 1 and ready["events_recorded"] > ready["projection_position"], ready
            assert "ledger_projection_lag_events 0" not in api.client.get("/metrics").text
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 10
    while api.call("GET", f"/v1/organisations/{code}/awards", as_="auditor").status_code != 200:
        assert time.monotonic() < deadline, "the replica did not catch up after replay resumed"
        time.sleep(0.05)


def test_a_read_url_that_is_not_a_replica_is_refused_at_start(fresh_postgres_url: str, auth_file: Path) -> None:
    """LEDGER_READ_DATABASE_URL naming a primary (not in recovery) stops start-up with what to fix."""
    settings = Settings(database_url=fresh_postgres_url, read_database_url=fresh_postgres_url, auth_file=auth_file)
    ReadModels.open(fresh_postgres_url).close()
    with pytest.raises(StoreUnreachable, match="not a streaming replica"), TestClient(create_app(settings)):
        pass


def test_serves_preflight_takes_a_real_standby(on_replica, fresh_postgres_url: str) -> None:
    """`serve` checks LEDGER_READ_DATABASE_URL before it starts (api/commands/preflight.py): a real hot standby
    passes, the primary itself does not."""
    from api.commands.preflight import ReplicaInvalid, check_replica

    _, read_url = on_replica
    check_replica(fresh_postgres_url, read_url)
    with pytest.raises(ReplicaInvalid, match="not a streaming replica"):
        check_replica(fresh_postgres_url, fresh_postgres_url)
