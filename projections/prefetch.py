"""Reading a page's rows before folding it: one query per table per page instead of one per row.

Folding an event reads the rows it updates (`Tables.get`); against SQL that was a round trip per row,
thousands a page. Which rows a page will read is known from its events before folding: the row of the
event's own aggregate, then through the claims those events are about, the claim's cap accounts and its
finance line. `prefetch` reads them all first, in one `id IN (...)` query per table (absent rows are
remembered as absent too). It is only a hint: a row it missed is still read by `get`, one at a time, so
the fold's result never depends on this list being complete.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from projections import bank, caps, finance, records, recoveries
from projections.events import EventRow
from projections.fold import Row
from projections.sql import SqlTables

# Events whose handlers read the row of their own aggregate, and from which tables.
OWN: dict[str, tuple[str, ...]] = {
    **{e: (records.RECORDS,) for e in ("Organisation.Joined", "Organisation.Designated",
                                       "Organisation.DesignationRevoked", "Certification.Upgraded",
                                       "Claim.Reassessed", "Claim.Approved", "Claim.Rejected", "Claim.CountedOn",
                                       "Claim.PayoutRecorded",
                                       "Claim.PayoutReversed", "Claim.Confirmed", "Claim.Replaced",
                                       "Claim.Outranked", "Claim.Withdrawn", "Claim.Revoked", "Claim.RepaymentRecorded",
                                       "Claim.RepaymentReversed", "Organisation.DistrictChanged",
                                       "Certification.Revoked", "Certification.SubjectNamed")},
    "Payout.Reversed": (records.RECORDS, bank.PAYOUTS),
    "FundYear.Appropriated": (finance.FUNDS,), "FundYear.Charged": (finance.FUNDS,),
    "FundYear.Released": (finance.FUNDS,), "FundYear.AppropriationCorrected": (finance.FUNDS,),
    **{e: (recoveries.RECOVERIES,) for e in ("Recovery.Repaid", "Recovery.WrittenOff", "Recovery.RepaymentReversed",
                                             "Recovery.WriteOffReversed", "Recovery.Reduced")},
}
# Claim events that also read the claim's cap accounts (caps.py) or its finance line (finance.py).
CAP_MOVES = ("Claim.Submitted", "Claim.Reassessed", "Claim.Approved", "Claim.Rejected", "Claim.Confirmed",
             "Claim.Withdrawn", "Claim.Revoked", "Claim.RepaymentRecorded", "Claim.RepaymentReversed",
             "Claim.CountedOn", "Claim.PayoutReversed")
FINANCE_MOVES = ("Claim.Approved", "Claim.PayoutRecorded", "Claim.PayoutReversed", "Claim.Revoked")
# Recovery events read their recovery, then the claim it claws back (records.py) and its finance line.
RECOVERY_MOVES = ("Recovery.Repaid", "Recovery.WrittenOff", "Recovery.RepaymentReversed", "Recovery.WriteOffReversed",
                  "Recovery.Reduced")
# What a submission's payload says of the claim it makes, as far as its cap and finance keys go.
SUBMITTED_KEYS = ("accounts", "award_year", "programme", "lead")


def prefetch(tables: SqlTables, rows: Sequence[EventRow]) -> None:
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in rows:
        for table in OWN.get(e.event, ()):
            wanted[table].add(e.aggregate_id)
    for table, keys in wanted.items():
        tables.prefetch(table, keys)

    submitted: dict[str, Row] = {e.aggregate_id: {k: e.payload.get(k) for k in SUBMITTED_KEYS}
                                 for e in rows if e.event == "Claim.Submitted"}
    cap_keys: set[str] = set()
    line_keys: set[str] = set()
    for e in rows:
        moves_caps, moves_finance = e.event in CAP_MOVES, e.event in FINANCE_MOVES
        if not (moves_caps or moves_finance):
            continue
        claim = submitted.get(e.aggregate_id) or tables.cache.get((records.RECORDS, e.aggregate_id))
        if claim is None:
            continue
        try:
            if moves_caps:
                cap_keys.update(caps.cap_accounts(claim))
                if e.event == "Claim.CountedOn":  # the account it joins, not yet among the row's
                    cap_keys.add(e.payload["account"])
            if moves_finance:
                line_keys.add(finance.line_key(claim))
        except (KeyError, TypeError):  # an odd claim: leave its rows to `get`
            continue
    claim_keys: set[str] = set()
    for e in rows:
        if e.event in RECOVERY_MOVES:
            found = tables.cache.get((recoveries.RECOVERIES, e.aggregate_id))
            if found:  # a recovery opened within this page is folded before it is read: `get` finds it then
                claim_keys.add(found["claim_id"])
                line_keys.add(f"{found['award_year']}|{found['programme']}|{found['lead']}")
    tables.prefetch(records.RECORDS, {k for k in claim_keys if k})
    tables.prefetch(caps.CAPS, cap_keys)
    tables.prefetch(finance.FINANCE, line_keys)
