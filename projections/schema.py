"""The read-model tables, the same DDL on SQLite and PostgreSQL. Every keyed table keeps its row as JSON
(`data`, what the code reads) beside typed columns for indexes and for people querying with SQL. Money
is TEXT with two places; sums happen in Python with Decimal."""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from projections.money import add, neg

Row = dict[str, Any]


@dataclass(frozen=True)
class Keyed:
    name: str
    columns: tuple[tuple[str, Callable[[Row], Any]], ...]


def _field(name: str) -> Callable[[Row], Any]:
    return lambda row: row.get(name)


def _fields(*names: str) -> tuple[tuple[str, Callable[[Row], Any]], ...]:
    return tuple((name, _field(name)) for name in names)


def folded(text: str) -> str:
    """Text as a search compares it, the same on both stores: NFKC (full-width ＡＢＣ１ is ABC1), case folded
    (SQLite's LOWER folds ASCII only, so a name was not found by its own É or Ａ), runs of spaces as one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _name_folded(row: Row) -> str | None:
    return folded(row["name"]) if row.get("kind") == "organisation" else None


KEYED: dict[str, Keyed] = {
    # An organisation's name as a search compares it (`folded`), for GET /v1/organisations?q= (projections/work.py).
    "records": Keyed("rm_records", (*_fields("kind", "uscc"), ("folded", _name_folded))),
    "caps": Keyed("rm_caps", (*_fields("scope", "programme", "year", "uscc", "body_id"),
                              ("cap_limit", _field("limit")), ("used", _field("used")), ("claims", _field("claims")))),
    "finance": Keyed("rm_finance", (*_fields("year", "programme", "bureau"), ("award", lambda r: int(r["award"])),
                                    *_fields("approved", "paid", "reversed", "claims"),
                                    ("outstanding", lambda r: add(r["approved"], neg(r["paid"]))))),
    "funds": Keyed("rm_funds", _fields("year", "appropriated", "approved")),
    # Bank matching (projections/bank.py): payouts by reference and day, and the imported statements' lines.
    "payouts": Keyed("rm_payouts", (*_fields("bank_ref", "paid_on", "amount"),
                                    ("reversed", lambda r: int(r["reversed"])))),
    "statements": Keyed("rm_statements", _fields("digest", "period_from", "period_to")),
    "bank_lines": Keyed("rm_bank_lines", _fields("statement_id", "reference", "amount")),
    # Work queues and GET /v1/claims (projections/queue.py): a claim's typed columns, paged by position.
    "claims": Keyed("rm_claims", _fields("position", "uscc", "programme", "lead", "status", "award_year",
                                         "unpaid", "submitted_at")),
    # Corrections (projections/recoveries.py): recoveries by status, organisation and bureau; repayments by reference.
    "recoveries": Keyed("rm_recoveries", _fields("status", "uscc", "lead", "claim_id")),
    "repayments": Keyed("rm_repayments", _fields("bank_ref", "received_on", "amount")),
}

HISTORY_COLUMNS = ("position", "uscc", "aggregate_id", "version", "event", "recorded_at", "effective_on", "by_name",
                   "data")

# rm_meta: set when the read models' as-of index also holds each year's finance events (`finance|YEAR` in
# rm_cap_events, projections/finance.py), which is so only if they were folded from the start by a version that
# indexes them: tables made empty, a rebuild's shadow, a reset. Read models folded by an earlier version lack
# the key, and a reconciliation as of a past moment then replays the whole log (projections/ledger_as_of.py).
INDEXED = "as_of_index"
MARK_INDEXED = (f"INSERT INTO rm_meta (key, value) SELECT '{INDEXED}', 'finance' WHERE NOT EXISTS"
                " (SELECT 1 FROM rm_history) ON CONFLICT (key) DO NOTHING")
DDL = (
    "CREATE TABLE IF NOT EXISTS rm_records (id TEXT PRIMARY KEY, kind TEXT NOT NULL, uscc TEXT, folded TEXT,"
    " data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_records_uscc ON rm_records (uscc, kind)",
    "CREATE TABLE IF NOT EXISTS rm_caps (id TEXT PRIMARY KEY, scope TEXT NOT NULL, programme TEXT NOT NULL,"
    " year INTEGER, uscc TEXT, body_id TEXT, cap_limit TEXT, used TEXT NOT NULL, claims INTEGER NOT NULL,"
    " data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_finance (id TEXT PRIMARY KEY, year INTEGER NOT NULL, programme TEXT NOT NULL,"
    " bureau TEXT NOT NULL, award INTEGER NOT NULL, approved TEXT NOT NULL, paid TEXT NOT NULL,"
    " reversed TEXT NOT NULL, claims INTEGER NOT NULL, outstanding TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_finance_year ON rm_finance (year)",
    "CREATE TABLE IF NOT EXISTS rm_funds (id TEXT PRIMARY KEY, year INTEGER NOT NULL, appropriated TEXT NOT NULL,"
    " approved TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_history (position BIGINT PRIMARY KEY, uscc TEXT NOT NULL, aggregate_id TEXT"
    " NOT NULL, version INTEGER NOT NULL, event TEXT NOT NULL, recorded_at TEXT NOT NULL, effective_on TEXT,"
    " by_name TEXT, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_history_uscc ON rm_history (uscc, position)",
    # The as-of index: which history rows moved an organisation-year or fund-wide cap (keyed by the cap's
    # account), and which a year's finance lines fold (keyed `finance|YEAR`).
    "CREATE TABLE IF NOT EXISTS rm_cap_events (account TEXT NOT NULL, position BIGINT NOT NULL,"
    " PRIMARY KEY (account, position))",
    "CREATE TABLE IF NOT EXISTS rm_payouts (id TEXT PRIMARY KEY, bank_ref TEXT NOT NULL, paid_on TEXT NOT NULL,"
    " amount TEXT NOT NULL, reversed INTEGER NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_payouts_ref ON rm_payouts (bank_ref)",
    # A reference booked again (its payouts reversed) is found case aside, as repayments' are (made when opened).
    "CREATE INDEX IF NOT EXISTS rm_payouts_ref_lower ON rm_payouts (lower(bank_ref))",
    "CREATE INDEX IF NOT EXISTS rm_payouts_day ON rm_payouts (paid_on)",
    "CREATE TABLE IF NOT EXISTS rm_statements (id TEXT PRIMARY KEY, digest TEXT NOT NULL, period_from TEXT NOT NULL,"
    " period_to TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rm_bank_lines (id TEXT PRIMARY KEY, statement_id TEXT NOT NULL, reference TEXT"
    " NOT NULL, amount TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_bank_lines_ref ON rm_bank_lines (reference)",
    # References are matched case aside (projections/bank.py `ref_key`): an index on the lowered one, made on an
    # existing store's lines too, when it is next opened (no rebuild needed).
    "CREATE INDEX IF NOT EXISTS rm_bank_lines_ref_lower ON rm_bank_lines (lower(reference))",
    "CREATE INDEX IF NOT EXISTS rm_bank_lines_statement ON rm_bank_lines (statement_id)",
    "CREATE TABLE IF NOT EXISTS rm_claims (id TEXT PRIMARY KEY, position BIGINT NOT NULL, uscc TEXT NOT NULL,"
    " programme TEXT NOT NULL, lead TEXT NOT NULL, status TEXT NOT NULL, award_year INTEGER NOT NULL, unpaid TEXT,"
    " submitted_at TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_claims_status ON rm_claims (status, position)",
    "CREATE INDEX IF NOT EXISTS rm_claims_lead ON rm_claims (lead, status, position)",
    "CREATE INDEX IF NOT EXISTS rm_claims_uscc ON rm_claims (uscc, position)",
    "CREATE TABLE IF NOT EXISTS rm_recoveries (id TEXT PRIMARY KEY, status TEXT NOT NULL, uscc TEXT NOT NULL,"
    " lead TEXT NOT NULL, claim_id TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_recoveries_uscc ON rm_recoveries (uscc, status)",
    "CREATE TABLE IF NOT EXISTS rm_repayments (id TEXT PRIMARY KEY, bank_ref TEXT NOT NULL, received_on TEXT NOT"
    " NULL, amount TEXT NOT NULL, data TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rm_repayments_ref ON rm_repayments (bank_ref)",
    # Repayments' references are matched case aside too, as payouts' are (made on an existing store when opened).
    "CREATE INDEX IF NOT EXISTS rm_repayments_ref_lower ON rm_repayments (lower(bank_ref))",
    "CREATE TABLE IF NOT EXISTS rm_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    MARK_INDEXED,
)
# Cleared by a rebuild (the tracking row is reset in the same transaction).
CLEARED = ("rm_records", "rm_caps", "rm_finance", "rm_funds", "rm_history", "rm_cap_events", "rm_meta", "rm_payouts",
           "rm_statements", "rm_bank_lines", "rm_claims", "rm_recoveries", "rm_repayments")


# Columns added to a table after stores were made with it: (table, column, type). `upgrade` adds them to a store
# opened by this version and fills them from the rows' JSON, once (no rebuild needed).
ADDED = (("rm_records", "folded", "TEXT"),)


def upgrade(sql: Any, *, postgres: bool) -> None:
    """Bring an existing store's read-model tables up to this version's: the columns `ADDED` since, filled."""
    for table, column, kind in ADDED:
        # Looked up first: ALTER TABLE takes the table's strongest lock even when the column is there (IF NOT
        # EXISTS on PostgreSQL), and every read of the table would queue behind it while another process reads.
        if postgres:
            have = {row[0] for row in sql.rows("SELECT column_name FROM information_schema.columns WHERE"
                                               " table_schema = current_schema() AND table_name = %s", (table,))}
        else:
            have = {row[1] for row in sql.rows(f"PRAGMA table_info({table})")}
        if column not in have:
            sql.run(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}" if postgres else
                    f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
    # The organisations still to fill, by an index of them alone: empty once filled, so a later start reads nothing
    # (not every record of the store, as a plain scan would at every start).
    sql.run("CREATE INDEX IF NOT EXISTS rm_records_unfolded ON rm_records (kind) WHERE kind = 'organisation' AND"
            " folded IS NULL")
    unfilled = sql.rows("SELECT id, data FROM rm_records WHERE kind = 'organisation' AND folded IS NULL")
    for record_id, data in unfilled:
        sql.run("UPDATE rm_records SET folded = %s WHERE id = %s", (folded(json.loads(data)["name"]), record_id))
