"""The entities an organisation's award state is made of, as rows: the organisation itself, its
certifications, its claims with their decisions, payouts and corrections (a revoked claim carries what is
still to recover, recovered and written off), and payouts (so a reversal finds its claim).

Each handler updates one row and says whom the event concerns. A row it expects but cannot find (an
event whose creation fell outside an as-of window) is left alone rather than invented.
"""
from __future__ import annotations

from projections import caps
from projections.events import EventRow
from projections.fold import Concern, Handler, Tables
from projections.money import ZERO, add, neg
from projections.money import amount as money

RECORDS = "records"


def _registered(t: Tables, e: EventRow) -> Concern:
    p = e.payload
    t.put(RECORDS, e.aggregate_id, {"id": e.aggregate_id, "kind": "organisation", "uscc": p["uscc"],
                                    "name": p["name"], "in_district": p["in_district"],
                                    "registered_at": e.recorded_at, "memberships": [], "designations": {}})
    return Concern(p["uscc"])


def _joined(t: Tables, e: EventRow) -> Concern | None:
    if (org := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    org["memberships"].append({"body_id": p["body_id"], "body_kind": p["body_kind"], "joined_on": p["joined_on"],
                               "is_lead": p["is_lead"]})
    t.put(RECORDS, e.aggregate_id, org)
    return Concern(org["uscc"])


def _designated(t: Tables, e: EventRow) -> Concern | None:
    if (org := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    current = org["designations"].get(p["programme"])
    if current is None or p["effective_on"] < current["effective_on"]:  # the earliest designation stands
        org["designations"][p["programme"]] = {"effective_on": p["effective_on"],
                                               "certification_id": p["certification_id"]}
    t.put(RECORDS, e.aggregate_id, org)
    return Concern(org["uscc"])


def _undesignated(t: Tables, e: EventRow) -> Concern | None:
    if (org := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    if (org["designations"].get(p["programme"]) or {}).get("certification_id") == p["certification_id"]:
        del org["designations"][p["programme"]]
    t.put(RECORDS, e.aggregate_id, org)
    return Concern(org["uscc"])


def _certified(t: Tables, e: EventRow) -> Concern:
    p = e.payload
    t.put(RECORDS, e.aggregate_id, {
        "id": e.aggregate_id, "kind": "certification", "uscc": p["uscc"], "programme": p["programme"],
        "tier": p["tier"], "effective_on": p["effective_on"], "subject": p["subject"], "body_id": p["body_id"],
        "tiers": [{"tier": p["tier"], "effective_on": p["effective_on"]}]})
    return Concern(p["uscc"])


def _upgraded(t: Tables, e: EventRow) -> Concern | None:
    if (cert := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    cert["tier"] = e.payload["tier"]
    cert["tiers"].append({"tier": e.payload["tier"], "effective_on": e.payload["effective_on"]})
    t.put(RECORDS, e.aggregate_id, cert)
    return Concern(cert["uscc"])


def _submitted(t: Tables, e: EventRow) -> Concern:
    p = e.payload
    claim = {"id": e.aggregate_id, "kind": "claim", "position": e.position, "submitted_at": e.recorded_at,
             **{k: p[k] for k in ("uscc", "programme", "award_year", "lead", "pays_award", "tier", "subject",
                                  "body_id", "certification_id", "accounts", "policy_version")},
             "gross": p["gross_amount"], "entitled": p["entitled_amount"], "status": "pending", "approved": None,
             "paid": ZERO, "reversed": ZERO, "payouts": {}}
    t.put(RECORDS, e.aggregate_id, claim)
    return Concern(p["uscc"], caps.shared_accounts(claim))


def _proposed(t: Tables, e: EventRow) -> Concern:
    """A proposal (免申即享) is a claim row of status `proposed`: in the queues and the history, in no total."""
    _submitted(t, e)
    claim = t.get(RECORDS, e.aggregate_id)
    claim.update(status="proposed", proposed=True, proposal=e.payload["proposal"])  # type: ignore[union-attr]
    t.put(RECORDS, e.aggregate_id, claim)  # type: ignore[arg-type]
    return Concern(e.payload["uscc"])


def _confirmed(t: Tables, e: EventRow) -> Concern | None:
    """Confirmed: pending as if submitted now, at the figures its re-assessment gave. Submitted now, it joins the
    queue at its end (`position`, `submitted_at`): a clerk walking the pending queue page by page while a colleague
    confirmed an older proposal never met it, the proposal's place lying behind the cursor (a bureau probe)."""
    if (claim := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    claim.update(status="pending", proposed=False, confirmed_at=e.recorded_at, position=e.position,
                 submitted_at=e.recorded_at, entitled=p["entitled_amount"],
                 gross=p["gross_amount"], accounts=p["accounts"], policy_version=p["policy_version"])
    t.put(RECORDS, e.aggregate_id, claim)
    return Concern(claim["uscc"], caps.shared_accounts(claim))


def _claim_event(change):
    def handler(t: Tables, e: EventRow) -> Concern | None:
        if (claim := t.get(RECORDS, e.aggregate_id)) is None:
            return None
        change(claim, e.payload)
        t.put(RECORDS, e.aggregate_id, claim)
        moves_caps = (e.event in ("Claim.Approved", "Claim.Rejected", "Claim.Withdrawn", "Claim.Revoked",
                                  "Claim.RepaymentRecorded", "Claim.RepaymentReversed")
                      or _kept_less(e)) and not claim.get("proposed")
        return Concern(claim["uscc"], caps.shared_accounts(claim) if moves_caps else ())
    return handler


def _counted_on(t: Tables, e: EventRow) -> Concern | None:
    """A membership recorded late made a body's yearly cap count the claim: one more account it holds."""
    if (claim := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    if e.payload["account"] not in claim["accounts"]:
        claim.update(accounts=[*claim["accounts"], e.payload["account"]])
        t.put(RECORDS, e.aggregate_id, claim)
    return Concern(claim["uscc"], caps.shared_accounts(claim))


def _reassessed(t: Tables, e: EventRow) -> Concern | None:
    """Rule 12: the claim's entitlement (and the accounts it reserves on) moved before a decision."""
    if (claim := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    before = caps.shared_accounts(claim)
    claim.update(entitled=p["entitled_amount"], gross=p["gross_amount"], accounts=p["accounts"],
                 policy_version=p["policy_version"])
    t.put(RECORDS, e.aggregate_id, claim)
    return Concern(claim["uscc"], tuple(sorted({*before, *caps.shared_accounts(claim)})))


@_claim_event
def _approved(claim: dict, p: dict) -> None:
    claim.update(status="approved", approved=p["amount"])


@_claim_event
def _rejected(claim: dict, p: dict) -> None:
    claim.update(status="rejected")


@_claim_event
def _paid(claim: dict, p: dict) -> None:
    claim["payouts"][p["payout_id"]] = {"amount": p["amount"], "reversed": False}
    claim["paid"] = add(claim["paid"], p["amount"])


@_claim_event
def _reversed(claim: dict, p: dict) -> None:
    payout = claim["payouts"].get(p["payout_id"])
    if payout is not None and not payout["reversed"]:
        payout["reversed"] = True
        claim["paid"] = add(claim["paid"], neg(payout["amount"]))
        claim["reversed"] = add(claim["reversed"], payout["amount"])


@_claim_event
def _withdrawn(claim: dict, p: dict) -> None:
    claim.update(status="withdrawn")


@_claim_event
def _replaced(claim: dict, p: dict) -> None:
    claim.update(status="withdrawn", replaced_by=p["by_claim"])


@_claim_event
def _revoked(claim: dict, p: dict) -> None:
    # What was paid net of reversals is now owed back; it leaves `paid` (money on standing awards).
    claim.update(status="revoked", released=p["released_amount"], recovery_id=p["recovery_id"],
                 to_recover=claim["paid"], recovered=ZERO, written_off=ZERO)


@_claim_event
def _repayment_recorded(claim: dict, p: dict) -> None:
    """The claim's side of a repayment: its row is as the recovery's event leaves it; what moves is its caps."""


def _recovery_event(field: str, sign: int = 1):
    """As the finance line moves (projections/finance.py `_recovery_handler`): `sign` -1 for a repayment, or a
    write-off, reversed."""
    def handler(t: Tables, e: EventRow) -> Concern | None:
        recovery = t.get("recoveries", e.aggregate_id)
        claim = None if recovery is None else t.get(RECORDS, recovery["claim_id"])
        if claim is None:
            return None
        moved = sign * money(e.payload["amount"])
        claim["to_recover"] = add(claim["to_recover"], -moved)
        claim[field] = add(claim[field], moved)
        t.put(RECORDS, claim["id"], claim)
        return Concern(claim["uscc"])
    return handler


def _kept_less(e: EventRow) -> bool:
    """A payout of a revoked award reversed: what the award counts on its caps comes down (caps.py)."""
    return e.event == "Claim.PayoutReversed" and e.payload.get("kept_amount") is not None


def _recovery_reduced(t: Tables, e: EventRow) -> Concern | None:
    """A payout of the revoked award reversed: that much less is to recover (its claim's `_reversed` took the
    payout off `paid`)."""
    recovery = t.get("recoveries", e.aggregate_id)
    claim = None if recovery is None else t.get(RECORDS, recovery["claim_id"])
    if claim is None:
        return None
    claim["to_recover"] = add(claim["to_recover"], neg(money(e.payload["amount"])))
    t.put(RECORDS, claim["id"], claim)
    return Concern(claim["uscc"])


def _recovery_opened(t: Tables, e: EventRow) -> Concern:
    return Concern(e.payload["uscc"])


def _district_changed(t: Tables, e: EventRow) -> Concern | None:
    if (org := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    p = e.payload
    changes = sorted([*org.get("district_changes", []), {"in_district": p["in_district"],
                                                         "effective_on": p["effective_on"]}],
                     key=lambda c: c["effective_on"])
    org.update(district_changes=changes, in_district=changes[-1]["in_district"])
    t.put(RECORDS, e.aggregate_id, org)
    return Concern(org["uscc"])


def _subject_named(t: Tables, e: EventRow) -> Concern | None:
    """A claim named the subject of a certification recorded without one: in its holder's history."""
    cert = t.get(RECORDS, e.aggregate_id)
    return None if cert is None else Concern(cert["uscc"])


def _certification_revoked(t: Tables, e: EventRow) -> Concern | None:
    if (cert := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    cert["revoked_on"] = e.payload["effective_on"]
    t.put(RECORDS, e.aggregate_id, cert)
    return Concern(cert["uscc"])


def _payout_recorded(t: Tables, e: EventRow) -> Concern:
    p = e.payload
    t.put(RECORDS, e.aggregate_id, {"id": e.aggregate_id, "kind": "payout", "uscc": p["uscc"],
                                    "claim_id": p["claim_id"], "amount": p["amount"], "reversed": False})
    return Concern(p["uscc"])


def _payout_reversed(t: Tables, e: EventRow) -> Concern | None:
    if (payout := t.get(RECORDS, e.aggregate_id)) is None:
        return None
    payout["reversed"] = True
    t.put(RECORDS, e.aggregate_id, payout)
    return Concern(payout["uscc"])


def _body_event(t: Tables, e: EventRow) -> Concern:
    return Concern(e.payload.get("lead_uscc") or e.payload["uscc"])


HANDLERS: dict[str, Handler] = {
    "Organisation.Registered": _registered, "Organisation.Joined": _joined,
    "Organisation.Designated": _designated, "Organisation.DesignationRevoked": _undesignated,
    "InnovationBody.Recognised": _body_event, "InnovationBody.MemberAdded": _body_event,
    "Certification.Recorded": _certified, "Certification.Upgraded": _upgraded,
    "Claim.Submitted": _submitted, "Claim.Reassessed": _reassessed, "Claim.Approved": _approved,
    "Claim.CountedOn": _counted_on, "Claim.ToppedUp": _claim_event(lambda claim, p: None),
    "Claim.Rejected": _rejected,
    "Claim.PayoutRecorded": _paid, "Claim.PayoutReversed": _reversed,
    "Payout.Recorded": _payout_recorded, "Payout.Reversed": _payout_reversed,
    "Claim.Withdrawn": _withdrawn, "Claim.Revoked": _revoked, "Claim.RepaymentRecorded": _repayment_recorded,
    "Claim.RepaymentReversed": _repayment_recorded,
    "Claim.Proposed": _proposed, "Claim.Confirmed": _confirmed, "Claim.Replaced": _replaced,
    "Claim.Outranked": _replaced,
    "Recovery.Opened": _recovery_opened, "Recovery.Repaid": _recovery_event("recovered"),
    "Recovery.RepaymentReversed": _recovery_event("recovered", -1),
    "Recovery.WrittenOff": _recovery_event("written_off"),
    "Recovery.WriteOffReversed": _recovery_event("written_off", -1), "Recovery.Reduced": _recovery_reduced,
    "Organisation.DistrictChanged": _district_changed, "Certification.Revoked": _certification_revoked,
    "Certification.SubjectNamed": _subject_named,
}
