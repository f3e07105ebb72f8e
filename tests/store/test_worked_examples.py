"""The public worked examples (../shared/acceptance/public.py), at the application level, on both stores."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.domain import errors
from tests.store.conftest import KJJ, World


def test_erc_ladder_municipal_to_national(world: World) -> None:
    """A municipal ERC paid 200,000 and then upgraded to national is owed 800,000 more: 1,000,000 in all."""
    org = world.org()
    cert = world.recognise(org, "A3.erc", "municipal")
    first = world.approved(org, "A3.erc", certification_id=cert, year=2023)
    world.ledger.record_upgrade(KJJ, certification_id=cert, tier="national", effective_on=date(2024, 5, 10),
                                document_ref="DOC-UP")
    second = world.approved(org, "A3.erc", certification_id=cert, year=2024)
    assert (first["approved_amount"], second["approved_amount"]) == ("200000.00", "800000.00")
    assert [s["rule"] for s in world.ledger.claim(second["id"])["explanation"]][-2] == "upgrade_top_up"


def test_voucher_annual_cap(world: World) -> None:
    """Vouchers pay 30% up to 500,000 a year: 300,000, then 200,000 cut by the cap, then refused; next year fresh."""
    org = world.org()
    amounts = [world.approved(org, "A5.voucher", basis_amount="1000000", year=2023)["approved_amount"]
               for _ in range(2)]
    assert amounts == ["300000.00", "200000.00"]
    with pytest.raises(errors.CapExceeded):
        world.claim(org, "A5.voucher", basis_amount="1000000", year=2023)
    assert world.approved(org, "A5.voucher", basis_amount="1000000", year=2024)["approved_amount"] == "300000.00"


def test_national_award_rank_shares(world: World) -> None:
    """Rank 1 takes the whole national first prize, rank 3 half, rank 6 nothing."""
    first, third, sixth = world.org(), world.org(), world.org()
    common = {"tier": "first", "subject": "project:NA-1"}
    assert world.approved(first, "A9.national_award", rank=1, **common)["approved_amount"] == "5000000.00"
    assert world.approved(third, "A9.national_award", rank=3, **common)["approved_amount"] == "2500000.00"
    with pytest.raises(errors.NotEligible):
        world.claim(sixth, "A9.national_award", rank=6, **common)


def test_same_project_pays_the_highest_once(world: World) -> None:
    """One project's awards are not added up: a lower one is superseded, a higher one pays the difference."""
    org = world.org()
    assert world.approved(org, "A4.challenge", basis_amount="2000000",
                          subject="project:P-9")["approved_amount"] == "600000.00"
    with pytest.raises(errors.Superseded):
        world.claim(org, "A9.provincial_award", tier="first", rank=1, subject="project:P-9", year=2024)
    later = world.approved(org, "A9.national_award", tier="second", rank=1, subject="project:P-9", year=2024)
    assert Decimal(later["approved_amount"]) == Decimal("400000.00")


@pytest.mark.parametrize("day", [date(2022, 9, 5), date(2025, 9, 6)])
def test_policy_term_refuses_outside(world: World, day: date) -> None:
    """A certification effective a day outside the term is refused and writes nothing."""
    org = world.org()
    erc = world.body(lead=org, kind="erc", on=date(2022, 9, 6))
    before = world.events()
    with pytest.raises(errors.OutsidePolicyTerm):
        world.certify(org, "A3.erc", "municipal", on=day, body_id=erc)
    assert world.events() == before


@pytest.mark.parametrize("day", [date(2022, 9, 6), date(2025, 9, 5)])
def test_policy_term_accepts_its_first_and_last_day(world: World, day: date) -> None:
    """The term's first and last days are inside it."""
    org = world.org()
    assert world.ledger.certification(world.recognise(org, "A3.erc", "municipal", on=day))["effective_on"] == str(day)
