"""How many PostgreSQL connections the ledger's processes may open, pool by pool, and whether a server has room.

Every pool a process opens has a ceiling (ledger/store.py and the modules named below); this adds them up, for
one API worker, for `award-ledger project`, and for a deployment of both. `award-ledger serve` compares the
deployment with the server's `max_connections` before it starts and says what to change when it does not fit:
past that limit PostgreSQL refuses every new connection ("too many clients"), the ledger's own (a projector
reconnecting, a worker starting) and anyone else's. The compose file is checked against the same sums
(tests/test_deployment_files.py), and a flooded server against its own (tests/ops/test_connection_budget.py).
"""
from __future__ import annotations

import logging
from typing import Any

import psycopg

from api.settings import Settings
from ledger.store import (
    AUDIT_CONNECTIONS,
    COMMANDS_POOL,
    PROJECTOR_POOL,
    READ_MODELS_POOL,
    is_postgres,
    postgres_conninfo,
)
from projections.postgres_view import ASYNC_POOL
from projections.replica import LSN_POOL

log = logging.getLogger("award_ledger.connections")

LISTENING = 1  # the LISTEN connection: a worker's for applied positions (projections/applied.py), a projector's
STARTING = 1  # the set-up lock held while a process opens its pools (api/startup.py), and a stop's wake-up


def worker(settings: Settings) -> dict[str, int]:
    """The most connections one API worker opens on the primary, by what they are for."""
    parts = {"commands (LEDGER_DB_POOL)": settings.db_pool, "read models": READ_MODELS_POOL,
             "awards on the event loop": ASYNC_POOL, "audit chain": AUDIT_CONNECTIONS, "listening": LISTENING,
             "starting and stopping": STARTING}
    if settings.projector == "inprocess":
        parts["projector (in process)"] = READ_MODELS_POOL  # its own view; it reads the log through the commands'
    if settings.read_database_url:
        parts["replica's position"] = LSN_POOL  # the primary's side; the replica's read models are on the replica
    return parts


def projector() -> dict[str, int]:
    """The most connections `award-ledger project` opens."""
    return {"the log": PROJECTOR_POOL, "read models (its progress)": READ_MODELS_POOL,
            "read models (the fold)": READ_MODELS_POOL, "listening": LISTENING, "starting and stopping": STARTING}


def one_shot() -> dict[str, int]:
    """The most connections a one-shot command (`demo`, `verify`, `close`, ...) opens: the ledger's default pool."""
    return {"commands": COMMANDS_POOL, "read models": READ_MODELS_POOL, "audit chain": AUDIT_CONNECTIONS,
            "starting and stopping": STARTING}


def deployment(settings: Settings, workers: int) -> int:
    """Connections `award-ledger serve` with `workers` workers opens at most, with the projector beside it when
    the read models are kept outside (LEDGER_PROJECTOR=external)."""
    beside = sum(projector().values()) if settings.projector == "external" else 0
    return workers * sum(worker(settings).values()) + beside


def room(conn: psycopg.Connection[Any]) -> int:
    """How many connections the server takes from ordinary roles: max_connections less the reserved ones."""
    settings = dict(conn.execute("SELECT name, setting FROM pg_settings WHERE name IN ('max_connections',"
                                 " 'superuser_reserved_connections', 'reserved_connections')").fetchall())
    return int(settings["max_connections"]) - sum(int(settings.get(k, 0)) for k in (
        "superuser_reserved_connections", "reserved_connections"))


def misfit(settings: Settings, workers: int) -> str | None:
    """What to change when the deployment can open more connections than the server takes (None: it fits)."""
    if not is_postgres(settings.database_url):
        return None
    with psycopg.connect(postgres_conninfo(settings.database_url), autocommit=True) as conn:
        available = room(conn)
    needed = deployment(settings, workers)
    if needed <= available:
        return None
    each = sum(worker(settings).values())
    beside = f" + the projector's {sum(projector().values())}" if settings.projector == "external" else ""
    return (f"{workers} worker(s) × {each} connections{beside} = {needed} can exceed the {available} this PostgreSQL"
            " server takes (max_connections less its reserved ones): under load it would refuse new connections"
            " to the ledger and to everyone else. Lower LEDGER_DB_POOL (now "
            f"{settings.db_pool}) or LEDGER_WORKERS, or raise max_connections (README, \"Connections\")")


def warn_if_misfit(settings: Settings, workers: int) -> None:
    """Log `misfit`'s advice once, before the workers start; a server that cannot be asked is left to start-up."""
    try:
        advice = misfit(settings, workers)
    except psycopg.Error:
        return  # the workers' own start says what is wrong with the store
    if advice is not None:
        log.warning("connections: %s", advice)
