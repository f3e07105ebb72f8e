"""`award-ledger replay --as-of T`: the whole ledger's state as it was known at a past moment (issue 6)."""
from __future__ import annotations

import argparse

from api.commands.common import not_yet


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("replay", help="print the ledger's state as known at a past moment").set_defaults(
        run=not_yet("replay", "replaying the ledger as of a past moment", 6))
