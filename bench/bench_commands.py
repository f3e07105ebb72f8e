"""Command throughput in process: claims submitted and approved through AwardLedger on PostgreSQL, against
raw psycopg INSERT transactions writing the same number of rows in the same number of transactions into a
copy of the events table. Target: at least 0.35 of raw."""
from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from uuid import uuid4

import psycopg

from bench.common import fresh_database, load_world, make_uscc, now, orgs_at, peak_rss_mb, principals, report, row

ROUNDS = 10
EVENTS_PER_PAIR = 6  # a submit (claim, cap account) and an approval (claim, cap account, fund year, ...)


def main(fraction: float) -> None:
    claims = max(200, orgs_at(fraction) // 5)
    with fresh_database("commands") as url:
        ledger, before = load_world(url, claims + 1)
        _, kjj, _ = principals()
        state = bytes(ledger.recorder.select_notifications(start=1, limit=1)[0].state)
        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE raw_events (LIKE awardledger_events INCLUDING DEFAULTS INCLUDING INDEXES)")
            # Its own sequence (the copied default draws on the ledger's), so the ledger's ids stay dense.
            conn.execute("CREATE SEQUENCE raw_events_seq")
            conn.execute("ALTER TABLE raw_events ALTER COLUMN notification_id SET DEFAULT nextval('raw_events_seq')")
            conn.commit()
            # In turns, in ABBA order: a round of commands, the raw transactions writing as many rows, then
            # the raw ones first and the commands after. A burst of someone else's load on the shared machine,
            # and the background work one side leaves behind (WAL flushes, autovacuum), land on both alike.
            took = raw_took = 0.0
            serials = list(range(2, claims + 2))
            for i, chunk in enumerate(serials[i::ROUNDS] for i in range(ROUNDS)):
                ours_first = i % 2 == 0
                if not ours_first:
                    raw_took += raw_inserts(conn, transactions=2 * len(chunk), rows=EVENTS_PER_PAIR * len(chunk),
                                            state=state)
                mark, started = ledger.recorder.max_notification_id(), now()
                for serial in chunk:
                    claim = ledger.submit_claim(kjj, uscc=make_uscc(serial), programme="A5.voucher",
                                                award_year=2025, effective_on=date(2025, 6, 1),
                                                basis_amount=Decimal("1000000.00"))
                    ledger.approve_claim(kjj, claim_id=claim.view["id"])
                took += now() - started
                written = ledger.recorder.max_notification_id() - mark
                assert written == EVENTS_PER_PAIR * len(chunk), written
                if ours_first:
                    raw_took += raw_inserts(conn, transactions=2 * len(chunk), rows=written, state=state)
        events = ledger.recorder.max_notification_id() - before
        ledger.close()
    ours, base = 2 * claims / took, 2 * claims / raw_took
    ratio = ours / base
    report(f"commands in process ({claims:,} claims submitted and approved, {events:,} events,"
           f" in {ROUNDS} rounds taken in turn with the raw transactions)", [
        row("commands/s", ours, "cmd/s", baseline=base, base_unit="tx/s (raw INSERT)", target="≥ 0.35 of raw",
            met=ratio >= 0.35),
        row("events/s", events / took, "ev/s"),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


def raw_inserts(conn: psycopg.Connection, *, transactions: int, rows: int, state: bytes) -> float:
    """Seconds for `transactions` INSERT transactions writing `rows` rows into a copy of the events table."""
    per = [rows // transactions + (1 if i < rows % transactions else 0) for i in range(transactions)]
    started = now()
    for count in per:
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany("INSERT INTO raw_events (originator_id, originator_version, topic, state)"
                            " VALUES (%s, %s, %s, %s)",
                            [(uuid4(), 1, "ledger.domain.claim:Claim.Submitted", state) for _ in range(count)])
    return now() - started


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
