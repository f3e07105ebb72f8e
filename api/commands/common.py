"""What every subcommand shares: its settings, logging, progress lines, and a refusal for work not yet in this
version."""
from __future__ import annotations

import argparse
import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from api.cli_language import READS_ONLY, language, refuse, then, tr
from api.settings import Settings
from projections.progress import Progress


def settings(args: argparse.Namespace) -> Settings:
    """The settings, ./.env, the principals file and the store checked first (api/commands/preflight.py)."""
    from api.commands import preflight

    overrides = {k: v for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
                 if v is not None}
    config = preflight.settings(overrides)
    if getattr(args, "command", None) in (*READS_ONLY, "receipt"):  # receipt only reads too (a regression probe)
        preflight.check_holds_a_ledger(config.database_url, args.command)
    elif getattr(args, "command", None) not in (None, "verify-receipt"):
        preflight.check_no_foreign_events(config.database_url, args.command)
    return config


def configure_logging(settings: Settings) -> None:
    from api.logs import configure

    configure(settings)  # LEDGER_LOG_FORMAT, as serve's; a no-op when logging is set up already


ROLE_ZH = {"auditor": "审计", "admin": "管理员", "bureau": "部门"}


def acting_as(command: str, name: str, default: str, config: Settings) -> str | None:
    """`--as NAME` as the ledger will record it (the event's `by`), or None once refused (the caller exits 2,
    having recorded nothing). The name passes the text check every name the API takes passes (no control or
    invisible characters, not empty, bounded: ledger/domain/text.py). With LEDGER_AUTH_FILE set, a name the
    file lists must be one of its finance principals, and a name it does not list is refused unless it is the
    command's own `default`, so a typo never becomes the principal a close or an import is recorded under."""
    from ledger.domain.text import InvalidText, clean_text

    try:
        cleaned = clean_text(name, "--as", field_zh="--as ")
    except InvalidText as err:
        refuse(command, "argument_invalid",
               f"{err.detail}; give the finance principal's name (default {default}). Nothing was recorded",
               then(err.zh or err.detail, f"请给出财政账号的名称（默认 {default}）。未记录任何内容"))
        return None
    from ledger.principals import Role

    if config.auth_file is None:
        # The development principals are the ones in force (api/dev_principals.py): one of another role is refused
        # (an audit probe had `close --as dev-auditor` record an auditor closing a year); another name is taken, as
        # there is no list of people to hold it to.
        import unicodedata

        from api.dev_principals import people
        from ledger.domain.values import a_or_an

        # Compared as a reader reads it: DEV-ADMIN and a full-width dev-auditor are those principals (a regression
        # probe closed a year as DEV-ADMIN).
        read = unicodedata.normalize("NFKC", cleaned).casefold()
        role = {name: fields["role"] for name, fields in people()}.get(read)
        if role is None or role == Role.FINANCE.value:
            return cleaned
        refuse(command, "argument_invalid",
               f"--as {cleaned!r} is the development {role}, not finance: {a_or_an(role)} does not record this."
               f" Give the finance principal (dev-finance), or leave --as out to record {default}. Nothing was"
               " recorded",
               f"--as {cleaned!r} 是开发用的{ROLE_ZH.get(role, role)}主体，不是财政：此操作不能由其记录。请给出财政主体"
               f"（dev-finance），或不给 --as 以记为 {default}。未记录任何内容")
        return None
    from api.auth import load

    known = {p.name: p.role for _, p in load(config.auth_file).entries}
    if known.get(cleaned, Role.FINANCE if cleaned == default else None) is Role.FINANCE:
        return cleaned
    finance = ", ".join(sorted(n for n, role in known.items() if role is Role.FINANCE)) or "none"
    finance_zh = "、".join(sorted(n for n, role in known.items() if role is Role.FINANCE)) or "无"
    refuse(command, "argument_invalid",
           f"--as {cleaned!r} is not a finance principal of LEDGER_AUTH_FILE ({config.auth_file}); give one of its"
           f" finance principals ({finance}), or leave --as out to record {default}. Nothing was recorded",
           f"--as {cleaned!r} 不是 LEDGER_AUTH_FILE（{config.auth_file}）中的财政主体；请给出其中的财政主体"
           f"（{finance_zh}），或不给 --as 以记为 {default}。未记录任何内容")
    return None


# A stage read up to a log position, counted so: PostgreSQL leaves gaps in positions (a rolled-back save), so a count
# of them is no count of events (a regression probe read "320/320 events" of a store holding 304).
POSITIONS = ("log positions", "个日志位置")


def stage(command: str, starting: tuple[str, str], counted: tuple[str, str], total: int | None = None,
          unit: tuple[str, str] = ("events", "个事件"), rated: bool = True) -> Progress:
    """A long-running stage's progress on stderr, in the reader's language (projections.progress.Progress): tqdm's
    bar on a terminal; off one, `starting` said as the stage starts and, when it is closed, one line with what was
    `counted`, the count and the time. Each pair is (English, Chinese)."""
    zh = language() == "zh"
    if not rated:  # a wait: why, said on a terminal too, above its bar (a bare "waited" bar said nothing of it)
        say(command, tr(*starting))
    bar = Progress(tr(f"award-ledger {command}: {counted[0]}", f"award-ledger {command}: {counted[1]}"), tr(*unit),
                   total=total, zh=zh, rated=rated)
    if rated and not bar.live:  # a terminal sees the bar itself from its start
        say(command, tr(*starting))
    return bar


KEY_LIMIT = 64 * 1024  # a PEM public key is a few hundred bytes
# A saved digest file: the dashboard's bound, api/web/audit_digest.MAX_BYTES (not imported from there: importing
# api.web on its own is circular; tests/api/test_cli_input_limits.py holds the two equal).
DIGEST_LIMIT = 64 * 1024
KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)", "命名管道（FIFO）"), (stat.S_ISDIR, "a folder", "文件夹"),
         (stat.S_ISCHR, "a device", "设备"), (stat.S_ISBLK, "a device", "设备"), (stat.S_ISSOCK, "a socket", "套接字"))


def read_input(command: str, path: str | Path, limit: int, what: tuple[str, str],
               next_step: tuple[str, str], unreadable: str = "file_unreadable", *,
               stdin: bool = False) -> bytes | None:
    """The bytes of the regular file at `path`, at most `limit` of them; or None once refused (the caller exits 2):
    `file_unreadable` for a path that is not a regular file (a FIFO would block, a device such as /dev/zero never
    ends, a folder has no bytes), `file_too_large` for one larger than `limit` (its size as the file system says,
    then as read, at most limit + 1 bytes, since a size can lie). `what` names the file, `next_step` says what to
    do, each (English, Chinese); `unreadable` is the code the command documents for a file it cannot read
    (`receipt_unreadable`, `digest_unreadable`). An OSError opening it (no such file, no permission) is the
    caller's to word. `stdin`: "-" reads standard input, as the same bounds hold (not a terminal: nothing to wait
    for there but a person, who is told to pipe the file in)."""
    if stdin and str(path) == "-":
        if sys.stdin is None or sys.stdin.isatty():
            refuse(command, unreadable, f"- reads {what[0]} from standard input, which is a terminal here; pipe it in"
                   f" (`award-ledger receipt ID --output - | award-ledger {command} - ...`) or give its file. Nothing"
                   " was done", f"- 表示从标准输入读取{what[1]}，而此处标准输入是终端；请用管道传入（`award-ledger"
                   f" receipt ID --output - | award-ledger {command} - ...`），或给出文件路径。未做任何操作")
            return None
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            refuse(command, "file_too_large", f"standard input holds more than {limit:,} bytes, the most {what[0]}"
                   f" may be; {next_step[0]}. Nothing was done",
                   f"标准输入超过 {limit:,} 字节，{what[1]}最多 {limit:,} 字节；{next_step[1]}。未做任何操作")
            return None
        return raw
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))  # a FIFO's open never blocks
    try:
        mode = os.fstat(fd)
        if not stat.S_ISREG(mode.st_mode):
            kind, kind_zh = next(((en, zh) for test, en, zh in KINDS if test(mode.st_mode)),
                                 ("not a regular file", "不是普通文件"))
            # `next_step` is for a file that can be read (a smaller one, a valid one): here, the path is at fault.
            refuse(command, unreadable, f"{path} is {kind}, not a regular file, so {what[0]} cannot be read"
                   f" from it; give the path of {what[0]} saved as a file. Nothing was done",
                   f"{path} 是{kind_zh}而不是普通文件，无法从中读取{what[1]}；请给出保存为文件的{what[1]}的路径。"
                   "未做任何操作")
            return None
        os.set_blocking(fd, True)
        chunks, size = [], 0
        if mode.st_size <= limit:
            while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
                chunks.append(chunk)
                size += len(chunk)
        if mode.st_size > limit or size > limit:
            refuse(command, "file_too_large", f"{path} is larger than {limit:,} bytes, the most {what[0]} may be;"
                   f" {next_step[0]}. Nothing was done",
                   f"{path} 超过 {limit:,} 字节，{what[1]}最多 {limit:,} 字节；{next_step[1]}。未做任何操作")
            return None
        return b"".join(chunks)
    finally:
        os.close(fd)


FORMATS = ("json", "csv", "xlsx")


def output_format(command: str, output: str | None, given: str | None, default: str) -> str | None:
    """The format an --output file is written in: --format, else its extension, else `default`; None (refused,
    exit 2 to give) for an extension naming a format the command does not write: `export --output x.xlsx` wrote
    CSV under that name, and `simulate --output x.pdf` JSON (a README probe, a sandbox probe)."""
    if given:
        return given
    suffix = Path(output).suffix.lstrip(".").lower() if output and output != "-" else ""
    if not suffix:
        return default
    if suffix in FORMATS:
        return suffix
    refuse(command, "argument_invalid", f"--output {output}: .{suffix} is not a format {command} writes; name the"
           " file .json, .csv or .xlsx, or give --format json|csv|xlsx",
           f"--output {output}：{command} 不能写出 .{suffix} 格式；请将文件命名为 .json、.csv 或 .xlsx，"
           "或用 --format json|csv|xlsx 指定格式")
    return None


def say(name: str, message: str) -> None:
    """A progress or outcome line (refusals go through api.cli_language.refuse, with a code, in both languages)."""
    print(f"award-ledger {name}: {message}", file=sys.stderr, flush=True)


def not_yet(name: str, what: str, issue: int) -> Callable[[argparse.Namespace], int]:
    def not_available(args: argparse.Namespace) -> int:
        refuse(name, "not_available", f"not yet available: {what} comes with issue {issue}. Nothing was done.",
               f"此功能尚未提供：{what} 将随第 {issue} 号议题提供。未做任何操作。")
        return 3

    return not_available


# The files the ledger runs on (the SQLite store and its journals, the signing key, the principals), by what they
# are, which no --output may name: a rename over the store put a 2 KB CSV in place of the ledger, exit 0 (an
# operations probe).
class ProtectedOutput(OSError):
    """An --output naming one of the ledger's own files; `zh` says so in Chinese."""

    def __init__(self, path: Path, what: tuple[str, str]) -> None:
        super().__init__(errno.EEXIST, f"it is the ledger's {what[0]}, which an output never replaces", str(path))
        self.zh = f"它是台账的{what[1]}，输出文件不能覆盖它"


class UnreadableName(ProtectedOutput):
    """An --output whose name holds a control or invisible character (a hostile-input probe wrote `x\x01y.csv`):
    no one could read or type the file's name back; refused as a protected file is, before any work."""

    def __init__(self, path: Path, char: str) -> None:
        OSError.__init__(self, errno.EINVAL, f"its name holds the control or invisible character U+{ord(char):04X},"
                         " which no one could read or type back; give a name without it", str(path))
        self.zh = f"文件名中含有控制字符或不可见字符 U+{ord(char):04X}，无法辨认或输入；请换一个不含该字符的文件名"


def _protected(config: Settings) -> dict[Path, tuple[str, str]]:
    """The ledger's own files as the settings name them. A store named through a link keeps its journals beside
    the file the link names (SQLite's), so both places count (a regression probe wrote the real -wal)."""
    from api.signing import DEFAULT_KEY  # the key serve and the commands make when the setting is unset
    from ledger.store import SQLITE_SHARED_MEMORY, is_postgres, sqlite_path

    files: dict[Path, tuple[str, str]] = {}
    if not is_postgres(config.database_url):
        store = sqlite_path(config.database_url)
        if store != SQLITE_SHARED_MEMORY and not store.startswith("file:"):
            for base in dict.fromkeys((store, os.path.realpath(store))):
                for suffix in ("", "-wal", "-shm", "-journal"):
                    files[Path(base + suffix)] = ("store (LEDGER_DATABASE_URL)", "存储（LEDGER_DATABASE_URL）")
    files[config.signing_key_file or DEFAULT_KEY] = ("signing key (LEDGER_SIGNING_KEY_FILE)",
                                                    "签名私钥（LEDGER_SIGNING_KEY_FILE）")
    if config.auth_file is not None:
        files[config.auth_file] = ("principals file (LEDGER_AUTH_FILE)", "身份文件（LEDGER_AUTH_FILE）")
    return files


def refuse_protected(path: Path) -> None:
    """Raise ProtectedOutput when `path` is one of the ledger's own files: by name, through a symbolic link, or as
    another hard link to it (a regression probe: written in place, a hard link replaced the store's bytes). The
    settings are read here, where it is asked, not kept from an earlier command. A name no one could read back
    (a control or invisible character in it) is UnreadableName."""
    from ledger.domain.text import bad_character

    if (char := bad_character(str(path))) is not None:
        raise UnreadableName(path, char)
    files = _protected(Settings())
    real = os.path.realpath(path)
    try:
        found = os.stat(path)
        inode: tuple[int, int] | None = (found.st_dev, found.st_ino)
    except OSError:
        inode = None
    for file, what in files.items():
        if os.path.realpath(file) == real:
            raise ProtectedOutput(path, what)
        if inode is not None:
            try:
                theirs = os.stat(file)
            except OSError:
                continue
            if (theirs.st_dev, theirs.st_ino) == inode:
                raise ProtectedOutput(path, what)


def write_whole(path: Path, content: bytes) -> None:
    """`content` written to `path` whole or not at all: into a file beside it, then renamed over it, so a write
    that fails part-way (a full disk, a file-size limit) leaves what was there before, not a file cut short (an
    operator probe's earlier export was lost to 3,729 bytes of the new one). Written as it is, as before: a path
    that is there and is not a regular file (a pipe, a device: renaming over it would replace the device); a path
    through /dev or /proc (`/dev/stdout` redirected to a file names that file, which a rename would take from the
    shell: a regression probe); a file of several hard links (a rename would part them). A file this process may
    not write is refused as a write to it would be, not renamed over; one of the ledger's own files is refused
    whole (`ProtectedOutput`). OSError as the write's own."""
    refuse_protected(path)
    try:
        found = path.stat(follow_symlinks=True)
    except FileNotFoundError:
        found = None
    if found is not None and (stream := _standard_stream(found)) is not None:
        stream.flush()  # `--output /dev/stdout`: written as `-` is, where the stream stands (no truncation)
        stream.buffer.write(content)
        stream.flush()
        return
    if (found is not None and (not stat.S_ISREG(found.st_mode) or found.st_nlink > 1)) \
            or str(path.absolute()).startswith(("/dev/", "/proc/")):
        path.write_bytes(content)
        return
    if found is not None and not os.access(path, os.W_OK):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    mode = None if found is None else found.st_mode
    target = path.resolve()  # a link's file is replaced, not the link
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, stat.S_IMODE(mode) if mode is not None else 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _standard_stream(found: os.stat_result) -> TextIO | None:
    """stdout or stderr, when `found` is the file one of them writes to (`/dev/stdout` named as --output)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            mine = os.fstat(stream.fileno())
        except (AttributeError, OSError, ValueError):  # a stream with no descriptor (captured)
            continue
        if (mine.st_dev, mine.st_ino) == (found.st_dev, found.st_ino):
            return stream
    return None
