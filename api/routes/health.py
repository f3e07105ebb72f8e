"""Liveness, readiness and metrics: answered without a principal, so load balancers, orchestrators and
Prometheus can poll them. None of them names an organisation, a claim or a principal."""
from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

from api import problems
from api.proposal_gauges import ProposalGauges
from api.schemas.common import PublicModel
from ledger.connection import check_idle
from ledger.store import is_postgres, sqlite_path

log = logging.getLogger("award_ledger.api")

router = APIRouter(tags=["health"])
PROBE_SECONDS = 3.0  # a probe that takes longer than this counts as an unreachable store
EXPOSITION = "text/plain; version=0.0.4; charset=utf-8"


class Health(PublicModel):
    status: Literal["ok"]


class Ready(PublicModel):
    status: Literal["ready"]
    store: Literal["ok"]
    events_recorded: int
    projection_position: int
    projection_lag: int
    max_lag: int
    projector: Literal["inprocess", "external"]


@dataclass
class Reading:
    """What a probe of the store found; `error` is None when the store answered."""

    error: str | None = None
    recorded: int = 0
    position: int = 0
    failing: dict | None = None  # the event the projector cannot apply: {position, error}
    failures: int = 0
    proposals: dict | None = None  # GET /v1/proposals/summary's answer, for /metrics' gauges
    waited: float | None = None  # seconds since the first event still waiting was recorded (None: none waits)
    file_gone: tuple[str, str] | None = None  # the SQLite file opened is no longer at its path (`file_gone`)
    error_zh: str | None = None  # `error` for a Chinese reader, where it was worded in both

    @property
    def lag(self) -> int:
        return max(0, self.recorded - self.position)


class Stall:
    """How long the read models have stood at one position while events wait. The position moving, or nothing
    waiting, as this process's probes see it, starts the clock again: a projector that is slow is not stalled,
    and one with nothing to apply is not behind. The store bounds it too: they cannot have waited longer than
    the first waiting event has existed, and they have waited at least since the last probe that saw them move.
    So a worker that had not been probed during a stall (a new one, or the other of two behind one load
    balancer) counts it from the store, not from its own first look, which answered "ready" for up to
    LEDGER_READY_MAX_STALL seconds past the limit."""

    def __init__(self) -> None:
        self.position, self.since = -1, None  # since: when this process last saw them move or keep up

    def seconds(self, reading: Reading) -> float:
        now = time.monotonic()
        if reading.lag == 0 or (self.position != -1 and reading.position != self.position):
            self.position, self.since = reading.position, now
            return 0.0
        self.position = reading.position
        bounds = [now - self.since] if self.since is not None else []
        if reading.waited is not None:
            bounds.append(reading.waited)
        return max(0.0, min(bounds, default=0.0))


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Answer 200 while the service is up; needs no token."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, responses=problems.responses(503))
async def readyz(request: Request) -> Any:
    """200 when the store answers and the read models keep up (LEDGER_READY_MAX_LAG, _STALL); else 503."""
    settings, reading = request.app.state.settings, await _probe(request)
    facts = {"store": "unreachable" if reading.error else "ok", "projection_lag": reading.lag,
             "max_lag": settings.ready_max_lag}
    if reading.file_gone is not None:  # no waiting makes it come back: the server writes where no one looks
        return problems.problem(request, 503, "not_ready", f"{reading.file_gone[0]}: what this server writes now goes"
                                " to a file no one will find. Stop the server, put the file back at its path (or"
                                " restore it from a backup), then start it again",
                                headers={"Retry-After": problems.RETRY_AFTER_SECONDS},
                                zh_detail=f"{reading.file_gone[1]}：本服务此后写入的"
                                          "内容将落在无人能找到的文件中。请停止服务，把文件放回原路径（或从备份恢复），"
                                          "再重新启动", **facts)
    if reading.error is not None:
        return problems.problem(request, 503, "not_ready", f"the store does not answer: {reading.error}. Start the"
                                " database or fix LEDGER_DATABASE_URL; this answer recovers by itself",
                                headers={"Retry-After": problems.RETRY_AFTER_SECONDS},
                                zh_detail=f"数据存储无响应：{reading.error_zh or reading.error}。请启动数据库或修正"
                                          " LEDGER_DATABASE_URL；恢复后本接口自动转为就绪", **facts)
    if reading.failing is not None:
        at, error = reading.failing["position"], reading.failing["error"]
        return problems.problem(request, 503, "not_ready", f"the read models are stuck: event {at} cannot be applied"
                                f" ({error}). The projector keeps trying; fix the cause (see its log) or run"
                                " `award-ledger rebuild` once it is fixed", headers={
                                    "Retry-After": problems.RETRY_AFTER_SECONDS}, failing_position=at,
                                failing_error=error,
                                zh_detail=f"读模型停滞：无法应用事件 {at}（{error}）。投影程序会持续重试；请按其日志"
                                          "排除原因，或在排除后运行 `award-ledger rebuild`", **facts)
    stalled = _stall(request).seconds(reading)
    if stalled > settings.ready_max_stall:
        fix = ("is `award-ledger project` running and connected?" if settings.projector == "external"
               else "the in-process projector is reconnecting to the database (see the log)")
        fix_zh = ("请检查 `award-ledger project` 是否在运行并已连接数据库" if settings.projector == "external"
                  else "进程内的投影程序正在重新连接数据库（见日志）")
        return problems.problem(request, 503, "not_ready", f"the read models have not moved for {stalled:.0f} s"
                                f" with {reading.lag:,} events waiting, more than LEDGER_READY_MAX_STALL="
                                f"{settings.ready_max_stall:g} s; {fix}", headers={
                                    "Retry-After": problems.RETRY_AFTER_SECONDS}, stalled_seconds=round(stalled),
                                zh_detail=f"读模型已 {stalled:.0f} 秒没有推进，仍有 {reading.lag:,} 个事件待处理，超过"
                                          f" LEDGER_READY_MAX_STALL={settings.ready_max_stall:g} 秒；{fix_zh}",
                                **facts)
    if reading.lag > settings.ready_max_lag:
        fix = ("is `award-ledger project` running?" if settings.projector == "external"
               else "the in-process projector is catching up")
        fix_zh = ("请检查 `award-ledger project` 是否在运行" if settings.projector == "external"
                  else "进程内的投影程序正在追赶")
        return problems.problem(request, 503, "not_ready", f"the read models are {reading.lag:,} events behind the"
                                f" store, more than LEDGER_READY_MAX_LAG={settings.ready_max_lag:,}; {fix}",
                                headers={"Retry-After": problems.RETRY_AFTER_SECONDS},
                                zh_detail=f"读模型落后数据存储 {reading.lag:,} 个事件，超过 LEDGER_READY_MAX_LAG="
                                          f"{settings.ready_max_lag:,}；{fix_zh}", **facts)
    return {"status": "ready", "store": "ok", "events_recorded": reading.recorded,
            "projection_position": reading.position, "projection_lag": reading.lag,
            "max_lag": settings.ready_max_lag, "projector": settings.projector}


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(request: Request) -> PlainTextResponse:
    """Prometheus text format: request latency, commands by outcome, events recorded, projection lag."""
    reading = await _probe(request, proposals=True)
    up = reading.error is None
    gauges = {
        "ledger_store_up": ("1 when the store answered this scrape, else 0.", 1.0 if up else 0.0),
        "ledger_events_recorded": ("Events in the store (its highest notification id).",
                                   reading.recorded if up else None),
        "ledger_projection_position": ("The last event the read models have folded.", reading.position if up else None),
        "ledger_projection_lag_events": ("How many events the read models are behind the store.",
                                         reading.lag if up else None),
        "ledger_projection_failing": ("1 while the projector cannot apply an event (see /readyz), else 0.",
                                      (1.0 if reading.failing else 0.0) if up else None),
        "ledger_projection_failures": ("Times applying an event has failed since the read models were last"
                                       " rebuilt.", reading.failures if up else None),
    }
    proposals = ProposalGauges(reading.proposals if up else None)
    return PlainTextResponse(request.app.state.metrics.exposition(gauges, [proposals]), media_type=EXPOSITION)


def _stall(request: Request) -> Stall:
    state = request.app.state
    if not hasattr(state, "stall"):
        state.stall = Stall()
    return state.stall


def store_file(url: str) -> tuple[str, int, int] | None:
    """The SQLite file a server opens, by path and identity (device, inode); None on PostgreSQL or in memory."""
    if is_postgres(url):
        return None
    path = sqlite_path(url)
    if path.startswith("file:"):  # a URI filename: its path, without the query (?mode=rwc) (a regression probe)
        path = unquote(urlsplit(path).path)
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return path, found.st_dev, found.st_ino


def file_gone(state: Any) -> tuple[str, str] | None:
    """Why the SQLite file this server opened is no longer at its path (deleted, moved, replaced), in English and
    Chinese, or None: the server would go on writing into a file no one finds (an operations probe deleted it:
    /readyz said ready and a 201 was lost at the restart)."""
    opened = getattr(state, "store_file", None)
    if opened is None:
        return None
    path, device, inode = opened
    try:
        now = os.stat(path)
    except OSError:
        return (f"the SQLite file {path} this server opened is gone (deleted or moved)",
                f"本服务打开的 SQLite 文件 {path} 已不在原处（被删除或移走）")
    if (now.st_dev, now.st_ino) != (device, inode):
        return (f"the SQLite file {path} is no longer the file this server opened (replaced)",
                f"SQLite 文件 {path} 已不是本服务打开的那个文件（被替换）")
    return None


async def _probe(request: Request, proposals: bool = False) -> Reading:
    state = request.app.state
    if (gone := file_gone(state)) is not None:
        log.error("readiness probe: %s; what is written now goes to a file no one will find: stop the server, put"
                  " the file back, start it again", gone[0])
        return Reading(gone[0], file_gone=gone)
    try:
        store = getattr(state, "primary_models", None) or state.read_models
        return await asyncio.wait_for(asyncio.to_thread(_read, state.read_models, proposals, store),
                                      PROBE_SECONDS)
    except TimeoutError:
        said = await _why(state.settings.database_url)
        return Reading(said[0] if said else f"no answer within {PROBE_SECONDS:g} s (is the database up and accepting"
                       " connections?)", error_zh=said[1] if said else None)
    except (*problems.STORE_ERRORS, OSError) as err:
        # One dead pooled connection per probe made /readyz flap after a restart: replace them all now. The
        # driver's own text (host names, internals) stays in the log, not in the answer.
        log.warning("readiness probe: the store does not answer: %s", str(err).strip()[:300])
        await asyncio.to_thread(check_idle, getattr(state.read_models.view, "datastore", None))
        said = await _why(state.settings.database_url)
        return Reading(said[0] if said else f"{type(err).__name__} (is the database up and accepting connections?)",
                       error_zh=said[1] if said else None)


async def _why(url: str) -> tuple[str, str] | None:
    """Why PostgreSQL refuses a connection, as the command line says it (no such database or user, a password
    refused: `api/commands/preflight.py`), in English and Chinese; None when it does not say at once (a server not
    answering, or SQLite). The pool only waits: an operations probe's /readyz took 3 s to say "no answer" of a
    database that had been renamed away, where the server had said so at once."""
    if not is_postgres(url):
        return None
    from api.commands.preflight import StoreRefused, check_postgres

    try:
        await asyncio.wait_for(asyncio.to_thread(check_postgres, url, 2), PROBE_SECONDS)
    except StoreRefused as err:
        return str(err), err.zh
    except Exception:  # nothing more precise to say than the probe's own words
        return None
    return None


def _read(read_models: Any, proposals: bool = False, store: Any = None) -> Reading:
    # Through the read models' own pool (pre-pinged), so a probe costs no new connection and sees what the
    # queries see; `_probe`'s timeout bounds a pool waiting for a server that has gone. With a read replica
    # (LEDGER_READ_DATABASE_URL) the events recorded are the primary's (`store`) and the position the replica's,
    # so the lag counts the replica's replay as well as the projector (both read on the replica, it was 0 while
    # the replica stood still).
    store = store or read_models
    position = read_models.position()
    failing, failures = store.view.failure()
    recorded = store.view.max_notification_id()
    first_waiting = store.view.recorded_at(position + 1) if recorded > position else None
    waited = None if first_waiting is None else (datetime.now(UTC) - first_waiting).total_seconds()
    return Reading(recorded=recorded, position=position, failing=failing, failures=failures, waited=waited,
                   proposals=read_models.proposal_summary() if proposals else None)
