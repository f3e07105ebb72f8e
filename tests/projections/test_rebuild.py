"""`rebuild` replays every read model from the log, resumably: a kill -9 mid-way loses nothing and
applies nothing twice, it shows its progress and rate, and its memory does not grow with the log."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

from ledger.application import AwardLedger
from projections import Projector, ReadModels, check, rebuild
from tests.projections.tables import dump, event_count, max_notification_id, query
from tests.projections.workload import ADMIN, bulk_workload, mixed_workload
from tests.support import unique_uscc

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
    return int(query(url, "SELECT notification_id FROM rm_tracking WHERE application_name = 'AwardLedger'")[0][0])


def _applied(url: str) -> int:
    return int(query(url, "SELECT value FROM rm_meta WHERE key = 'applied'")[0][0])


def test_a_rebuild_killed_mid_way_resumes_to_the_identical_state(database_url: str, ledger: AwardLedger):
    """kill -9 mid-rebuild, then rebuild (or a projector) again: the same rows as a clean replay, each event once."""
    mixed_workload(ledger)
    bulk_workload(ledger, 260)
    head = max_notification_id(database_url)
    assert head > 2500
    rebuild(database_url)
    clean = dump(database_url)
    assert clean["rm_tracking"] == [(head,)]

    # Restarted by a second rebuild, which resumes from the tracked position instead of starting over.
    reached = _rebuild_killed_mid_way(database_url)
    assert 0 < reached < head
    resumed = rebuild(database_url)
    assert resumed == event_count(database_url) - event_count(database_url, upto=reached)
    assert dump(database_url) == clean
    assert _applied(database_url) == event_count(database_url)

    # Restarted by a projector instead.
    reached = _rebuild_killed_mid_way(database_url)
    assert 0 < reached < head
    projector = Projector(database_url, app=ledger)
    projector.start()
    try:
        models = ReadModels.open(database_url)
        assert models.wait(head, timeout=60)
        models.close()
    finally:
        projector.stop()
    finished = dump(database_url)
    # The projector completes the replay; only the rebuild's own "begun" mark is left for the next rebuild.
    assert ("rebuilding", "1") in finished.pop("rm_meta")
    assert finished == {k: v for k, v in clean.items() if k != "rm_meta"}
    assert _applied(database_url) == event_count(database_url)
    assert check(database_url) == []


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
