"""`award-ledger reconcile FILE.csv`: import a bank statement and match it against the payouts (issue 6)."""
from __future__ import annotations

import argparse

from api.commands.common import not_yet


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("reconcile", help="import a bank statement CSV and match it with payouts").set_defaults(
        run=not_yet("reconcile", "bank statement matching", 6))
