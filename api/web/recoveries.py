"""Finance's recoveries (应追回) on the pages: the list (open or closed, per organisation, what is outstanding)
read from the same read model as GET /v1/recoveries, and one recovery's page with its repayments and the
repayment and write-off forms (finance only, the same commands as POST /v1/recoveries/{id}/...)."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReadModelsDep
from api.routes.corrections import RECOVERY_READERS
from api.schemas.corrections import RepaymentCreate, RepaymentReversalCreate, WriteOffCreate
from api.web import i18n, query_notice, refusal_words
from api.web.amounts import plain_amount, yuan
from api.web.correction_forms import FormState, attempt, bound, every_fault, form_day
from api.web.corrections_words import FIELD_OF_CODE
from api.web.i18n import MESSAGES
from api.web.pages import PageRoute, render
from api.web.session import CsrfChecked, PagePrincipal, allowing
from ledger import views
from ledger.domain.errors import InvalidUscc, LedgerError
from ledger.domain.values import Uscc, money
from ledger.principals import Principal, Role

router = APIRouter(route_class=PageRoute, include_in_schema=False)
Text = Annotated[str, Form()]
Reader = allowing(*RECOVERY_READERS, doing="read recoveries")  # the API's readers (admin was refused: a probe)
SUMMED = ("amount", "recovered", "written_off", "outstanding")
STATUSES = {"open": "open_status", "closed": "closed_status", "": "all"}  # each choice and its label
MESSAGES.update({
    "rec_org_name": ("企业名称", "Organisation"),
    "rec_write_off_h": ("核销", "Write-off"),
    "rec_write_off_doc": ("核销依据文件", "Document of the write-off"),
    "rec_written_off_by": ("核销人", "Written off by"),
    "rec_written_off_at": ("核销时间", "Written off at"),
    "rec_recorded_by": ("登记人", "Recorded by"),
    "unwrite_off_moved": ("预览时冲回后尚未追回 {shown}；此后账本有了变动（如已冲回核销、登记还款后再次核销），"
                          "现在冲回后尚未追回将是 {now}。本次未冲回任何核销。请核对下方新的预览，确认无误后再次确认。",
                          "The preview showed {shown} outstanding once reversed; the ledger changed since (the"
                          " write-off reversed, a repayment recorded and written off again, say), and reversing now"
                          " leaves {now} outstanding. Nothing was reversed: check the new preview below and confirm it"
                          " again."),
    "unwrite_off_moved_same": ("（预览时的核销已被冲回，现存的是此后另行登记的核销。）",
                               " (The write-off previewed was reversed; the one standing was recorded since.)"),
})


def _names(read_models: Any, usccs: set[str]) -> dict[str, str]:
    """Each organisation's name by its USCC (the organisations' read model, as the search finds them)."""
    found: dict[str, str] = {}
    for uscc in sorted(usccs):
        rows, _ = read_models.organisations(uscc, 1)
        found.update({r["uscc"]: r["name"] for r in rows if r["uscc"] == uscc})
    return found


def _acts(ledger: Any, recovery: dict) -> dict[str, Any]:
    """Who recorded each repayment and when, and the write-off's who and when, from the recovery's own events."""
    events = [views.recovery_event(e) for e in ledger.events.get(UUID(recovery["id"]))]
    repaid = [e for e in events if e["event"] == "Recovery.Repaid"]
    repayments = [p | {"by": e["by"], "recorded_at": e["recorded_at"]}
                  for p, e in zip(recovery["repayments"], repaid, strict=False)]
    last = next((e for e in reversed(events) if e["event"] in ("Recovery.WrittenOff", "Recovery.WriteOffReversed")),
                None)
    # A write-off reversed since is no write-off standing: its reversal is shown instead (a regression probe read
    # the old write-off's figure, reason and document beside 已核销 0.00 元).
    written = last if last is not None and last["event"] == "Recovery.WrittenOff" else None
    unwritten = last if last is not None and last["event"] == "Recovery.WriteOffReversed" else None
    # Payouts of the revoked award reversed since (booked in error): what the recovery owes less, why and by whom (a
    # regression probe read 60,000.00 to recover with no trace of the 100,000.00 it was opened for).
    reduced = [e for e in events if e["event"] == "Recovery.Reduced"]
    return {"repayments": repayments, "write_off": written, "write_off_reversal": unwritten, "reductions": reduced}


def per_organisation(rows: list[dict]) -> list[dict]:
    """One line per organisation: how many recoveries, and their sums; the most outstanding first."""
    found: dict[str, dict] = {}
    for r in rows:
        line = found.setdefault(r["uscc"], {"uscc": r["uscc"], "count": 0, **{k: Decimal("0.00") for k in SUMMED}})
        line["count"] += 1
        for k in SUMMED:
            line[k] += Decimal(r[k])
    return sorted(found.values(), key=lambda line: (-line["outstanding"], line["uscc"]))


def _filters(status: str, uscc: str, lang: str) -> tuple[str, str | None, list[str]]:
    """The status and USCC to list by, and, in `lang`, each filter that could not be applied and what to send
    instead: as the queue does (api/web/home.py), the list still shows, never a refusal page."""
    t, ignored = i18n.translator(lang), []
    if status not in STATUSES:
        choices = [code if (name := t(key)) == code else code + t("paren", text=name)
                   for code, key in STATUSES.items() if code] + [t("all")]
        ignored.append(t("ignored_status", value=query_notice.cut(status), choices=t("list_sep").join(choices)))
        status = "open"
    try:
        code = Uscc.parse(uscc).value if uscc.strip() else None
    except InvalidUscc as err:
        ignored.append(t("ignored_uscc", value=query_notice.cut(uscc), why=refusal_words.detail(err, lang)))
        code = None
    return status, code, ignored


def _uscc_read(value: str) -> str | None:
    try:
        return Uscc.parse(value).value
    except InvalidUscc:
        return None


def _repeated(query: Any, lang: str) -> tuple[dict[str, str], list[str]]:
    """A filter sent more than once (`status=closed&status=open`) is applied by its last value that applies, the
    others named, as the queue does (api/web/home.py); the framework took the last in silence, a misspelt one too (a
    pages probe). Blank is a status of its own here (all), and a USCC written twice alike is one value."""
    chosen, ignored = {}, []
    for name, read, applies, default in (("status", str.strip, lambda v: v in STATUSES, "open"),
                                         ("uscc", lambda v: _uscc_read(v) or v, _uscc_read, "")):
        used, said = query_notice.repeated(query, name, lang, read=read, applies=applies, blank=name == "status")
        if said or used is not None:
            chosen[name] = used if used is not None else default  # none applies: as if none was sent
        if said:
            ignored.append(said)
    return chosen, ignored


@router.get("/ui/recoveries", dependencies=[Reader])
def recoveries(request: Request, by: PagePrincipal, read_models: ReadModelsDep, ledger: LedgerDep,
               status: str = "open", uscc: str = "") -> Response:
    """Recoveries by status and organisation (finance, auditors; a bureau sees its own programmes')."""
    lead = by.bureau if by.role is Role.BUREAU else None
    chosen, repeated = _repeated(request.query_params, i18n.language(request))
    status, uscc = chosen.get("status", status), chosen.get("uscc", uscc)
    request.state.applied_query = chosen  # the page's links (the language switch) carry what was applied
    applied, code, ignored = _filters(status, uscc, i18n.language(request))
    unknown = query_notice.not_taken(request.query_params, ("status", "uscc"), i18n.language(request))
    ignored = unknown + repeated + ignored  # `stauts=open` was dropped without a word (a regression probe)
    rows = read_models.recoveries(status=applied or None, uscc=code, lead=lead)
    names = _names(read_models, {r["uscc"] for r in rows})
    return render(request, "corrections/recoveries.html", rows=rows, organisations=per_organisation(rows),
                  names=names, ignored=ignored,
                  filters={"status": applied, "uscc": uscc}, programmes=ledger.catalogue().programmes)


def _recovery_page(request: Request, ledger: LedgerDep, recovery_id: str, action: str,
                   state: FormState | Response, by: Principal) -> Response:
    if isinstance(state, Response):
        return state
    found = ledger.recovery(recovery_id, by)  # as GET /v1/recoveries/{id}: a bureau, of its own programmes
    acts = _acts(ledger, found)
    repayments = found["repayments"]
    # The notice where the recovery bears it out: "已核销 0.00 元" showed on one never written off, or reloaded after
    # its write-off was reversed (a regression probe).
    done = query_notice.landed(request, "done", {
        "repaid": any(not p["reversed"] for p in repayments), "unrepaid": any(p["reversed"] for p in repayments),
        "wrote_off": acts["write_off"] is not None, "unwrote_off": acts["write_off_reversal"] is not None})
    name = _names(request.app.state.read_models, {found["uscc"]}).get(found["uscc"])
    return render(request, "corrections/recovery.html", state.status, recovery=found | acts, action=action,
                  form=state, org_name=name,
                  programmes=ledger.catalogue().programmes,
                  done=done)


@router.get("/ui/recoveries/{recovery_id}", dependencies=[Reader])
def recovery(request: Request, recovery_id: str, by: PagePrincipal, ledger: LedgerDep) -> Response:
    """A recovery with its repayments; for finance, while it is open, the repayment and write-off forms."""
    return _recovery_page(request, ledger, recovery_id, "", FormState({}), by)


@router.post("/ui/recoveries/{recovery_id}/repayments", dependencies=[CsrfChecked])
def repay(request: Request, recovery_id: str, by: PagePrincipal, ledger: LedgerDep, amount: Text = "",
          received_on: Text = "", bank_ref: Text = "", key: Text = "") -> Response:
    """Record money repaid (finance); a repayment above what is outstanding comes back to be corrected."""
    typed = {"amount": amount.strip(), "received_on": received_on, "bank_ref": bank_ref}

    def command(dry_run: bool, once: str | None):
        body = RepaymentCreate.model_validate(typed | {"amount": plain_amount(amount)})  # "150,000.00" as shown
        return ledger.record_repayment(by, recovery_id=recovery_id, amount=body.amount,
                                       received_on=body.received_on, bank_ref=body.bank_ref, dry_run=dry_run,
                                       key=once)

    # A repayment is a fact finance copies from the bank: recorded at once, no preview step.
    state = attempt(request, typed, "confirm", key, command, f"/ui/recoveries/{recovery_id}?done=repaid", "repay",
                    {"amount": "fix_amount"})

    def faults() -> dict[str, str]:  # each field read alone, as the ledger reads it, in the page's words
        lang = i18n.language(request)
        found = ledger.repayment_refused(recovery_id, amount=_figure(plain_amount(amount)),
                                         received_on=form_day(received_on), bank_ref=bank_ref)
        return {name: i18n.translator(lang)(FIELD_OF_CODE[err.code][1]) if err.code in FIELD_OF_CODE
                else refusal_words.detail(err, lang) for name, err in found.items()}

    # The payout form's way: a future day marked beside a refused amount, and named in the summary above the form.
    state = every_fault(state, faults, i18n.language(request), "repay")
    return _recovery_page(request, ledger, recovery_id, "repay", state, by)


@router.post("/ui/recoveries/{recovery_id}/write-off", dependencies=[CsrfChecked])
def write_off(request: Request, recovery_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
              document_ref: Text = "", step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, writing off what is outstanding (finance). The confirmation carries the figure its
    preview `shown`: a repayment recorded in between moved it, and 98,000.00 was written off under a confirmation of
    98,999.99, the page saying "written off" alone (a finance probe). Such a confirmation comes back previewed anew,
    naming both figures, as an approval re-assessed since its page does."""
    typed = {"reason": reason, "document_ref": document_ref}
    done = f"/ui/recoveries/{recovery_id}?done=wrote_off"

    def command(dry_run: bool, once: str | None):
        body = WriteOffCreate.model_validate(typed)
        return ledger.write_off_recovery(by, recovery_id=recovery_id, reason=body.reason,
                                         document_ref=body.document_ref, dry_run=dry_run, key=once)

    if step == "confirm" and shown.strip():
        # A refused dry run goes on to the write-off itself: a form sent twice is answered as the first was.
        again = attempt(request, typed, "preview", key, command, done, "write_off")
        if isinstance(again, FormState) and again.preview and not _same(again.preview["written_off"], shown):
            lang = i18n.language(request)
            again.status = 409
            again.refusal = {"code": "conflict", "title": i18n.translator(lang)("moved_title"),
                             "detail": i18n.translator(lang)("write_off_moved", shown=yuan(_figure(shown), lang),
                                                             now=yuan(again.preview["written_off"], lang))}
            again.typed["shown"] = str(again.preview["written_off"])
            return _recovery_page(request, ledger, recovery_id, "write_off", again, by)
    state = attempt(request, typed, step, key, command, done, "write_off")
    if isinstance(state, FormState) and state.preview:  # its confirmation carries the figure it shows
        state.typed["shown"] = str(state.preview["written_off"])
    return _recovery_page(request, ledger, recovery_id, "write_off", state, by)


def _figure(shown: str) -> Decimal | None:
    """The figure a form sent back as the one its page showed: an amount to the fen, else None (a field edited by
    hand to Infinity or 1e999 was a 500, NaN read "NaN 元": a regression probe)."""
    try:
        return money(shown.strip().replace(",", ""))
    except (LedgerError, ArithmeticError, ValueError):
        return None


def _same(figure: object, shown: str) -> bool:
    """Whether the figure a preview gives is the one the page `shown` (as sent back by its form)."""
    return _figure(shown) == Decimal(str(figure))


@router.post("/ui/recoveries/{recovery_id}/repayments/reverse", dependencies=[CsrfChecked])
def unrepay(request: Request, recovery_id: str, by: PagePrincipal, ledger: LedgerDep, amount: Text = "",
            received_on: Text = "", bank_ref: Text = "", reason: Text = "", document_ref: Text = "",
            step: Text = "preview", key: Text = "") -> Response:
    """Preview, then confirm, reversing the last standing repayment, booked in error (finance)."""
    typed = {"amount": amount.strip(), "received_on": received_on, "bank_ref": bank_ref, "reason": reason,
             "document_ref": document_ref}

    def command(dry_run: bool, once: str | None):
        body = RepaymentReversalCreate.model_validate(typed | {"amount": plain_amount(amount)})
        return ledger.reverse_repayment(by, recovery_id=recovery_id, amount=body.amount,
                                        received_on=body.received_on, bank_ref=body.bank_ref, reason=body.reason,
                                        document_ref=body.document_ref, dry_run=dry_run, key=once)

    state = attempt(request, typed, step, key, command, f"/ui/recoveries/{recovery_id}?done=unrepaid", "unrepay")
    return _recovery_page(request, ledger, recovery_id, "unrepay", state, by)


@router.post("/ui/recoveries/{recovery_id}/write-off/reverse", dependencies=[CsrfChecked])
def unwrite_off(request: Request, recovery_id: str, by: PagePrincipal, ledger: LedgerDep, reason: Text = "",
                document_ref: Text = "", step: Text = "preview", key: Text = "", shown: Text = "") -> Response:
    """Preview, then confirm, reversing the write-off: what was written off is owed again (finance). The
    confirmation carries what its preview `shown` (what is owed once reversed) and which write-off it reverses: a
    stale one reversed a colleague's newer write-off of another figure without a word (a regression probe). Moved,
    it comes back previewed anew (409) with both figures, as the write-off's and the claims' corrections do."""
    typed = {"reason": reason, "document_ref": document_ref}

    def command(dry_run: bool, once: str | None):
        body = WriteOffCreate.model_validate(typed)
        return ledger.reverse_write_off(by, recovery_id=recovery_id, reason=body.reason,
                                        document_ref=body.document_ref, dry_run=dry_run, key=once)

    def of(preview: dict[str, Any]) -> str:  # the figure owed once reversed, and the write-off it reverses
        return f"{Decimal(preview['outstanding']):.2f}|{_write_off_standing(ledger, recovery_id)}"

    def words(shown: str, lang: str) -> str:  # a figure edited by hand is a dash (`_figure`)
        return yuan(_figure(shown.split("|")[0]), lang)

    state = bound(request, typed, step, key, command, f"/ui/recoveries/{recovery_id}?done=unwrote_off",
                  "unwrite_off", shown, of=of, words=words, said=("unwrite_off_moved", "unwrite_off_moved_same"))
    return _recovery_page(request, ledger, recovery_id, "unwrite_off", state, by)


def _write_off_standing(ledger: Any, recovery_id: str) -> str:
    """Which write-off stands on the recovery: its event's position among the recovery's, or "-" for none. A
    write-off reversed and made again at the same figure is another write-off."""
    events = [views.recovery_event(e) for e in ledger.events.get(UUID(recovery_id))]
    last = next((e for e in reversed(events) if e["event"] in ("Recovery.WrittenOff", "Recovery.WriteOffReversed")),
                None)
    return str(last["version"]) if last is not None and last["event"] == "Recovery.WrittenOff" else "-"
