"""Importing an official list of certifications (POST /v1/certifications/imports' work, without HTTP): N rows
of A3.erc municipal recognitions, each of a body led by its own organisation, so every row is recorded and
proposes its 200,000 award. Prints rows a second on SQLite (and PostgreSQL when LEDGER_TEST_POSTGRES_URL is set).

    .venv/bin/python -m bench.bench_certification_list [ROWS]   # default 10,000
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
from tests.support import fresh_postgres_database, make_uscc

ADMIN, KJJ = Principal("ops", Role.ADMIN), Principal("kjj-clerk", Role.BUREAU, "kjj")


def _run(url: str, rows: int) -> None:
    ledger = AwardLedger(store_env(url))
    lines = ["uscc,programme,tier,effective_on,document_ref,body_id"]
    for i in range(rows):
        code = make_uscc(i + 1)
        ledger.register_organisation(ADMIN, uscc=code, name=f"杭州列表科技有限公司{i}", in_district=True)
        ledger.register_body(ADMIN, body_id=f"erc-{i}", name=f"工程研究中心{i}", kind="erc", lead_uscc=code,
                             recognised_on=date(2022, 9, 6))
        lines.append(f"{code},A3.erc,municipal,2023-03-01,杭发改高技〔2023〕15号,erc-{i}")
    body = ("\n".join(lines) + "\n").encode()
    started = time.perf_counter()
    listed = read_list(body, "text/csv")
    read = time.perf_counter() - started
    answer = ledger.import_certifications(KJJ, sha256=listed.sha256, total=listed.rows, rows=listed.good,
                                          refused=listed.refused).view
    took = time.perf_counter() - started
    assert answer["recorded"] == rows and len(answer["proposed_claims"]) == rows, answer["refused"][:3]
    print(f"{url.split(':', 1)[0]:10} {rows:,} rows ({len(body) / 1e6:.1f} MB): read and checked in {read:.1f} s,"
          f" recorded with {rows:,} proposals in {took:.1f} s = {rows / took:,.0f} rows/s", flush=True)
    ledger.close()


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        _run(f"sqlite:///{tmp}/list.sqlite3", rows)
    if server := os.environ.get("LEDGER_TEST_POSTGRES_URL"):
        with fresh_postgres_database(server, "bench_list_") as url:
            _run(url, rows)


if __name__ == "__main__":
    main()
