"""Finance totals per award year × programme × lead bureau (approved, paid net of reversals, reversed,
outstanding; for revoked awards what is still to recover, recovered and written off), and each year's
special fund (Art. 2): appropriated, charged by approvals (less the unpaid part of revoked ones), headroom.

Approved, paid and reversed count standing awards only: a revocation takes the award out of `approved` and
`reversed` and moves what it was paid from `paid` to `to_recover`, so paid net of reversals over every award
equals paid on standing awards + recovered + written off + to recover."""
from __future__ import annotations

from collections.abc import Iterable

from ledger.catalogue import catalogues
from projections.events import EventRow
from projections.fold import Handler, Row, Tables
from projections.money import ZERO, add, amount, neg

FINANCE = "finance"
FUNDS = "funds"
MONEY = ("approved", "paid", "reversed", "outstanding", "recovered", "to_recover", "written_off")
RECOVERY = ("recovered", "to_recover", "written_off")


def line_key(claim: Row) -> str:
    """The finance line a claim counts in: its award year, programme and lead bureau."""
    return f"{claim['award_year']}|{claim['programme']}|{claim['lead']}"


def as_of_key(year: int) -> str:
    """The as-of index's key (rm_cap_events.account) of the events a year's reconciliation folds."""
    return f"finance|{year}"


def index_keys(t: Tables, e: EventRow) -> tuple[str, ...]:
    """Where the as-of index files an event's history row: a claim's events and its recovery's under the
    claim's award year, so a reconciliation as of a past moment replays that year's, not the whole log.
    A year's lines fold nothing else but its fund year's events, which have no history row."""
    if e.event.startswith("Claim."):
        row = t.get("records", e.aggregate_id)
    elif e.event.startswith("Recovery."):
        row = t.get("recoveries", e.aggregate_id)
    else:
        return ()
    return () if row is None else (as_of_key(row["award_year"]),)


def _line(t: Tables, claim: Row) -> Row:
    key = line_key(claim)
    return t.get(FINANCE, key) or {"id": key, "year": claim["award_year"], "programme": claim["programme"],
                                   "bureau": claim["lead"], "award": claim["pays_award"], "approved": ZERO,
                                   "paid": ZERO, "reversed": ZERO, "claims": 0,
                                   **{k: ZERO for k in RECOVERY}}


def _claim_handler(change):
    def handler(t: Tables, e: EventRow) -> None:
        claim = t.get("records", e.aggregate_id)
        if claim is not None:
            line = _line(t, claim)
            change(line, claim, e.payload)
            t.put(FINANCE, line["id"], line)
    return handler


@_claim_handler
def _approved(line: Row, claim: Row, p: dict) -> None:
    line["approved"] = add(line["approved"], claim["approved"])
    line["claims"] += 1


@_claim_handler
def _paid(line: Row, claim: Row, p: dict) -> None:
    line["paid"] = add(line["paid"], p["amount"])


@_claim_handler
def _reversed(line: Row, claim: Row, p: dict) -> None:
    payout = claim["payouts"].get(p["payout_id"])
    if payout is None or claim["status"] == "revoked":  # a revoked award's paid left the line: its recovery owes less
        return
    line["paid"] = add(line["paid"], neg(payout["amount"]))
    line["reversed"] = add(line["reversed"], payout["amount"])


@_claim_handler
def _revoked(line: Row, claim: Row, p: dict) -> None:
    line["approved"] = add(line["approved"], neg(claim["approved"]))
    line["claims"] -= 1
    line["paid"] = add(line["paid"], neg(claim["to_recover"]))
    # Its reversals leave with its approval and payments (an audit probe: a signed close read "paid 0.00,
    # reversed 100,000.00" of a year whose one standing award had none): `reversed` is the standing awards'.
    line["reversed"] = add(line["reversed"], neg(claim.get("reversed") or ZERO))
    line["to_recover"] = add(line.get("to_recover"), claim["to_recover"])


def _recovery_handler(field: str, sign: int = 1):
    """A recovery's money moving to `field` (recovered, written off) from what is to recover; `sign` -1: back (a
    repayment, or a write-off, reversed)."""
    def handler(t: Tables, e: EventRow) -> None:
        recovery = t.get("recoveries", e.aggregate_id)
        if recovery is None:
            return
        key = f"{recovery['award_year']}|{recovery['programme']}|{recovery['lead']}"
        if (line := t.get(FINANCE, key)) is None:
            return
        moved = sign * amount(e.payload["amount"])
        line["to_recover"] = add(line.get("to_recover"), -moved)
        line[field] = add(line.get(field), moved)
        t.put(FINANCE, key, line)
    return handler


def _recovery_reduced(t: Tables, e: EventRow) -> None:
    """A payout of the revoked award reversed: that much less is to recover; nothing was recovered or paid."""
    recovery = t.get("recoveries", e.aggregate_id)
    if recovery is None:
        return
    key = f"{recovery['award_year']}|{recovery['programme']}|{recovery['lead']}"
    if (line := t.get(FINANCE, key)) is not None:
        line["to_recover"] = add(line.get("to_recover"), neg(amount(e.payload["amount"])))
        t.put(FINANCE, key, line)


def _opened(t: Tables, e: EventRow) -> None:
    t.put(FUNDS, e.aggregate_id, {"id": e.aggregate_id, "year": e.payload["year"], "appropriated": ZERO,
                                  "approved": ZERO, "appropriations": 0})


def _fund_handler(field: str):
    def handler(t: Tables, e: EventRow) -> None:
        if (fund := t.get(FUNDS, e.aggregate_id)) is not None:
            fund[field] = add(fund[field], e.payload["amount"])
            fund["appropriations"] += field == "appropriated"
            t.put(FUNDS, e.aggregate_id, fund)
    return handler


def _fund_corrected(t: Tables, e: EventRow) -> None:
    """An appropriation's figure corrected: the fund holds the difference; one withdrawn (0.00) counts no more."""
    if (fund := t.get(FUNDS, e.aggregate_id)) is not None:
        fund["appropriated"] = add(fund["appropriated"], e.payload["amount"], neg(e.payload["was"]))
        fund["appropriations"] -= amount(e.payload["amount"]) == 0
        t.put(FUNDS, e.aggregate_id, fund)


def _fund_released(t: Tables, e: EventRow) -> None:
    if (fund := t.get(FUNDS, e.aggregate_id)) is not None:
        fund["approved"] = add(fund["approved"], neg(e.payload["amount"]))
        t.put(FUNDS, e.aggregate_id, fund)


HANDLERS: dict[str, Handler] = {
    "Claim.Approved": _approved, "Claim.PayoutRecorded": _paid, "Claim.PayoutReversed": _reversed,
    "FundYear.Opened": _opened, "FundYear.Appropriated": _fund_handler("appropriated"),
    "FundYear.Charged": _fund_handler("approved"), "FundYear.Released": _fund_released,
    "FundYear.AppropriationCorrected": _fund_corrected,
    "Claim.Revoked": _revoked, "Recovery.Repaid": _recovery_handler("recovered"),
    "Recovery.WrittenOff": _recovery_handler("written_off"),
    "Recovery.RepaymentReversed": _recovery_handler("recovered", -1),
    "Recovery.WriteOffReversed": _recovery_handler("written_off", -1), "Recovery.Reduced": _recovery_reduced,
}


def special_fund_floor(year: int) -> str:
    versions = catalogues()
    policy = next((c.policy for c in versions if year in c.policy.years), versions[-1].policy)
    return str(policy.special_fund_floor)


def _sum(lines: Iterable[Row]) -> Row:
    total = {field: ZERO for field in MONEY} | {"claims": 0}
    for line in lines:
        for field in MONEY:
            total[field] = add(total[field], line[field])
        total["claims"] += line["claims"]
    return total


def render(year: int, lines: Iterable[Row], funds: Iterable[Row]) -> Row:
    rows = [{"programme": x["programme"], "bureau": x["bureau"], "kind": "award" if x["award"] else "investment",
             "approved": x["approved"], "paid": x["paid"], "reversed": x["reversed"],
             "outstanding": add(x["approved"], neg(x["paid"])), "claims": x["claims"],
             **{k: x.get(k, ZERO) for k in RECOVERY}}
            for x in sorted(lines, key=lambda x: (x["programme"], x["bureau"]))]
    funds = list(funds)
    appropriated = add(ZERO, *(f["appropriated"] for f in funds))
    charged = add(ZERO, *(f["approved"] for f in funds))
    floor = special_fund_floor(year)
    return {"year": year, "rows": rows,
            "totals": _sum(r for r in rows if r["kind"] == "award"),
            "investments": _sum(r for r in rows if r["kind"] == "investment"),
            "appropriation": {"appropriated": appropriated, "approved": charged,
                              "headroom": add(appropriated, neg(charged)), "floor": add(floor),
                              "below_floor": amount(appropriated) < amount(floor)}}
