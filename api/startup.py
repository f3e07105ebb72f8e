"""Start-up on a shared PostgreSQL store, one process at a time.

Every process creates the tables, triggers and chain it needs on first use. Several uvicorn workers, replicas
and the projector starting together on an empty database would race to create the same tables (PostgreSQL
answers the loser with a duplicate key in pg_class), so their set-up takes a session advisory lock first."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ledger.store import is_postgres, postgres_conninfo

# An arbitrary constant of this application: pg_advisory_lock keys are shared by everything on the database.
SETUP_LOCK = 7_072_022


@contextmanager
def one_at_a_time(url: str) -> Iterator[None]:
    """Hold the set-up lock of the store at `url` for the block (nothing to hold for SQLite, one process)."""
    if not is_postgres(url):
        yield
        return
    with psycopg.connect(postgres_conninfo(url), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))
