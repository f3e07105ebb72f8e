"""The chain's connection to PostgreSQL: autocommitted reads, and the save's own lock for catching up."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import psycopg
from psycopg import sql

from ledger.audit.stores import Store
from ledger.store import postgres_conninfo


class PostgresStore(Store):
    def connect(self) -> AbstractContextManager[psycopg.Connection]:
        return psycopg.connect(postgres_conninfo(self.url), autocommit=True)

    def has_table(self, conn: psycopg.Connection, name: str) -> bool:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]

    @contextmanager
    def writing(self, conn: psycopg.Connection) -> Iterator[None]:
        with conn.transaction():
            # The lock every save takes (ledger/pg_recorder.py): no save chains while this catches up.
            conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(sql.Identifier(self.events)))
            yield
