"""Bank statements are recorded once, whatever the retry: the same lines again write nothing."""
from __future__ import annotations

import pytest

from ledger.bank_files import read_bank_file
from ledger.bank_files.reading import accepted_lines
from ledger.domain import errors
from tests.store.conftest import FINANCE, KJJ, World

STATEMENT = ("\ufeffdate,amount,reference,counterparty\n"
             "2023-07-01,\"50,000.00\",BK-1,杭州某某科技有限公司\n"
             "2023-07-02,200000.00,BK-2,杭州另一科技有限公司\n")


def parse_csv(text: str):
    """The lines of a statement file as `POST /v1/finance/bank-statements` and `reconcile` read them."""
    return accepted_lines(read_bank_file(text.encode()), import_good_lines=False)


def test_importing_the_same_statement_twice_changes_nothing(world: World) -> None:
    """A second import of identical lines answers with the first import and records no event."""
    first = world.ledger.import_bank_statement(FINANCE, lines=parse_csv(STATEMENT), source="july.csv")
    assert first.view["lines"] == 2 and first.view["total"] == "250000.00" and not first.view["already_imported"]
    before = world.events()
    again = world.ledger.import_bank_statement(FINANCE, lines=parse_csv(STATEMENT), source="renamed.csv")
    assert again.replayed and again.view["already_imported"] and again.view["id"] == first.view["id"]
    assert world.events() == before


def test_only_finance_imports_statements(world: World) -> None:
    """Bureaus may not import bank statements."""
    with pytest.raises(errors.Forbidden):
        world.ledger.import_bank_statement(KJJ, lines=parse_csv(STATEMENT))


@pytest.mark.parametrize(("text", "fragment"), [
    ("date,amount\n2023-01-01,5\n", "no header row"),
    ("date,amount,reference\n2023-13-01,5,R\n", "there is no such day"),
    ("date,amount,reference\n2023-02-30,5,R\n", "there is no such day"),
    ("date,amount,reference\n01/07/2023,5,R\n", "YYYY-MM-DD"),
    ("date,amount,reference\n2023-01-01,5.001,R\n", "line 2: amount '5.001' is not an amount such as 1234.56"),
    ("date,amount,reference\n2023-01-01,5,\n", "reference is empty"),
    ("date,amount,reference\n", "no lines"),
])
def test_malformed_statements_are_refused_with_the_line(text: str, fragment: str) -> None:
    """A malformed statement is refused with a message naming what to fix."""
    with pytest.raises(errors.InvalidInput) as caught:
        parse_csv(text)
    assert fragment in caught.value.detail


def test_a_statement_with_more_references_than_bind_parameters_is_reported(world: World, database_url: str) -> None:
    """70,000 distinct references (past PostgreSQL's 65,535 bind parameters): recorded once, and reported."""
    from datetime import date
    from decimal import Decimal

    from ledger.domain.bank_statement import StatementLine
    from projections.readmodels import ReadModels
    from projections.rebuild import catch_up

    lines = [StatementLine(date(2023, 7, 1), Decimal("1.00"), f"BIG-{n:06d}", "") for n in range(70_000)]
    outcome = world.ledger.import_bank_statement(FINANCE, lines=lines, source="big.csv")
    read_models = ReadModels.open(database_url)
    try:
        catch_up(read_models.view, world.ledger)
        found = read_models.bank_statement(outcome.view["id"])
    finally:
        read_models.close()
    assert found is not None and found["lines"] == 70_000
    assert found["report"]["counts"]["unmatched_bank_lines"] == 70_000
