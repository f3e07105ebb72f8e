"""`award-ledger verify`: recompute the tamper-evidence chain end to end, optionally against saved digests."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from api.commands.common import configure_logging, say, settings
from ledger.audit.chain import AuditChain, InvalidDigest
from projections.progress import Progress


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("verify", help="check the tamper-evidence chain end to end")
    cmd.add_argument("--digest", action="append", default=[], metavar="FILE",
                     help="a digest saved earlier (JSON from GET /v1/audit/digest); may be given several times")
    cmd.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = settings(args)
    configure_logging(config)
    try:
        saved = [json.loads(Path(path).read_text(encoding="utf-8")) for path in args.digest]
    except (OSError, ValueError) as err:
        say("verify", f"cannot read a saved digest: {err}. Give the JSON saved from GET /v1/audit/digest")
        return 2
    bar = Progress("award-ledger verify: events checked", "events")
    try:
        report = AuditChain.open(config.database_url).verify(saved or None,
                                                              progress=lambda checked, _at: bar.update_to(checked))
    except InvalidDigest as err:
        bar.close()
        say("verify", str(err))
        return 2
    bar.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    if report["ok"]:
        say("verify", f"intact: {report['events_checked']:,} events, head {report['chain_head']['digest']}"
                      f" at {report['chain_head']['position']:,}; keep that digest outside the system")
        return 0
    say("verify", f"TAMPERING at position {report['first_bad_position']}: {report['reason']}. Keep the store as it"
                  " is, restore the events from a backup taken before that position, and report it")
    return 1
