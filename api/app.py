"""The FastAPI app: `create_app(settings)` wires the ledger, the read models, the projector and the routes."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from typing import Any

from eventsourcing import persistence
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline

from api import auth, dev_principals, http_protocol, openapi, problems
from api.audit_runs import ChainVerifications
from api.commands.preflight import permission_denied
from api.docs_offline import serve_redoc_bundle
from api.front import Front
from api.logs import STARTUP_REFUSAL
from api.long_queries import LongQueries
from api.metrics import Metrics
from api.query_params import known_query
from api.routes import ROUTERS
from api.routes.health import store_file
from api.settings import Settings
from api.signing import load_signer
from api.startup import one_at_a_time
from api.version import installed
from api.web import router as pages
from ledger import collector
from ledger.application import AwardLedger
from ledger.audit.append_only import protect
from ledger.audit.chain import AuditChain
from ledger.audit.notary import Notary
from ledger.connection import server_full
from ledger.store import is_postgres, store_env, store_named
from projections.applied import AppliedListener
from projections.readmodels import ReadModels
from projections.replica import ReplicaConfigError, open_replica_models
from projections.runner import Projector

log = logging.getLogger("award_ledger.api")
DOCS_ASSETS = "/docs-assets"  # Swagger UI's and ReDoc's scripts and stylesheet, from the fastapi-offline package

DESCRIPTION = """\
The books of the Binjiang 2022 "two chains" subsidy policy (《推动创新链产业链“两链”深度融合的若干政策》).

* **Auth**: `Authorization: Bearer <token>`; principals (bureau, finance, auditor, admin) and the SHA-256 of
  their tokens live in `LEDGER_AUTH_FILE`. No token: 401; a role or bureau that may not act: 403.
* **Money** is a decimal string with two places in answers (`"300000.00"`); requests take a decimal string or
  a JSON integer, never a float, a negative amount or more than two places.
* **Dates** are `YYYY-MM-DD`; timestamps are RFC 3339 with an offset (answers give them in UTC, `+00:00`;
  a request may send any offset).
* **Language**: `Accept-Language` (`zh` or any `zh-…`, `en`; q-values honoured) chooses the language of refusals'
  `detail` and of explanations; anything else is English. `Content-Language` says which was used.
* **Errors** are `application/problem+json` with a stable `code` (`invalid_uscc`, `cap_exceeded`,
  `not_lead_bureau`, ...). A refused command writes nothing.
* **Idempotency-Key** on any POST: the same key and body return the first answer and write nothing new
  (marked `Idempotent-Replayed: true`); the same key with another body is 409.
"""


def _principals(settings: Settings) -> auth.Principals:
    if settings.auth_file is not None:
        return auth.load(settings.auth_file)
    principals, tokens, fresh = dev_principals.development_principals()
    dev_principals.announce(dev_principals.FOLDER, tokens, fresh)
    return principals


class StoreUnreachable(RuntimeError):
    """The store (or its read replica) cannot be opened at start-up; nothing was served or written. `serve` says
    it with its `code` and, for a Chinese reader, `zh` (api/cli.py, from api.logs.STARTUP_REFUSAL)."""

    def __init__(self, message: str, zh: str | None = None, code: str = "store_unreachable") -> None:
        super().__init__(message)
        self.zh, self.code = zh, code
        STARTUP_REFUSAL.append(self)


def _where(store: dict[str, str]) -> str:
    # Named from the settings rather than the URL, which may carry a password.
    if "SQLITE_DBNAME" in store:
        return f"SQLite {store['SQLITE_DBNAME']}"
    user, host, port, db = (store[f"POSTGRES_{k}"] for k in ("USER", "HOST", "PORT", "DBNAME"))
    return f"PostgreSQL {user}@{host}:{port}/{db}"


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ledger's HTTP API. Refuses a bad store URL or principals file here, before anything starts."""
    settings = settings or Settings()
    http_protocol.Protocol.head_seconds = settings.body_seconds  # a request's head is bounded in time as its body
    # Raises StoreConfigError naming what is wrong with the URL.
    store = store_env(settings.database_url, pool=settings.db_pool)
    # A principals file read (and refused) before the key, which may be generated; the development principals made
    # after it: a start refused for its key wrote the development tokens and printed their banner first (an
    # operator probe). Either refusal writes nothing.
    given = auth.load(settings.auth_file) if settings.auth_file is not None else None
    signer = load_signer(settings, service=True)  # generated under var/ when unset, and said so in the log
    principals = given if given is not None else _principals(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with ExitStack() as opened:  # closes, in reverse order, whatever was opened, even if a later step fails
            try:
                with one_at_a_time(settings.database_url):  # workers and the projector may start together
                    ledger = AwardLedger(store, seal_key=signer.seal_key())
                    opened.callback(ledger.close)
                    read_models = ReadModels.open(settings.database_url)
                    opened.callback(read_models.close)
                    queries, replica = read_models, None
                    if settings.read_database_url:  # queries on a streaming replica; commands stay here
                        try:
                            queries, replica = open_replica_models(settings.database_url, settings.read_database_url)
                            opened.callback(queries.close)
                            opened.callback(replica.close)
                            # The tables just created on the primary reach the replica by replay: wait for them.
                            replica.wait_caught_up(max(settings.wait_timeout, 5.0))
                        except (*problems.STORE_ERRORS, ReplicaConfigError) as err:
                            raise StoreUnreachable(f"cannot open the read replica: {str(err).strip()}. Start the"
                                                   " replica or fix LEDGER_READ_DATABASE_URL (unset, queries read"
                                                   " the store itself), then start again") from None
                    protect(settings.database_url)  # stored events refuse UPDATE and DELETE from here on
                    chain = AuditChain.open(settings.database_url)
                    if chain.appended_range is not None:  # an upgrade's catching up, or a moved upgrade point
                        log.warning("opening the store linked %d events (positions %d to %d) recorded before this"
                                    " version first opened it; if no version that chained in the background ever"
                                    " ran on this store, treat it as tampering and check it with a digest kept"
                                    " outside (award-ledger verify --digest FILE)", chain.appended,
                                    *chain.appended_range)
                    notary = Notary(chain, signer)
            except (*problems.STORE_ERRORS, ReplicaConfigError) as err:
                if (denied := permission_denied(err, settings.database_url)) is not None:  # a read-only file
                    raise StoreUnreachable(denied[0], denied[1], "store_forbidden") from None
                if (full := server_full(err)) is not None:
                    raise StoreUnreachable(f"cannot open the store ({_where(store)}): {full[0]}; then start again",
                                           f"无法打开存储（{_where(store)}）：{full[1]}；然后重新启动") from None
                raise StoreUnreachable(f"cannot open the store ({_where(store)}): {str(err).strip()}. Start the"
                                       " database or fix LEDGER_DATABASE_URL, then start again") from None
            except persistence.DatabaseError as err:
                if (denied := permission_denied(err, settings.database_url)) is None:
                    raise
                raise StoreUnreachable(denied[0], denied[1], "store_forbidden") from None
            log.info("serving the ledger in %s%s", _where(store), "" if not settings.read_database_url else
                     f"; queries on the read replica {store_named(settings.read_database_url)}")
            projector = None
            if settings.projector == "inprocess":
                projector = Projector(settings.database_url, app=ledger)
                projector.start()
                opened.callback(projector.stop)
            applied = None
            if projector is None and is_postgres(settings.database_url):  # `award-ledger project` announces
                applied = AppliedListener(settings.database_url)
                applied.start()
                opened.callback(applied.stop)
            app.state.ledger, app.state.read_models, app.state.projector = ledger, queries, projector
            app.state.store_file = store_file(settings.database_url)  # the SQLite file opened, as it was then
            app.state.primary_models, app.state.replica = read_models, replica
            app.state.audit_chain, app.state.notary = chain, notary
            app.state.chain_verifications = ChainVerifications(  # the audit page's, in the background
                # With the key this server signs with, which the registry must list (an audit probe deleted its row).
                lambda progress: chain.verify(app=ledger, progress=progress, signing_key=notary.signer.key_id),
                app.state.long_queries)
            app.state.applied = applied
            app.state.loop = asyncio.get_running_loop()  # GET awards' async connections live on this loop only
            opened.enter_context(collector.quiet())
            try:
                yield
            finally:  # the async connections GET awards opened on this event loop, closed on it
                await queries.close_async()

    app = build_app(lifespan)
    app.state.settings, app.state.principals, app.state.metrics = settings, principals, Metrics()
    app.state.long_queries = LongQueries(settings.long_queries)
    # One layer (api/front.py): the principals file looked at, the request id and log line, then the token
    # checked and the body capped before any route reads it.
    app.add_middleware(Front, settings=settings, metrics=app.state.metrics, auth_file=settings.auth_file)
    return app


def build_app(lifespan: Any = None) -> FastAPI:
    """The routes, error mappings and OpenAPI document, without a store or principals (`make openapi` uses it)."""
    # /docs and /redoc load Swagger UI and ReDoc from the app itself (fastapi-offline ships their assets and
    # serves them under DOCS_ASSETS), so the docs work on a machine with no internet, as the district's do.
    app = FastAPIOffline(static_url=DOCS_ASSETS, title="award-ledger", version=installed(), description=DESCRIPTION,
                         lifespan=lifespan, generate_unique_id_function=openapi.operation_id)
    serve_redoc_bundle(app, DOCS_ASSETS)
    problems.install(app)
    # The server-rendered pages (api/web/) come after the API; they import API modules, so the API's package does
    # not import them (the CLI reads the pages' words without loading the app).
    for router in (*ROUTERS, pages):  # a query parameter a /v1 route does not take is refused (api/query_params.py)
        app.include_router(router, dependencies=[Depends(known_query)])
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        app.openapi_schema = openapi.finish(schema)
    return app.openapi_schema
