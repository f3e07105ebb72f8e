"""`award-ledger verify`: recompute the tamper-evidence chain end to end, optionally against saved digests."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from api.commands.common import configure_logging, say, settings
from ledger.application import AwardLedger
from ledger.audit.chain import AuditChain, InvalidDigest
from ledger.audit.signing import check as check_signature
from ledger.store import store_env
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
    for path, digest in zip(args.digest, saved, strict=True):
        if isinstance(digest, dict) and "signature" in digest and (why := check_signature(digest)) is not None:
            say("verify", f"the saved digest {path} is not as the ledger signed it: {why}. Use an untouched copy")
            return 1
    bar = Progress("award-ledger verify: events checked", "events")
    ledger = AwardLedger(store_env(config.database_url))  # to fold snapshotted aggregates for their snapshots
    try:
        report = AuditChain.open(config.database_url).verify(saved or None, app=ledger,
                                                              progress=lambda checked, _at: bar.update_to(checked))
    except InvalidDigest as err:
        bar.close()
        say("verify", str(err))
        return 2
    finally:
        ledger.close()
    bar.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    if report["ok"]:
        say("verify", f"intact: {report['events_checked']:,} events, head {report['chain_head']['digest']}"
                      f" at {report['chain_head']['position']:,}; keep that digest outside the system")
        return 0
    if report["failure"] == "snapshot":
        for bad in report["bad_snapshots"]:
            say("verify", f"SNAPSHOT {bad['aggregate_id']}@{bad['version']}: {bad['reason']}")
        say("verify", "the events are intact and the ledger ignores these snapshots (it replays the events instead);"
                      " keep the store as it is and report who could write to its snapshots table")
        return 1
    say("verify", f"TAMPERING at position {report['first_bad_position']}: {report['reason']}. Keep the store as it"
                  " is, restore the events from a backup taken before that position, and report it")
    return 1
