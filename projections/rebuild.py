"""Following the notification log in pages, and `rebuild`: every read model replayed from the log.

Each page is applied with its tracking position in one transaction, so every event is applied exactly
once whoever applies it. A rebuild writes into shadow tables and swaps them in only once they reach the
head (projections/shadow.py): killed at any moment (kill -9), it leaves the serving read models as they
were, and the next `rebuild` starts over. Pages are streamed,
never the whole log, so memory stays flat however long the log is; a rebuild's pages are larger than a
follower's (fewer transactions and round trips), still one page in memory at a time.

Events are read straight from their stored JSON (projections/decoding.py), and an event no stage of the
fold handles (the cap accounts' own bookkeeping, idempotency records) is counted and tracked but not
decoded at all.
"""
from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from threading import Event
from typing import Any
from weakref import WeakKeyDictionary

from eventsourcing.persistence import Notification

from ledger import collector
from projections import fold, shadow
from projections.decoding import Decoder
from projections.events import EventRow
from projections.prefetch import prefetch
from projections.sql import SqlTables
from projections.view import Diverged, ReadModelView, open_ledger, open_view

Progress = Callable[[int, int, float], None]
PAGE = 500  # a follower's page
REBUILD_PAGE = 2000  # a rebuild's: fewer, larger transactions; memory still holds one page, not the log


def pages(app: Any, after: int, *, upto: int | None = None, size: int = PAGE) -> Iterator[Sequence[Notification]]:
    """The log after `after` (up to `upto`), a page of notifications at a time."""
    while True:
        page = app.recorder.select_notifications(start=after + 1, limit=size, stop=upto)
        if not page:
            return
        yield page
        after = page[-1].id


_decoders: WeakKeyDictionary[Any, Decoder] = WeakKeyDictionary()


def decoder(app: Any) -> Decoder:
    """The application's decoder of stored events, made once per mapper."""
    found = _decoders.get(app.mapper)
    if found is None:
        found = _decoders[app.mapper] = Decoder(app.mapper)
    return found


def decode(app: Any, page: Sequence[Notification]) -> list[EventRow]:
    """A page of notifications as the rows the fold reads (projections/decoding.py)."""
    return decoder(app)(page)


class Unlinked(RuntimeError):
    """An event of the log without a link in the tamper-evidence chain, past the upgrade point: no save wrote it
    (a save links its events as it commits), so it was slipped into the events table by hand. The live read models
    stop before it rather than show what it says (an audit probe's forged approval was folded into the awards, the
    reconciliation and the work queue while `verify` and the claim's own page called it tampering)."""

    def __init__(self, position: int) -> None:
        super().__init__(f"event {position} has no link in the tamper-evidence chain: it was put into the events"
                         " table by hand, not recorded by the ledger, so the read models stop before it. Run"
                         " `award-ledger verify` to see what else changed, and restore the store from a backup; to"
                         " fold it knowingly, `award-ledger rebuild --accept-tampered`")
        self.position = position


def linked_part(app: Any, page: Sequence[Notification]) -> tuple[Sequence[Notification], int | None]:
    """The events of `page` before the first one without a link (past the upgrade point), and that one's position
    (None: every one is linked). One indexed query of the chain's positions in the page's range."""
    bad = app.recorder.unlinked([n.id for n in page]) if hasattr(app.recorder, "unlinked") else []
    if not bad:
        return page, None
    first = min(bad)
    return [n for n in page if n.id < first], first


def catch_up(view: ReadModelView, app: Any, *, size: int = PAGE, stop: Event | None = None,
             on_page: Callable[[int, int], None] | None = None, linked: bool = False) -> int:
    """Apply the log from the tracked position to its head; returns how many events this call applied. `linked`
    (the live projector): stop before an event without a link in the chain, raising `Unlinked`."""
    applied, read, folded = 0, decoder(app), fold.folded()
    while stop is None or not stop.is_set():
        # Read back each time: another follower may have moved it, or a rebuild reset it.
        position = view.position()
        page = app.recorder.select_notifications(start=position + 1, limit=size)
        if not page:
            break
        bad = None
        if linked:
            page, bad = linked_part(app, page)
            if not page:
                raise Unlinked(bad)  # type: ignore[arg-type]
        done = view.apply(read(page, only=folded))  # events no stage folds are counted, not decoded
        applied += done
        if on_page is not None:
            on_page(done, page[-1].id)
        if bad is not None:
            raise Unlinked(bad)
    return applied


def replay(view: ReadModelView, app: Any, *, size: int = REBUILD_PAGE,
           on_page: Callable[[int, int], None] | None = None) -> int:
    """Apply the log from the tracked position to its head as `catch_up` does, but fold each page while the
    page before it is being written by a second thread: the database's work on one page overlaps Python's
    on the next. Returns how many events it applied.

    A page is folded on the rows as the previous page left them: whatever that page read or wrote is
    carried over in memory, and any other row is read from the database, where it is as the previous
    page found it (the page before that one is committed). Each page is written with its tracking position
    in one transaction that first checks the position is still the one the page was folded on; if another
    follower moved it (or a rebuild reset it), the page is dropped (`Diverged`) and replay stops there, for
    `catch_up` to go on from wherever the position stands.
    """
    with collector.fewer_collections():
        return _replay(view, app, size=size, on_page=on_page)


def _replay(view: ReadModelView, app: Any, *, size: int, on_page: Callable[[int, int], None] | None) -> int:
    read, folded = decoder(app), fold.folded()
    applied, after = 0, view.position()
    carried: dict[tuple[str, str], Any] = {}
    pending: tuple[Future[None], int, int] | None = None  # the page being written: its future, size, last id

    def written() -> None:
        nonlocal applied
        if pending is not None:
            future, done, last = pending
            future.result()
            applied += done
            if on_page is not None:
                on_page(done, last)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rebuild-writer") as writer:
        try:
            while page := app.recorder.select_notifications(start=after + 1, limit=size):
                rows = read(page, only=folded)
                with view.reading() as sql:  # left before waiting: SQLite's one connection serves both threads
                    tables = SqlTables(sql, carried)
                    prefetch(tables, rows)
                    for row in rows:
                        fold.apply(tables, row)
                writes = tables.writes()
                written()
                pending = (writer.submit(view.apply_folded, writes, after=after, last=page[-1].id, events=len(page)),
                           len(page), page[-1].id)
                after, carried = page[-1].id, tables.cache
            written()
        except Diverged:
            pass
    return applied


def rebuild(url: str, progress: Progress | None = None, *, size: int = REBUILD_PAGE) -> int:
    """Replay every read model from the log into shadow tables and swap them in; returns the events applied.

    `progress(done, total, rate)` follows each committed page: `done` is the notification id reached,
    `total` the store's highest, `rate` events applied per second. The serving read models answer as
    before until the swap, one transaction (projections/shadow.py); a rebuild that fails or is killed
    leaves them as they were, and the next one starts over.
    """
    view = open_view(url)
    app = open_ledger(url)
    try:
        built = shadow.begin(view)
        started, applied = time.monotonic(), 0
        head = view.max_notification_id()

        def report(done: int, reached: int) -> None:
            nonlocal applied, head
            applied += done
            head = max(head, reached)
            if progress is not None:
                progress(reached, head, applied / max(time.monotonic() - started, 1e-6))

        def missing(after: int, upto: int) -> list[EventRow]:
            nonlocal applied
            read, folded = decoder(app), fold.folded()
            rows = [row for page in pages(app, after, upto=upto, size=size) for row in read(page, only=folded)]
            applied += len(rows)
            return rows

        try:
            report(0, 0)
            replay(built, app, size=size, on_page=report)
            catch_up(built, app, size=size, on_page=report)  # anything recorded since
            shadow.swap(view, built, missing)
        except BaseException:
            with contextlib.suppress(Exception):  # the store may be what failed; the next rebuild drops it then
                shadow.drop(view)
            raise
        catch_up(view, app, size=size, on_page=report)  # recorded during the swap, if no follower runs
        return applied
    finally:
        app.close()
        view.close()
