"""Reads and commands of a record whose stored events no longer fold (one deleted from the middle of its history, or
its topic changed behind the ledger's back) answer 409 `tampering`, naming where the chain breaks and what to do, in
the reader's language, and log an ERROR. Each was a 500 with a traceback (a left-alone item of the last note)."""
from __future__ import annotations

import logging

import pytest
from eventsourcing.application import LRUCache

from tests.api.conftest import Api, World
from tests.audit.conftest import Dba

REVOKE = {"reason": "申报不实", "document_ref": "撤销〔2024〕9号"}


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_a_claim_whose_events_no_longer_fold_is_refused_as_tampered(change: str, api: Api, world: World,
                                                                     database_url: str, caplog) -> None:
    payout = world.paid(world.org())
    claim_id = payout["claim_id"]
    dba = Dba(database_url)
    position = dba.aggregate_positions(claim_id)[1]
    dba.delete(position) if change == "delete" else dba.change_topic(position)
    with caplog.at_level(logging.ERROR):
        for path in (f"/v1/claims/{claim_id}", f"/v1/payouts/{payout['id']}"):
            problem = api.refused("GET", path, None, "auditor", 409, "tampering")
            assert f"the chain breaks at position {position}" in problem["detail"], problem
            assert problem["position"] == position and "restore the events from a backup" in problem["detail"]
    assert any(f"position {position}" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    zh = api.refused("GET", f"/v1/claims/{claim_id}", None, "auditor", 409, "tampering",
                     headers={"Accept-Language": "zh-CN"})
    assert f"事件链在位置 {position} 断开" in zh["detail"] and "chain" not in zh["detail"]


def test_a_command_refused_on_a_tampered_record_is_decided_again_once_restored(api: Api, world: World,
                                                                               database_url: str) -> None:
    """A command on a record whose events no longer fold is refused `tampering` and writes nothing. The refusal
    rests on the store, not on the command: it is not kept for the Idempotency-Key, and once the store is restored
    the same key's command is decided (kept refusals replay for good)."""
    cert = world.certify(world.org())
    dba = Dba(database_url)
    [position] = dba.aggregate_positions(cert)
    dba.change_topic(position)
    before = dba.positions()
    upgrade = {"tier": "provincial", "effective_on": "2024-05-10", "document_ref": "浙科发〔2024〕5号"}
    first = api.call("POST", f"/v1/certifications/{cert}/upgrades", upgrade, as_="kjj", key="upgrade-once")
    assert (first.status_code, first.json()["code"], first.json()["position"]) == (409, "tampering", position)
    assert dba.positions() == before
    dba.restore_topic(position)
    again = api.call("POST", f"/v1/certifications/{cert}/upgrades", upgrade, as_="kjj", key="upgrade-once")
    assert again.status_code == 201, again.text
    assert again.json()["tier"] == "provincial"


def test_a_record_whose_first_event_was_deleted_is_refused_where_verify_says_the_chain_breaks(
        api: Api, world: World, database_url: str) -> None:
    """A certification recorded, then upgraded; its first event deleted. The refusal named the upgrade's position
    (the first event left), where `verify` names the deleted one: both now name the deleted one (a probe)."""
    cert = world.certify(world.org())
    api.ok("POST", f"/v1/certifications/{cert}/upgrades",
           {"tier": "provincial", "effective_on": "2024-05-10", "document_ref": "浙科发〔2024〕7号"}, as_="kjj")
    dba = Dba(database_url)
    first = dba.aggregate_positions(cert)[0]
    dba.delete(first)
    problem = api.refused("GET", f"/v1/certifications/{cert}", None, "auditor", 409, "tampering")
    assert problem["position"] == first, problem
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["first_bad_position"] == first


def test_a_store_fault_while_reading_is_not_taken_for_tampering() -> None:
    """eventsourcing's persistence errors are EventSourcingErrors, as a version that does not follow is: a
    connection dropped while a record is read must stay a store fault (503), not `tampering` answered 500 (a
    PostgreSQL restart under load, in `.ci/run`'s resilience run)."""
    from uuid import uuid4

    import psycopg
    import pytest
    from eventsourcing.domain import OriginatorVersionError
    from eventsourcing.persistence import OperationalError

    from ledger.application import unfolded_as_tampering
    from ledger.audit.tampering import Unfolded

    for fault in (OperationalError("terminating connection due to administrator command"),
                  psycopg.OperationalError("server closed the connection unexpectedly")):
        with pytest.raises(type(fault)), unfolded_as_tampering(uuid4()):
            raise fault
    with pytest.raises(Unfolded), unfolded_as_tampering(uuid4()):
        raise OriginatorVersionError(3, 2)


def test_money_is_not_moved_on_a_claim_whose_stored_approval_was_changed_in_place(api: Api, world: World,
                                                                                  database_url: str) -> None:
    """A voucher approved at 300,000.00, paid 100,000.00; its stored approval rewritten to 900,000.00 still folds.
    `verify` found it, yet a probe's payout of 900,000.00 on it was accepted (201): outstanding went negative.
    Every command on the claim (pay, revoke) and on its payout (reverse) is now refused `tampering`, naming the
    position, writes nothing, and is not kept for its key: once the store is restored the same key is decided.
    The payout is first decided on the copy this process saved (README): refused there (over what was approved),
    it is decided again on the store, and refused as tampered. After a restart (the copies gone) every command
    reads the store."""
    payout = world.paid(world.org())
    claim_id = payout["claim_id"]
    dba = Dba(database_url)
    position = dba.aggregate_positions(claim_id)[1]  # Submitted, Approved, PayoutRecorded
    state = dba.state(position)
    assert b'"300000.00"' in state
    dba._set_state(position, state.replace(b'"300000.00"', b'"900000.00"'))
    assert api.ok("GET", "/v1/audit/verify", as_="auditor")["first_bad_position"] == position
    before = dba.positions()
    more = {"claim_id": claim_id, "amount": "700000.00", "paid_on": "2023-07-04", "bank_ref": "ICBC-TAMPERED-1"}
    refused = api.call("POST", "/v1/payouts", more, as_="finance")
    assert (refused.status_code, refused.json()["code"]) == (409, "tampering"), refused.text
    api.client.app.state.ledger._saved = LRUCache(maxsize=50_000)  # a restart: no saved copies (its clear() keeps
    # the entries: eventsourcing 9.5's LRUCache.clear resets the queue, not the dict)
    for method, path, body, who in (("POST", "/v1/payouts", more, "finance"),
                                    ("POST", f"/v1/claims/{claim_id}/revoke", REVOKE, "kjj"),
                                    ("POST", f"/v1/payouts/{payout['id']}/reverse", {"reason": "退票"}, "finance")):
        refused = api.call(method, path, body, as_=who, key=f"once-{path}")
        assert (refused.status_code, refused.json()["code"]) == (409, "tampering"), (path, refused.text)
        assert refused.json()["position"] == position and f"position {position}" in refused.json()["detail"]
    zh = api.call("POST", "/v1/payouts", more, as_="finance", headers={"Accept-Language": "zh-CN"})
    assert f"事件链在位置 {position} 断开" in zh.json()["detail"], zh.text
    assert dba.positions() == before
    dba._set_state(position, state)  # restored from a backup
    small = {**more, "amount": "1000.00"}
    paid = api.call("POST", "/v1/payouts", small, as_="finance", key="once-/v1/payouts")
    assert (paid.status_code, paid.json()["amount"]) == (201, "1000.00"), paid.text


def test_a_claim_whose_event_type_was_changed_to_one_that_folds_is_not_shown(api: Api, world: World,
                                                                              database_url: str) -> None:
    """A rejection's topic rewritten as a withdrawal still folds: the claim read `withdrawn` (200) while the work
    queue said `rejected` (the regression probe). Opened as a reader opens it, the claim is now checked against the
    chain too: 409 `tampering`, naming the position, on the API and on its page."""
    claim = world.claim(world.org())
    api.ok("POST", f"/v1/claims/{claim['id']}/reject", {"reason": "材料不全"}, as_="kjj", status=200)
    dba = Dba(database_url)
    position = dba.aggregate_positions(claim["id"])[-1]
    dba.run("UPDATE {events} SET topic = replace(topic, 'Claim.Rejected', 'Claim.Withdrawn') WHERE {id} = %s",
            position)
    api.client.app.state.ledger._saved = LRUCache(maxsize=50_000)  # as after a restart
    problem = api.refused("GET", f"/v1/claims/{claim['id']}", None, "auditor", 409, "tampering")
    assert problem["position"] == position, problem


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's bytea column takes no text
@pytest.mark.parametrize("rewritten", ["CAST(state AS TEXT)", "NULL"])
def test_a_state_rewritten_as_another_type_is_refused_as_tampered_not_a_500(api: Api, world: World,
                                                                           database_url: str, rewritten: str) -> None:
    """`verify` found a state rewritten as text (what replace() in the sqlite3 shell writes) or NULL, but reading
    the claim, its receipt or deciding on it answered 500 (the regression probe): the check that names the position
    read the state as bytes. Each is now 409 `tampering` naming the position."""
    claim = world.claim(world.org())
    dba = Dba(database_url)
    position = dba.aggregate_positions(claim["id"])[0]
    dba.run(f"UPDATE {{events}} SET state = {rewritten} WHERE {{id}} = %s", position)
    api.client.app.state.ledger._saved = LRUCache(maxsize=50_000)  # as after a restart
    for method, path, who in (("GET", f"/v1/claims/{claim['id']}", "auditor"),
                              ("GET", f"/v1/claims/{claim['id']}/receipt", "auditor"),
                              ("POST", f"/v1/claims/{claim['id']}/approve", "kjj")):
        problem = api.refused(method, path, {} if method == "POST" else None, who, 409, "tampering")
        assert problem["position"] == position, (path, problem)


def test_a_revocation_is_refused_when_a_payout_of_the_claim_was_changed_in_place(api: Api, world: World,
                                                                                  database_url: str) -> None:
    """A revocation turns what the claim's payouts paid into a recovery; an audit probe changed a payout's stored
    event in place and the revocation was accepted (only the claim's own events were checked). The claim's payouts
    are now checked too: refused `tampering` naming the payout's position, nothing written; restored, accepted."""
    payout = world.paid(world.org())
    dba = Dba(database_url)
    [position] = dba.aggregate_positions(payout["id"])
    state = dba.state(position)
    dba._set_state(position, state.replace(b'"100000.00"', b'"100.00"'))
    api.client.app.state.ledger._saved = LRUCache(maxsize=50_000)  # a restart: every record read from the store
    before = dba.positions()
    refused = api.call("POST", f"/v1/claims/{payout['claim_id']}/revoke", REVOKE, as_="kjj")
    assert (refused.status_code, refused.json()["code"], refused.json()["position"]) == (409, "tampering", position)
    assert f"payout {payout['id']}" in refused.json()["detail"] and dba.positions() == before
    dba._set_state(position, state)
    revoked = api.ok("POST", f"/v1/claims/{payout['claim_id']}/revoke", REVOKE, as_="kjj", status=200)
    assert revoked["to_recover"] == "100000.00"


def test_a_record_refused_as_changed_points_at_verify_for_the_backup_to_restore(api: Api, world: World,
                                                                                 database_url: str) -> None:
    """An audit probe swapped two events: `verify` named the first (46), the claim's page its own (50) and told the
    reader to restore a backup taken before 50, which holds the break at 46. A record's own check sees that record
    alone: it names where its events break and sends the reader to `verify` for the backup to choose."""
    payout = world.paid(world.org())
    claim_id = payout["claim_id"]
    dba = Dba(database_url)
    later = dba.aggregate_positions(claim_id)[-1]
    earlier = min(p for p in dba.positions() if p < later and p not in dba.aggregate_positions(claim_id))
    dba.flip_byte(earlier)
    dba.flip_byte(later)
    verified = api.ok("GET", "/v1/audit/verify", as_="auditor")
    assert verified["first_bad_position"] == earlier < later
    problem = api.refused("GET", f"/v1/claims/{claim_id}", None, "auditor", 409, "tampering")
    assert problem["position"] == later and "award-ledger verify" in problem["detail"], problem
    assert f"a backup taken before position {later}" not in problem["detail"], problem
    zh = api.refused("GET", f"/v1/claims/{claim_id}", None, "auditor", 409, "tampering",
                     headers={"Accept-Language": "zh"})
    assert "整条事件链最早断开的位置" in zh["detail"], zh
