"""One PostgreSQL connection per command: every read a decision makes and its save share it.

eventsourcing's PostgreSQL datastore checks a connection out of its pool for every statement it runs (and,
with pre-ping, sends an empty query first). A claim's approval reads half a dozen aggregates and then
saves, so it paid a dozen checkouts and pings for two or three statements of real work. `HeldConnection`
lets a command hold one pooled connection for its whole attempt: inside `held()`, the datastore's
`get_connection()` hands back that connection instead of checking out another. Outside a command nothing
changes. The connection stays in autocommit, so each read is still its own statement and the save is still
one transaction: what a decision sees and how conflicts are caught is exactly as before.

Errors on the held connection are turned into eventsourcing's persistence errors just as the datastore
does for its own checkouts, so `IntegrityError` (a concurrent writer won) and `OperationalError` (the
server went away) reach `AwardLedger._run` as they always did, and a broken connection is discarded by the
pool when the attempt ends.

Connections are not pinged when checked out (no `POSTGRES_PRE_PING`): that was one more round trip on every
command to guard against something rare. Instead, the first statement on a dead connection fails with an
`OperationalError`, the command is tried again (`AwardLedger._run`), and `check_idle()` tests every idle
connection of the pool at once, so the others left dead by a server restart are replaced together rather
than found one failed request at a time.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence
from psycopg_pool import PoolTimeout


class NoConnectionFree(persistence.PersistenceError):
    """Every connection of the ledger's pool stayed in use for the whole wait (LEDGER_DB_POOL). Not one of the
    errors eventsourcing tries a read or a save again on: it has waited already, and ten more waits of five
    seconds would hold the request for a minute. Answered 503 `busy` (api/problems.py)."""


# What the event store, the read models or their drivers raise when the database cannot be reached (here, beside
# the connections, so the command line can catch them without importing the web framework).
STORE_ERRORS: tuple[type[Exception], ...] = (persistence.OperationalError, persistence.InterfaceError,
                                             psycopg.OperationalError, sqlite3.OperationalError, NoConnectionFree)


def sqlite_locked(error: BaseException) -> bool:
    """Whether `error` is, or was raised from, SQLite's wait for another connection's write lock running out."""
    seen: BaseException | None = error
    for _ in range(8):  # eventsourcing raises its own OperationalError from sqlite3's
        if seen is None:
            return False
        if isinstance(seen, sqlite3.OperationalError) and "locked" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def pool_exhausted(error: BaseException) -> bool:
    """Whether `error` is, or was raised from, a pool's wait for a connection running out (psycopg_pool's
    PoolTimeout): every connection the process may open was in use, not a database that cannot be reached."""
    seen: BaseException | None = error
    for _ in range(8):  # eventsourcing raises its own OperationalError from psycopg's
        if seen is None:
            return False
        if isinstance(seen, (PoolTimeout, NoConnectionFree)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# psycopg's errors as the datastore translates them, most specific first (as in eventsourcing.postgres).
TRANSLATED: tuple[tuple[type[psycopg.Error], type[Exception]], ...] = (
    (psycopg.InterfaceError, persistence.InterfaceError),
    (psycopg.OperationalError, persistence.OperationalError),
    (psycopg.DataError, persistence.DataError),
    (psycopg.IntegrityError, persistence.IntegrityError),
    (psycopg.InternalError, persistence.InternalError),
    (psycopg.ProgrammingError, persistence.ProgrammingError),
    (psycopg.NotSupportedError, persistence.NotSupportedError),
    (psycopg.DatabaseError, persistence.DatabaseError),
    (psycopg.Error, persistence.PersistenceError),
)


class HeldConnection:
    """Wraps a PostgresDatastore's `get_connection` so a thread inside `held()` reuses one connection."""

    def __init__(self, datastore: Any) -> None:
        self._datastore = datastore
        self._checkout = datastore.get_connection
        self._local = threading.local()
        datastore.get_connection = self._get_connection

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold one pooled connection for this thread until the block ends (re-entrant)."""
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._checked_out() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def _get_connection(self) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.broken:  # a held connection the server dropped: retries need a fresh one
            with self._checked_out() as fresh:
                yield fresh
            return
        try:
            yield conn
        except psycopg.Error as error:
            if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
                check_idle(self._datastore)
            raise translate(error) from error

    @contextmanager
    def _checked_out(self) -> Iterator[Any]:
        """A connection from the pool. A wait that runs out is NoConnectionFree; a connection the server dropped
        has the pool's idle ones checked together, so that the try after it (eventsourcing tries a read or a save
        again, 0.2 s later) takes a live one rather than each dead one in turn after a server restart."""
        entered = False
        try:
            with self._checkout() as conn:
                entered = True
                yield conn
        except (persistence.OperationalError, persistence.InterfaceError) as error:
            if not entered and pool_exhausted(error):
                raise NoConnectionFree(str(error)) from error
            if entered:
                check_idle(self._datastore)
            raise


_checked: dict[int, float] = {}
_checking = threading.Lock()
CHECK_EVERY = 1.0  # seconds: a burst of failures checks the pool once, not once each


def check_idle(datastore: Any, *, now: bool = False) -> None:
    """After a storage error: test the idle connections of a PostgreSQL datastore's pool, replace dead ones
    (at most once every CHECK_EVERY seconds a pool, unless `now`: a read about to be tried again)."""
    pool = getattr(datastore, "pool", None)
    if pool is None or not hasattr(pool, "check"):
        return
    at = time.monotonic()
    with _checking:
        if not now and at - _checked.get(id(pool), -CHECK_EVERY) < CHECK_EVERY:
            return
        _checked[id(pool)] = at
    try:
        pool.check()
    except Exception:  # the server may still be down; the next failure checks again
        return


def translate(error: psycopg.Error) -> Exception:
    for raw, ours in TRANSLATED:
        if isinstance(error, raw):
            return ours(str(error))
    raise AssertionError("psycopg.Error is the last entry")  # pragma: no cover


@contextmanager
def unheld() -> Iterator[None]:
    """For stores without a datastore to hold (SQLite keeps a connection per thread already)."""
    yield


# What PostgreSQL says when it takes no more connections, and what to do: its max_connections reached (the slots left
# kept for superusers), or a role's or a database's own CONNECTION LIMIT (a regression probe: a role at its own limit
# was told to raise max_connections, which changes nothing).
_SERVER_FULL = ("the database server takes no more connections (max_connections reached): wait for other clients to"
                " finish and try again, or raise PostgreSQL's max_connections, or lower LEDGER_DB_POOL or"
                " LEDGER_WORKERS (README, \"Connections\")",
                "数据库服务器不再接受新连接（已达 max_connections 上限）：请等其他客户端结束后重试，"
                "或调高 PostgreSQL 的 max_connections，或调低 LEDGER_DB_POOL 或 LEDGER_WORKERS"
                "（见 README“Connections”一节）")
_ROLE_FULL = ("the database user has as many connections as its own CONNECTION LIMIT allows: wait for its other"
              " connections to finish and try again, or raise the limit (ALTER ROLE … CONNECTION LIMIT), or lower"
              " LEDGER_DB_POOL or LEDGER_WORKERS (README, \"Connections\")",
              "该数据库用户的连接数已达其自身的 CONNECTION LIMIT：请等其他连接结束后重试，或调高该上限（ALTER ROLE …"
              " CONNECTION LIMIT），或调低 LEDGER_DB_POOL 或 LEDGER_WORKERS（见 README“Connections”一节）")
_DATABASE_FULL = ("the database has as many connections as its own CONNECTION LIMIT allows: wait for other connections"
                  " to it to finish and try again, or raise the limit (ALTER DATABASE … CONNECTION LIMIT), or lower"
                  " LEDGER_DB_POOL or LEDGER_WORKERS (README, \"Connections\")",
                  "该数据库的连接数已达其自身的 CONNECTION LIMIT：请等其他连接结束后重试，或调高该上限（ALTER DATABASE"
                  " … CONNECTION LIMIT），或调低 LEDGER_DB_POOL 或 LEDGER_WORKERS（见 README“Connections”一节）")
_FULL = (("too many connections for role", _ROLE_FULL), ("too many connections for database", _DATABASE_FULL),
         ("too many clients", _SERVER_FULL), ("remaining connection slots are reserved", _SERVER_FULL))


def driver_said(err: BaseException) -> str:
    """What a driver's error says, on one line, its lines as sentences: libpq's "connection ... failed: Connection
    refused" and its hint "Is the server running on that host ...?" ran together without a stop (an operations
    probe). Without a closing stop, for the caller's own sentence after it."""
    lines = [" ".join(line.split()) for line in str(err).splitlines() if line.strip()]
    said = ""
    for line in lines:
        said += line if not said else (" " if said[-1] in ".?!:;" else ". ") + line
    return said.rstrip(".?")


def server_full(err: BaseException) -> tuple[str, str] | None:
    """What to do, in English and Chinese, when `err` (or what raised it) is PostgreSQL refusing a connection because
    it, the role or the database has as many as it takes: no database to start or URL to fix (a hostile-input probe
    was told both while the server was full); None otherwise."""
    seen: BaseException | None = err
    for _ in range(8):
        if seen is None:
            return None
        for said, advice in _FULL:
            if said in str(seen):
                return advice
        seen = seen.__cause__ or seen.__context__
    return None
