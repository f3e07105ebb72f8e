"""The sandbox's quick way (the draft's replay as the baseline's twin, compact tallies: ledger/sandbox/twin.py)
against two plain full replays, on both stores: the same answer to the last fen for every draft, and the same
again when what grows with the district is spilled to a temporary file (ledger/spill.py)."""
from __future__ import annotations

from collections import Counter

import pytest

from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.replay import Replay, stored_events, wanted
from ledger.replay_fold import Folded
from ledger.sandbox import simulate_ledger
from ledger.sandbox.twin import Twin
from tests.sandbox.drafts import drop, edit, in_force

RANKED = "A9.national_award"  # a prize shared by rank
DRAFTS = {
    "in force": in_force,
    "version label only": lambda: in_force().replace('version = "', 'version = "draft-', 1),
    "rate up": lambda: edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"'),
    "cap down": lambda: edit("A5.voucher", r'limit = "500000.00"', 'limit = "250000.00"'),
    "cap down hard": lambda: edit("A5.voucher", r'limit = "500000.00"', 'limit = "1000.00"'),
    "programme dropped": lambda: drop("A5.computing"),
    # Money figures only: the baseline's plan is reused with the draft's programme (Twin._same_plan).
    "tier amount up": lambda: edit("A3.consortium", r'amount = "500000.00"', 'amount = "650000.00"'),
    "rank share down": lambda: edit(RANKED, r'share = "0.5"', 'share = "0.25"'),
}


@pytest.fixture
def district(ledger: AwardLedger) -> AwardLedger:
    generate(ledger, organisations=30, bodies=5, seed=11)
    return ledger


def _claims(district: AwardLedger) -> Counter:
    return Counter(type(e).__name__ for e in stored_events(district, topics=wanted)
                   if e is not None and type(e).__qualname__.startswith("Claim."))


@pytest.mark.parametrize("name", DRAFTS)
def test_the_twin_answers_exactly_as_two_plain_replays(district: AwardLedger, name: str) -> None:
    """Totals, fund years, who gains and loses and every organisation's explained claims are the same whether
    the draft's rules run on every claim over full tallies or only where the draft can change the answer."""
    draft = read_draft(DRAFTS[name]())
    events = [e for e in stored_events(district, topics=wanted) if e is not None]
    usccs = sorted({e.uscc for e in events if type(e).__name__ == "Submitted"})
    for uscc in usccs[:: max(1, len(usccs) // 6)]:
        plain = simulate_ledger(district, draft, uscc=uscc, plain=True, hot=None).as_json()
        quick = simulate_ledger(district, draft, uscc=uscc).as_json()
        assert quick == plain, uscc
        # With four entries a mapping in memory, nearly everything goes to the temporary file and back.
        spilled = simulate_ledger(district, draft, uscc=uscc, hot=4)
        assert spilled.spilled > 100 and spilled.as_json() == plain, uscc
    assert plain["claims"] > 50
    kinds = _claims(district)
    assert kinds["Approved"] and kinds["Rejected"] + kinds["Withdrawn"], kinds  # releases are compacted away


def _twins(district: AwardLedger, name: str) -> tuple[Replay, Twin, Replay]:
    """The baseline, the twin and a plain draft replay run side by side over the district's log."""
    draft = read_draft(DRAFTS[name]())
    folded = Folded()
    base = Replay(district.catalogue_on, approved_share=True, folded=folded, compact=True)
    twin = Twin(lambda _day: draft, base, approved_share=True, compact=True)
    alone = Replay(lambda _day: draft, approved_share=True, folded=Folded())
    for event in stored_events(district, topics=wanted):
        if event is None:
            continue
        alone.folded.fold(event)
        alone_rows = list(alone.claim(event))
        folded.fold(event)
        cid = str(event.originator_id)
        kind, claim_event = folded.kind(event)
        if kind == "Claim":
            base.decide(cid, claim_event, event)
            row = twin.decide(cid, claim_event, event)
            assert [r.as_dict() for r in ([row] if row else [])] == [r.as_dict() for r in alone_rows]
    return base, twin, alone


def test_the_twin_runs_the_rules_only_where_the_draft_can_change_the_answer(district: AwardLedger) -> None:
    """A draft that moves one programme's rate gives every other claim the baseline's answer without running
    the rules, keeps its own tallies only for the accounts that came apart, and still decides each claim as a
    plain replay of the draft does; a draft identical but for its version label runs the rules on none."""
    _, twin, alone = _twins(district, "rate up")
    submitted = _claims(district)["Submitted"] + _claims(district)["Confirmed"]
    assert 0 < twin.shortcuts < submitted
    assert 0 < twin.replanned < submitted - twin.shortcuts + 1  # A5.voucher's claims: the plan kept, the sums redone
    assert twin.diverged and set(twin.accounts) <= set(twin.diverged)
    assert len(twin.accounts) < len(alone.accounts)
    _, same, _ = _twins(district, "version label only")
    assert same.shortcuts == submitted and not same.diverged and not same.accounts


def test_compact_tallies_hold_only_live_entries(district: AwardLedger) -> None:
    """Compacted, no account keeps a rejected, withdrawn or revoked claim's entry, nor stays empty."""
    base, _, alone = _twins(district, "in force")
    assert all(state.entries for state in base.accounts.values())
    assert all(x.status in ("pending", "approved") for state in base.accounts.values() for x in state.entries)
    assert sum(len(s.entries) for s in base.accounts.values()) < sum(len(s.entries) for s in alone.accounts.values())
