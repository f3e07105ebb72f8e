"""What every subcommand shares: its settings, logging, and a refusal for work not yet in this version."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from api.cli_language import refuse
from api.settings import Settings


def settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in (("host", getattr(args, "host", None)), ("port", getattr(args, "port", None)))
                 if v is not None}
    return Settings(**overrides)


def configure_logging(settings: Settings) -> None:
    from api.logs import configure

    configure(settings)  # LEDGER_LOG_FORMAT, as serve's; a no-op when logging is set up already


def say(name: str, message: str) -> None:
    """A progress or outcome line (refusals go through api.cli_language.refuse, with a code, in both languages)."""
    print(f"award-ledger {name}: {message}", file=sys.stderr, flush=True)


def not_yet(name: str, what: str, issue: int) -> Callable[[argparse.Namespace], int]:
    def not_available(args: argparse.Namespace) -> int:
        refuse(name, "not_available", f"not yet available: {what} comes with issue {issue}. Nothing was done.",
               f"此功能尚未提供：{what} 将随第 {issue} 号议题提供。未做任何操作。")
        return 3

    return not_available
