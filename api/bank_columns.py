"""The bank column map in force: LEDGER_BANK_COLUMNS's file, or the one shipped; read once per file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ledger.bank_files.column_map import MAP_LIMIT, ColumnMap, load


@lru_cache(maxsize=4)
def bank_columns(path: Path | None = None) -> ColumnMap:
    return load(path)


def unusable(path: Path) -> tuple[str, str] | None:
    """Why LEDGER_BANK_COLUMNS's file cannot be the column map, in English and Chinese, or None: a file that is no
    small regular file (a FIFO would hang whoever reads it), cannot be read, is not UTF-8, is not TOML, lacks the
    map's tables or does not validate."""
    import tomllib

    from api.cli_language import os_reason_zh
    from ledger.catalogue import toml_words
    from ledger.domain.errors import LedgerError

    try:
        bank_columns(path)  # load() looks at what the path is before it reads a byte
        return None
    except LedgerError as err:
        refused = (err.detail, err.zh or err.detail)
    try:
        if not path.is_file() or path.stat().st_size > MAP_LIMIT:
            return refused
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(data.get("fields"), dict):
            return "it has no [fields] table", "其中没有 [fields] 表"
    except OSError as err:
        return f"it cannot be read ({err.strerror})", f"无法读取（{os_reason_zh(err)}）"
    except UnicodeDecodeError:
        return "it is not UTF-8 text", "它不是 UTF-8 文本"
    except tomllib.TOMLDecodeError as err:  # said as a catalogue's TOML is, in either language
        return f"it is not valid TOML ({toml_words.en(err)})", f"它不是有效的 TOML（{toml_words.zh(err)}）"
    return ("its tables do not validate (names are lists of text, memo.pattern a regular expression)",
            "其中的表未通过校验（列名应为文本列表，memo.pattern 应为正则表达式）")
