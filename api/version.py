"""The installed package's version, as /docs, /openapi.json and `award-ledger --version` give it."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def installed() -> str:
    try:
        return version("award-ledger")
    except PackageNotFoundError:
        return "0+unknown"
