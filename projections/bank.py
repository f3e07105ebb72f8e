"""Payouts by bank reference, and the bank statements finance imported, line by line; and the matching
report of a statement against the payouts: matched, amount mismatches, bank lines with no payout,
payouts of the statement's period on no imported line, and reversed payouts that still reached the bank; credit
lines (money in) go to projections/bank_credits.py, which matches them against repayments of recoveries."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from projections.bank_credits import statement_credits, with_credits
from projections.events import EventRow
from projections.fold import Handler, Row, Tables
from projections.money import ZERO, add, amount
from projections.sql import Sql

PAYOUTS = "payouts"
STATEMENTS = "statements"
LINES = "bank_lines"
DISCREPANCIES = ("amount_mismatches", "unmatched_bank_lines", "unmatched_payouts", "reversed_but_on_statement")


def _payout_recorded(t: Tables, e: EventRow) -> None:
    p = e.payload
    t.put(PAYOUTS, e.aggregate_id, {"id": e.aggregate_id, "claim_id": p["claim_id"], "uscc": p["uscc"],
                                    "programme": p["programme"], "award_year": p["award_year"],
                                    "amount": p["amount"], "paid_on": p["paid_on"], "bank_ref": p["bank_ref"],
                                    "reversed": False})


def _payout_reversed(t: Tables, e: EventRow) -> None:
    if (payout := t.get(PAYOUTS, e.aggregate_id)) is not None:
        payout["reversed"] = True
        t.put(PAYOUTS, e.aggregate_id, payout)


def _statement_imported(t: Tables, e: EventRow) -> None:
    p = e.payload
    days = sorted(line["date"] for line in p["lines"])
    t.put(STATEMENTS, e.aggregate_id, {
        "id": e.aggregate_id, "digest": p["digest"], "source": p["source"], "lines": len(p["lines"]),
        "period_from": days[0], "period_to": days[-1], "total": add(ZERO, *(ln["amount"] for ln in p["lines"])),
        "imported_at": e.recorded_at, "by": p.get("by")})
    for n, line in enumerate(p["lines"], start=1):
        key = f"{e.aggregate_id}|{n:06d}"
        t.put(LINES, key, {"id": key, "statement_id": e.aggregate_id, "line": n, "date": line["date"],
                           "amount": line["amount"], "reference": line["reference"],
                           "counterparty": line.get("counterparty", ""),
                           "direction": line.get("direction", "debit")})


HANDLERS: dict[str, Handler] = {"Payout.Recorded": _payout_recorded, "Payout.Reversed": _payout_reversed,
                                "BankStatement.Imported": _statement_imported}


def _data(sql: Sql, query: str, params: tuple[Any, ...]) -> list[Row]:
    return [json.loads(d) for (d,) in sql.rows(query, params)]


def statement(sql: Sql, statement_id: str) -> Row | None:
    """The statement and its current matching report, from the read models; None if none has this id."""
    found = _data(sql, "SELECT data FROM rm_statements WHERE id = %s", (statement_id,))
    if not found:
        return None
    head = found[0]
    lines = _data(sql, "SELECT data FROM rm_bank_lines WHERE statement_id = %s ORDER BY id", (statement_id,))
    refs = sorted({ln["reference"] for ln in lines})
    by_ref: dict[str, list[Row]] = {}
    # An array on PostgreSQL, pages on SQLite: one bind parameter per reference broke past 65,535 of them.
    for (data,) in sql.with_ids("SELECT data FROM rm_payouts WHERE bank_ref IN %s ORDER BY id", refs):
        payout = json.loads(data)
        by_ref.setdefault(payout["bank_ref"], []).append(payout)
    # Paid in the period, not reversed, and on no line of any statement imported so far.
    missing = _data(sql, "SELECT p.data FROM rm_payouts p WHERE p.paid_on >= %s AND p.paid_on <= %s AND"
                         " p.reversed = 0 AND NOT EXISTS (SELECT 1 FROM rm_bank_lines l WHERE l.reference ="
                         " p.bank_ref) ORDER BY p.paid_on, p.id", (head["period_from"], head["period_to"]))
    report = match(lines, by_ref, missing)
    credits = statement_credits(sql, report["credit_lines"], head["period_from"], head["period_to"])
    return view(head) | {"report": with_credits(report, credits)}


def preview(sql: Sql, lines: list[Row]) -> Row:
    """The matching report a statement of these lines would get if imported now, without importing it: the
    same `match` as an imported statement's, so what finance confirms is what will be recorded."""
    refs = sorted({ln["reference"] for ln in lines})
    by_ref: dict[str, list[Row]] = {}
    for (data,) in sql.with_ids("SELECT data FROM rm_payouts WHERE bank_ref IN %s ORDER BY id", refs):
        payout = json.loads(data)
        by_ref.setdefault(payout["bank_ref"], []).append(payout)
    days = sorted(ln["date"] for ln in lines) or [""]
    missing = [p for p in _data(sql, "SELECT p.data FROM rm_payouts p WHERE p.paid_on >= %s AND p.paid_on <= %s"
                                     " AND p.reversed = 0 AND NOT EXISTS (SELECT 1 FROM rm_bank_lines l WHERE"
                                     " l.reference = p.bank_ref) ORDER BY p.paid_on, p.id", (days[0], days[-1]))
               if p["bank_ref"] not in by_ref]
    return match(lines, by_ref, missing)


def view(head: Row) -> Row:
    return {"id": head["id"], "digest": head["digest"], "source": head["source"], "lines": head["lines"],
            "period": {"from": head["period_from"], "to": head["period_to"]}, "total": head["total"],
            "imported_at": head["imported_at"]}


def _payout(p: Row) -> Row:
    return {k: p[k] for k in ("id", "claim_id", "uscc", "programme", "amount", "paid_on", "bank_ref")}


def _line(ln: Row) -> Row:
    return {k: ln[k] for k in ("line", "date", "amount", "reference", "counterparty")} | {
        "direction": ln.get("direction", "debit")}


def match(lines: Iterable[Row], by_ref: dict[str, list[Row]], unmatched_payouts: Iterable[Row]) -> Row:
    """Each bank line against the payouts bearing its reference: the same amount matches (one payout, or
    several under one reference that add up to it); otherwise the line is a mismatch or has no payout."""
    report: Row = {"matched": [], **{k: [] for k in DISCREPANCIES}, "credit_lines": []}
    for ln in lines:
        if ln.get("direction", "debit") == "credit":
            # Money in: a repayment of a recovery, never a payout; matched against the repayments by
            # reference and amount in projections/bank_credits.py.
            report["credit_lines"].append(_line(ln))
            continue
        payouts = by_ref.get(ln["reference"], [])
        live = [p for p in payouts if not p["reversed"]]
        gone = [p for p in payouts if p["reversed"]]
        same = next((p for p in live if amount(p["amount"]) == amount(ln["amount"])), None)
        if same is not None:
            report["matched"].append({"line": _line(ln), "payouts": [_payout(same)]})
        elif live and amount(add(ZERO, *(p["amount"] for p in live))) == amount(ln["amount"]):
            report["matched"].append({"line": _line(ln), "payouts": [_payout(p) for p in live]})
        elif live:
            report["amount_mismatches"].append({"line": _line(ln), "bank_amount": ln["amount"],
                                                "payout_amount": add(ZERO, *(p["amount"] for p in live)),
                                                "payouts": [_payout(p) for p in live]})
        elif gone:
            report["reversed_but_on_statement"].append({"line": _line(ln), "payouts": [_payout(p) for p in gone]})
        else:
            report["unmatched_bank_lines"].append(_line(ln))
    report["unmatched_payouts"] = [_payout(p) for p in unmatched_payouts]
    counts = {k: len(report[k]) for k in ("matched", *DISCREPANCIES)}
    return report | {"counts": counts, "all_matched": not any(counts[k] for k in DISCREPANCIES)}
