"""A correction moves one appropriation of a fund year, and the fund by exactly its difference, whatever the year
holds: a store booked before documents were compared as a clerk reads them may hold look-alikes (区财〔2024〕1号 and
区财[2024]1号, or the same spelling twice), and a correction rewrote every one while the fund moved once (a regression
probe: 8M + 8M listed in a fund of 13M; withdrawn, 5M appropriated on no document)."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.fund_year import FundYear

SPELLINGS = ["区财〔2024〕1号", "区财[2024]1号", "区财（2024）1号", "区财〔2024〕2号"]
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@given(st.lists(st.tuples(st.sampled_from(SPELLINGS), AMOUNTS), min_size=1, max_size=6),
       st.lists(st.tuples(st.sampled_from(SPELLINGS), st.one_of(st.just(Decimal("0.00")), AMOUNTS)), max_size=6))
def test_every_correction_moves_one_entry_and_the_fund_by_its_difference(booked, corrections) -> None:
    fund = FundYear(year=2024)
    for document, amount in booked:
        fund.appropriate(amount, document, "finance-1")
    for document, amount in corrections:
        entry = fund.booked(document)
        if entry is None or entry["amount"] == amount:
            continue
        before = [dict(e) for e in fund.appropriations]
        fund.correct(entry["document_ref"], amount, entry["amount"], "更正", "区财〔2024〕9号", "finance-1",
                     at="2024-03-01T00:00:00+00:00")
        at = next(i for i, e in enumerate(before) if e["document_ref"] == entry["document_ref"])
        expected = before[:at] + ([] if amount == 0 else [{"amount": amount, "document_ref": entry["document_ref"]}]) \
            + before[at + 1:]
        assert fund.appropriations == expected  # that entry alone, in its place
        assert fund.appropriated == sum((e["amount"] for e in fund.appropriations), Decimal("0.00"))
    assert fund.appropriated == sum((e["amount"] for e in fund.appropriations), Decimal("0.00"))


def test_a_correction_names_the_entry_spelt_as_sent_among_look_alikes() -> None:
    fund = FundYear(year=2024)
    fund.appropriate(Decimal("10000000.00"), "区财〔2024〕1号", "finance-1")
    fund.appropriate(Decimal("5000000.00"), "区财[2024]1号", "finance-1")
    assert fund.booked("区财[2024]1号")["amount"] == Decimal("5000000.00")
    assert fund.booked("区财（2024）1号")["amount"] == Decimal("10000000.00")  # no exact spelling: the first
    fund.correct("区财[2024]1号", Decimal("0.00"), Decimal("5000000.00"), "撤销", "区财〔2024〕9号", "finance-1",
                 at="2024-03-01T00:00:00+00:00")
    assert (fund.appropriated, fund.appropriations) == (
        Decimal("10000000.00"), [{"amount": Decimal("10000000.00"), "document_ref": "区财〔2024〕1号"}])
