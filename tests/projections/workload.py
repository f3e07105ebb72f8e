"""Ledger data for the projection tests, built only through AwardLedger commands.

`mixed_workload` records a small district whose totals are worked out by hand in `EXPECTED`: ladders
and an upgrade top-up, a rate award cut by its annual cap and approved for less, pending and rejected
claims, payouts and a reversal, an investment, and an organisation-year cap shared by a body's members.
`bulk_workload` adds many similar organisations, for the rebuild and memory tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import count

from ledger.application import AwardLedger
from ledger.domain.errors import CapExceeded
from ledger.principals import Principal, Role
from tests.support import make_uscc, unique_id

ADMIN = Principal("ops", Role.ADMIN)
FINANCE = Principal("finance-1", Role.FINANCE)
KJJ = Principal("kjj-clerk", Role.BUREAU, "kjj")
JXJ = Principal("jxj-clerk", Role.BUREAU, "jxj")
SCJGJ = Principal("scjgj-clerk", Role.BUREAU, "scjgj")
FGJ = Principal("fgj-clerk", Role.BUREAU, "fgj")
APPROPRIATION = Decimal("300000000")
_serials = count(1000)


@dataclass
class District:
    """Who is who in a workload, and the ids its commands returned."""

    body: str
    lead: str
    member1: str
    member2: str
    claims: dict[str, str] = field(default_factory=dict)
    payouts: dict[str, str] = field(default_factory=dict)
    last_position: int = 0


def _org(app: AwardLedger, name: str) -> str:
    uscc = make_uscc(next(_serials))
    app.register_organisation(ADMIN, uscc=uscc, name=name, in_district=True)
    return uscc


def _claim(app: AwardLedger, d: District, name: str, by: Principal, **facts: object) -> str:
    outcome = app.submit_claim(by, **facts)  # type: ignore[arg-type]
    d.claims[name] = outcome.view["id"]
    d.last_position = outcome.position or d.last_position
    return outcome.view["id"]


def _run(d: District, outcome) -> dict:
    d.last_position = outcome.position or d.last_position
    return outcome.view


def mixed_workload(app: AwardLedger) -> District:
    for year in (2023, 2024):
        app.record_appropriation(FINANCE, year=year, amount=APPROPRIATION, document_ref=f"czj-{year}")
    app.record_appropriation(FINANCE, year=2025, amount=Decimal("200000000"), document_ref="czj-2025")
    d = District(unique_id("B-"), _org(app, "Lead Co"), _org(app, "Member One"), _org(app, "Member Two"))
    app.register_body(ADMIN, body_id=d.body, name="Consortium", kind="consortium", lead_uscc=d.lead,
                      recognised_on=date(2022, 10, 1))
    # Art. 3 awards belong to a recognised body of the programme's kind, paid to its lead (rule 13).
    erc_body, alliance_body = unique_id("ERC-"), unique_id("ALLY-")
    app.register_body(ADMIN, body_id=erc_body, name="Engineering research centre", kind="erc", lead_uscc=d.lead,
                      recognised_on=date(2022, 10, 1))
    for member in (d.member1, d.member2):
        app.add_member(ADMIN, body_id=d.body, uscc=member, joined_on=date(2022, 11, 1))

    # The lead: a municipal ERC paid in full, then upgraded to national (top-up 800,000), and a pending voucher.
    cert = app.record_certification(KJJ, uscc=d.lead, programme="A3.erc", tier="municipal", body_id=erc_body,
                                    effective_on=date(2022, 12, 1), document_ref="kjj-erc-1").view["id"]
    erc = _claim(app, d, "erc_municipal", KJJ, uscc=d.lead, programme="A3.erc", award_year=2023,
                 effective_on=date(2022, 12, 1), certification_id=cert)
    _run(d, app.approve_claim(KJJ, claim_id=erc))
    _run(d, app.record_payout(FINANCE, claim_id=erc, amount=Decimal("200000"), paid_on=date(2023, 1, 10),
                              bank_ref="bank-1"))
    app.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2023, 6, 1),
                       document_ref="kjj-erc-2")
    national = _claim(app, d, "erc_national", KJJ, uscc=d.lead, programme="A3.erc", award_year=2023,
                      effective_on=date(2023, 7, 1), certification_id=cert)
    _run(d, app.approve_claim(KJJ, claim_id=national))
    _claim(app, d, "voucher_lead", KJJ, uscc=d.lead, programme="A5.voucher", award_year=2023,
           effective_on=date(2023, 3, 1), basis_amount=Decimal("1000000"))

    # Member one: a voucher cut to its 500,000 annual cap, approved for 400,000, paid, reversed, paid again.
    voucher = _claim(app, d, "voucher_m1", KJJ, uscc=d.member1, programme="A5.voucher", award_year=2023,
                     effective_on=date(2023, 3, 1), basis_amount=Decimal("2000000"))
    _run(d, app.approve_claim(KJJ, claim_id=voucher, amount=Decimal("400000")))
    first = _run(d, app.record_payout(FINANCE, claim_id=voucher, amount=Decimal("400000"),
                                      paid_on=date(2023, 5, 1), bank_ref="bank-2"))["id"]
    _run(d, app.reverse_payout(FINANCE, payout_id=first, reason="returned by the bank"))
    d.payouts["voucher_m1_reversed"] = first
    d.payouts["voucher_m1"] = _run(d, app.record_payout(FINANCE, claim_id=voucher, amount=Decimal("100000"),
                                                        paid_on=date(2023, 6, 1), bank_ref="bank-3"))["id"]

    # The body's 2024 standards cap (1,000,000 for all members together): full, then freed by a rejection.
    std = dict(programme="A11.standard", award_year=2024, effective_on=date(2024, 3, 1))
    lead_std = _claim(app, d, "standard_lead", SCJGJ, uscc=d.lead, tier="international_participate",
                      subject="standard:GB-1", body_id=d.body, **std)
    _run(d, app.approve_claim(SCJGJ, claim_id=lead_std))
    m1_std = _claim(app, d, "standard_m1", SCJGJ, uscc=d.member1, tier="international_participate",
                    subject="standard:GB-2", **std)
    try:
        app.submit_claim(SCJGJ, uscc=d.member2, tier="national", rank=1, subject="standard:GB-3",  # type: ignore[arg-type]
                         **std)
    except CapExceeded:
        pass
    else:  # pragma: no cover - the workload's premise
        raise AssertionError("the organisation-year cap should have been used up")
    _run(d, app.reject_claim(SCJGJ, claim_id=m1_std, reason="standard withdrawn"))
    m2_std = _claim(app, d, "standard_m2", SCJGJ, uscc=d.member2, tier="national", rank=1,
                    subject="standard:GB-3", **std)
    _run(d, app.approve_claim(SCJGJ, claim_id=m2_std))

    # Member two: a rejected alliance grant (for the alliance it leads) and an equity investment in a project
    # (kept apart from awards).
    app.register_body(ADMIN, body_id=alliance_body, name="Industrial alliance", kind="alliance",
                      lead_uscc=d.member2, recognised_on=date(2022, 10, 1))
    alliance = _claim(app, d, "alliance_m2", KJJ, uscc=d.member2, programme="A3.alliance", award_year=2023,
                      effective_on=date(2023, 4, 1), body_id=alliance_body, requested_amount=Decimal("100000"))
    _run(d, app.reject_claim(KJJ, claim_id=alliance, reason="no start-up costs shown"))
    equity = _claim(app, d, "equity_m2", FGJ, uscc=d.member2, programme="A13.equity", award_year=2024,
                    effective_on=date(2024, 2, 1), subject="project:EQ-1", requested_amount=Decimal("5000000"))
    _run(d, app.approve_claim(FGJ, claim_id=equity))
    d.payouts["equity_m2"] = _run(d, app.record_payout(FINANCE, claim_id=equity, amount=Decimal("1000000"),
                                                       paid_on=date(2024, 3, 1), bank_ref="bank-4"))["id"]
    return d


def totals(entitled: str, approved: str, paid: str, outstanding: str) -> dict[str, str]:
    return {"entitled": entitled, "approved": approved, "paid": paid, "outstanding": outstanding,
            "to_recover": "0.00", "recovered": "0.00", "written_off": "0.00"}


# Worked by hand from the commands above.
EXPECTED_TOTALS = {
    "lead": totals("1800000.00", "1500000.00", "200000.00", "1300000.00"),   # 200k+800k ERC, 300k pending, 500k std
    # The voucher entitled to 500,000 counts at the 400,000 approved; the rejected standard counts nothing.
    "member1": totals("400000.00", "400000.00", "100000.00", "300000.00"),
    "member2": totals("200000.00", "200000.00", "0.00", "200000.00"),        # the investment is kept apart
}
EXPECTED_INVESTMENTS_M2 = totals("5000000.00", "5000000.00", "1000000.00", "4000000.00")
EXPECTED_SHARED_CAP = {"limit": "1000000.00", "used": "700000.00", "remaining": "300000.00"}


def bulk_workload(app: AwardLedger, organisations: int, *, year: int = 2023) -> None:
    """Per organisation about eleven events: joined to one body, a voucher claimed, approved and paid."""
    if app.fund_year(year)["appropriated"] == "0.00":
        app.record_appropriation(FINANCE, year=year, amount=APPROPRIATION, document_ref=f"czj-{year}")
    body, lead = unique_id("BULK-"), _org(app, "Bulk lead")
    app.register_body(ADMIN, body_id=body, name="Bulk consortium", kind="community", lead_uscc=lead,
                      recognised_on=date(2022, 10, 1))
    for n in range(organisations):
        uscc = _org(app, f"Bulk {n}")
        app.add_member(ADMIN, body_id=body, uscc=uscc, joined_on=date(2022, 11, 1))
        claim = app.submit_claim(KJJ, uscc=uscc, programme="A5.voucher", award_year=year,
                                 effective_on=date(2023, 3, 1), basis_amount=Decimal(100000 + n)).view["id"]
        app.approve_claim(KJJ, claim_id=claim)
        # One bank reference per payout: a reference names one bank transaction (ledger/payout_checks.py).
        app.record_payout(FINANCE, claim_id=claim, amount=Decimal("1000"), paid_on=date(2023, 4, 1),
                          bank_ref=f"{body}-b{n}")
