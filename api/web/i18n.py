"""The pages' two languages: Chinese by default, English on `?lang=en` (kept in a cookie)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from fastapi import Request

from api.statement_words import COUNTS

LANGS = ("zh", "en")
DEFAULT = "zh"
COOKIE = "ledger_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("“两链”政策奖补台账", "Two-chains award ledger"),
    "skip_to_main": ("跳到正文", "Skip to the main content"),
    "home": ("首页", "Home"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "token": ("访问令牌", "Access token"),
    "token_hint": ("请输入分配给您的令牌（与 API 的 Bearer 令牌相同）。",
                   "Enter the token you were given (the same as the API's bearer token)."),
    "bad_token": ("令牌不匹配任何用户，请检查后重试。", "The token matches no principal; check it and try again."),
    "no_token": ("请填写令牌：管理员发给您的访问令牌。",
                 "Type your token: the access token your administrator gave you."),
    # Sent back to sign in (api/web/pages.py `sign_in_again`): a form sent once the session was over, or a page
    # opened with a session cookie that no longer signs anyone in.
    "expired_form": ("登录已过期（或尚未登录），刚才提交的表单未记录，未写入任何内容。"
                     "请重新登录，登录后将回到表单所在页面，请在该页面重新填写并提交。",
                     "Your session has expired (or you were not signed in), so the form you sent was not recorded:"
                     " nothing was written. Sign in again; you will be taken back to the form's page, where you can"
                     " fill it in and send it again."),
    "expired_page": ("登录已过期，请重新登录；登录后将回到刚才打开的页面。",
                     "Your session has expired; sign in again to go on to the page you opened."),
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
    "tier_effective_on": ("现等次生效日期", "Current tier effective"),
    "tier_document": ("现等次依据文件", "Current tier's document"),
    "first_effective_on": ("首次认定生效日期", "First certified"), "first_document": ("首次认定文件", "First document"),
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
    "bureau": ("部门", "Bureau"), "col_actions": ("操作", "Actions"),
    "open_certification": ("打开认定 {id}，在其页面上晋级或撤销", "Open certification {id} to upgrade or revoke it"),
    "no_rows": ("本年度暂无数据。", "Nothing recorded for this year yet."),
    "audit": ("审计核验", "Audit"), "verification": ("防篡改链核验", "Tamper-evidence verification"),
    "chain_ok": ("核验通过：事件链完整。", "Verified: the chain is intact."),
    "chain_bad": ("核验失败：事件链被改动。", "FAILED: the chain was altered."),
    # Links deleted from the chain table, the events as recorded (failure link_missing): not the events altered.
    "chain_links_missing": ("核验失败：事件链自身的记录（链接）缺失；事件本身仍按记录时的样子相连。",
                            "FAILED: the chain's own records (its links) are missing; the events themselves still"
                            " chain as recorded."),
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
    "rm_h": ("读模型比对", "Read models"),
    "rm_not_compared": ("上面的核验只检查事件链，不比对读模型（页面、工作队列、奖补情况和对账所显示的数字）。"
                        "如需确认这些数字与事件一致，请比对读模型（在内存中重放全部事件，需时较长）。",
                        "The verification above checks the chain of events alone, not the read models (the figures"
                        " the pages, the queue, the awards and the reconciliation show). To confirm those figures"
                        " are what the events give, compare the read models (the whole log replayed in memory: it"
                        " takes a while)."),
    "rm_compare": ("比对读模型", "Compare the read models"),
    "rm_unread": ("无法读取 read_models={typed}：比对读模型请用 read_models=true（或点下方“比对读模型”），"
                  "不比对则不填；本次未比对。",
                  "read_models={typed} cannot be read: compare the read models with read_models=true (or the button"
                  " below), or leave it out not to; they were not compared this time."),
    "rm_ok": ("比对通过：读模型的每一行、每个数字都与重放事件的结果一致。",
              "Agreed: every read-model row and figure is what a replay of the events gives."),
    "rm_bad": ("比对失败：{count} 处读模型行或数字与重放事件的结果不同。",
               "DIFFERENT: {count} read-model rows or figures differ from a replay of the events."),
    "rm_more": ("另有 {count} 处未列出（API 的核验报告最多列出 200 处）。",
                "{count} more not listed (the API's verification report lists up to 200)."),
    "rm_busy": ("系统繁忙，本次未比对读模型；请稍后再试。",
                "Busy: the read models were not compared this time; try again in a while."),
    "check_h": ("核验摘要或回执", "Check a digest or a receipt"),
    "check_hint": ("上传此前保存的摘要或回执（JSON 文件）。", "Upload a digest or receipt saved earlier (JSON)."),
    "check_button": ("核验", "Check"),
    "check_ok": ("核验通过：签名有效，内容与本账本一致。",
                 "Valid: the signature holds and it agrees with this ledger."),
    "check_proves": ("回执证明：申请 {claim}（{status}），{what}；出具于 {issued}，为台账当时所知。",
                     "The receipt proves: claim {claim} ({status}), {what}; issued {issued}, as the ledger knew it"
                     " then."),
    "check_bad": ("核验失败：", "INVALID: "),
    # A sound receipt or digest the ledger no longer bears out: the ledger's fault, not the file's (an audit probe's
    # genuine receipt read 核验失败 over a ledger changed after it was issued).
    "check_ledger_receipt": ("台账已与这份回执不符：回执本身有效（签名和内容均核验通过），"
                             "问题出在台账一方，而不在回执：",
                             "This ledger no longer agrees with this receipt: the receipt itself is sound (its"
                             " signatures and content check), so the fault lies with the ledger, not the receipt: "),
    "check_ledger_digest": ("台账已与这份摘要不符：摘要本身有效（签名核验通过），问题出在台账一方，而不在摘要：",
                            "This ledger no longer agrees with this digest: the digest itself is sound (its signature"
                            " checks), so the fault lies with the ledger, not the digest: "),
    "check_ledger_after_receipt": ("回执本身有效（签名和内容均核验通过），台账截至其链头仍与之相符；"
                                   "但台账在此之后被改动，问题出在台账一方，而不在回执：",
                                   "The receipt itself is sound (its signatures and content check), and the ledger"
                                   " still agrees with it up to its head; but the ledger was changed after it, so the"
                                   " fault lies with the ledger, not the receipt: "),
    "check_ledger_after_digest": ("摘要本身有效（签名核验通过），台账截至该位置仍与之相符；但台账在此之后被改动，"
                                  "问题出在台账一方，而不在摘要：",
                                  "The digest itself is sound (its signature checks), and the ledger still agrees with"
                                  " it up to its position; but the ledger was changed after it, so the fault lies with"
                                  " the ledger, not the digest: "),
    # Links deleted from the chain table, the events still hashing to the file's signed head (failure link_missing):
    # it matches as far as the events go, as the saved-digest check beside it says (an audit probe read "no longer
    # agrees" and "unchecked" here, and "matches" there, of one head).
    "check_links_receipt": ("回执本身有效（签名和内容均核验通过），且就事件而言与本台账相符：截至其链头的事件仍与其签名"
                            "链头相符，申请的事件仍是回执所示的样子；缺失的只是事件链自身的记录（链接），问题出在台账的"
                            "链表一方：",
                            "The receipt itself is sound (its signatures and content check), and it matches this ledger"
                            " as far as the events go: the events up to its head still hash to its signed head, so the"
                            " claim's events are as it shows them; only the chain's own records (its links) are"
                            " missing, a fault of the ledger's chain table: "),
    "check_links_digest": ("摘要本身有效（签名核验通过），且就事件而言与本台账相符：截至该位置的事件仍与之相符；"
                           "缺失的只是事件链自身的记录（链接），问题出在台账的链表一方：",
                           "The digest itself is sound (its signature checks), and it matches this ledger as far as"
                           " the events go: the events up to its position still hash to it; only the chain's own"
                           " records (its links) are missing, a fault of the ledger's chain table: "),
    "check_keep_receipt": ("请保留这份回执：它仍证明出具时台账所记录的内容，可作为核对台账的依据。",
                           "Keep this receipt: it still proves what the ledger recorded when it was issued, and is"
                           " evidence to check the ledger against."),
    # What to do about a receipt that fails by itself, as `verify-receipt` says it (the page gave the verdict alone).
    "check_receipt_next": ("请勿以这份回执为据。请在该申请页面（或 GET /v1/claims/…/receipt）重新获取回执并在此核验："
                           "新回执若通过，则此处核验的文件在出具后被改动过；若仍不通过，请报告此事。",
                           "Do not rely on this receipt. Get a new receipt of the claim from its page (or GET"
                           " /v1/claims/…/receipt) and check it here: if it passes, the file checked here was altered"
                           " after it was issued; if it fails too, report it."),
    # A receipt whose signatures verify and whose events or summary break the ledger's own rules: the ledger issued it
    # so, and its store is what was changed (as `verify-receipt` says it).
    "check_receipt_store_changed": ("请勿以这份回执为据。其签名核验通过：持有该密钥的台账按原样出具了它，而其所述内容"
                                    "违反台账自身的规则，说明台账的存储在出具前已被改动。请报告台账管理员，由其用保存在"
                                    "台账之外的已签名摘要核验台账（`award-ledger verify --digest 文件`）并从备份恢复。",
                                    "Do not rely on this receipt. Its signatures verify: the ledger holding this key"
                                    " issued it as it is, and what it states breaks the ledger's own rules, so the"
                                    " ledger's store was changed before it was issued. Report it to the ledger's"
                                    " administrators, who check the ledger against a signed digest kept outside"
                                    " (`award-ledger verify --digest FILE`) and restore it from a backup."),
    "check_since": ("但这份回执出具于 {issued}，只反映当时的台账：此后本申请又记录了 {count} 个事件（{events}），"
                    "现为{status}。请重新申请回执查看现状。",
                    "But this receipt was issued at {issued} and shows the ledger as it was then: since then {count}"
                    " more event(s) were recorded on this claim ({events}), and it now stands as {status}. Ask for a"
                    " new receipt to see it as it is."),
    "refused": ("操作被拒绝", "Refused"), "code": ("代码", "Code"), "back": ("返回", "Back"),
    "language": ("English", "中文"),
    "my_queue": ("待办申请", "Claims waiting for you"), "filters": ("筛选", "Filters"), "all": ("全部", "all"),
    "proposed": ("待确认", "proposed"), "withdrawn": ("已撤回", "withdrawn"), "revoked": ("已撤销", "revoked"),
    "submitted_at": ("提交时间", "Submitted"), "open_claim": ("查看", "Open"),
    "open_claim_page": ("查看该申请的审批、拨付与历史", "Open the claim: its decision, payouts and history"),
    "next_page": ("下一页", "Next page"),
    "queue_empty": ("没有待办申请。", "Nothing waits for you."),
    "unpaid_queue": ("已批准待拨付", "Approved, not yet paid"),
    "nothing_unpaid": ("没有待拨付的申请。", "Nothing to pay."),
    "open_recoveries": ("待追回款项", "Open recoveries"), "recent_decisions": ("最近审批", "Recent decisions"),
    "as_of": ("截至", "As of"), "as_of_hint": ("日期指当天结束，时刻（如 2024-01-01 08:00:00）含该秒；均为北京时间",
                                               "a day means its end, a moment (2024-01-01 08:00:00) includes that"
                                               " second; Beijing time"),
    "as_of_now": ("当前", "now"), "as_of_shown": ("以下为截至 {at} 台账所知情况。", "As the ledger knew it at {at}."),
    "scope_project": ("每项目", "per project"), "scope_enterprise_year": ("每企业每年", "per enterprise a year"),
    "scope_enterprise_term": ("每企业（政策期内）", "per enterprise over the term"),
    "scope_organisation_year": ("每创新组织每年", "per innovation organisation a year"),
    "scope_fund": ("基金总额", "the whole fund"),
    "scope_pool": ("多项政策共用资金池", "a pool several programmes share"),
    # Finance's forms (api/web/finance_forms.py)
    "finance_write": ("财务录入", "Finance entries"),
    "form_appropriation": ("资金安排", "Appropriation"), "form_payout": ("拨付", "Payout"),
    "form_reversal": ("拨付冲回", "Reversal"), "form_statement": ("银行对账单导入", "Bank statement"),
    "appropriation_doc": ("文件文号", "Document reference"),
    "form_appropriation_fix": ("更正资金安排", "Correct an appropriation"),
    "fin_appropriations": ("资金安排文件", "Appropriations by document"),
    "fin_no_appropriations": ("本年度尚无资金安排。", "Nothing is appropriated for this year yet."),
    "fin_corrections": ("资金安排更正记录", "Corrections of appropriations"), "fin_was": ("原金额", "Was"),
    "fin_now": ("更正后金额", "Now"),
    "fin_corrected_by": ("更正人及时间", "Corrected by, at"),
    "appropriation_fix_hint": ("录错的金额或调减的预算：填写原安排所依据的文号和该文件实际安排的金额"
                               "（填 0 表示撤销该笔安排），以及更正的原因和依据文件。",
                               "A mistyped figure or a budget cut: the document the appropriation was booked on and"
                               " what that document appropriates (0 withdraws it), with the reason and the document"
                               " the correction rests on."),
    "appropriation_ref": ("原安排文号", "Booked on document"),
    "amount_corrected": ("更正后金额（元）", "Corrected amount (yuan)"),
    "correction_doc": ("更正依据文件文号", "Correcting document"),
    "reversal_doc": ("依据文件（可不填，如银行退汇通知）", "Document (optional: the bank's return notice)"),
    "amount_yuan": ("金额（元）", "Amount (yuan)"),
    "claim_id": ("申请编号", "Claim id"), "paid_on": ("拨付日期", "Paid on"),
    "payout_id": ("拨付编号", "Payout id"),
    "reversal_reason": ("冲回原因", "Reason"), "statement_file": ("对账单文件（CSV，银行导出原样）",
                                                               "Statement file (CSV, as the bank exported it)"),
    "import_good_lines": ("有错误行时仍导入其余行", "Import the good lines when some are refused"),
    "record": ("记录", "Record"), "preview_match": ("预览匹配结果", "Preview the matching"),
    "confirm_import": ("确认导入", "Confirm and import"), "cancel": ("取消", "Cancel"),
    "recorded_form": ("已记录：{what}。", "Recorded: {what}."),
    "recorded_payout": ("拨付编号 {id}，金额 {amount}，银行流水号 {bank_ref}（冲回时请填写此拨付编号）。",
                        "Payout {id}, {amount}, bank reference {bank_ref} (a reversal names this payout number)."),
    "recorded_reversal": ("已冲回的拨付编号 {id}，金额 {amount}，银行流水号 {bank_ref}。",
                          "Payout {id} reversed: {amount}, bank reference {bank_ref}."),
    "recorded_payout_claim": ("查看该申请", "Open its claim"),
    "recorded_appropriation": ("{year} 年度，文件文号 {document_ref}。", "Year {year}, document {document_ref}."),
    "recorded_appropriation_fix": (
        "{year} 年度文件 {appropriation_ref} 的安排由 {was} 更正为 {amount}，依据 {document_ref}。",
        "The appropriation of {year} on {appropriation_ref} corrected from {was} to {amount}, on {document_ref}."),
    "recorded_fund_year": ("查看该年度财务对账", "Open the year's finance page"),
    "fix_field": ("请修改：{field}", "Fix: {field}"),
    "statement_preview_h": ("导入前预览", "Preview before import"),
    "preview_hint": ("以下为按当前拨付记录匹配的结果，尚未导入。确认后才会记录。",
                     "The matching against the payouts as they stand; nothing is recorded until you confirm."),
    "encoding": ("文件编码", "Encoding"), "lines_read": ("读取行数", "Lines read"),
    "refused_lines": ("被拒绝的行", "Refused lines"), "line": ("行号", "Line"),
    "preview_records": ("确认后按上列内容记录；如需修改，请在下方表单中修改后重新预览。",
                        "Confirming records what is listed above; to change it, edit the form below and preview"
                        " again."),
    "credit_lines": ("入账行（还款）", "Credit lines (repayments)"),
    "all_matched": ("全部匹配。", "Everything matches."), "reference": ("参考号", "Reference"),
    "counterparty": ("对方户名", "Counterparty"), "date": ("日期", "Date"),
    "statement": ("银行对账单", "Bank statement"), "source": ("来源文件", "Source file"),
    "statement_imported_before": ("这些明细行已于 {at} 导入过：确认导入不会再记录任何内容，只会打开当时导入的对账单；"
                                  "下面是该对账单当前的匹配结果。",
                                  "These lines were imported on {at}: confirming records nothing again and opens the"
                                  " statement imported then; below is that statement's matching as it stands now."),
    "already_on_h": ("以下明细行已在对账单中导入过（同一笔交易：日期、金额、参考号及银行流水号均相同），按该对账单中"
                     "的结果计，并非重复支付：",
                     "These lines are already on a statement imported before (the same transaction: the same day,"
                     " amount, reference and bank serial), said as that statement says them, not paid again:"),
    "already_on_row": ("已在对账单 {source} 中导入（{at}）", "already on statement {source} (imported {at})"),
    "statement_recorded_before": ("该对账单此前已于 {at} 导入，本次未记录任何内容；"
                                  "以下为当时导入的对账单及其当前的匹配结果。",
                                  "This statement was imported before, on {at}; nothing was recorded this time. Below"
                                  " are the statement imported then and its matching as it stands now."),
    "open_statement": ("打开该对账单", "Open that statement"),
    # Units, brackets and times as each language writes them (api/web/amounts.py, the `bj` filter)
    "money": ("{n} 元", "{n} yuan"), "money_wan": ("{n} 万元", "{n} yuan"),
    "paren": ("（{text}）", " ({text})"), "colon": ("：", ": "), "or": (" 或 ", " or "),
    "list_sep": ("、", ", "), "sentence_sep": ("；", "; "),
    "beijing_time": ("{at}（北京时间）", "{at} Beijing time"),
    "nav_main": ("主导航", "Main navigation"),
    # Roles as people call them (the header, role refusals)
    "role_bureau": ("区级部门", "district bureau"), "role_finance": ("财政", "finance"),
    "role_auditor": ("审计", "auditor"), "role_admin": ("管理员", "administrator"),
    # A claim's page: what a decision or correction said, under the label that fits it
    "approve_amount_label": ("批准金额", "Approved amount"),
    "fix_approve_amount": ("批准金额须大于 0.00 元且不超过应享金额，最多两位小数，例如 50000.00；"
                           "留空即按应享金额批准。",
                           "The amount must be more than 0.00 yuan and at most the entitlement, with at most two"
                           " decimals, e.g. 50000.00; leave it blank to approve the entitlement."),
    "reject_reason": ("驳回理由", "Reason for rejection"), "withdraw_reason": ("撤回理由", "Reason for withdrawal"),
    "revoke_reason": ("撤销理由", "Reason for revocation"), "system_note": ("系统说明", "System note"),
    "write_off_reason": ("核销理由", "Reason for write-off"),
    "replaced_note": ("已由申请 {claim} 取代：同一事实已另行提交申请，本项待确认奖补随之关闭。",
                      "Replaced by claim {claim}, submitted for the same fact; this proposal was closed."),
    "outranked_note": ("申请 {claim} 已获批准，按“从优、从高、不重复”，本项待确认奖补已无可拨付金额，随之关闭。",
                       "Claim {claim} was approved; under \"best, highest, never twice\" this proposal had nothing left"
                       " to pay, so it was closed."),
    "outranked_cap_note": ("申请 {claim} 已获批准，用完了本项所计入的奖补上限，"
                           "本项待确认奖补已无可拨付金额，随之关闭。",
                           "Claim {claim} was approved and used up the cap this proposal draws on; it had nothing left"
                           " to pay, so it was closed."),
    "kept_amount": ("保留（已拨付）", "Kept (paid)"),
    # The product, project or standard a claim is for (rules 4, 5, 11), its kind by name: 项目：数据产业化项目
    "claim_subject": ("申报事项", "Subject"), "subject_project": ("项目", "Project"),
    "subject_product": ("产品", "Product"), "subject_standard": ("标准", "Standard"),
    # The work queue's filters
    "first_page": ("第一页", "First page"), "ignored_h": ("以下筛选条件未被采用：", "Some filters were not applied:"),
    "ignored_status": ("状态“{value}”不是可选的值，已忽略；请选择：{choices}。",
                       "Status “{value}” is not one of the choices and was ignored; choose one of: {choices}."),
    "ignored_programme": ("政策条目“{value}”不由本部门（{bureau}）牵头，已忽略；请选择：{choices}。",
                          "Programme “{value}” is not led by your bureau ({bureau}) and was ignored; choose one of:"
                          " {choices}."),
    "unknown_programme": ("“{value}”不是政策所列的条目，已忽略；本部门（{bureau}）牵头的条目：{choices}。",
                          "“{value}” is no programme of the policy and was ignored; your bureau ({bureau}) leads:"
                          " {choices}."),
    "unknown_programme_any": ("“{value}”不是政策所列的条目，已忽略；政策条目：{choices}。",
                              "“{value}” is no programme of the policy and was ignored; its programmes: {choices}."),
    "ignored_uscc": ("统一社会信用代码“{value}”格式不正确，已忽略：{why}",
                     "USCC “{value}” is malformed and was ignored: {why}"),
    "ignored_year": ("奖补年度“{value}”不是政策期内的年度，已忽略；请选择：{choices}。",
                     "Award year “{value}” is not a year of the policy and was ignored; choose one of: {choices}."),
    "ignored_year_wide": ("奖补年度“{value}”使用了全角数字（输入法处于全角状态），已忽略；请改为输入 {plain}。",
                          "Award year “{value}” is written in full-width digits (an input method in full-width mode)"
                          " and was ignored; type it as {plain}."),
    "ignored_param": ("查询参数“{name}”（值“{value}”）不是本页的筛选条件，已忽略；本页按以下参数筛选：{choices}。",
                      "Query parameter “{name}” (value “{value}”) is not a filter of this page and was ignored; this"
                      " page filters by: {choices}."),
    "unread_h": ("以下查询参数本页不读取，已忽略：", "This page reads nothing from some of its query parameters:"),
    "unread_param": ("“{name}”（值“{value}”）：本页只读取 {choices}。",
                     "“{name}” (value “{value}”): this page reads {choices} alone."),
    "unread_param_none": ("“{name}”（值“{value}”）：本页不读取任何查询参数。",
                          "“{name}” (value “{value}”): this page reads no query parameter."),
    "ignored_param_none": ("查询参数“{name}”（值“{value}”）已忽略：本页不按任何参数筛选。",
                           "Query parameter “{name}” (value “{value}”) was ignored: this page takes no filter."),
    "ignored_award_year": ("award_year“{value}”与 year“{year}”不一致，已忽略，按 year 筛选；请只发送其中一个。",
                           "award_year “{value}” differs from year “{year}” and was ignored: the queue is filtered by"
                           " year; send one of the two."),
    "ignored_repeated": ("筛选条件“{name}”给出了多个值，只采用“{used}”，{values} 已忽略；"
                         "每项筛选只能给一个值。",
                         "Filter “{name}” was sent more than once: only “{used}” was applied, and {values} ignored;"
                         " send each filter once."),
    "ignored_repeated_none": ("筛选条件“{name}”给出了多个值（{values}），均不适用，已全部忽略；每项筛选只能给一个值。",
                              "Filter “{name}” was sent more than once ({values}) and none of them applies, so none"
                              " was applied; send each filter once."),
    "repeated_status": ("多个状态请用逗号合并为一个值，如 status=pending,approved。",
                        " Several statuses go in one value, comma-separated: status=pending,approved."),
    "queue_default": ("待确认 + 待审批", "proposed + pending"),
    # The sandbox's numbers of the catalogue in force (api/web/sandbox_form.py)
    "number_floor": ("第{article}条 专项资金最低安排", "Art. {article} special fund floor"),
    "number_pool": ("{name} · 额度", "{name} · limit"), "number_rate": ("{name} · 比例", "{name} · rate"),
    "number_max_award": ("{name} · 最高金额", "{name} · maximum award"),
    "number_tier": ("{name} · {tier}", "{name} · {tier}"),
    "number_cap": ("{name} · 上限（{scope}）", "{name} · cap ({scope})"),
    # Field names a refusal may name when no form gives its own label
    "form_key": ("表单编号", "Form key"), "cursor": ("翻页位置", "Page position"), "note_field": ("备注", "Note"),
}
MESSAGES.update(COUNTS)  # the bank matching's counts, named as the reconcile command names them

# Titles of refusals people meet on the pages; the detail always comes from the ledger itself.
REFUSALS: dict[str, tuple[str, str]] = {
    # What the refusal is, not what the reader meant to do: a bureau is refused merely opening another's recovery.
    "not_lead_bureau": ("非本计划牵头部门", "Not the lead bureau of this programme"),
    "forbidden": ("无权访问", "Not allowed"),
    "not_found": ("未找到", "Not found"),
    "csrf": ("表单已过期，请刷新页面后重试", "The form expired; reload the page and try again"),
    # English headings where the code's own words read badly ("Invalid uscc", "Over approved", "Csv unreadable").
    "invalid_uscc": ("统一社会信用代码无效", "Invalid USCC"),
    "over_approved": ("超出批准金额", "More than was approved"),
    "over_recovered": ("还款金额超过未追回余额", "More than is still to recover"),
    "outside_policy_term": ("超出政策期", "Outside the policy term"),
    "csv_unreadable": ("无法按银行对账单读取", "The file cannot be read as a bank statement"),
}

EVENTS: dict[str, tuple[str, str]] = {
    "Organisation.Registered": ("登记企业", "Organisation registered"),
    "Organisation.Joined": ("加入创新组织", "Joined an innovation body"),
    "Organisation.Designated": ("认定称号", "Designated"),
    "Organisation.DesignationRevoked": ("撤销认定称号", "Designation revoked"),
    "InnovationBody.Recognised": ("认定创新组织", "Innovation body recognised"),
    "InnovationBody.MemberAdded": ("创新组织新增成员", "Member added to an innovation body"),
    "Certification.Recorded": ("记录认定", "Certification recorded"),
    "Certification.Upgraded": ("认定晋级", "Certification upgraded"),
    "Claim.Submitted": ("提交申请", "Claim submitted"), "Claim.Approved": ("批准申请", "Claim approved"),
    "Claim.Reassessed": ("重新核定应得金额", "Claim re-assessed"),
    "Claim.Rejected": ("驳回申请", "Claim rejected"),
    "Claim.PayoutRecorded": ("拨付记入申请", "Paid against the claim"),
    "Claim.PayoutReversed": ("冲回记入申请", "Reversal against the claim"),  # not 申请…, read as asked for
    "Claim.RepaymentRecorded": ("追回款记入已撤销的奖补", "Repayment recorded against the revoked award"),
    "Claim.RepaymentReversed": ("误登记的追回款冲回", "Repayment booked in error reversed on the revoked award"),
    "Claim.ToppedUp": ("提出补足差额申请", "Top-up claimed for the difference"),
    "Claim.CountedOn": ("计入创新组织年度上限", "Counted on a body's yearly cap"),
    "Payout.Recorded": ("记录拨付", "Payout recorded"), "Payout.Reversed": ("记录冲回", "Payout reversed"),
    "Claim.Proposed": ("系统生成待确认奖补（免申即享）", "Award proposed by the ledger (no application needed)"),
    "Claim.Confirmed": ("确认待确认奖补", "Proposal confirmed"),
    "Claim.Replaced": ("待确认奖补被取代", "Proposal replaced"),  # by a claim, or an upgrade's proposal: its note says
    "Claim.Outranked": ("待确认奖补因另一奖补获批而关闭", "Proposal closed: another award was approved"),
    "Organisation.Certified": ("获得认定", "Certified"),
    "Organisation.ProposalOpened": ("生成待确认奖补", "Award proposed"),
    "Organisation.ProposalClosed": ("待确认奖补关闭", "Proposal closed"),
    "InnovationBody.Certified": ("创新组织获得认定", "Innovation body certified"),
    "Certification.Imported": ("按名单导入认定", "Certification imported from a list"),
    "Certification.SubjectNamed": ("依据该认定的申请写明事项", "Subject named by a claim resting on it"),
    "CertificationImport.Recorded": ("导入认定名单", "Official list imported"),
    "BankStatement.Imported": ("导入银行对账单", "Bank statement imported"),
    "FundYear.Appropriated": ("安排专项资金", "Appropriation recorded"),
    "FundYear.Opened": ("开立年度专项资金", "Fund year opened"),
    "FundYear.AppropriationCorrected": ("更正专项资金安排", "Appropriation corrected"),
    "FundYear.Charged": ("专项资金列支", "Charged to the fund"),
    "FundYear.Released": ("专项资金释放", "Released to the fund"),
}

# The explanation's rules (ledger/rules): what each step of the sum is, by its code; a cap also names its scope.
RULES: dict[str, tuple[str, str]] = {
    "term": ("政策期限", "Policy term"), "eligibility": ("申报资格", "Eligibility"),
    "recognised_body": ("认定的创新组织", "Recognised body"), "designation": ("称号认定", "Designation"),
    "tier": ("等次", "Tier"), "rate": ("补助比例", "Rate"), "threshold": ("门槛", "Threshold"),
    "rank": ("排名", "Rank"), "rank_share": ("按排名分配", "Share by rank"),
    "decided_amount": ("核定金额", "Decided amount"), "supersession": ("就高不重复", "Highest award only"),
    "upgrade_top_up": ("晋级补差", "Upgrade top-up"), "award_top_up": ("补足差额", "Award top-up"),
    "cap": ("上限", "Cap"),
    "entitlement": ("应享金额", "Entitlement"), "revoked": ("已撤销", "Revoked"),
    # A re-assessment to nothing ends with the refusal's code as its step (rule 12): named as the others are.
    "superseded": ("被更优奖励取代", "Superseded"), "already_awarded": ("已奖励", "Already awarded"),
    "cap_exceeded": ("超出上限", "Cap exceeded"), "not_eligible": ("不符合条件", "Not eligible"),
}

# Each form's fields by the label the form shows them with: a refusal names the field as the form does.
FIELD_LABELS: dict[str, str] = {
    "amount": "amount", "reason": "correction_reason", "note": "note_field", "document_ref": "document_ref",
    "effective_on": "effective_on", "year": "year", "award_year": "award_year", "claim_id": "claim_id",
    "paid_on": "paid_on", "bank_ref": "bank_ref", "payout_id": "payout_id", "received_on": "received_on",
    "uscc": "uscc", "key": "form_key", "cursor": "cursor", "programme": "programme", "status": "status",
    "as_of": "as_of", "q": "search_label",
}
FORM_LABELS: dict[str, dict[str, str]] = {
    "appropriation": {"year": "year", "amount": "amount_yuan", "document_ref": "appropriation_doc"},
    "appropriation_fix": {"year": "year", "appropriation_ref": "appropriation_ref", "amount": "amount_corrected",
                          "reason": "correction_reason", "document_ref": "correction_doc"},
    "payout": {"claim_id": "claim_id", "amount": "amount_yuan", "paid_on": "paid_on", "bank_ref": "bank_ref"},
    "reversal": {"payout_id": "payout_id", "reason": "reversal_reason", "document_ref": "reversal_doc"},
    "approve": {"amount": "approve_amount_label", "note": "note"},
    "reject": {"reason": "reject_reason"},
    "withdraw": {"reason": "withdraw_reason"}, "decline": {"reason": "decline_reason"},
    "revoke": {"reason": "revoke_reason", "document_ref": "document_ref"},
    "certification": {"reason": "correction_reason", "effective_on": "revoked_from", "document_ref": "document_ref"},
    "repay": {"amount": "amount_yuan", "received_on": "received_on", "bank_ref": "bank_ref"},
    "write_off": {"reason": "correction_reason", "document_ref": "document_ref"},
    "unrepay": {"amount": "amount_yuan", "received_on": "received_on", "bank_ref": "bank_ref",
                "reason": "correction_reason", "document_ref": "document_ref"},
    "unwrite_off": {"reason": "correction_reason", "document_ref": "document_ref"},
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


def sentences(parts: Iterable[str], lang: str) -> str:
    """`parts` as one sentence, joined by the language's `sentence_sep`: a part that ends a sentence of its own
    (`Give a reason (it cannot be blank).`) drops its full stop before the separator (a finance probe read ".;")."""
    said = list(parts)
    return translator(lang)("sentence_sep").join([p.rstrip(".。") for p in said[:-1]] + said[-1:])


def pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str | None:
    found = table.get(key)
    return None if found is None else found[LANGS.index(lang)]




def status_name(status: str, lang: str) -> str:
    """A claim's status as the pages name it (`approved` → 已批准)."""
    return translator(lang)({"approved": "approved_status"}.get(status, status))


def role_name(role: str, lang: str) -> str:
    """A principal's role as people call it (`auditor` → 审计); an unknown one as it is."""
    return pick(MESSAGES, f"role_{role}", lang) or role


def rule_name(rule: str, lang: str) -> str:
    """An explanation step's rule by name; a cap's (`cap:project`) with its scope: 上限（每项目）."""
    kind, _, scope = rule.partition(":")
    name = pick(RULES, kind, lang) or rule
    if scope and (said := pick(MESSAGES, f"scope_{scope}", lang)):
        return name + translator(lang)("paren", text=said)
    return name


def subject_name(subject: str | None, lang: str) -> str:
    """A claim's subject with its kind by name (`project:P-9` → 项目：P-9); a kind no page names, as it is."""
    if not subject:
        return ""
    kind, sep, identifier = subject.partition(":")
    said = pick(MESSAGES, f"subject_{kind.casefold()}", lang)
    return said + translator(lang)("colon") + identifier if sep and said else subject


def field_label(field: str, lang: str, form: str | None = None) -> str:
    """A field as its form labels it (批准金额), else as the pages call it; a field no page names, as it is."""
    key = FORM_LABELS.get(form or "", {}).get(field) or FIELD_LABELS.get(field)
    return translator(lang)(key) if key else field


# The corrections pages keep their words in their own module; they only add keys, never replace one: a key both
# modules held was read from this one, so the corrections pages' "查看认定" showed as "打开认定 {id}，…" (a pages
# probe). Two words for one key stop the import.
def _merge() -> None:
    from api.web import corrections_words

    for table, extra in ((MESSAGES, corrections_words.MESSAGES), (REFUSALS, corrections_words.REFUSALS),
                         (EVENTS, corrections_words.EVENTS)):
        for key, words in extra.items():
            if table.setdefault(key, words) != words:
                raise RuntimeError(f"api/web/corrections_words.py: {key!r} has other words in api/web/i18n.py; name"
                                   " one of them otherwise")


_merge()
