"""The bank column map in force: LEDGER_BANK_COLUMNS's file, or the one shipped; read once per file."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ledger.bank_files.column_map import ColumnMap, load


@lru_cache(maxsize=4)
def bank_columns(path: Path | None = None) -> ColumnMap:
    return load(path)
