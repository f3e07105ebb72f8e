"""Idempotency keys survive restarts; aggregates can be read as the ledger knew them at a past moment."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from ledger.application import AwardLedger
from ledger.domain import errors
from ledger.store import store_env
from tests.store.conftest import ADMIN, FINANCE, KJJ, World
from tests.support import unique_id


def test_same_key_same_command_returns_the_first_answer(world: World) -> None:
    """A retried command with the same key changes nothing and answers as the first time did."""
    org = world.org()
    first = world.ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                      effective_on=date(2023, 6, 1), basis_amount="1000000", key="retry-1")
    before = world.events()
    again = world.ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                      effective_on=date(2023, 6, 1), basis_amount="1000000", key="retry-1")
    assert again.replayed and again.view == first.view
    assert world.events() == before


def test_same_key_other_command_is_a_conflict(world: World) -> None:
    """A key reused for a different command is refused and writes nothing."""
    org = world.org()
    world.ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023, effective_on=date(2023, 6, 1),
                              basis_amount="1000000", key="k-2")
    before = world.events()
    with pytest.raises(errors.Conflict):
        world.ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023,
                                  effective_on=date(2023, 6, 1), basis_amount="999", key="k-2")
    assert world.events() == before


def test_keys_survive_a_restart(database_url: str) -> None:
    """A new process on the same store still answers a retried key from the store, not from memory."""
    first = AwardLedger(store_env(database_url))
    w = World(first)
    w.appropriate(2024)
    answer = first.record_appropriation(FINANCE, year=2024, amount="5", document_ref="SUPP-1", key="fin-7").view
    first.close()
    second = AwardLedger(store_env(database_url))
    try:
        before = second.recorder.max_notification_id()
        again = second.record_appropriation(FINANCE, year=2024, amount="5", document_ref="SUPP-1", key="fin-7")
        assert again.replayed and again.view == answer
        assert second.recorder.max_notification_id() == before
        assert second.fund_year(2024)["appropriated"] == "300000005.00"
    finally:
        second.close()


def test_aggregate_as_of_a_past_moment(world: World) -> None:
    """A claim read as of a moment between its approval and payout shows approved but unpaid."""
    org = world.org()
    claim = world.approved(org, "A3.erc", certification_id=world.recognise(org, "A3.erc", "municipal"))
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    world.ledger.record_payout(FINANCE, claim_id=claim["id"], amount="200000", paid_on=date(2023, 7, 1),
                               bank_ref="BK-9")
    from uuid import UUID
    then = world.ledger.aggregate_as_of(UUID(claim["id"]), between)
    assert then.status == "approved" and then.paid_amount == 0
    assert world.ledger.claim(claim["id"])["paid_amount"] == "200000.00"
    assert world.ledger.aggregate_as_of(UUID(claim["id"]), datetime(2000, 1, 1, tzinfo=UTC)) is None


def test_the_key_names_every_event_its_command_wrote(world: World) -> None:
    """The idempotency record saved with a command lists exactly the events that command recorded."""
    org = world.org()
    before = world.events()
    world.ledger.submit_claim(KJJ, uscc=org, programme="A5.voucher", award_year=2023, effective_on=date(2023, 6, 1),
                              basis_amount="1000000", key="audit-me")
    written = list(world.ledger.recorder.select_notifications(start=before + 1, limit=100))
    from ledger.domain.idempotency import IdempotencyRecord
    record = world.ledger.repository.get(IdempotencyRecord.create_id(KJJ.name, "audit-me"))
    assert sorted(record.covers) == sorted(f"{n.originator_id}@{n.originator_version}" for n in written
                                           if n.originator_id != record.id)
    assert len(record.covers) == len(written) - 1 >= 2  # the claim and its cap account


def test_one_key_sent_many_times_at_once_gets_the_first_answer_every_time(world: World) -> None:
    """Twenty identical commands with one key, at once: one writes, every other gets its answer, replayed."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from tests.support import unique_uscc

    code, start = unique_uscc(), Barrier(20)

    def register(_: int):
        start.wait()
        return world.ledger.register_organisation(ADMIN, uscc=code, name="杭州并发幂等测试有限公司",
                                                  in_district=True, key="same-key")

    before = world.events()
    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(register, range(20)))
    assert len({str(o.view) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert world.events() > before and world.ledger.organisation(code)["uscc"] == code


def test_a_refusal_is_the_first_answer_to_its_key_even_after_a_restart(database_url: str) -> None:
    """A key whose command was refused gets that refusal again, from the store, after the state changed and the
    process restarted; the refusal wrote no event; a refusal that says "try again" is not kept."""
    first = AwardLedger(store_env(database_url))
    w = World(first)
    w.appropriate(2023)
    org = w.org()
    claim = w.approved(org, "A3.erc", certification_id=w.recognise(org, "A3.erc", "municipal"))
    paid = first.record_payout(FINANCE, claim_id=claim["id"], amount="200000", paid_on=date(2023, 7, 1),
                               bank_ref="BK-FULL").view
    events = first.recorder.max_notification_id()
    with pytest.raises(errors.OverApproved):
        first.record_payout(FINANCE, claim_id=claim["id"], amount="1", paid_on=date(2023, 7, 2), bank_ref="BK-MORE",
                            key="pay-more")
    assert first.recorder.max_notification_id() == events
    first.reverse_payout(FINANCE, payout_id=paid["id"], reason="银行退回")
    first.close()
    second = AwardLedger(store_env(database_url))
    try:
        with pytest.raises(errors.LedgerError) as again:
            second.record_payout(FINANCE, claim_id=claim["id"], amount="1", paid_on=date(2023, 7, 2),
                                 bank_ref="BK-MORE", key="pay-more")
        assert (again.value.code, again.value.kind, getattr(again.value, "replayed", False)) == (
            "over_approved", "conflict", True)
        assert again.value.zh and again.value.detail
        assert second.claim(claim["id"])["paid_amount"] == "0.00"
        with pytest.raises(errors.Conflict):
            second.record_payout(FINANCE, claim_id=claim["id"], amount="2", paid_on=date(2023, 7, 2),
                                 bank_ref="BK-MORE", key="pay-more")
    finally:
        second.close()


def _looks_stale(ledger: AwardLedger, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
    """The ledger's first `times` look-ups of a key find nothing, as a request's do when another request with the
    same key is answered between its look-up and its save: the window two requests at once open, made certain."""
    real, stale = ledger._replay, iter(range(times))
    monkeypatch.setattr(ledger, "_replay", lambda *args: None if next(stale, None) is not None else real(*args))


def _paid_in_full(w: World, first: AwardLedger) -> tuple[dict, dict]:
    w.appropriate(2023)
    org = w.org()
    claim = w.approved(org, "A3.erc", certification_id=w.recognise(org, "A3.erc", "municipal"))
    paid = first.record_payout(FINANCE, claim_id=claim["id"], amount="200000", paid_on=date(2023, 7, 1),
                               bank_ref=f"BK-FULL-{claim['id'][:8]}").view
    return claim, paid


def test_a_key_refused_first_never_writes_though_a_request_with_it_looked_before_the_refusal_was_kept(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two requests with one key: the first is refused (over_approved) and its refusal kept; the second looked the
    key up before that, and by its turn a reversal has made room. Its save finds the kept refusal and the key
    answers the refusal, replayed: nothing paid (a probe paid 100,000 under a key already answered 409)."""
    first, second = AwardLedger(store_env(database_url)), AwardLedger(store_env(database_url))
    try:
        claim, paid = _paid_in_full(World(first), first)
        pay_more = {"claim_id": claim["id"], "amount": "100000", "paid_on": date(2023, 7, 2), "bank_ref": "BK-MORE",
                    "key": "pay-more"}
        with pytest.raises(errors.OverApproved):
            first.record_payout(FINANCE, **pay_more)
        first.reverse_payout(FINANCE, payout_id=paid["id"], reason="银行退回")
        events = first.recorder.max_notification_id()
        _looks_stale(second, monkeypatch, 1)
        with pytest.raises(errors.LedgerError) as again:
            second.record_payout(FINANCE, **pay_more)
        assert (again.value.code, getattr(again.value, "replayed", False)) == ("over_approved", True)
        assert second.recorder.max_notification_id() == events
        assert second.claim(claim["id"])["paid_amount"] == "0.00"
    finally:
        first.close()
        second.close()


def test_a_key_answered_first_by_a_payout_is_not_refused_by_a_request_that_looked_before_it_was_saved(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other order: the key's first request pays; the second looked the key up (twice) before that was saved,
    and its decision, on the state after it, is a refusal. The refusal is not kept and the second request gets
    the payout, replayed: the key has one answer."""
    first, second = AwardLedger(store_env(database_url)), AwardLedger(store_env(database_url))
    try:
        claim, paid = _paid_in_full(World(first), first)
        first.reverse_payout(FINANCE, payout_id=paid["id"], reason="银行退回")
        pay = {"claim_id": claim["id"], "amount": "200000", "paid_on": date(2023, 7, 2), "bank_ref": "BK-AGAIN",
               "key": "pay-again"}
        answered = first.record_payout(FINANCE, **pay)
        _looks_stale(second, monkeypatch, 2)
        replayed = second.record_payout(FINANCE, **pay)
        assert (replayed.view, replayed.replayed) == (answered.view, True)
        assert second.recorder.refusal(FINANCE.name, "pay-again") is None
        assert second.claim(claim["id"])["paid_amount"] == "200000.00"
    finally:
        first.close()
        second.close()


def test_one_bulk_confirmation_sent_many_times_at_once_is_replayed_to_all_but_one(world: World) -> None:
    """Eight bulk confirmations of one list under one key, at once: the proposals are confirmed once, every
    answer is the same, and all but the first say they are replays (all eight could answer unmarked: a regression
    probe, when two claimed the key at once and the later took its own claim for a first answer)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    ids = []
    for _ in range(3):
        code = world.org(member=False)
        cert = world.ledger.record_certification(KJJ, uscc=code, programme="A3.erc", tier="municipal",
                                                 effective_on=date(2023, 3, 1), document_ref=unique_id("DOC-"),
                                                 body_id=world.body(lead=code, kind="erc", on=date(2022, 9, 6)))
        ids += cert.view["proposed_claims"]
    assert len(ids) == 3
    start, key = Barrier(8), unique_id("bulk-")

    def confirm(_: int):
        start.wait()
        return world.ledger.confirm_claims(KJJ, ids=ids, key=key)

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(confirm, range(8)))
    assert {len(o.view["confirmed"]) for o in outcomes} == {3} and len({str(o.view) for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert {world.ledger.claim(i)["status"] for i in ids} == {"pending"}
