"""Rows in SQL: a cursor adapter that speaks one placeholder style on both stores, and `SqlTables`, the
fold's `Tables` over the read-model tables inside one transaction. Rows read or written in a batch are
kept until the batch commits (one upsert per row, not per event); nothing outlives the transaction. The
rows a batch will read can be fetched together first (`prefetch`, see projections/prefetch.py), and on
PostgreSQL its writes go in bulk: one statement per table (each column an array, `unnest`ed back into
rows) and COPY for the appended history, rather than a statement per row."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from projections.history import summary
from projections.schema import HISTORY_COLUMNS, KEYED, Row

IN_LIST = 500  # ids in one SQLite IN (...)
FEW = 50  # rows an INSERT of arrays adds at once on PostgreSQL; more go by COPY
COLUMN_TYPES: dict[str, dict[str, str]] = {}
JSON_SAFE = (str, int, type(None))  # exact types a row may hold to go as JSON (not bool, not datetime)


# The standard library's encoder, made once (json.dumps with options builds a new one for every call), for
# what orjson will not write: a whole number beyond 64 bits, text that is not valid Unicode.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(row: Any) -> str:
    """A read-model row as compact JSON with sorted keys, by orjson: about 5 times the standard library's speed
    (bench/bench_orjson.py: 4.89×). Both write the same values, read back equal (tests/projections/test_sql_rows.py);
    the text itself may differ (escapes), and nothing compares it: the consistency check compares values.
    Whatever orjson will not write goes to the standard library, which writes it or refuses it as before (a
    date or time is passed through to it, not written in orjson's own way)."""
    try:
        return orjson.dumps(row, option=_ORJSON).decode()
    except orjson.JSONEncodeError:
        return _ENCODER.encode(row)


class Sql:
    """A DB-API cursor inside a transaction; queries are written with %s and adapted for sqlite3."""

    def __init__(self, cursor: Any, *, qmark: bool, rename: Callable[[str], str] | None = None) -> None:
        self.cursor = cursor
        self.qmark = qmark
        self.rename = rename  # a rebuild's: the read-model tables' names to their shadows' (projections/shadow.py)

    def _q(self, query: str) -> str:
        if self.rename is not None:
            query = self.rename(query)
        return query.replace("%s", "?") if self.qmark else query

    def run(self, query: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(self._q(query), tuple(params))

    def many(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.cursor.executemany(self._q(query), [tuple(r) for r in rows])

    def rows(self, query: str, params: Sequence[Any] = ()) -> list[tuple]:
        self.cursor.execute(self._q(query), tuple(params))
        return [tuple(r) for r in self.cursor.fetchall()]

    def value(self, query: str, params: Sequence[Any] = ()) -> Any:
        found = self.rows(query, params)
        return found[0][0] if found else None

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Add rows: on PostgreSQL by COPY in bulk, and a few (a live page) by one INSERT (`_rows_from`), which
        is one round trip where COPY takes two; else executemany."""
        if not rows:
            return
        if not self.qmark and len(rows) <= FEW:
            source, params = self._rows_from(table, columns, rows)
            self.run(f"INSERT INTO {table} ({', '.join(columns)}) {source}", params)
            return
        if self.qmark:
            self.many(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
                      rows)
            return
        with self.cursor.copy(self._q(f"COPY {table} ({', '.join(columns)}) FROM STDIN")) as copy:
            for row in rows:
                copy.write_row(row)

    def upsert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows or replace them by id (the first column). On PostgreSQL in one statement, the rows given
        as one parameter or an array per column (`_rows_from`)."""
        if not rows:
            return
        names = ", ".join(columns)
        updates = ", ".join(f"{n} = excluded.{n}" for n in columns[1:])
        if self.qmark:
            marks = ", ".join(["%s"] * len(columns))
            self.many(f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
                      rows)
            return
        source, params = self._rows_from(table, columns, rows)
        self.run(f"INSERT INTO {table} ({names}) {source} ON CONFLICT (id) DO UPDATE SET {updates}", params)

    def _rows_from(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[str, list]:
        """A SELECT giving `rows` back as `columns` of a PostgreSQL table, and its parameters: a few rows (at most
        FEW) as one jsonb array of arrays where `as_json` can write them, each column taken out by its place and
        cast to its type; otherwise each column as one binary array (no quoting of each element), `unnest`ed."""
        types = self.column_types(table)
        if len(rows) <= FEW and (rows_json := as_json(rows)) is not None:
            picks = ", ".join(f"r->>{i}" if types[c] == "text" else f"(r->>{i})::{types[c]}"
                              for i, c in enumerate(columns))
            return f"SELECT {picks} FROM jsonb_array_elements(%s::jsonb) AS r", [rows_json]
        arrays = ", ".join(f"%b::{types[c]}[]" for c in columns)
        return f"SELECT * FROM unnest({arrays})", [list(column) for column in zip(*rows, strict=True)]

    def column_types(self, table: str) -> dict[str, str]:
        """A PostgreSQL table's column types, looked up once per process."""
        found = COLUMN_TYPES.get(table)
        if found is None:
            found = COLUMN_TYPES[table] = dict(self.rows(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass"
                " AND attnum > 0 AND NOT attisdropped", (table,)))
        return found

    def with_ids(self, query: str, ids: Sequence[str]) -> list[tuple]:
        """`query` ("... WHERE id IN %s") for every id at once: an array on PostgreSQL, a list on SQLite."""
        if not self.qmark:
            return self.rows(query.replace("IN %s", "= ANY(%s)"), (list(ids),))
        found: list[tuple] = []
        for at in range(0, len(ids), IN_LIST):  # SQLite limits a statement's parameters
            chunk = ids[at:at + IN_LIST]
            found += self.rows(query.replace("IN %s", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)
        return found


def as_json(rows: Sequence[Sequence[Any]]) -> str | None:
    """A few rows as one JSON array of arrays, when every value is text, a whole number or NULL; else None.

    A live fold writes a few rows to each table. Sent as one `jsonb` parameter, each column taken out by its
    place (`r->>i`), they cost the client half what a binary array per column does (psycopg works out each
    array's element type and dumper every time): 50 against 80-100 µs a statement, with no more server time
    (bench/RESULTS.md, issue 17, sixth pass). Other types (a bool, a date) keep the arrays' own conversions."""
    for row in rows:
        for value in row:
            if type(value) not in JSON_SAFE:
                return None
    try:
        return orjson.dumps(rows).decode()
    except orjson.JSONEncodeError:  # text that is not valid Unicode, or a whole number beyond 64 bits
        return None


def history_values(h: Row) -> tuple:
    # The summary is made again on reading (history.summary): storing it would encode most payloads twice.
    return (h["position"], h["uscc"], h["aggregate_id"], h["version"], h["event"], h["recorded_at"],
            h["effective_on"], h["by"], dumps({"payload": h["payload"]}))


def history_from(values: Sequence[Any]) -> Row:
    """A stored history row back as the fold made it (`by_name` is `by`; data holds the payload, and in
    rows written before the summary was left out, the summary too)."""
    row = dict(zip(HISTORY_COLUMNS, values, strict=True))
    row["by"] = row.pop("by_name")
    row.update(json.loads(row.pop("data")))
    if "summary" not in row:
        row["summary"] = summary(row["payload"])
    return row


@dataclass
class Writes:
    """A batch's writes, encoded: rows to upsert per table, history rows and shared-cap index entries."""

    keyed: dict[str, list[tuple]] = field(default_factory=dict)
    history: list[tuple] = field(default_factory=list)
    cap_events: list[tuple[str, int]] = field(default_factory=list)

    def write(self, sql: Sql) -> None:
        for table, keyed in KEYED.items():
            if rows := self.keyed.get(table):
                sql.upsert(keyed.name, ["id", *(c for c, _ in keyed.columns), "data"], rows)
        sql.insert("rm_history", HISTORY_COLUMNS, self.history)
        sql.insert("rm_cap_events", ("account", "position"), self.cap_events)


class SqlTables:
    """The fold's rows over SQL for one batch. Rows are read through `sql`, or taken from `carried`: the
    rows another batch left, for a batch folded while that one is still being written (rebuild.replay)."""

    def __init__(self, sql: Sql, carried: dict[tuple[str, str], Row | None] | None = None) -> None:
        self.sql = sql
        self.carried = carried or {}
        self.cache: dict[tuple[str, str], Row | None] = {}  # every row this batch read or wrote
        self.dirty: dict[tuple[str, str], None] = {}  # an ordered set
        self.history: list[Row] = []
        self.cap_events: list[tuple[str, int]] = []

    def get(self, table: str, key: str) -> Row | None:
        at = (table, key)
        if at not in self.cache:
            if at in self.carried:
                self.cache[at] = self.carried[at]
            else:
                data = self.sql.value(f"SELECT data FROM {KEYED[table].name} WHERE id = %s", (key,))
                self.cache[at] = None if data is None else json.loads(data)
        return self.cache[at]

    def prefetch(self, table: str, keys: Iterable[str]) -> None:
        """Read the rows `keys` name in one query (those not read yet), so that `get` finds them in memory."""
        wanted = []
        for key in set(keys):
            at = (table, key)
            if at in self.cache:
                continue
            if at in self.carried:
                self.cache[at] = self.carried[at]
            else:
                wanted.append(key)
        if not wanted:
            return
        wanted.sort()
        found = dict(self.sql.with_ids(f"SELECT id, data FROM {KEYED[table].name} WHERE id IN %s", wanted))
        for key in wanted:
            data = found.get(key)
            self.cache[(table, key)] = None if data is None else json.loads(data)

    def put(self, table: str, key: str, row: Row) -> None:
        self.cache[(table, key)] = row
        self.dirty[(table, key)] = None

    def record(self, history: Row, shared: Sequence[str]) -> None:
        self.history.append(history)
        self.cap_events.extend((account, history["position"]) for account in shared)

    def writes(self) -> Writes:
        """The batch encoded: each changed row once (as it stands now), the history, the shared-cap index."""
        done = Writes(history=[history_values(h) for h in self.history], cap_events=list(self.cap_events))
        for table, key in self.dirty:
            row = self.cache[(table, key)]
            done.keyed.setdefault(table, []).append((key, *(f(row) for _, f in KEYED[table].columns), dumps(row)))
        return done

    def flush(self) -> None:
        """Write the batch through `sql`, and forget it."""
        self.writes().write(self.sql)
        self.cache.clear()
        self.dirty.clear()
        self.history.clear()
        self.cap_events.clear()


def iter_pages(sql: Sql, query: str, after: tuple, size: int = 500) -> Iterator[tuple]:
    """Stream a query's rows in keyset pages: `query` takes the last key seen, then a limit."""
    while True:
        page = sql.rows(query, (*after, size))
        yield from page
        if len(page) < size:
            return
        after = page[-1][: len(after)]
