"""A protected ledger with some history on each backend, its audit chain, and a DBA who can tamper with it.

The `Dba` changes stored events, snapshots and links the way someone with the database owner's rights could:
it first switches off the append-only triggers (disables them on PostgreSQL, drops them on SQLite), changes
the rows, and switches the triggers back on. That is the attacker the chain and the saved digest are there to catch.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from ledger.application import AwardLedger
from ledger.audit.append_only import protect
from ledger.audit.chain import CHAIN_TABLE, GENESIS, AuditChain, event_bytes, events_table, link
from ledger.audit.tables import KEYS_TABLE, SINCE_TABLE, snapshots_table
from ledger.store import is_postgres, postgres_conninfo, sqlite_path, store_env
from tests.store.conftest import FINANCE, KJJ, World


def record_history(world: World, organisations: int = 3) -> None:
    """A little of everything: organisations, bodies, certifications, claims decided, payouts, a reversal."""
    world.appropriate(2023)
    for _ in range(organisations):
        org = world.org()
        claim = world.approved(org, "A5.voucher", basis_amount="1000000")
        world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="100000", paid_on=date(2023, 7, 1),
                                   bank_ref=f"BANK-{org[-6:]}")
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    rejected = world.claim(org, "A3.erc", certification_id=cert)
    world.ledger.reject_claim(KJJ, claim_id=rejected["id"], reason="documents incomplete")
    claim = world.approved(org, "A3.erc", certification_id=cert)
    payout = world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="200000", paid_on=date(2023, 8, 1),
                                        bank_ref=f"BANK-ERC-{org[-6:]}").view
    world.ledger.reverse_payout(FINANCE, payout_id=payout["id"], reason="wrong account")


class Dba:
    """Reads and rewrites the store directly, with the append-only triggers switched off while it does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.events = events_table(url)
        self.id = "notification_id" if is_postgres(url) else "rowid"

    def positions(self) -> list[int]:
        return [row[0] for row in self._query(f"SELECT {self.id} FROM {self.events} ORDER BY {self.id}")]

    def aggregate_positions(self, aggregate_id: str) -> list[int]:
        """The positions of one aggregate's stored events, in order."""
        rows = self._query(f"SELECT {self.id}, originator_id FROM {self.events} ORDER BY {self.id}")
        return [position for position, originator in rows if str(UUID(str(originator))) == aggregate_id]

    def state(self, position: int) -> bytes:
        return bytes(self._query(f"SELECT state FROM {self.events} WHERE {self.id} = %s", (position,))[0][0])

    def chain_rows(self) -> int:
        return self._query(f"SELECT COUNT(*) FROM {CHAIN_TABLE}")[0][0]

    def flip_byte(self, position: int, index: int = 10) -> None:
        state = bytearray(self.state(position))
        state[index] ^= 0x01
        self._set_state(position, bytes(state))

    def swap_states(self, first: int, second: int) -> None:
        a, b = self.state(first), self.state(second)
        self._set_state(first, b)
        self._set_state(second, a)

    def change_topic(self, position: int) -> None:
        with self._unprotected() as conn:
            conn.execute(self._sql(f"UPDATE {self.events} SET topic = topic || 'x' WHERE {self.id} = %s"), (position,))

    def restore_topic(self, position: int) -> None:
        """Undo `change_topic` (a store restored from its backup, for that one event)."""
        with self._unprotected() as conn:
            conn.execute(self._sql(f"UPDATE {self.events} SET topic = substr(topic, 1, length(topic) - 1)"
                                   f" WHERE {self.id} = %s"), (position,))

    def raise_an_approved_amount(self) -> tuple[int, str]:
        """Change the stored amount of the first Claim.Approved event (300000.00 becomes 900000.00, say); (its
        position, its claim's id)."""
        rows = self._query(f"SELECT {self.id}, originator_id, state FROM {self.events} WHERE topic LIKE %s"
                           f" ORDER BY {self.id}", ("%Claim.Approved",))
        position, claim_id, state = rows[0][0], str(UUID(str(rows[0][1]))), bytes(rows[0][2])
        amount = json.loads(state)["amount"]["_data_"].encode()
        changed = state.replace(b'"' + amount + b'"', b'"9' + amount[1:] + b'"')
        assert changed != state
        self._set_state(position, changed)
        return position, claim_id

    def change_amount(self, aggregate_id: str, event: str, amount: str) -> tuple[int, str]:
        """Change the stored amount of `aggregate_id`'s first `event` (`Recovery.Repaid`, say) to `amount`, as
        someone with SQL would; (its position, the amount it had)."""
        rows = self._query(f"SELECT {self.id}, originator_id, state FROM {self.events} WHERE topic LIKE %s"
                           f" ORDER BY {self.id}", (f"%:{event}",))
        position, state = next((r[0], bytes(r[2])) for r in rows if str(UUID(str(r[1]))) == aggregate_id)
        was = json.loads(state)["amount"]["_data_"]
        changed = state.replace(f'"_data_":"{was}"'.encode(), f'"_data_":"{amount}"'.encode(), 1)
        assert changed != state, state
        self._set_state(position, changed)
        return position, was

    def run(self, statement: str, position: int) -> None:
        """One UPDATE of the event at `position`, as someone with SQL would write it (`%s` is the position)."""
        with self._unprotected() as conn:
            conn.execute(self._sql(statement.format(events=self.events, id=self.id)), (position,))

    def switch_off_triggers(self) -> None:
        """Disable (PostgreSQL) or drop (SQLite) the events table's append-only triggers, and leave them so."""
        with self._connect() as conn:
            self._switch_off(conn)
            conn.commit()

    def delete(self, position: int) -> None:
        with self._unprotected() as conn:
            conn.execute(self._sql(f"DELETE FROM {self.events} WHERE {self.id} = %s"), (position,))

    def forge_copy(self, of: int, at: int) -> None:
        """Insert a copy of the event at `of` under a new version, at position `at` (no trigger stops INSERT)."""
        columns = "originator_id, originator_version, topic, state"
        with self._connect() as conn:
            conn.execute(self._sql(f"INSERT INTO {self.events} ({self.id}, {columns}) SELECT %s, originator_id,"
                                   f" originator_version + 1000, topic, state FROM {self.events} WHERE {self.id} = %s"),
                         (at, of))
            conn.commit()

    def rewrite_chain(self) -> None:
        """Throw the stored links away and chain the events as they are now, hiding any tampering from them."""
        rows = self._query(f"SELECT {self.id}, originator_id, originator_version, topic, state FROM {self.events}"
                           f" ORDER BY {self.id}")
        prev, links = GENESIS, []
        for row in rows:
            prev = link(prev, event_bytes(*row))
            links.append((row[0], prev.hex()))
        with self._unprotected() as conn:
            conn.execute(f"DELETE FROM {CHAIN_TABLE}")
            conn.cursor().executemany(self._sql(f"INSERT INTO {CHAIN_TABLE} (position, link) VALUES (%s, %s)"), links)

    def unlink(self, after: int) -> None:
        """Delete the chain's links after `after`, as if a version that chained in the background lagged."""
        with self._unprotected() as conn:
            conn.execute(self._sql(f"DELETE FROM {CHAIN_TABLE} WHERE position > %s"), (after,))

    def set_upgrade_point(self, position: int) -> None:
        """Make the store look upgraded from a version that chained in the background, at `position`."""
        with self._unprotected() as conn:
            conn.execute(f"DELETE FROM {SINCE_TABLE}")
            conn.execute(self._sql(f"INSERT INTO {SINCE_TABLE} (position) VALUES (%s)"), (position,))

    def swap_public_key(self, key_id: str, public_pem: str) -> None:
        """Put another public key under `key_id` in the key registry, its append-only triggers switched off for it."""
        self._in_key_registry(f"UPDATE {KEYS_TABLE} SET public_key = %s WHERE key_id = %s", (public_pem, key_id))

    def delete_key(self, key_id: str) -> None:
        """Delete `key_id`'s row of the key registry, its append-only triggers switched off for it (an audit probe)."""
        self._in_key_registry(f"DELETE FROM {KEYS_TABLE} WHERE key_id = %s", (key_id,))

    def _in_key_registry(self, statement: str, params: tuple) -> None:
        with self._connect() as conn:
            if is_postgres(self.url):
                conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(KEYS_TABLE)))
            else:
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                            (KEYS_TABLE,)).fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
            conn.execute(self._sql(statement), params)
            if is_postgres(self.url):
                conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(sql.Identifier(KEYS_TABLE)))
            conn.commit()

    def change_link(self, position: int) -> None:
        """Flip a byte of the stored link at `position`."""
        old = self._query(f"SELECT link FROM {CHAIN_TABLE} WHERE position = %s", (position,))[0][0]
        new = ("1" if old[0] == "0" else "0") + old[1:]
        with self._unprotected() as conn:
            conn.execute(self._sql(f"UPDATE {CHAIN_TABLE} SET link = %s WHERE position = %s"), (new, position))

    def execute(self, text: str, params: tuple = ()) -> None:
        """Run one statement with every append-only trigger switched off (INSERT needs none)."""
        with self._unprotected() as conn:
            conn.execute(self._sql(text), params)

    def _set_state(self, position: int, state: bytes) -> None:
        with self._unprotected() as conn:
            conn.execute(self._sql(f"UPDATE {self.events} SET state = %s WHERE {self.id} = %s"), (state, position))

    @contextmanager
    def _unprotected(self) -> Iterator[Any]:
        # On PostgreSQL the switch-off, the change and the switch-on are one transaction: no one else sees a gap.
        with self._connect() as conn:
            self._switch_off(conn)
            yield conn
            if is_postgres(self.url):
                for table in self._tables():
                    conn.execute(sql.SQL("ALTER TABLE {} ENABLE TRIGGER USER").format(sql.Identifier(table)))
            conn.commit()
        if not is_postgres(self.url):
            protect(self.url)

    def _tables(self) -> list[str]:
        return [self.events, snapshots_table(self.url), CHAIN_TABLE, SINCE_TABLE]

    def _switch_off(self, conn: Any) -> None:
        if is_postgres(self.url):
            for table in self._tables():
                conn.execute(sql.SQL("ALTER TABLE {} DISABLE TRIGGER USER").format(sql.Identifier(table)))
            return
        for table in self._tables():
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                        (table,)).fetchall():
                conn.execute(f"DROP TRIGGER {name}")

    def _query(self, text: str, params: tuple = ()) -> list[tuple]:
        with self._connect() as conn:
            return list(conn.execute(self._sql(text), params).fetchall())

    def _connect(self) -> Any:
        if is_postgres(self.url):
            return psycopg.connect(postgres_conninfo(self.url))
        return closing(sqlite3.connect(sqlite_path(self.url), uri=True, timeout=10.0))

    def _sql(self, text: str) -> str:
        return text if is_postgres(self.url) else text.replace("%s", "?")


@pytest.fixture
def ledger(database_url: str) -> Iterator[AwardLedger]:
    """The application on an empty store, with the append-only triggers installed as at start-up."""
    app = AwardLedger(store_env(database_url))
    protect(database_url)
    yield app
    app.close()


@pytest.fixture
def world(ledger: AwardLedger) -> World:
    w = World(ledger)
    record_history(w)
    return w


@pytest.fixture
def chain(database_url: str, world: World) -> AuditChain:
    """The audit chain of a store with some history (chained by the commands that recorded it)."""
    return AuditChain.open(database_url)


@pytest.fixture
def dba(database_url: str) -> Dba:
    return Dba(database_url)
