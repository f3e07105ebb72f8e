"""Recoveries (应追回) as finance lists them: per revoked award what is owed, recovered, written off and
still outstanding; and each repayment by its bank reference, so a bank statement's credit line matches
its recovery (projections/bank.py)."""
from __future__ import annotations

from projections.events import EventRow
from projections.fold import Handler, Row, Tables
from projections.money import ZERO, add, amount, neg

RECOVERIES = "recoveries"
REPAYMENTS = "repayments"


def _opened(t: Tables, e: EventRow) -> None:
    p = e.payload
    t.put(RECOVERIES, e.aggregate_id, {
        "id": e.aggregate_id, "claim_id": p["claim_id"], "uscc": p["uscc"], "programme": p["programme"],
        "award_year": p["award_year"], "lead": p["lead"], "amount": p["amount"], "recovered": ZERO,
        "written_off": ZERO, "outstanding": p["amount"], "status": _status(p["amount"]),
        "reason": p["reason"], "document_ref": p["document_ref"], "opened_at": e.recorded_at,
        "updated_at": e.recorded_at})


def _status(outstanding: str) -> str:
    return "open" if amount(outstanding) > 0 else "closed"


def _moved(field: str):
    def handler(t: Tables, e: EventRow) -> None:
        if (row := t.get(RECOVERIES, e.aggregate_id)) is None:
            return
        p = e.payload
        row[field] = add(row[field], p["amount"])
        row["outstanding"] = add(row["outstanding"], neg(p["amount"]))
        row["status"] = _status(row["outstanding"])
        row["updated_at"] = e.recorded_at  # the moment of the last command on it, as the recovery's answer says
        # What the recovery's own answer shows (views.recovery), so that the list says the same of it.
        if field == "written_off":
            row.update(write_off_reason=p["reason"], write_off_document_ref=p["document_ref"],
                       written_off_by=p.get("by"))
        else:
            row["repayments"] = [*row.get("repayments", ()), {"amount": p["amount"], "received_on": p["received_on"],
                                                              "bank_ref": p["bank_ref"]}]
        t.put(RECOVERIES, e.aggregate_id, row)
        if field == "recovered":
            key = f"{e.aggregate_id}|{e.version:06d}"
            t.put(REPAYMENTS, key, {"id": key, "recovery_id": e.aggregate_id, "claim_id": row["claim_id"],
                                    "uscc": row["uscc"], "amount": p["amount"], "received_on": p["received_on"],
                                    "bank_ref": p["bank_ref"]})
    return handler


def _reversed(t: Tables, e: EventRow) -> None:
    """A repayment taken back: the last standing one (ledger/domain/recovery.py `reverse_repayment`). Its money is
    owed again (what it took off a write-off is written off again), it is marked reversed in the list, and its row
    in REPAYMENTS says so, so no bank line is matched to it (projections/bank_credits.py)."""
    if (row := t.get(RECOVERIES, e.aggregate_id)) is None:
        return
    p = e.payload
    row["recovered"] = add(row["recovered"], neg(p["amount"]))
    row["outstanding"] = add(row["outstanding"], p["amount"])
    row["status"] = _status(row["outstanding"])
    row["updated_at"] = e.recorded_at
    repayments = row.get("repayments", [])
    at = max((i for i, r in enumerate(repayments) if not r.get("reversed")), default=None)
    if at is not None:
        repayments[at] = repayments[at] | {"reversed": True, "reversal_reason": p["reason"],
                                           "reversal_document_ref": p["document_ref"]}
    t.put(RECOVERIES, e.aggregate_id, row)
    key = f"{e.aggregate_id}|{p['repaid_version']:06d}"  # the Repaid event's own row
    if (paid := t.get(REPAYMENTS, key)) is not None:
        t.put(REPAYMENTS, key, paid | {"reversed": True})


def _write_off_reversed(t: Tables, e: EventRow) -> None:
    """What was written off is owed again; the write-off's why and document go with it (the history keeps both)."""
    if (row := t.get(RECOVERIES, e.aggregate_id)) is None:
        return
    row["written_off"] = add(row["written_off"], neg(e.payload["amount"]))
    row["outstanding"] = add(row["outstanding"], e.payload["amount"])
    row["status"] = _status(row["outstanding"])
    row["updated_at"] = e.recorded_at
    row.update(write_off_reason=None, write_off_document_ref=None, written_off_by=None)
    t.put(RECOVERIES, e.aggregate_id, row)


def _reduced(t: Tables, e: EventRow) -> None:
    """A payout of the revoked award reversed (booked in error): that much less was paid, so owed."""
    if (row := t.get(RECOVERIES, e.aggregate_id)) is None:
        return
    row["amount"] = add(row["amount"], neg(e.payload["amount"]))
    row["outstanding"] = add(row["outstanding"], neg(e.payload["amount"]))
    row["status"] = _status(row["outstanding"])
    row["updated_at"] = e.recorded_at
    p = e.payload  # what the recovery's own answer lists of it (views.recovery)
    row["reductions"] = [*row.get("reductions", ()), {"amount": p["amount"], "payout_id": p["payout_id"],
                                                      "reason": p["reason"], "document_ref": p.get("document_ref"),
                                                      "reduced_by": p.get("by")}]
    t.put(RECOVERIES, e.aggregate_id, row)


HANDLERS: dict[str, Handler] = {"Recovery.Opened": _opened, "Recovery.Reduced": _reduced,
                                "Recovery.Repaid": _moved("recovered"),
                                "Recovery.WrittenOff": _moved("written_off"), "Recovery.RepaymentReversed": _reversed,
                                "Recovery.WriteOffReversed": _write_off_reversed}


def render(row: Row) -> Row:
    return {k: row[k] for k in ("id", "claim_id", "uscc", "programme", "award_year", "amount", "recovered",
                                "written_off", "outstanding", "status", "reason", "document_ref", "opened_at")} | {
        "lead_bureau": row["lead"], "repayments": [{"reversed": False} | r for r in row.get("repayments", [])],
        # Rows folded before the reductions were kept list none (a rebuild lists them); their amount is right.
        "reductions": row.get("reductions", []),
        # Rows folded before it was kept: the opening's moment, right until a repayment or write-off (a rebuild).
        "updated_at": row.get("updated_at", row["opened_at"]),
        **{k: row.get(k) for k in ("write_off_reason", "write_off_document_ref", "written_off_by")}}
