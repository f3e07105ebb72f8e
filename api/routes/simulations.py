"""The policy sandbox over HTTP: a draft catalogue in, the recorded claims replayed under it beside the
catalogue in force, nothing written. JSON by default; CSV or XLSX with `format=` or an `Accept:` header."""
from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import IdempotencyKeyDep, LedgerDep, requires
from api.long_queries import long_query
from api.problems import responses
from api.reports import simulation as report
from api.reports.sheet import MEDIA_TYPES
from api.routes.finance import _negotiated
from api.schemas.fields import WHOLE, Uscc
from api.schemas.simulations import SimulationPublic
from ledger.catalogue.draft import DraftError, read_draft
from ledger.domain.errors import InvalidCatalogue
from ledger.principals import Principal, Role
from ledger.sandbox.answer import name_organisations
from ledger.sandbox.simulation import TOP, TOP_MAX
from projections.replay_log import simulate_log

router = APIRouter(tags=["sandbox"])
Simulator = Annotated[Principal, Depends(requires(Role.AUDITOR, Role.ADMIN, Role.BUREAU,
                                                  doing="simulate a draft catalogue"))]
TOML_TYPES = ("application/toml", "text/toml", "text/plain", "application/x-toml")
DRAFT_BODY = {"requestBody": {"required": True, "content": {"application/toml": {"schema": {
    "type": "string", "description": "the draft catalogue, in the format of ledger/catalogue/*.toml",
    "example": "[policy]\nid = \"binjiang-2025\"\nversion = \"2025.1\"\n…"}}}}}
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {
    "description": "The simulation: JSON by default; CSV (UTF-8 with BOM, Chinese headers) or XLSX with `format=`"
                   " or an `Accept:` header, as an attachment `simulation.<format>`",
    "content": {m.split(";")[0]: {"schema": {"type": "string"}} for m in MEDIA_TYPES.values()}}}


DRAFT_SOURCE = "draft.toml"
_SOURCE_PREFIX = re.compile(rf"^{re.escape(DRAFT_SOURCE)}(?:: |：|\.)")


def draft_from(text: bytes) -> Any:
    """The draft as a catalogue, or a 422 `invalid_catalogue` naming the field and line at fault."""
    try:
        return read_draft(text.decode("utf-8"), DRAFT_SOURCE)
    except UnicodeDecodeError:
        raise InvalidCatalogue("the draft is not UTF-8 text; save the TOML file as UTF-8", field="body",
                               line=None, zh="政策目录草案不是 UTF-8 文本；请将 TOML 文件另存为 UTF-8 编码后重新提交"
                               ) from None
    except DraftError as err:
        raise InvalidCatalogue(f"{err}", field=err.field, line=err.line, zh=draft_refusal_zh(err)) from None


def draft_refusal_zh(err: DraftError) -> str:
    """The catalogue reader's refusal for a Chinese reader: its own Chinese sentence (which names the field) after
    the line; a sentence the reader gave in English only (tomllib's, say) is quoted inside a Chinese frame that
    names the field and line."""
    line = f"第 {err.line} 行" if err.line else ""
    if err.zh:
        return f"政策目录草案{line}有误：{_SOURCE_PREFIX.sub('', err.zh)}；请修改后重新提交"
    field = f"（字段 {err.field}）" if err.field and err.field != "toml" else ""
    return f"政策目录草案{line}{field}有误：“{err}”；请修改后重新提交"


def named_simulation(ledger: Any, draft: Any, uscc: str | None, top: int = TOP) -> dict[str, Any]:
    """The sandbox's answer, each gaining and losing organisation with its registered name."""
    return name_organisations(ledger, simulate_log(ledger, draft, uscc=uscc, top=top).as_json())


@router.post("/v1/simulations", response_model=SimulationPublic, openapi_extra=DRAFT_BODY,
             responses={**FILE_RESPONSES, **responses(401, 403, 409, 422)})
async def simulate(by: Simulator, ledger: LedgerDep, request: Request, response: Response, key: IdempotencyKeyDep,
                   uscc: Annotated[Uscc | None, Query(description="also explain each claim of this organisation")]
                   = None,
                   top: Annotated[int, Query(ge=0, le=TOP_MAX, description="gaining and losing organisations"),
                                  WHOLE] = 10,
                   format: Literal["json", "csv", "xlsx"] | None = None) -> Any:
    """Replay every recorded claim under the draft catalogue beside the one in force; writes nothing."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in TOML_TYPES:
        raise InvalidCatalogue(f"send the draft catalogue as the body with Content-Type: application/toml, not"
                               f" {media or 'nothing'}", field="body", line=None,
                               zh="请以 Content-Type: application/toml 将政策目录草案作为请求体发送"
                                  + (f"，而不是 {media}" if media else "（本次请求未带 Content-Type）"))
    body = await request.body()
    chosen = _negotiated(format, request.headers.get("accept", ""))
    replayed = False
    with long_query(request).slot():
        # Reading a draft takes up to seconds of CPU, a bad one as much as a good one: off the loop, and in the
        # slot, so that a burst of bad drafts is refused `busy` like one of good ones, not parsed all at once.
        draft = await run_in_threadpool(draft_from, body)
        if key is None:
            answer = await run_in_threadpool(named_simulation, ledger, draft, uscc, top)
        else:  # the same key and draft: the first answer, kept beside the log (writes no event)
            facts = {"draft_sha256": hashlib.sha256(body).hexdigest(), "uscc": uscc, "top": top}
            answer, replayed = await run_in_threadpool(ledger.answered_once, by, key, "simulate", facts,
                                                       lambda: named_simulation(ledger, draft, uscc, top))
    marked = {"Idempotent-Replayed": "true"} if replayed else {}
    if chosen == "json":
        response.headers.update(marked)
        return answer
    return Response(report.RENDERERS[chosen](answer), media_type=MEDIA_TYPES[chosen],
                    headers={"Content-Disposition": f'attachment; filename="simulation.{chosen}"', **marked})
