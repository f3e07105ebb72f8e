"""`replay` folds a page while the one before it is written: overtaken by another follower, it writes
nothing folded on rows that no longer stand, and `catch_up` finishes to the same state as a clean rebuild."""
from __future__ import annotations

import contextlib
import gc

from ledger.application import AwardLedger
from ledger.collector import fewer_collections
from projections import check, rebuild
from projections.rebuild import catch_up, decode, replay
from projections.view import open_view
from tests.projections.tables import dump, event_count
from tests.projections.workload import bulk_workload, mixed_workload


def test_a_replay_overtaken_by_another_follower_stops_and_catch_up_finishes(database_url: str, ledger: AwardLedger):
    mixed_workload(ledger)
    bulk_workload(ledger, 30)
    rebuild(database_url)
    clean = dump(database_url)

    view, other = open_view(database_url), open_view(database_url)
    try:
        view.reset()
        overtaken: list[int] = []

        def overtake(done: int, last: int) -> None:
            # The next page is folded by now, on top of `last`; another follower applies a few events first.
            if not overtaken:
                overtaken.append(other.apply(decode(ledger, ledger.recorder.select_notifications(start=last + 1,
                                                                                                 limit=10))))

        applied = replay(view, ledger, size=50, on_page=overtake)
        assert overtaken == [10]
        assert applied == 50  # the first page only: the second was folded on top of 50, which no longer stood
        applied += catch_up(view, ledger)
    finally:
        view.close()
        other.close()
    assert applied + 10 == event_count(database_url)
    assert dump(database_url) == clean
    assert check(database_url) == []


def test_a_rebuild_leaves_the_garbage_collector_as_it_found_it(database_url: str, ledger: AwardLedger):
    """Collections are made rarer during a replay only: the thresholds are restored, even on an error."""
    mixed_workload(ledger)
    before = gc.get_threshold()
    rebuild(database_url)
    assert gc.get_threshold() == before
    with fewer_collections():
        assert gc.get_threshold()[0] >= 20_000
        with contextlib.suppress(ZeroDivisionError), fewer_collections():
            1 / 0  # noqa: B018
    assert gc.get_threshold() == before
