"""Importing an official list of certifications (POST /v1/certifications/imports' work, without HTTP): N rows
of A3.erc municipal recognitions, each of a body led by its own organisation, so every row is recorded and
proposes its 200,000 award. Prints rows a second, and this process's CPU seconds (the machine is shared, so
wall time moves with everyone else's load), on SQLite (and PostgreSQL when LEDGER_TEST_POSTGRES_URL is set).

    .venv/bin/python -m bench.bench_certification_list [ROWS [BATCH_ROWS]]   # default 10,000 and 250
    .venv/bin/python -m bench.bench_certification_list 10000 1              # a transaction per row, as before
    .venv/bin/python -m bench.bench_certification_list ab 2000               # PostgreSQL: 250 and 1, head to head
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import date

from api.certification_list import read_list
from ledger.application import AwardLedger
from ledger.principals import Principal, Role
from ledger.store import store_env
from ledger.usecases.imports import BATCH_ROWS
from tests.support import fresh_postgres_database, make_uscc

ADMIN, KJJ = Principal("ops", Role.ADMIN), Principal("kjj-clerk", Role.BUREAU, "kjj")


def _run(url: str, rows: int, batch_rows: int = BATCH_ROWS) -> None:
    ledger = AwardLedger(store_env(url))
    lines = ["uscc,programme,tier,effective_on,document_ref,body_id"]
    for i in range(rows):
        code = make_uscc(i + 1)
        ledger.register_organisation(ADMIN, uscc=code, name=f"杭州列表科技有限公司{i}", in_district=True)
        ledger.register_body(ADMIN, body_id=f"erc-{i}", name=f"工程研究中心{i}", kind="erc", lead_uscc=code,
                             recognised_on=date(2022, 9, 6))
        lines.append(f"{code},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,erc-{i}")
    body = ("\n".join(lines) + "\n").encode()
    started, cpu = time.perf_counter(), time.process_time()
    listed = read_list(body, "text/csv")
    read = time.perf_counter() - started
    answer = ledger.import_certifications(KJJ, sha256=listed.sha256, total=listed.rows, rows=listed.good,
                                          refused=listed.refused, batch_rows=batch_rows).view
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert answer["recorded"] == rows and len(answer["proposed_claims"]) == rows, answer["refused"][:3]
    print(f"{url.split(':', 1)[0]:10} {rows:,} rows ({len(body) / 1e6:.1f} MB), {batch_rows} a transaction: read and"
          f" checked in {read:.1f} s, recorded with {rows:,} proposals in {took:.1f} s = {rows / took:,.0f} rows/s"
          f" ({cpu:.1f} s CPU in this process)", flush=True)
    ledger.close()


def _ab(url: str, rows: int) -> None:
    """Lists of `rows` imported alternately in batches of 250 and of 1 into one store: the load is shared alike."""
    ledger = AwardLedger(store_env(url))
    for i in range(4 * rows):
        code = make_uscc(i + 1)
        ledger.register_organisation(ADMIN, uscc=code, name=f"杭州列表科技有限公司{i}", in_district=True)
        ledger.register_body(ADMIN, body_id=f"erc-{i}", name=f"工程研究中心{i}", kind="erc", lead_uscc=code,
                             recognised_on=date(2022, 9, 6))
    for k, batch_rows in enumerate((BATCH_ROWS, 1, BATCH_ROWS, 1)):
        lines = ["uscc,programme,tier,effective_on,document_ref,body_id"] + [
            f"{make_uscc(i + 1)},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,erc-{i}"
            for i in range(k * rows, (k + 1) * rows)]
        listed = read_list(("\n".join(lines) + "\n").encode(), "text/csv")
        started, cpu = time.perf_counter(), time.process_time()
        ledger.import_certifications(KJJ, sha256=listed.sha256, total=listed.rows, rows=listed.good, refused=[],
                                     batch_rows=batch_rows)
        print(f"{batch_rows:3} a transaction: {rows:,} rows in {time.perf_counter() - started:.1f} s"
              f" ({time.process_time() - cpu:.1f} s CPU)", flush=True)
    ledger.close()


def main() -> None:
    if sys.argv[1:2] == ["ab"]:
        server = os.environ.get("LEDGER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        with fresh_postgres_database(server, "bench_list_") as url:
            _ab(url, int(sys.argv[2]) if len(sys.argv) > 2 else 2_000)
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    batch_rows = int(sys.argv[2]) if len(sys.argv) > 2 else BATCH_ROWS
    with tempfile.TemporaryDirectory() as tmp:
        _run(f"sqlite:///{tmp}/list.sqlite3", rows, batch_rows)
    if server := os.environ.get("LEDGER_TEST_POSTGRES_URL"):
        with fresh_postgres_database(server, "bench_list_") as url:
            _run(url, rows, batch_rows)


if __name__ == "__main__":
    main()
