"""The simulation by organisations on two cores (ledger/sandbox/shards.py: each process both replays for half the
organisations) against two plain full replays in one process, on both stores: the same answer to the last fen
where every account is one organisation's, and the other way (ledger/sandbox/split.py) where accounts are shared."""
from __future__ import annotations

from decimal import Decimal
from uuid import uuid4

import pytest
from eventsourcing.persistence import Notification

from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.replay import stored_events, wanted, wanted_topics
from ledger.replay_fold import organisation_id
from ledger.sandbox import simulate_ledger
from ledger.sandbox.shards import half_of, simulate_halves, wanted_in
from projections.replay_log import simulate_log, wanted_events
from tests.store.conftest import KJJ, World
from tests.store.test_simulate_twin import DRAFTS
from tests.support import make_uscc

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
        events = wanted_events(ledger, head=head, keep=wanted_in(0))  # as simulate_log reads them
        halves = simulate_halves(ledger, database_url, draft, events, head=head, uscc=uscc, top=3)
        assert halves is not None, "every account here is one organisation's"
        assert halves.as_json() == plain, uscc
        assert plain["organisation"]["claims"]
    spilled = simulate_halves(ledger, database_url, draft, wanted_events(ledger, head=head, keep=wanted_in(0)),
                              head=head, hot=4)
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


def test_each_half_turns_down_before_decoding_only_what_it_would_leave_out(ledger: AwardLedger) -> None:
    """`wanted_in` (a look at the stored JSON) never turns down an event `half_of` keeps once decoded, and
    turns down every organisation's event and submission of the other half: checked on every stored event of
    the demo district (organisations, bodies, certifications, claims of every kind, proposals)."""
    generate(ledger, organisations=30, bodies=5, seed=11)
    head = ledger.recorder.max_notification_id()
    notifications = ledger.recorder.select_notifications(1, head, topics=wanted_topics())
    for half in (0, 1):
        keep, left = wanted_in(half), [0]
        for n in notifications:
            event = ledger.mapper.to_domain_event(n)
            kept = list(half_of([event], half, left=left)) == [event]
            told = keep(n)
            assert told or not kept, (n.topic, n.id)
            if type(event).__qualname__.startswith(("Organisation.", "Claim.Submitted", "Claim.Proposed")):
                assert told == kept, (n.topic, n.id)
        assert 0 < left[0] < len(notifications)


def test_a_uscc_the_stored_json_does_not_tell_for_sure_is_left_to_the_decoded_event() -> None:
    """Nested "uscc" keys with another value, an escaped USCC, none at all: kept, for `half_of` to decide."""
    topic = "ledger.domain.claim:Claim.Submitted"
    other = next(u for u in (make_uscc(n) for n in range(1, 50)) if organisation_id(u).int % 2 == 1)
    plain = f'{{"uscc":"{other}","explanation":[{{"facts":{{"uscc":"{other}"}}}}]}}'
    mixed = f'{{"uscc":"{other}","explanation":[{{"facts":{{"uscc":"{make_uscc(99)}"}}}}]}}'
    escaped = '{"uscc":"9133\\u0030108MB0000001","x":1}'
    keep = wanted_in(0)

    def told(state: str) -> bool:
        return keep(Notification(id=1, originator_id=uuid4(), originator_version=1, topic=topic,
                                 state=state.encode()))

    assert told(plain) is False  # the other half's, for sure
    assert told(mixed) is True and told(escaped) is True and told('{"programme":"A5.voucher"}') is True
