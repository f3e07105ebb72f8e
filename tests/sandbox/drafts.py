"""Drafts for the sandbox tests: the catalogue in force as text, with one value changed in one programme."""
from __future__ import annotations

import re
from pathlib import Path

from ledger.catalogue import current

IN_FORCE = Path(current().source) if Path(current().source).is_absolute() else (
    Path(__file__).resolve().parents[2] / "ledger" / "catalogue" / current().source)


def in_force() -> str:
    return IN_FORCE.read_text(encoding="utf-8")


def edit(programme: str, pattern: str, replacement: str, text: str | None = None) -> str:
    """The text with the first match of `pattern` inside programme's [[programmes]] table replaced."""
    text = in_force() if text is None else text
    start = text.index(f'code = "{programme}"')
    end = text.find("[[programmes]]", start)
    end = len(text) if end < 0 else end
    block, count = re.subn(pattern, replacement, text[start:end], count=1)
    assert count == 1, f"{pattern!r} is not in {programme}'s table"
    return text[:start] + block + text[end:]


def drop(programme: str, text: str | None = None) -> str:
    """The text without programme's [[programmes]] table."""
    text = in_force() if text is None else text
    start = text.rindex("[[programmes]]", 0, text.index(f'code = "{programme}"'))
    end = text.find("[[programmes]]", start + 1)
    return text[:start] + (text[end:] if end >= 0 else "")
