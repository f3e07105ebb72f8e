"""`award-ledger close --year Y`: record the year's close (finance), its reconciliation and signed digest.

The reconciliation is folded from the log itself up to now (progress on stderr), not read from the read
models, so a close never rests on figures a lagging projector had not caught up with."""
from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from decimal import Decimal

from api.cli_language import reason_zh, refuse, then, tr, whole_number
from api.commands import chain_check
from api.commands.common import POSITIONS, acting_as, configure_logging, say, settings, stage
from api.labels import in_article_order
from ledger import beijing
from ledger.catalogue import catalogues
from ledger.domain.text import cut
from ledger.domain.values import yuan

CLI_PRINCIPAL = "cli-finance"


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("close", help=tr(
        "close a year: record its reconciliation and signed digest (finance)",
        "年度结账：记录该年度的对账结果和签名摘要（财政）"))
    cmd.add_argument("--year", type=whole_number(), required=True,
                     help=tr("the award year to close", "要结账的奖补年度"))
    cmd.add_argument("--as", dest="principal", default=CLI_PRINCIPAL, metavar="NAME", help=tr(
        f"the finance principal recorded as closing it (default {CLI_PRINCIPAL}); with LEDGER_AUTH_FILE set, a"
        " finance principal of that file",
        f"记为结账人的财政账号（默认 {CLI_PRINCIPAL}）；设置了 LEDGER_AUTH_FILE 时，须为该文件中的财政主体"))
    cmd.add_argument("--json", action="store_true", help=tr("print the recorded close as JSON",
                                                            "以 JSON 输出所记录的结账"))
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from api.reports.reconciliation import require_year
    from api.signing import load_signer
    from ledger.application import AwardLedger
    from ledger.audit.chain import AuditChain
    from ledger.audit.notary import Notary
    from ledger.domain.errors import LedgerError, OutsidePolicyTerm
    from ledger.principals import Principal, Role
    from ledger.store import store_env
    from projections.ledger_as_of import reconciliation_as_of

    config = settings(args)
    configure_logging(config)
    by = acting_as("close", args.principal, CLI_PRINCIPAL, config)
    if by is None:
        return 2
    if not 1900 <= args.year <= 2999:  # as export says it: 3,000 digits were quoted whole (a regression probe)
        year = cut(str(args.year))
        refuse("close", "argument_invalid", f"--year {year} is not a year; give the award year, e.g. --year 2023",
               f"--year {year} 不是年份；请给出奖励年度，例如 --year 2023")
        return 2
    try:
        require_year(args.year)  # the refusal the ledger would give, with the term worded for each reader
    except OutsidePolicyTerm as err:
        refuse("close", err.code, f"{err.detail}. Nothing was recorded", then(reason_zh(err), "未记录任何内容"))
        return 2
    if args.year >= (today := beijing.today()).year:
        # Closing is once and for all: a year closed while it runs would show every later approval of it as a
        # post-close adjustment, with no way to close it again (a parity probe closed 2025 on 1 March 2025).
        refuse("close", "argument_invalid",
               f"--year {args.year} has not ended in Beijing (today is {today.isoformat()}): a year is closed once its"
               f" 31 December has passed; until then read its figures with `award-ledger export --year {args.year}`"
               " or GET /v1/finance/reconciliation. Nothing was recorded",
               f"{args.year} 年度在北京时间尚未结束（今天是 {today.isoformat()}）：年度须在其 12 月 31 日之后结账；"
               f"在此之前请用 `award-ledger export --year {args.year}` 或 GET /v1/finance/reconciliation 查看数字。"
               "未记录任何内容")
        return 2
    # The signer after the refusals a close can meet before it signs: loading it may make and register a key (from
    # a folder without var/signing-key.pem), which a refused close must not (a probe: a second close of a year
    # refused "nothing was recorded" and had added a key). The seal is read when snapshots are, so it comes later.
    ledger = AwardLedger(store_env(config.database_url))
    try:
        known = ledger.year_close(args.year)
    except BaseException:
        ledger.close()
        raise
    if known is not None:  # said here, the moment as a person in the district reads it (the ledger keeps UTC)
        ledger.close()
        at = beijing.shown(known["as_of"])
        refuse("close", "conflict",
               f"{args.year} was closed by the finance principal {known['by']} as of {at}; a later correction shows"
               " as a post-close adjustment in the reconciliation, not a new close. Nothing was recorded",
               f"{args.year} 年度已由财政账号 {known['by']} 结账（截至{beijing.shown_zh(known['as_of'], lead=True)}）；"
               "此后的更正在对账结果中显示为结账后"
               "调整，无需也不能再次结账。未记录任何内容")
        return 1
    if not chain_check.intact("close", config.database_url, accept_tampered=False, signs=True):
        ledger.close()  # a close signs its figures: never on changed events (a black-box probe closed a tampered year)
        return 1
    try:
        signer = load_signer(config)
    except BaseException:
        ledger.close()
        raise
    ledger.seal_key = signer.seal_key()
    try:
        as_of = datetime.now(UTC)
        settle(as_of, config.close_settle)
        # The digest after the wait: it covers every event of the close's figures.
        digest = Notary(AuditChain.open(config.database_url), signer).digest()
        head = ledger.recorder.max_notification_id() or 0
        # The log up to a position, which PostgreSQL leaves gaps in (a rolled-back save): not a count of events,
        # which verify's line gives (a corrections probe read 670 events there and "the log's 687 events" here).
        bar = stage("close", (f"folding the log into the {args.year} reconciliation (the log up to position"
                              f" {head:,})", f"正在将事件日志汇总为 {args.year} 年度对账结果（日志至位置 {head:,}）"),
                    ("log folded", "已汇总日志"), head, unit=POSITIONS)
        try:
            figures = reconciliation_as_of(ledger, args.year, as_of, bar.update_to)
        finally:
            bar.close()
        outcome = ledger.close_year(Principal(by, Role.FINANCE), year=args.year, reconciliation=figures,
                                    digest=digest, as_of=as_of.isoformat())
    except LedgerError as err:
        refuse("close", err.code, f"{err.detail}. Nothing was recorded", then(reason_zh(err), "未记录任何内容"))
        return 1 if err.code == "conflict" else 2
    finally:
        ledger.close()
    if args.json:
        print(json.dumps(_in_article_order(outcome.view), ensure_ascii=False, indent=2))
    money = ("approved", "paid", "to_recover", "recovered", "written_off")
    totals = {k: yuan(Decimal(figures["totals"].get(k, "0.00"))) for k in money} | {
        "claims": figures["totals"].get("claims", 0)}
    at = beijing.shown(as_of)  # as a person in the district reads it; --json keeps RFC 3339 with its offset
    # The year's recoveries too: a year whose awards were all revoked read "approved 0.00, paid 0.00" with 200,000
    # still to recover (a finance probe).
    say("close", tr(f"{args.year} closed as of {at}: approved {totals['approved']}, paid {totals['paid']}, to recover"
                    f" {totals['to_recover']}, recovered {totals['recovered']}, written off {totals['written_off']},"
                    f" {totals['claims']} claims; digest {digest['digest'][:16]}… at position {digest['position']}"
                    f" signed by key {digest['key_id']}. Later corrections to {args.year} show as post-close"
                    " adjustments in its reconciliation",
                    f"{args.year} 年度已结账（截至{beijing.shown_zh(as_of, lead=True)}）：批准 {totals['approved']}，"
                    f"拨付 {totals['paid']}，"
                    f"应追回 {totals['to_recover']}，已追回 {totals['recovered']}，已核销 {totals['written_off']}，"
                    f"{totals['claims']} 笔申请；摘要 {digest['digest'][:16]}…（位置 {digest['position']}），"
                    f"由密钥 {digest['key_id']} 签名。此后对 {args.year} 年度的更正将在其对账结果中列为结账后调整"))
    return 0


def settle(as_of: datetime, seconds: float) -> None:
    """Wait until every command decided by `as_of` has been saved. Its events carry the moment it was decided, a few
    milliseconds before the save (under contention, up to the store's lock timeout), so folding at once left out a
    payout decided just before the close's moment and saved just after: `reconciliation?as_of=` the close's moment
    then disagreed with the close (a races probe). Waiting longer than any save may take, the fold sees them all."""
    if seconds <= 0:
        return
    bar = stage("close", (f"waiting {seconds:g} s for commands decided by {beijing.shown(as_of)} to be saved"
                          " (LEDGER_CLOSE_SETTLE)",
                          f"等待 {seconds:g} 秒，让 {beijing.shown_zh(as_of)} 之前作出的决定全部保存"
                          "（LEDGER_CLOSE_SETTLE）"), ("waited", "已等待"), round(seconds), unit=("s", "秒"),
                rated=False)
    try:
        start = time.monotonic()
        while (waited := time.monotonic() - start) < seconds:
            time.sleep(min(0.25, seconds - waited))
            bar.update_to(min(int(time.monotonic() - start), round(seconds)))
    finally:
        bar.close()


def _in_article_order(view: dict) -> dict:
    """The recorded close with its reconciliation's rows in article order (A3 before A10), as the reconciliation
    and `export` list them (the README's promise); what was recorded stays as it was."""
    recon = view["reconciliation"]
    catalogue = next(c for c in catalogues() if view["year"] in c.policy.years)  # require_year: there is one
    return view | {"reconciliation": recon | {"rows": in_article_order(recon["rows"], catalogue)}}
