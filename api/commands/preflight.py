"""What every command checks before it opens anything, so a bad setting is refused with its code and what to do
instead of a driver's traceback: the ./.env file, the files LEDGER_AUTH_FILE and LEDGER_SIGNING_KEY_FILE name,
and the store LEDGER_DATABASE_URL names (a SQLite file that is not a database; a PostgreSQL server that answers
at once that the database or the user does not exist, or that the password is wrong).

Each refusal is an exception main (api/cli.py) turns into `award-ledger: [code] text`, exit 2.
"""
from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
from pathlib import Path
from typing import Any

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


class ReplicaInvalid(ValueError):
    """LEDGER_READ_DATABASE_URL cannot serve as a read replica: not PostgreSQL, not a valid URL, or a server that
    is not a streaming replica (`settings_invalid`)."""

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
    warn_misspelt(dict(os.environ), env_file)
    config = Settings(**(overrides or {}))
    check_auth_file(config.auth_file)
    check_bank_columns(config.bank_columns)
    check_store(config.database_url)
    return config


def check_bank_columns(path: Path | None) -> None:
    """LEDGER_BANK_COLUMNS naming a file that cannot be the bank column map: `settings_invalid` at start, as every
    other bad setting is; it was found only when finance uploaded a statement, answered 422 `invalid_request` with
    the server's path (an ops probe)."""
    from api.bank_columns import unusable

    if path is None or (found := unusable(path)) is None:
        return
    raise SettingsFileError(f"LEDGER_BANK_COLUMNS {str(path)!r} cannot be used as the bank column map: {found[0]}."
                            " Point it at a TOML column map laid out as ledger/bank_files/columns.toml, or unset it"
                            " to use that one",
                            f"LEDGER_BANK_COLUMNS {str(path)!r} 无法用作银行列名对照表：{found[1]}。请将它指向格式与"
                            " ledger/bank_files/columns.toml 相同的 TOML 列名对照表，或不设置以使用该文件")


def warn_misspelt(environ: dict[str, str], env_file: Path) -> list[str]:
    """A LEDGER_* variable (in the environment or ./.env) that is no setting but nearly one is ignored, as any
    unknown name is: say so on stderr, naming the setting it resembles (LEDGER_DATABSE_URL would otherwise leave
    LEDGER_DATABASE_URL unset and the command quietly on the default store). What it said, one line a name."""
    from api.cli_language import tr
    from api.settings import Settings

    known = {f"LEDGER_{name.upper()}" for name in Settings.model_fields} | {"LEDGER_LANG"}
    names = {n for n in environ if n.startswith("LEDGER_")}
    try:
        if env_file.is_file():
            names |= {m[1] for m in re.finditer(r"^\s*(?:export\s+)?(LEDGER_\w+)\s*=", env_file.read_text("utf-8"),
                                                re.MULTILINE)}
    except (OSError, UnicodeDecodeError):
        pass  # settings() says what is wrong with the file
    said = []
    for name in sorted(names - known):
        if close := difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.85):
            said.append(tr(f"award-ledger: warning: {name} is not a setting and is ignored; did you mean {close[0]}?",
                           f"award-ledger：警告：{name} 不是台账的设置项，已忽略；是否应为 {close[0]}？"))
    for line in said:
        print(line, file=sys.stderr)
    return said


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
        check_postgres(url)
        return
    path = sqlite_path(url)  # a URL that is neither: StoreConfigError, database_url_invalid
    if path == SQLITE_SHARED_MEMORY or path.startswith("file:"):
        return
    file = Path(path)
    _check_sqlite_place(file)
    try:
        if not file.is_file() or file.stat().st_size == 0:
            return  # created on first use (an empty file is a new database to SQLite)
        with file.open("rb") as opened:
            head = opened.read(len(SQLITE_HEADER))
    except OSError:
        return  # the store's opening says why it cannot be opened
    if head != SQLITE_HEADER:
        raise not_a_database(path)


def check_holds_a_ledger(url: str, command: str) -> None:
    """Refuse, for a command that only reads, a store holding tables of something else and none of the ledger's:
    opening it as a ledger would add the ledger's tables to another application's database (an operator probe).
    The ledger's are its chain's tables, its record of refused keys, its read models (rm_*) and its events table
    (eventsourcing's columns, and the ledger's topics: another eventsourcing application may call its own table
    stored_events); a store holding any of those is a ledger, tampered with or not, which the command itself checks
    (regression probes: a ledger whose events table was dropped was called "something else"). An empty store (a new
    file or database) is left to the command."""
    found = _inspect(url)
    if found is None:
        return
    tables, columns, topic, where = found
    if not tables or _ours(tables, columns, topic, url):
        return
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    raise StoreInvalid(
        f"LEDGER_DATABASE_URL names {where}, which holds no ledger: it has {len(tables)} table(s) of something else"
        f" ({shown}) and none of the ledger's. `{command}` only reads; nothing was written. Point"
        " LEDGER_DATABASE_URL at the ledger's store",
        f"LEDGER_DATABASE_URL 指向的 {where} 中没有台账：其中有 {len(tables)} 张其他用途的表（{shown}），"
        f"没有台账的表。`{command}` 只读取，未写入任何内容。请将 LEDGER_DATABASE_URL 指向台账的存储")


def check_no_foreign_events(url: str, command: str) -> None:
    """Refuse, for every command, a store whose events table is another application's (without eventsourcing's
    columns, or holding events of other topics) beside none of the ledger's other tables: the ledger cannot keep its
    log there, and opening it would add its tables to that database first (an operations probe: rebuild, demo, close
    and serve added five tables, then said `store_unreachable`, "start the database"). Other tables beside no events
    table are left alone: a PostgreSQL database may be shared, and the contract has every command create what it
    needs."""
    from ledger.audit.tables import events_table

    found = _inspect(url)
    if found is None:
        return
    tables, columns, topic, where = found
    events = events_table(url)
    if events not in tables or _ours(tables, columns, topic, url):
        return
    raise StoreInvalid(
        f"LEDGER_DATABASE_URL names {where}, whose table {events} is not the ledger's event log (another"
        f" application's: {'other columns' if not columns >= EVENT_COLUMNS else f'events of {topic}'}). `{command}`"
        " wrote nothing; point LEDGER_DATABASE_URL at the ledger's store, or at an empty file or database for a new"
        " one",
        f"LEDGER_DATABASE_URL 指向的 {where} 中的表 {events} 不是台账的事件日志（属于其他应用）。`{command}` 未写入"
        "任何内容；请将 LEDGER_DATABASE_URL 指向台账的存储，新建台账则指向空文件或空数据库")


def _ours(tables: list[str], columns: set[str], topic: str | None, url: str) -> bool:
    """Whether the tables are a ledger's: its chain's, refused keys' or read models' tables, or its events table
    of eventsourcing's columns and the ledger's topics."""
    from ledger.audit.tables import CHAIN_TABLE, SINCE_TABLE, events_table
    from ledger.refused_keys import TABLE as REFUSED_TABLE

    events = events_table(url)
    # Another eventsourcing application's events table has the same columns: its events' topics are not the
    # ledger's (a regression probe's file got a traceback from recheck and the ledger's tables added).
    return bool({CHAIN_TABLE, SINCE_TABLE, REFUSED_TABLE} & set(tables) or any(t.startswith("rm_") for t in tables) or (
        events in tables and columns >= EVENT_COLUMNS and (topic is None or topic.startswith("ledger."))))


def _inspect(url: str) -> tuple[list[str], set[str], str | None, str] | None:
    """The store's tables, its events table's columns, its first event's topic and where it is; None where it cannot
    be looked at (not there yet, in memory, unreachable: the command's own opening says why)."""
    from ledger.audit.tables import events_table
    from ledger.store import SQLITE_SHARED_MEMORY, is_postgres, sqlite_path

    events = events_table(url)
    if is_postgres(url):
        import psycopg

        from ledger.store import postgres_conninfo

        try:
            with psycopg.connect(postgres_conninfo(url), application_name="award-ledger check") as conn:
                tables = [name for (name,) in conn.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    " ORDER BY table_name")]
                columns = {name for (name,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                    " AND table_name = %s", (events,))}
                topic = _first_topic(conn, events, columns)
        except psycopg.Error:
            return None
        return tables, columns, topic, url.rsplit("/", 1)[-1]
    path = sqlite_path(url)
    if path == SQLITE_SHARED_MEMORY or path.startswith("file:") or not Path(path).is_file():
        return None
    import sqlite3

    try:
        with contextlib.closing(sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)) as conn:
            tables = [name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({events})")} if events in tables \
                else set()
            topic = _first_topic(conn, events, columns)
    except sqlite3.Error:
        return None
    return tables, columns, topic, path


EVENT_COLUMNS = frozenset({"originator_id", "originator_version", "topic", "state"})  # eventsourcing's


def _first_topic(conn: Any, events: str, columns: set[str]) -> str | None:
    """The topic of the first event stored in `events` (a table of eventsourcing's columns), or None."""
    if not columns >= EVENT_COLUMNS:
        return None
    found = conn.execute(f"SELECT topic FROM {events} ORDER BY originator_id, originator_version LIMIT 1").fetchone()
    return None if found is None else str(found[0])


def _check_sqlite_place(file: Path) -> None:
    """A SQLite store's file, or the folder it is to be made in, that this process cannot use: said with the path
    and the cause, before SQLite's "unable to open database file" (told to start the database, naming neither) or a
    traceback of the folder that could not be made (a probe). SQLite writes beside its file (-wal, -shm), so the
    folder of an existing file must be writable too. A link is judged by the file it names, in whose folder SQLite
    writes (a link in a read-only folder to a writable store was refused: a regression probe); the path said is the
    one given."""
    named, file = file.absolute(), Path(os.path.realpath(file))
    if file.is_dir():
        raise StoreInvalid(f"LEDGER_DATABASE_URL names {named}, a folder, not a file. Point it at a file in it"
                           f" (sqlite:///{named / 'ledger.sqlite3'}) or elsewhere",
                           f"LEDGER_DATABASE_URL 指向的 {named} 是文件夹，不是文件。请指向其中的一个文件"
                           f"（sqlite:///{named / 'ledger.sqlite3'}）或其他位置的文件")
    folder = file.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest folder that is there: the rest is made in it
    if folder.exists() and not folder.is_dir():
        raise StoreUnwritable(f"the SQLite store {named} cannot be made: {folder} is a file, not a folder. Point"
                              " LEDGER_DATABASE_URL at a file in a folder, or move that file away",
                              f"无法创建 SQLite 存储 {named}：{folder} 是文件，不是文件夹。请将 LEDGER_DATABASE_URL "
                              "指向某个文件夹中的文件，或移走该文件")
    if not os.access(folder, os.W_OK | os.X_OK):
        cause, cause_zh = _why_not_writable(folder)
        if file.is_file():
            raise StoreUnwritable(
                f"the SQLite store {named} is in a folder this process may not write ({folder}: {cause}); SQLite"
                " writes its journal beside the file, even to read it. Make the folder writable, or copy the file to a"
                " writable folder (an auditor verifying a copy on read-only media: copy it first) and point"
                " LEDGER_DATABASE_URL there",
                f"SQLite 存储 {named} 所在文件夹本进程无权写入（{folder}：{cause_zh}）；"
                "SQLite 即使只读也要在文件旁写日志文件。请让该文件夹可写，"
                "或把文件复制到可写的文件夹（核验只读介质上的副本时请先复制）并将 "
                "LEDGER_DATABASE_URL 指向那里")
        raise StoreUnwritable(f"the SQLite store {named} cannot be made: this process may not write {folder} ({cause})."
                              " Make it writable, or point LEDGER_DATABASE_URL at a file in a folder it may write",
                              f"无法创建 SQLite 存储 {named}：本进程无权写入 {folder}（{cause_zh}）。请让它可写，或将"
                              " LEDGER_DATABASE_URL 指向可写文件夹中的文件")


def _why_not_writable(folder: Path) -> tuple[str, str]:
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "a read-only file system", "只读文件系统"
    except OSError:
        pass
    return "permission denied", "权限不足"


class StoreUnwritable(ValueError):
    """A SQLite store's file or folder this process may not write: `store_forbidden`."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def not_a_database(path: str) -> StoreInvalid:
    return StoreInvalid(f"LEDGER_DATABASE_URL names {path}, which is not a SQLite database (file is not a"
                        " database). Point LEDGER_DATABASE_URL at the ledger's SQLite file, or at a new path"
                        " (sqlite:///var/ledger.sqlite3) to start an empty ledger; the file was left as it is",
                        f"LEDGER_DATABASE_URL 指向的 {path} 不是 SQLite 数据库文件。请将 LEDGER_DATABASE_URL "
                        "指向台账的 SQLite 文件，或指向一个新路径（如 sqlite:///var/ledger.sqlite3）以从空台账"
                        "开始；该文件未被改动")


def check_postgres(url: str, timeout: int | None = None) -> None:
    """Connect once: StoreRefused, worded in both languages, for a database or user that is not there or a password
    refused; the driver's error as it is for anything else."""
    import psycopg

    from ledger.store import _postgres_parts

    parts = _postgres_parts(url)
    where = f"{parts['host']}:{parts['port']}"
    try:
        psycopg.connect(host=parts["host"], port=parts["port"], user=parts["user"],
                        password=parts["password"] or None, dbname=parts["dbname"],
                        connect_timeout=timeout or int(parts["connect_timeout"]),
                        application_name="award-ledger check").close()
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
            create = f"createuser -h {parts['host']} -p {parts['port']} -U postgres {found[1]}"  # as a superuser
            raise StoreRefused(
                f"cannot open the store: the PostgreSQL server at {where} has no user {found[1]!r}. Create the user"
                f" as a superuser (`{create}`), or fix the user in LEDGER_DATABASE_URL",
                f"无法打开存储：{where} 上的 PostgreSQL 服务器中没有用户 {found[1]!r}。请以超级用户创建该用户"
                f"（`{create}`），或修正 LEDGER_DATABASE_URL 中的用户名") from None
        if "authentication failed" in said or "no password supplied" in said:
            raise StoreRefused(
                f"cannot open the store: the PostgreSQL server at {where} refused user {parts['user']!r}"
                " (authentication failed). Fix the user or password in LEDGER_DATABASE_URL",
                f"无法打开存储：{where} 上的 PostgreSQL 服务器拒绝了用户 {parts['user']!r} 的登录（身份认证失败）。"
                "请修正 LEDGER_DATABASE_URL 中的用户名或密码") from None
        raise  # nothing listening, a timeout, a server starting up: main words it as store_unreachable


def check_replica(primary: str, replica: str | None) -> None:
    """LEDGER_READ_DATABASE_URL, when set, refused at once unless it names a PostgreSQL streaming replica that
    answers: `serve` would otherwise wait for it, then blame LEDGER_DATABASE_URL. Only `serve` reads there; the
    other commands work on the primary, with or without its replica."""
    import psycopg

    from ledger.connection import driver_said
    from ledger.store import StoreConfigError, _postgres_parts, _without_password, is_postgres

    if not replica:
        return
    unset = "or unset it to read from the store itself"
    unset_zh = "或不设置它以直接读取存储本身"
    if not (is_postgres(primary) and is_postgres(replica)):
        raise ReplicaInvalid(
            "LEDGER_READ_DATABASE_URL needs LEDGER_DATABASE_URL and itself on PostgreSQL (postgresql://…, a streaming"
            f" replica of the primary); fix it, {unset}",
            "LEDGER_READ_DATABASE_URL 要求 LEDGER_DATABASE_URL 和它自身都是 PostgreSQL（postgresql://…，主库的流复制"
            f"备库）；请修正它，{unset_zh}")
    shown = _without_password(replica)
    try:
        parts = _postgres_parts(replica)
    except StoreConfigError as err:
        raise ReplicaInvalid(str(err).replace("LEDGER_DATABASE_URL", "LEDGER_READ_DATABASE_URL"),
                             (err.zh or str(err)).replace("LEDGER_DATABASE_URL", "LEDGER_READ_DATABASE_URL")) from None
    where = f"{parts['host']}:{parts['port']}"
    try:
        with psycopg.connect(host=parts["host"], port=parts["port"], user=parts["user"],
                             password=parts["password"] or None, dbname=parts["dbname"],
                             connect_timeout=int(parts["connect_timeout"]),
                             application_name="award-ledger check") as conn:
            standby = conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # type: ignore[index]
    except psycopg.Error as err:
        said = driver_said(err)
        raise StoreRefused(
            f"cannot open the read replica LEDGER_READ_DATABASE_URL {shown!r} at {where}: {said}. Start the replica,"
            f" fix LEDGER_READ_DATABASE_URL, {unset}",
            f"无法打开只读备库 LEDGER_READ_DATABASE_URL {shown!r}（{where}）：{_pg_reason_zh(said)}。请启动备库、"
            f"修正 LEDGER_READ_DATABASE_URL，{unset_zh}") from None
    if not standby:
        raise ReplicaInvalid(
            f"LEDGER_READ_DATABASE_URL {shown!r} names a server that is not a streaming replica (it is not in"
            f" recovery): queries there would never see the primary's writes. Point it at a standby of"
            f" LEDGER_DATABASE_URL, {unset}",
            f"LEDGER_READ_DATABASE_URL {shown!r} 指向的服务器不是流复制备库（未处于恢复状态），在那里查询永远看不到"
            f"主库的写入。请将它指向 LEDGER_DATABASE_URL 的备库，{unset_zh}")


def _pg_reason_zh(said: str) -> str:
    """What PostgreSQL or libpq said, as a Chinese reader is told it."""
    if found := re.search(r'database "([^"]+)" does not exist', said):
        return f"服务器上没有数据库 {found[1]!r}"
    if found := re.search(r'role "([^"]+)" does not exist', said):
        return f"服务器上没有用户 {found[1]!r}"
    if "authentication failed" in said or "no password supplied" in said:
        return "身份认证失败"
    if "Connection refused" in said:
        return "连接被拒绝，该地址和端口上没有服务器在监听"
    if "timeout" in said:
        return "连接超时"
    return "连接失败"


def permission_denied(err: BaseException, url: str) -> tuple[str, str] | None:
    """(English, Chinese) when `err` is, or was raised from, PostgreSQL refusing the user a table or schema
    ("permission denied for schema public": since PostgreSQL 15 only the database's owner may create tables in
    it), or a SQLite file this process may not write ("attempt to write a readonly database": it was told to
    start the database), else None."""
    from ledger.store import _postgres_parts, is_postgres, sqlite_path

    seen: BaseException | None = err
    for _ in range(8):
        if seen is None:
            return None
        if "permission denied" in str(seen) or "readonly database" in str(seen):
            break
        seen = seen.__cause__ or seen.__context__
    else:
        return None
    said = " ".join(str(seen).split())
    if not is_postgres(url):
        if "readonly database" not in said:
            return None
        path = sqlite_path(url)
        return (f"this process may not write the SQLite store {path} ({said}). Make the file, its -wal and -shm"
                " files and their folder writable by the user the ledger runs as, or point LEDGER_DATABASE_URL at"
                " a file it may write, then start again",
                f"本进程无权写入 SQLite 存储 {path}（{said}）。请让运行台账的用户可写该文件、其 -wal 和 -shm 文件及所在"
                "文件夹，或将 LEDGER_DATABASE_URL 指向可写的文件，然后重新启动")
    parts = _postgres_parts(url)
    user, db = parts["user"], parts["dbname"]
    return (f"the PostgreSQL user {user!r} may not create or use the ledger's tables in {db!r} ({said}). Give the"
            f" database to that user (`ALTER DATABASE {db} OWNER TO {user}`, or `createdb -O {user} {db}` for a new"
            f" one), or grant it the schema (`GRANT USAGE, CREATE ON SCHEMA public TO {user}`) and, where the ledger's"
            f" tables are there already, them (`GRANT ALL ON ALL TABLES IN SCHEMA public TO {user}`), then start"
            " again",
            f"PostgreSQL 用户 {user!r} 无权在数据库 {db!r} 中创建或使用台账的表（{said}）。请把该数据库交给该用户"
            f"（`ALTER DATABASE {db} OWNER TO {user}`，新建则用 `createdb -O {user} {db}`），或授予其 schema 权限"
            f"（`GRANT USAGE, CREATE ON SCHEMA public TO {user}`），台账的表已存在时再授予表权限"
            f"（`GRANT ALL ON ALL TABLES IN SCHEMA public TO {user}`），然后重新启动")
