"""What every subcommand shares: its settings, logging, and a refusal for work not yet in this version."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from api.settings import Settings


def settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
                 if v is not None}
    return Settings(**overrides)


def configure_logging(settings: Settings) -> None:
    from api.logs import configure

    configure(settings)  # LEDGER_LOG_FORMAT, as serve's; a no-op when logging is set up already


def say(name: str, message: str) -> None:
    print(f"award-ledger {name}: {message}", file=sys.stderr, flush=True)


def not_yet(name: str, what: str, issue: int) -> Callable[[argparse.Namespace], int]:
    def refuse(args: argparse.Namespace) -> int:
        say(name, f"not yet available: {what} comes with issue {issue}. Nothing was done.")
        return 3

    return refuse
