"""Bulk import of historical events through the ledger (its recorder, in batches of 200 organisations'
events a transaction), against COPY of the same rows into a copy of the events table."""
from __future__ import annotations

import sys

import psycopg

from bench.common import Cloner, fresh_database, make_uscc, now, open_ledger, orgs_at, peak_rss_mb, report, row


def main(fraction: float) -> None:
    orgs = orgs_at(fraction)
    with fresh_database("import") as url:
        from bench.common import appropriate, template_org

        ledger = open_ledger(url)
        appropriate(ledger)
        template_org(ledger, make_uscc(1))
        cloner = Cloner(ledger, make_uscc(1))
        started = now()
        events = cloner.write(range(2, orgs + 1))
        took = now() - started
        ledger.close()
        rss = peak_rss_mb()  # before the baseline reads every row into memory
        copy_took = copy_rows(url)
    ours, base = events / took, events / copy_took
    report(f"bulk import through the ledger ({orgs:,} organisations, {events:,} events)", [
        row("events/s", ours, "ev/s", baseline=base, base_unit="ev/s (COPY)", target="(reported)"),
        row("peak RSS (bench process, import)", rss, "MB"),
    ])


def copy_rows(url: str) -> float:
    """Seconds to COPY every stored event (as stored) into a copy of the events table."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT originator_id, originator_version, topic, state FROM awardledger_events"
                            " ORDER BY notification_id").fetchall()
        conn.execute("CREATE TABLE copied (LIKE awardledger_events INCLUDING DEFAULTS INCLUDING INDEXES)")
        conn.commit()
        started = now()
        with conn.cursor() as cur, cur.copy("COPY copied (originator_id, originator_version, topic, state)"
                                            " FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        conn.commit()
        return now() - started


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
