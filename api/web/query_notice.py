"""What a page took nothing from in its query string, said in the reader's language rather than dropped in silence:
a parameter it reads nothing from (`stauts=open`), and the values of one sent more than once other than the one it
applied. The bureau's queue and finance's home (api/web/home.py), the recoveries list, the reconciliation page, the
organisation page and the auditor's home say it alike; three pages had near-copies of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from api.web import i18n


def cut(text: str, most: int = 40) -> str:
    """What was sent, as a notice quotes it: at most `most` characters, an ellipsis marking the rest (a 5,000
    character USCC was quoted whole, the page 47,528 px wide: a clerk's probe)."""
    text = text.strip()
    return text if len(text) <= most else text[:most - 1] + "…"


def not_taken(query: Any, takes: Iterable[str], lang: str, *, filters: Iterable[str] | None = None) -> list[str]:
    """A notice for each parameter of `query` (a Starlette `QueryParams`) that is none of `takes` (nor `lang`, which
    every page reads), naming the `filters` the page takes (`takes` by default), or saying it takes none (the
    auditor's home). A parameter sent twice alike is named once."""
    t, takes = i18n.translator(lang), tuple(takes)
    choices = t("list_sep").join(takes if filters is None else filters)
    sent = dict.fromkeys((cut(name), cut(value, 20)) for name, value in query.multi_items()
                         if name not in (*takes, "lang"))
    return [t("ignored_param", name=name, value=value, choices=choices) if choices else
            t("ignored_param_none", name=name, value=value) for name, value in sent]


def repeated(query: Any, name: str, lang: str, *, read: Callable[[str], str] = str.strip,
             applies: Callable[[str], object] = bool, blank: bool = False) -> tuple[str | None, str | None]:
    """Parameter `name` as the page applies it when sent more than once: its last value that `applies`, and a notice
    naming the others; `(None, None)` when it was sent at most once, and `(None, notice)` when none applies (the
    caller applies its default). Values the filter reads alike (`read`: a USCC in lower case, a full-width year) are
    one value, where it was last sent; a blank one counts only where blank is a value of its own (`blank`: the
    recoveries' status, which is all). One value among several sent (`uscc=X&uscc=`) is applied: the framework gave
    the last, the blank, and left the list unfiltered."""
    sent = query.getlist(name)
    if len(sent) < 2:
        return None, None
    seen: dict[str, str] = {}
    for value in (v.strip() for v in sent):
        if value or blank:
            seen.pop(read(value), None)
            seen[read(value)] = value
    values = list(seen.values())
    if len(values) < 2:
        return (values[0] if values else None), None
    used = next((v for v in reversed(values) if applies(v)), None)
    t = i18n.translator(lang)

    def shown(value: str) -> str:  # a blank value (where it is one) is said as the list's 全部 (all), not “”
        return cut(value) or t("all")

    listed = t("list_sep").join(shown(v) for v in values if v is not used)
    return used, (t("ignored_repeated", name=name, used=shown(used), values=listed) if used is not None else
                  t("ignored_repeated_none", name=name, values=listed))
