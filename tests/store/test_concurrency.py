"""Concurrent commands never break a cap, pass the fund or pay twice (PostgreSQL, 20 threads, 4 processes' worth
of application instances so both in-process caches and cross-instance conflicts are exercised)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from threading import Barrier

import pytest

from ledger.application import AwardLedger
from ledger.domain import errors
from ledger.store import store_env
from tests.store.conftest import FINANCE, KJJ, World, instances

THREADS = 20
ROUNDS = 20  # races of a revocation against claims on its certification (one in a few lost it before)
pytestmark = pytest.mark.postgres


@pytest.fixture
def ledgers(fresh_postgres_url: str) -> Iterator[list[AwardLedger]]:
    with instances(fresh_postgres_url, 4) as apps:
        yield apps


def race(ledgers: list[AwardLedger], work: Callable[[AwardLedger, int], str]) -> Counter[str]:
    """Run `work` on THREADS threads released together; count the outcomes (a code, or 'ok')."""
    start = Barrier(THREADS)

    def one(i: int) -> str:
        start.wait()
        try:
            return work(ledgers[i % len(ledgers)], i)
        except errors.LedgerError as err:
            return err.code

    with ThreadPoolExecutor(THREADS) as pool:
        return Counter(pool.map(one, range(THREADS)))


def test_annual_cap_holds_under_concurrent_claims_and_approvals(ledgers: list[AwardLedger]) -> None:
    """20 threads claim and approve 300,000 vouchers against one 500,000 annual cap: exactly 500,000 is approved."""
    world = World(ledgers[0])
    world.appropriate(2023)
    org = world.org()

    def claim_and_approve(ledger: AwardLedger, i: int) -> str:
        claim = ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                    effective_on=date(2023, 6, 1), basis_amount="1000000").view
        return ledger.approve_claim(KJJ, claim_id=claim["id"]).view["approved_amount"]

    outcomes = race(ledgers, claim_and_approve)
    assert outcomes == Counter({"300000.00": 1, "200000.00": 1, "cap_exceeded": THREADS - 2}), outcomes
    cap = world.ledger._account(f"cap:enterprise_year:A5.voucher:{org}:2023")
    assert cap.state().used == Decimal("500000.00")


def test_fund_year_holds_under_concurrent_approvals(ledgers: list[AwardLedger]) -> None:
    """20 different organisations' 200,000 awards approved at once against a 1,000,000 appropriation: 5 pass."""
    world = World(ledgers[0])
    world.appropriate(2022, "1000000.00")
    orgs = [world.org() for _ in range(THREADS)]
    claims = [world.claim(org, "A3.erc", year=2022, effective_on=date(2022, 10, 1),
                          certification_id=world.recognise(org, "A3.erc", "municipal", on=date(2022, 10, 1)))
              for org in orgs]
    outcomes = race(ledgers, lambda ledger, i: ledger.approve_claim(KJJ, claim_id=claims[i]["id"]).view["status"])
    assert outcomes == Counter({"approved": 5, "fund_exhausted": THREADS - 5}), outcomes
    assert world.ledger.fund_year(2022)["approved"] == "1000000.00"


def test_an_appropriation_corrected_while_approvals_race_leaves_none_unfunded(ledgers: list[AwardLedger]) -> None:
    """19 approvals of 200,000 race one correction taking the 2022 budget document from 2,000,000 to 600,000:
    whichever lands first, what is approved never passes what is appropriated (the fund year's version settles
    it, as between two approvals): at most 3 approvals and the correction, or the correction refused once 4 or more
    are approved."""
    world = World(ledgers[0])
    world.ledger.record_appropriation(FINANCE, year=2022, amount=Decimal("2000000.00"), document_ref="区财〔2022〕3号")
    orgs = [world.org() for _ in range(THREADS - 1)]
    claims = [world.claim(org, "A3.erc", year=2022, effective_on=date(2022, 10, 1),
                          certification_id=world.recognise(org, "A3.erc", "municipal", on=date(2022, 10, 1)))
              for org in orgs]

    def work(ledger: AwardLedger, i: int) -> str:
        if i == THREADS - 1:
            ledger.correct_appropriation(FINANCE, year=2022, appropriation_ref="区财〔2022〕3号",
                                         amount=Decimal("600000.00"), reason="预算调减", document_ref="区财〔2022〕8号")
            return "corrected"
        return ledger.approve_claim(KJJ, claim_id=claims[i]["id"]).view["status"]

    outcomes = race(ledgers, work)
    fund = world.ledger.fund_year(2022)
    assert Decimal(fund["approved"]) <= Decimal(fund["appropriated"]), (fund, outcomes)
    assert Decimal(fund["approved"]) == 200000 * outcomes["approved"], (fund, outcomes)
    if outcomes["corrected"]:
        assert fund["appropriated"] == "600000.00" and outcomes["approved"] <= 3, (fund, outcomes)
    else:
        assert outcomes["fund_exhausted"] >= 1 and outcomes["approved"] >= 4, (fund, outcomes)
        assert fund["appropriated"] == "2000000.00", (fund, outcomes)


def test_one_claim_is_never_paid_past_its_approval(ledgers: list[AwardLedger]) -> None:
    """20 threads each pay 50,000 on one 200,000 approval: exactly 4 payouts land, 200,000 in all."""
    world = World(ledgers[0])
    world.appropriate(2023)
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))

    def pay(ledger: AwardLedger, i: int) -> str:
        ledger.record_payout(FINANCE, claim_id=claim["id"], amount="50000", paid_on=date(2023, 7, 1),
                             bank_ref=f"BK-{i}")
        return "ok"

    outcomes = race(ledgers, pay)
    assert outcomes == Counter({"ok": 4, "over_approved": THREADS - 4}), outcomes
    assert world.ledger.claim(claim["id"])["paid_amount"] == "200000.00"


def test_retried_key_under_concurrency_writes_once(ledgers: list[AwardLedger]) -> None:
    """20 threads sending one payout with the same Idempotency-Key pay it once and all get the same answer."""
    world = World(ledgers[0])
    world.appropriate(2023)
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))

    def pay(ledger: AwardLedger, i: int) -> str:
        return ledger.record_payout(FINANCE, claim_id=claim["id"], amount="50000", paid_on=date(2023, 7, 1),
                                    bank_ref="BK-SAME", key="pay-once").view["id"]

    outcomes = race(ledgers, pay)
    assert len(outcomes) == 1 and sum(outcomes.values()) == THREADS, outcomes
    assert world.ledger.claim(claim["id"])["paid_amount"] == "50000.00"


# ---------------------------------------------------------------- deciding on a process's own saved copies

@contextmanager
def two_processes(store: str, request: pytest.FixtureRequest, tmp_path) -> Iterator[tuple[AwardLedger, AwardLedger]]:
    """Two ledgers on one fresh store of the kind named, as two processes would hold them; closed afterwards."""
    url = f"sqlite:///{tmp_path}/l.sqlite3" if store == "sqlite" else request.getfixturevalue("fresh_postgres_url")
    a, b = AwardLedger(store_env(url)), AwardLedger(store_env(url))
    try:
        yield a, b
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_stale_saved_copy_never_refuses(store: str, request: pytest.FixtureRequest, tmp_path) -> None:
    """Process A appropriated 100,000 for 2025 and keeps that fund year as it saved it; process B then adds
    1,000,000. A's approval of 300,000 would be refused `fund_exhausted` on A's own copy: it must instead be
    decided again on the store's state, and land."""
    with two_processes(store, request, tmp_path) as (a, b):
        world = World(a)
        a.record_appropriation(FINANCE, year=2025, amount=Decimal("100000.00"), document_ref="B-1")
        claim = world.claim(world.org(), "A5.voucher", year=2025, basis_amount=Decimal("1000000.00"))
        b.record_appropriation(FINANCE, year=2025, amount=Decimal("1000000.00"), document_ref="B-2")
        approved = a.approve_claim(KJJ, claim_id=claim["id"]).view
        assert approved["status"] == "approved" and approved["approved_amount"] == "300000.00"
        assert b.fund_year(2025)["approved"] == "300000.00"


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_stale_saved_copy_never_decides(store: str, request: pytest.FixtureRequest, tmp_path) -> None:
    """Process A submitted a claim (and keeps it and its cap account as saved); process B approves it and
    submits another voucher on the same cap. A's approval of the first, and A's next claim, are decided on
    A's copies, conflict on saving, and are decided again on the store's state: the first is refused as
    already approved, writing nothing, and the second claim is cut to what the cap has left."""
    with two_processes(store, request, tmp_path) as (a, b):
        world = World(a)
        world.appropriate(2025)
        org = world.org()
        first = world.claim(org, "A5.voucher", year=2025, basis_amount=Decimal("1000000.00"))
        b.approve_claim(KJJ, claim_id=first["id"])
        World(b).claim(org, "A5.voucher", year=2025, basis_amount=Decimal("500000.00"))  # reserves 150,000
        events = world.events()
        with pytest.raises(errors.InvalidState):
            a.approve_claim(KJJ, claim_id=first["id"])
        assert world.events() == events
        third = world.claim(org, "A5.voucher", year=2025, basis_amount=Decimal("1000000.00"))
        assert third["entitled_amount"] == "50000.00"  # 500,000 cap - 300,000 approved - 150,000 reserved


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_stale_saved_copy_without_the_claims_entry_is_decided_again(store: str, decision: str,
                                                                     request: pytest.FixtureRequest,
                                                                     tmp_path) -> None:
    """Process A keeps the cap account as its first claim left it; process B submits a second claim on the same
    cap (reserving on that account). A then decides B's claim: on A's copy the account holds no entry for it
    (what a resilience run met as a 500, a KeyError in AwardAccount.consume). It must be decided again on the
    store's state, and land."""
    with two_processes(store, request, tmp_path) as (a, b):
        world = World(a)
        world.appropriate(2025)
        org = world.org()
        world.claim(org, "A5.voucher", year=2025, basis_amount=Decimal("100000.00"))  # A saves the cap account
        second = World(b).claim(org, "A5.voucher", year=2025, basis_amount=Decimal("100000.00"))
        if decision == "approve":
            decided = a.approve_claim(KJJ, claim_id=second["id"]).view
            assert decided["status"] == "approved" and decided["approved_amount"] == "30000.00"
        else:
            decided = a.reject_claim(KJJ, claim_id=second["id"], reason="资料不全").view
            assert decided["status"] == "rejected"
        assert b.claim(second["id"])["status"] == decided["status"]



def test_a_certification_revoked_while_claims_rest_on_it_keeps_none(ledgers: list[AwardLedger]) -> None:
    """One thread revokes an A6 honour while the others claim on it, on four ledgers (as four processes), ROUNDS
    times over. A claim that read the certification before the revocation reserves on its slot, which the
    revocation closes, so the two conflict and the claim, retried, is refused: afterwards no claim on it is
    live (a black-box probe had one accepted, approved and paid on the revoked certification)."""
    from tests.store.conftest import JXJ

    world = World(ledgers[0])
    for _ in range(ROUNDS):
        org = world.org()
        cert = world.certify(org, "A6.honour", "little_giant", by=JXJ)

        def claim_or_revoke(ledger: AwardLedger, i: int, org: str = org, cert: str = cert) -> str:
            if i == 0:
                ledger.revoke_certification(JXJ, certification_id=cert, reason="复核不合格",
                                            effective_on=date(2023, 6, 1), document_ref="REV")
                return "revoked"
            return "claim " + ledger.submit_claim(JXJ, uscc=org, programme="A6.honour", award_year=2023,
                                                  effective_on=date(2023, 6, 1), certification_id=cert).view["id"]

        outcomes = race(ledgers, claim_or_revoke)
        assert outcomes["revoked"] == 1, outcomes
        made = [o.removeprefix("claim ") for o in outcomes if o.startswith("claim ")]
        standing = {i: s for i in made if (s := ledgers[0].claim(i)["status"]) in ("pending", "approved")}
        assert standing == {}, outcomes
