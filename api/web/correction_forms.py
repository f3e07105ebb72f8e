"""How every correction form is answered: validated by the API's own request models, then either previewed
(the command with dry_run=true: what it would do, nothing written) or confirmed (the command itself, with the
form's idempotency key). A refused form comes back as it was typed, with what to fix beside each field."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api import field_messages
from api.deps import Settle, checked_key
from api.problems import STATUS_BY_KIND
from api.web import i18n, refusal_words
from api.web.amounts import yuan
from api.web.corrections_words import FIELD_OF_CODE
from ledger.application import Outcome
from ledger.domain.errors import Conflict, LedgerError

# Refusals no retyping can cure (no such claim, not this clerk's programme): the refusal page, as elsewhere.
PAGE_KINDS = ("not_found", "forbidden")


@dataclass
class FormState:
    """What the clerk typed, what the ledger said of it, and the preview if one was asked for."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    refusal: dict[str, str] | None = None
    preview: dict[str, Any] | None = None
    status: int = 200


EMPTY = ("missing", "string_too_short")
i18n.MESSAGES.update({
    "resent_title": ("此表单已经提交过", "This form was already sent"),
    "resent": ("这张表单此前已提交并处理过（例如在浏览器中点了“返回”后再次提交），本次没有再记录任何内容。"
               "请打开最新页面查看当前情况；如需另做操作，请在最新页面上重新填写。",
               "This form was sent and dealt with before (after going Back in the browser, say); nothing was"
               " recorded this time. Open the page as it is now to see where things stand, and fill in a new form"
               " there for anything else."),
    "resent_claim": ("这张表单此前已提交并处理过（例如在浏览器中点了“返回”后再次提交），本次没有再记录任何内容。"
                     "该申请现为“{status}”。请打开申请页面查看当前情况；如需另做操作，请在该页面重新填写。",
                     "This form was sent and dealt with before (after going Back in the browser, say); nothing was"
                     " recorded this time. The claim is now {status}. Open the claim to see where it stands, and"
                     " fill in a new form there for anything else."),
    "open_latest": ("打开最新页面", "Open the page as it is now"),
    "open_claim_now": ("打开该申请", "Open the claim"),
    "shown_claims": ("{n} 项申请，释放 {released}，应追回 {recover}",
                     "{n} claim(s), {released} released, {recover} to recover"),
    "preview_moved": ("预览时为：{shown}；此后账本有了变动（如登记了拨付），现在确认将是：{now}。本次未记录任何内容。"
                      "请核对下方新的预览，确认无误后再次确认。",
                      "The preview showed {shown}; the ledger changed since (a payout recorded, say), and confirming"
                      " now gives {now}. Nothing was recorded: check the new preview below and confirm it again."),
    "preview_moved_claims": ("（受影响的申请或其状态已变动。）", " (The claims it touches, or their status, changed.)"),
})


def claims_shown(preview: dict[str, Any]) -> str:
    """What a correction's preview of the claims it touches showed, as its confirmation carries it back: the money
    released and to recover, and which claims in which status (a digest)."""
    touched = preview.get("claims", [preview])
    released = sum((Decimal(str(c.get("released_amount") or 0)) for c in touched), Decimal(0))
    recover = sum((Decimal(str(c.get("to_recover") or 0)) for c in touched if c.get("recovery_id")), Decimal(0))
    which = ",".join(sorted(f"{c.get('id')}:{c.get('status')}" for c in touched))
    return f"{len(touched)}|{released:.2f}|{recover:.2f}|{hashlib.sha256(which.encode()).hexdigest()[:12]}"


def _claims_words(shown: str, lang: str) -> str:
    try:
        count, released, recover, _ = shown.split("|")
        words = i18n.translator(lang)("shown_claims", n=int(count), released=yuan(Decimal(released), lang),
                                      recover=yuan(Decimal(recover), lang))
    except (ValueError, InvalidOperation):
        return "—"
    return words


def bound(request: Request, typed: dict[str, str], step: str, key: str, command: Callable[[bool, str | None], Outcome],
          done: str, form: str, shown: str, of: Callable[[dict[str, Any]], str] = claims_shown,
          words: Callable[[str, str], str] = _claims_words,
          said: tuple[str, str] = ("preview_moved", "preview_moved_claims")) -> FormState | Response:
    """`attempt`, with the confirmation bound to what its preview showed (`of` the preview, carried back by the
    form as `shown`): a payout recorded in between turned a revocation that recovered nothing into a recovery of
    50,000.00, confirmed without a word (a regression probe; the write-off was bound so first). Such a
    confirmation comes back previewed anew, 409, saying what moved (`said`: the message naming both, and the one
    added where their words read alike); nothing is written. A refused dry run goes on to the command itself: a form
    sent twice is answered as the first was."""
    shown = shown.strip()
    if step == "confirm" and shown:
        again = attempt(request, typed, "preview", key, command, done, form)
        if isinstance(again, FormState) and again.preview and (now := of(again.preview)) != shown:
            lang = i18n.language(request)
            t = i18n.translator(lang)
            was, is_ = words(shown, lang), words(now, lang)
            moved = t(said[0], shown=was, now=is_) + (t(said[1]) if was == is_ else "")
            again.status, again.typed["shown"] = 409, now
            again.refusal = {"code": "conflict", "title": t("moved_title"), "detail": moved}
            return again
    state = attempt(request, typed, step, key, command, done, form)
    if isinstance(state, FormState) and state.preview:  # its confirmation carries what it shows
        state.typed["shown"] = of(state.preview)
    return state


def every_fault(state: FormState | Response, faults: Callable[[], dict[str, str]], lang: str,
                form: str) -> FormState | Response:
    """A refused form with every other field that is wrong on its own marked beside the first (`faults`: each field
    read alone, in the page's language), and named in the summary above the form by its label (as `form` shows it).
    The request model names the malformed fields and the ledger's checks stop at the first they meet: the
    certification form marked one fault a send, then the upgrade and revocation forms did (three sends for three
    faults: a regression probe); the summary then left out the day marked below it (another). The ledger still
    decides, on the next send; a form sent again (its key used) is about what was recorded, and is left as it is."""
    if isinstance(state, FormState) and (state.refusal is not None or state.errors) and not (
            state.refusal or {}).get("resent"):
        more = {name: said for name, said in faults().items() if name not in state.errors}
        state.errors |= more
        if more and state.refusal is not None:
            state.refusal["detail"] = i18n.sentences([state.refusal["detail"], *(
                refusal_words.with_label(i18n.field_label(name, lang, form), said, lang)
                for name, said in more.items())], lang)
    return state


def form_day(text: str) -> date | None:
    """A form's day as the request model reads it (YYYY-MM-DD), or None, which the model then refuses in its words:
    for a form to read a day on its own beside its other fields."""
    try:
        return date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        return None


def title(code: str, lang: str) -> str:
    """A refused form's heading in `lang` (api/web/refusal_words.py), never the bare code."""
    return refusal_words.title(code, lang, form=True)


def key_reused(err: Exception) -> bool:
    """The ledger's refusal of an idempotency key already used for a different command: on a page, a form sent
    again (the browser's Back, then send) after it, or another form with its key, was recorded."""
    return isinstance(err, Conflict) and err.detail.startswith("Idempotency-Key ")


def resent_about_claim(state: FormState, claim: dict[str, Any], lang: str, declined: bool = False) -> None:
    """A form sent again on a claim's page: say what the claim now is; a proposal the bureau `declined` is said so,
    not withdrawn, as the page says it (a stale tab's confirm or decline read 已撤回: a regression probe)."""
    t = i18n.translator(lang)
    status = t("declined_status") if declined else i18n.status_name(claim["status"], lang)
    if state.refusal and state.refusal.get("resent"):
        state.refusal["detail"] = t("resent_claim", status=status)
        state.refusal["link_label"] = t("open_claim_now")
    elif state.refusal and declined:
        said = i18n.status_name("withdrawn", lang)
        state.refusal["detail"] = state.refusal["detail"].replace(f"“{said}”", f"“{status}”").replace(
            f" is {said}", f" is {status}").replace(f" is already {said}", f" is already {status}")


def _fix(error: dict[str, Any], name: str, lang: str, hints: dict[str, str]) -> str:
    """What to send instead in one field: the form's own hint for it (unless the API's words are `specific`: an
    amount typed full-width, which the approve form's general hint hid, a pages probe), the page's hint for an
    empty field, else the API's words for what is wrong with it."""
    t = i18n.translator(lang)
    if name in hints and not (error.get("ctx") or {}).get("specific"):  # the API's own words where they say more
        return t(hints[name])
    if error.get("type") in EMPTY and f"fix_{name}" in i18n.MESSAGES:
        return t(f"fix_{name}")
    english, chinese = field_messages.words(refusal_words.for_a_form(error))
    return chinese if lang == "zh" else english


def field_errors(err: ValidationError, lang: str, hints: dict[str, str] | None = None) -> dict[str, str]:
    """Each malformed field and, in the reader's language, what to send instead."""
    found: dict[str, str] = {}
    for e in err.errors():
        name = str(e["loc"][0]) if e.get("loc") else "form"
        found.setdefault(name, _fix(dict(e), name, lang, hints or {}))
    return found


def _malformed(state: FormState, err: ValidationError, lang: str, form: str, hints: dict[str, str] | None) -> None:
    state.errors, state.status = field_errors(err, lang, hints), 422
    code = field_messages.code(err.errors()[0])
    t = i18n.translator(lang)
    said = i18n.sentences((i18n.field_label(name, lang, form) + t("colon") + fix
                           for name, fix in state.errors.items()), lang)
    state.refusal = {"code": code, "title": title(code, lang), "detail": said}


def _refused(state: FormState, err: LedgerError, lang: str, hints: dict[str, str] | None, done: str) -> None:
    state.status = STATUS_BY_KIND.get(err.kind, 422)
    if key_reused(err):  # words for a clerk, not the key: what happened, and the page as it is now
        t = i18n.translator(lang)
        state.refusal = {"code": err.code, "title": t("resent_title"), "detail": t("resent"), "resent": "1",
                         "link": done.split("?", 1)[0], "link_label": t("open_latest")}
        return
    state.refusal = {"code": err.code, "title": title(err.code, lang), "detail": refusal_words.detail(err, lang)}
    if existing := err.context.get("existing"):  # a certification recorded already: its page, to upgrade it on
        state.refusal |= {"link": f"/ui/certifications/{existing}",
                          "link_label": i18n.translator(lang)("open_certification", id=existing)}
    if err.code in FIELD_OF_CODE:
        name, fix = FIELD_OF_CODE[err.code]
        if fix == f"fix_{name}":  # the page's general hint for the field: the form's own, where it has one
            fix = (hints or {}).get(name, fix)
        state.errors[name] = i18n.translator(lang)(fix)
    elif (name := err.context.get("field")) in state.typed:  # the ledger named the field at fault
        state.errors[str(name)] = refusal_words.detail(err, lang)


def attempt(request: Request, typed: dict[str, str], step: str, key: str,
            command: Callable[[bool, str | None], Outcome], done: str, form: str = "",
            hints: dict[str, str] | None = None) -> FormState | Response:
    """Preview or confirm; a FormState to show again (a preview, or a refusal naming the fields to fix, as `form`
    labels them, with the form's own `hints` for some), or the redirect once done."""
    lang = i18n.language(request)
    state = FormState(typed)
    try:
        if step == "confirm":
            Settle(request, Response())(command(False, checked_key(key)))
            return RedirectResponse(done, status_code=303)
        state.preview = command(True, None).view
        return state
    except ValidationError as err:
        _malformed(state, err, lang, form, hints)
    except LedgerError as err:
        # A thing the form itself named that is not there (a repayment typed one fen off) is retyped, beside its
        # field: the whole form was thrown away for a 404 page (a regression probe).
        if err.kind in PAGE_KINDS and not (err.kind == "not_found" and err.context.get("field") in typed):
            raise
        _refused(state, err, lang, hints, done)
    return state
