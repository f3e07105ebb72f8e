"""The sandbox's fast read of the log (projections/replay_log.py) against the plain one through the mapper, on
both stores: the same domain events in the same order, hence the same answer to the last fen."""
from __future__ import annotations

import pytest

from ledger.application import AwardLedger
from ledger.catalogue.draft import read_draft
from ledger.demo import generate
from ledger.replay import stored_events, wanted
from ledger.sandbox import simulate_ledger
from projections.rebuild import decoder, pages
from projections.replay_log import simulate_log, wanted_events
from tests.sandbox.drafts import drop, edit, in_force

DRAFTS = {
    "in force": in_force,
    "rate up": lambda: edit("A5.voucher", r'rate = "0.30"', 'rate = "0.40"'),
    "cap down": lambda: edit("A5.voucher", r'limit = "500000.00"', 'limit = "250000.00"'),
    "programme dropped": lambda: drop("A5.computing"),
}


@pytest.fixture
def district(ledger: AwardLedger) -> AwardLedger:
    generate(ledger, organisations=30, bodies=5, seed=11)
    return ledger


def _events(stream) -> list[tuple[type, dict]]:
    return [(type(e), vars(e)) for e in stream if e is not None]


def test_each_stored_event_decodes_to_the_mappers_domain_event(district: AwardLedger) -> None:
    """Decoder.event's own reading (not its fall-back) gives exactly the mapper's event: class and every
    attribute, typed (Decimal, date, UUID), for every event of the demo district."""
    read, count = decoder(district), 0
    for page in pages(district, 0):
        for n in page:
            fast, plain = read._event(n), district.mapper.to_domain_event(n)
            assert type(fast) is type(plain) and vars(fast) == vars(plain), n.topic
            assert [type(v) for v in vars(fast).values()] == [type(v) for v in vars(plain).values()], n.topic
            count += 1
    assert count == district.recorder.max_notification_id()


def test_the_fast_read_gives_the_wanted_events_of_the_plain_read_in_order(district: AwardLedger) -> None:
    """Windows of 37 notification ids (many windows, some empty) give the very events the plain path keeps."""
    fast = _events(wanted_events(district, size=37))
    assert fast == _events(stored_events(district, topics=wanted))
    assert len({cls for cls, _ in fast}) >= 5


@pytest.mark.parametrize("name", DRAFTS)
def test_the_fast_path_answers_exactly_as_the_plain_mapper_path(district: AwardLedger, name: str) -> None:
    """The whole answer (totals, fund years, who gains and loses, one organisation's explained claims) is the
    same whether the log is read the fast way or through the mapper, for drafts that move nothing, a rate, a
    cap, or drop a programme."""
    draft = read_draft(DRAFTS[name]())
    uscc = next(e.uscc for e in stored_events(district, topics=wanted) if type(e).__name__ == "Submitted")
    plain = simulate_ledger(district, draft, uscc=uscc).as_json()
    fast = simulate_log(district, draft, uscc=uscc).as_json()
    assert fast == plain
    assert plain["claims"] > 50 and plain["organisation"]["claims"]
