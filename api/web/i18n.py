"""The pages' two languages: Chinese by default, English on `?lang=en` (kept in a cookie)."""
from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "ledger_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("“两链”政策奖补台账", "Two-chains award ledger"),
    "home": ("首页", "Home"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("访问令牌", "Access token"),
    "token_hint": ("请输入分配给您的令牌（与 API 的 Bearer 令牌相同）。",
                   "Enter the token you were given (the same as the API's bearer token)."),
    "bad_token": ("令牌不匹配任何用户，请检查后重试。", "The token matches no principal; check it and try again."),
    "signed_in_as": ("当前用户", "Signed in as"),
    "find_org": ("查找企业", "Find an organisation"),
    "search_label": ("统一社会信用代码或企业名称", "Unified social credit code or name"),
    "search": ("查找", "Search"),
    "results": ("查找结果", "Results"),
    "no_results": ("没有找到匹配的企业。", "No organisation matches."),
    "name": ("名称", "Name"),
    "uscc": ("统一社会信用代码", "USCC"),
    "in_district": ("区内", "In district"),
    "yes": ("是", "yes"), "no": ("否", "no"),
    "totals": ("合计", "Totals"),
    "entitled": ("应享", "Entitled"), "approved": ("已批准", "Approved"), "paid": ("已拨付", "Paid"),
    "outstanding": ("待拨付", "Outstanding"), "reversed": ("已冲回", "Reversed"),
    "programme": ("政策条目", "Programme"), "programmes": ("分项明细", "By programme"),
    "article": ("条款", "Article"), "claims": ("申请", "Claims"), "status": ("状态", "Status"),
    "caps": ("限额余量", "Cap headroom"), "limit": ("上限", "Limit"), "used": ("已占用", "Used"),
    "remaining": ("余量", "Remaining"), "no_caps": ("暂无限额占用。", "No cap is drawn on yet."),
    "timeline": ("事件时间线", "Timeline"), "by": ("操作人", "By"), "recorded_at": ("记录时间", "Recorded"),
    "effective_on": ("生效日期", "Effective"),
    "explanations": ("申请与测算说明", "Claims and their explanations"),
    "explanation": ("测算说明", "Explanation"), "rule": ("规则", "Rule"), "detail": ("说明", "Detail"),
    "amount": ("金额", "Amount"), "award_year": ("奖补年度", "Award year"), "tier": ("等次", "Tier"),
    "tier_amount": ("政策额度", "Policy amount"), "lead_bureau": ("牵头部门", "Lead bureau"),
    "claim": ("申请", "Claim"), "history": ("处理记录", "History"),
    "decide": ("审批", "Decision"), "approve": ("批准", "Approve"), "reject": ("驳回", "Reject"),
    "approve_amount": ("批准金额（元，留空即按应享金额）", "Amount in yuan (blank: the entitlement)"),
    "note": ("审批意见", "Note"), "reason": ("驳回理由", "Reason"),
    "not_your_programme": ("本申请由 {lead} 牵头审批。", "This claim is decided by its lead bureau, {lead}."),
    "decided": ("审批已记录。", "The decision is recorded."),
    "pending": ("待审批", "pending"), "approved_status": ("已批准", "approved"), "rejected": ("已驳回", "rejected"),
    "finance": ("财务对账", "Finance"), "year": ("年度", "Year"), "show": ("显示", "Show"),
    "appropriation": ("专项资金使用", "Appropriation use"), "appropriated": ("已安排", "Appropriated"),
    "headroom": ("可用余额", "Headroom"), "floor": ("政策下限", "Policy floor"),
    "below_floor": ("本年度安排低于政策下限（第二条）。", "This year's appropriation is below the floor (Art. 2)."),
    "downloads": ("对账下载", "Reconciliation downloads"), "investments": ("投资（不计入奖补）", "Investments (apart)"),
    "bureau": ("部门", "Bureau"), "no_rows": ("本年度暂无数据。", "Nothing recorded for this year yet."),
    "audit": ("审计核验", "Audit"), "verification": ("防篡改链核验", "Tamper-evidence verification"),
    "chain_ok": ("核验通过：事件链完整。", "Verified: the chain is intact."),
    "chain_bad": ("核验失败：事件链被改动。", "FAILED: the chain was altered."),
    "verify_busy": ("系统繁忙，本次未核验事件链。", "Busy: the chain was not verified this time."),
    "verify_busy_detail": ("本进程同时运行的耗时查询（事件链核验、政策模拟、按时点对账）已达上限；请稍后刷新本页。",
                           "As many long queries (chain verifications, simulations, reconciliations as of a moment)"
                           " run in this process as it allows; reload this page shortly."),
    "verify_running": ("正在核验事件链。", "Verifying the chain."),
    "verify_progress": ("已核验 {checked} / 约 {total} 个事件（{started} 开始）；"
                        "本页将于 {reload} 秒后自动刷新，核验完成后显示结果。",
                        "{checked} of about {total} events checked (started {started}); this page reloads in"
                        " {reload} s and shows the verdict once it is done."),
    "verify_last": ("上次核验（{at} 完成，{checked} 个事件）：{verdict}",
                    "The last verification ({at}, {checked} events): {verdict}"),
    "verified_at": ("核验完成时间", "Verified at"), "verify_took": ("用时 {seconds} 秒", "took {seconds} s"),
    "events_checked": ("已核验事件", "Events checked"), "first_bad": ("首个异常位置", "First bad position"),
    "digest": ("当前摘要", "Current digest"), "position": ("位置", "Position"), "algorithm": ("算法", "Algorithm"),
    "tree_root": ("默克尔树根", "Merkle root"), "key_id": ("签名密钥", "Signing key"),
    "receipt_download": ("下载可核验回执（JSON）", "Download a verifiable receipt (JSON)"),
    "check_h": ("核验摘要或回执", "Check a digest or a receipt"),
    "check_hint": ("上传此前保存的摘要或回执（JSON 文件）。", "Upload a digest or receipt saved earlier (JSON)."),
    "check_button": ("核验", "Check"),
    "check_ok": ("核验通过：签名有效，内容与本账本一致。",
                 "Valid: the signature holds and it agrees with this ledger."),
    "check_bad": ("核验失败：", "INVALID: "),
    "refused": ("操作被拒绝", "Refused"), "code": ("代码", "Code"), "back": ("返回", "Back"),
    "language": ("English", "中文"),
    "my_queue": ("待办申请", "Claims waiting for you"), "filters": ("筛选", "Filters"), "all": ("全部", "all"),
    "proposed": ("待确认", "proposed"), "withdrawn": ("已撤回", "withdrawn"), "revoked": ("已撤销", "revoked"),
    "submitted_at": ("提交时间", "Submitted"), "open_claim": ("查看", "Open"), "next_page": ("下一页", "Next page"),
    "queue_empty": ("没有待办申请。", "Nothing waits for you."),
    "unpaid_queue": ("已批准待拨付", "Approved, not yet paid"),
    "nothing_unpaid": ("没有待拨付的申请。", "Nothing to pay."),
    "open_recoveries": ("待追回款项", "Open recoveries"), "recent_decisions": ("最近审批", "Recent decisions"),
    "as_of": ("截至", "As of"), "as_of_hint": ("日期指当天结束（北京时间）", "a day means its end, Beijing time"),
    "as_of_now": ("当前", "now"), "as_of_shown": ("以下为截至 {at} 台账所知情况。", "As the ledger knew it at {at}."),
    "scope_project": ("每项目", "per project"), "scope_enterprise_year": ("每企业每年", "per enterprise a year"),
    "scope_enterprise_term": ("每企业（政策期内）", "per enterprise over the term"),
    "scope_organisation_year": ("每创新组织每年", "per innovation organisation a year"),
    "scope_fund": ("基金总额", "the whole fund"),
    # Finance's forms (api/web/finance_forms.py)
    "finance_write": ("财务录入", "Finance entries"),
    "form_appropriation": ("资金安排", "Appropriation"), "form_payout": ("拨付", "Payout"),
    "form_reversal": ("拨付冲回", "Reversal"), "form_statement": ("银行对账单导入", "Bank statement"),
    "appropriation_doc": ("文件文号", "Document reference"), "amount_yuan": ("金额（元）", "Amount (yuan)"),
    "claim_id": ("申请编号", "Claim id"), "paid_on": ("拨付日期", "Paid on"),
    "payout_id": ("拨付编号", "Payout id"),
    "reversal_reason": ("冲回原因", "Reason"), "statement_file": ("对账单文件（CSV，银行导出原样）",
                                                               "Statement file (CSV, as the bank exported it)"),
    "import_good_lines": ("有错误行时仍导入其余行", "Import the good lines when some are refused"),
    "record": ("记录", "Record"), "preview_match": ("预览匹配结果", "Preview the matching"),
    "confirm_import": ("确认导入", "Confirm and import"), "cancel": ("取消", "Cancel"),
    "recorded_form": ("已记录：{what}。", "Recorded: {what}."),
    "fix_field": ("请修改：{field}", "Fix: {field}"),
    "statement_preview_h": ("导入前预览", "Preview before import"),
    "preview_hint": ("以下为按当前拨付记录匹配的结果，尚未导入。确认后才会记录。",
                     "The matching against the payouts as they stand; nothing is recorded until you confirm."),
    "encoding": ("文件编码", "Encoding"), "lines_read": ("读取行数", "Lines read"),
    "refused_lines": ("被拒绝的行", "Refused lines"), "line": ("行号", "Line"),
    "matched": ("已匹配", "Matched"), "amount_mismatches": ("金额不符", "Amount mismatches"),
    "unmatched_bank_lines": ("无对应拨付的银行行", "Bank lines with no payout"),
    "unmatched_payouts": ("未见于银行的拨付", "Payouts not on the statement"),
    "reversed_but_on_statement": ("已冲回但银行有记录", "Reversed yet on the statement"),
    "credit_lines": ("入账行（还款）", "Credit lines (repayments)"),
    "all_matched": ("全部匹配。", "Everything matches."), "reference": ("参考号", "Reference"),
    "counterparty": ("对方户名", "Counterparty"), "date": ("日期", "Date"),
    "statement": ("银行对账单", "Bank statement"), "source": ("来源文件", "Source file"),
}

# Titles of refusals people meet on the pages; the detail always comes from the ledger itself.
REFUSALS: dict[str, tuple[str, str]] = {
    "not_lead_bureau": ("非本计划牵头部门，无权审批", "Not the lead bureau of this programme"),
    "forbidden": ("无权访问", "Not allowed"),
    "not_found": ("未找到", "Not found"),
    "csrf": ("表单已过期，请刷新页面后重试", "The form expired; reload the page and try again"),
}

EVENTS: dict[str, tuple[str, str]] = {
    "Organisation.Registered": ("登记企业", "Organisation registered"),
    "Organisation.Joined": ("加入创新组织", "Joined an innovation body"),
    "Organisation.Designated": ("认定称号", "Designated"),
    "InnovationBody.Recognised": ("认定创新组织", "Innovation body recognised"),
    "InnovationBody.MemberAdded": ("创新组织新增成员", "Member added to an innovation body"),
    "Certification.Recorded": ("记录认定", "Certification recorded"),
    "Certification.Upgraded": ("认定晋级", "Certification upgraded"),
    "Claim.Submitted": ("提交申请", "Claim submitted"), "Claim.Approved": ("批准申请", "Claim approved"),
    "Claim.Reassessed": ("重新核定应得金额", "Claim re-assessed"),
    "Claim.Rejected": ("驳回申请", "Claim rejected"),
    "Claim.PayoutRecorded": ("拨付记入申请", "Paid against the claim"),
    "Claim.PayoutReversed": ("申请拨付冲回", "Claim payout reversed"),
    "Payout.Recorded": ("记录拨付", "Payout recorded"), "Payout.Reversed": ("记录冲回", "Payout reversed"),
}


def language(request: Request) -> str:
    """`?lang=` first, then the cookie, then Chinese."""
    for found in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if found in LANGS:
            return found
    return DEFAULT


def translator(lang: str) -> Callable[..., str]:
    index = LANGS.index(lang)

    def t(key: str, **values: object) -> str:
        text = MESSAGES.get(key, (key, key))[index]
        return text.format(**values) if values else text

    return t


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str | None:
    found = table.get(key)
    return None if found is None else found[LANGS.index(lang)]


# The corrections pages keep their words in their own module; they only add keys, never replace one.
def _merge() -> None:
    from api.web import corrections_words

    for table, extra in ((MESSAGES, corrections_words.MESSAGES), (REFUSALS, corrections_words.REFUSALS),
                         (EVENTS, corrections_words.EVENTS)):
        for key, words in extra.items():
            table.setdefault(key, words)


_merge()
