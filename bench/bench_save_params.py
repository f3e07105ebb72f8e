"""How a save's events travel to PostgreSQL: one array of a composite type (eventsourcing's function, which the
ledger's save used until issue 17's seventh pass) against four binary arrays, one per column
(`ledger/pg_recorder.py` now). Both call a PL/pgSQL function of the same body on a scratch table, with the
same batches of real events (a claim saves four or five), taken in turn (ABBA, 8 rounds): the client's CPU
and the server backend's CPU a save, and the wall time."""
from __future__ import annotations

import sys
import time

from bench.common import fresh_database, load_world, report, row
from bench.cpu import process_seconds

ROUNDS = 8
BATCH = 5  # events a save: a claim, its cap accounts and its organisation
SAVES = 400  # a round


def main(fraction: float) -> None:
    import psycopg
    from psycopg.types.composite import CompositeInfo, register_composite

    with fresh_database("saveparams") as url:
        ledger, _ = load_world(url, 30)
        events = [(n.originator_id, n.originator_version, n.topic, n.state)
                  for n in ledger.recorder.select_notifications(start=1, limit=400)]
        ledger.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE scratch (id bigserial PRIMARY KEY, originator_id uuid NOT NULL,"
                         " originator_version bigint NOT NULL, topic text NOT NULL, state bytea NOT NULL)")
            conn.execute("CREATE TYPE scratch_event AS (originator_id uuid, originator_version bigint, topic text,"
                         " state bytea)")
            body = ("RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY INSERT INTO scratch"
                    " (originator_id, originator_version, topic, state) SELECT * FROM {} RETURNING id; END $$")
            conn.execute("CREATE FUNCTION save_composite(events scratch_event[]) " + body.format("unnest(events)"))
            conn.execute("CREATE FUNCTION save_arrays(ids uuid[], versions bigint[], topics text[], states bytea[]) "
                         + body.format("unnest(ids, versions, topics, states)"))
            info = CompositeInfo.fetch(conn, "scratch_event")
            register_composite(info, conn)
            make = info.python_type

            def composite(batch: list) -> None:
                conn.execute("SELECT * FROM save_composite(%s)", ([make(*e) for e in batch],),
                             prepare=True).fetchall()

            def arrays(batch: list) -> None:
                conn.execute("SELECT * FROM save_arrays(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[])",
                             tuple([e[i] for e in batch] for i in range(4)), prepare=True).fetchall()

            sides = {"composite": composite, "arrays": arrays}
            batches = [events[i:i + BATCH] for i in range(0, len(events) - BATCH, BATCH)]
            spent = {s: [0.0, 0.0, 0.0] for s in sides}  # client CPU, server CPU, wall
            pid = conn.info.backend_pid
            for side in sides.values():  # prepared and warm before the rounds
                for batch in batches[:20]:
                    side(batch)
            for i in range(ROUNDS):
                for name in (("composite", "arrays") if i % 2 == 0 else ("arrays", "composite")):
                    save = sides[name]
                    client, server, wall = time.process_time(), process_seconds(pid), time.perf_counter()
                    for n in range(SAVES):
                        save(batches[n % len(batches)])
                    took = spent[name]
                    took[0] += time.process_time() - client
                    took[1] += process_seconds(pid) - server
                    took[2] += time.perf_counter() - wall
    saves = ROUNDS * SAVES
    per = {s: [1e6 * t / saves for t in v] for s, v in spent.items()}
    report(f"a save's {BATCH} events to PostgreSQL: four binary arrays against one composite array,"
           f" {ROUNDS} rounds of {SAVES} saves taken in turn", [
        row("client CPU a save (arrays)", per["arrays"][0], "µs", baseline=per["composite"][0],
            base_unit="µs (composite)"),
        row("server CPU a save (arrays)", per["arrays"][1], "µs", baseline=per["composite"][1],
            base_unit="µs (composite)"),
        row("wall time a save (arrays)", per["arrays"][2], "µs", baseline=per["composite"][2],
            base_unit="µs (composite)"),
    ])


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
