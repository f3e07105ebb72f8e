"""What an organisation has been awarded, now or as the ledger knew it then, and its history; read models."""
from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from api import labels
from api.deps import PrincipalDep, ReadModelsDep
from api.problems import responses
from api.schemas.awards import AsOf, AwardStatePublic, HistoryPublic
from api.schemas.fields import Uscc
from ledger import beijing
from ledger.application import AwardLedger
from ledger.domain.errors import NotFound
from projections.readmodels import ReadModels

router = APIRouter(tags=["awards"])


def _unknown(uscc: str) -> NotFound:
    return NotFound(f"organisation {uscc} is not in the ledger (register it with POST /v1/organisations first)",
                    zh=f"台账中没有企业 {uscc}；请核对统一社会信用代码，或先通过 POST /v1/organisations 登记")


def unknown_then(uscc: str, as_of: Any, registered: Any = None) -> NotFound:
    """An organisation registered after `as_of`: the ledger did not know it then (it was told to register it,
    which a conflict then refused). Both moments to the microsecond, in the form as_of takes, and the registration's
    as the as_of to ask for (an audit probe asked again at the second shown, 1 µs before it, and was refused
    again; a regression probe asked that the answer say what to send)."""
    def shown(at: Any, zone: str) -> str:
        moment = beijing.local(at)
        return f"{moment.isoformat()}{zone}" if moment is not None else str(at)

    if registered is not None and beijing.local(registered) is not None:
        when = shown(registered, "")
        return NotFound(f"organisation {uscc} was not yet in the ledger at {shown(as_of, ' (Beijing time)')}: it was"
                        f" registered at {when}; ask for as_of={when} or later, or leave as_of out for the state now",
                        zh=f"截至 {shown(as_of, '（北京时间）')}，台账中尚无企业 {uscc}：其登记于 {when}；请使用"
                           f" as_of={when} 或更晚的时间，或省略 as_of 查询当前状态")
    return NotFound(f"organisation {uscc} was not yet in the ledger at {shown(as_of, ' (Beijing time)')}: it was"
                    " registered later; ask for a later as_of, or leave as_of out for the state now",
                    zh=f"截至 {shown(as_of, '（北京时间）')}，台账中尚无企业 {uscc}（其登记在此之后）；"
                       "请使用更晚的 as_of，或省略 as_of 查询当前状态")


@router.get("/v1/organisations/{uscc}/awards", response_model=AwardStatePublic, responses=responses(401, 404, 422))
async def get_awards(uscc: Uscc, by: PrincipalDep, request: Request,
                     as_of: Annotated[AsOf | None, Query(description="an RFC 3339 timestamp with offset: the state as"
                                                         " the ledger knew it then",
                                                         examples=["2024-01-01T00:00:00+08:00"])]
                     = None) -> dict[str, Any]:
    """An organisation's totals (entitled, approved, paid, outstanding), per programme (article order), caps' room."""
    # async: on PostgreSQL the query runs on the event loop (async connections), elsewhere in a worker thread,
    # once (a plain `def` route also sent its answer's validation to a thread and back); the read models and the
    # ledger straight from the app's state rather than as dependencies (bench/RESULTS.md, issue 17, third pass).
    app = request.app.state
    read_models: ReadModels = app.read_models
    ledger: AwardLedger = app.ledger
    # PostgreSQL: asked on the event loop, not in a thread; on the loop the lifespan runs on, the one its async
    # connections belong to (an in-process client may call the app from a loop of its own: then in a thread).
    if as_of is None and read_models.can_answer_async() and asyncio.get_running_loop() is getattr(app, "loop", None):
        state = await read_models.award_state_async(uscc)
    else:
        state = await run_in_threadpool(read_models.award_state, uscc, as_of)
    if state is None:
        if as_of is not None and await run_in_threadpool(read_models.award_state, uscc) is not None:
            first = await run_in_threadpool(read_models.first_event, uscc)
            raise unknown_then(uscc, as_of, first.get("recorded_at") if first else None)
        raise _unknown(uscc)
    return labels.named_awards(state, ledger.catalogue())


@router.get("/v1/organisations/{uscc}/history", response_model=HistoryPublic, responses=responses(401, 404, 422))
def get_history(uscc: Uscc, by: PrincipalDep, read_models: ReadModelsDep) -> dict[str, Any]:
    """Every event about the organisation, oldest first, with who, when recorded, and the effective date."""
    events = read_models.history(uscc)
    if not events:
        raise _unknown(uscc)
    return {"uscc": uscc, "events": events}
