"""How a refusal reads on a page: each field by the label its form shows (批准金额, not `amount`), and claim
statuses and roles by the names people use (已批准, 审计) where the ledger's sentence names them by code."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from api import field_messages
from api.problems import EdgeProblem, chinese_detail
from api.schemas.queues import STATUSES
from api.web import i18n
from ledger.domain.errors import LedgerError
from ledger.principals import Role

_STATUSES = "|".join(STATUSES)
_ROLES = "|".join(role.value for role in Role)
# The ledger's Chinese sentences name a claim's status and a role by their codes ("已是 approved 状态",
# "需要角色 auditor 或 admin"); its English ones read well as they are, roles aside ("needs auditor or admin").
_STATUS_ZH = re.compile(rf"(已是|状态是|状态为) ({_STATUSES})\b ?")
_ROLE_LIST = {"zh": re.compile(rf"(需要角色 )((?:{_ROLES})(?: 或 (?:{_ROLES}))*)\b"),
              "en": re.compile(rf"(needs )((?:{_ROLES})(?: or (?:{_ROLES}))*)\b")}
_ROLE_OF = {"zh": re.compile(rf"（({_ROLES})）"), "en": re.compile(rf"\(({_ROLES})\)")}


def _roles_named(text: str, lang: str) -> str:
    t = i18n.translator(lang)

    def listed(found: re.Match[str]) -> str:
        return found[1] + t("or").join(i18n.role_name(r, lang) for r in re.split(r" 或 | or ", found[2]))

    text = _ROLE_LIST[lang].sub(listed, text)
    return _ROLE_OF[lang].sub(lambda found: t("paren", text=i18n.role_name(found[1], lang)).lstrip(), text)


def named(text: str, lang: str) -> str:
    """`text` with the claim statuses and roles it names by code named in `lang`."""
    text = _roles_named(text, lang)
    if lang != "zh":
        return text
    return _STATUS_ZH.sub(lambda found: f"{found[1]}“{i18n.status_name(found[2], lang)}”", text)


def detail(err: LedgerError | EdgeProblem, lang: str) -> str:
    """The refusal's detail for a reader of `lang`, statuses and roles by name."""
    return named(chinese_detail(err) if lang == "zh" else err.detail, lang)


def labelled(error: Mapping[str, Any], lang: str, form: str | None = None) -> str:
    """One malformed field as `label: what to send`, the label as `form` shows it."""
    entry = field_messages.field_error(error)
    message = entry["message_zh"] if lang == "zh" else entry["message"]
    return i18n.field_label(entry["field"], lang, form) + i18n.translator(lang)("colon") + message


def fields(errors: Sequence[Mapping[str, Any]], lang: str, form: str | None = None) -> tuple[str, str]:
    """The contract's code for malformed fields, and every one of them labelled, as one sentence."""
    code = next((field_messages.code(e) for e in errors), "invalid_request")
    return code, i18n.translator(lang)("sentence_sep").join(labelled(e, lang, form) for e in errors)
