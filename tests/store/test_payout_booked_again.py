"""A bank reference whose payouts were all reversed is booked again, once: two finance clerks booking it again at
once (on two claims, on two processes of one store) make one payout, the others are told which
(ledger/payout_checks.py)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

from ledger.application import AwardLedger
from ledger.domain import errors
from ledger.store import store_env
from tests.store.conftest import FINANCE, World
from tests.support import unique_id


def test_a_reversed_reference_booked_again_at_once_is_booked_once(database_url: str) -> None:
    ledgers = [AwardLedger(store_env(database_url)) for _ in range(4)]
    try:
        w = World(ledgers[0])
        w.appropriate(2023)
        claims = []
        for _ in range(4):
            org = w.org()
            claims.append(w.approved(org, "A3.erc", certification_id=w.recognise(org, "A3.erc", "municipal"))["id"])
        ref = unique_id("PAY-")
        first = ledgers[0].record_payout(FINANCE, claim_id=claims[0], amount="200000", paid_on=date(2023, 7, 1),
                                         bank_ref=ref).view
        ledgers[0].reverse_payout(FINANCE, payout_id=first["id"], reason="误记到其他企业的申请")
        start = Barrier(4)

        def book(n: int) -> str:
            start.wait()
            try:
                return ledgers[n].record_payout(FINANCE, claim_id=claims[n], amount="200000",
                                                paid_on=date(2023, 7, 1), bank_ref=ref).view["id"]
            except errors.Conflict as refused:
                return f"conflict:{refused.context.get('payout_id')}"

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(book, range(4)))
        booked = [a for a in answers if not a.startswith("conflict:")]
        assert len(booked) == 1 and booked[0] != first["id"], answers
        assert {a for a in answers if a.startswith("conflict:")} == {f"conflict:{booked[0]}"}, answers
        paid = [ledgers[0].claim(c)["paid_amount"] for c in claims]
        assert sorted(paid) == ["0.00", "0.00", "0.00", "200000.00"], paid
    finally:
        for ledger in ledgers:
            ledger.close()
