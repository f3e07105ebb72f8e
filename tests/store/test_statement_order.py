"""Statements take their matches in the order the log holds them, on both stores. A finance probe imported eight
statements at once, each with a line for one payout: on PostgreSQL two answers said `matched` (and
`all_matched`), and a read of either afterwards said it of only one. Statements stood in the order of the moment
each import was decided, and two imports sent at once are decided in one order and saved in the other: the one
saved first answered first, with the match it took, and then lost it to the one decided first and saved after.
Here the two are saved in the order a race leaves them (the later decision first) and folded."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ledger.domain.bank_statement import BankStatement, statement_line
from projections import ReadModels
from projections.rebuild import rebuild
from tests.store.conftest import FINANCE, KJJ, World
from tests.support import unique_id


def _statement(day: str, reference: str, digest: str) -> BankStatement:
    line = statement_line({"date": day, "amount": "1000.00", "reference": reference, "counterparty": "滨江区财政局"},
                          "line 1")
    return BankStatement(digest=digest, source=None, lines=[line.recorded()], by=FINANCE.name)


def test_the_statement_saved_first_keeps_the_match_it_answered_with(world: World, database_url: str) -> None:
    org = world.org()
    claim = world.claim(org, "A5.voucher", basis_amount=Decimal("1000000"))
    world.ledger.approve_claim(KJJ, claim_id=claim["id"])
    reference = unique_id("ICBC-")
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount=Decimal("1000.00"), paid_on=date(2023, 7, 1),
                               bank_ref=reference)
    decided_first = _statement("2023-07-01", reference, unique_id("a-"))
    decided_second = _statement("2023-07-02", reference, unique_id("b-"))
    assert decided_first.created_on < decided_second.created_on
    world.ledger.save(decided_second)  # saved first: its answer was given with the match
    world.ledger.save(decided_first)
    rebuild(database_url)
    models = ReadModels.open(database_url)
    try:
        first_saved = models.bank_statement(str(decided_second.id))["report"]
        second_saved = models.bank_statement(str(decided_first.id))["report"]
    finally:
        models.close()
    assert (first_saved["counts"]["matched"], first_saved["all_matched"]) == (1, True)
    assert (second_saved["counts"]["matched"], second_saved["counts"]["repeated_bank_lines"]) == (0, 1)
    assert second_saved["all_matched"] is False
