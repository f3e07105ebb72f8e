"""Prefetching a page's rows saves round trips and changes nothing: with it or without it, or with a page
folded in small pieces, a rebuild writes the same rows."""
from __future__ import annotations

import pytest

from ledger.application import AwardLedger
from projections import check, rebuild
from projections.sql import Sql, SqlTables
from tests.projections.tables import dump
from tests.projections.workload import bulk_workload, mixed_workload

SINGLE_ROW_READ = "SELECT data FROM"  # SqlTables.get, one row per query


@pytest.fixture
def single_row_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The single-row reads the fold makes (counted, then run against the store as ever)."""
    seen: list[str] = []
    value = Sql.value

    def counting(self: Sql, query: str, params=()):
        if query.startswith(SINGLE_ROW_READ):
            seen.append(query)
        return value(self, query, params)

    monkeypatch.setattr(Sql, "value", counting)
    return seen


def test_a_rebuild_reads_no_row_one_at_a_time(database_url: str, ledger: AwardLedger, single_row_reads: list[str]):
    """Every row a page's events read was fetched with the page's own few queries."""
    mixed_workload(ledger)
    bulk_workload(ledger, 30)
    rebuild(database_url, size=40)
    assert single_row_reads == []
    assert check(database_url) == []


def test_without_prefetching_a_rebuild_writes_the_same_rows(database_url: str, ledger: AwardLedger,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           single_row_reads: list[str]):
    """Prefetching is only a hint: when it fetches nothing, `get` reads each row and the result is the same."""
    mixed_workload(ledger)
    bulk_workload(ledger, 30)
    rebuild(database_url)
    prefetched = dump(database_url)

    monkeypatch.setattr(SqlTables, "prefetch", lambda self, table, keys: None)
    rebuild(database_url, size=7)
    assert single_row_reads  # the fold did read rows one at a time
    assert dump(database_url) == prefetched
    assert check(database_url) == []
