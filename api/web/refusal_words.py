"""How a refusal reads on a page: each field by the label its form shows (批准金额, not `amount`), and claim
statuses and roles by the names people use (已批准, 审计) where the ledger's sentence names them by code."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from api import field_messages
from api.problems import EdgeProblem, chinese_detail
from api.problems import title as problem_title
from api.schemas.queues import STATUSES
from api.web import i18n
from ledger.catalogue import catalogues
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


def bureau_name(code: str | None, lang: str) -> str:
    """A bureau by the name people call it (`kjj` → 区科技局, Science and Technology Bureau); an unknown code as
    it is, nothing as nothing."""
    if not code:
        return ""
    found = next((b for c in reversed(catalogues()) if (b := c.bureau(code))), None)
    return code if found is None else (found.name_zh if lang == "zh" else found.name_en)


# The ledger's sentences name the lead bureau, and the bureau a principal speaks for, by its code ("由 kjj 牵头",
# "kjj-ui 属于 kjj", "led by kjj", "speaks for kjj"); each pattern with how the name reads in its place.
_BUREAU = r"([a-z][a-z0-9_]*)(?![a-z0-9_-])"  # a whole code: not the start of a principal's name (kjj-ui)
_NAMED_BUREAU = {"zh": ((re.compile(rf"由 ?{_BUREAU} ?牵头"), "由{}牵头"), (re.compile(rf"属于 ?{_BUREAU}"), "属于{}")),
                 "en": ((re.compile(rf"\bled by {_BUREAU}"), "led by the {}"),
                        (re.compile(rf"\bspeaks for {_BUREAU}"), "speaks for the {}"))}


def _bureaus_named(text: str, lang: str) -> str:
    for pattern, reads in _NAMED_BUREAU[lang]:
        def name(found: re.Match[str], reads: str = reads) -> str:
            said = bureau_name(found[1], lang)
            return found[0] if said == found[1] else reads.format(said)

        text = pattern.sub(name, text)
    return text


# The API's words for a client that a clerk on a page has no use for: its paths, a status named twice, a field's
# key beside its name (等次 tier: a clerk's probe).
_FOR_CLIENTS = {"zh": (("“待确认”（proposed）", "“待确认”"), ("须填写等次 tier，", "须填写等次，"),
                       ("请不要填写 tier", "请不要填写等次"),
                       ("待审批的申请请用 /approve 批准或 /reject 驳回", "待审批的申请请在申请页面上批准或驳回")),
                "en": (("a pending claim is decided with /approve or /reject",
                        "a pending claim is approved or rejected on its page"),)}


# A reversal of a revoked award's payout above what is outstanding is told which repayment or write-off to reverse
# first at the API's path; a page names the recovery's page, where both are reversed. So too a certification recorded
# twice is told where its upgrade is recorded: on the certification's page.
_API_PATHS = {
    "zh": ((re.compile(r"还款：POST /v1/recoveries/([0-9a-f-]+)/repayments/reverse"),
            r"还款：在追回款项 \1 的页面上冲回"),
           (re.compile(r"核销：POST /v1/recoveries/([0-9a-f-]+)/write-off/reverse"),
            r"核销：在追回款项 \1 的页面上冲回"),
           (re.compile(r"晋级请用 POST /v1/certifications/([0-9a-f-]+)/upgrades"), r"晋级请在认定 \1 的页面上记录"),
           # A budget document booked twice: the form's 文件文号, no key or path it has no use for (a finance probe);
           # an appropriation to correct that the year does not hold: where the page lists them.
           (re.compile(r"请填写其 document_ref。超时后重发的请求请使用相同的 Idempotency-Key；可查看 GET"
                       r" /v1/appropriations/(\d{4})"),
            r"请填写追加预算的文件文号；\1 年度已安排的资金见该年度的财务对账页面"),
           (re.compile(r"财务对账页面或 GET /v1/appropriations/\d{4} 查看"), "财务对账页面查看"),
           # An organisation not registered: no page registers one, so who does, not the API's path (a clerk's probe).
           (re.compile(re.escape("（请先以 POST /v1/organisations 登记）")), "（该单位须先在台账中登记）"),
           # A recognition without its body: the form's field by its label, not the API's key and path (a probe).
           (re.compile(re.escape("请在 body_id 中填写被认定的创新组织（须先通过 POST /v1/innovation-bodies 登记）")),
            "请填写“被认定的创新组织编号”（该创新组织须先登记）")),
    "en": ((re.compile(r"repayment: POST /v1/recoveries/([0-9a-f-]+)/repayments/reverse"),
            r"the repayment on recovery \1's page"),
           (re.compile(r"write-off: POST /v1/recoveries/([0-9a-f-]+)/write-off/reverse"),
            r"the write-off on recovery \1's page"),
           (re.compile(r"an upgrade is POST /v1/certifications/([0-9a-f-]+)/upgrades"),
            r"an upgrade is recorded on certification \1's page"),
           (re.compile(r"send its document_ref\. A request sent again after a timeout is told by its Idempotency-Key;"
                       r" see GET /v1/appropriations/(\d{4})"),
            r"give the supplementary budget's document number; the appropriations of \1 are on its reconciliation"
            " page"),
           (re.compile(r"the year's finance page and GET /v1/appropriations/\d{4} list them"),
            "the year's finance page lists them"),
           (re.compile(re.escape("(register it with POST /v1/organisations first)")),
            "(it must be registered in the ledger first)"),
           (re.compile(re.escape("give body_id, the body it recognises (register it with POST /v1/innovation-bodies"
                                 " first)")),
            "give the innovation body id, the body it recognises (registered first)"))}


# Any other API route a refusal names in passing, in brackets ("提交申请（POST /v1/claims）", "(or GET
# /v1/audit/verify)"): left out on a page, whose clerk has the page's own forms, not the API (a pages probe read
# POST /v1/certifications in a refusal).
_API_ASIDE = re.compile(r" ?[（(](?:或 ?|or )?(?:GET|POST|PUT|PATCH|DELETE) /v1/[^）)]*[）)]")
_LEADING_FIELD = re.compile(r"^([a-z]+(?:_[a-z]+)+)(?= )")
_SUBJECT_KEY = re.compile(r"(?<![A-Za-z_:])subject(?![A-Za-z_:])")


def _labelled(field: str, lang: str) -> str:
    """The field as the pages label it, with a capital where it opens the sentence; as it is if none does."""
    label = i18n.field_label(field, lang)
    return label if label == field else label[:1].upper() + label[1:]


def named(text: str, lang: str) -> str:
    """`text` with the claim statuses, roles and lead bureaus it names by code named in `lang`, and no API path."""
    for said, instead in _FOR_CLIENTS[lang]:
        text = text.replace(said, instead)
    for path, instead in _API_PATHS[lang]:
        text = path.sub(instead, text)
    text = _API_ASIDE.sub("", text)
    if lang == "zh":  # a subject by the form's word for it, not the API's key (subject '某某项目': a clerk's probe)
        text = _SUBJECT_KEY.sub(i18n.field_label("subject", lang, "certify"), text)
    text = _bureaus_named(_roles_named(text, lang), lang)
    if lang != "zh":
        # A sentence that opens with the API's field ("paid_on 2099-01-01 is in the future"): its label instead.
        return _LEADING_FIELD.sub(lambda found: _labelled(found[1], lang), text, count=1)
    return _STATUS_ZH.sub(lambda found: f"{found[1]}“{i18n.status_name(found[2], lang)}”", text)


# `invalid_request` covers a value missing, malformed or out of range alike: on a form, say the form needs
# correcting (not that it is incomplete: a repayment dated tomorrow is complete); elsewhere, that the address's
# query (`?as_of=`) could not be used.
_INVALID_REQUEST = {"form": ("表单内容有误", "Something in the form is not right"),
                    "request": ("请求内容有误", "The request could not be used")}


def title(code: str, lang: str, form: bool) -> str:
    """A refusal's heading in `lang`, describing the refusal whatever was being done (`form`: a form was sent):
    the pages' own title for the code, else the API's (api/problems.py), never the bare code."""
    if code == "invalid_request":
        return _INVALID_REQUEST["form" if form else "request"][i18n.LANGS.index(lang)]
    return i18n.pick(i18n.REFUSALS, code, lang) or problem_title(code, lang)


def detail(err: LedgerError | EdgeProblem, lang: str) -> str:
    """The refusal's detail for a reader of `lang`, statuses and roles by name."""
    return named(chinese_detail(err) if lang == "zh" else err.detail, lang)


def for_a_form(error: Mapping[str, Any]) -> Mapping[str, Any]:
    """A field error as a form's reader is told it: a text box has no JSON, so a whole number typed as text is
    not told to drop its quotes (a pages probe read "JSON 整数，不加引号" beside 年度)."""
    return {**error, "type": "int_parsing"} if error.get("type") == "int_type" else error


def labelled(error: Mapping[str, Any], lang: str, form: str | None = None) -> str:
    """One malformed field as `label: what to send`, the label as `form` shows it."""
    entry = field_messages.field_error(for_a_form(error))
    message = entry["message_zh"] if lang == "zh" else entry["message"]
    return with_label(i18n.field_label(entry["field"], lang, form), message, lang)


def with_label(label: str, message: str, lang: str) -> str:
    """`label: message`, or the message alone where its words name the field already (拨付日期 2030-… is in the
    future; "the year '２０２４' is written in full-width digits" read "Year: the year '２０２４' …", a probe)."""
    said, named = message.casefold(), label.casefold()
    if said.startswith((named + " ", "the " + named + " ")):
        return message[:1].upper() + message[1:]
    return label + i18n.translator(lang)("colon") + message


def fields(errors: Sequence[Mapping[str, Any]], lang: str, form: str | None = None) -> tuple[str, str]:
    """The contract's code for malformed fields, and every one of them labelled, as one sentence."""
    code = next((field_messages.code(e) for e in errors), "invalid_request")
    return code, i18n.sentences((labelled(e, lang, form) for e in errors), lang)
