"""The tamper-evidence chain: a SHA-256 hash chain over the stored events, in notification order.

Each stored event is turned into canonical bytes (`event_bytes`), and the chain's link at that event's
notification id is `sha256(previous link + event bytes)`, starting from 32 zero bytes. The links are kept
in `rm_audit_chain(position, link)` in the same database as the events, extended as events are recorded.

Recomputing the chain from the events table and comparing it with the stored links finds an event whose
bytes changed, one that was deleted and one that was slipped in. Someone able to rewrite the chain table
as well can make the two agree again; a digest (position and link) kept outside the system catches that:
`verify(saved=digest)` recomputes the link at the digest's position from the events alone.

Canonical bytes of a stored event, algorithm "sha256-chain-v1" (stable: changing it needs a new name).
Five fields, in this order, each framed as an 8-byte big-endian unsigned length followed by the bytes:

    1. notification_id     decimal ASCII ("42")
    2. originator_id       UTF-8 of the canonical UUID text ("0f8fad5b-d9cb-469f-a165-70867728950e")
    3. originator_version  decimal ASCII
    4. topic               UTF-8
    5. state               the stored bytes, exactly as in the events table

Framing makes the encoding injective (no two events share bytes), and because the position is hashed
too, moving an event to another position changes its bytes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import psycopg

from ledger.store import is_postgres, postgres_conninfo, sqlite_path, store_env

ALGORITHM = "sha256-chain-v1"
GENESIS = bytes(32)
CHAIN_TABLE = "rm_audit_chain"
PAGE_SIZE = 1000
# One key for every process that extends the chain of a database: pages are appended one writer at a time.
_LOCK_KEY = int.from_bytes(hashlib.sha256(b"award-ledger:" + CHAIN_TABLE.encode()).digest()[:8], "big", signed=True)
_SQLITE_TIMEOUT = 10.0

Progress = Callable[[int, int], None]


class InvalidDigest(ValueError):
    """A saved digest that is not one this module issued (wrong algorithm, position or hex)."""


# ---------------------------------------------------------------------------------------------- encoding


def event_bytes(notification_id: int, originator_id: UUID | str, originator_version: int, topic: str,
                state: bytes) -> bytes:
    """The canonical bytes of one stored event (see the module docstring for the layout)."""
    fields = (str(notification_id).encode("ascii"), _originator_text(originator_id).encode(),
              str(originator_version).encode("ascii"), topic.encode(), bytes(state))
    return b"".join(len(field).to_bytes(8, "big") + field for field in fields)


def link(prev: bytes, data: bytes) -> bytes:
    """The chain's next link: SHA-256 of the previous link followed by the event's canonical bytes."""
    return hashlib.sha256(prev + data).digest()


def _originator_text(originator_id: UUID | str) -> str:
    # PostgreSQL hands back a UUID, SQLite the 32-digit hex it stored: both become the same canonical text.
    try:
        return str(originator_id if isinstance(originator_id, UUID) else UUID(originator_id))
    except ValueError:
        return str(originator_id)


# ---------------------------------------------------------------------------------------------- tables


def events_table(url: str) -> str:
    """The table eventsourcing stores the ledger's events in, on the store the URL names."""
    from ledger.application import AwardLedger  # the table is named after the application, on PostgreSQL

    return f"{AwardLedger.name.lower()}_events" if is_postgres(url) else "stored_events"


def snapshots_table(url: str) -> str:
    """The table eventsourcing stores the ledger's snapshots in (present when snapshotting is on)."""
    return events_table(url).removesuffix("_events") + "_snapshots"


def ensure_event_store(url: str) -> None:
    """Create the ledger's event store tables if missing, exactly as the application itself would."""
    store = _store(url)
    with store.connect() as conn:
        if store.has_table(conn, events_table(url)):
            return
    from ledger.application import AwardLedger

    AwardLedger(store_env(url)).close()


# ---------------------------------------------------------------------------------------------- the chain


@dataclass(frozen=True)
class _Bad:
    position: int
    failure: str
    reason: str


class AuditChain:
    """The hash chain of one store: extended from the events table, verified end to end against it."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = _store(url)
        self.appended = 0  # links appended by the last extend(): how much new work it found

    @classmethod
    def open(cls, url: str) -> AuditChain:
        """The chain of the store at `url`, creating the event store and the chain table if missing."""
        ensure_event_store(url)
        chain = cls(url)
        chain._db.create_chain_table()
        return chain

    def extend(self) -> int:
        """Append a link for every event after the chain's head, a page per transaction; the new head."""
        self.appended = 0
        with self._db.connect() as conn:
            while True:
                with self._db.writing(conn):
                    head, prev = self._db.head(conn)
                    rows = self._db.events_after(conn, head, PAGE_SIZE)
                    links = []
                    for row in rows:
                        prev = link(prev, event_bytes(*row))
                        links.append((row[0], prev.hex()))
                    self._db.insert_links(conn, links)
                if not links:
                    return head
                self.appended += len(links)

    def digest(self, *, catch_up: bool = True) -> dict[str, Any]:
        """The chain's head, for an auditor to keep outside the system (after extending it, by default)."""
        if catch_up:
            self.extend()
        with self._db.connect() as conn:
            position, head = self._db.head(conn)
        return _digest(position, head)

    def links(self, positions: Sequence[int]) -> dict[int, str]:
        """The stored links at these positions (those the chain has reached), hex."""
        if not positions:
            return {}
        with self._db.connect() as conn:
            rows = self._db.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE} WHERE position >= %s AND"
                                       " position <= %s", [min(positions), max(positions)])
        wanted = set(positions)
        return {position: hex_link for position, hex_link in rows if position in wanted}

    def verify(self, saved: dict | Sequence[dict] | None = None, progress: Progress | None = None) -> dict:
        """Recompute the chain from the events, compare it with the stored links and any saved digests.

        `saved` is one digest from `digest()` or a list of them; the more there are, the narrower a
        rewritten chain is located. `progress(events_checked, position)` is called after every page.
        Events not yet chained are hashed too (they are part of `chain_head`) but have no link to match.
        """
        checkpoints = _checkpoints(saved)
        with self._db.connect() as conn:
            # Chain head first, then the last event: every chained position is then at most `last`, and both
            # tables are append-only, so the pages read below see a fixed prefix while writers carry on.
            chained, _ = self._db.head(conn)
            last = self._db.last_event(conn)
            events = self._db.event_bytes_upto(conn, last, progress)
            stored = self._db.links_upto(conn, chained)
            return _Comparison(stored, chained, checkpoints).run(events)


class _Comparison:
    """One pass over the recomputed chain, the stored links and the saved digests, stopping at the first fault."""

    def __init__(self, stored: Iterator[tuple[int, bytes]], chained: int,
                 checkpoints: list[tuple[int, bytes]]) -> None:
        self.stored, self.chained = stored, chained
        self.pending = next(stored, None)
        self.checkpoints, self.saved_total = list(checkpoints), len(checkpoints)
        self.running, self.position, self.checked = GENESIS, 0, 0
        self.trusted = (0, GENESIS)  # the last saved digest that matched: a prefix an auditor vouched for
        self.first_after_trusted: int | None = None

    def run(self, events: Iterable[tuple[int, bytes]]) -> dict:
        for at, data in events:
            if bad := self.check_saved(until=at) or self.step(at, data):
                return self.result(bad)
        if self.pending is not None:
            return self.result(_missing(self.pending[0]))
        return self.result(self.check_saved(until=None))

    def step(self, at: int, data: bytes) -> _Bad | None:
        following = link(self.running, data)
        if self.pending is not None and self.pending[0] < at:
            return _missing(self.pending[0])
        if self.pending is not None and self.pending[0] == at:
            if following != self.pending[1]:
                return _changed(at)
            self.pending = next(self.stored, None)
        elif at <= self.chained:
            return _unexpected(at, self.chained)
        self.running, self.position, self.checked = following, at, self.checked + 1
        if self.first_after_trusted is None:
            self.first_after_trusted = at
        return None

    def check_saved(self, until: int | None) -> _Bad | None:
        # A digest saved at position P covers every event up to P: check it before hashing anything after P.
        while self.checkpoints and (until is None or self.checkpoints[0][0] < until):
            saved_position, saved_link = self.checkpoints.pop(0)
            if saved_link != self.running:
                return _saved_mismatch(saved_position, saved_link, self.trusted[0], self.first_after_trusted)
            self.trusted, self.first_after_trusted = (saved_position, saved_link), None
        return None

    def result(self, bad: _Bad | None) -> dict:
        # The head reported is one the caller can trust and save: all checked events, or the vouched-for prefix.
        head = self.trusted if bad is not None and bad.failure == "saved_digest_mismatch" else (
            self.position, self.running)
        return {"ok": bad is None, "events_checked": self.checked,
                "first_bad_position": None if bad is None else bad.position,
                "reason": None if bad is None else bad.reason, "failure": None if bad is None else bad.failure,
                "chain_head": _digest(*head), "chain_position": self.chained,
                "saved_digests_checked": self.saved_total}


def _changed(at: int) -> _Bad:
    return _Bad(at, "changed", f"the event at position {at} no longer hashes to the chain's link there: its stored"
                               " bytes (or that link) were changed after it was recorded")


def _missing(at: int) -> _Bad:
    return _Bad(at, "missing", f"the chain records an event at position {at}, which the events table no longer has:"
                               " it was deleted or renumbered")


def _unexpected(at: int, chained: int) -> _Bad:
    return _Bad(at, "unexpected", f"the events table has an event at position {at}, which the chain (head at"
                                  f" {chained}) never recorded: it was inserted or renumbered afterwards")


def _saved_mismatch(saved_position: int, saved_link: bytes, trusted: int, first_after: int | None) -> _Bad:
    lower = first_after if first_after is not None and first_after <= saved_position else saved_position
    return _Bad(lower, "saved_digest_mismatch",
                f"the events up to position {saved_position} no longer hash to the digest saved for that position"
                f" ({saved_link.hex()}), although the chain table agrees with them: an event at positions"
                f" {lower}..{saved_position} was changed, deleted or inserted, and the chain table rewritten to"
                f" hide it" + (f" (the digest saved for position {trusted} still matches)" if trusted else ""))


def _digest(position: int, head: bytes) -> dict[str, Any]:
    return {"position": position, "digest": head.hex(), "algorithm": ALGORITHM,
            "computed_at": datetime.now(UTC).isoformat(timespec="seconds")}


def _checkpoints(saved: dict | Sequence[dict] | None) -> list[tuple[int, bytes]]:
    if saved is None:
        return []
    found = [_checkpoint(one) for one in ([saved] if isinstance(saved, dict) else saved)]
    return sorted(found)


def _checkpoint(saved: dict) -> tuple[int, bytes]:
    algorithm, position, digest = saved.get("algorithm", ALGORITHM), saved.get("position"), saved.get("digest")
    if algorithm != ALGORITHM:
        raise InvalidDigest(f"the saved digest uses {algorithm!r}; this ledger's chain is {ALGORITHM!r}")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise InvalidDigest(f"a saved digest's position must be a whole number from 0, not {position!r}")
    try:
        value = bytes.fromhex(digest) if isinstance(digest, str) else b""
    except ValueError:
        value = b""
    if len(value) != len(GENESIS):
        raise InvalidDigest(f"a saved digest must be {2 * len(GENESIS)} hex digits, not {digest!r}")
    return position, value


# ---------------------------------------------------------------------------------------------- the stores


class _Store:
    """The SQL that differs between SQLite and PostgreSQL; everything above is the same for both."""

    placeholder = "%s"
    position_column = "notification_id"

    def __init__(self, url: str) -> None:
        self.url = url
        self.events = events_table(url)

    def sql(self, text: str) -> str:
        return text.replace("%s", self.placeholder)

    def rows(self, conn: Any, text: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(conn.execute(self.sql(text), params).fetchall())

    def head(self, conn: Any) -> tuple[int, bytes]:
        found = self.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1")
        return (found[0][0], bytes.fromhex(found[0][1])) if found else (0, GENESIS)

    def last_event(self, conn: Any) -> int:
        return self.rows(conn, f"SELECT COALESCE(MAX({self.position_column}), 0) FROM {self.events}")[0][0]

    def events_after(self, conn: Any, after: int | None, limit: int, upto: int | None = None) -> list[tuple]:
        column = self.position_column
        where, params = _range(column, after, upto)
        return self.rows(conn, f"SELECT {column}, originator_id, originator_version, topic, state FROM {self.events}"
                               f"{where} ORDER BY {column} LIMIT %s", [*params, limit])

    # Verification starts below position 1 (after=None): a row slipped in at 0 or below would otherwise escape
    # it, yet still be replayed into its aggregate, which reads its events by originator id.

    def event_bytes_upto(self, conn: Any, last: int, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
        after: int | None = None
        checked = 0
        while rows := self.events_after(conn, after, PAGE_SIZE, last):
            for row in rows:
                yield row[0], event_bytes(*row)
            after, checked = rows[-1][0], checked + len(rows)
            if progress is not None:
                progress(checked, after)

    def links_upto(self, conn: Any, last: int) -> Iterator[tuple[int, bytes]]:
        after: int | None = None
        while True:
            where, params = _range("position", after, last)
            rows = self.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE}{where} ORDER BY position LIMIT %s",
                             [*params, PAGE_SIZE])
            if not rows:
                return
            for position, hex_link in rows:
                yield position, bytes.fromhex(hex_link)
            after = rows[-1][0]

    def insert_links(self, conn: Any, links: list[tuple[int, str]]) -> None:
        if links:
            conn.cursor().executemany(self.sql(f"INSERT INTO {CHAIN_TABLE} (position, link) VALUES (%s, %s)"), links)


class _Postgres(_Store):
    def connect(self) -> AbstractContextManager[psycopg.Connection]:
        return psycopg.connect(postgres_conninfo(self.url), autocommit=True)

    @contextmanager
    def writing(self, conn: psycopg.Connection) -> Iterator[None]:
        with conn.transaction():
            # Transaction-scoped: released by the commit, so a crashed extender never keeps the chain locked.
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            yield

    def has_table(self, conn: psycopg.Connection, name: str) -> bool:
        return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]

    def create_chain_table(self) -> None:
        with self.connect() as conn, self.writing(conn):  # concurrent CREATE ... IF NOT EXISTS can still collide
            conn.execute(f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position BIGINT PRIMARY KEY, link TEXT NOT NULL)")


class _Sqlite(_Store):
    placeholder = "?"
    position_column = "rowid"  # eventsourcing's notification id on SQLite

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(sqlite_path(self.url), uri=True, timeout=_SQLITE_TIMEOUT, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def writing(self, conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the database's write lock up front: two extenders cannot read the same head.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def has_table(self, conn: sqlite3.Connection, name: str) -> bool:
        return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone())

    def create_chain_table(self) -> None:
        with self.connect() as conn:
            # INTEGER PRIMARY KEY (not BIGINT) makes the position SQLite's rowid: 64-bit all the same.
            conn.execute(f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} (position INTEGER PRIMARY KEY, link TEXT NOT NULL)")


def _range(column: str, after: int | None, upto: int | None) -> tuple[str, list[int]]:
    conditions = [(f"{column} > %s", after), (f"{column} <= %s", upto)]
    kept = [(text, value) for text, value in conditions if value is not None]
    where = " WHERE " + " AND ".join(text for text, _ in kept) if kept else ""
    return where, [value for _, value in kept]


def _store(url: str) -> _Store:
    return _Postgres(url) if is_postgres(url) else _Sqlite(url)
