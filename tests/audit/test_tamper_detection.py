"""Tampering with stored events is detected and located by recomputing the chain, on both stores."""
from __future__ import annotations

import pytest

from ledger.audit.chain import CHAIN_TABLE, AuditChain
from ledger.audit.tampering import Tampered
from ledger.store import is_postgres
from tests.audit.conftest import Dba
from tests.store.conftest import World


def test_intact_store_verifies(chain: AuditChain, dba: Dba) -> None:
    """An untouched store verifies, every stored event checked, and its recomputed head is the stored one."""
    result = chain.verify()
    positions = dba.positions()
    assert result["ok"] is True
    assert result["events_checked"] == len(positions) > 20
    assert (result["first_bad_position"], result["reason"]) == (None, None)
    assert result["chain_head"]["position"] == positions[-1] == result["chain_position"]
    assert result["chain_head"]["digest"] == chain.digest()["digest"]


def test_flipped_byte_is_located(chain: AuditChain, dba: Dba) -> None:
    """Changing one byte of one stored event's state is detected at that event's notification id."""
    target = dba.positions()[12]
    dba.flip_byte(target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "changed")
    assert result["events_checked"] == 12
    assert f"position {target}" in result["reason"]


def test_changed_topic_is_located(chain: AuditChain, dba: Dba) -> None:
    """Every stored column is hashed: a changed topic is caught just like a changed state."""
    target = dba.positions()[5]
    dba.change_topic(target)
    assert chain.verify()["first_bad_position"] == target


def test_deleted_event_is_located(chain: AuditChain, dba: Dba) -> None:
    """Deleting an event from the middle is detected at its position, which the chain still records."""
    target = dba.positions()[7]
    dba.delete(target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "missing")


def test_deleted_last_event_is_located(chain: AuditChain, dba: Dba) -> None:
    """Deleting the newest event is detected too, although no later event is left to disagree."""
    target = dba.positions()[-1]
    dba.delete(target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "missing")


def test_swapped_states_detected_at_the_first(chain: AuditChain, dba: Dba) -> None:
    """Swapping two events' states (a reordering) is detected at the earlier of the two positions."""
    positions = dba.positions()
    first, second = positions[4], positions[15]
    assert dba.state(first) != dba.state(second)
    dba.swap_states(first, second)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, first)


def test_slipped_in_event_is_located(chain: AuditChain, dba: Dba) -> None:
    """An event inserted at a position the chain never recorded (here 0, before the first) is detected there."""
    dba.forge_copy(of=dba.positions()[3], at=0)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, 0, "unexpected")


def test_an_event_without_its_link_is_a_fault(chain: AuditChain, dba: Dba) -> None:
    """Links are written with their events, so an event whose link is gone is reported at its position."""
    target = dba.positions()[-1]
    dba.unlink(after=target - 1)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "unexpected")


def test_a_changed_link_is_located(chain: AuditChain, dba: Dba) -> None:
    """A byte changed in a stored link (not in the event) is found at that link's position."""
    target = dba.positions()[8]
    dba.change_link(target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "changed")


def test_progress_is_reported(chain: AuditChain, dba: Dba) -> None:
    """A progress callback hears the running count and position, ending at the last event."""
    heard: list[tuple[int, int]] = []
    chain.verify(progress=lambda checked, position: heard.append((checked, position)))
    assert heard[-1] == (len(dba.positions()), dba.positions()[-1])


SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL's typed columns refuse


DASHED = ("substr(originator_id, 1, 8) || '-' || substr(originator_id, 9, 4) || '-' || substr(originator_id, 13, 4)"
          " || '-' || substr(originator_id, 17, 4) || '-' || substr(originator_id, 21)")


@SQLITE_ONLY
@pytest.mark.parametrize("rewritten", ["upper(originator_id)", DASHED], ids=["upper-case", "dashed"])
def test_an_originator_id_rewritten_in_another_form_is_located(chain: AuditChain, dba: Dba, rewritten: str) -> None:
    """SQLite compares ids as text: an id rewritten by hand, upper-cased or in the dashed form, takes its event out
    of its record (a rejection vanished and the claim read pending), yet hashed as the same UUID the chain passed
    it (a probe; the regression probe found the dashed form still passing). PostgreSQL's uuid column holds one
    form."""
    target = dba.positions()[9]
    dba.run(f"UPDATE {{events}} SET originator_id = {rewritten} WHERE {{id}} = %s", target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, target), result


@SQLITE_ONLY
@pytest.mark.parametrize("edit", ["UPDATE {events} SET state = NULL WHERE {id} = %s",
                                  "UPDATE {events} SET state = CAST(state AS TEXT) WHERE {id} = %s",
                                  "UPDATE {events} SET topic = CAST(topic AS BLOB) WHERE {id} = %s"])
def test_a_column_rewritten_as_another_type_is_located_not_a_crash(chain: AuditChain, dba: Dba, edit: str) -> None:
    """A state set to NULL or to text, a topic stored as a BLOB (ordinary SQL on SQLite, whose columns take any
    type) made verify stop with a traceback and no position (a probe). It is now a changed event, at its
    position."""
    target = dba.positions()[6]
    dba.run(edit, target)
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, target), result


def test_no_event_is_recorded_unchained_after_the_last_one_was_deleted(chain: AuditChain, dba: Dba,
                                                                      world: World) -> None:
    """An audit probe: the last event deleted by hand (its link kept), SQLite gave the next command's event the
    freed position, answered it, and left it unchained under the deleted one's link, so `verify` called the new,
    genuine event "changed". The save is refused `tampering` now, recording nothing; PostgreSQL never gives a
    position twice, so there the event is recorded and chained after the gap, which `verify` reports as missing."""
    target = dba.positions()[-1]
    dba.delete(target)
    before = dba.positions()
    try:
        world.org()
    except Tampered as refused:
        assert f"position {target}" in refused.detail and "restore the events from a backup" in refused.detail
        assert f"位置 {target}" in refused.zh and dba.positions() == before
    else:
        assert is_postgres(dba.url), "SQLite recorded an event at a deleted event's position"
        assert dba.positions()[-1] > target and dba.chain_rows() == len(dba.positions()) + 1
    result = chain.verify()
    assert (result["ok"], result["first_bad_position"], result["failure"]) == (False, target, "missing")


@pytest.mark.parametrize("spoil", ["delete_last", "empty_chain", "edit_last"])
def test_no_digest_is_signed_for_a_head_the_events_do_not_bear_out(chain: AuditChain, dba: Dba, spoil: str,
                                                                   tmp_path) -> None:
    """An audit probe: with the chain table emptied, GET /v1/audit/digest signed an empty ledger (position 0) over
    eighty events; with the last event deleted, it signed a position whose event was gone. The notary refuses
    (`tampering`, naming where and what to do) rather than sign either; on an intact store it signs."""
    from ledger.audit.notary import Notary
    from ledger.audit.signing import Signer

    notary = Notary(chain, Signer.load_or_create(tmp_path / "key.pem")[0])
    assert notary.digest()["position"] == dba.positions()[-1]
    last = dba.positions()[-1]
    if spoil == "delete_last":
        dba.delete(last)
    elif spoil == "empty_chain":
        dba.execute(f"DELETE FROM {CHAIN_TABLE}")
    else:
        dba.flip_byte(last)
    with pytest.raises(Tampered) as refused:
        Notary(AuditChain(chain.url), Signer.load_or_create(tmp_path / "key.pem")[0]).digest()
    assert "no digest is signed" in refused.value.detail and "不签发摘要" in refused.value.zh
    if spoil != "empty_chain":
        assert "restore the events from a backup" in refused.value.detail
        return
    # The chain table emptied: its links deleted, or every event slipped in; not "restore the events from a backup
    # taken before position 1", an empty ledger (an audit probe). A signed digest tells which.
    assert "their links were deleted from the chain table (it holds none" in refused.value.detail
    assert "verify --digest" in refused.value.detail and "backup taken before" not in refused.value.detail
    assert "链表被清空" not in refused.value.zh and "它被清空了" in refused.value.zh
