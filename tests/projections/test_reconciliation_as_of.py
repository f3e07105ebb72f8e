"""A reconciliation as of a past moment folds the year's own events from the as-of index: with read models
behind the log, on read models folded before the index existed (the whole log then, as before), and after a
rebuild or a reset, which make the index whole again. The property over corrections is in
test_corrections_properties.py."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from ledger.application import AwardLedger
from projections import ReadModels, rebuild
from projections.finance import as_of_key
from projections.ledger_as_of import reconciliation_as_of
from projections.rebuild import decode, pages
from projections.schema import INDEXED
from projections.view import Rewound
from tests.projections.workload import mixed_workload

YEARS = (2023, 2024, 2025)


def _figures(reconciliation: dict) -> dict:
    return {k: v for k, v in reconciliation.items() if k not in ("events_replayed", "position")}


def _fold_upto(ledger: AwardLedger, read_models: ReadModels, position: int) -> None:
    """The read models folded up to `position` and no further, as a projector that has fallen behind."""
    for page in pages(ledger, read_models.position(), upto=position):
        read_models.view.apply(decode(ledger, page))


def _moments(ledger: AwardLedger) -> list[datetime]:
    """Every recorded instant in the log, and one after the last."""
    found = sorted({datetime.fromisoformat(row.recorded_at)
                    for page in pages(ledger, 0) for row in decode(ledger, page)})
    return [*found, datetime.now(UTC)]


def _same_as_the_whole_log(ledger: AwardLedger, read_models: ReadModels, at: datetime) -> None:
    for year in YEARS:
        indexed = reconciliation_as_of(ledger, year, at, read_models=read_models)
        assert _figures(indexed) == _figures(reconciliation_as_of(ledger, year, at)), (year, at)


def test_read_models_behind_the_log_are_completed_from_the_log(ledger: AwardLedger, read_models: ReadModels):
    """Whatever position the read models stand at (none folded, half, all), the answer at every recorded
    instant is the whole log's: what they have not folded yet is read from the log itself."""
    mixed_workload(ledger)
    head = ledger.recorder.max_notification_id()
    moments = _moments(ledger)
    for position in (0, head // 2, head):
        _fold_upto(ledger, read_models, position)
        assert read_models.position() == position
        for at in moments[:: max(1, len(moments) // 8)] + moments[-1:]:
            _same_as_the_whole_log(ledger, read_models, at)


def test_the_index_files_a_years_claims_and_recoveries_and_nothing_else(ledger: AwardLedger,
                                                                        read_models: ReadModels):
    """Indexed under a year: every event of its claims, and no registration, certification or fund event."""
    mixed_workload(ledger)
    _fold_upto(ledger, read_models, ledger.recorder.max_notification_id())
    now = datetime.now(UTC)
    for year in YEARS:
        rows = list(read_models.finance_history(year, now)[0])
        assert {row.event.split(".")[0] for row in rows} <= {"Claim", "Recovery"}
        opened = [row for row in rows if row.event in ("Claim.Submitted", "Claim.Proposed")]
        assert {row.aggregate_id for row in rows} == {row.aggregate_id for row in opened}
        assert all(row.payload["award_year"] == year for row in opened)
    assert list(read_models.finance_history(2023, now)[0]) and list(read_models.finance_history(2024, now)[0])
    assert list(read_models.finance_history(2025, now)[0]) == []  # appropriated, never claimed
    # Read a page of two at a time, the same rows in the same order.
    assert list(read_models.finance_history(2023, now, page=2)[0]) == list(read_models.finance_history(2023, now)[0])


def test_read_models_reset_while_the_index_is_read_are_not_trusted(ledger: AwardLedger, read_models: ReadModels):
    """A reset under the read (the position goes back) raises `Rewound` once the rows are read, and the
    answer is then the whole log's."""
    mixed_workload(ledger)
    _fold_upto(ledger, read_models, ledger.recorder.max_notification_id())
    rows, _ = read_models.finance_history(2023, datetime.now(UTC), page=2)
    next(rows)
    read_models.view.reset()
    with pytest.raises(Rewound):
        list(rows)


def test_read_models_folded_before_the_index_replay_the_whole_log_until_rebuilt(
        database_url: str, ledger: AwardLedger, read_models: ReadModels, caplog: pytest.LogCaptureFixture):
    """Read models an earlier version folded have neither the key nor the year's index rows: the answer is
    the whole log's (and says so in the log) until a rebuild builds the index; a reset does too."""
    mixed_workload(ledger)
    _fold_upto(ledger, read_models, ledger.recorder.max_notification_id())
    at = datetime.now(UTC)
    whole = {year: _figures(reconciliation_as_of(ledger, year, at)) for year in YEARS}
    with read_models.view.writing() as sql:  # as an earlier version left them
        sql.run("DELETE FROM rm_meta WHERE key = %s", (INDEXED,))
        sql.run("DELETE FROM rm_cap_events WHERE account LIKE %s", ("finance|%",))
    assert read_models.finance_history(2023, at) is None
    with caplog.at_level(logging.WARNING, logger="projections"):
        assert _figures(reconciliation_as_of(ledger, 2023, at, read_models=read_models)) == whole[2023]
    assert "award-ledger rebuild" in caplog.text

    rebuild(database_url)
    assert read_models.view.meta(INDEXED) == "finance"
    for year in YEARS:
        assert read_models.finance_history(year, at) is not None
        assert _figures(reconciliation_as_of(ledger, year, at, read_models=read_models)) == whole[year]

    with read_models.view.writing() as sql:
        sql.run("DELETE FROM rm_meta WHERE key = %s", (INDEXED,))
    read_models.view.reset()
    assert read_models.view.meta(INDEXED) == "finance"
    _fold_upto(ledger, read_models, ledger.recorder.max_notification_id())
    with read_models.view.reading() as sql:
        assert sql.value("SELECT COUNT(*) FROM rm_cap_events WHERE account = %s", (as_of_key(2023),)) > 0
    _same_as_the_whole_log(ledger, read_models, at)
