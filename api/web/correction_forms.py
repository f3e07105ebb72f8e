"""How every correction form is answered: validated by the API's own request models, then either previewed
(the command with dry_run=true: what it would do, nothing written) or confirmed (the command itself, with the
form's idempotency key). A refused form comes back as it was typed, with what to fix beside each field."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api import field_messages
from api.deps import Settle, checked_key
from api.problems import STATUS_BY_KIND, chinese_detail
from api.web import i18n
from api.web.corrections_words import FIELD_OF_CODE
from ledger.application import Outcome
from ledger.domain.errors import LedgerError

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


def field_errors(err: ValidationError, lang: str) -> dict[str, str]:
    """Each malformed field and, in the reader's language, what to send instead."""
    t = i18n.translator(lang)
    found: dict[str, str] = {}
    for e in err.errors():
        name = str(e.get("loc", ("form",))[0]) if e.get("loc") else "form"
        key = f"fix_{name}"
        english, chinese = field_messages.words(e)
        found.setdefault(name, t(key) if key in i18n.MESSAGES else
                         t("fix_form") + (f"（{chinese}）" if lang == "zh" else f" ({english})"))
    return found


def attempt(request: Request, typed: dict[str, str], step: str, key: str,
            command: Callable[[bool, str | None], Outcome], done: str) -> FormState | Response:
    """Preview or confirm; a FormState to show again (a preview, or a refusal), or the redirect once done."""
    lang = i18n.language(request)
    state = FormState(typed)
    try:
        if step == "confirm":
            Settle(request, Response())(command(False, checked_key(key)))
            return RedirectResponse(done, status_code=303)
        state.preview = command(True, None).view
        return state
    except ValidationError as err:
        state.errors, state.status = field_errors(err, lang), 422
    except LedgerError as err:
        if err.kind in PAGE_KINDS:
            raise
        title = i18n.pick(i18n.REFUSALS, err.code, lang) or err.code
        detail = chinese_detail(err) if lang == "zh" else err.detail  # as the finance forms word it
        state.refusal = {"code": err.code, "title": title, "detail": detail}
        state.status = STATUS_BY_KIND.get(err.kind, 422)
        if err.code in FIELD_OF_CODE:
            name, fix = FIELD_OF_CODE[err.code]
            state.errors[name] = i18n.translator(lang)(fix)
    return state
