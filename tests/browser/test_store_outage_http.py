"""Reads after PostgreSQL dropped every connection of the app (a restart, a failover, pg_terminate_backend):
answered at once, on the JSON API and the pages; and while the store is away, a page says so as a page, in the
reader's language, not as the API's problem+json."""
from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.browser.conftest import api, page_client, signed_in
from tests.ops.test_readiness import _unreachable
from tests.support import unique_uscc

pytestmark = pytest.mark.postgres
PEOPLE = {"admin": {"role": "admin"}, "auditor": {"role": "auditor"}}


def _drop_every_connection(server_url: str, database_url: str) -> int:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(server_url, autocommit=True) as admin:
        return admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s"
                             " AND pid <> pg_backend_pid()", (name,)).fetchone()[0]


def test_reads_after_every_connection_was_dropped_answer_the_first_time(fresh_postgres_url, postgres_server_url,
                                                                          tmp_path: Path) -> None:
    """Each read's first try meets a dead pooled connection; the pool's idle ones are tested and the read is
    asked again on a live one (a probe saw 503 once per pool and per worker, and raw JSON on the pages)."""
    with page_client(fresh_postgres_url, tmp_path, PEOPLE) as client:
        code = unique_uscc()
        api(client, "POST", "/v1/organisations", {"uscc": code, "name": "杭州断线科技有限公司", "in_district": True})
        reads = ["/v1/claims?limit=5", f"/v1/organisations/{code}/awards", f"/v1/organisations/{code}",
                 f"/v1/organisations/{code}/history"]
        for path in reads:  # every pool warmed: the sync and the async one
            api(client, "GET", path, as_="auditor")
        signed_in(client, "auditor")
        assert client.get(f"/ui/organisations/{code}").status_code == 200
        assert _drop_every_connection(postgres_server_url, fresh_postgres_url) >= 2
        for path in reads:
            answer = client.get(path, headers={"Authorization": f"Bearer {client.tokens['auditor']}"})
            assert answer.status_code == 200, (path, answer.text)
        assert client.get(f"/ui/organisations/{code}").status_code == 200


def test_a_page_while_the_store_is_away_is_a_page_in_the_readers_language(fresh_postgres_url, postgres_server_url,
                                                                        tmp_path: Path) -> None:
    """503 `store_unavailable` as the refusal page, with Retry-After, in Chinese for a Chinese reader; the API's
    answer to a read says to retry, and nothing about keys or writing."""
    with page_client(fresh_postgres_url, tmp_path, PEOPLE) as client:
        code = unique_uscc()
        api(client, "POST", "/v1/organisations", {"uscc": code, "name": "杭州断线科技有限公司", "in_district": True})
        signed_in(client, "auditor")
        with _unreachable(postgres_server_url, fresh_postgres_url):
            page = client.get(f"/ui/organisations/{code}?lang=zh")
            assert page.status_code == 503 and page.headers["content-type"].startswith("text/html"), page.text
            assert "store_unavailable" in page.text and "暂时无法连接台账存储" in page.text
            assert int(page.headers["Retry-After"]) > 0
            answer = client.get(f"/v1/organisations/{code}", headers={
                "Authorization": f"Bearer {client.tokens['auditor']}", "Accept-Language": "en"})
            assert answer.status_code == 503 and answer.json()["code"] == "store_unavailable"
            assert "Idempotency-Key" not in answer.json()["detail"] and "written" not in answer.json()["detail"]
