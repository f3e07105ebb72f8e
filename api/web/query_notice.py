"""What a page took nothing from in its query string, said in the reader's language rather than dropped in silence:
a parameter it reads nothing from (`stauts=open`), and the values of one sent more than once other than the one it
applied. The bureau's queue and finance's home (api/web/home.py), the recoveries list, the reconciliation page, the
organisation page and the auditor's home say it alike; three pages had near-copies of it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from api.query_params import taken
from api.schemas.fields import full_width_year
from api.web import i18n
from ledger.domain.text import cut


def not_taken(query: Any, takes: Iterable[str], lang: str, *, filters: Iterable[str] | None = None,
              words: tuple[str, str] = ("ignored_param", "ignored_param_none")) -> list[str]:
    """A notice for each parameter of `query` (a Starlette `QueryParams`) that is none of `takes` (nor `lang`, which
    every page reads), naming the `filters` the page takes (`takes` by default), or saying it takes none (the
    auditor's home). A parameter sent twice alike is named once. `words`: the notice's, with and without choices
    (a list's filters by default; `unread`'s for a page that is no list)."""
    t, takes = i18n.translator(lang), tuple(takes)
    choices = t("list_sep").join(takes if filters is None else filters)
    sent = dict.fromkeys((cut(name), cut(value, 20)) for name, value in query.multi_items()
                         if name not in (*takes, "lang"))
    return [t(words[0], name=name, value=value, choices=choices) if choices else
            t(words[1], name=name, value=value) for name, value in sent]


# What a page reads from the address its own form redirects to (`/ui/claims/C-1?done=approve`), besides what its
# route declares.
AFTER_FORM = ("done", "corrected", "recorded", "upgraded", "imported", "once")


def landed(request: Any, name: str, borne_out: Mapping[str, bool]) -> str | None:
    """The landing notice named by parameter `name` of the address a page's own form redirects to (`?done=approved`),
    where the record bears it out (`borne_out`: each value the page knows, and whether the record as it stands now
    shows it); else None. A hand-edited or stale address showed 已核销 0.00 元 on a recovery never written off, and
    `?done=anything` 审批已记录 (a regression probe). A value the page does not know is said as any parameter it does
    not read (`unread`), not shown as a success."""
    value = request.query_params.get(name)
    if value is None:
        return None
    if value not in borne_out:
        request.state.unread_after_form = (*getattr(request.state, "unread_after_form", ()), name)
        return None
    return value if borne_out[value] else None


def unread(request: Any, lang: str) -> list[str]:
    """The notices of a page that says nothing of its query string itself (a claim's, the audit page, the finance
    officer's forms): each parameter its route does not declare (api/query_params.py `taken`, as the API refuses
    them), named with those it does. `GET /ui/claims/C-1?as_of=2024-01-01` showed the claim as it is now, and an
    auditor's `?asof=` on the audit page was dropped, without a word (a journey probe)."""
    if request.method not in ("GET", "HEAD") or not request.url.query:
        return []
    declared = taken(request.scope.get("route"))
    # A landing value the page does not know (`landed`), named even where the route declares the parameter (finance's
    # forms page takes `done` as a parameter: `?done=zzz` went unsaid).
    unknown = getattr(request.state, "unread_after_form", ())
    return not_taken(request.query_params, [n for n in (*declared, *AFTER_FORM) if n not in unknown], lang,
                     filters=[name for name in declared if name not in ("lang", "cursor", *AFTER_FORM)],  # a reader's
                     words=("unread_param", "unread_param_none"))


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


def year_unread(text: str, years: Iterable[int], lang: str) -> str:
    """The notice of a year filter that is none of the policy's `years`, naming them; one typed in full-width digits
    (２０２３, an input method's mode) said so, with the year to type: it was called "not a year of the policy" (a
    journey probe). The queue's and finance's home, and the reconciliation page."""
    t = i18n.translator(lang)
    choices = t("list_sep").join(str(y) for y in years)
    if full_width_year(text) is not None:  # bounded, and its NFKC form is a year's digits
        return t("ignored_year_wide", value=cut(text, 20), plain=unicodedata.normalize("NFKC", text.strip()))
    return t("ignored_year", value=cut(text, 20), choices=choices)
