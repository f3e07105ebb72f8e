"""The command line's reader's language, and its refusals worded in it.

LEDGER_LANG (zh or en) wins; otherwise the first of the POSIX locale variables LC_ALL, LC_MESSAGES and LANG
that is set and not empty: a value starting with "zh" (zh_CN.UTF-8, zh_TW) is Chinese, anything else (C, POSIX,
en_US.UTF-8) English, as is no variable at all. Every refusal reads `award-ledger[ COMMAND]: [code] text`: the
code is the same in both languages, the text is the reader's. Both wordings sit side by side at each call site.
"""
from __future__ import annotations

import errno
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

SUPPORTED = ("zh", "en")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _environment() -> Mapping[str, str]:
    """The variables, with LEDGER_LANG from ./.env where the environment has none: every other setting is read from
    there too (an operations probe: `LEDGER_LANG=zh` in .env was ignored, and `fr` there not refused)."""
    if "LEDGER_LANG" in os.environ:
        return os.environ
    try:
        found = os.stat(".env")
    except OSError:
        return os.environ
    chosen = _dotenv_language(os.path.abspath(".env"), found.st_mtime_ns, found.st_size)
    return os.environ if chosen is None else {**os.environ, "LEDGER_LANG": chosen}


@functools.lru_cache(maxsize=4)
def _dotenv_language(path: str, _mtime: int, _size: int) -> str | None:
    from dotenv import dotenv_values

    try:
        return dotenv_values(path, encoding="utf-8").get("LEDGER_LANG")
    except (OSError, UnicodeDecodeError, ValueError):
        return None  # an unreadable .env is the settings' to refuse (settings_invalid), in the locale's language


def unknown_choice(environ: Mapping[str, str] | None = None) -> str | None:
    """LEDGER_LANG when it is set to something other than zh or en (the CLI refuses to start), else None."""
    chosen = (_environment() if environ is None else environ).get("LEDGER_LANG", "").strip()
    return chosen if chosen and chosen.lower() not in SUPPORTED else None


def language(environ: Mapping[str, str] | None = None) -> str:
    """"zh" or "en" for the person at the terminal (an unknown LEDGER_LANG is refused by main before this)."""
    env = _environment() if environ is None else environ
    chosen = env.get("LEDGER_LANG", "").strip().lower()
    if chosen in SUPPORTED:
        return chosen
    for name in LOCALE_VARIABLES:
        if value := env.get(name, "").strip():
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def unknown_language_lines(value: str) -> tuple[str, str]:
    """The refusal of an unknown LEDGER_LANG, said in both languages: the reader's cannot be known."""
    dotenv = from_dotenv("LEDGER_LANG")
    return (f"LEDGER_LANG {value!r}{' (from ./.env)' if dotenv else ''} is not a language this command speaks; set it"
            " to zh or en, or unset it to follow LC_ALL, LC_MESSAGES or LANG",
            f"LEDGER_LANG {value!r}{'（来自 ./.env）' if dotenv else ''} 不是可用的语言；"
            "请设为 zh（中文）或 en（英文），或不设置以跟随 LC_ALL、LC_MESSAGES 或 LANG")


INTERRUPTED = ("stopped by Ctrl-C (SIGINT) before it finished: what it had recorded stands, in whole commands, and"
               " nothing half-recorded was kept. Run the command again to finish",
               "已被 Ctrl-C（SIGINT）中断，未运行完：已记录的内容按完整的操作保留，未完成的操作没有记录。"
               "请重新运行该命令以完成")


# Commands that record nothing: their interruption is said so, not as a recording command's (an operator probe).
READS_ONLY = ("verify", "export", "replay", "recheck", "simulate", "verify-receipt")
INTERRUPTED_READING = ("stopped by Ctrl-C (SIGINT) before it finished; it records nothing, so nothing changed. Run the"
                       " command again for its answer",
                       "已被 Ctrl-C（SIGINT）中断，未运行完；该命令不记录任何内容，因此没有任何改动。"
                       "请重新运行该命令以得到结果")


def interrupted(command: str | None) -> tuple[str, str]:
    """What an interruption of `command` left, in both languages."""
    return INTERRUPTED_READING if command in READS_ONLY else INTERRUPTED


def interrupted_while_starting(_signum: int, _frame: object) -> None:
    """SIGINT's handler from the moment the `award-ledger` command starts loading (api/__init__.py) until `main`
    hands Ctrl-C to its own `except KeyboardInterrupt`: the same refusal, exit 130, where a KeyboardInterrupt in
    the imports printed a traceback (an operator probe, in the first half second)."""
    refuse(None, "interrupted", *INTERRUPTED)
    os._exit(130)


def refuse(command: str | None, code: str, en: str, zh: str) -> None:
    """One refusal on stderr, `award-ledger[ COMMAND]: [code] text`, in the reader's language; and on stdout as a
    JSON document too, for a command whose reader asked for one (`refusals_as_documents`)."""
    name = f"award-ledger {command}" if command else "award-ledger"
    text = zh if language() == "zh" else en
    print(f"{name}: [{code}] {_shown(text)}", file=sys.stderr, flush=True)
    if _AS_DOCUMENT:
        print(json.dumps({"code": code, "detail": text, **_AS_DOCUMENT[-1]}, indent=2, ensure_ascii=False),
              flush=True)


def _shown(text: str) -> str:
    """A refusal as a terminal shows it: a control or invisible character it quotes back (a file name holding a line
    break or a right-to-left override split the line, or turned the rest of it round: a regression probe) written as
    its escape, \\u202e, so the line reads as written; line breaks and tabs (a driver's message) as spaces. One line,
    always."""
    from ledger.domain.text import bad_character

    if bad_character(text) is None:
        return text
    text = re.sub(r"(?<![ \t])[ \t]*[\r\n]+[ \t]*", " ", text).replace("\t", " ")  # a driver's lines, as one
    return "".join(c if bad_character(c) is None else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                   for c in text)


# The fields a command run with --json adds to the document its refusal prints on stdout (`refuse`): a script reading
# stdout gets the refusal there, whatever refused (a regression probe: `reconcile --json` printed nothing on stdout
# for a file missing or too large, an unknown --as or a bad column map).
_AS_DOCUMENT: list[dict[str, Any]] = []


def refusals_as_documents(**fields: Any) -> None:
    """From here on in this run, a refusal is also printed on stdout as a JSON document with these fields."""
    _AS_DOCUMENT[:] = [fields]


def refusals_as_documents_off() -> None:
    _AS_DOCUMENT.clear()


def refusal_adds(**fields: Any) -> None:
    """More fields for the document of the next refusal (a statement's refused lines)."""
    if _AS_DOCUMENT:
        _AS_DOCUMENT[-1] = {**_AS_DOCUMENT[-1], **fields}


def tr(en: str, zh: str) -> str:
    """`en` or `zh`, whichever the reader reads: help texts, progress and outcome lines (a refusal goes through
    `refuse`, with its code)."""
    return zh if language() == "zh" else en


# argparse's own words in a help text, as Chinese readers get them (the help texts themselves come from `tr`).
HELP_WORDS_ZH = (("usage: ", "用法："), ("positional arguments:", "位置参数："), ("options:", "选项："),
                 ("show this help message and exit", "显示本帮助并退出"))


def help_zh(text: str) -> str:
    """A help text argparse formatted, its own words in Chinese."""
    for english, zh in HELP_WORDS_ZH:
        text = text.replace(english, zh)
    return text


def then(zh: str, more: str) -> str:
    """Two Chinese sentences as one text: `zh` (its own full stop dropped), a full stop, `more`."""
    return f"{zh.rstrip('。；; ')}。{more}"


class Worded(ValueError):
    """A ValueError that carries its Chinese (pydantic keeps the exception in a value_error's ctx["error"])."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


OS_REASONS_ZH = {
    errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有访问权限", errno.EPERM: "不允许此操作",
    errno.EISDIR: "这是文件夹，不是文件", errno.ENOTDIR: "路径中有一段不是文件夹", errno.EROFS: "文件系统只读",
    errno.ENOSPC: "磁盘空间不足", errno.EEXIST: "已存在",
}


def os_reason_zh(err: OSError) -> str:
    """What an OSError says (its strerror), in Chinese."""
    if said := getattr(err, "zh", None):  # one of ours (api/commands/common.py ProtectedOutput)
        return str(said)
    return OS_REASONS_ZH.get(err.errno or 0) or f"系统错误 {errno.errorcode.get(err.errno or 0, err.errno)}"


def reason_zh(err: BaseException) -> str:
    """An exception's words for a Chinese reader: its own `.zh` when it has one (the ledger's refusals, bank files,
    settings, keys), else what its kind says; an exception of no known kind keeps its own text."""
    from ledger.domain.errors import LedgerError

    if isinstance(err, LedgerError):
        from api.problems import chinese_detail

        return chinese_detail(err)
    if said := getattr(err, "zh", None):
        return str(said)
    if isinstance(err, json.JSONDecodeError):
        return f"不是有效的 JSON（第 {err.lineno} 行第 {err.colno} 列）"
    if isinstance(err, UnicodeDecodeError):
        return "不是 UTF-8 文本；请以 UTF-8 保存"
    if isinstance(err, OSError):
        return f"{err.filename}：{os_reason_zh(err)}" if err.filename else os_reason_zh(err)
    return str(err)


# api/field_messages.py words a field for an HTTP request (JSON types, /docs); these fields come from the
# environment or a file instead.
OUTSIDE_A_REQUEST_ZH = {
    "json_invalid": "不是有效的 JSON", "missing": "缺少此项", "extra_forbidden": "不是可用的字段；请删除",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "float_parsing": "应为数字，例如 2.5", "float_type": "应为数字，例如 2.5",
}


def field_zh(error: Mapping[str, Any], check: str) -> str:
    """A settings or principals-file field error (pydantic's errors() entry) in Chinese: what to give instead.
    `check`: where the reader looks the field up when nothing more precise can be said."""
    from api import field_messages

    ctx = error.get("ctx") or {}
    if said := getattr(ctx.get("error"), "zh", None):
        return str(said)
    kind = str(error.get("type", ""))
    if kind == "json_invalid" and (at := re.search(r"line (\d+) column (\d+)", str(ctx.get("error", "")))):
        return f"不是有效的 JSON（第 {at[1]} 行第 {at[2]} 列）"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^[0-9a-fA-F]{64}$":
        return "应为 64 位十六进制数字（令牌的 SHA-256）"
    zh = OUTSIDE_A_REQUEST_ZH.get(kind) or field_messages.words(error)[1]
    return f"取值无效；请对照 {check} 检查此项" if zh == field_messages.GENERIC[1] else zh


def settings_problems(errors: list[Any]) -> tuple[str, str]:
    """The settings' field errors as (English, Chinese), one `LEDGER_NAME: problem` each; a variable set only in
    ./.env is said to come from there (a newcomer probe, who had exported nothing, could not find `LEDGER_PORT=abc`)."""
    def name(e: Mapping[str, Any]) -> str:
        return f"LEDGER_{'_'.join(map(str, e['loc'])).upper()}"

    def where(e: Mapping[str, Any], zh: bool) -> str:
        if not from_dotenv(name(e)):
            return name(e)
        return f"{name(e)}（来自 ./.env）" if zh else f"{name(e)} (from ./.env)"

    def zh(e: Mapping[str, Any]) -> str:
        if e.get("type") == "finite_number":  # a setting's number, not money's "300000.00" (an operator probe)
            return "应为有限的数字，不能是 inf 或 nan；请写作普通数字，如 .env.example 所示"
        said, bounds = field_zh(e, ".env.example"), _bounds(e)
        if bounds is None:
            return said
        return re.sub(r"例如 \d+", f"例如 {bounds[0]}", said, count=1) + f"（{bounds[0]} 到 {bounds[1]} 之间）"

    def en(e: Mapping[str, Any]) -> str:
        bounds = _bounds(e)
        return e["msg"] + ("" if bounds is None else f" (from {bounds[0]} to {bounds[1]})")

    return ("; ".join(f"{where(e, False)}: {en(e)}" for e in errors),
            "；".join(f"{where(e, True)}：{zh(e)}" for e in errors))


def _bounds(error: Mapping[str, Any]) -> tuple[Any, Any] | None:
    """A number setting's bounds, where its value was not a number at all: `LEDGER_WORKER_HEALTHCHECK=abc` was told
    "a whole number such as 1", itself refused (a probe). A value out of bounds is told them already."""
    from api.settings import Settings

    if not str(error.get("type", "")).endswith(("_parsing", "_type", "from_float")) or not error.get("loc"):
        return None
    field = Settings.model_fields.get(str(error["loc"][0]))
    metadata = field.metadata if field else ()
    low = next((getattr(m, a) for m in metadata for a in ("ge", "gt") if getattr(m, a, None) is not None), None)
    high = next((getattr(m, a) for m in metadata for a in ("le", "lt") if getattr(m, a, None) is not None), None)
    return None if low is None or high is None else (low, high)


def from_dotenv(variable: str) -> bool:
    """Whether `variable` is set by ./.env alone (not in the environment, which comes first)."""
    if variable in os.environ:
        return False
    try:
        found = os.stat(".env")
    except OSError:
        return False
    return variable in _dotenv_names(os.path.abspath(".env"), found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=4)
def _dotenv_names(path: str, _mtime: int, _size: int) -> frozenset[str]:
    from dotenv import dotenv_values

    try:
        return frozenset(dotenv_values(path, encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return frozenset()


# argparse's refusals (Python 3.11's wording, which the English reader keeps), said in Chinese.
TYPES_ZH = {"int": "整数", "_positive": "正整数", "float": "数字"}
ARGPARSE_ZH: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), zh) for pattern, zh in (
    (r"the following arguments are required: (.+)", "缺少必需的参数：{0}"),
    (r"one of the arguments (.+) is required", "参数 {0} 须给出其中之一"),
    (r"unrecognized arguments: (.+)", "无法识别的参数：{0}"),
    (r"ambiguous option: (\S+) could match (.+)", "选项 {0} 有歧义，可能是 {1}"),
    (r"argument (\S+): invalid choice: (.+) \(choose from (.+)\)", "参数 {0} 的取值 {1} 无效；可选：{2}"),
    (r"argument (\S+): invalid (\w+) value: (.+)", "参数 {0} 的取值 {2} 无效，应为{1}"),
    (r"argument (\S+): expected (?:one|at least one|at most one) argument", "参数 {0} 后面需要给出取值"),
    (r"argument (\S+): not allowed with argument (\S+)", "参数 {0} 不能与 {1} 同时使用"),
    (r"argument (\S+): must be at least (\d+)", "参数 {0} 应至少为 {1}"),
    (r"argument (\S+): must be at most (\d+)", "参数 {0} 应至多为 {1}"),
    (r"argument (\S+): (.+) is not a whole number", "参数 {0} 的取值 {1} 不是整数"),
    (r"argument (\S+): (.+) is written in full-width digits \(an input method in full-width mode\); type it as (\S+)",
     "参数 {0} 的取值 {1} 使用了全角数字（输入法处于全角状态）；请改为输入 {2}"),
)]


def whole_number(minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse `type` for a whole number within bounds, whose refusals read naturally (argparse names a
    type function's __name__ in its own refusal, which would leak an internal name): `'abc' is not a whole
    number`, `must be at least 1`; said in Chinese by `argparse_zh`."""
    import argparse

    def parse(text: str) -> int:
        import unicodedata

        from ledger.domain.text import FULL_WIDTH, MOST_FIGURE, cut

        # ASCII digits only, as the API takes them: int() alone reads "２０２３" (full-width), "2_023", " 2023 " and
        # "+2023" as 2023, all of which the API refuses. One typed in full-width digits is told the number to type,
        # as `replay --as-of` names a full-width moment (`--year ２０２３` was "not a whole number": a regression
        # probe).
        if not re.fullmatch(r"-?[0-9]+", text):
            plain = unicodedata.normalize("NFKC", text) if len(text) <= MOST_FIGURE else ""
            if FULL_WIDTH.search(text) and re.fullmatch(r"-?[0-9]+", plain):
                raise argparse.ArgumentTypeError(f"{text!r} is written in full-width digits (an input method in"
                                                 f" full-width mode); type it as {plain}")
            # Quoted in 40 characters at most: 3,000 digits came back whole (a regression probe).
            raise argparse.ArgumentTypeError(f"{cut(text)!r} is not a whole number")
        value = int(text)
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}")
        return value

    parse.__name__ = "int"
    return parse


def argparse_zh(message: str) -> str:
    """An argparse refusal in Chinese, with what to do next (the usage is printed above it)."""
    for pattern, zh in ARGPARSE_ZH:
        if found := pattern.fullmatch(message):
            words = [TYPES_ZH.get(g, g) for g in found.groups()]
            return then(zh.format(*words), "用法见上一行，详情请加 --help 查看")
    return then(f"命令行参数有误：{message}", "用法见上一行，详情请加 --help 查看")


def events(n: int) -> str:
    """"1 event", "2,048 events": a count of events in an English line."""
    return f"{n:,} event{'' if n == 1 else 's'}"
