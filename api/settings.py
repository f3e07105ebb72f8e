"""Configuration from the environment (prefix LEDGER_), one field per variable any deployment file uses."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.store import COMMANDS_POOL

# A bound, not a recommendation: more processes than this is a typo (an ops probe's 500 spawned on two cores and
# outlived SIGTERM); each worker's connections count against PostgreSQL's max_connections (api/connections.py).
MOST_WORKERS = 64

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///./var/ledger.sqlite3",
        description="sqlite:///PATH or postgresql://USER[:PASS]@HOST[:PORT]/DB: events and read models",
    )
    read_database_url: str | None = Field(
        None, description="postgresql://… of a streaming replica of LEDGER_DATABASE_URL: queries read there, commands"
        " stay on the primary and wait until the replica shows them; unset: queries read the store itself",
    )
    auth_file: Path | None = Field(
        None, description="JSON file of principals and token hashes; unset means generated development tokens"
    )
    signing_key_file: Path | None = Field(
        None, description="Ed25519 private key (PEM) that signs digests and receipts; unset: var/signing-key.pem,"
        " generated on first use"
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    projector: Literal["inprocess", "external"] = Field(
        "inprocess", description="inprocess: serve keeps the read models itself; external: `award-ledger project` does"
    )
    wait_timeout: float = Field(
        2.0, ge=0, le=600, allow_inf_nan=False,
        description="seconds a command waits for the read models to show its own events (at most 600)"
    )
    fast_lanes: bool = Field(
        True, description="answer POST /v1/claims from the edge, past the framework's routing (api/lanes.py); false:"
                          " every request through the framework (the answers are the same either way)"
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    log_format: Literal["json", "text"] = Field(
        "json", description="json: one JSON object a line (request id, principal, route, status, ms); text: for people"
    )
    workers: int = Field(1, ge=1, le=MOST_WORKERS,
                         description="uvicorn worker processes for `serve`; above 1 needs projector=external")
    worker_healthcheck: int = Field(
        30, ge=5, le=3600,
        description="seconds `serve --workers N` waits for a worker to answer its supervisor's health check before"
                    " it kills and replaces the worker (uvicorn's own 5 s killed busy workers with their requests)"
    )
    long_queries: int = Field(
        2, ge=1, le=64, description="simulations, reconciliations as of a moment and chain verifications a process runs"
                                    " at once; one more is refused with 503 busy and Retry-After (api/long_queries.py)"
    )
    close_settle: float = Field(
        12.0, ge=0, le=600, allow_inf_nan=False,
        description="seconds `award-ledger close` waits after the moment it closes at, so that every command decided"
        " by then (its events stamped with that moment or earlier) is saved before it folds; above the store's 10 s"
        " lock timeout, the longest a save may wait"
    )
    db_pool: int = Field(
        COMMANDS_POOL, ge=2, le=256, description="PostgreSQL connections a worker's commands and their reads may hold"
        " at once; more wait for one (README, \"Connections\": what a deployment opens in all)"
    )
    bank_columns: Path | None = Field(
        None, description="TOML column map of bank statement files (layout: ledger/bank_files/columns.toml); unset:"
                          " that shipped map"
    )
    ready_max_lag: int = Field(
        10_000, ge=0, description="/readyz answers 503 while the read models are more events than this behind"
    )
    ready_max_stall: float = Field(
        30.0, gt=0, le=86_400, allow_inf_nan=False,
        description="/readyz answers 503 while events wait and the read models have not moved for this many seconds"
                    " (the projector stopped or lost the database)"
    )

    cookie_secure: bool = Field(
        False, description="mark the dashboard's cookies Secure (sent over HTTPS only): true wherever it is served"
                           " over TLS, including behind a TLS-terminating proxy"
    )
    session_minutes: int = Field(
        480, ge=1, le=7 * 24 * 60, description="how long a dashboard sign-in lasts (minutes) before signing in again"
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, le=1 << 30,
        description="largest request body accepted (bytes, at most 1 GiB); larger answers 413 body_too_large"
    )
    body_seconds: float = Field(
        30.0, gt=0, le=3600, allow_inf_nan=False,
        description="how long a request's body may take to arrive once its headers have, and its headers from the"
                    " connection's opening (or the request's first byte); a slower one answers 408 request_timeout and"
                    " its connection is closed, so a client trickling a head or a body cannot hold a connection for"
                    " ever"
    )
    max_statement_bytes: int = Field(
        16_777_216, ge=1024, description="largest bank statement (POST /v1/finance/bank-statements) accepted (bytes)"
    )

    @field_validator("log_level", "log_format", "projector", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        # LEDGER_LOG_LEVEL=INFO is how people write it; uvicorn wants lower case. Every setting naming one of a few
        # words reads them in any case (LEDGER_PROJECTOR=EXTERNAL was refused where INFO was taken: an ops probe).
        return value.lower() if isinstance(value, str) else value

    @field_validator("auth_file", "signing_key_file", "bank_columns", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        # LEDGER_AUTH_FILE= (set, empty) is unset, as an empty LEDGER_READ_DATABASE_URL is: read as a path it was the
        # current folder, and the refusal spoke of '.' (an operator probe).
        return None if isinstance(value, str) and not value.strip() else value
