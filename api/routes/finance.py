"""Finance's reconciliation (JSON, CSV, XLSX) and bank statements matched against the payouts."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api import language
from api.bank_columns import bank_columns
from api.deps import IdempotencyKeyDep, LedgerDep, ReadModelsDep, SettleDep, requires
from api.long_queries import long_query
from api.problems import responses
from api.reports import reconciliation as report
from api.reports.closing import with_close
from api.schemas.awards import AsOf
from api.schemas.fields import WHOLE, AwardYear
from api.schemas.finance import BankStatementCreate, BankStatementPublic, ReconciliationPublic
from ledger.bank_files.decoding import charset
from ledger.bank_files.reading import RefusedLine, accepted_lines, read_bank_file
from ledger.domain.bank_statement import StatementLine, statement_line
from ledger.domain.errors import InvalidInput, NotFound
from ledger.domain.text import file_source
from ledger.principals import Principal, Role
from projections.ledger_as_of import reconciliation_as_of

router = APIRouter(tags=["finance"])
Reconciler = Annotated[Principal, Depends(requires(Role.FINANCE, Role.AUDITOR, doing="read the reconciliation"))]
Importer = Annotated[Principal, Depends(requires(Role.FINANCE, doing="import bank statements"))]
Reader = Annotated[Principal, Depends(requires(Role.FINANCE, Role.AUDITOR, doing="read bank statements"))]
JSON_TYPE = "application/json"


def _file_responses(fmt: str) -> dict[int | str, dict[str, Any]]:
    """One media type per file operation: generators pick a response's first media type and parse by it."""
    return {200: {"description": f"The reconciliation as an attachment `reconciliation-<year>.{fmt}`: " + (
        "UTF-8 with a BOM, Chinese headers, a 合计 row" if fmt == "csv" else "money as exact numbers, a bold 合计"),
        "headers": {"Content-Disposition": {"description": f'attachment; filename="reconciliation-<year>.{fmt}"',
                                            "required": True, "schema": {"type": "string"}}},
        "content": {report.MEDIA_TYPES[fmt].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}}},
        **responses(401, 403, 409, 422)}


# `?format=` and `Accept:` on the JSON operation still answer the files (the contract's links and curl use them),
# but are left out of its document: generated clients parse that operation's 200 as JSON, so files get their own.
HIDDEN_FORMAT = Query(include_in_schema=False)


def _negotiated(format: str | None, accept: str) -> str:
    """`format=` wins; else the first of CSV or XLSX the Accept header names; else JSON. A type the header
    gives q=0 is one the client refuses (RFC 9110): `text/csv;q=0, application/json` is JSON."""
    if format is not None:
        return format
    wanted = [part.split(";")[0].strip().lower() for part in accept.split(",") if not _refused(part)]
    for media in wanted:
        found = next((f for f, m in report.MEDIA_TYPES.items() if m.split(";")[0] == media), None)
        if found is not None or media == JSON_TYPE:
            return found or "json"
    return "json"


def _refused(part: str) -> bool:
    """Whether one entry of an Accept header carries q=0 (0, 0.0, 0.000)."""
    for parameter in part.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return Decimal(value.strip()) == 0
            except ArithmeticError:
                return False
    return False


AS_OF = Query(description="answer as the ledger knew it then (RFC 3339, or a bare day: its end in Beijing time);"
                          " replays the year's events, so it takes longer")


@router.get("/v1/finance/reconciliation", response_model=ReconciliationPublic, responses=responses(401, 403, 409, 422))
def get_reconciliation(year: Annotated[AwardYear, Query(), WHOLE], by: Reconciler, read_models: ReadModelsDep,
                       ledger: LedgerDep, request: Request,
                       format: Annotated[Literal["json", "csv", "xlsx"] | None, HIDDEN_FORMAT] = None,
                       as_of: Annotated[AsOf | None, AS_OF] = None) -> Any:
    """A year's reconciliation per programme and bureau, with the fund, its close and post-close adjustments."""
    chosen = _negotiated(format, request.headers.get("accept", ""))
    report.require_year(year)
    answer = with_close(report.arranged(year_figures(year, as_of, ledger, read_models, request)),
                        ledger.year_close(year, as_of))
    return answer if chosen == "json" else _file(year, chosen, answer)


def year_figures(year: int, as_of: Any, ledger: Any, read_models: Any, request: Request) -> Any:
    """The year's figures now, or as the ledger knew them at `as_of` (the JSON and the files alike)."""
    if as_of is None:
        return read_models.reconciliation(year)
    with long_query(request).slot():  # the year's events, not the log; still seconds on a large ledger
        return reconciliation_as_of(ledger, year, as_of, read_models=read_models)


def _file(year: int, fmt: str, figures: Any) -> Response:
    return Response(report.RENDERERS[fmt](figures), media_type=report.MEDIA_TYPES[fmt],
                    headers={"Content-Disposition":
                             f'attachment; filename="{report.filename(year, fmt, figures.get("as_of"))}"'})


@router.get("/v1/finance/reconciliation.csv", response_class=Response, responses=_file_responses("csv"))
def export_reconciliation_csv(year: Annotated[AwardYear, Query(), WHOLE], by: Reconciler, read_models: ReadModelsDep,
                              ledger: LedgerDep, request: Request, as_of: Annotated[AsOf | None, AS_OF] = None
                              ) -> Response:
    """A year's reconciliation as CSV (finance, auditor): what `?format=csv` on the JSON operation answers."""
    report.require_year(year)
    return _file(year, "csv", with_close(year_figures(year, as_of, ledger, read_models, request),
                                         ledger.year_close(year, as_of)))


@router.get("/v1/finance/reconciliation.xlsx", response_class=Response, responses=_file_responses("xlsx"))
def export_reconciliation_xlsx(year: Annotated[AwardYear, Query(), WHOLE], by: Reconciler, read_models: ReadModelsDep,
                               ledger: LedgerDep, request: Request, as_of: Annotated[AsOf | None, AS_OF] = None
                               ) -> Response:
    """A year's reconciliation as XLSX (finance, auditor): what `?format=xlsx` on the JSON operation answers."""
    report.require_year(year)
    return _file(year, "xlsx", with_close(year_figures(year, as_of, ledger, read_models, request),
                                          ledger.year_close(year, as_of)))

STATEMENT_BODY = {"requestBody": {"required": True, "content": {
    JSON_TYPE: {"schema": BankStatementCreate.model_json_schema(ref_template="#/components/schemas/{model}")},
    "text/csv": {"schema": {"type": "string", "format": "binary",
                            "description": "a header row naming date, amount, reference (counterparty optional),"
                                           " then one line per transfer",
                            "example": "date,amount,reference,counterparty\n"
                                       "2023-07-03,300000.00,ICBC-20230703-000187,杭州某某科技有限公司\n"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the statement's CSV, as above"}}}}}}}


@dataclass
class Statement:
    lines: list[StatementLine]
    source: str | None
    encoding: str | None = None
    refused: list[dict] = field(default_factory=list)
    kept: list[dict] = field(default_factory=list)  # the refused lines as the statement keeps them


async def _statement(request: Request, import_good_lines: Annotated[bool, Query(
        description="a file with refused lines imports nothing unless this is true: then its good lines are"
                    " imported and the refused ones listed")] = False) -> Statement:
    """The statement's lines from a text/csv body, a form upload (`file`) or a JSON body `{lines, source?}`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        return await _uploaded(request, import_good_lines)
    raw = await request.body()  # a statement may be thousands of lines: read in a worker thread, off the loop
    if media in ("text/csv", "text/plain", "application/csv"):
        return await run_in_threadpool(_csv_lines, request, raw, None, import_good_lines)
    if media and media != JSON_TYPE and not media.endswith("+json"):  # none at all is read as JSON, as elsewhere
        raise InvalidInput(f"Content-Type {media} is not a statement: send the bank's file as text/csv, a form"
                           " upload (field `file`) or application/json {\"lines\": [...], \"source\"?}",
                           zh=f"Content-Type {media} 不是对账单：请以 text/csv、表单上传（字段 file）或"
                              " application/json {\"lines\": [...], \"source\"?} 发送银行流水")
    if not media and raw.lstrip()[:1] not in (b"{", b"[", b""):
        # No Content-Type and no JSON: most likely the bank's CSV sent bare (a probe was told to send JSON).
        raise InvalidInput("the body has no Content-Type and is not JSON: send the bank's file with Content-Type:"
                           " text/csv (or as a form upload, field `file`), or JSON {\"lines\": [...]} with"
                           " Content-Type: application/json",
                           zh="请求体没有 Content-Type，也不是 JSON：请以 Content-Type: text/csv 发送银行导出的文件"
                              "（或以表单上传，字段 file），或以 Content-Type: application/json 发送"
                              " JSON {\"lines\": [...]}")
    return await run_in_threadpool(_json_lines, raw)


def _json_lines(raw: bytes) -> Statement:
    try:
        body = BankStatementCreate.model_validate_json(raw or b"null")
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in err.errors()]) from None
    lines = [statement_line({"date": ln.date.isoformat(), "amount": str(ln.amount), "reference": ln.reference,
                             "counterparty": ln.counterparty, "direction": ln.direction}, f"lines[{n}]")
             for n, ln in enumerate(body.lines)]
    return Statement(lines, body.source)


def _csv_lines(request: Request, raw: bytes, source: str | None, import_good_lines: bool) -> Statement:
    """A bank's file as the bank sent it (ledger/bank_files): encoding found, columns mapped, lines checked."""
    found = read_bank_file(raw, bank_columns(request.app.state.settings.bank_columns),
                           charset(request.headers.get("content-type", "")),
                           known=request.app.state.read_models.reference_kinds)
    return Statement(accepted_lines(found, import_good_lines=import_good_lines), source, found.encoding,
                     [r.in_language(language.of(request)) for r in found.refused],  # as a refusal lists them
                     [r.kept() for r in found.refused])


async def _uploaded(request: Request, import_good_lines: bool) -> Statement:
    """A form upload: the CSV in the field `file`; its file name becomes the statement's source."""
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body is the sender's to fix, whatever the parser raised
        raise InvalidInput("the form cannot be read; send multipart/form-data with the CSV in the field `file`",
                           zh="无法读取表单；请以 multipart/form-data 发送，并将 CSV 文件放在字段 file 中") from None
    files = form.getlist("file")
    if len(files) > 1:  # one statement a request: the last of several was imported and the others dropped
        raise InvalidInput(f"the form has {len(files)} parts named `file`; send one statement a request, in the"
                           " multipart field `file`", zh=f"表单中有 {len(files)} 个名为 file 的部分；每次请求只发送"
                                                     "一份银行对账单，放在 multipart 字段 file 中", field="file")
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise InvalidInput("the form has no file; send the statement's CSV in the multipart field `file`",
                           zh="表单中没有文件；请将银行对账单的 CSV 文件放在 multipart 字段 file 中发送")
    return await run_in_threadpool(_csv_lines, request, await upload.read(), file_source(upload.filename),
                                   import_good_lines)


StatementDep = Annotated[Statement, Depends(_statement)]


@router.post("/v1/finance/bank-statements", status_code=201, response_model=BankStatementPublic,
             openapi_extra=STATEMENT_BODY, responses={
                 200: {"model": BankStatementPublic,
                       "description": "These lines were imported before: nothing written, the current report"},
                 **responses(401, 403, 409, 422)})
def import_bank_statement(by: Importer, statement: StatementDep, ledger: LedgerDep, read_models: ReadModelsDep,
                          key: IdempotencyKeyDep, settle: SettleDep, response: Response,
                          source: Annotated[str | None, Query(max_length=500,
                                                              description="for a CSV body: its file name")] = None
                          ) -> dict[str, Any]:
    """Import a bank statement (finance) and match it with the payouts; the same lines again write nothing."""
    outcome = ledger.import_bank_statement(by, lines=statement.lines, source=statement.source or source, key=key,
                                           refused=statement.kept)
    view = outcome.view if outcome.view["already_imported"] else settle(outcome)
    if view["already_imported"]:
        response.status_code = 200
    found = read_models.bank_statement(view["id"])
    if found is None and "Read-Models-Lag" not in response.headers:  # waited once already, in vain: say so
        # Imported by a request sent at the same moment (`already_imported`, or the same key's replay), which has
        # saved it and may still be waiting for the read models to show it: wait as that request does, for
        # everything the log holds now, and read it again (finance and retry probes: of eight uploads of one
        # statement at once, the seven other answers often came with `report: null`).
        settle.wait_for_head()
        found = read_models.bank_statement(view["id"])
    read = {"encoding": statement.encoding, "refused_lines": statement.refused}
    if found is None:  # the read models lag (Settle said so in a header): the import itself stands
        return view | {"report": None} | read
    return found | {"already_imported": view["already_imported"]} | read  # this file's refused lines, as sent


@router.get("/v1/finance/bank-statements/{statement_id}", response_model=BankStatementPublic,
            responses=responses(401, 403, 404))
def get_bank_statement(statement_id: str, by: Reader, read_models: ReadModelsDep,
                       request: Request) -> dict[str, Any]:
    """An imported bank statement, the file's lines it left out, and its matching report as the payouts stand now."""
    found = read_models.bank_statement(statement_id)
    if found is None:
        raise NotFound(f"bank statement {statement_id} is not in the ledger; POST it to /v1/finance/bank-statements",
                       zh=f"台账中没有银行对账单 {statement_id}；请核对编号，或先通过 POST /v1/finance/bank-statements"
                          " 导入")
    return found | {"refused_lines": refused_in(found.get("refused", []), language.of(request))}


def refused_in(kept: list[dict], lang: str) -> list[dict]:
    """A statement's refused lines, as kept (both languages), for a reader of `lang` (as a refusal lists them)."""
    return [RefusedLine(**r).in_language(lang) for r in kept]

