"""`rebuild` replays every read model from the log into shadow tables and swaps them in: a kill -9 or a
poison event mid-way leaves the serving read models as they were, the next rebuild starts over and applies
each event once, it shows its progress and rate, and its memory does not grow with the log."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest

from ledger.application import AwardLedger
from projections import Projector, ReadModels, check, rebuild
from tests.projections.tables import dump, event_count, max_notification_id, query
from tests.projections.workload import ADMIN, bulk_workload
from tests.support import record_poison_event, unique_uscc

ROOT = Path(__file__).resolve().parents[2]
KILL_AFTER_PAGES = 4


def _rebuild_killed_mid_way(url: str) -> int:
    """Run `rebuild` in its own process in small pages and SIGKILL it once a few pages have committed."""
    script = textwrap.dedent(f"""
        import time
        from projections.runner import rebuild

        def progress(done, total, rate):
            print(done, total, flush=True)
            time.sleep(0.005)

        rebuild({url!r}, progress, size=40)
        print("finished", flush=True)
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    assert child.stdout is not None
    lines = [child.stdout.readline() for _ in range(KILL_AFTER_PAGES + 1)]  # the first reports the start
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert "finished" not in lines
    return int(query(url, "SELECT notification_id FROM rs_tracking WHERE application_name = 'AwardLedger'")[0][0])


def _applied(url: str) -> int:
    return int(query(url, "SELECT value FROM rm_meta WHERE key = 'applied'")[0][0])


def _shadow_tables(url: str) -> list[str]:
    catalogue = "SELECT name FROM sqlite_master WHERE type = 'table'" if url.startswith("sqlite") else \
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    return sorted(name for (name,) in query(url, catalogue) if name.startswith("rs_"))


def test_a_rebuild_killed_mid_way_leaves_the_serving_read_models_and_the_next_starts_over(
        database_url: str, ledger: AwardLedger):
    """kill -9 mid-rebuild: the serving rows stay as they were; the next rebuild replays every event again,
    to the same rows as a clean replay, each event once (no marker makes it skip anything)."""
    bulk_workload(ledger, 260)
    head = max_notification_id(database_url)
    assert head > 2500
    rebuild(database_url)
    clean = dump(database_url)
    assert clean["rm_tracking"] == [(head,)]

    reached = _rebuild_killed_mid_way(database_url)
    assert 0 < reached < head  # the shadow had pages committed when it was killed
    assert dump(database_url) == clean  # the serving read models never saw the rebuild
    assert _shadow_tables(database_url)  # what the killed rebuild left, for the next to drop

    again = rebuild(database_url)
    assert again == event_count(database_url)
    assert dump(database_url) == clean
    assert _applied(database_url) == event_count(database_url)
    assert _shadow_tables(database_url) == []
    assert check(database_url) == []


def test_a_rebuild_that_fails_on_a_poison_event_leaves_the_serving_read_models(database_url: str,
                                                                               ledger: AwardLedger):
    """A rebuild meeting an event the fold cannot apply fails, and the read models still serve their old rows."""
    bulk_workload(ledger, 20)
    rebuild(database_url)
    before = dump(database_url)
    record_poison_event(ledger)

    with pytest.raises(Exception, match=r"not-money|Invalid|decimal"):
        rebuild(database_url)

    assert dump(database_url) == before
    assert _shadow_tables(database_url) == []
    models = ReadModels.open(database_url)
    try:
        assert models.position() == before["rm_tracking"][0][0]
    finally:
        models.close()


def test_a_running_projector_follows_a_rebuild_that_resets_under_it(database_url: str, ledger: AwardLedger,
                                                                     read_models: ReadModels, projector: Projector):
    """Commands recorded while a rebuild resets the read models under a live projector are applied once."""
    bulk_workload(ledger, 40)
    assert read_models.wait(max_notification_id(database_url), timeout=30)
    written: list[int] = []

    def progress(done: int, total: int, rate: float) -> None:
        if len(written) < 3:  # new events while the rebuild is part-way, for the projector to meet
            written.append(ledger.register_organisation(ADMIN, uscc=unique_uscc(), name="Late",
                                                        in_district=True).position)
            projector.wake()

    rebuild(database_url, progress, size=50)

    assert read_models.wait(written[-1], timeout=30)
    assert check(database_url) == []
    assert _applied(database_url) == event_count(database_url)


def test_rebuild_reports_progress_and_rate(database_url: str, ledger: AwardLedger):
    """Progress rises page by page to the store's head, with a positive events-per-second rate."""
    bulk_workload(ledger, 60)
    reports: list[tuple[int, int, float]] = []

    applied = rebuild(database_url, lambda done, total, rate: reports.append((done, total, rate)), size=100)

    head = max_notification_id(database_url)
    assert applied == event_count(database_url)
    assert len(reports) >= head // 100
    assert [done for done, _, _ in reports] == sorted(done for done, _, _ in reports)
    assert reports[-1][:2] == (head, head)
    assert reports[-1][2] > 0


def _peak_memory_of_rebuild(url: str) -> int:
    tracemalloc.start()
    try:
        rebuild(url, size=200)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rebuild_memory_stays_flat_as_the_log_grows(database_url: str, ledger: AwardLedger):
    """Rebuilding four times as many events needs about the same peak memory: the log is streamed in pages."""
    bulk_workload(ledger, 60)
    rebuild(database_url)  # warm caches and imports, so both measurements start alike
    small_events, small = event_count(database_url), _peak_memory_of_rebuild(database_url)
    bulk_workload(ledger, 180)
    large_events, large = event_count(database_url), _peak_memory_of_rebuild(database_url)

    assert large_events >= 3 * small_events
    assert large < small * 1.5, (small, large)
