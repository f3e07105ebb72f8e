"""Names beside codes, and programmes in article order: what a reader sees next to `A5.voucher`, `kjj`
or `municipal` in JSON, CSV, XLSX and the pages, taken from the catalogue in both languages."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ledger.catalogue import catalogues
from ledger.catalogue.model import Catalogue

_ARTICLE = re.compile(r"^A(\d+)")


def programme_key(code: str, catalogue: Catalogue | None = None) -> tuple[int, int, str]:
    """The sort key that puts A3 before A10: the article, then the catalogue's own order, then the code."""
    programme = catalogue.programme(code) if catalogue is not None else None
    if programme is not None:
        article = programme.article
        index = list(catalogue.programmes).index(code)  # type: ignore[union-attr]
    else:
        found = _ARTICLE.match(code)
        article, index = (int(found.group(1)) if found else 10**6), 0
    return article, index, code


def in_article_order(codes: Any, catalogue: Catalogue | None = None) -> list:
    """The codes (or rows with a `programme` or `code` field) in article order."""
    def key(item: Any) -> tuple[int, int, str]:
        code = item if isinstance(item, str) else (item.get("programme") or item.get("code") or "")
        return programme_key(code, catalogue)
    return sorted(codes, key=key)


def names(catalogue: Catalogue, *, programme: str | None = None, bureau: str | None = None,
          tier: str | None = None) -> dict[str, dict[str, str] | None]:
    """`{programme_name, bureau_name, tier_name}` as `{zh, en}` for whichever codes are given (None: unknown)."""
    found: dict[str, dict[str, str] | None] = {}
    if programme is not None:
        p = catalogue.programme(programme)
        found["programme_name"] = {"zh": p.name_zh, "en": p.name_en} if p else None
        if tier is not None:
            t = p.tier(tier) if p else None
            found["tier_name"] = {"zh": t.name_zh, "en": t.name_en} if t else None
    if bureau is not None:
        b = catalogue.bureau(bureau)
        found["bureau_name"] = {"zh": b.name_zh, "en": b.name_en} if b else None
    return found


def tier_namer(programme: str | None, lang: str) -> Callable[[str], str | None]:
    """A tier code of `programme` → its name in `lang`, from the newest catalogue holding the programme (None:
    unknown): for the ledger's own notes naming a tier (ledger/messages.py `system_note`)."""
    def name(tier: str) -> str | None:
        for catalogue in reversed(catalogues()):
            found = catalogue.programme(programme or "")
            if found is not None and (t := found.tier(tier)) is not None:
                return t.name_zh if lang == "zh" else t.name_en
        return None
    return name


def _programme_row(row: dict, catalogue: Catalogue) -> dict:
    programme = catalogue.programme(row["programme"])
    lead = programme.lead if programme is not None else None
    certifications = [c | names(catalogue, programme=row["programme"], tier=c.get("tier"))
                      for c in row.get("certifications", [])]
    extra = {"certifications": certifications} if "certifications" in row else {}
    return row | {"lead_bureau": lead} | names(catalogue, programme=row["programme"], bureau=lead) | extra


def named_awards(state: dict, catalogue: Catalogue) -> dict:
    """An organisation's award state (GET /v1/organisations/{uscc}/awards, its page) with programmes, caps and
    designations in article order and the programme's, lead bureau's and tiers' names beside their codes."""
    def rows(items: list[dict]) -> list[dict]:
        return [_programme_row(r, catalogue) for r in in_article_order(items, catalogue)]

    investments = state.get("investments") or {}
    return state | {
        "programmes": rows(state.get("programmes", [])),
        "investments": investments | {"programmes": rows(investments.get("programmes", []))},
        "caps": [c | names(catalogue, programme=c["programme"]) for c in in_article_order(state.get("caps", []),
                                                                                        catalogue)],
        "designations": [d | names(catalogue, programme=d["programme"])
                         for d in in_article_order(state.get("designations", []), catalogue)]}
