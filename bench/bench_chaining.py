"""What chaining at save costs a command, and how fast `verify` recomputes the chain, on PostgreSQL.

Claims are submitted and approved through AwardLedger in rounds taken in turn (ABBA): one round with the
save function as it is (it links its events under the log's lock, `ledger.audit.linking`), one with the
same function less its call to `ledger_link_events` (the save as it was before issue 18). Between rounds
the unchained events are chained outside the timing, so every chained round starts from a chain at the
head, as in service. The machine is shared: the ratio holds better than the absolute figures.
"""
from __future__ import annotations

import re
import sys
from datetime import date
from decimal import Decimal

import psycopg

from bench.common import fresh_database, load_world, make_uscc, now, orgs_at, peak_rss_mb, principals, report, row
from ledger.audit.chain import AuditChain
from ledger.audit.tables import SINCE_TABLE

ROUNDS = 10


def main(fraction: float) -> None:
    claims = max(200, orgs_at(fraction) // 5)
    with fresh_database("chaining") as url:
        ledger, _ = load_world(url, claims + 1)
        _, kjj, _ = principals()
        with psycopg.connect(url, autocommit=True) as conn:
            chained_body = ledger.recorder.sql_create_pg_function_insert_events.as_string(conn)
            unchained_body = re.sub(r"PERFORM [^;]*ledger_link_events[^;]*;", "", chained_body)
            assert unchained_body != chained_body
            took = {True: 0.0, False: 0.0}
            serials = list(range(2, claims + 2))
            for i, chunk in enumerate(serials[i::ROUNDS] for i in range(ROUNDS)):
                for chained in ((True, False) if i % 2 == 0 else (False, True)):
                    half = chunk[: len(chunk) // 2] if chained else chunk[len(chunk) // 2:]
                    if not chained:
                        conn.execute(unchained_body)
                    started = now()
                    for serial in half:
                        claim = ledger.submit_claim(kjj, uscc=make_uscc(serial), programme="A5.voucher",
                                                    award_year=2025, effective_on=date(2025, 6, 1),
                                                    basis_amount=Decimal("1000000.00"))
                        ledger.approve_claim(kjj, claim_id=claim.view["id"])
                    took[chained] += now() - started
                    if not chained:
                        conn.execute(chained_body)
                        catch_up(conn, url)
        commands = {True: 0, False: 0}
        for chunk in (serials[i::ROUNDS] for i in range(ROUNDS)):
            commands[True] += 2 * len(chunk[: len(chunk) // 2])
            commands[False] += 2 * len(chunk[len(chunk) // 2:])
        started = now()
        verified = AuditChain(url).verify()
        verify_s = now() - started
        assert verified["ok"], verified
        ledger.close()
    ours, base = commands[True] / took[True], commands[False] / took[False]
    cost_ms = 1000 * (took[True] / commands[True] - took[False] / commands[False])
    report(f"chaining at save ({sum(commands.values()):,} commands, submit and approve, in {ROUNDS} rounds taken"
           " in turn with and without the links)", [
        row("commands/s, chained at save", ours, "cmd/s", baseline=base, base_unit="cmd/s (unchained save)",
            target="(reported)"),
        row("cost of chaining per command", cost_ms, "ms"),
        row("verify, events/s", verified["events_checked"] / verify_s, "ev/s"),
        row("verify, events checked", verified["events_checked"], "events"),
        row("peak RSS (bench process)", peak_rss_mb(), "MB"),
    ])


def catch_up(conn: psycopg.Connection, url: str) -> None:
    """Chain the unchained round's events outside the timing: move the upgrade point past them, catch up."""
    head = conn.execute("SELECT MAX(notification_id) FROM awardledger_events").fetchone()[0]
    with conn.transaction():  # the upgrade point is append-only (ledger.audit.append_only): moved as its owner
        conn.execute(f"ALTER TABLE {SINCE_TABLE} DISABLE TRIGGER USER")
        conn.execute(f"DELETE FROM {SINCE_TABLE}")
        conn.execute(f"INSERT INTO {SINCE_TABLE} (position) VALUES (%s)", (head,))
        conn.execute(f"ALTER TABLE {SINCE_TABLE} ENABLE TRIGGER USER")
    AuditChain(url).extend()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
