"""Structured logs: one JSON object a line (LEDGER_LOG_FORMAT=json) or plain text (its times in Beijing time), and
one line per request carrying its request id, the principal's name, the route template, the status, the time taken
and any error code.

The request id is the caller's `X-Request-ID` when it is a sensible token, else a new one; it is echoed in the
response's `X-Request-ID`, so a person quoting it finds the line."""
from __future__ import annotations

import json
import logging
import logging.config
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.types import Scope

from api.metrics import Metrics
from api.settings import Settings
from ledger.beijing import ZONE
from ledger.domain.text import printable

requests_log = logging.getLogger("award_ledger.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")  # anything else could forge or break a log line
PROBLEM = "application/problem+json"
# The request a log record was written during. Each request runs in its own task, so its context is its own;
# left set after the response, it still names the request when the server logs an unhandled error afterwards.
CURRENT_REQUEST: ContextVar[str | None] = ContextVar("request_id", default=None)
FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "principal", "code", "replayed")


class RequestContext(logging.Filter):
    """Gives every record written while a request is handled that request's id (the routes' own logs too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = CURRENT_REQUEST.get()
        return True


# The start-up refusals raised in this process (api.app.StoreUnreachable), for `serve` to say with their code.
STARTUP_REFUSAL: list[Any] = []
_REFUSAL = "StoreUnreachable: "


class StartupRefusal(logging.Filter):
    """uvicorn logs a lifespan that failed as the whole traceback; a start-up refusal of ours (the store or the
    replica cannot be opened) is logged as its own sentence instead, which `serve` then says with its code."""

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.getMessage() if record.levelno >= logging.ERROR else ""
        if said.startswith("Traceback") and _REFUSAL in said:
            record.msg, record.args = said.rsplit(_REFUSAL, 1)[1].strip(), ()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, and the request fields it carries."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "pid": record.process,  # which worker, when `serve --workers N` runs several
        }
        entry |= {k: getattr(record, k) for k in FIELDS if getattr(record, k, None) is not None}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A record as a line for people: `2026-12-03 22:38:10.797+08:00 INFO logger: message`, the time in Beijing
    time with its offset, as people in the district read times (the JSON format's `time` stays UTC, for machines)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, ZONE).isoformat(sep=" ", timespec="milliseconds")

    def format(self, record: logging.LogRecord) -> str:
        """The line, then the request fields the message leaves out (`request_id=… principal=… code=…`): the text
        format dropped them, so a request a user quoted by its X-Request-ID could not be found, nor why it was
        refused (an operator probe)."""
        said = [f"{name}={printable(str(value))}" for name in TEXT_FIELDS
                if (value := getattr(record, name, None)) is not None]
        line = super().format(record)
        return f"{line} {' '.join(said)}" if said else line


TEXT_FIELDS = ("request_id", "principal", "code", "replayed")  # the rest (method, path, status, time) are the message


def log_config(settings: Settings) -> dict[str, Any]:
    """A logging.dictConfig for serve and its uvicorn workers (each worker applies it in its own process)."""
    formatter = {"()": "api.logs.JsonFormatter" if settings.log_format == "json" else "api.logs.TextFormatter"}
    level = settings.log_level.upper()
    return {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"ledger": formatter},
        "filters": {"request": {"()": "api.logs.RequestContext"}, "startup": {"()": "api.logs.StartupRefusal"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "ledger", "filters": ["request"],
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's own loggers carry their own handlers unless told to hand records to the root.
        "loggers": {name: {"handlers": [], "propagate": True, "level": level,
                           "filters": ["startup"] if name == "uvicorn.error" else []}
                    for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


def configure(settings: Settings) -> None:
    """Apply `log_config` unless logging is set up already (as basicConfig does: a test runner's capture stays)."""
    if not logging.getLogger().handlers:
        logging.config.dictConfig(log_config(settings))


class RequestLog:
    """One log line and one metrics observation per request (api/front.py gives the request its id)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def record(self, scope: Scope, seen: dict[str, Any], request_id: str, seconds: float, principal: Any) -> None:
        """The request's metrics observation and log line; `principal` is whom it acted as (or None)."""
        route = getattr(scope.get("route"), "path", None) or "(unmatched)"
        code = _problem_code(seen["body"]) if seen["problem"] else (
            scope.get("state", {}).get(PAGE_REFUSAL) or ("internal_error" if seen["status"] >= 500 else None))
        self.metrics.observe(scope["method"], route, seen["status"], seconds, code=code, replayed=seen["replayed"])
        if not requests_log.isEnabledFor(logging.INFO):
            return  # LEDGER_LOG_LEVEL above info: no line to build
        path = printable(scope["path"])  # a decoded %0a would otherwise forge a line of the text format
        fields = {"request_id": request_id, "method": scope["method"], "route": route, "path": path,
                  "status": seen["status"], "duration_ms": round(seconds * 1000, 2),
                  "principal": principal.name if principal is not None else None, "code": code,
                  "replayed": seen["replayed"] or None}
        requests_log.info("%s %s %s %.1f ms", scope["method"], path, seen["status"], seconds * 1000,
                          extra=fields)


# A page's refusal is HTML, not a problem: the page puts its code here for the request's log line and metrics (an
# ops probe's filter on `code` missed every dashboard refusal).
PAGE_REFUSAL = "refusal_code"


def _problem_code(body: bytes) -> str | None:
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None
