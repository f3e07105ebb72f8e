"""What every command checks before it opens anything, so a bad setting is refused with its code and what to do
instead of a driver's traceback: the ./.env file, the files LEDGER_AUTH_FILE and LEDGER_SIGNING_KEY_FILE name,
and the store LEDGER_DATABASE_URL names (a SQLite file that is not a database; a PostgreSQL server that answers
at once that the database or the user does not exist, or that the password is wrong).

Each refusal is an exception main (api/cli.py) turns into `award-ledger: [code] text`, exit 2.
"""
from __future__ import annotations

import re
from pathlib import Path

from api.cli_language import os_reason_zh

# The first 16 bytes of every SQLite 3 database file (https://www.sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"


class SettingsFileError(ValueError):
    """A file the settings come from (./.env) cannot be read: `settings_invalid`; `zh` for a Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


class StoreInvalid(ValueError):
    """LEDGER_DATABASE_URL names a file that is not a SQLite database: `store_invalid`."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


class StoreRefused(ValueError):
    """The PostgreSQL server answered, and refused: no such database, no such user, a wrong password
    (`store_unreachable`, said at once, with what to do)."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def settings(overrides: dict[str, object] | None = None):
    """The Settings, once ./.env, the principals file and the store have been checked (see the module)."""
    from api.settings import Settings

    env_file = Path(".env")
    if env_file.is_file():
        try:
            env_file.read_bytes().decode("utf-8")
        except UnicodeDecodeError as err:
            raise SettingsFileError(
                f"{env_file.resolve()} is not UTF-8 text (byte {err.start + 1} cannot be read); the LEDGER_*"
                " settings are also read from ./.env: save it as UTF-8 (see .env.example), or remove it",
                f"{env_file.resolve()} 不是 UTF-8 文本（第 {err.start + 1} 个字节无法读取）；LEDGER_* 设置也从"
                "当前目录的 .env 读取：请将它另存为 UTF-8（参见 .env.example），或删除它") from None
        except OSError as err:
            raise SettingsFileError(
                f"{env_file.resolve()} cannot be read ({err.strerror}); the LEDGER_* settings are also read from"
                " ./.env: make it readable, or remove it",
                f"{env_file.resolve()} 无法读取（{os_reason_zh(err)}）；LEDGER_* 设置也从当前目录的 .env 读取："
                "请使其可读，或删除它") from None
    config = Settings(**(overrides or {}))
    check_auth_file(config.auth_file)
    check_store(config.database_url)
    return config


def check_auth_file(path: Path | None) -> None:
    """A principals file that is there but not UTF-8 text: `auth_file_invalid` (api.auth reads the rest)."""
    from api.auth import AuthFileError

    if path is None or not path.is_file():
        return  # missing or not a file: api.auth.load says so, with its code
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise AuthFileError(f"LEDGER_AUTH_FILE {str(path)!r} is not a valid principals file: it is not UTF-8 text."
                            ' Point it at the principals JSON file ({"principals": [...]}), saved as UTF-8',
                            f"LEDGER_AUTH_FILE {str(path)!r} 不是有效的主体文件：它不是 UTF-8 文本。"
                            '请将它指向以 UTF-8 保存的主体（principals）JSON 文件（{"principals": [...]}）') from None
    except OSError:
        return  # api.auth.load says why it cannot be read


def check_store(url: str) -> None:
    """Refuse at once a store that is there and is not one: a SQLite file of something else, or a PostgreSQL
    server that answers that the database or the user does not exist, or that the password is wrong. Anything
    else (nothing listening, a timeout) is left to the store's own opening, which says so."""
    from ledger.store import SQLITE_SHARED_MEMORY, is_postgres, sqlite_path

    if is_postgres(url):
        _check_postgres(url)
        return
    path = sqlite_path(url)  # a URL that is neither: StoreConfigError, database_url_invalid
    if path == SQLITE_SHARED_MEMORY or path.startswith("file:"):
        return
    file = Path(path)
    try:
        if not file.is_file() or file.stat().st_size == 0:
            return  # created on first use (an empty file is a new database to SQLite)
        with file.open("rb") as opened:
            head = opened.read(len(SQLITE_HEADER))
    except OSError:
        return  # the store's opening says why it cannot be opened
    if head != SQLITE_HEADER:
        raise not_a_database(path)


def not_a_database(path: str) -> StoreInvalid:
    return StoreInvalid(f"LEDGER_DATABASE_URL names {path}, which is not a SQLite database (file is not a"
                        " database). Point LEDGER_DATABASE_URL at the ledger's SQLite file, or at a new path"
                        " (sqlite:///var/ledger.sqlite3) to start an empty ledger; the file was left as it is",
                        f"LEDGER_DATABASE_URL 指向的 {path} 不是 SQLite 数据库文件。请将 LEDGER_DATABASE_URL "
                        "指向台账的 SQLite 文件，或指向一个新路径（如 sqlite:///var/ledger.sqlite3）以从空台账"
                        "开始；该文件未被改动")


def _check_postgres(url: str) -> None:
    import psycopg

    from ledger.store import _postgres_parts

    parts = _postgres_parts(url)
    where = f"{parts['host']}:{parts['port']}"
    try:
        psycopg.connect(host=parts["host"], port=parts["port"], user=parts["user"],
                        password=parts["password"] or None, dbname=parts["dbname"],
                        connect_timeout=int(parts["connect_timeout"]), application_name="award-ledger check").close()
    except psycopg.OperationalError as err:
        said = str(err)
        if found := re.search(r'database "([^"]+)" does not exist', said):
            db, user = found[1], parts["user"]
            create = f"createdb -h {parts['host']} -p {parts['port']} -U {user} {db}"
            raise StoreRefused(
                f"cannot open the store: the PostgreSQL server at {where} has no database {db!r}. Create it"
                f" (`{create}`), or fix the database name in LEDGER_DATABASE_URL",
                f"无法打开存储：{where} 上的 PostgreSQL 服务器中没有数据库 {db!r}。请先创建它"
                f"（`{create}`），或修正 LEDGER_DATABASE_URL 中的数据库名") from None
        if found := re.search(r'role "([^"]+)" does not exist', said):
            raise StoreRefused(
                f"cannot open the store: the PostgreSQL server at {where} has no user {found[1]!r}. Create the user"
                f" (`createuser -h {parts['host']} -p {parts['port']} {found[1]}`), or fix the user in"
                " LEDGER_DATABASE_URL",
                f"无法打开存储：{where} 上的 PostgreSQL 服务器中没有用户 {found[1]!r}。请先创建该用户"
                f"（`createuser -h {parts['host']} -p {parts['port']} {found[1]}`），或修正 LEDGER_DATABASE_URL"
                " 中的用户名") from None
        if "authentication failed" in said or "no password supplied" in said:
            raise StoreRefused(
                f"cannot open the store: the PostgreSQL server at {where} refused user {parts['user']!r}"
                " (authentication failed). Fix the user or password in LEDGER_DATABASE_URL",
                f"无法打开存储：{where} 上的 PostgreSQL 服务器拒绝了用户 {parts['user']!r} 的登录（身份认证失败）。"
                "请修正 LEDGER_DATABASE_URL 中的用户名或密码") from None
        raise  # nothing listening, a timeout, a server starting up: main words it as store_unreachable
