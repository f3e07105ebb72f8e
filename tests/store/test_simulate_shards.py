"""The simulation by organisations on two cores (ledger/sandbox/shards.py: each process both replays for half the
organisations) against two plain full replays in one process, on both stores: the same answer to the last fen
where every account is one organisation's, and the other way (ledger/sandbox/split.py) where accounts are shared."""
from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.replay import stored_events, wanted
from ledger.sandbox import simulate_ledger
from ledger.sandbox.shards import simulate_halves
from projections.replay_log import simulate_log, wanted_events
from tests.store.conftest import KJJ, World
from tests.store.test_simulate_twin import DRAFTS

VOUCHER_DRAFTS = ("in force", "rate up", "cap down", "cap down hard", "version label only")


@pytest.fixture
def vouchers(world: World) -> World:
    """Twelve organisations with voucher and computing claims (caps per enterprise: each account one
    organisation's): approved, some in part, rejected, withdrawn and pending, over two years."""
    ledger = world.ledger
    for n in range(12):
        code = world.org()
        for year in (2023, 2024):
            claim = world.claim(code, "A5.voucher", year=year, basis_amount=Decimal(400_000 + 250_000 * n))
            if (n + year) % 4 == 0:
                ledger.reject_claim(KJJ, claim_id=claim["id"], reason="not a registered contract")
            elif (n + year) % 4 == 1:
                ledger.approve_claim(KJJ, claim_id=claim["id"], amount=Decimal(claim["entitled_amount"]) / 2)
            elif (n + year) % 4 == 2:
                ledger.approve_claim(KJJ, claim_id=claim["id"])
        if n % 3 == 0:
            world.claim(code, "A5.computing", year=2024, basis_amount=Decimal(300_000 * (n + 1)))
    return world


def _usccs(ledger: AwardLedger) -> list[str]:
    return sorted({e.uscc for e in stored_events(ledger, topics=wanted) if type(e).__name__ == "Submitted"})


@pytest.mark.parametrize("name", VOUCHER_DRAFTS)
def test_halves_answer_exactly_as_two_plain_replays(vouchers: World, database_url: str, name: str) -> None:
    """Totals, fund years, who gains and loses (cut to 3, so the two halves' lists are cut again) and one
    organisation's explained claims: the same, whichever half holds the organisation."""
    ledger = vouchers.ledger
    draft = read_draft(DRAFTS[name]())
    head = ledger.recorder.max_notification_id()
    for uscc in _usccs(ledger)[::3]:
        plain = simulate_ledger(ledger, draft, uscc=uscc, top=3, plain=True, hot=None).as_json()
        halves = simulate_halves(ledger, database_url, draft, wanted_events(ledger, head=head), head=head,
                                 uscc=uscc, top=3)
        assert halves is not None, "every account here is one organisation's"
        assert halves.as_json() == plain, uscc
        assert plain["organisation"]["claims"]
    spilled = simulate_halves(ledger, database_url, draft, wanted_events(ledger, head=head), head=head, hot=4)
    assert spilled is not None and spilled.spilled > 20
    assert spilled.as_json() == simulate_ledger(ledger, draft, plain=True, hot=None).as_json()


def test_shared_accounts_send_the_simulation_the_other_way(ledger: AwardLedger, database_url: str) -> None:
    """The demo district's claims draw on pools, bodies and ranks: the halves stop at the first such claim and
    the two-process simulation replays baseline and draft apart instead, to the same answer."""
    generate(ledger, organisations=30, bodies=5, seed=11)
    draft = read_draft(DRAFTS["rate up"]())
    head = ledger.recorder.max_notification_id()
    assert simulate_halves(ledger, database_url, draft, wanted_events(ledger, head=head), head=head) is None
    plain = simulate_ledger(ledger, draft, plain=True, hot=None).as_json()
    assert simulate_log(ledger, draft, url=database_url, split=True).as_json() == plain
