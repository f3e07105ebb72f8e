"""A live fold's few rows go to PostgreSQL as one JSON parameter (projections/sql.py `as_json`); a rebuild's
many as an array per column or by COPY. Whichever way a row goes, the table must hold the same values: the
property below writes the same rows both ways, into two tables of the read models' own shape, and reads them
back, for any text (quotes, backslashes, Chinese, control characters), any 64-bit number and NULL; values
JSON cannot carry as they are (a bool, a date, text that is not valid Unicode) go by the arrays. And the rows'
`data` texts, now written by orjson, read back as the standard library's encoding of them does."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.rows import tuple_row

from projections import sql as sqlmod
from projections.sql import FEW, Sql, as_json

COLUMNS = ("id", "position", "uscc", "award_year", "unpaid", "data")
DDL = ("CREATE TABLE {} (id TEXT PRIMARY KEY, position BIGINT NOT NULL, uscc TEXT NOT NULL, award_year INTEGER,"
       " unpaid TEXT, data TEXT NOT NULL)")
TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=40)
ROW = st.tuples(st.integers(-(2**63), 2**63 - 1), TEXT, st.none() | st.integers(-(2**31), 2**31 - 1),
                st.none() | TEXT, TEXT)


@pytest.fixture
def cursor(fresh_postgres_url: str):
    with psycopg.connect(fresh_postgres_url, autocommit=True) as conn:
        for name in ("via_json", "via_arrays"):
            conn.execute(DDL.format(name))
        yield conn.cursor(row_factory=tuple_row)
    for name in ("via_json", "via_arrays"):
        sqlmod.COLUMN_TYPES.pop(name, None)


def _read(cursor, table: str) -> list[tuple]:
    cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {table} ORDER BY id")
    return cursor.fetchall()


@pytest.mark.postgres
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=FEW), again=st.lists(ROW, max_size=FEW))
def test_rows_sent_as_json_are_stored_as_the_arrays_store_them(cursor, rows, again):
    sql = Sql(cursor, qmark=False)
    cursor.execute("TRUNCATE via_json, via_arrays")
    keyed = [(f"k{i}", *row) for i, row in enumerate(rows)]
    assert as_json(keyed) is not None
    sql.upsert("via_json", COLUMNS, keyed)
    arrays = [list(column) for column in zip(*keyed, strict=True)]
    types = sql.column_types("via_arrays")
    sql.run(f"INSERT INTO via_arrays ({', '.join(COLUMNS)}) SELECT * FROM unnest("
            f"{', '.join(f'%b::{types[c]}[]' for c in COLUMNS)})", arrays)
    assert _read(cursor, "via_json") == _read(cursor, "via_arrays") == sorted(keyed)
    # Upserted again: replaced by id, new ids added, exactly as the arrays' statement would.
    second = [(f"k{i * 2}", *row) for i, row in enumerate(again)]
    sql.upsert("via_json", COLUMNS, second)
    expected = {row[0]: row for row in keyed} | {row[0]: row for row in second}
    assert _read(cursor, "via_json") == sorted(expected.values())


@pytest.mark.postgres
def test_values_json_cannot_carry_as_they_are_go_by_the_arrays(cursor):
    sql = Sql(cursor, qmark=False)
    cursor.execute("CREATE TABLE dated (id TEXT PRIMARY KEY, day DATE, flag BOOLEAN, data TEXT NOT NULL)")
    rows = [("a", date(2025, 6, 1), True, "{}"), ("b", None, False, "{}")]
    assert as_json(rows) is None  # a date and a bool: the arrays' own conversions keep their types
    sql.upsert("dated", ("id", "day", "flag", "data"), rows)
    cursor.execute("SELECT id, day, flag, data FROM dated ORDER BY id")
    assert cursor.fetchall() == rows
    assert as_json([("c", 2**64, "{}")]) is None  # beyond 64 bits
    assert as_json([("d", "\ud800", "{}")]) is None  # a lone surrogate is not Unicode text
    sqlmod.COLUMN_TYPES.pop("dated", None)


@pytest.mark.postgres
def test_history_goes_as_json_in_a_live_fold_and_by_copy_in_bulk(cursor):
    """`insert` (the history's path): a few rows by one JSON statement, more than FEW by COPY; both hold the same."""
    sql = Sql(cursor, qmark=False)
    rows = [(f"h{i:03d}", i, "9133010" + "闽\\'\"" * (i % 3), i % 5 or None, None, "{\"x\": 1}")
            for i in range(FEW + 5)]
    sql.insert("via_json", COLUMNS, rows[:FEW])
    sql.insert("via_json", COLUMNS, rows[FEW:])  # five more, still the JSON statement
    sql.insert("via_arrays", COLUMNS, rows)  # more than FEW: COPY
    assert _read(cursor, "via_json") == _read(cursor, "via_arrays") == rows


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**80), 2**80) | TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5), max_leaves=30)
STDLIB = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(row=st.dictionaries(TEXT, JSON_VALUES, max_size=8))
def test_rows_are_written_as_the_standard_library_writes_them(row):
    """`dumps` (orjson) reads back as the standard library's encoding of the same row does, keys in the same order;
    what orjson will not write (numbers beyond 64 bits) is written by the standard library itself."""
    ours, theirs = sqlmod.dumps(row), STDLIB.encode(row)
    assert json.loads(ours) == json.loads(theirs) == row
    assert list(json.loads(ours)) == list(json.loads(theirs)) == sorted(row)


def test_what_the_standard_library_refuses_is_still_refused():
    for value in (date(2025, 6, 1), Decimal("1.00"), {1, 2}):
        with pytest.raises(TypeError):
            sqlmod.dumps({"value": value})
