"""`award-ledger export`: the reconciliation and the ledger as files (issue 6)."""
from __future__ import annotations

import argparse

from api.commands.common import not_yet


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("export", help="export the reconciliation (CSV, XLSX)").set_defaults(
        run=not_yet("export", "exporting the reconciliation as CSV and XLSX", 6))
