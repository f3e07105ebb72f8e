"""Where the record lives: the events table, the snapshots table and the chain's table, on either store."""
from __future__ import annotations

from ledger.refused_keys import TABLE as REFUSED_TABLE
from ledger.store import is_postgres, store_env

# The name is historical (the chain began as a read model kept beside the log); it is part of the record now,
# written by the save itself, and no rebuild touches it.
CHAIN_TABLE = "rm_audit_chain"
CHAIN_COLUMNS = "position BIGINT PRIMARY KEY, link TEXT NOT NULL"
# INTEGER PRIMARY KEY (not BIGINT) makes the position SQLite's rowid: 64-bit all the same.
SQLITE_CHAIN_COLUMNS = "position INTEGER PRIMARY KEY, link TEXT NOT NULL"
# One row: the log's head when this version first opened the store. Events up to it were chained by the
# background loop of earlier versions; every later one is chained by its own save (ledger.audit.linking).
SINCE_TABLE = "ledger_audit_since"
KEYS_TABLE = "ledger_audit_keys"  # every signing key the ledger has used (ledger/audit/keys.py), append-only too


def events_table(url: str) -> str:
    """The table eventsourcing stores the ledger's events in, on the store the URL names."""
    from ledger.application import AwardLedger  # the table is named after the application, on PostgreSQL

    return f"{AwardLedger.name.lower()}_events" if is_postgres(url) else "stored_events"


def snapshots_table(url: str) -> str:
    """The table eventsourcing stores the ledger's snapshots in (present when snapshotting is on)."""
    return events_table(url).removesuffix("_events") + "_snapshots"


def ensure_event_store(url: str) -> None:
    """Create the ledger's tables (events, snapshots, chain) if missing, exactly as the application would."""
    from ledger.application import AwardLedger
    from ledger.audit.stores import open_store

    store = open_store(url)
    with store.connect() as conn:
        # Present already: nothing to create, and no CREATE OR REPLACE FUNCTION racing a starting service.
        if all(store.has_table(conn, t) for t in (events_table(url), CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE)):
            return
    AwardLedger(store_env(url)).close()  # its recorders create what is missing and change nothing else
