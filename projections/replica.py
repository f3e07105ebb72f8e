"""Queries on a PostgreSQL streaming replica (LEDGER_READ_DATABASE_URL), commands on the primary.

The read models are written on the primary by the projector and reach the replica by WAL replay. A command
waits, as without a replica, until the primary's read models show its events; then it notes the primary's
WAL insert position (at or past the projector's commit of them) and waits until the replica has replayed up
to there, so the caller's next query, answered by the replica, sees its write.
"""
from __future__ import annotations

import time

from psycopg_pool import ConnectionPool

from ledger.store import is_postgres
from projections.readmodels import ReadModels
from projections.view import projection_env


class ReplicaConfigError(ValueError):
    """LEDGER_READ_DATABASE_URL cannot serve as a read replica of LEDGER_DATABASE_URL."""


def open_replica_models(primary_url: str, replica_url: str) -> tuple[ReadModels, Replica]:
    """The read models as the replica shows them (its tables are the primary's, never created here), and the
    replica's replay position to wait on."""
    if not (is_postgres(primary_url) and is_postgres(replica_url)):
        raise ReplicaConfigError("LEDGER_READ_DATABASE_URL needs LEDGER_DATABASE_URL and itself on PostgreSQL"
                                 " (a streaming replica of the primary); unset it to read from the store itself")
    from projections.postgres_view import open_postgres_view

    view = open_postgres_view(projection_env(replica_url) | {"CREATE_TABLE": "no"})
    return ReadModels(view), Replica(primary_url, replica_url)


LSN_POOL = 4  # connections each side's pool of position queries may hold


class Replica:
    """How far the replica has replayed the primary's WAL; `wait_caught_up` bounds the wait."""

    def __init__(self, primary_url: str, replica_url: str) -> None:
        # Small pools of their own: one cheap statement per command on each side.
        self.primary = _pool(primary_url, "primary-lsn")
        self.replica = _pool(replica_url, "replica-lsn")
        with self.replica.connection() as conn:
            if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
                self.close()
                raise ReplicaConfigError("LEDGER_READ_DATABASE_URL names a server that is not a streaming replica"
                                         " (pg_is_in_recovery() is false); point it at a standby of the primary")

    def wait_caught_up(self, timeout: float) -> bool:
        """Block until the replica has replayed everything the primary has written so far (True), or `timeout`."""
        with self.primary.connection() as conn:
            target = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline, pause = time.monotonic() + timeout, 0.002
        with self.replica.connection() as conn:
            while True:
                # NULL replay position (never replayed anything): not caught up.
                done = conn.execute("SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, false)",
                                    (target,)).fetchone()[0]
                remaining = deadline - time.monotonic()
                if done or remaining <= 0:
                    return bool(done)
                time.sleep(min(pause, remaining))
                pause = min(pause * 2, 0.02)

    def close(self) -> None:
        self.primary.close()
        self.replica.close()


def _pool(url: str, name: str) -> ConnectionPool:
    return ConnectionPool(_plain(url), min_size=1, max_size=LSN_POOL, kwargs={"autocommit": True}, open=True, name=name)


def _plain(url: str) -> str:
    """A libpq URL for psycopg: the same as the ledger's, without a SQLAlchemy-style driver suffix."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.lower().startswith("postgres") else url
