"""Checks every use-case family makes on what comes in: the actor's role, ids, required text."""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from typing import Any
from uuid import UUID

from ledger.domain import errors
from ledger.domain.text import chinese, clean_text
from ledger.principals import Principal, Role, role_refusal_zh
from ledger.rules.subjects import LOOK_ALIKE


def require_role(by: Principal, *roles: Role, doing: str) -> None:
    if by.role not in roles:
        raise errors.Forbidden(f"{by.name} ({by.role.value}) may not {doing}; that needs "
                               + " or ".join(r.value for r in roles),
                               zh=role_refusal_zh(by.name, by.role.value, doing, tuple(r.value for r in roles)))


SHOWN_ID = 80  # a refusal quotes at most this much of an id it names (a probe's 10,000-character id came back whole)


def uuid_of(value: str | None, what: str, field: str | None = None) -> UUID:
    """`value` as the id of a `what`, else `not_found` saying it is no id (naming `field`, the form's or body's field
    it came in, so a page marks it: a pages probe's payout form marked nothing for `nope`)."""
    kind = {"certification": "认定", "claim": "申请", "payout": "拨付", "recovery": "追回款项",
            "certification import": "名单导入"}.get(what, "")
    named = {} if field is None else {"field": field}
    if value is None or not str(value).strip():
        # A form's id field left empty is a field to fill in, not an id the ledger lacks (a pages probe's reversal
        # form with no payout id was told "'' is not a ledger id", 404).
        raise errors.MissingFact(f"the {what} id is missing; copy it from the {what}'s page or list",
                                 zh=f"请填写{kind}编号（可从{kind}页面或列表中复制）", **named)
    try:
        return UUID(str(value))
    except ValueError:
        said = repr(value) if len(str(value)) <= SHOWN_ID else repr(str(value)[:SHOWN_ID]) + "…"
        # The kind named in Chinese too: it was said in English only (a zh probe).
        raise errors.NotFound(f"{what} {said} is not a ledger id; check the id",
                              zh=f"{said} 不是台账{kind}编号；请核对{kind}编号", **named) from None


def text(value: str, field: str) -> str:
    """Required text through the ledger's one text check (ledger/domain/text.py), whichever way it came in."""
    return clean_text(value, field)


def plain_reference(value: str, field: str, name_zh: str) -> str:
    """A reference the ledger keys records by (a bank's reference, a body's id): required text with no full-width or
    other compatibility characters, which would make "ＩＣＢＣ－０００１" a second reference beside "ICBC-0001" (an
    input probe booked one bank transaction twice so), no dash but the ASCII one ("HL‐PAY‐0001" with U+2010, what an
    editor makes of a typed "-", was a fifth payout of one transfer: a hostile-input probe), and no letter but ASCII's
    or a Chinese character (a Cyrillic "Н" reads as "H"). Refused `invalid_request`, showing the form to write."""
    found = clean_text(value, field)
    # "一" (one) between letters or digits is a dash to the eye: "PAY一0001" beside "PAY-0001" (a regression probe).
    plain = _ONE_AS_DASH.sub("-", unicodedata.normalize("NFKC", found).translate(LOOK_ALIKE))
    if plain != found and _odd(plain) is None:
        raise errors.InvalidInput(f"{field} {found!r} has full-width, dash or other look-alike characters; write it"
                                  f" as {plain!r}",
                                  zh=f"{name_zh} {found!r} 含全角、破折号或其他形近字符；请写作 {plain!r}", field=field)
    if (odd := _odd(found) or _odd(plain)) is not None:  # no plain form to name: one it names would be refused too
        named = unicodedata.name(odd, f"U+{ord(odd):04X}")
        raise errors.InvalidInput(f"{field} {found!r} has the character {odd!r} ({named}), which reads like another:"
                                  " write it with ASCII letters, digits and signs (or Chinese characters) as the"
                                  " document shows it",
                                  zh=f"{name_zh} {found!r} 含字符 {odd!r}（{named}），易与其他字符混淆：请按单据所示，"
                                     "用半角英文字母、数字和符号（或汉字）填写", field=field)
    return found


_ONE_AS_DASH = re.compile(r"(?<=[0-9A-Za-z])一(?=[0-9A-Za-z])")


def _odd(text: str) -> str | None:
    """The first character of `text` that is neither printable ASCII nor Chinese, or None."""
    return next((c for c in text if not (" " <= c <= "~" or chinese(c))), None)


def path_segment(value: str, field: str, name_zh: str) -> str:
    """An id a path names (`/v1/innovation-bodies/{id}/members`): a plain reference holding none of / ? # % and not
    "." or "..", which a client cannot put in the path as written (a hostile-input probe's body ".." took the
    members of `POST /v1/innovation-bodies/../members`)."""
    found = plain_reference(value, field, name_zh)
    if set(found) & set("/?#%\\") or found.strip(".") == "":
        raise errors.InvalidInput(f"{field} {found!r} cannot name a record in a path: use letters, digits, - _ . and"
                                  " Chinese characters, without / ? # % \\ and not only dots",
                                  zh=f"{name_zh} {found!r} 无法在路径中指明记录：请使用字母、数字、- _ . 和汉字，"
                                     "不含 / ? # % \\，且不能只由点组成", field=field)
    return found


def optional_text(value: str | None, field: str) -> str | None:
    """Text a command may go without (a file's name): checked the same way; empty is None."""
    return None if value is None else clean_text(value, field, required=False) or None


def fingerprint(command: str, args: dict[str, Any]) -> str:
    """What an Idempotency-Key is held to: the command and its arguments (the same key with others is 409)."""
    return hashlib.sha256(json.dumps({"command": command, **args}, sort_keys=True, default=str).encode()).hexdigest()
