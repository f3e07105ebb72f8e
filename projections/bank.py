"""Payouts by bank reference, and the bank statements finance imported, line by line; and the matching
report of a statement against the payouts: matched, amount mismatches, bank lines with no payout,
payouts of the statement's period on no imported line, and reversed payouts that still reached the bank; credit
lines (money in) go to projections/bank_credits.py, which matches them against repayments of recoveries."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from itertools import combinations
from typing import Any

from ledger.domain.bank_statement import choose_reference, reference_key
from ledger.domain.payout import Payout
from projections.bank_credits import statement_credits, with_credits
from projections.bank_returns import with_returns
from projections.events import EventRow
from projections.fold import Handler, Row, Tables
from projections.money import ZERO, add, amount
from projections.sql import Sql

PAYOUTS = "payouts"
STATEMENTS = "statements"
LINES = "bank_lines"
# Paid in a period, not reversed, and on no line of any statement imported so far (its reference case aside: the
# lowered references are indexed, projections/schema.py; `ref_key` then compares as payouts are told apart).
UNMATCHED = ("SELECT p.data FROM rm_payouts p WHERE p.paid_on >= %s AND p.paid_on <= %s AND p.reversed = 0 AND NOT"
             " EXISTS (SELECT 1 FROM rm_bank_lines l WHERE lower(l.reference) = lower(p.bank_ref)) ORDER BY p.paid_on,"
             " p.id")
# A row of a memo of several references: a shadow row (`…|r<n>`), or a line that keeps its `references`. A line whose
# memo names a payout need not take it (`choose_reference`); the patterns go as parameters (no `%` in the text).
SEVERAL = "(l.id LIKE %s OR l.data LIKE %s)"
SEVERAL_PATTERNS = ("%|r%", '%"references"%')
DISCREPANCIES = ("amount_mismatches", "unmatched_bank_lines", "unmatched_payouts", "reversed_but_on_statement",
                 "repeated_bank_lines")


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
        "imported_at": e.recorded_at, "by": p.get("by"), "position": e.position,
        **({"refused": p["refused"]} if p.get("refused") else {})})
    for row in line_rows(e.aggregate_id, p["lines"]):
        t.put(LINES, row["id"], row)


def line_rows(statement_id: str, lines: list[Row]) -> Iterator[Row]:
    """A statement's lines as rm_bank_lines keeps them (the import event's `lines`), each followed by its shadow
    rows: what the fold stores, and what a preview matches as if stored (`preview`)."""
    for n, line in enumerate(lines, start=1):
        key = f"{statement_id}|{n:06d}"
        # Its line in the bank's file when the import kept it (a file's header and refused lines counted), else
        # its place among the statement's lines (a JSON statement; one imported before lines kept their number).
        yield {"id": key, "statement_id": statement_id, "line": line.get("line", n), "date": line["date"],
               "amount": line["amount"], "reference": line["reference"], "counterparty": line.get("counterparty", ""),
               "direction": line.get("direction", "debit"),
               **({"references": line["references"]} if "references" in line else {})}
        # A memo of several references is found by each (`lines_bearing`), whichever the line takes when read:
        # a shadow row a reference, naming its line (`shadow_of`), which the statement's own lines leave out. It
        # holds no copy of the line: a copy of every reference on each would grow as their square.
        for at, other in enumerate(line.get("references") or ()):
            if other != line["reference"]:
                yield {"id": f"{key}|r{at}", "statement_id": statement_id, "reference": other,
                       "amount": line["amount"], "shadow_of": key}


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
    lines = [ln for ln in _data(sql, "SELECT data FROM rm_bank_lines WHERE statement_id = %s ORDER BY id",
                                (statement_id,)) if "shadow_of" not in ln]
    return view(head, lines) | {"report": report(sql, head, lines, imported_place(head))}


def preview(sql: Sql, statement_id: str, lines: list[Row]) -> Row:
    """The matching report the statement `statement_id` of these lines (as its import event would keep them,
    `StatementLine.recorded`) would get if imported now, without importing it: its lines as the fold would store
    them, matched by the very `report` an imported statement's is, placed after every statement imported so far.
    So what finance confirms is what will be recorded (a finance probe: a preview matched the lines without the
    bank's serials, and said "paid again" of an overlapping statement's copy that the import matched).
    `already_on`: the lines that are a transaction some imported statement holds already (`copies`)."""
    rows = [row for row in line_rows(statement_id, lines) if "shadow_of" not in row]
    days = sorted(ln["date"] for ln in rows) or [""]
    head = {"period_from": days[0], "period_to": days[-1]}
    return report(sql, head, rows, None) | {"already_on": copies(sql, rows)}


def report(sql: Sql, head: Row, lines: list[Row], at: tuple[int, str, str] | None) -> Row:
    """The matching report of a statement's lines (rm_bank_lines' rows, shadows left out): debits against the
    payouts, credits against the repayments, then the returned payouts. `at`: where the statement stands in the
    order imported (`imported_place`); None, a preview's, after every statement imported so far and on none."""
    lines = rechosen(sql, lines)
    refs = sorted({ln["reference"] for ln in lines})
    by_ref = _payouts_by_ref(sql, refs)
    # Paid in the period, not reversed, and on no line of any statement imported so far.
    missing = [p for p in unmatched_payouts(sql, head["period_from"], head["period_to"])
               if ref_key(p["bank_ref"]) not in by_ref]
    debits = match(lines, by_ref, missing, earlier=_earlier_lines(sql, refs, at))
    credits = statement_credits(sql, lines, head["period_from"], head["period_to"], at=at)
    # A stored statement's credit lines are among those of every statement imported; a preview's are on none.
    return with_returns(sql, with_credits(debits, credits), at=at,
                        previewed=debits["credit_lines"] if at is None else None)


def copies(sql: Sql, lines: list[Row]) -> list[Row]:
    """Each of a previewed statement's lines that is a transaction an imported statement holds already (the same
    way, reference, day, amount and every reference it bears: `when`), with the statement that first showed it:
    the n-th such line here is the n-th on the first statement showing it n times (as `_Matcher` says it)."""
    lines = rechosen(sql, lines)
    held: dict[tuple, list[tuple[tuple[int, str, str], str, int]]] = {}
    counted: dict[tuple, int] = {}
    for place, ln in lines_bearing(sql, sorted({ln["reference"] for ln in lines})):
        tx = _transaction(ln)
        n = counted[(ln["statement_id"], tx)] = counted.get((ln["statement_id"], tx), 0) + 1
        held.setdefault(tx, []).append((place, ln["statement_id"], n))
    found: list[Row] = []
    within: dict[tuple, int] = {}
    heads: dict[str, Row] = {}
    for ln in lines:
        tx = _transaction(ln)
        nth = within[tx] = within.get(tx, 0) + 1
        first = min(((place, sid) for place, sid, n in held.get(tx, ()) if n == nth), default=None)
        if first is None:
            continue
        if first[1] not in heads:
            heads |= {h["id"]: h for h in _data(sql, "SELECT data FROM rm_statements WHERE id = %s", (first[1],))}
        head = heads[first[1]]
        found.append({"line": _line(ln), "statement": {"id": head["id"], "source": head["source"],
                                                        "imported_at": head["imported_at"]}})
    return found


def _transaction(ln: Row) -> tuple:
    return ln.get("direction", "debit"), ref_key(ln["reference"]), when(ln), amount(ln["amount"])


ref_key = reference_key  # a bank reference as matching compares it (ledger/domain/bank_statement.py)


def unmatched_payouts(sql: Sql, period_from: str, period_to: str) -> list[Row]:
    """Payouts paid in the period, not reversed, that no line of any statement takes: on no line at all, or named
    only as a memo's other reference (`PAY-2024-0101 参见PAY-2024-0102`: the line took 0101, and 0102, which the
    bank never paid, dropped out of the report while it said all matched: a finance probe)."""
    period = (period_from, period_to)
    return untaken(sql, _data(sql, UNMATCHED, period), _data(sql, (
        "SELECT p.data FROM rm_payouts p WHERE p.paid_on >= %s AND p.paid_on <= %s AND p.reversed = 0 AND EXISTS"
        f" (SELECT 1 FROM rm_bank_lines l WHERE lower(l.reference) = lower(p.bank_ref) AND {SEVERAL})"), (
        *period, *SEVERAL_PATTERNS)), "paid_on")


def untaken(sql: Sql, on_no_line: list[Row], named: list[Row], day: str) -> list[Row]:
    """`on_no_line`, and those of `named` (records a memo of several references names) that no line takes once
    its memo is read again (`lines_bearing`), in the order of their day and id."""
    if named:
        taken = {ref_key(line["reference"]) for _, line in lines_bearing(sql, [r["bank_ref"] for r in named])}
        on_no_line = on_no_line + [r for r in named if ref_key(r["bank_ref"]) not in taken]
    return sorted(on_no_line, key=lambda r: (r[day], r["id"]))


def _lowered(reference: str) -> str:
    """A reference as SQLite's `lower()` gives it (ASCII only; PostgreSQL's lowers the rest too, as `str.lower`
    does), to find it by the index on it; `ref_key` then decides."""
    return reference.strip().translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _payouts_by_ref(sql: Sql, refs: list[str]) -> dict[str, list[Row]]:
    """The payouts bearing each of `refs`, by `ref_key`: found by the id the reference gives a payout, and by the
    reference lowered (indexed: a store whose payouts were recorded before their ids came from it, and a reference
    booked again after its payouts were reversed, `Payout.booking_id`), then compared as matching compares them."""
    found: dict[str, Row] = {}
    ids = sorted({str(Payout.create_id(ref)) for ref in refs})
    lowered = sorted({low for ref in refs for low in (_lowered(ref), ref.strip().lower())})
    for query, keys in (("SELECT data FROM rm_payouts WHERE id IN %s", ids),
                        ("SELECT data FROM rm_payouts WHERE lower(bank_ref) IN %s", lowered)):
        for (data,) in sql.with_ids(query, keys):
            payout = json.loads(data)
            found[payout["id"]] = payout
    keys = {ref_key(ref) for ref in refs}
    by_ref: dict[str, list[Row]] = {}
    for payout in sorted(found.values(), key=lambda p: p["id"]):
        if (key := ref_key(payout["bank_ref"])) in keys:
            by_ref.setdefault(key, []).append(payout)
    return by_ref


def reference_kinds(sql: Sql, references: list[str]) -> dict[str, set[str]]:
    """Which records bear each of `references` that any bears, by `ref_key`: `payout` and/or `repayment`, found as
    matching finds them."""
    from projections.bank_credits import repayments_by_ref

    refs = sorted(set(references))
    kinds: dict[str, set[str]] = {}
    for kind, found in (("payout", _payouts_by_ref(sql, refs)), ("repayment", repayments_by_ref(sql, refs))):
        for key in found:
            kinds.setdefault(key, set()).add(kind)
    return kinds


def rechosen(sql: Sql, lines: list[Row]) -> list[Row]:
    """The lines with each memo of several references read again: the line's reference is the one a record of
    its kind bears now (`bank_statement.choose_reference`), so a payout or a repayment recorded after the
    statement was imported still matches its line."""
    several = [ln for ln in lines if len(ln.get("references") or ()) > 1]
    if not several:
        return lines
    kinds = reference_kinds(sql, sorted({r for ln in several for r in ln["references"]}))
    return [ln | {"reference": choose_reference(ln["references"], ln.get("direction", "debit"), kinds)}
            if len(ln.get("references") or ()) > 1 else ln for ln in lines]


def imported_place(head: Row) -> tuple[int, str, str]:
    """Where a statement stands in the order imported: its place in the log, then (for statements folded before
    the place was kept, which all came before any that has one) the moment it was decided and its id. Not the
    moment alone: two imports sent at once are decided in one order and saved in the other, and the one saved
    first answered first, with the match it took (a finance probe, PostgreSQL: both answers said `matched` for
    one payout, and a read of either afterwards said it of only one)."""
    return head.get("position", 0), head["imported_at"], head["id"]


def _earlier_lines(sql: Sql, refs: list[str], before: tuple[int, str, str] | None) -> list[Row]:
    """The lines bearing `refs` on statements imported before the one at `before` (`imported_place`; None:
    every statement imported so far), in the order they were imported: they matched their payouts first."""
    return [line for at, line in lines_bearing(sql, refs) if before is None or at < before]


def lines_bearing(sql: Sql, refs: list[str]) -> list[tuple[tuple[int, str, str], Row]]:
    """Every stored line bearing one of `refs` (case aside, its memo read again: `rechosen`), with where its
    statement stands in the order imported (`imported_place`), oldest first."""
    keys = {ref_key(ref) for ref in refs}
    lowered = sorted({low for ref in refs for low in (_lowered(ref), ref.strip().lower())})
    rows = [json.loads(d) for (d,) in sql.with_ids("SELECT data FROM rm_bank_lines WHERE lower(reference) IN %s",
                                                   lowered)]
    once = {row["id"]: row for row in rows if "shadow_of" not in row}
    # A shadow row is found by its reference; the line is its `shadow_of` (a shadow recorded before shadows named
    # only their line held a copy of it, which reads as the line too).
    shadows = {row["shadow_of"]: row for row in rows if "shadow_of" in row}
    for row in list(shadows.values()):
        if "date" in row:
            once.setdefault(row["shadow_of"], {k: v for k, v in row.items() if k != "shadow_of"} | {
                "id": row["shadow_of"]})
    wanted = sorted(set(shadows) - set(once))
    once |= {(row := json.loads(d))["id"]: row for (d,) in sql.with_ids("SELECT data FROM rm_bank_lines WHERE id IN %s",
                                                                        wanted)}
    lines = [line for line in rechosen(sql, list(once.values())) if ref_key(line["reference"]) in keys]
    heads = sql.with_ids("SELECT data FROM rm_statements WHERE id IN %s", sorted({ln["statement_id"] for ln in lines}))
    imported = {(head := json.loads(d))["id"]: imported_place(head) for (d,) in heads}
    ordered = sorted(((imported[ln["statement_id"]], ln["id"], ln) for ln in lines), key=lambda e: (e[0], e[1]))
    return [(at, line) for at, _, line in ordered]


def view(head: Row, lines: list[Row]) -> Row:
    """The statement's head: `total` is its money out (the debits the payouts answer for), `total_in` its money in."""
    out = [ln["amount"] for ln in lines if ln.get("direction", "debit") == "debit"]
    in_ = [ln["amount"] for ln in lines if ln.get("direction", "debit") == "credit"]
    return {"id": head["id"], "digest": head["digest"], "source": head["source"], "lines": head["lines"],
            "period": {"from": head["period_from"], "to": head["period_to"]}, "total": add(ZERO, *out),
            "total_in": add(ZERO, *in_), "imported_at": head["imported_at"], "refused": head.get("refused", [])}


def _payout(p: Row) -> Row:
    return {k: p[k] for k in ("id", "claim_id", "uscc", "programme", "amount", "paid_on", "bank_ref")}


def _line(ln: Row) -> Row:
    return {k: ln[k] for k in ("line", "date", "amount", "reference", "counterparty")} | {
        "direction": ln.get("direction", "debit")} | ({"references": ln["references"]} if ln.get("references") else {})


def when(ln: Row) -> tuple[str, tuple[str, ...]]:
    """A line's day and every reference it bears (a bank's serial in 交易流水号 beside the payout's in 用途): what,
    with its reference and amount, tells one transfer from another. Two serials are two transfers, though they
    name one payout on one day for one amount; an overlapping export shows the same serial again."""
    return ln["date"], tuple(ref_key(r) for r in ln.get("references") or ())


def match(lines: Iterable[Row], by_ref: dict[str, list[Row]], unmatched_payouts: Iterable[Row],
          earlier: Iterable[Row] = ()) -> Row:
    """Each bank line against the payouts bearing its reference: the same amount matches (one payout, or
    several under one reference that add up to it); otherwise the line is a mismatch or has no payout.

    A payout is matched by one line only. The `earlier` lines (statements imported before) take theirs first;
    a line of another amount takes the payout too when it is the only one under its reference; a line whose payouts
    another line already took is `repeated_bank_lines`, the bank having paid twice, unless
    it is the same transaction on another statement (the same day and amount, as many times as that statement
    shows it: statements that overlap)."""
    report: Row = {"matched": [], **{k: [] for k in DISCREPANCIES}, "credit_lines": []}
    matcher = _Matcher(by_ref)
    for ln in earlier:
        if ln.get("direction", "debit") == "debit":
            matcher.take(ln)
    for ln in lines:
        if ln.get("direction", "debit") == "credit":
            # Money in: a repayment of a recovery, never a payout; matched against the repayments by
            # reference and amount in projections/bank_credits.py.
            report["credit_lines"].append(_line(ln))
            continue
        kind, payouts = matcher.take(ln)
        if kind == "amount_mismatches":
            report[kind].append({"line": _line(ln), "bank_amount": ln["amount"],
                                 "payout_amount": add(ZERO, *(p["amount"] for p in payouts)),
                                 "payouts": [_payout(p) for p in payouts]})
        elif kind == "unmatched_bank_lines":
            report[kind].append(_line(ln))
        else:
            report[kind].append({"line": _line(ln), "payouts": [_payout(p) for p in payouts]})
    report["unmatched_payouts"] = [_payout(p) for p in unmatched_payouts]
    counts = {k: len(report[k]) for k in ("matched", *DISCREPANCIES)}
    return report | {"counts": counts, "all_matched": not any(counts[k] for k in DISCREPANCIES)}


# Records under one reference searched for a set adding up to a line: every subset of at most this many (2^12 sums).
SUBSET_SEARCH = 12


def subset_sums(free: list[Row]) -> dict[Any, list[Row]]:
    """Each amount some of `free` (two or more, not all) add up to, and the fewest that do, the first recorded
    first: worked out once for a set of records, whatever the lines asking (a statement of 5,000 lines under one
    reference searched 4,096 subsets a line: 48 s, a probe)."""
    found: dict[Any, list[Row]] = {}
    if len(free) <= SUBSET_SEARCH:
        for size in range(2, len(free)):
            for subset in combinations(free, size):
                found.setdefault(amount(add(ZERO, *(p["amount"] for p in subset))), list(subset))
    return found


def _adding_up(free: list[Row], ln: Row, sums: Callable[[list[Row]], dict[Any, list[Row]]] = subset_sums
               ) -> list[Row]:
    """The records a line answers for, of those under its reference not yet taken: one of its amount (booked on
    its day first: a payout's `paid_on`, a repayment's `received_on`), else all of them or the fewest that add up
    to it (a receipt split over recoveries), in the order recorded; none: no match."""
    want = amount(ln["amount"])
    same = [p for p in free if amount(p["amount"]) == want]
    if same:
        return [next((p for p in same if (p.get("paid_on") or p.get("received_on")) == ln["date"]), same[0])]
    if free and amount(add(ZERO, *(p["amount"] for p in free))) == want:
        return free
    return sums(free).get(want, []) if len(free) > 2 else []


class _Matcher:
    """Which payouts the lines seen so far have matched, and the transactions they were.

    A transaction is a reference (case aside), a day, an amount and every reference its line bears (a bank's own
    serial in 交易流水号 beside the payout's reference in 用途: two serials are two transfers, though they name one
    payout on one day for one amount). Its n-th line on a statement is the same money as its n-th line on an
    earlier statement (statements that overlap) and is said the same way; a line past those is new money, and takes
    a payout of its own or is paid again."""

    def __init__(self, by_ref: dict[str, list[Row]]) -> None:
        self.by_ref = by_ref
        self.taken: set[str] = set()
        self.seen: dict[tuple[str, tuple[str, tuple[str, ...]], Any], list[tuple[str, list[Row]]]] = {}
        self.on: dict[tuple[Any, tuple[str, tuple[str, tuple[str, ...]], Any]], int] = {}
        self._sums: dict[tuple[str, ...], dict[Any, list[Row]]] = {}  # by the records not yet taken

    def _subset_sums(self, free: list[Row]) -> dict[Any, list[Row]]:
        ids = tuple(p["id"] for p in free)
        if ids not in self._sums:
            self._sums[ids] = subset_sums(free)
        return self._sums[ids]

    def take(self, ln: Row) -> tuple[str, list[Row]]:
        """The line's place in the report and the payouts it names; a match takes its payouts."""
        key = ref_key(ln["reference"])
        transaction = (key, when(ln), amount(ln["amount"]))
        nth = self.on[(ln.get("statement_id"), transaction)] = self.on.get((ln.get("statement_id"), transaction), 0) + 1
        said = self.seen.setdefault(transaction, [])
        if nth <= len(said):
            return said[nth - 1]  # the same money on an overlapping statement
        found = self._new(key, ln)
        said.append(found)
        return found

    def _new(self, key: str, ln: Row) -> tuple[str, list[Row]]:
        payouts = self.by_ref.get(key, [])
        live = [p for p in payouts if not p.get("reversed")]  # a repayment (bank_credits.py) is never reversed
        free = [p for p in live if p["id"] not in self.taken]
        chosen = _adding_up(free, ln, self._subset_sums)
        if chosen:
            self.taken.update(p["id"] for p in chosen)
            return "matched", chosen
        if free and len(live) == 1:
            # The one record under the reference, paid by the bank for another amount: that line was its money
            # and takes it, so a later line under it is paid again, whichever amount came first (a line of the
            # payout's own amount after a mismatch read `matched`, the statement all matched, though the bank
            # had paid twice: a finance probe). Under several records a mismatch names them all and takes none.
            self.taken.update(p["id"] for p in free)
            return "amount_mismatches", free
        if free:
            return "amount_mismatches", free
        if live:
            return "repeated_bank_lines", live
        if gone := [p for p in payouts if p.get("reversed")]:
            return "reversed_but_on_statement", gone
        return "unmatched_bank_lines", []
