"""Money in on a bank statement: each credit line against the repayments of recoveries (应追回) bearing its
reference, as debits are matched against payouts (projections/bank.py). A credit matches when a repayment
under its reference has its amount (or several under one reference add up to it); otherwise it is a
mismatch, or money in that no repayment records. Repayments received within the statement's period whose
reference is on no imported line are listed too: the ledger says money came back that the bank never shows."""
from __future__ import annotations

import json
from collections.abc import Iterable

from projections.fold import Row
from projections.money import ZERO, add, amount
from projections.sql import Sql

CREDIT_DISCREPANCIES = ("credit_amount_mismatches", "unmatched_credit_lines", "unmatched_repayments")


def _repayment(r: Row) -> Row:
    return {k: r[k] for k in ("recovery_id", "claim_id", "uscc", "amount", "received_on", "bank_ref")}


def statement_credits(sql: Sql, credit_lines: list[Row], period_from: str, period_to: str) -> Row:
    """The credit part of a statement's report, read from rm_repayments (indexed by bank reference)."""
    refs = sorted({ln["reference"] for ln in credit_lines})
    by_ref: dict[str, list[Row]] = {}
    for (data,) in sql.with_ids("SELECT data FROM rm_repayments WHERE bank_ref IN %s ORDER BY id", refs):
        repayment = json.loads(data)
        by_ref.setdefault(repayment["bank_ref"], []).append(repayment)
    missing = [json.loads(d) for (d,) in sql.rows(
        "SELECT r.data FROM rm_repayments r WHERE r.received_on >= %s AND r.received_on <= %s AND NOT EXISTS"
        " (SELECT 1 FROM rm_bank_lines l WHERE l.reference = r.bank_ref) ORDER BY r.received_on, r.id",
        (period_from, period_to))]
    return match_credits(credit_lines, by_ref, missing)


def match_credits(credit_lines: Iterable[Row], by_ref: dict[str, list[Row]], unmatched_repayments: Iterable[Row]
                  ) -> Row:
    """Each credit line against the repayments bearing its reference (lines already in the report's shape)."""
    report: Row = {"matched_credits": [], **{k: [] for k in CREDIT_DISCREPANCIES}}
    for ln in credit_lines:
        found = by_ref.get(ln["reference"], [])
        same = next((r for r in found if amount(r["amount"]) == amount(ln["amount"])), None)
        total = add(ZERO, *(r["amount"] for r in found))
        if same is not None:
            report["matched_credits"].append({"line": ln, "repayments": [_repayment(same)]})
        elif found and amount(total) == amount(ln["amount"]):
            report["matched_credits"].append({"line": ln, "repayments": [_repayment(r) for r in found]})
        elif found:
            report["credit_amount_mismatches"].append({"line": ln, "bank_amount": ln["amount"],
                                                       "repayment_amount": total,
                                                       "repayments": [_repayment(r) for r in found]})
        else:
            report["unmatched_credit_lines"].append(ln)
    report["unmatched_repayments"] = [_repayment(r) for r in unmatched_repayments]
    return report


def with_credits(report: Row, credits: Row) -> Row:
    """The debit report with the credit part added: its counts, and `all_matched` only if both sides match."""
    counts = report["counts"] | {k: len(credits[k]) for k in ("matched_credits", *CREDIT_DISCREPANCIES)}
    clean = report["all_matched"] and not any(counts[k] for k in CREDIT_DISCREPANCIES)
    return report | credits | {"counts": counts, "all_matched": clean}
