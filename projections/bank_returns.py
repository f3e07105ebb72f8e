"""Payouts the bank returned (退汇): the money left on a debit line and came back on a credit line bearing the
payout's reference and amount. Finance reverses such a payout in the ledger; its two lines then answer for each
other, and neither is a discrepancy. A credit that returns a payout the ledger still counts as paid is one
(`returned_but_not_reversed`): reverse the payout, or find where the money went.

Applied to a statement's report after its debits (projections/bank.py `match`) and credits
(projections/bank_credits.py): a credit line no repayment bears is looked for among the payouts, and a debit line
of a reversed payout among the credit lines of every statement imported (and the previewed one's)."""
from __future__ import annotations

from collections import Counter

from projections.fold import Row
from projections.money import amount
from projections.sql import Sql

RETURNS = ("returned_payouts", "returned_credit_lines", "returned_but_not_reversed")
RETURN_DISCREPANCIES = ("returned_but_not_reversed",)


def with_returns(sql: Sql, report: Row, previewed: list[Row] | None = None,
                 at: tuple[int, str, str] | None = None) -> Row:
    """The report with the returned payouts' lines taken out of `reversed_but_on_statement` and
    `unmatched_credit_lines`. `previewed`: a preview's credit lines (not imported, so on no stored statement);
    `at`: where an imported statement stands in the order imported (`projections.bank.imported_place`)."""
    from projections.bank import DISCREPANCIES, _payout, _payouts_by_ref, lines_bearing, ref_key, when
    from projections.bank_credits import CREDIT_DISCREPANCIES

    debits, credits = report["reversed_but_on_statement"], report["unmatched_credit_lines"]
    found: Row = {k: [] for k in RETURNS}
    if debits or credits:
        refs = sorted({m["line"]["reference"] for m in debits} | {ln["reference"] for ln in credits})
        by_ref = _payouts_by_ref(sql, refs)
        bearing = [(place, ln.get("direction", "debit"), (ref_key(ln["reference"]), amount(ln["amount"])), ln)
                   for place, ln in lines_bearing(sql, refs)]
        # Credit transactions, each once: an overlapping statement's copy of a credit (the same day, as many times
        # as one statement shows it) is the same money back (a finance probe: the copy of a return was told "no
        # repayment bears this reference", though the first was a return).
        stored = sorted(((place, key, when(ln)) for place, direction, key, ln in bearing if direction == "credit"),
                        key=lambda row: row[0])
        earlier = _transactions([row for row in stored if at is None or row[0] < at])
        # A payout is paid back once: the first credit returning it (in the order imported) is its money back; one
        # after it (on a statement imported before, or earlier on this one) is money in that nothing explains, as a
        # repayment's second line is; a copy of either is said as it was.
        first = {}
        for tx in earlier:
            first.setdefault(tx[0], tx)
        unmatched = []
        within: Counter = Counter()
        for ln in credits:
            key = (ref_key(ln["reference"]), amount(ln["amount"]))
            # A standing payout first: a reference booked again (its first booking reversed as an error) is one
            # transfer, the one that stands, and money back is its (a regression probe had it put on the reversed
            # booking error, and the report said all matched while the claim still counted it paid).
            # Of several reversed, the latest booking: the earlier ones were booking errors, never money of their own.
            same = sorted((p for p in by_ref.get(key[0], []) if amount(p["amount"]) == key[1]),
                          key=lambda p: (bool(p["reversed"]), -booking_of(p)))
            tx = (key, when(ln), within[(key, when(ln))])
            within[(key, when(ln))] += 1
            if tx not in earlier:
                first.setdefault(key, tx)
            if not same or first[key] != tx:
                unmatched.append(ln)
                continue
            kind = "returned_credit_lines" if same[0]["reversed"] else "returned_but_not_reversed"
            found[kind].append({"line": ln, "payouts": [_payout(same[0])]})
        # Each credit returns one debit: the money back on any statement imported, or on this one if previewed,
        # returns the payout's debits in the order they were paid out, the debits of statements imported before
        # this one first (a regression probe: one credit answered for the debits of two statements, and both said
        # all matched). The same transaction shown again by an overlapping statement (the same day) is the same
        # money, in the same place of that order.
        shown = [*stored, *((None, (ref_key(ln["reference"]), amount(ln["amount"])), when(ln))
                            for ln in previewed or ())]
        # A payout is paid back once: a second credit returning it is money nothing explains (above), and answers for
        # no debit either (a regression probe: a copy of a return exported without its serials was unmatched, and
        # yet returned the copy of the debit beside it).
        back = {key: 1 for key, _, _ in _transactions(shown)}
        order: dict[tuple, int] = {}  # (key, day, n-th that day on one statement) -> its place among the debits
        paid_out: Counter = Counter()
        for place in sorted({p for p, direction, _, _ in bearing if direction == "debit" and (at is None or p < at)}):
            _order(order, paid_out, [(key, when(ln)) for p, direction, key, ln in bearing
                                     if p == place and direction == "debit"])
        mine = _order(order, paid_out, [((ref_key(m["line"]["reference"]), amount(m["line"]["amount"])),
                                         when(m["line"])) for m in debits])
        still = []
        for m, (key, rank) in zip(debits, mine, strict=True):
            (found["returned_payouts"] if rank < back.get(key, 0) else still).append(m)
        report = report | {"reversed_but_on_statement": still, "unmatched_credit_lines": unmatched}
    counts = report["counts"] | {k: len(report[k]) for k in ("reversed_but_on_statement", "unmatched_credit_lines")} \
        | {k: len(v) for k, v in found.items()}
    clean = not any(counts[k] for k in (*DISCREPANCIES, *CREDIT_DISCREPANCIES, *RETURN_DISCREPANCIES))
    return report | found | {"counts": counts, "all_matched": clean}


def booking_of(payout: Row) -> int:
    """Which booking of its bank reference a payout is (`Payout.booking_id`: 0 the first, 1 the reference booked
    again once that was reversed, ...); -1 for a payout whose id came from no reference (stores of the first round)."""
    from ledger.domain.payout import Payout

    for n in range(64):  # a reference is booked again only after a reversal: a handful of times at most
        if str(Payout.booking_id(payout["bank_ref"], n)) == payout["id"]:
            return n
    return -1


def _order(order: dict[tuple, int], paid_out: Counter, lines: list[tuple[tuple, tuple]]) -> list[tuple[tuple, int]]:
    """Each of one statement's debit lines (its key and day) with its place among the payout's debits: a line
    seen on an earlier statement (the same day, as many times as it showed it) keeps that place; a new one takes
    the next."""
    within: Counter = Counter()
    placed = []
    for key, day in lines:  # the day with the line's serials (projections.bank.when)
        seen = (key, day, within[(key, day)])
        within[(key, day)] += 1
        if seen not in order:
            order[seen] = paid_out[key]
            paid_out[key] += 1
        placed.append((key, order[seen]))
    return placed


def _transactions(lines: list[tuple[object, tuple, tuple]]) -> dict[tuple, None]:
    """The distinct transactions among credit lines (their statement, key and day), in the order given: the n-th
    line of a key and day on a statement is the n-th such transaction, so a statement that shows again what an
    earlier one showed (they overlap) adds nothing, and a second such line on one statement is a second
    transaction."""
    seen: dict[tuple, None] = {}
    within: Counter = Counter()
    for statement, key, day in lines:
        seen.setdefault((key, day, within[(statement, key, day)]))
        within[(statement, key, day)] += 1
    return seen
