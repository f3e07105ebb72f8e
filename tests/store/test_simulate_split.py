"""The simulation on two cores (ledger/sandbox/split.py: the draft's replay in a second process reading the log
itself) against two plain full replays in one process, on both stores: the same answer to the last fen for every
draft of the twin test, with and without the replays' state spilled to their temporary files."""
from __future__ import annotations

import pytest

from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.replay import stored_events, wanted
from ledger.sandbox import simulate_ledger
from projections.replay_log import simulate_log
from tests.store.test_simulate_twin import DRAFTS


@pytest.fixture
def district(ledger: AwardLedger) -> AwardLedger:
    generate(ledger, organisations=30, bodies=5, seed=11)
    return ledger


@pytest.mark.parametrize("name", DRAFTS)
def test_two_processes_answer_exactly_as_one(district: AwardLedger, database_url: str, name: str) -> None:
    draft = read_draft(DRAFTS[name]())
    usccs = sorted({e.uscc for e in stored_events(district, topics=wanted)
                    if e is not None and type(e).__name__ == "Submitted"})
    uscc = usccs[len(usccs) // 2]
    plain = simulate_ledger(district, draft, uscc=uscc, plain=True, hot=None).as_json()
    split = simulate_log(district, draft, uscc=uscc, url=database_url, split=True)
    assert split.as_json() == plain
    assert plain["claims"] > 50 and plain["organisation"]["claims"]
    spilled = simulate_log(district, draft, uscc=uscc, url=database_url, split=True, hot=4)
    assert spilled.spilled > 100 and spilled.as_json() == plain


def test_the_top_lists_are_cut_and_ordered_as_in_one_process(district: AwardLedger, database_url: str) -> None:
    """With few places (top 2) and many organisations moving, the two lists keep the same organisations, in the
    same order (the biggest move first, then the smaller USCC), as the single-process answer."""
    draft = read_draft(DRAFTS["rate up"]())
    plain = simulate_ledger(district, draft, top=2, plain=True, hot=None).as_json()
    split = simulate_log(district, draft, top=2, url=database_url, split=True).as_json()
    assert split["organisations_gaining"] == plain["organisations_gaining"]
    assert split["organisations_losing"] == plain["organisations_losing"]
    many = simulate_ledger(district, draft, top=100, plain=True, hot=None).as_json()
    assert len(many["organisations_gaining"]) > 2  # so the top 2 is a cut


def test_ties_are_broken_by_the_smaller_uscc_as_in_one_process() -> None:
    """Many organisations moving by the same amount (a cloned district): both ways keep and list the same ones."""
    from decimal import Decimal

    from ledger.sandbox.split import _extremes
    from ledger.sandbox.totals import Totals

    moves = {f"ORG{n:03d}": (Decimal(n % 3) - 1, Decimal("100.00")) for n in range(60)}  # -1, 0, +1, in turn
    totals = Totals()
    for uscc, (delta, base) in moves.items():
        totals.add("A5.voucher", "kjj", 2024, uscc, base, base + delta, charged=True)
    for top in (0, 1, 5, 25, 100):
        expected = totals.extremes(top)
        baseline = {uscc: (base, 1) for uscc, (_, base) in moves.items()}
        chunks = iter([("organisations", [(u, (b + d, 1)) for u, (d, b) in list(moves.items())[i:i + 7]])
                       for i in range(0, 60, 7)])
        assert _extremes(baseline, chunks, top) == expected, top


def test_a_split_simulation_needs_the_database_url(district: AwardLedger) -> None:
    with pytest.raises(ValueError, match="URL"):
        simulate_log(district, read_draft(DRAFTS["in force"]()), split=True)
