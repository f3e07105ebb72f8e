"""`award-ledger demo`: load a realistic synthetic district (issue 7)."""
from __future__ import annotations

import argparse

from api.commands.common import not_yet


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("demo", help="load a demonstration district").set_defaults(
        run=not_yet("demo", "loading the demonstration district", 7))
