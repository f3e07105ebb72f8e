"""A command's copy of a cached record is never torn by another thread bringing that record up to date.

The races probe saw `POST /v1/claims` answer 500 once in about a thousand (two servers on one PostgreSQL store,
16 threads): `RuntimeError: dictionary changed size during iteration`, copying a cached cap account while another
request fast-forwarded it with the other server's events. eventsourcing fast-forwards a cached aggregate under a
lock of its own but copies it for the caller after letting the lock go, so a copy could also come out whole but
torn (the version of an event whose change it lacks) and be decided on. The ledger now copies under that lock.
"""
from __future__ import annotations

import threading
from decimal import Decimal

from ledger.domain.award_account import AwardAccount
from tests.store.conftest import instances

READERS = 4
WRITES = 150
ENTRIES = 1500  # a large record, so a copy takes long enough for another thread to move it on meanwhile


def test_a_cached_record_is_copied_whole_while_other_threads_fast_forward_it(database_url: str) -> None:
    with instances(database_url, 2) as (writer, reader):
        key = "cap:test:copies"
        account = AwardAccount(key=key)
        for n in range(ENTRIES):
            account.reserve(f"c{n}", "A5.voucher", Decimal("1.00"), Decimal("1.00"), None, "test")
        writer.save(account)
        assert reader._account(key).version == ENTRIES + 1  # now in the reader's cache
        torn: list[str] = []
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    copy = reader._account(key)
                except RuntimeError as err:  # a dict changed under the copy
                    torn.append(f"{type(err).__name__}: {err}")
                    continue
                if len(copy.entries) != copy.version - 1:  # Opened, then one entry a reservation
                    torn.append(f"version {copy.version} with {len(copy.entries)} entries")

        threads = [threading.Thread(target=read) for _ in range(READERS)]
        for thread in threads:
            thread.start()
        try:
            for n in range(WRITES):
                account = writer._account(key)
                account.reserve(f"w{n}", "A5.voucher", Decimal("1.00"), Decimal("1.00"), None, "test")
                writer.save(account)
        finally:
            done.set()
            for thread in threads:
                thread.join()
        assert torn == [], torn[:5]
        assert len(reader._account(key).entries) == ENTRIES + WRITES
