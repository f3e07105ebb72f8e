"""An organisation's award state: per programme, ladder and subject, its totals (entitled, approved, paid,
outstanding) and the headroom of every cap its claims draw on. Investments (Art. 13) are kept apart.

`render` turns rows into the answer; live it is given the stored rows, as-of it is given the rows that
`replay` folds from the organisation's own indexed history — through the same fold — so the two agree.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from ledger.catalogue import catalogues
from projections import caps, fold, history
from projections.fold import MemoryTables, Row
from projections.money import ZERO, add, amount, neg

MONEY = ("entitled", "approved", "paid", "outstanding", "to_recover", "recovered", "written_off")
LIVE = ("pending", "approved")  # what stands; rejected, withdrawn and revoked claims count for nothing


@cache
def programme_kind(code: str) -> str:
    """award, investment or designation: the newest catalogue that knows the programme decides."""
    programme = next((c.programme(code) for c in reversed(catalogues()) if c.programme(code)), None)
    if programme is None or programme.pays_awards:
        return "award"
    return programme.kind.value


def _live_amount(claim: Row) -> str:
    """What a standing claim is worth to its organisation: an approved one what was approved (an approval may
    lower the entitlement, and the cap it frees goes to later claims: rules 5 and 6), a pending one its
    entitlement."""
    return {"approved": claim["approved"], "pending": claim["entitled"]}.get(claim["status"], ZERO)


def _held(claim: Row) -> str:
    """What a claim still holds on its ladders and subject: a standing claim its live amount, a revoked award what
    was paid on it (net of reversals) less what has been repaid; money written off stays held, the organisation
    has it (ledger/domain/claim.py `revoke`, `record_repayment`). Nothing else holds anything."""
    if claim["status"] != "revoked":
        return _live_amount(claim)
    kept = add(claim["paid"], neg(claim.get("recovered") or ZERO))
    return kept if amount(kept) > 0 else ZERO


def _totals(claims: list[Row]) -> Row:
    live = [c for c in claims if c["status"] in LIVE]
    approved = add(ZERO, *(c["approved"] for c in live if c["status"] == "approved"))
    paid = add(ZERO, *(c["paid"] for c in live))  # paid on standing awards; a revoked one's is to recover
    revoked = [c for c in claims if c["status"] == "revoked"]
    # `entitled`: what the standing claims come to, an approved one at its approved amount, so that under a cap
    # the total never passes what the cap allows (a lowered approval's freed headroom is another claim's now).
    return {"entitled": add(ZERO, *(_live_amount(c) for c in live)), "approved": approved, "paid": paid,
            "outstanding": add(approved, neg(paid)),
            **{k: add(ZERO, *(c.get(k) for c in revoked)) for k in ("to_recover", "recovered", "written_off")}}


def _ladder_of(key: str) -> Row:
    """A ladder account's rungs and what it is kept for (ledger/rules/accounts.py `ladder_key`): a body's
    (`ladder:CODE:body:BODY:RUNGS`, rule 13) or an organisation's, for one subject or none
    (`ladder:CODE:USCC:RUNGS:SUBJECT`, the subject itself holding colons)."""
    _, _, owner, rest = key.split(":", 3)
    if owner == "body":
        body_id, rungs = rest.rsplit(":", 1)
        return {"rungs": rungs.split("<"), "subject": None, "body_id": body_id}
    rungs, subject = rest.split(":", 1)
    return {"rungs": rungs.split("<"), "subject": None if subject == "-" else subject}


def _ladders(claims: list[Row]) -> list[Row]:
    ladders: dict[str, Row] = {}
    for claim in claims:
        for key in (k for k in claim["accounts"] if k.startswith("ladder:")):
            ladder = ladders.get(key)
            if ladder is None:
                ladder = ladders[key] = {**_ladder_of(key), "reached": None, "awarded": ZERO}
                if ladder["subject"] is not None:  # as the claims name it, not as the key folds it
                    ladder["subject"] = claim["subject"]
            held = _held(claim)
            if (claim["status"] in LIVE or amount(held) > 0) and claim["tier"] in ladder["rungs"]:  # a revoked
                # award's paid part counts too, as the rules count it (a new claim on its rung is already_awarded)
                ladder["awarded"] = add(ladder["awarded"], held)
                top = ladder["reached"]
                if top is None or ladder["rungs"].index(claim["tier"]) > ladder["rungs"].index(top):
                    ladder["reached"] = claim["tier"]
    return [ladders[k] for k in sorted(ladders)]


def _subjects(claims: list[Row]) -> list[Row]:
    subjects: dict[str, list[Row]] = {}
    for claim in claims:
        if claim["subject"] is not None:
            subjects.setdefault(claim["subject"], []).append(claim)
    return [{"subject": name, "programmes": sorted({c["programme"] for c in group}), "claims": len(group),
             "best_gross": max((add(c["gross"]) for c in group if c["status"] in LIVE), key=amount, default=None),
             "awarded": add(ZERO, *(_held(c) for c in group))}
            for name, group in sorted(subjects.items())]


def _programme(code: str, claims: list[Row], certifications: list[Row]) -> Row:
    statuses = {s: sum(c["status"] == s for c in claims)
                for s in ("proposed", "pending", "approved", "rejected", "withdrawn", "revoked")}
    # `reversed` is the standing awards', as the reconciliation's is: a revoked award's reversals leave with its
    # approval and payments (a corrections probe read 100,000.00 here and 0.00 there for one reversal).
    return {"programme": code, **_totals(claims),
            "reversed": add(ZERO, *(c["reversed"] for c in claims if c["status"] != "revoked")),
            "claims": len(claims), "statuses": statuses, "ladders": _ladders(claims),
            "subjects": sorted({c["subject"] for c in claims if c["subject"] is not None}),
            "certifications": [{"id": c["id"], "tier": c["tier"], "effective_on": c["effective_on"],
                                "subject": c["subject"], "tiers": c["tiers"]} for c in certifications]}


def _programmes(claims: list[Row], certifications: list[Row], kind: str) -> list[Row]:
    codes = sorted({r["programme"] for r in claims + certifications if programme_kind(r["programme"]) == kind})
    return [_programme(code, [c for c in claims if c["programme"] == code],
                       [c for c in certifications if c["programme"] == code]) for code in codes]


def render(org: Row | None, claims: Iterable[Row], certifications: Iterable[Row], cap_rows: dict[str, Row], *,
           as_of: str | None, position: int) -> Row | None:
    if org is None:
        return None
    claims = sorted(claims, key=lambda c: c["position"])
    certifications = sorted(certifications, key=lambda c: c["id"])
    awards = [c for c in claims if programme_kind(c["programme"]) == "award"]
    investments = [c for c in claims if programme_kind(c["programme"]) == "investment"]
    used = sorted({key for c in claims for key in caps.cap_accounts(c)})
    return {"uscc": org["uscc"], "name": org["name"], "as_of": as_of, "position": position,
            "totals": _totals(awards), "programmes": _programmes(awards, certifications, "award"),
            "investments": {"totals": _totals(investments),
                            "programmes": _programmes(investments, certifications, "investment")},
            "caps": [caps.render(cap_rows[key]) for key in used if key in cap_rows],
            "subjects": _subjects(awards), "memberships": org["memberships"],
            "designations": [{"programme": p, **d} for p, d in sorted(org["designations"].items())]}


def replay(uscc: str, rows: Iterable[Row], *, as_of: str) -> Row | None:
    """Fold an organisation's history rows (and those of the shared caps it draws on) up to `as_of`."""
    tables, position, folded = MemoryTables(), 0, 0
    for row in rows:
        fold.apply(tables, history.event_row(row))
        position, folded = row["position"], folded + 1
    mine = [r for r in tables.rows("records") if r["uscc"] == uscc]
    org = next((r for r in mine if r["kind"] == "organisation"), None)
    state = render(org, [r for r in mine if r["kind"] == "claim"], [r for r in mine if r["kind"] == "certification"],
                   {r["account"]: r for r in tables.rows(caps.CAPS)}, as_of=as_of, position=position)
    return None if state is None else state | {"folded": folded}  # the work done: events replayed
