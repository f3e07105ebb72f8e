"""Money in on a bank statement: each credit line against the repayments of recoveries (应追回) bearing its
reference, as debits are matched against payouts (projections/bank.py). A credit matches when a repayment
under its reference has its amount (or several under one reference add up to it); otherwise it is a
mismatch, or money in that no repayment records. Repayments received within the statement's period whose
reference is on no imported line are listed too: the ledger says money came back that the bank never shows."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from projections.fold import Row
from projections.money import ZERO, add
from projections.sql import Sql

CREDIT_DISCREPANCIES = ("credit_amount_mismatches", "unmatched_credit_lines", "unmatched_repayments",
                        "repeated_credit_lines")


def _repayment(r: Row) -> Row:
    return {k: r[k] for k in ("recovery_id", "claim_id", "uscc", "amount", "received_on", "bank_ref")}


def statement_credits(sql: Sql, lines: list[Row], period_from: str, period_to: str, *,
                      at: tuple[int, str, str] | None = None) -> Row:
    """The credit part of a statement's report, read from rm_repayments (indexed by bank reference). `lines`: the
    statement's lines, as stored (`at`: where it stands in the order imported, `projections.bank.imported_place`),
    else a preview's, not imported yet.

    A repayment is matched by one line only, as a payout is (projections/bank.py `match`): the lines bearing its
    reference on every statement imported, in the order they were, take theirs first, so a second line of the same
    money is `repeated_credit_lines` (the money came in twice), and a repayment that no line takes is unmatched."""
    from projections.bank import lines_bearing, ref_key  # bank.py imports this module

    credit = [ln for ln in lines if ln.get("direction", "debit") == "credit"]
    refs = sorted({ln["reference"] for ln in credit})
    by_ref = repayments_by_ref(sql, refs)
    # The statement's own lines as given (their memos read again), between those of the statements imported
    # before and after it; a preview's after every one.
    stored = [(place, ln) for place, ln in lines_bearing(sql, refs) if ln.get("direction", "debit") == "credit"
              and (at is None or place != at)]
    sequence = [ln for place, ln in stored if at is None or place < at] + credit + \
        [ln for place, ln in stored if at is not None and place > at]
    mine = {id(ln) for ln in credit}
    keys = {ref_key(ref) for ref in refs}
    missing = [r for r in unmatched_repayments(sql, period_from, period_to) if ref_key(r["bank_ref"]) not in keys]
    return match_credits(sequence, by_ref, lambda ln: id(ln) in mine, missing)


def unmatched_repayments(sql: Sql, period_from: str, period_to: str) -> list[Row]:
    """Repayments received in the period that no line takes: on no line, or named only as a memo's other reference
    (as `projections.bank.unmatched_payouts`)."""
    from projections.bank import SEVERAL, SEVERAL_PATTERNS, untaken

    rows = "SELECT r.data FROM rm_repayments r WHERE r.received_on >= %s AND r.received_on <= %s AND {} EXISTS" \
           " (SELECT 1 FROM rm_bank_lines l WHERE lower(l.reference) = lower(r.bank_ref){})"
    period = (period_from, period_to)
    return untaken(sql, _standing(sql.rows(rows.format("NOT", ""), period)),
                   _standing(sql.rows(rows.format("", f" AND {SEVERAL}"), (*period, *SEVERAL_PATTERNS))),
                   "received_on")


def _standing(found: Iterable[tuple[str]]) -> list[Row]:
    """The repayments of `found` (rows of rm_repayments' data) that stand: one reversed was booked in error, and no
    bank line is its money (projections/recoveries.py `_reversed`)."""
    return [r for r in (json.loads(d) for (d,) in found) if not r.get("reversed")]


def repayments_by_ref(sql: Sql, refs: list[str]) -> dict[str, list[Row]]:
    """The repayments bearing each of `refs`, by `ref_key` (case and surrounding spaces aside, as payouts are
    told apart): found by their lowered references (indexed), then compared as matching compares them."""
    from projections.bank import _lowered, ref_key

    keys = {ref_key(ref) for ref in refs}
    lowered = sorted({low for ref in refs for low in (_lowered(ref), ref.strip().lower())})
    by_ref: dict[str, list[Row]] = {}
    for (data,) in sql.with_ids("SELECT data FROM rm_repayments WHERE lower(bank_ref) IN %s ORDER BY id", lowered):
        repayment = json.loads(data)
        if (key := ref_key(repayment["bank_ref"])) in keys and not repayment.get("reversed"):
            by_ref.setdefault(key, []).append(repayment)
    return by_ref


def match_credits(sequence: Iterable[Row], by_ref: dict[str, list[Row]], mine: Callable[[Row], bool],
                  missing: Iterable[Row]) -> Row:
    """The credit lines of `sequence` (every line bearing their references, in the order imported) against the
    repayments bearing each reference (by `ref_key`); the report of the lines that are `mine`. Repayments no line
    takes, nor names as a mismatch, are unmatched, after the `missing` ones (whose reference is on no line)."""
    from projections.bank import _line, _Matcher

    matcher = _Matcher(by_ref)
    results = [(ln, *matcher.take(ln)) for ln in sequence]
    # Untaken, and named by no line as a mismatch (that line already says so): on no line at all.
    named = {r["id"] for _, kind, found in results if kind == "amount_mismatches" for r in found}
    left = [r for found in by_ref.values() for r in found if r["id"] not in matcher.taken | named]
    report: Row = {"matched_credits": [], **{k: [] for k in CREDIT_DISCREPANCIES}}
    for ln, kind, found in (r for r in results if mine(r[0])):
        line, repayments = _line(ln), [_repayment(r) for r in found]
        if kind == "matched":
            report["matched_credits"].append({"line": line, "repayments": repayments})
        elif kind == "amount_mismatches":
            report["credit_amount_mismatches"].append({
                "line": line, "bank_amount": ln["amount"], "repayment_amount": add(ZERO, *(r["amount"] for r in found)),
                "repayments": repayments})
        elif kind == "repeated_bank_lines":
            report["repeated_credit_lines"].append({"line": line, "repayments": repayments})
        else:
            report["unmatched_credit_lines"].append(line)
    report["unmatched_repayments"] = [_repayment(r) for r in [*missing, *left]]
    return report


def with_credits(report: Row, credits: Row) -> Row:
    """The debit report with the credit part added: its counts, and `all_matched` only if both sides match."""
    counts = report["counts"] | {k: len(credits[k]) for k in ("matched_credits", *CREDIT_DISCREPANCIES)}
    clean = report["all_matched"] and not any(counts[k] for k in CREDIT_DISCREPANCIES)
    return report | credits | {"counts": counts, "all_matched": clean}
