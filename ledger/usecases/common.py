"""Checks every use-case family makes on what comes in: the actor's role, ids, required text."""
from __future__ import annotations

import hashlib
import json
import unicodedata
from typing import Any
from uuid import UUID

from ledger.domain import errors
from ledger.domain.text import clean_text
from ledger.principals import Principal, Role, role_refusal_zh


def require_role(by: Principal, *roles: Role, doing: str) -> None:
    if by.role not in roles:
        raise errors.Forbidden(f"{by.name} ({by.role.value}) may not {doing}; that needs "
                               + " or ".join(r.value for r in roles),
                               zh=role_refusal_zh(by.name, by.role.value, doing, tuple(r.value for r in roles)))


SHOWN_ID = 80  # a refusal quotes at most this much of an id it names (a probe's 10,000-character id came back whole)


def uuid_of(value: str | None, what: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        said = repr(value) if len(str(value)) <= SHOWN_ID else repr(str(value)[:SHOWN_ID]) + "…"
        kind = {"certification": "认定", "claim": "申请", "payout": "拨付", "recovery": "追回款项",
                "certification import": "名单导入"}.get(what, "")
        # The kind named in Chinese too: it was said in English only (a zh probe).
        raise errors.NotFound(f"{what} {said} is not a ledger id; check the id",
                              zh=f"{said} 不是台账{kind}编号；请核对{kind}编号") from None


def text(value: str, field: str) -> str:
    """Required text through the ledger's one text check (ledger/domain/text.py), whichever way it came in."""
    return clean_text(value, field)


def plain_reference(value: str, field: str, name_zh: str) -> str:
    """A reference the ledger keys records by (a bank's reference, a body's id): required text with no full-width or
    other compatibility characters, which would make "ＩＣＢＣ－０００１" a second reference beside "ICBC-0001" (an
    input probe booked one bank transaction twice so). Refused `invalid_request`, showing the form to write."""
    found = clean_text(value, field)
    if (plain := unicodedata.normalize("NFKC", found)) != found:
        raise errors.InvalidInput(f"{field} {found!r} has full-width or other compatibility characters; write it"
                                  f" as {plain!r}", zh=f"{name_zh} {found!r} 含全角或其他兼容字符；请写作 {plain!r}",
                                  field=field)
    return found


def optional_text(value: str | None, field: str) -> str | None:
    """Text a command may go without (a file's name): checked the same way; empty is None."""
    return None if value is None else clean_text(value, field, required=False) or None


def fingerprint(command: str, args: dict[str, Any]) -> str:
    """What an Idempotency-Key is held to: the command and its arguments (the same key with others is 409)."""
    return hashlib.sha256(json.dumps({"command": command, **args}, sort_keys=True, default=str).encode()).hexdigest()
