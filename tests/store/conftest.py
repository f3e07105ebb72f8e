"""A ledger on each backend, and a small world of principals and facts to build scenarios from."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from ledger.application import AwardLedger
from ledger.principals import Principal, Role
from ledger.store import store_env
from tests.support import unique_id, unique_uscc

ADMIN = Principal("ops", Role.ADMIN)
KJJ = Principal("kjj-clerk", Role.BUREAU, "kjj")
JXJ = Principal("jxj-clerk", Role.BUREAU, "jxj")
SCJGJ = Principal("scjgj-clerk", Role.BUREAU, "scjgj")
FGJ = Principal("fgj-clerk", Role.BUREAU, "fgj")
FINANCE = Principal("finance-1", Role.FINANCE)
AUDITOR = Principal("audit-1", Role.AUDITOR)


class World:
    """Sets up the facts a scenario needs through the ledger's own commands."""

    def __init__(self, ledger: AwardLedger) -> None:
        self.ledger = ledger

    def events(self) -> int:
        return self.ledger.recorder.max_notification_id() or 0

    def org(self, *, in_district: bool = True, member: bool = True) -> str:
        code = unique_uscc()
        self.ledger.register_organisation(ADMIN, uscc=code, name=f"杭州测试科技有限公司 {code[-6:]}",
                                          in_district=in_district)
        if member:
            self.body(lead=code)
        return code

    def body(self, lead: str, kind: str = "consortium", on: date = date(2022, 10, 1)) -> str:
        body_id = unique_id("body-")
        self.ledger.register_body(ADMIN, body_id=body_id, name=f"滨江创新联合体 {body_id}", kind=kind, lead_uscc=lead,
                                  recognised_on=on)
        return body_id

    def recognise(self, code: str, programme: str, tier: str | None = None, on: date = date(2023, 3, 1),
                  by: Principal = KJJ) -> str:
        """An Art. 3 recognition (rule 13): a body of the programme's kind led by `code`, certified at `tier`;
        returns the certification's id, which claims for the body's award rest on."""
        body_id = self.body(lead=code, kind=programme.split(".", 1)[1], on=date(2022, 9, 6))
        return self.certify(code, programme, tier, on=on, by=by, body_id=body_id)

    def join(self, body_id: str, code: str, on: date = date(2022, 10, 1)) -> None:
        self.ledger.add_member(ADMIN, body_id=body_id, uscc=code, joined_on=on)

    def appropriate(self, year: int, amount: str = "300000000.00") -> None:
        # Each on its own document: one document is booked once (a supplementary budget has its own number).
        self.ledger.record_appropriation(FINANCE, year=year, amount=amount, document_ref=unique_id(f"BUDGET-{year}-"))

    def certify(self, code: str, programme: str, tier: str | None = None, on: date = date(2023, 3, 1),
                by: Principal = KJJ, **extra) -> str:
        return self.ledger.record_certification(by, uscc=code, programme=programme, tier=tier, effective_on=on,
                                                document_ref=unique_id("DOC-"), **extra).view["id"]

    def claim(self, code: str, programme: str, *, year: int = 2023, by: Principal = KJJ, **extra) -> dict:
        extra.setdefault("effective_on", date(year, 6, 1))
        return self.ledger.submit_claim(by, uscc=code, programme=programme, award_year=year, **extra).view

    def approved(self, code: str, programme: str, *, by: Principal = KJJ, **extra) -> dict:
        claim = self.claim(code, programme, by=by, **extra)
        return self.ledger.approve_claim(by, claim_id=claim["id"]).view


@pytest.fixture
def ledger(database_url: str) -> Iterator[AwardLedger]:
    app = AwardLedger(store_env(database_url))
    yield app
    app.close()


@pytest.fixture
def world(ledger: AwardLedger) -> World:
    w = World(ledger)
    for year in (2023, 2024, 2025):
        w.appropriate(year)
    return w


@contextmanager
def instances(database_url: str, count: int) -> Iterator[list[AwardLedger]]:
    """`count` application instances on one store, as that many processes would hold: their caches and saved
    copies are their own, so concurrency tests exercise cross-instance conflicts too. Closed afterwards."""
    apps = [AwardLedger(store_env(database_url)) for _ in range(count)]
    try:
        yield apps
    finally:
        for app in apps:
            app.close()
