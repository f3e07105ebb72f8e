"""The API's reader's language: Chinese when `Accept-Language` prefers it, English otherwise.

English stays the default so existing clients see no change unless they ask (the pages default to Chinese
and follow their own switch, api/web/i18n.py). The header's q-values are honoured: `en, zh;q=0.5` is English.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

SUPPORTED = ("zh", "en")
DEFAULT = "en"


def parse(header: str | None) -> str:
    """The supported language with the highest q in an Accept-Language header; ties go to the first listed."""
    best, best_q = DEFAULT, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().replace("_", "-").split("-")[0]  # zh_CN as Java and some SDKs send it
        if primary not in SUPPORTED:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:
            best, best_q = primary, q
    return best


def of(request: Request) -> str:
    return parse(request.headers.get("accept-language"))


async def _of(request: Request) -> str:  # a dependency: async, so FastAPI does not hand it to a thread
    return of(request)


LanguageDep = Annotated[str, Depends(_of)]
