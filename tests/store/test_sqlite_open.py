"""A second process opening a SQLite store while it is being written (a CLI command beside `serve`, the
consistency check after a demo) gets it opened, however often the writer commits.

Opening creates what is missing inside one transaction, and those statements read before the chain's one-row
table is written; in WAL mode such a transaction cannot write once another connection has committed, and
SQLite refused it at once ("database is locked"): two opens in three failed under a steady writer. The ledger's
recorder now takes the write lock first (ledger/sqlite_recorder.py), waiting its turn instead."""
from __future__ import annotations

import threading
from pathlib import Path

from ledger.application import AwardLedger
from ledger.demo import generate
from ledger.store import store_env
from projections.sqlite_view import SqliteView

OPENS = 40


def test_a_store_being_written_can_be_opened_again_and_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/ledger.sqlite3"
    writer_app = AwardLedger(store_env(url))
    SqliteView(url).close()  # the served store's journal: WAL, as the read models set it
    stop = threading.Event()

    def head() -> int:
        return writer_app.recorder.max_notification_id() or 0

    def write() -> None:
        seed = 0
        while not stop.is_set():
            generate(writer_app, organisations=2, bodies=1, seed=seed)  # a commit every command
            seed += 1

    writer = threading.Thread(target=write, name="writer")
    writer.start()
    failures: list[str] = []
    try:
        while head() == 0:  # the writer is committing before the first open
            stop.wait(0.01)
        before = head()
        for _ in range(OPENS):
            try:
                AwardLedger(store_env(url)).close()
            except Exception as error:  # every failure is what this test counts
                failures.append(f"{type(error).__name__}: {error}")
        during = head() - before
    finally:
        stop.set()
        writer.join()
        writer_app.close()
    assert during > 0, "the writer committed nothing while the store was opened: the test proved nothing"
    assert failures == []


def test_a_long_read_holds_no_other_reader_or_writer(tmp_path: Path) -> None:
    """Each thread reads on its own connection (WAL), so one long read (a 100,000-line statement's report, 5-10 s:
    an adversarial probe saw a bureau's awards wait 50 s behind eight) holds up neither another reader nor the
    projector's writes. The long read keeps its snapshot meanwhile."""
    view = SqliteView(f"sqlite:///{tmp_path}/ledger.sqlite3")
    holding, others_done = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def long_read() -> None:
        with view.reading() as sql:
            seen["before"] = sql.rows("SELECT COUNT(*) FROM rm_meta")[0][0]
            holding.set()
            seen["others_done_while_held"] = others_done.wait(30)
            seen["still"] = sql.rows("SELECT COUNT(*) FROM rm_meta")[0][0]

    reader = threading.Thread(target=long_read, name="long-read")
    reader.start()
    try:
        assert holding.wait(30)
        with view.writing() as sql:
            sql.run("INSERT INTO rm_meta (key, value) VALUES (%s, %s)", ("probe", "1"))
        with view.reading() as sql:
            seen["after"] = sql.rows("SELECT COUNT(*) FROM rm_meta")[0][0]
        others_done.set()
    finally:
        others_done.set()
        reader.join(60)
        view.close()
    assert seen["others_done_while_held"] is True, seen
    assert seen["after"] == seen["before"] + 1 and seen["still"] == seen["before"], seen  # its own snapshot


def test_readers_that_come_and_go_leave_no_files_open(tmp_path: Path) -> None:
    """The server's worker threads come and go; a connection kept per thread outlived its thread, and a regression
    probe saw files open grow with every quiet spell until every read failed. Reads borrow from a pool instead: a
    hundred threads in turn, then twenty at once, leave no more open than the pool holds."""
    import os

    from projections.sqlite_view import READERS

    view = SqliteView(f"sqlite:///{tmp_path}/ledger.sqlite3")

    def read() -> None:
        with view.reading() as sql:
            sql.rows("SELECT COUNT(*) FROM rm_meta")

    def files() -> int:
        return len(os.listdir("/proc/self/fd"))

    try:
        read()
        settled = files()
        for _ in range(100):
            thread = threading.Thread(target=read)
            thread.start()
            thread.join()
        assert files() <= settled + 2, (settled, files())  # one connection lent in turn (the WAL's files aside)
        start = threading.Barrier(20)

        def together() -> None:
            start.wait()
            read()

        threads = [threading.Thread(target=together) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        grown = files() - settled
        for _ in range(100):
            thread = threading.Thread(target=read)
            thread.start()
            thread.join()
        assert files() - settled == grown <= 3 * READERS, (settled, grown, files())
    finally:
        view.close()
