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
    from projections.bank import DISCREPANCIES, _payout, _payouts_by_ref, lines_bearing, ref_key
    from projections.bank_credits import CREDIT_DISCREPANCIES

    debits, credits = report["reversed_but_on_statement"], report["unmatched_credit_lines"]
    found: Row = {k: [] for k in RETURNS}
    if debits or credits:
        refs = sorted({m["line"]["reference"] for m in debits} | {ln["reference"] for ln in credits})
        by_ref = _payouts_by_ref(sql, refs)
        stored = [(place, (ref_key(ln["reference"]), amount(ln["amount"]))) for place, ln in lines_bearing(sql, refs)
                  if ln.get("direction", "debit") == "credit"]
        # A payout is paid back once: a credit returning it after another (on a statement imported before, or
        # earlier on this one) is money in that nothing explains, as a repayment's second line is.
        returned = Counter(key for place, key in stored if at is None or place < at)
        unmatched = []
        for ln in credits:
            key = (ref_key(ln["reference"]), amount(ln["amount"]))
            same = [p for p in by_ref.get(key[0], []) if amount(p["amount"]) == key[1]]
            if not same or returned[key]:
                unmatched.append(ln)
                continue
            returned[key] += 1
            kind = "returned_credit_lines" if same[0]["reversed"] else "returned_but_not_reversed"
            found[kind].append({"line": ln, "payouts": [_payout(same[0])]})
        # Each credit returns one debit: the money back on any statement imported, or on this one if previewed.
        back = [key for _, key in stored]
        back += [(ref_key(ln["reference"]), amount(ln["amount"])) for ln in previewed or ()]
        still = []
        for m in debits:
            key = (ref_key(m["line"]["reference"]), amount(m["line"]["amount"]))
            if key in back:
                back.remove(key)
                found["returned_payouts"].append(m)
            else:
                still.append(m)
        report = report | {"reversed_but_on_statement": still, "unmatched_credit_lines": unmatched}
    counts = report["counts"] | {k: len(report[k]) for k in ("reversed_but_on_statement", "unmatched_credit_lines")} \
        | {k: len(v) for k, v in found.items()}
    clean = not any(counts[k] for k in (*DISCREPANCIES, *CREDIT_DISCREPANCIES, *RETURN_DISCREPANCIES))
    return report | found | {"counts": counts, "all_matched": clean}
