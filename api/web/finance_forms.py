"""Finance's writes on the dashboard: appropriations, payouts, reversals, and a bank statement uploaded,
previewed against the payouts, then confirmed. The same `AwardLedger` commands and validators as the API;
a refused form comes back with what was typed and what to fix, in the page's language."""
from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from api.bank_columns import bank_columns
from api.deps import LedgerDep, ReadModelsDep, Settle, checked_key
from api.problems import STATUS_BY_KIND
from api.problems import title as problem_title
from api.schemas.appropriations import AppropriationCorrection, AppropriationCreate
from api.schemas.fields import JSON_INTEGER, MoneyIn, full_width_year
from api.schemas.payouts import PayoutCreate, ReversalCreate
from api.web import i18n, query_notice, refusal_words
from api.web.amounts import grouped, plain_amount, yuan
from api.web.correction_forms import form_day, key_reused
from api.web.i18n import MESSAGES
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, PagePrincipal, allowing
from ledger.application import Outcome
from ledger.bank_files.reading import accepted_lines, read_bank_file
from ledger.domain.errors import InvalidInput, LedgerError, NotFound
from ledger.domain.text import file_source
from ledger.payout_checks import check_paid_on
from ledger.principals import Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Payer = allowing(Role.FINANCE, doing="record appropriations, payouts, reversals and bank statements")
Text = Annotated[str, Form()]
FORMS = ("appropriation", "appropriation_fix", "payout", "reversal", "statement")
MESSAGES.update({
    "stmt_total_out": ("支出合计（借方）", "Money out (debits)"),
    "stmt_total_in": ("收入合计（贷方）", "Money in (credits)"),
    "stmt_recovery": ("追回款项", "Recovery"), "stmt_open_recovery": ("查看追回", "Open the recovery"),
    "resent_finance": ("这张表单此前已提交并记录过（例如在浏览器中点了“返回”后再次提交），本次没有再记录任何内容。"
                       "下面的表单保留了您现在填写的内容：如要把它作为一笔新的记录，请再按一次“记录”；"
                       "已记录的内容见财务对账页面。",
                       "This form was sent and recorded before (after going Back in the browser, say); nothing was"
                       " recorded this time. The form below keeps what you typed now: to record it as a new entry,"
                       " press Record once more; what was recorded is on the finance page."),
    "open_recovery": ("打开追回款项 {id}，在其页面冲回误登记的还款或核销",
                      "Open recovery {id} and reverse the repayment or write-off booked in error on its page"),
    "credit_returned": ("退汇：拨付已冲回", "a reversed payout returned"),
    "credit_returned_not_reversed": ("退汇：请冲回该拨付", "a payout returned: reverse it in the ledger"),
    "credit_repeated": ("还款已由另一行匹配：款项可能入账两次", "its repayment matched another line: the money may"
                        " have come in twice"),
    "credit_match": ("匹配还款", "Repayment match"),
    "credit_matched": ("已匹配还款", "matched to a repayment"),
    "credit_mismatch": ("金额与还款不符（还款 {amount}）", "amount differs from the repayment ({amount})"),
    "credit_unmatched": ("无对应还款", "no repayment"),
    "credit_not_checked": ("导入后匹配", "matched once imported"),
    "lines_numbered_file": ("行号均为文件中的行号（含表头及表头前的行）。",
                            "Line numbers are the file's own (counting the header and any lines above it)."),
    "lines_numbered_stored": ("导入文件的流水，行号为文件中的行号（含表头及表头前的行）；以 JSON 导入的按明细顺序从 1"
                              " 编号；被拒绝的行未导入。",
                              "Line numbers are the file's own (counting the header and any lines above it); a"
                              " statement sent as JSON counts its lines from 1. Refused lines were not imported."),
})


def _page(request: Request, status: int = 200, *, form: str | None = None, typed: dict | None = None,
          error: dict | None = None, done: str | None = None) -> Response:
    return render(request, "finance_write.html", status, form=form, typed=typed or {}, error=error,
                  done=done if done in FORMS else None)


def _checkbox_named(detail: str, lang: str) -> str:
    """A statement refusal advises the API's `import_good_lines=true`; on the page, the checkbox says it."""
    label = i18n.translator(lang)("import_good_lines")
    return detail.replace("with import_good_lines=true", f"by ticking “{label}”").replace(
        "（import_good_lines=true）", f"（勾选“{label}”）")


def _refused(request: Request, form: str, typed: dict[str, Any], err: Exception | list[dict[str, Any]],
             more: list[dict[str, Any]] | None = None) -> Response:
    """The form again, as typed, with the refusal: its code, title, what to fix and the fields at fault (`err`: a
    ledger's refusal, the request model's, or field errors the form found itself; `more`: other fields wrong on
    their own, named and marked beside it)."""
    lang = i18n.language(request)
    fields: list[str] = []
    if isinstance(err, ValidationError | list):
        # Every malformed field named and marked at once, as the corrections' forms do: an empty payout form marked
        # its claim alone, and a clerk fixed one field a time (a clerk's probe).
        errors = [*(more or []), *(err.errors() if isinstance(err, ValidationError) else err)]
        # Said and marked in the order the form asks for its fields, the cursor on the first: the faults the form read
        # alone (`_alone`) were said first, whichever their field.
        order = {name: place for place, name in enumerate(typed)}
        errors.sort(key=lambda e: order.get(str(e["loc"][0]) if e.get("loc") else "", len(order)))
        fields = list(dict.fromkeys(".".join(str(p) for p in e.get("loc", ())) for e in errors if e.get("loc")))
        field = fields[0] if fields else None
        (code, detail), status = refusal_words.fields(errors, lang, form), 422
    elif key_reused(err):
        # Sent again after the browser's Back, changed or not: words for a clerk, not the key. The form comes
        # back as typed with a fresh key, so sending it once more records it as a new entry.
        t = i18n.translator(lang)
        assert isinstance(err, LedgerError)
        code, field, status, detail = err.code, None, STATUS_BY_KIND.get(err.kind, 409), t("resent_finance")
        error = {"code": code, "title": t("resent_title"), "detail": detail, "field": field}
        return _page(request, status, form=form, typed=typed, error=error)
    else:
        assert isinstance(err, LedgerError)
        code, field, status = err.code, err.context.get("field"), STATUS_BY_KIND.get(err.kind, 422)
        detail = refusal_words.detail(err, lang)
        detail = _checkbox_named(detail, lang) if form == "statement" else detail
        # The ledger's checks stop at the first fault: the others the form read alone are said and marked beside it
        # (a payout's amount refused, its future day came back on the next send: a regression probe).
        also = [e for e in more or [] if e.get("loc") and e["loc"][0] != field]
        if also:
            detail = i18n.sentences([detail, *(refusal_words.labelled(e, lang, form) for e in also)], lang)
            fields = [*([field] if field else []), *dict.fromkeys(str(e["loc"][0]) for e in also)]
    fields = fields or ([field] if field else [])
    error = {"code": code, "title": problem_title(code, lang), "detail": detail, "field": field, "fields": fields,
             "labels": [i18n.field_label(name, lang, form) for name in fields]}
    if isinstance(err, LedgerError) and (recovery := err.context.get("recovery_id")):
        # A revoked claim's payout above what its recovery still owes: the page to reverse the repayment on first.
        label = i18n.translator(lang)("open_recovery", id=recovery)
        error |= {"link": f"/ui/recoveries/{recovery}", "link_label": label}
    return _page(request, status, form=form, typed=typed, error=error)


def _recorded(request: Request, outcome: Outcome, form: str) -> Response:
    Settle(request, Response())(outcome)  # the next page agrees with the write, as the API's answer does
    # A payout or its reversal is said with its number, amount and claim: a reversal needs the number, which the
    # notice did not give (a pages probe). An appropriation, or its correction, with its year and document: the
    # landing shows only where the fund bears it out (`write`).
    which, view = "", outcome.view
    if form in ("payout", "reversal") and view.get("id"):
        which = f"&recorded={view['id']}"
    elif entries := view.get({"appropriation": "appropriations", "appropriation_fix": "corrections"}.get(form, "")):
        which = "&recorded=" + quote(f"{view['year']}:{entries[-1]['document_ref']}", safe="")
    return RedirectResponse(f"/ui/finance/write?done={form}{which}", status_code=303)


def _json_year(text: str) -> int | str:
    """The year a JSON body would carry for this form field: an integer when the text is one, else the text,
    which the API's request model then refuses (a form has no way to send a JSON number but its digits)."""
    text = text.strip()
    return int(text) if JSON_INTEGER.fullmatch(text) else text


def _body(typed: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """The request model's body from the form: the amount as the pages print it read back, and the body's fields
    only (what the API has in the path, a reversal's payout id, goes to the command beside it, as the route sends
    it)."""
    sent = typed | ({"amount": plain_amount(typed["amount"])} if "amount" in typed else {})
    return {k: v for k, v in sent.items() if k in model.model_fields}


def _run(request: Request, form: str, typed: dict[str, Any], model: type[BaseModel], command: Any,
         alone: list[dict[str, Any]] | None = None) -> Response:
    """Validate and record; refused, every field at fault named at once (`alone`: the form's fields the ledger
    checks, each read on its own, `_alone`)."""
    alone = alone or []
    try:
        return _recorded(request, command(model.model_validate(_body(typed, model))), form)
    except ValidationError as err:
        # An id the route takes beside the body (a reversal's payout), malformed too: named with the body's fields,
        # not left for the next send (a clerk's probe marked the reason alone of `garbage` and no reason).
        # So is a malformed id in the body (a payout's claim: `zz` went unmarked beside the other faults, then came
        # back alone as not found: a regression probe), unless the model named it already.
        named = {e["loc"][0] for e in err.errors() if e.get("loc")}
        extra = [{**e, "loc": (name,)} for name in sorted(typed.keys() - named)
                 if name.endswith("_id") and typed[name] for e in _id_errors(typed[name])]
        named |= {e["loc"][0] for e in extra}
        return _refused(request, form, typed, err, extra + [e for e in alone if e["loc"][0] not in named])
    except LedgerError as err:
        return _refused(request, form, typed, err, alone)


def _fault(err: LedgerError, typed: str) -> dict[str, Any]:
    """A field's refusal read alone, as a field error of the form, in both languages."""
    return {"type": err.code, "loc": (str(err.context.get("field")),), "msg": refusal_words.detail(err, "en"),
            "input": typed, "ctx": {"zh": refusal_words.detail(err, "zh")}}


def _alone(ledger: Any, typed: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields the ledger checks that are wrong on their own, as the ledger says it: a year outside the policy's
    (or typed full width), a correction's document the year holds no appropriation on, a payout's claim (none, not
    approved, paid in full), its amount above what is still to pay and its day ahead of today. Its checks stop at the
    first fault, so a year of 2030 beside a bad amount, a future day beside a too-large payout, an amount above the
    approval beside an empty bank reference or an unknown document beside an empty reason came back one send later
    (regression probes)."""
    found = []
    if (year := typed.get("year")) is not None:
        if (wide := full_width_year(year)) is not None:
            found.append(_fault(wide, year))
        elif JSON_INTEGER.fullmatch(year.strip()) and (refused := ledger.year_refused(int(year))) is not None:
            found.append(_fault(refused, year))
        elif JSON_INTEGER.fullmatch(year.strip()) and (ref := (typed.get("appropriation_ref") or "").strip()) and (
                refused := ledger.appropriation_ref_refused(int(year), ref)) is not None:
            found.append(_fault(refused, ref))
    if (claim := typed.get("claim_id")) and (amount := _amount(typed.get("amount") or "")) is not None and (
            refused := ledger.payout_refused(claim, amount)) is not None:
        found.append(_fault(refused, typed.get(str(refused.context.get("field")), "")))
    if (day := form_day(typed.get("paid_on") or "")) is not None:
        try:
            check_paid_on(day)
        except LedgerError as err:
            found.append(_fault(err, typed["paid_on"]))
    return found


def _year_beside(request: Request, form: str, typed: dict[str, Any], model: type[BaseModel],
                 year: dict[str, Any]) -> Response:
    """A year no request can carry as typed (full width, or no number where the API's path takes one), refused with
    the body's other faults at once (a regression probe: a bad year hid four empty fields); nothing is recorded."""
    try:
        model.model_validate(_body(typed, model))
        others: list[dict[str, Any]] = []
    except ValidationError as err:
        others = [dict(e) for e in err.errors() if not e.get("loc") or e["loc"][0] != "year"]
    return _refused(request, form, typed, [year, *others])


_UUID: TypeAdapter[UUID] = TypeAdapter(UUID)
_MONEY: TypeAdapter[Decimal] = TypeAdapter(MoneyIn)


def _amount(text: str) -> Decimal | None:
    """A form's amount as the request model reads it, or None, which the model then refuses in its words."""
    try:
        return _MONEY.validate_python(plain_amount(text))
    except ValidationError:
        return None


def _id_errors(text: str) -> list[dict[str, Any]]:
    """Why `text` is no id, as pydantic says it (the API's path parameter would); none when it is one."""
    try:
        _UUID.validate_python(text)
        return []
    except ValidationError as err:
        return [dict(e) for e in err.errors()]


def _an_id(text: str | None) -> str:
    try:
        return str(UUID(text.strip())) if text else ""
    except ValueError:
        return ""


@router.get("/ui/finance/write", dependencies=[Payer])
def write(request: Request, ledger: LedgerDep, done: str | None = None, claim_id: str | None = None,
          payout_id: str | None = None, recorded: str | None = None) -> Response:
    """The four finance forms; `?claim_id=` fills the payout's claim and what is still to pay on it, `?payout_id=`
    the reversal's payout (for links from other pages: the claim page's "record payout" opened the form with the
    amount empty, a pages probe). Each form's own fields only."""
    claim = _an_id(claim_id)
    prefill = {"payout": {"claim_id": claim, "amount": _outstanding(ledger, claim)},
               "reversal": {"payout_id": _an_id(payout_id)}}
    # Each landing notice only where the record it names bears it out: a hand-edited address said a payout was
    # reversed that was not, or an appropriation recorded with none named (regression probes). A value no form
    # lands with is named as a parameter the page does not read.
    record = _landed_record(ledger, done, recorded) if done in LANDINGS else None
    done = query_notice.landed(request, "done", {name: name == done and record is not None for name in LANDINGS})
    fund = None
    if record is not None and done in ("appropriation", "appropriation_fix"):
        lang = i18n.language(request)
        fund = {"year": record["year"], "said": i18n.translator(lang)(f"recorded_{done}", **record | {
            name: yuan(record[name], lang) for name in ("was", "amount") if name in record})}
    return render(request, "finance_write.html", form=None, typed={}, error=None, done=done, prefill=prefill,
                  recorded_payout=record if done in ("payout", "reversal") else None, recorded_fund=fund)


# The forms whose landing (`?done=`) this page says, each with the record it names (`?recorded=`): a payout's id, an
# appropriation's or its correction's year and document (`2023:财1号`). A statement lands on its own page.
LANDINGS = ("appropriation", "appropriation_fix", "payout", "reversal")


def _landed_record(ledger: Any, done: str | None, recorded: str | None) -> dict[str, Any] | None:
    """The record the landing `done` names by `recorded`, where it bears the notice out now, else None: the payout
    standing (or reversed, for a reversal); the appropriation standing on its document (not withdrawn since); the
    correction made on its document."""
    if done in ("payout", "reversal"):
        try:
            payout = ledger.payout(found) if (found := _an_id(recorded)) else None
        except NotFound:
            return None
        return payout if payout is not None and (payout["status"] == "reversed") == (done == "reversal") else None
    year, _, document = (recorded or "").partition(":")
    if not re.fullmatch(r"[0-9]{4}", year) or not document:
        return None
    try:
        fund = ledger.fund_year(int(year))
    except LedgerError:  # a year outside the policy's: no appropriation of it was recorded
        return None
    entries = fund["appropriations"] if done == "appropriation" else fund["corrections"]
    entry = next((e for e in reversed(entries) if e["document_ref"] == document), None)
    return None if entry is None else entry | {"year": fund["year"]}


def _outstanding(ledger: Any, claim_id: str) -> str:
    """What is still to pay on an approved claim (the whole of it, for finance to lower for an instalment), else
    nothing."""
    if not claim_id:
        return ""
    try:
        found = ledger.claim(claim_id, with_history=False)
    except LedgerError:
        return ""
    owed = found.get("outstanding_amount")
    # Grouped as the claim's page shows it (the form reads it back): 104000.00 read oddly beside 104,000.00 元.
    return grouped(owed) if found.get("status") == "approved" and owed and owed != "0.00" else ""


@router.post("/ui/finance/appropriations", dependencies=[Payer, CsrfChecked])
def appropriate(request: Request, by: PagePrincipal, ledger: LedgerDep, year: Text = "", amount: Text = "",
                document_ref: Text = "", key: Text = "") -> Response:
    """Record an appropriation of the year's special fund."""
    typed = {"year": year.strip(), "amount": amount.strip(), "document_ref": document_ref}
    if (wide := full_width_year(year)) is not None:
        return _year_beside(request, "appropriation", typed, AppropriationCreate, _fault(wide, year))
    parsed = typed | {"year": _json_year(year)}  # a JSON body's year is an integer
    return _run(request, "appropriation", parsed, AppropriationCreate, lambda b: ledger.record_appropriation(
        by, year=b.year, amount=b.amount, document_ref=b.document_ref, key=checked_key(key)), _alone(ledger, typed))


@router.post("/ui/finance/appropriations/correct", dependencies=[Payer, CsrfChecked])
def correct_appropriation(request: Request, by: PagePrincipal, ledger: LedgerDep, year: Text = "",
                          appropriation_ref: Text = "", amount: Text = "", reason: Text = "", document_ref: Text = "",
                          key: Text = "") -> Response:
    """Correct an appropriation: the figure its document really appropriates (0 withdraws it), why, and on what."""
    typed = {"year": year.strip(), "appropriation_ref": appropriation_ref, "amount": amount.strip(), "reason": reason,
             "document_ref": document_ref}
    if (wide := full_width_year(year)) is not None:
        return _year_beside(request, "appropriation_fix", typed, AppropriationCorrection, _fault(wide, year))
    parsed = typed | {"year": _json_year(year)}
    if not isinstance(parsed["year"], int):  # the year is in the API's path, which takes digits only
        said = (f"the year is a number such as 2024, not {year.strip()!r}",
                f"年度应为数字，如 2024，而不是 {year.strip()!r}")
        return _year_beside(request, "appropriation_fix", typed, AppropriationCorrection, {
            "type": "invalid_year", "loc": ("year",), "msg": said[0], "input": year, "ctx": {"zh": said[1]}})
    return _run(request, "appropriation_fix", parsed, AppropriationCorrection, lambda b: ledger.correct_appropriation(
        by, year=parsed["year"], appropriation_ref=b.appropriation_ref, amount=b.amount, reason=b.reason,
        document_ref=b.document_ref, key=checked_key(key)), _alone(ledger, typed))


@router.post("/ui/finance/payouts", dependencies=[Payer, CsrfChecked])
def pay(request: Request, by: PagePrincipal, ledger: LedgerDep, claim_id: Text = "", amount: Text = "",
        paid_on: Text = "", bank_ref: Text = "", key: Text = "") -> Response:
    """Record a payout against an approved claim."""
    typed = {"claim_id": claim_id.strip(), "amount": amount.strip(), "paid_on": paid_on.strip(), "bank_ref": bank_ref}
    return _run(request, "payout", typed, PayoutCreate, lambda b: ledger.record_payout(
        by, claim_id=b.claim_id, amount=b.amount, paid_on=b.paid_on, bank_ref=b.bank_ref, key=checked_key(key)),
        _alone(ledger, typed))


@router.post("/ui/finance/reversals", dependencies=[Payer, CsrfChecked])
def reverse(request: Request, by: PagePrincipal, ledger: LedgerDep, payout_id: Text = "", reason: Text = "",
            document_ref: Text = "", key: Text = "") -> Response:
    """Reverse a payout the bank returned, with the reason and, if there is one, the bank's notice."""
    typed = {"payout_id": payout_id.strip(), "reason": reason} | (
        {"document_ref": document_ref} if document_ref.strip() else {})
    return _run(request, "reversal", typed, ReversalCreate, lambda b: ledger.reverse_payout(
        by, payout_id=typed["payout_id"], reason=b.reason, document_ref=b.document_ref, key=checked_key(key)))


def ticked(value: str) -> bool:
    """A checkbox's field as a form sends it: its value (the page's `1`) when ticked, nothing when not. `false`,
    `0` or `off`, sent by hand, are not ticked (they read as ticked when any text was, a probe)."""
    return value.strip().lower() in ("1", "on", "true", "yes")


def _read(request: Request, raw: bytes, import_good_lines: bool) -> tuple[Any, list]:
    found = read_bank_file(raw, bank_columns(request.app.state.settings.bank_columns),
                           known=request.app.state.read_models.reference_kinds)
    return found, accepted_lines(found, import_good_lines=import_good_lines)


@router.post("/ui/finance/statements/preview", dependencies=[Payer, CsrfChecked])
async def preview(request: Request, read_models: ReadModelsDep, file: Annotated[UploadFile | None, File()] = None,
                  import_good_lines: Text = "") -> Response:
    """Step two of three: the file read as the bank sent it, and the matching report it would get; nothing
    is recorded until finance confirms."""
    if file is None or not (file.filename or "").strip():  # no file chosen: the form's words, not `file` required
        return _refused(request, "statement", {"import_good_lines": import_good_lines}, InvalidInput(
            "choose the bank statement's file (CSV, as online banking exports it) before previewing; nothing was"
            " imported", zh="请先选择银行对账单文件（网银导出的 CSV）再预览；未导入任何内容", field="file"))
    raw = await file.read()
    # Read, matched and rendered in a worker thread, as the API's statement route reads: a 1 MiB file held the event
    # loop, and with it every other request (/healthz included), for 2.5 s a preview (an intake probe).
    return await run_in_threadpool(_previewed, request, read_models, raw, file_source(file.filename) or "",
                                   import_good_lines, request.app.state.ledger)


def _previewed(request: Request, read_models: Any, raw: bytes, source: str, import_good_lines: str,
               ledger: Any) -> Response:
    typed = {"source": source, "import_good_lines": import_good_lines}
    try:
        found, lines = _read(request, raw, ticked(import_good_lines))
    except LedgerError as err:
        return _refused(request, "statement", typed, err)
    # accepted_lines gives the file's lines as read (or refuses): each numbered as the reader counted it.
    rows = [{"line": n, **ln.as_dict()} for n, ln in zip(found.numbers, lines, strict=True)]
    before = ledger.imported_statement(lines)
    report, already_on = None, []
    if before is not None:
        # Imported before: confirming records nothing and answers with that statement, so its report is the one
        # to check (a finance probe's preview matched the file against itself, every debit "paid again").
        report = (read_models.bank_statement(before["id"]) or {}).get("report")
    elif rows:
        # The import's own matching, run on the lines as the import would store them, without storing them.
        report = read_models.bank_preview(ledger.statement_id(lines), [ln.recorded() for ln in lines])
        already_on = report.pop("already_on")
    return render(request, "finance_preview.html", found=found, lines=rows, report=report, already_on=already_on,
                  content=base64.urlsafe_b64encode(raw).decode(), source=source, import_good_lines=import_good_lines,
                  before=before)


# The preview sends the file back as URL-safe base64 ("-" and "_" pass a form's URL encoding as they are, where
# "+" and "/" would take three bytes each): a third larger than the file, which api/edge.py allows this route
# (CONFIRM), so whatever previewed can be confirmed. The body cap bounds the field, so the form parser's own
# limit on one field (1 MiB, a file of 768 KiB) is lifted here.
WHOLE_FIELD = 1 << 62


@router.post("/ui/finance/statements", dependencies=[Payer, CsrfChecked], form_limits={"max_part_size": WHOLE_FIELD})
def confirm(request: Request, by: PagePrincipal, ledger: LedgerDep, content: Text = "", source: Text = "",
            import_good_lines: Text = "", key: Text = "") -> Response:
    """Step three: record the previewed statement (the same bytes, read the same way) and show its report."""
    try:  # URL-safe base64, or the standard alphabet of a preview shown before the page used it
        raw = base64.b64decode(content, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("the previewed file did not come back intact; upload it again",
                           zh="预览的文件回传时已不完整；请重新上传") from None
    found, lines = _read(request, raw, ticked(import_good_lines))
    outcome = ledger.import_bank_statement(by, lines=lines, source=source or None, key=checked_key(key),
                                           refused=[r.kept() for r in found.refused])
    if not outcome.view["already_imported"]:
        Settle(request, Response())(outcome)
    # Imported before (another upload of the same lines): the statement's page says nothing was recorded this time,
    # by the form's key, which it finds recorded nothing
    once = f"&once={quote(key.strip(), safe='')}" if key.strip() else ""
    before = f"?imported=before{once}" if outcome.view["already_imported"] else ""
    return RedirectResponse(f"/ui/finance/statements/{outcome.view['id']}{before}", status_code=303)


@router.get("/ui/finance/statements/{statement_id}", dependencies=[allowing(
    Role.FINANCE, Role.AUDITOR, doing="read bank statements")])
def statement(request: Request, statement_id: str, by: PagePrincipal, ledger: LedgerDep,
              read_models: ReadModelsDep) -> Response:
    """An imported statement and its matching report as it stands now."""
    found = read_models.bank_statement(statement_id)
    if found is None:
        raise NotFound(f"bank statement {statement_id} is not in the ledger",
                       zh=f"台账中没有银行对账单 {statement_id}；请核对编号")
    # "Imported before, nothing recorded this time" only where the form that landed here (its key, `once`) recorded
    # nothing: the notice showed on any statement, one just imported too, from a hand-edited address, and an unknown
    # value was dropped in silence (a regression probe).
    once = request.query_params.get("once", "").strip()
    before = query_notice.landed(request, "imported", {"before": bool(once) and ledger.first_answer(by, once) is None})
    return render(request, "finance_statement.html", statement=found, report=found["report"], before=before)
