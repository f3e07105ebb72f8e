"""The corrections pages' words (withdraw, revoke, recoveries), Chinese first; `api/web/i18n.py` merges them,
so the finance and corrections rooms can each grow their vocabulary without editing one shared table."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "correct": ("更正", "Correction"),
    # Where a certification imported from an official list came from, for an auditor tracing an award back to its
    # list (the API had it; the page did not: an imports probe).
    "imported_from": ("来源名单", "Imported from a list"),
    "imported_line": ("名单第 {line} 行（共 {rows} 行），由 {by} 导入；导入编号 {id}",
                      "line {line} of {rows} of a list imported by {by}; import {id}"),
    "imported_sha": ("名单文件 SHA-256", "The list file's SHA-256"),
    "withdraw_h": ("撤回申请", "Withdraw the claim"),
    "withdraw_hint": ("待审批或待确认的申请可撤回：其占用的限额、名额与资金全部释放。",
                      "A pending or proposed claim can be withdrawn: every cap, slot and fund reservation is"
                      " released."),
    "decline_h": ("不予确认", "Decline the proposal"),
    "decline_hint": ("不予确认的待确认奖补将关闭（记为已撤回），不再提出；待确认奖补未占用任何限额、名额或资金，"
                     "因此不释放任何金额。",
                     "A declined proposal is closed (as withdrawn) and not proposed again; a proposal holds no cap,"
                     " slot or fund, so nothing is released."),
    "revoke_h": ("撤销奖补", "Revoke the award"),
    "revoke_hint": ("已批准的奖补可撤销：未拨付部分释放，已拨付部分（扣除冲回）转为应追回款项。",
                    "An approved award can be revoked: the unpaid part is released, the paid part (net of"
                    " reversals) becomes a recovery."),
    # Topping an award up (rule 3): the difference it is owed once a lower rung it was approved net of is gone.
    "top_up_h": ("补足差额", "Top up the award"),
    "top_up_hint": ("核定时扣除的较低等次（或其他政策的更优奖励）此后被撤销（已拨付的已追回）的，该奖励按现行规则"
                    "应得更多：提交一笔补足差额的申请，经审批后拨付。没有差额时不予受理。",
                    "Where a lower rung (or a better award under another programme) this award was approved net of"
                    " has since been revoked (and repaid, if paid), the rules give the award more now: claim the"
                    " difference, to be approved and paid as any claim. Nothing short is refused."),
    "top_up_amount": ("补足金额", "Top-up"), "confirm_top_up": ("确认提交补足申请", "Confirm the top-up claim"),
    "pending_status": ("待审批", "pending"),
    "corrected_topped_up": ("补足差额的申请已提交，待审批：见下方链接。",
                            "The top-up claim is made and awaits approval: see the link below."),
    "tops_up_link": ("本申请补足的原奖励", "The award this claim tops up"),
    "top_up_link": ("补足申请", "Top-up claim"),
    "correction_reason": ("原因", "Reason"), "document_ref": ("依据文件文号", "Document reference"),
    "preview": ("预览影响", "Preview"), "confirm_withdraw": ("确认撤回", "Confirm the withdrawal"),
    "confirm_decline": ("确定不予确认", "Confirm declining the proposal"),
    "rec_reduced_h": ("冲回的误登记拨付", "Payouts reversed since"),
    "rec_reduced_hint": ("以下拨付系误登记（记错申请或金额），已在撤销后冲回：该奖补实际拨付相应减少，"
                         "追回总额随之减少。",
                         "These payouts were booked in error (on the wrong claim or for the wrong amount) and reversed"
                         " after the revocation: the award was paid that much less, so the recovery owes that much"
                         " less."),
    "confirm_revoke": ("确认撤销", "Confirm the revocation"),
    "preview_h": ("预览：确认前尚未记录任何内容", "Preview: nothing is recorded until you confirm"),
    "preview_claims": ("涉及申请", "Claims touched"), "released": ("释放金额", "Released"),
    "to_recover": ("应追回", "To recover"), "recovery_opened": ("将开立追回款项", "A recovery will be opened"),
    "no_recovery": ("无需追回", "Nothing to recover"),
    "corrected_withdrawn": ("申请已撤回。", "The claim is withdrawn."),
    "corrected_revoked": ("奖补已撤销。", "The award is revoked."),
    # The revocation's figures in its notice (a pages probe read "奖补已撤销。" and had to work out what it did).
    "corrected_revoked_released": ("奖补已撤销：未拨付的 {released}已释放（额度、等次与专项资金）。",
                                   "The award is revoked: the {released} not paid is released (caps, ladders"
                                   " and the fund)."),
    "corrected_revoked_recovery": ("已拨付的 {paid}转为应追回款项，见下方“追回款项”。",
                                   "The {paid} paid becomes a recovery: see \"Recovery\" below."),
    "fix_h": ("未能提交，请修改后重试", "Not sent: correct the form and try again"),
    # A refusal no field of the form caused (the claim was decided meanwhile, in another tab): nothing to correct.
    "not_sent_h": ("未能提交", "Not sent"),
    "fix_reason": ("请填写原因（不能为空）。", "Give a reason (it cannot be blank)."),
    "fix_document_ref": ("请填写依据文件文号，例如 杭高新科〔2024〕17号。",
                         "Give the document's reference, e.g. 杭高新科〔2024〕17号."),
    "fix_effective_on": ("请填写生效日期（年-月-日）。", "Give the effective date (year-month-day)."),
    "fix_amount": ("请填写大于 0 的金额（元），最多两位小数，例如 50000.00。",
                   "Give an amount in yuan above 0 with at most two decimals, e.g. 50000.00."),
    "fix_received_on": ("请填写到账日期（年-月-日）。", "Give the day the money arrived (year-month-day)."),
    "fix_bank_ref": ("请填写银行流水号。", "Give the bank's reference."),
    "fix_over_recovered": ("还款金额不能超过未追回余额；请按到账金额填写，超出部分退还付款人。",
                           "A repayment cannot exceed what is outstanding; record at most that and return the rest."),
    "fix_form": ("请检查表单内容。", "Check the form."),
    "certification": ("认定", "Certification"), "view_certification": ("查看认定", "Open the certification"),
    "revoke_cert_h": ("撤销认定", "Revoke the certification"),
    "revoke_cert_hint": ("依据本认定的全部申请，无论其日期：待确认、待审批的撤回，已批准的撤销"
                         "（未拨付部分释放，已拨付部分转为应追回款项）。撤销生效日期记为认定失效之日，此后不能再有申请依据本认定。",
                         "Every claim resting on it, whatever its date, is withdrawn (proposed or pending) or revoked"
                         " (approved: the unpaid part released, the paid part becomes a recovery). The date is kept"
                         " as the day it ceased to hold; no claim may rest on it from then on."),
    "revoked_from": ("撤销生效日期", "Revoked from"),
    "confirm_revoke_cert": ("确认撤销认定", "Confirm revoking the certification"),
    "corrected_certification": ("认定已撤销。", "The certification is revoked."),
    "document": ("文件", "Document"),
    "recoveries": ("追回款项", "Recoveries"), "recovery": ("追回款项", "Recovery"),
    "recovered": ("已追回", "Recovered"), "written_off": ("已核销", "Written off"),
    "still_outstanding": ("未追回余额", "Outstanding"), "recovery_amount": ("追回总额", "Total to recover"),
    # Closed, repaid or written off: 已结清 read as repaid of one written off (a journey probe).
    "open_status": ("追回中", "open"), "closed_status": ("已结案", "closed"),
    "by_organisation": ("按企业汇总", "By organisation"), "each_recovery": ("逐笔明细", "Each recovery"),
    "no_recoveries": ("没有符合条件的追回款项。", "No recovery matches."),
    "repayments": ("还款记录", "Repayments"), "record_repayment": ("登记还款", "Record a repayment"),
    "received_on": ("到账日期", "Received on"), "bank_ref": ("银行流水号", "Bank reference"),
    "repay": ("登记还款", "Record the repayment"), "write_off_h": ("核销", "Write off"),
    "write_off_hint": ("核销全部未追回余额并结清本笔追回款项。",
                       "Writes off all that is outstanding and closes the recovery."),
    "confirm_write_off": ("确认核销", "Confirm the write-off"),
    "repaid": ("还款已登记。", "The repayment is recorded."), "wrote_off": ("已核销。", "Written off."),
    "wrote_off_amount": ("已核销 {amount}。", "Written off: {amount}."),
    "moved_title": ("金额在预览后已变动", "The figure moved since the preview"),
    "write_off_moved": ("预览时核销金额为 {shown}，此后登记了还款或冲回，现在核销将核销 {now}；本次未核销。"
                        "请核对下方新的预览，确认无误后再次确认核销。",
                        "The preview showed {shown} to write off; a repayment or reversal recorded since makes it"
                        " {now} now. Nothing was written off: check the new preview below and confirm it again."),
    "unrepaid": ("该笔还款已冲回，相应金额重新计入未追回余额。",
                 "The repayment is reversed: its amount is owed again."),
    "unrepay_h": ("冲回误登记的还款", "Reverse a repayment booked in error"),
    "unrepay_hint": ("记错追回款项、重复登记或金额有误的还款可以冲回（只能从最后一笔起逐笔冲回）；冲回不删除原记录，"
                     "其金额重新计入未追回余额，错误登记的款项请在正确的追回款项下重新登记。",
                     "A repayment booked on the wrong recovery, twice, or for the wrong amount is reversed (the last"
                     " one first); nothing is deleted: its amount is owed again here, and money that belongs to"
                     " another recovery is booked there."),
    "unrepay_which": ("将冲回：{day} 到账 {amount}，银行流水号 {ref}", "To reverse: {amount} received on {day}, bank"
                                                                 " reference {ref}"),
    "confirm_unrepay": ("确认冲回", "Confirm the reversal"),
    "repayment_reversed": ("已冲回", "reversed"), "repayment_state": ("状态", "State"),
    "repayment_standing": ("有效", "standing"),
    "unwrite_off_h": ("冲回核销", "Reverse the write-off"),
    "unwrite_off_hint": ("核销后又收回款项（如经法院执行），或核销有误时：冲回核销，已核销金额重新计入未追回余额，"
                         "再登记收到的还款。",
                         "Money came back after the write-off (through the courts, say), or it was recorded in error:"
                         " reverse it, the amount written off is owed again, then record the repayment."),
    "confirm_unwrite_off": ("确认冲回核销", "Confirm the reversal of the write-off"),
    "unwrote_off": ("核销已冲回，已核销金额重新计入未追回余额。",
                    "The write-off is reversed: the amount is owed again."),
    "opened_at": ("开立时间", "Opened"), "view_recovery": ("查看", "Open"), "count": ("笔数", "Count"),
}

REFUSALS: dict[str, tuple[str, str]] = {
    "invalid_state": ("当前状态下不能执行此操作", "Not possible in the current state"),
    "invalid_amount": ("金额不正确", "Not a valid amount"),
}

EVENTS: dict[str, tuple[str, str]] = {
    "Claim.Withdrawn": ("撤回申请", "Claim withdrawn"), "Claim.Revoked": ("撤销奖补", "Award revoked"),
    "Recovery.Opened": ("开立追回款项", "Recovery opened"), "Recovery.Repaid": ("登记还款", "Repayment recorded"),
    "Recovery.WrittenOff": ("核销追回款项", "Recovery written off"),
    "Recovery.RepaymentReversed": ("冲回还款", "Repayment reversed"),
    "Recovery.WriteOffReversed": ("冲回核销", "Write-off reversed"),
    "Recovery.Reduced": ("冲回误登记的拨付，追回总额相应减少", "Payout reversed: less to recover"),
    "Certification.Revoked": ("撤销认定", "Certification revoked"),
    "Organisation.DistrictChanged": ("迁入/迁出本区", "District change"),
}

# Refusals a clerk fixes by changing one field: the form says what to send instead next to that field.
FIELD_OF_CODE = {"over_recovered": ("amount", "fix_over_recovered"), "invalid_amount": ("amount", "fix_amount")}
