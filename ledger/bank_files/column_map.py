"""The column map (columns.toml, or the file LEDGER_BANK_COLUMNS names): bank headers → the ledger's fields."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ledger.domain.errors import InvalidInput

DEFAULT = Path(__file__).with_name("columns.toml")
FIELDS = ("date", "time", "debit", "credit", "signed_amount", "amount", "reference", "memo", "counterparty")


@dataclass(frozen=True)
class ColumnMap:
    names: dict[str, tuple[str, ...]]
    memo_pattern: re.Pattern[str]

    def columns(self, header: list[str]) -> dict[str, list[int]]:
        """For each field, the header's columns that hold it (in the map's order of names)."""
        cells = [cell.strip().lstrip("\ufeff") for cell in header]
        found: dict[str, list[int]] = {}
        for field, names in self.names.items():
            hits = [cells.index(name) for name in names if name in cells]
            if hits:
                found[field] = hits
        return found

    def usable(self, found: dict[str, list[int]]) -> bool:
        has_money = any(f in found for f in ("amount", "signed_amount", "debit", "credit"))
        return "date" in found and has_money and ("reference" in found or "memo" in found)

    def described(self) -> str:
        return "; ".join(f"{f}: {' / '.join(self.names[f])}" for f in ("date", "debit", "credit", "signed_amount",
                                                                          "amount", "reference", "memo"))


def load(path: Path | None = None) -> ColumnMap:
    """The map in `path` (default: the one shipped); a map that does not validate says which part is wrong."""
    source = path or DEFAULT
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        fields = data["fields"]
        names = {f: tuple(str(n) for n in fields.get(f, ())) for f in FIELDS}
        pattern = re.compile(data.get("memo", {}).get("pattern", r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)+"))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as err:
        raise InvalidInput(f"the bank column map {source} cannot be used ({err}); see ledger/bank_files/columns.toml"
                           " for its layout",
                           zh=f"银行列名对照表 {source} 无法使用（{err}）；"
                           "格式见 ledger/bank_files/columns.toml") from None
    return ColumnMap(names, pattern)
