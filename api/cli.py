"""`award-ledger`: serve the API, keep or rebuild the read models; each failure says what to do next."""
from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any, NoReturn

import psycopg
from eventsourcing import persistence
from pydantic import ValidationError

from api import cli_language
from api.auth import AuthFileError
from api.cli_language import events, reason_zh, refuse, then, tr, whole_number
from api.commands import (
    chain_check,
    close,
    demo,
    export,
    preflight,
    receipt,
    recheck,
    reconcile,
    replay,
    simulate,
    verify,
)
from api.settings import MOST_WORKERS, Settings
from api.version import installed
from ledger.audit.signing import UnreadableKey
from ledger.connection import STORE_ERRORS
from ledger.domain.errors import LedgerError
from ledger.domain.text import cut
from ledger.store import StoreConfigError

PROGRESS_SECONDS = 5.0
COMMANDS = [verify, export, demo, replay, reconcile, recheck, simulate, receipt, close]
def _settings(args: argparse.Namespace) -> Settings:
    from api.commands.common import settings

    return settings(args)


def serve(args: argparse.Namespace) -> int:
    """Run the HTTP API under uvicorn until SIGINT or SIGTERM."""
    from api.logs import log_config

    settings = _settings(args)
    preflight.check_replica(settings.database_url, settings.read_database_url)
    workers = settings.workers if args.workers is None else args.workers
    if workers > 1 and (settings.projector != "external" or settings.auth_file is None):
        # Each worker would run its own projector, or generate its own development tokens.
        return _fail("workers_need_external",
                     f"--workers {workers} needs LEDGER_PROJECTOR=external (run `award-ledger project` beside it)"
                     " and LEDGER_AUTH_FILE set; fix the variables (see .env.example) or run one worker",
                     f"--workers {workers} 需要 LEDGER_PROJECTOR=external（并在旁边运行 `award-ledger project`）且设置"
                     " LEDGER_AUTH_FILE；请修正这些变量（见 .env.example），或只运行一个工作进程")
    logs = log_config(settings)
    _logging(settings)
    from api.connections import warn_if_misfit

    warn_if_misfit(settings, workers)
    with _metrics_folder():
        return _run(settings, workers, logs)


def _cannot_listen(host: str, port: int) -> tuple[str, str, str] | None:
    """Why `serve` could not listen on host:port, as (code, English, Chinese), or None when it can: tried here,
    before uvicorn (whose own failure is a log line and exit 3, and which, with --workers, binds in the parent
    just the same). `address_in_use`: another process listens there; `host_invalid`: not an address (or name)
    of this machine; `cannot_listen`: anything else the system refuses (a port below 1024 without the right)."""
    import errno
    import socket

    where = f"{host}:{port}"
    bad_host = ("host_invalid",
                f"cannot listen on {where}: {host!r} is not an address of this machine. Give --host (or LEDGER_HOST)"
                " an address it has, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)",
                f"无法在 {where} 上监听：{host!r} 不是本机的地址。请用 --host（或 LEDGER_HOST）给出本机的地址，"
                "如 127.0.0.1（仅本机可访问）或 0.0.0.0（所有网卡）")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError):
        return bad_host
    family, kind, proto, _, address = found[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
            probe.listen(1)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            return ("address_in_use",
                    f"cannot listen on {where}: another process is listening there. Give another port with --port"
                    " (or LEDGER_PORT), or stop the other process (`ss -ltnp` shows which it is)",
                    f"无法在 {where} 上监听：已有其他进程在该端口监听。请用 --port（或 LEDGER_PORT）换一个端口，"
                    "或停止那个进程（`ss -ltnp` 可查看是哪个进程）")
        if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            return bad_host
        return ("cannot_listen",
                f"cannot listen on {where}: {err.strerror}. Give another --port (a port below 1024 needs the right"
                " to bind it) or --host",
                f"无法在 {where} 上监听：{cli_language.os_reason_zh(err)}。请用 --port 换一个端口（1024 以下的端口"
                "需要相应权限）或用 --host 换一个地址")
    return None


def _run(settings: Settings, workers: int, logs: dict) -> int:
    import uvicorn

    from api.app import create_app

    # Where it listens first: a refusal writes nothing, and the app writes development tokens when it has none.
    if (refused := _cannot_listen(settings.host, settings.port)) is not None:
        return _fail(*refused)
    app = create_app(settings)  # refuses a bad store URL or principals file here, before uvicorn starts
    # The request log (api/logs.py) replaces uvicorn's access log: one line a request, with its id.
    # httptools, except that a connection offering an upgrade other than WebSocket (Java's HttpClient offers h2c on
    # plain HTTP) is handed to h11, whose body httptools would drop (uvicorn #2722): api/http_protocol.py.
    options = {"host": settings.host, "port": settings.port, "log_level": settings.log_level, "log_config": logs,
               "access_log": False, "http": "api.http_protocol:Protocol"}
    try:
        if workers > 1:  # each worker process builds its own app from the same LEDGER_* environment
            # uvicorn's supervisor kills a worker whose health check is unanswered for 5 s: a busy one on two cores
            # (its answering thread starved of the interpreter) was killed with every request it held
            uvicorn.run("api.app:create_app", factory=True, workers=workers,
                        timeout_worker_healthcheck=settings.worker_healthcheck, **options)
        else:
            uvicorn.run(app, **options)
    except SystemExit as stopped:  # uvicorn's exit 3: the app did not start, and the log says why
        from api.logs import STARTUP_REFUSAL

        if stopped.code != 3 or not STARTUP_REFUSAL:
            raise
        refused = STARTUP_REFUSAL[-1]
        return _fail(refused.code, str(refused), refused.zh or (
            f"服务未能启动：无法打开存储或只读备库（{refused}）。请启动数据库（或只读备库），"
            "或修正 LEDGER_DATABASE_URL（或 LEDGER_READ_DATABASE_URL）后重新启动"))
    return 0


@contextmanager
def _metrics_folder() -> Iterator[None]:
    """PROMETHEUS_MULTIPROC_DIR for this server's workers: each writes its counts there, a scrape of any one adds
    them all up. A folder of our own, made before prometheus-client is imported and removed when serving ends;
    one the operator set is used as it is."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    folder = tempfile.mkdtemp(prefix="award-ledger-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(folder, ignore_errors=True)


def project(args: argparse.Namespace) -> int:
    """Keep the read models up to date from the event log, printing progress, until SIGTERM or Ctrl-C."""
    from api.startup import one_at_a_time
    from ledger import collector
    from ledger.application import AwardLedger
    from ledger.store import PROJECTOR_POOL, store_env
    from projections.readmodels import ReadModels
    from projections.runner import Projector

    settings = _settings(args)
    _logging(settings)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    with ExitStack() as opened:
        with one_at_a_time(settings.database_url):  # the API's workers may be creating the tables too
            ledger = AwardLedger(store_env(settings.database_url, pool=PROJECTOR_POOL))
            opened.callback(ledger.close)
            read_models = ReadModels.open(settings.database_url)
            opened.callback(read_models.close)
        # The API's workers wait on what this process applies: it tells them (projections/applied.py).
        projector = Projector(settings.database_url, app=ledger, announce=True)
        opened.enter_context(collector.quiet())  # as the API does while it serves (ledger/collector.py)
        projector.start()
        opened.callback(projector.stop)

        def say(text: str) -> None:
            # A service's stderr is its log: under LEDGER_LOG_FORMAT=json each line is a JSON object too (an ops
            # probe's log shipper met these plain lines between the JSON ones).
            if settings.log_format == "json":
                logging.getLogger("award_ledger.project").info("award-ledger project: %s", text)
            else:
                print(f"award-ledger project: {text}", file=sys.stderr, flush=True)

        say(tr("following the event log into the read models; stop with SIGTERM or Ctrl-C",
               "正在按事件日志更新读模型；用 SIGTERM 或 Ctrl-C 停止"))
        reported: object = None
        while not stop.wait(PROGRESS_SECONDS if reported else 0.5):
            try:
                now: object = (read_models.position(), read_models.lag())
            except STORE_ERRORS as err:
                # A brief disconnect is no reason to exit: the projector reconnects with backoff, and /readyz
                # says not-ready meanwhile. Say so once, and go on.
                now = tr(f"the store does not answer ({type(err).__name__}); retrying",
                         f"存储没有响应（{type(err).__name__}）；正在重试")
            if now != reported:
                text = now if isinstance(now, str) else tr(f"at event {now[0]:,}, {now[1]:,} behind",
                                                           f"位于第 {now[0]:,} 个事件，落后 {now[1]:,} 个")
                say(text)
                reported = now
    say(tr("stopped", "已停止"))
    return 0


def rebuild(args: argparse.Namespace) -> int:
    """Rebuild every read model from the event log, printing progress with a rate; the chain is verified first,
    and a tampered store refused (exit 1) unless --accept-tampered."""
    from projections.progress import ProgressBar
    from projections.runner import rebuild as rebuild_read_models

    settings = _settings(args)
    _logging(settings)
    if not chain_check.intact("rebuild", settings.database_url, accept_tampered=args.accept_tampered):
        return 1
    started, bar = time.monotonic(), ProgressBar(zh=cli_language.language() == "zh")
    try:
        applied = rebuild_read_models(settings.database_url, progress=bar)
    except STORE_ERRORS:
        raise  # said by main: the store is away
    except Exception as err:  # an event the read models cannot apply: nothing was swapped in
        said = f"{type(err).__name__}: {str(err).strip()[:300]}"
        return _fail("rebuild_stopped", f"rebuild stopped: {said}. The read models still serve as before the"
                     " rebuild; see /readyz for the event that fails, then run it again",
                     f"重建已停止：{said}。读模型仍按重建前的状态提供服务；"
                     "请在 /readyz 查看出错的事件，处理后再运行一次")
    finally:
        bar.close()
    took = time.monotonic() - started
    print("award-ledger rebuild: " + tr(f"{events(applied)} applied in {took:.1f} s",
                                        f"已应用 {applied:,} 个事件，用时 {took:.1f} 秒"), file=sys.stderr, flush=True)
    return 0


_LONG_QUOTE = re.compile(r"'([^']{41,})'")


class Parser(argparse.ArgumentParser):
    """argparse, whose refusals (exit 2, the usage above them) carry a code and read in the reader's language;
    every subcommand's parser is one too (add_subparsers makes them of the parent's class)."""

    def format_help(self) -> str:
        text = super().format_help()
        return cli_language.help_zh(text) if cli_language.language() == "zh" else text

    def error(self, message: str) -> NoReturn:
        # A value argparse quotes back (an invalid choice) in 40 characters at most, as every other refusal quotes
        # what was sent (ledger/domain/text.py `cut`): 3,000 characters came back whole (a regression probe).
        message = _LONG_QUOTE.sub(lambda found: f"'{cut(found[1])}'", message)
        zh = cli_language.language() == "zh"
        usage = self.format_usage()
        self._print_message(usage.replace("usage: ", "用法：", 1) if zh else usage, sys.stderr)
        # What to do next, in English as in Chinese (an operations probe: only the Chinese said it).
        said = cli_language.argparse_zh(message) if zh else f"{message.rstrip('.')}. See the usage above, or add" \
            " --help for more"
        self.exit(2, f"{self.prog}: [argument_invalid] {said}\n")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="award-ledger", description=tr(
        "Books of the Binjiang 2022 two-chains policy. Settings come from LEDGER_* variables (see .env.example).",
        "滨江区《推动创新链产业链“两链”深度融合的若干政策》（2022）的奖补台账。设置取自 LEDGER_* 环境变量"
        "（见 .env.example）。"))
    parser.add_argument("--version", action="version", version=f"award-ledger {installed()}",
                        help=tr("print the version and exit", "显示版本号并退出"))  # was "COMMAND required" (a probe)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve_cmd = commands.add_parser("serve", help=tr("run the HTTP API (docs at /docs)",
                                                      "运行 HTTP 接口服务（文档见 /docs）"))
    serve_cmd.add_argument("--host", help=tr("address to listen on (LEDGER_HOST, default 127.0.0.1)",
                                              "监听地址（LEDGER_HOST，默认 127.0.0.1）"))
    serve_cmd.add_argument("--port", type=whole_number(1, 65535), help=tr(
        "port to listen on (LEDGER_PORT, default 8000)", "监听端口（LEDGER_PORT，默认 8000）"))
    serve_cmd.add_argument("--workers", type=whole_number(minimum=1, maximum=MOST_WORKERS), help=tr(
        "uvicorn worker processes (LEDGER_WORKERS, default 1)", "uvicorn 工作进程数（LEDGER_WORKERS，默认 1）"))
    serve_cmd.set_defaults(run=serve)
    commands.add_parser("project", help=tr("keep the read models up to date, in the foreground",
                                            "在前台持续更新读模型")).set_defaults(run=project)
    rebuild_cmd = commands.add_parser("rebuild", help=tr(
        "verify the chain, then rebuild the read models from the event log", "核验防篡改链，然后从事件日志重建读模型"))
    chain_check.add_flag(rebuild_cmd)
    rebuild_cmd.set_defaults(run=rebuild)
    for module in COMMANDS:
        module.register(commands)
    return parser


def subcommand_names() -> list[str]:
    """Every subcommand the CLI accepts (the deployment-files test checks the compose commands against it)."""
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


class _GuardedStdout:
    """stdout as the commands use it, a write it cannot take (a full disk, a closed stdout) noted, not raised: the
    command goes on and ends as it would, and main then says the document was lost (an operations probe: `verify
    --json > /dev/full` crashed with exit 1, tampering's code, and with stdout closed its report went nowhere, exit
    0; a regression probe: raising at once, `close >&-` had closed the year and then said it refused). A reader gone
    away (`| head`) stays BrokenPipeError, exit 141. Nothing written, nothing noted: a closed stdout that a command
    never writes to is no failure."""

    def __init__(self, stream: Any, failures: list[OSError | None] | None = None) -> None:
        self._stream = stream
        self.failures: list[OSError | None] = [] if failures is None else failures

    def _guarded(self, method: str, *args: Any) -> Any:
        if self._stream is None:
            if args and args[0]:
                self.failures.append(None)
            return len(args[0]) if args else None
        try:
            return getattr(self._stream, method)(*args)
        except BrokenPipeError:
            raise
        except OSError as err:
            self.failures.append(err)
            return len(args[0]) if args else None

    def write(self, data: Any) -> Any:
        return self._guarded("write", data)

    def flush(self) -> None:
        self._guarded("flush")

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    @property
    def buffer(self) -> _GuardedStdout:
        return _GuardedStdout(None if self._stream is None else self._stream.buffer, self.failures)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    real = sys.stdout
    guard = _GuardedStdout(real)
    sys.stdout = guard  # type: ignore[assignment]
    cli_language.refusals_as_documents_off()  # a run's --json is its own (tests run many in one process)
    try:
        code = _main(argv)
        guard.flush()  # what is buffered goes now, where a failure can still be said (not at exit)
    finally:
        sys.stdout = real
        cli_language.refusals_as_documents_off()
    if not guard.failures:
        return code
    err = guard.failures[0]
    reason = (err.strerror or str(err)) if err is not None else "stdout is closed"
    reason_zh = cli_language.os_reason_zh(err) if err is not None else "标准输出已关闭"
    # What the command did stands (a statement imported, a year closed); only its document was lost. A finding
    # (exit 1) or a refusal keeps its own exit; a command that succeeded exits 2.
    _fail("output_unwritable", f"cannot write the output to stdout: {reason}; what the command recorded or wrote"
          " elsewhere stands, only this document was lost. Free the space, open stdout, or give --output PATH where"
          " the command takes one, and run it again",
          then(f"无法将输出写入标准输出：{reason_zh}；命令已记录或写入别处的内容仍然有效，只是本次输出丢失",
               "请腾出空间、打开标准输出，或在命令支持时用 --output PATH 写入文件，然后重新运行"))
    return code if code != 0 else 2


def _main(argv: list[str] | None = None) -> int:
    if (unknown := cli_language.unknown_choice()) is not None:
        for line in cli_language.unknown_language_lines(unknown):  # the reader's language is what is unknown
            print(f"award-ledger: [language_unknown] {line}", file=sys.stderr)
        return 2
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # refused with the subcommand's own usage, as its other argument errors are (not the top level's)
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        action.choices[args.command].error(f"unrecognized arguments: {' '.join(cut(e) for e in extra)}")
    # pg_stat_activity names each connection's process (an operator's own PGAPPNAME is kept).
    os.environ.setdefault("PGAPPNAME", f"award-ledger {args.command}")
    if signal.getsignal(signal.SIGINT) is cli_language.interrupted_while_starting:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C from here on: the except below
    try:
        return args.run(args)
    except KeyboardInterrupt:
        # Ctrl-C: said, not a traceback. A command records in whole transactions, so what it saved stands and what
        # it had not saved was not recorded; the demo resumes where it stopped (its commands are idempotent).
        refuse(args.command, "interrupted", *cli_language.interrupted(args.command))
        # What the interrupt left half-way (a store connection's context, a pool) is finalised as the interpreter
        # exits, after its pool closed; Python would print each as "Exception ignored ... Traceback". Said once
        # above is enough.
        sys.unraisablehook = lambda _unraisable: None
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): nothing to say to it, and no finding (exit 1 is tampering's).
        # Python would print a second error flushing stdout at exit; point it at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except ValidationError as err:
        problems, problems_zh = cli_language.settings_problems(err.errors())
        return _fail("settings_invalid",
                     f"the settings are not valid: {problems}. Fix the variables (see .env.example)",
                     f"设置无效：{problems_zh}。请修正这些变量（见 .env.example）")
    except StoreConfigError as err:
        return _fail("database_url_invalid", str(err), reason_zh(err))
    except AuthFileError as err:
        return _fail("auth_file_invalid", str(err), reason_zh(err))
    except UnreadableKey as err:
        return _fail("signing_key_invalid", f"LEDGER_SIGNING_KEY_FILE: {err}. Point it at the ledger's Ed25519 private"
                     " key (PEM), or unset it to use var/signing-key.pem",
                     then(f"LEDGER_SIGNING_KEY_FILE：{reason_zh(err)}",
                          "请指向台账的 Ed25519 私钥（PEM），或不设置以使用 var/signing-key.pem"))
    except preflight.SettingsFileError as err:
        return _fail("settings_invalid", str(err), reason_zh(err))
    except preflight.StoreInvalid as err:
        return _fail("store_invalid", str(err), reason_zh(err))
    except preflight.StoreUnwritable as err:
        return _fail("store_forbidden", str(err), reason_zh(err))
    except preflight.ReplicaInvalid as err:
        return _fail("settings_invalid", str(err), reason_zh(err))
    except preflight.StoreRefused as err:
        return _fail("store_unreachable", str(err), reason_zh(err))
    except STORE_ERRORS as err:
        if (denied := preflight.permission_denied(err, os.environ.get("LEDGER_DATABASE_URL", ""))) is not None:
            return _fail("store_forbidden", *denied)  # a SQLite file it may not write: not a database to start
        return _store_unreachable(err)
    except (sqlite3.DatabaseError, persistence.DatabaseError) as err:  # the driver's, or eventsourcing's from it
        if (denied := preflight.permission_denied(err, os.environ.get("LEDGER_DATABASE_URL", ""))) is not None:
            return _fail("store_forbidden", *denied)
        said = _sqlite_said(err)
        if said is not None and "not a database" in said:  # its header passed preflight.check_store, the rest not
            return _fail("store_invalid", *_words(preflight.not_a_database(_sqlite_file())))
        if said is not None and "malformed" in said:
            file = _sqlite_file()
            return _fail("store_invalid", f"LEDGER_DATABASE_URL names {file}, a damaged SQLite database ({said})."
                         " Restore the ledger's file from a backup (then run `award-ledger verify`); the file was"
                         " left as it is",
                         f"LEDGER_DATABASE_URL 指向的 {file} 是已损坏的 SQLite 数据库。请从备份恢复台账文件"
                         "（然后运行 `award-ledger verify`）；该文件未被改动")
        raise
    except psycopg.Error as err:  # psycopg's own, where no eventsourcing recorder wrapped it (the audit chain's)
        if (denied := preflight.permission_denied(err, os.environ.get("LEDGER_DATABASE_URL", ""))) is not None:
            # a user without rights to the ledger's tables: exit 2, never a traceback and 1, which is tampering's
            # (an operations probe: verify, export, rebuild and replay crashed where recheck and demo refused)
            return _fail("store_forbidden", *denied)
        raise
    except LedgerError as err:  # a refusal no subcommand words itself: the ledger's own, with its code
        return _fail(err.code, err.detail, reason_zh(err))


def _store_unreachable(err: BaseException) -> int:
    from ledger.connection import driver_said, server_full

    if (full := server_full(err)) is not None:
        return _fail("store_unreachable", f"cannot open the store: {full[0]}", f"无法打开存储：{full[1]}")
    return _fail("store_unreachable",
                 f"cannot open the store: {driver_said(err)}. Start the database or fix"
                 " LEDGER_DATABASE_URL",
                 f"无法打开存储：{_store_reason_zh(err)}。请启动数据库，或修正 LEDGER_DATABASE_URL")


def _sqlite_said(err: BaseException) -> str | None:
    """What SQLite said, when `err` is, or was raised from, its DatabaseError other than an OperationalError
    (a locked or unopenable file: store_unreachable), else None."""
    seen: BaseException | None = err
    for _ in range(8):
        if seen is None:
            return None
        if isinstance(seen, sqlite3.DatabaseError) and not isinstance(seen, sqlite3.OperationalError):
            return str(seen)
        seen = seen.__cause__ or seen.__context__
    return None


def _sqlite_file() -> str:
    from ledger.store import sqlite_path

    try:
        return sqlite_path(Settings().database_url)
    except Exception:
        return "LEDGER_DATABASE_URL"


def _words(err: BaseException) -> tuple[str, str]:
    return str(err), reason_zh(err)


TIMED_OUT_ZH = "5 秒内未能连上数据库（数据库未运行、地址或端口不对，或网络不通）"


def _store_reason_zh(err: BaseException) -> str:
    """What the driver said, in Chinese: its English names the cause, which these words say again."""
    said = str(err)
    if waited := re.search(r"couldn't get a connection after ([\d.]+) sec", said):
        return f"{float(waited.group(1)):g} 秒内未能连上数据库（数据库未运行、地址或端口不对，或拒绝了连接）"
    for english, zh in (("Connection refused", "连接被拒绝：该地址和端口上没有数据库在监听"),
                        ("password authentication failed", "密码认证失败"), ("does not exist", "数据库或用户不存在"),
                        ("timeout expired", TIMED_OUT_ZH), ("unable to open database file", "无法打开数据库文件"),
                        ("database is locked", "数据库被其他进程锁定")):
        if english in said:
            return zh
    return f"数据库报错（{type(err).__name__}）"


def _fail(code: str, en: str, zh: str) -> int:
    refuse(None, code, en, zh)
    return 2


def _logging(settings: Settings) -> None:
    from api.logs import configure

    configure(settings)  # LEDGER_LOG_FORMAT: JSON lines by default, as serve's


if __name__ == "__main__":
    sys.exit(main())
