"""Cap headroom (rule 5): each cap account's limit, what pending claims reserve plus approvals consume,
and what remains. An organisation-year cap is shared by every member unit of its body, a fund cap by
every claimant: those are the `shared` accounts the as-of index follows beyond one organisation.
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from ledger.catalogue import catalogues
from ledger.rules.accounts import read_cap_key
from projections.events import EventRow
from projections.fold import Handler, Row, Tables
from projections.money import ZERO, add, amount, neg

CAPS = "caps"
# Caps that more than one organisation draws on: a body's members, a project's co-undertakers, a fund or pool.
SHARED_SCOPES = ("organisation_year", "fund", "project", "pool")
YEARLY_SCOPES = ("enterprise_year", "organisation_year")
NO_SUBJECT = "-"
_OLD_PROJECT = re.compile(r"^[0-9A-Z]{18}:")


def cap_accounts(claim: Row) -> list[str]:
    return [key for key in claim["accounts"] if key.startswith("cap:")]


def shared_accounts(claim: Row) -> tuple[str, ...]:
    return tuple(sorted([key for key in cap_accounts(claim)
                         if read_cap_key(key).scope in SHARED_SCOPES and not _per_organisation(key)]))


def _per_organisation(key: str) -> bool:
    """A per-project cap recorded before rule 5 was pinned was kept per organisation: `<uscc>:<subject>`."""
    cap = read_cap_key(key)
    return cap.scope == "project" and _OLD_PROJECT.match(cap.owner) is not None


@cache
def cap_limit(programme: str, scope: str, policy_version: str) -> str | None:
    """The limit in the catalogue version the claim was decided under (the newest if that one is gone)."""
    versions = catalogues()
    catalogue = next((c for c in versions if c.policy.version == policy_version), versions[-1])
    if scope == "pool":  # the key names the pool, which holds its own limit
        pool = catalogue.pools.get(programme)
        return None if pool is None else str(pool.limit)
    found = catalogue.programme(programme)
    cap = next((c for c in found.caps if c.scope.value == scope), None) if found else None
    return None if cap is None else str(cap.limit)


def _new_cap(key: str, claim: Row) -> Row:
    cap = read_cap_key(key)
    scope, programme, owner = cap.scope, cap.programme, cap.owner
    old = _per_organisation(key)
    subject = (owner.split(":", 1)[1] if old else owner) if scope == "project" else NO_SUBJECT
    return {"account": key, "scope": scope, "programme": programme,
            "year": claim["award_year"] if scope in YEARLY_SCOPES else None,
            "uscc": None if scope in SHARED_SCOPES and not old else claim["uscc"],
            "body_id": cap.body_id,
            "subject": None if subject == NO_SUBJECT else subject,
            "limit": cap_limit(programme, scope, claim["policy_version"]), "used": ZERO, "claims": 0}


def _move(t: Tables, e: EventRow, delta: Decimal, new_claims: int = 0) -> None:
    claim = t.get("records", e.aggregate_id)
    if claim is None:
        return
    for key in cap_accounts(claim):
        row = t.get(CAPS, key) or _new_cap(key, claim)
        row["used"] = add(row["used"], delta)
        row["claims"] += new_claims
        t.put(CAPS, key, row)


def _submitted(t: Tables, e: EventRow) -> None:
    _move(t, e, amount(e.payload["entitled_amount"]), new_claims=1)


def _reassessed(t: Tables, e: EventRow) -> None:
    """The claim's reservation moves from its old figure and accounts to its new ones; a proposal's re-assessment
    (an approval that cut the cap it draws on) moves nothing, as a proposal reserves nothing until confirmed."""
    p, claim = e.payload, t.get("records", e.aggregate_id)
    if claim is None or claim.get("proposed"):
        return
    old = [k for k in p["previous_accounts"] if k.startswith("cap:")]
    new = [k for k in p["accounts"] if k.startswith("cap:")]
    for key in old:
        row = t.get(CAPS, key) or _new_cap(key, claim)
        row["used"] = add(row["used"], neg(p["previous_amount"]))
        row["claims"] -= key not in new
        t.put(CAPS, key, row)
    for key in new:
        row = t.get(CAPS, key) or _new_cap(key, claim)
        row["used"] = add(row["used"], p["entitled_amount"])
        row["claims"] += key not in old
        t.put(CAPS, key, row)


def _counted_on(t: Tables, e: EventRow) -> None:
    """A body's yearly cap counts the claim from a membership recorded late: its reservation or approval."""
    claim = t.get("records", e.aggregate_id)
    if claim is None or claim.get("proposed"):
        return
    key = e.payload["account"]
    row = t.get(CAPS, key) or _new_cap(key, claim)
    row["used"] = add(row["used"], e.payload["amount"])
    row["claims"] += 1
    t.put(CAPS, key, row)


def _approved(t: Tables, e: EventRow) -> None:
    claim = t.get("records", e.aggregate_id)
    if claim is not None:  # an approval consumes the approved amount in place of the reservation
        _move(t, e, amount(claim["approved"]) - amount(claim["entitled"]))


def _confirmed(t: Tables, e: EventRow) -> None:
    """A confirmed proposal reserves from now, as a submission does; until then it counted on no cap."""
    _move(t, e, amount(e.payload["entitled_amount"]), new_claims=1)


def _rejected(t: Tables, e: EventRow) -> None:
    claim = t.get("records", e.aggregate_id)
    if claim is not None and not claim.get("proposed"):  # a withdrawn proposal never reserved
        _move(t, e, neg(claim["entitled"]))


def _revoked(t: Tables, e: EventRow) -> None:
    claim = t.get("records", e.aggregate_id)
    if claim is not None:  # a revoked award counts on its caps for what was paid (kept) only
        kept = e.payload.get("kept_amount") or ZERO
        _move(t, e, amount(kept) - amount(claim["approved"]))


def _repaid(t: Tables, e: EventRow) -> None:
    """Money repaid on a revoked award no longer counts on its caps (ledger/usecases/recoveries.py `_unkept`)."""
    _move(t, e, neg(e.payload["amount"]))


def _repayment_reversed(t: Tables, e: EventRow) -> None:
    """A repayment taken back: the revoked award counts it on its caps again."""
    _move(t, e, amount(e.payload["amount"]))


def _payout_reversed(t: Tables, e: EventRow) -> None:
    """A payout of a revoked award reversed: what it counts on its caps comes down by the payout, as a repayment
    takes it down (a standing award's reversal moves no cap: it counts its approval)."""
    if e.payload.get("kept_amount") is not None:
        _move(t, e, neg(e.payload["amount"]))


HANDLERS: dict[str, Handler] = {"Claim.Submitted": _submitted, "Claim.PayoutReversed": _payout_reversed,
                                "Claim.Reassessed": _reassessed,
                                "Claim.Approved": _approved, "Claim.Rejected": _rejected,
                                "Claim.CountedOn": _counted_on,
                                "Claim.Withdrawn": _rejected, "Claim.Revoked": _revoked,
                                "Claim.Confirmed": _confirmed, "Claim.RepaymentRecorded": _repaid,
                                "Claim.RepaymentReversed": _repayment_reversed}


def render(row: Row) -> Row:
    limit = row["limit"]
    view = {k: row[k] for k in ("scope", "programme", "year", "limit", "used", "claims", "account")}
    view["remaining"] = None if limit is None else add(limit, neg(row["used"]))
    for optional in ("body_id", "subject", "uscc"):
        if row[optional] is not None:
            view[optional] = row[optional]
    return view
