"""Official lists recorded in batches on both stores: a refused row inside a batch blocks none of the others,
rows of one organisation in one batch each see the one before, an import cut short resumes without recording
a row twice, and the same file again records nothing."""
from __future__ import annotations

import hashlib
from datetime import date
from uuid import UUID

from ledger.domain.certification import Certification
from ledger.domain.certification_import import CertificationImport
from ledger.domain.organisation import Organisation
from tests.store.conftest import KJJ, World


def _row(code: str, body: str) -> dict:
    return {"uscc": code, "programme": "A3.erc", "tier": "municipal", "effective_on": date(2023, 3, 1),
            "document_ref": "杭发改高技〔2023〕15号", "body_id": body, "subject": None}


def _list(world: World) -> tuple[str, list[tuple[int, dict]], str]:
    """Lines 2-3 one organisation's two bodies, line 4 a body nobody registered, line 5 another organisation."""
    first, second = world.org(member=False), world.org(member=False)
    bodies = [world.body(lead=first, kind="erc", on=date(2022, 9, 6)) for _ in range(2)]
    rows = [(2, _row(first, bodies[0])), (3, _row(first, bodies[1])), (4, _row(first, "nobody")),
            (5, _row(second, world.body(lead=second, kind="erc", on=date(2022, 9, 6))))]
    return hashlib.sha256(repr(rows).encode()).hexdigest(), rows, first


def test_a_batch_records_its_good_rows_around_a_refused_one(world: World) -> None:
    """Batches of two: line 4's refusal leaves line 5 (same batch) recorded; lines 2 and 3 share an organisation."""
    sha, rows, first = _list(world)
    answer = world.ledger.import_certifications(KJJ, sha256=sha, total=4, rows=rows, refused=[], batch_rows=2).view
    assert [r["line"] for r in answer["certifications"]] == [2, 3, 5]
    assert [(r["line"], r["code"]) for r in answer["refused"]] == [(4, "not_found")]
    org = world.ledger._organisation(first)
    assert len(org.certifications) == 2 and len(answer["proposed_claims"]) == 3
    cert = world.ledger._get(Certification, _cert_id(answer, 5), "certification")
    assert (cert.source["line"], cert.source["sha256"], cert.source["rows"]) == (5, sha, 4)


def _cert_id(answer: dict, line: int) -> UUID:
    return UUID(next(r["certification_id"] for r in answer["certifications"] if r["line"] == line))


def test_an_import_cut_short_resumes_and_the_same_file_records_nothing(world: World) -> None:
    """The first batch recorded before a crash is replayed, not recorded again; then the file is known whole."""
    sha, rows, first = _list(world)
    iid = CertificationImport.create_id(sha)
    world.ledger._import_batch(KJJ, sha, iid, 4, rows[:2])  # what a request cut short had committed
    answer = world.ledger.import_certifications(KJJ, sha256=sha, total=4, rows=rows, refused=[], batch_rows=2).view
    assert [r["line"] for r in answer["certifications"]] == [2, 3, 5]
    assert len(world.ledger._get(Organisation, Organisation.create_id(first), "org").certifications) == 2
    before = world.events()
    again = world.ledger.import_certifications(KJJ, sha256=sha, total=4, rows=rows, refused=[], batch_rows=2)
    assert again.view["already_imported"] and again.replayed and world.events() == before


def _imported_at_once(world: World, database_url: str, key: str | None) -> list:
    """Twelve requests importing `_list` at once (a row per transaction), on two ledgers where the store allows
    two processes; their outcomes."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from ledger.application import AwardLedger
    from ledger.store import is_postgres, store_env

    sha, rows, _ = _list(world)
    other = AwardLedger(store_env(database_url)) if is_postgres(database_url) else world.ledger
    start = Barrier(12)

    def imported(n: int):
        start.wait()
        ledger = other if n % 2 else world.ledger
        return ledger.import_certifications(KJJ, sha256=sha, total=4, rows=rows, refused=[], batch_rows=1, key=key)

    try:
        with ThreadPoolExecutor(12) as pool:
            return list(pool.map(imported, range(12)))
    finally:
        if other is not world.ledger:
            other.close()


def test_one_key_sent_many_times_at_once_gets_the_first_import_every_time(world: World, database_url: str) -> None:
    """Twelve requests importing one list at once with one Idempotency-Key: one imports, every other waits and
    gets its answer, marked replayed. (A black-box probe on two workers got 201s recording nothing, unmarked, and
    200 already_imported.)"""
    outcomes = _imported_at_once(world, database_url, "list-1")
    assert sum(not o.replayed for o in outcomes) == 1, [o.replayed for o in outcomes]
    assert len({str(o.view) for o in outcomes}) == 1
    [first] = [o.view for o in outcomes if not o.replayed]
    assert [r["line"] for r in first["certifications"]] == [2, 3, 5] and not first["already_imported"]


def test_one_list_sent_many_times_at_once_without_a_key_is_imported_once(world: World, database_url: str) -> None:
    """Twelve requests importing one list at once with no Idempotency-Key: one imports, every other answers
    `already_imported` with its report. (A black-box probe on PostgreSQL had a second 201 saying "recorded 0",
    every row refused `conflict` as already held.)"""
    views = [o.view for o in _imported_at_once(world, database_url, None)]
    assert sum(not v["already_imported"] for v in views) == 1, [v["already_imported"] for v in views]
    assert {(v["id"], v["recorded"]) for v in views} == {(views[0]["id"], 3)}


def test_an_import_holds_its_key_and_its_list_on_one_session(fresh_postgres_url: str) -> None:
    """A review: the list's lock took a pooled connection of its own beside the key's, so an import with a key held
    two for its whole run (with LEDGER_DB_POOL=2 every such import waited out the pool and failed). Both are taken
    on one session, and a principal whose name and key spell the list's lock name take another lock."""
    import psycopg

    from ledger.application import AwardLedger
    from ledger.store import store_env

    ledger, another = AwardLedger(store_env(fresh_postgres_url)), AwardLedger(store_env(fresh_postgres_url))
    try:
        with ledger.key_locks.held("kjj-clerk", "k-1", also="list\x00kjj\x00abc"), psycopg.connect(
                fresh_postgres_url, autocommit=True) as look:
            held = look.execute("SELECT count(*), count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory'"
                                " AND granted").fetchone()
            assert held == (2, 1)
            # Whatever a principal is called and whatever key it sends, it takes another lock than the list's (another
            # process's, so its own threads' stripes are not the ones held here): this would wait for ever.
            for principal, key in (("", "list\x00kjj\x00abc"), ("own", "list\x00kjj\x00abc"), ("list", "kjj\x00abc")):
                with another.key_locks.held(principal, key):
                    pass
    finally:
        ledger.close()
        another.close()
