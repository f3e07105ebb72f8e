"""A close waits for the commands decided before its moment to be saved (LEDGER_CLOSE_SETTLE).

The races probe: with payouts landing during `award-ledger close` on two servers, the close's figures differed from
`reconciliation?as_of=` its own moment (paid 149,000 against 150,000). A command's events carry the moment it was
decided, a few milliseconds before its save (longer when the save waits for the store's lock); the close folded at
once and left out a payout decided before its moment and saved after. Here one payout's decision is slowed (its
check of the claim against the chain sleeps), so that the close's moment falls between its decision and its save."""
from __future__ import annotations

import json
import re
import threading
import time
from decimal import Decimal
from urllib.parse import quote

import pytest

from api.cli import main
from tests.finance.conftest import Books

SLOW = 4.0  # seconds the payout's decision takes, past the close's moment
SETTLE = 7  # LEDGER_CLOSE_SETTLE for this test: longer than that


@pytest.fixture
def cli_env(database_url: str, settings, monkeypatch) -> None:
    monkeypatch.setenv("LEDGER_DATABASE_URL", database_url)
    monkeypatch.setenv("LEDGER_SIGNING_KEY_FILE", str(settings.signing_key_file))
    monkeypatch.setenv("LEDGER_CLOSE_SETTLE", str(SETTLE))


@pytest.mark.usefixtures("cli_env")
def test_a_payout_decided_before_the_close_and_saved_after_is_in_it(books: Books, monkeypatch, capsys) -> None:
    claim = books.approve(basis_amount="1000000.00")
    books.pay(claim, "100000.00")
    ledger = books.api.client.app.state.ledger
    checked, slowed = ledger._intact, threading.Event()

    def slow_intact(aggregate_id, what):  # the payout's moment is taken before this; its save comes after
        slowed.set()
        time.sleep(SLOW)
        return checked(aggregate_id, what)

    monkeypatch.setattr(ledger, "_intact", slow_intact)
    done: list[object] = []
    late = threading.Thread(target=lambda: done.append(books.pay(claim, "50000.00")))
    late.start()
    assert slowed.wait(30)
    monkeypatch.setattr(ledger, "_intact", checked)
    assert main(["close", "--year", "2023", "--json"]) == 0  # its moment: after the payout's, before its save
    late.join(30)
    assert len(done) == 1, "the slowed payout did not land"
    out, err = capsys.readouterr()
    closed = json.loads(out)
    assert Decimal(closed["reconciliation"]["totals"]["paid"]) == Decimal("150000.00"), closed["reconciliation"]
    then = books.api.ok("GET", f"/v1/finance/reconciliation?year=2023&as_of={quote(closed['as_of'])}", as_="finance")
    assert then["totals"] == closed["reconciliation"]["totals"], (then["totals"], closed["reconciliation"]["totals"])
    live = books.api.ok("GET", "/v1/finance/reconciliation?year=2023", as_="finance")
    assert live["post_close_adjustments"] == [], live["post_close_adjustments"]
    assert f"waiting {SETTLE} s for commands decided by" in err  # and says so
    # in seconds waited, with no rate of seconds per second (a finance probe read "每秒 1 秒")
    waited = next(line for line in err.splitlines() if "close: waited" in line)
    assert re.fullmatch(r"award-ledger close: waited: \d+\.\d s", waited), waited
