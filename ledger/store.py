"""Where the ledger keeps its events: `LEDGER_DATABASE_URL` → eventsourcing settings, plus transcodings.

One URL selects both the event store and the read models, so everything that opens the store (the
application, the projections, the CLI) derives its settings here and nowhere else.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)

ACCEPTED_FORMS = (
    "sqlite:///PATH (relative or absolute; sqlite:///:memory: for a throw-away store) "
    "or postgresql://USER[:PASS]@HOST[:PORT]/DB (postgres:// also accepted)"
)
ACCEPTED_FORMS_ZH = (
    "sqlite:///路径（相对或绝对路径；sqlite:///:memory: 为用后即弃的存储）"
    "或 postgresql://用户[:密码]@主机[:端口]/数据库（也接受 postgres://）"
)
SQLITE_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")
# A plain ":memory:" would give every pooled connection its own empty database; the shared cache
# makes one in-memory database that the application and projections of this process all see.
SQLITE_SHARED_MEMORY = "file::memory:?cache=shared"

# Connections to PostgreSQL: the most each pool of a process may hold (README, "Connections"; api/connections.py
# adds them up for a deployment). The commands' pool is LEDGER_DB_POOL for the API; a one-shot command or the
# projector runs few statements at once and keeps the default. Each pool keeps WARM of them open while idle.
COMMANDS_POOL = 16
READ_MODELS_POOL = 8
PROJECTOR_POOL = 4  # `award-ledger project`'s own pool for the log: one fold reads it at a time
AUDIT_CONNECTIONS = 2  # the audit chain's reads (digests, proofs, verify) a process runs at once
WARM = 2


class StoreConfigError(ValueError):
    """LEDGER_DATABASE_URL cannot be turned into store settings; `zh`: the same for a Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def is_postgres(url: str) -> bool:
    """Whether the URL names a PostgreSQL database (by its scheme alone)."""
    return url.split("://", 1)[0].lower() in POSTGRES_SCHEMES


def store_env(url: str, *, pool: int = COMMANDS_POOL) -> dict[str, str]:
    """The eventsourcing environment (PERSISTENCE_MODULE and friends) for a LEDGER_DATABASE_URL; on PostgreSQL
    its pool holds at most `pool` connections."""
    if is_postgres(url):
        return _postgres_env(url, pool)
    return _sqlite_env(url)


def pool_env(pool: int) -> dict[str, str]:
    """eventsourcing's pool settings for a pool of at most `pool` connections, WARM of them kept while idle."""
    warm = min(WARM, pool)
    return {"POSTGRES_POOL_SIZE": str(warm), "POSTGRES_MAX_OVERFLOW": str(pool - warm)}


def sqlite_path(url: str) -> str:
    """The SQLite database name for a `sqlite:///` URL, as the sqlite3 module (uri=True) opens it."""
    if not url.startswith(SQLITE_PREFIX):
        raise _bad_url(url, "it is neither a sqlite:/// nor a postgresql:// URL",
                       "它既不是 sqlite:/// 也不是 postgresql:// 地址")
    path = url[len(SQLITE_PREFIX) :]
    if not path:
        raise _bad_url(url, "the SQLite path is empty", "SQLite 路径为空")
    return SQLITE_SHARED_MEMORY if path == ":memory:" else path


def sqlite_file(url: str) -> str:
    """`sqlite_path`, its folder made first: every command creates what it needs on an empty store, and a new
    SQLite file in a folder not made yet (the default var/ of a fresh checkout) was `store_unreachable`."""
    path = sqlite_path(url)
    if path != SQLITE_SHARED_MEMORY and not path.startswith("file:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    return path


def store_named(url: str) -> str:
    """The store a URL names, as a person checks it: `SQLite /abs/path` or `PostgreSQL user@host:port/db` (never
    a password)."""
    if is_postgres(url):
        parts = _postgres_parts(url)
        return f"PostgreSQL {parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}"
    path = sqlite_path(url)
    return f"SQLite {path if path == SQLITE_SHARED_MEMORY or path.startswith('file:') else Path(path).resolve()}"


def postgres_conninfo(url: str) -> str:
    """A libpq keyword/value conninfo for code that opens its own psycopg connection."""
    parts = _postgres_parts(url)
    return " ".join(f"{key}={_conninfo_quote(value)}" for key, value in parts.items() if value)


def _sqlite_env(url: str) -> dict[str, str]:
    path = sqlite_file(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": path,
        "SQLITE_LOCK_TIMEOUT": "10",
        # Each save writes its events' chain links in its own transaction (ledger/sqlite_recorder.py).
        "APPLICATION_RECORDER_TOPIC": "ledger.sqlite_recorder:LedgerSQLiteRecorder",
    }


def _postgres_env(url: str, pool: int) -> dict[str, str]:
    parts = _postgres_parts(url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts["dbname"],
        "POSTGRES_HOST": parts["host"],
        "POSTGRES_PORT": parts["port"],
        "POSTGRES_USER": parts["user"],
        # eventsourcing insists on the key; an empty password lets libpq fall back to ~/.pgpass.
        "POSTGRES_PASSWORD": parts["password"],
        **pool_env(pool),
        "POSTGRES_CONNECT_TIMEOUT": parts["connect_timeout"],
        # No ping per checkout: a dead connection fails its first statement, the command is retried and the
        # pool's idle connections are checked then (ledger/connection.py).
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_LOCK_TIMEOUT": "10",
        # A command's save is one autocommitted statement (ledger/pg_recorder.py), so the only transactions on
        # these connections are eventsourcing's own at start-up (creating tables, fetching the composite types).
        # Its default of 5 s idle in a transaction ended one of those when the process paused under load (CI,
        # stop 33) and the ledger failed to open; no lock a command waits for is held by them for long.
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
        # One statement per save, taking the same table lock as eventsourcing's own path (ledger/pg_recorder.py).
        "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
        "APPLICATION_RECORDER_TOPIC": "ledger.pg_recorder:LedgerRecorder",
    }


def _postgres_parts(url: str) -> dict[str, str]:
    if not is_postgres(url):
        raise _bad_url(url, "it is not a postgresql:// URL", "它不是 postgresql:// 地址")
    split = urlsplit(url)
    dbname = unquote(split.path.lstrip("/"))
    if not split.hostname:
        raise _bad_url(url, "the host is missing", "缺少主机")
    if not split.username:
        raise _bad_url(url, "the user is missing", "缺少用户名")
    if not dbname or "/" in dbname:
        raise _bad_url(url, "the database name is missing or has a '/'", "缺少数据库名，或数据库名中含有 '/'")
    if split.query or split.fragment:
        raise _bad_url(url, "query parameters are not supported; use libpq's PG* variables (PGSSLMODE, ...)",
                       "不支持查询参数；请改用 libpq 的 PG* 环境变量（PGSSLMODE 等）")
    return {
        "dbname": dbname,
        "host": unquote(split.hostname),
        "port": _port(url, split),
        "user": unquote(split.username),
        "password": unquote(split.password or ""),
        "connect_timeout": "5",
    }


def _port(url: str, split: SplitResult) -> str:
    try:
        return str(split.port or 5432)
    except ValueError:  # urlsplit refuses a port that is not a number from 0 to 65535
        raise _bad_url(url, "the port is not a number from 1 to 65535", "端口不是 1 到 65535 之间的数字") from None


def _conninfo_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _bad_url(url: str, reason: str, reason_zh: str) -> StoreConfigError:
    shown = _without_password(url)
    msg = f"LEDGER_DATABASE_URL {shown!r} is not usable: {reason}. Accepted forms: {ACCEPTED_FORMS}."
    zh = f"LEDGER_DATABASE_URL {shown!r} 无法使用：{reason_zh}。可用的写法：{ACCEPTED_FORMS_ZH}。"
    return StoreConfigError(msg, zh)


def _without_password(url: str) -> str:
    # Error messages end up in logs; a password in the URL must not.
    try:
        split = urlsplit(url)
        if split.password is None:
            return url
        netloc = split.netloc.replace(f":{split.password}@", ":***@", 1)
        return split._replace(netloc=netloc).geturl()
    except ValueError:
        return url


class DateAsISO(Transcoding):
    """Transcoding of `datetime.date` (effective dates, award years' days) as "YYYY-MM-DD"."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        # datetime is a subclass of date: encoding one here would silently drop its time and offset.
        # JSONTranscoder dispatches on the exact type, so this only guards direct misuse.
        if type(obj) is not date:
            msg = f"DateAsISO encodes exact dates only, not {type(obj).__name__}"
            raise TypeError(msg)
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def register_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every transcoding the ledger's events need (idempotent: safe after super())."""
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
