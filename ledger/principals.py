"""Who acts: a named principal with a role, and for bureaus the bureau it speaks for."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.messages import role_zh

# What a role may not do, for a Chinese reader: each `doing` a role check names (api/deps.py `requires`, the pages'
# `allowing`, ledger/usecases/common.py `require_role`), as the refusal's Chinese detail says it.
DOING_ZH: dict[str, str] = {
    "add members to innovation bodies": "为创新组织添加成员",
    "approve claims": "批准申请",
    "close a year": "办理年度结账",
    "confirm proposed claims": "确认待确认的申请",
    "correct claims and certifications": "更正申请和认定",
    "decide claims": "审批申请",
    "import bank statements": "导入银行对账单",
    "import certification lists": "导入认定名单",
    "import certification lists and confirm proposals": "导入认定名单、确认待确认的申请",
    "read bank statements": "查看银行对账单",
    "read claim receipts": "查看申请回执",
    "read recoveries": "查看追回款项",
    "read the chain's signed head": "查看事件链的签名摘要",
    "read the proposals' summary": "查看待确认申请汇总",
    "read the reconciliation": "查看对账结果",
    "record an organisation leaving or entering the district": "记录企业迁出或迁入辖区",
    "record appropriations": "记录资金安排",
    "correct appropriations": "更正资金安排",
    "record appropriations, payouts, reversals and bank statements": "记录资金安排、拨付、冲回和银行对账单",
    "record certifications": "记录认定",
    "record certifications and claims": "记录认定和申请",
    "record payouts": "记录拨付",
    "record payouts and reversals": "记录拨付和冲回",
    "record repayments": "记录还款",
    "record repayments and write-offs": "记录还款和核销",
    "register innovation bodies": "登记创新组织",
    "register organisations": "登记企业",
    "reject claims": "驳回申请",
    "reverse payouts": "冲回拨付",
    "reverse repayments": "冲回还款",
    "revoke certifications": "撤销认定",
    "revoke claims": "撤销申请",
    "top up claims": "补足已批准的奖励",
    "simulate a draft catalogue": "对政策目录草案进行模拟测算",
    "submit claims": "提交申请",
    "verify the audit chain": "核验审计事件链",
    "withdraw claims": "撤回申请",
    "write off recoveries": "核销追回款项",
}


def doing_zh(doing: str) -> str:
    """`doing` (what a role check guards, in English) for a Chinese reader; one not in DOING_ZH stays general."""
    return DOING_ZH.get(doing, "执行此操作")


def role_refusal_zh(name: str, role: str, doing: str, roles: tuple[str, ...]) -> str:
    """The Chinese detail of a refusal for the principal's role: what it may not do, and which roles may."""
    return (f"{name}（{role_zh(role)}）无权{doing_zh(doing)}；此操作需要角色 {' 或 '.join(map(role_zh, roles))}，"
            "请由具有该角色的账号办理")


class Role(StrEnum):
    BUREAU = "bureau"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    bureau: str | None = None

    def __str__(self) -> str:
        return self.name if self.bureau is None else f"{self.name} ({self.role.value}:{self.bureau})"
