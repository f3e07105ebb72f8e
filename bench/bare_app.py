"""The bare baseline for the HTTP benchmarks: FastAPI doing one INSERT (POST) or one primary-key SELECT
(GET) through a psycopg pool, with no ledger, no auth and no validation beyond FastAPI's own."""
from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from psycopg_pool import ConnectionPool

URL = os.environ["BARE_DATABASE_URL"]
pool = ConnectionPool(URL, min_size=4, max_size=10, open=False)


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool.open()
    with pool.connection() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bare_claims (id BIGSERIAL PRIMARY KEY, uscc TEXT NOT NULL,"
                     " body JSONB NOT NULL)")
        conn.execute("CREATE TABLE IF NOT EXISTS bare_orgs (uscc TEXT PRIMARY KEY, data TEXT NOT NULL)")
    yield
    pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/claims", status_code=201)
def post_claim(body: dict[str, Any]) -> dict[str, Any]:
    with pool.connection() as conn:
        (new_id,) = conn.execute("INSERT INTO bare_claims (uscc, body) VALUES (%s, %s) RETURNING id",
                                 (body.get("uscc", ""), json.dumps(body))).fetchone()
    return {"id": new_id, "status": "pending"}


@app.get("/orgs/{uscc}")
def get_org(uscc: str) -> dict[str, Any]:
    with pool.connection() as conn:
        found = conn.execute("SELECT data FROM bare_orgs WHERE uscc = %s", (uscc,)).fetchone()
    if found is None:
        raise HTTPException(404)
    return json.loads(found[0])
