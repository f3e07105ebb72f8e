"""Requests that fold a year's events or the whole log (a policy simulation, a reconciliation as of a moment, a
verification of the audit chain, by the API or on the audit page) take seconds of CPU and memory that grows
with the ledger. At most `LEDGER_LONG_QUERIES` of them run at once in a process; one more is refused at once
(503 `busy`, with Retry-After) rather than queued behind them, so a burst of them cannot take every thread, the
memory or the commands' share of the CPU."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from ledger.domain.errors import LongQueriesBusy


class LongQueries:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots while the body runs; `LongQueriesBusy` at once if none is free."""
        if not self._slots.acquire(blocking=False):
            raise LongQueriesBusy(
                f"{self.limit} long queries (simulations, reconciliations as of a moment, chain verifications) are"
                " already running in this process; nothing was changed: send the request again after Retry-After"
                " seconds",
                zh=f"本进程已有 {self.limit} 个耗时查询（政策模拟、按时点对账、事件链核验）正在运行，未作任何更改；"
                   "请在 Retry-After 秒后重新发送请求",
                running=self.limit)
        try:
            yield
        finally:
            self._slots.release()


def long_query(request: Request) -> LongQueries:
    """The app's guard (made at start-up from the settings)."""
    return request.app.state.long_queries
