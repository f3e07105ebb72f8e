"""The bank matching's counts as people read them, in Chinese and English: one table for the statement page
(api/web/finance_forms.py) and the reconcile command (api/commands/reconcile.py), so the two name each count alike.
A payout taken back is 冲回, as everywhere else on the pages and in the refusals."""
from __future__ import annotations

COUNTS: dict[str, tuple[str, str]] = {
    "matched": ("已匹配", "Matched"),
    "amount_mismatches": ("金额不符", "Amount mismatches"),
    "unmatched_bank_lines": ("无对应拨付的银行行", "Bank lines with no payout"),
    "unmatched_payouts": ("未见于银行的拨付", "Payouts not on the statement"),
    "reversed_but_on_statement": ("已冲回但银行有记录", "Reversed yet on the statement"),
    "repeated_bank_lines": ("重复支付（拨付已由其他行匹配）", "Paid again (the payout matched another line)"),
    "matched_credits": ("已匹配还款的入账行", "Credit lines matched to repayments"),
    "credit_amount_mismatches": ("入账金额与还款不符", "Credit amount mismatches"),
    "unmatched_credit_lines": ("无对应还款的入账行", "Credit lines with no repayment"),
    "unmatched_repayments": ("未见于银行的还款", "Repayments not on the statement"),
    "repeated_credit_lines": ("重复入账（还款已由另一行匹配）", "Credit lines whose repayment another line matched"),
    "returned_payouts": ("退汇：已冲回且银行已退回的拨付", "Returned: reversed payouts the bank paid back"),
    "returned_credit_lines": ("退汇入账", "Money back of reversed payouts"),
    "returned_but_not_reversed": ("银行已退回但台账未冲回的拨付", "Returned by the bank, not reversed in the ledger"),
}


def count_name(key: str, zh: bool) -> str:
    """A count's name in the reader's language (an unknown key as it is)."""
    found = COUNTS.get(key)
    return key if found is None else found[0 if zh else 1]
