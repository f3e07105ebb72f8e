"""Explanation steps in the reader's language: each step is stored with the figures it was made from
(`facts`, with a message `key`), and a sentence is rendered from them in Chinese or English on reading.

English is the step's stored `detail`, written when the rules ran, so old events read exactly as before. The
Chinese templates below are filled from `facts`; a step recorded before facts were kept (or whose key has no
template) falls back to a rendering from its rule and amount where that is enough, else to its stored detail.
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.domain.values import yuan

# A claim's statuses and the principals' roles by their Chinese names, for the refusals a Chinese reader gets
# (an API client matches on the problem's `code`, not on its words).
STATUSES_ZH = {"proposed": "待确认", "pending": "待审批", "approved": "已批准", "rejected": "已驳回",
               "withdrawn": "已撤回", "revoked": "已撤销"}
ROLES_ZH = {"bureau": "区级部门", "finance": "财政", "auditor": "审计", "admin": "管理员"}


# What `AwardLedger._get` looks up, by the English word its refusal names it with.
KINDS_ZH = {"claim": "申请", "certification import": "名单导入", "certification": "认定", "recovery": "追回款项",
            "payout": "拨付记录", "innovation body": "创新组织"}  # the longer name first: it begins like the shorter


def thing_zh(what: str) -> str:
    """"claim 1f…" as a Chinese reader names it: "申请 1f…" (anything else as it is)."""
    for kind, name in KINDS_ZH.items():
        if what.startswith(kind + " "):
            return name + what[len(kind):]
    return what


def status_zh(status: str) -> str:
    return f"“{STATUSES_ZH.get(status, status)}”"


def role_zh(role: str) -> str:
    return ROLES_ZH.get(role, role)


SCOPES_ZH = {
    "project": "每项目", "enterprise_year": "每企业每年", "enterprise_term": "每企业（政策期内）",
    "organisation_year": "每创新组织每年", "fund": "基金总额", "pool": "同一资金池各政策共用",
}

STEPS_ZH = {
    "term": "生效日期 {effective_on} 与奖补年度 {award_year} 均在政策期 {term_zh} 内",
    "eligibility.member": "{uscc} 在辖区内，且于 {on} 为创新组织 {body_id} 的成员",
    "eligibility.open": "{uscc} 在辖区内；{programme} 不要求加入创新组织",
    "designation": "自 {since} 起具有 {designation} 认定",
    "threshold": "{name_zh} {value:yuan} 元，达到门槛 {minimum:yuan} 元",
    "recognised_body": "{uscc} 是辖区内已认定{kind_zh} {body_id} 的牵头单位：奖励归属该创新组织，拨付给其牵头单位",
    "tier": "{programme_zh}，{tier_zh}：{amount:yuan} 元",
    "rank": "排名第 {rank}，在前 {max_rank} 名之内",
    "rank_share": "责任单位排名第 {rank}：{base:yuan} 元的 {share:pct}% = {shared:yuan} 元",
    "rate": "{basis_zh} {basis:yuan} 元的 {rate:pct}% = {amount:yuan} 元（向下取整到分）",
    "decided": "牵头部门核定金额：{requested:yuan} 元",
    "decided.within": "牵头部门核定金额：{requested:yuan} 元，未超过上限 {bound:yuan} 元",
    "cap.cut": "上限 {limit:yuan} 元（{scope:scope}{pool:pool}）：已占用 {used:yuan} 元，剩余 {headroom:yuan} 元；"
               "核减 {cut:yuan} 元",
    "cap.ok": "上限 {limit:yuan} 元（{scope:scope}{pool:pool}）：已占用 {used:yuan} 元，剩余 {headroom:yuan} 元；"
              "未核减",
    "cap.held": "上限 {limit:yuan} 元（{scope:scope}{pool:pool}）：剩余 {headroom:yuan} 元；本申请超出其预留额、"
                "后被其后提出的申请占用的 {held:yuan} 元仍计入本申请的地位；奖励金额不超过剩余 {headroom:yuan} 元",
    "upgrade_top_up": "由已奖励的较低等次晋升（{lower:awards}）：只补足差额 {rung:yuan} − {awarded:yuan} = "
                      "{owed:yuan} 元",
    "kept_rung_top_up": "本序列已计 {awarded:yuan} 元（{lower:awards}；已撤销奖励的已拨付部分在退回前仍计入）："
                        "只补足差额 {rung:yuan} − {awarded:yuan} = {owed:yuan} 元",
    "supersession": "事项 {subject} 已奖励 {awarded:yuan} 元：{counted:awards}；其他政策中最优的 {best} 为 "
                    "{best_standing:yuan} 元，{programme} 现为 {mine:yuan} 元，按从优从高不重复，只补差额 "
                    "{top:yuan} − {awarded:yuan} = {amount:yuan} 元",
    "award_top_up": "补足原奖励（申请 {claim}）：按现行规则该奖励为 {award:yuan} 元，原核定 {held:yuan} 元，只补差额 "
                    "{award:yuan} − {held:yuan} = {owed:yuan} 元",
    "entitlement": "现可得：{amount:yuan} 元",
}
# Steps recorded before facts were kept: the rules whose Chinese sentence needs nothing but the amount.
BY_RULE_ZH = {"entitlement": "现可得：{amount:yuan} 元"}


class _Formatter(string.Formatter):
    """`{x:yuan}` money with separators, `{x:pct}` a rate as a percentage, `{x:scope}` a cap scope, `{x:pool}` the
    pool it is shared by (if any), `{x:awards}` a list of earlier awards."""

    def format_field(self, value: Any, spec: str) -> str:
        if spec == "yuan":
            return yuan(Decimal(str(value)))
        if spec == "pct":
            return f"{Decimal(str(value)) * 100:.0f}"
        if spec == "scope":
            return SCOPES_ZH.get(str(value), str(value))
        if spec == "pool":  # the pool a cap is shared by, after its scope; steps recorded before kept it prefixed
            pool = str(value or "").lstrip("，")
            return f"，{pool}" if pool else ""
        if spec == "awards":
            # A rung by its Chinese name, its code beside it (a journey probe read "provincial_sme" on a zh page);
            # a step recorded before the name was kept reads its code.
            return "，".join(f"{a.get('programme') or _rung(a)} {yuan(Decimal(str(a['amount'])))} 元"
                            f"（申请 {a['claim']}）" for a in value)
        return super().format_field(value, spec)


def _rung(award: dict[str, Any]) -> str:
    return f"{award['tier_zh']}（{award.get('tier')}）" if award.get("tier_zh") else str(award.get("tier"))


_FORMAT = _Formatter()


def render_step(step: dict[str, Any], lang: str) -> str:
    """The step's sentence in `lang` ("zh" or "en"); English, and anything unrenderable, is the stored detail."""
    detail = str(step.get("detail", ""))
    if lang != "zh":
        return detail
    if step.get("detail_zh"):  # a refusal's own Chinese (the sandbox's replays: ledger/replay.py)
        return str(step["detail_zh"])
    facts = step.get("facts") or {}
    template = STEPS_ZH.get(facts.get("key", "")) or BY_RULE_ZH.get(str(step.get("rule")))
    if template is None:
        return detail
    try:
        return _FORMAT.format(template, **{"amount": step.get("amount"), **facts})
    except (KeyError, IndexError, TypeError, ValueError, InvalidOperation):
        return detail  # a step whose figures do not fit its template still reads, in English


def localise(steps: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The explanation with each step's `detail` in `lang`; every other field as stored."""
    if lang != "zh":
        return steps
    return [step | {"detail": render_step(step, lang)} for step in steps]


# The notes the ledger itself writes when it closes a proposal (`Replaced`, `Outranked`), stored in English as the
# event's `reason` (and the claim's `decision_note`); a Chinese reader gets them from these patterns.
_SYSTEM_NOTES_ZH = (
    (re.compile(r"replaced by claim (\S+), submitted for the same fact"),
     "已由申请 {0} 取代：同一事实已另行提交申请，本项待确认奖补随之关闭"),
    (re.compile(r"outranked by claim (\S+), approved by (.+): the cap it would draw on is used up"),
     "申请 {0} 已由 {1} 批准，用完了本项所计入的奖补上限，本项待确认奖补已无可拨付金额，随之关闭"),
    (re.compile(r"outranked by claim (\S+), approved by (.+): the award it proposed leaves nothing to pay"),
     "申请 {0} 已由 {1} 批准，按“从优、从高、不重复”，本项待确认奖补已无可拨付金额，随之关闭"),
    # A departure's withdrawal of the open proposals dated from then (ledger/usecases/district.py): the person's
    # reason kept after it (a regression probe read the English on a Chinese page).
    (re.compile(r"the organisation left the district on (\d{4}-\d{2}-\d{2}): (.*)", re.S),
     "该单位已于 {0} 迁出辖区：{1}"),
    # A certification's revocation closing the proposals resting on it (ledger/usecases/corrections.py): the ledger's
    # doing, not a bureau's decline (不予确认).
    (re.compile(r"the certification (\S+) was revoked from (\d{4}-\d{2}-\d{2}): (.*)", re.S),
     "认定 {0} 已撤销（自 {1} 起）：{2}"),
)


# The facts a proposal names (`proposal.because`, ledger/usecases/proposals.py) as a Chinese reader reads them, with
# where the fact's id goes.
_PROPOSED_BECAUSE_ZH = {
    "certification": "认定 {0}", "upgrade of certification": "认定 {0} 的晋级", "designation": "称号认定 {0}",
    "membership": "创新组织成员关系 {0}", "district re-entry": "{0} 迁回辖区",
    "the revocation of claim": "申请 {0} 的撤销", "the rejection of claim": "申请 {0} 的驳回",
    "the withdrawal of claim": "申请 {0} 的撤回", "the repayment on claim": "申请 {0} 的还款",
    "the lowered approval of claim": "申请 {0} 调低的批准金额",
    "the reversal of a payout of claim": "申请 {0} 一笔拨付的冲回",
}


def proposal_in(proposal: dict[str, Any] | None, lang: str) -> dict[str, Any] | None:
    """A proposal's record with its `text` ("proposed because certification X was recorded on D by P", which the ledger
    wrote) in `lang`; a fact without Chinese words keeps its English (a bureau probe read English under zh)."""
    if lang != "zh" or not proposal or (fact := _PROPOSED_BECAUSE_ZH.get(str(proposal.get("because")))) is None:
        return proposal
    said = fact.format(proposal.get("fact_id", ""))
    return proposal | {"text": f"因 {proposal.get('by', '')} 于 {proposal.get('recorded_on', '')} 记录了{said}，"
                               "系统生成本项待确认奖补（免申即享）"}


# An upgrade's replaced proposal names the new tier by its code: said with the tier's name where the reader's
# catalogue knows it (a clerk's probe read "认定已升级为 national").
_UPGRADED = re.compile(r"replaced by proposal (\S+): the certification was upgraded to (\S+)")
_UPGRADED_SAID = {"zh": "认定已晋级为{1}，已按新等次另行生成待确认奖补 {0}，本项随之关闭",
                  "en": "the certification was upgraded to {1}; proposal {0}, at the new tier, replaced this one"}


def persons_reason(text: str | None) -> bool:
    """A reason a person wrote, not one of the ledger's own notes (a departure's withdrawal, a replacement): the pages
    tell a proposal declined by a bureau (不予确认) from one the ledger closed by it."""
    return system_note(text, "zh") == text


def system_note(text: str | None, lang: str, tier_name: Callable[[str], str | None] | None = None) -> str | None:
    """A note the ledger wrote itself, in `lang`, a tier it names by `tier_name` (its name in `lang`, from the
    claim's programme) where one is given; anything else (a person's reason) as it was written. English notes
    are stored English: rewritten only to name a tier."""
    if text and (found := _UPGRADED.fullmatch(text)) and (lang == "zh" or tier_name):
        tier = (tier_name(found[2]) if tier_name else None) or f" {found[2]}"
        return _UPGRADED_SAID[lang].format(found[1], tier.strip() if lang == "en" else tier)
    if lang != "zh" or not text:
        return text
    for pattern, zh in _SYSTEM_NOTES_ZH:
        if found := pattern.fullmatch(text):
            return zh.format(*found.groups())
    return text
