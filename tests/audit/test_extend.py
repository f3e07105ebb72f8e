"""The chain is kept as events are recorded: incremental, idempotent and safe to extend concurrently."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from projections.audit_chain import AuditChain
from tests.audit.conftest import Dba, record_history
from tests.store.conftest import World


def test_extend_hashes_only_new_events_and_is_idempotent(database_url: str, world: World, dba: Dba) -> None:
    """A first extend chains every event, a later one only those recorded since, and a repeat nothing."""
    audit = AuditChain.open(database_url)
    first = len(dba.positions())
    assert (audit.extend(), audit.appended) == (dba.positions()[-1], first)
    record_history(world, organisations=1)
    added = len(dba.positions()) - first
    assert (audit.extend(), audit.appended) == (dba.positions()[-1], added)
    before = audit.digest(catch_up=False)
    assert (audit.extend(), audit.appended) == (dba.positions()[-1], 0)
    assert audit.digest(catch_up=False)["digest"] == before["digest"]
    assert dba.chain_rows() == first + added
    assert audit.verify()["ok"] is True


def test_concurrent_extenders_append_each_link_once(database_url: str, world: World, dba: Dba) -> None:
    """Four extenders started together, each with its own connections, chain every event exactly once."""
    start = Barrier(4)

    def extend() -> int:
        audit = AuditChain.open(database_url)
        start.wait()
        audit.extend()
        return audit.appended

    with ThreadPoolExecutor(4) as pool:
        appended = list(pool.map(lambda _: extend(), range(4)))
    assert sum(appended) == len(dba.positions()) == dba.chain_rows()
    assert AuditChain(database_url).verify()["ok"] is True


def test_extending_while_commands_are_recorded(database_url: str, world: World, dba: Dba) -> None:
    """Extending in between commands, as a projector does after each batch, leaves a chain that verifies."""
    audit = AuditChain.open(database_url)
    for _ in range(3):
        record_history(world, organisations=1)
        audit.extend()
    assert dba.chain_rows() == len(dba.positions())
    assert audit.verify(audit.digest())["ok"] is True
