"""`award-ledger verify`: recompute the tamper-evidence chain end to end, optionally against saved digests."""
from __future__ import annotations

import argparse
import json

from api.cli_language import Worded, events, language, reason_zh, refuse, then, tr
from api.commands import verify_keys as digests
from api.commands.chain_check import caught_up, no_ledger_there, no_store_yet, say_tampering
from api.commands.common import DIGEST_LIMIT, configure_logging, read_input, say, settings
from api.json_text import loads_document as loads
from ledger.application import AwardLedger
from ledger.audit.chain import AuditChain, InvalidDigest
from ledger.audit.keys import KeysAltered, known_keys, trusted_keys
from ledger.audit.signing import check as check_signature
from ledger.audit.signing import load_public, unknown_key
from ledger.audit.tampering import (
    SNAPSHOT_ADVICE,
    difference_zh,
    read_models_reason,
    read_models_verdict,
    what_to_do,
)
from ledger.audit.unlinked import spans
from ledger.store import store_env, store_named
from projections.progress import Progress


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("verify", help=tr("check the tamper-evidence chain end to end", "从头到尾核验防篡改链"))
    cmd.add_argument("--digest", action="append", default=[], metavar="FILE", help=tr(
        "a digest saved earlier (JSON from GET /v1/audit/digest); may be given several times",
        "此前保存的摘要（GET /v1/audit/digest 返回的 JSON）；可多次给出"))
    cmd.add_argument("--json", action="store_true", help=tr("print the report as JSON on stdout",
                                                            "以 JSON 在标准输出打印核验报告"))
    cmd.add_argument("--read-models", action="store_true", help=tr(
        "also replay the log in memory and compare the read models (rm_*) with it, row by row",
        "另在内存中重放事件日志，逐行比对读模型（rm_*）"))
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = settings(args)
    configure_logging(config)
    saved = []
    try:
        for path in args.digest:
            raw = read_input("verify", path, DIGEST_LIMIT, ("a saved digest", "保存的摘要"),
                             ("give the JSON saved from GET /v1/audit/digest", 
                              "请给出从 GET /v1/audit/digest 保存的 JSON"), "digest_unreadable")
            if raw is None:
                return 2
            saved.append(loads(raw))  # UTF-8 (a byte order mark aside), else worded as not UTF-8 (NotUtf8)
        if not all(isinstance(digest, dict) for digest in saved):
            raise Worded("a file holds JSON, but not a digest object", "文件是 JSON，但不是摘要对象")
    except (OSError, ValueError) as err:
        refuse("verify", "digest_unreadable", f"cannot read a saved digest: {err}. Give the JSON saved from GET"
               " /v1/audit/digest",
               then(f"无法读取保存的摘要：{reason_zh(err)}", 
                              "请给出从 GET /v1/audit/digest 保存的 JSON"))
        return 2
    new = no_store_yet(config.database_url)
    chain = AuditChain.open(config.database_url)
    caught_up("verify", chain)
    # Pointed at a SQLite file that was not there, `verify` makes the empty store and finds it intact: said, so a
    # mistyped path is not read as intact books for ever (a robustness probe).
    no_ledger_there("verify", new)
    try:  # a digest is checked under the key the registry holds for its id: a registry that misstates one is said
        rows = trusted_keys(chain._db) if saved else known_keys(chain._db)  # else `keys`, in the chain's report
    except KeysAltered as err:
        digests.refused(args, "tampering", (str(err), err.zh or str(err)), failure="keys")
        return 1
    known = {k.key_id: k.public_key for k in rows}
    digests.key_file_note(config.signing_key_file, rows)
    unlisted = []  # signed, sound under the key they carry, which the store does not list: compared apart
    for path, digest in zip(args.digest, saved, strict=True):
        # Under the key the ledger registered, never the one the digest carries (its id alone could be shared).
        registered = load_public(known[digest["key_id"]]) if digest.get("key_id") in known else None
        if "signature" in digest and (why := check_signature(digest, registered)) is not None:
            digests.refused(args, "digest_not_signed", (f"the saved digest {path} is not as the ledger signed it:"
                                                        f" {why}", f"保存的摘要 {path} 与台账签名时不一致（{why.zh}）"),
                            ("Use an untouched copy", "请使用未经改动的副本"), digest_file=path)
            return 1
        if "signature" in digest and (why := unknown_key(known, digest)) is not None:
            if isinstance(digest.get("key_id"), str):  # its signature held under the key it carries (just above)
                unlisted.append((path, digest))
                continue
            digests.refused(args, "digest_invalid", (f"the saved digest {path} is not a digest this ledger issued:"
                                                     f" {why}", f"保存的摘要 {path} 不是本台账签发的摘要：{why.zh}"),
                            ("Use a digest saved from this ledger's GET /v1/audit/digest",
                             "请使用从本台账 GET /v1/audit/digest 保存的摘要"), digest_file=path)
            return 2
        if "signature" in digest:
            digests.dated_note(path, digest, rows)
        if "signature" not in digest:  # checked all the same (digests of earlier versions carry none)
            say("verify", tr(f"note: {path} carries no signature: it is checked against the chain as it is, but it"
                             " cannot show that this ledger issued it; keep the signed JSON of GET /v1/audit/digest",
                             f"注意：{path} 不带签名：仍按其内容与事件链核对，但无法证明它由本台账签发；请保存"
                             " GET /v1/audit/digest 返回的带签名 JSON"))
    bar = Progress(tr("award-ledger verify: events checked", "award-ledger verify: 已核验事件"), tr("events", "个"),
                   zh=language() == "zh")
    ledger = AwardLedger(store_env(config.database_url))  # to fold snapshotted aggregates for their snapshots
    listed = [d for d in saved if not any(d is other for _, other in unlisted)]
    try:
        # A signed digest here held under a key this ledger registered (else refused above, or compared apart below).
        report = chain.verify(listed or None, app=ledger, progress=lambda checked, _at: bar.update_to(checked),
                              logged=False, attested=bool(listed) and all("signature" in d for d in listed))
        bar.update_to(report["events_checked"])  # up to a break, which may come before the first page ends
        bar.close()
        if unlisted and report["ok"] and (code := digests.unlisted(args, chain, unlisted, report)) is not None:
            return code
    except InvalidDigest as err:
        bar.close()
        digests.refused(args, "digest_invalid", (str(err), reason_zh(err)))
        return 2
    finally:
        ledger.close()
    if unlisted and not report["ok"]:
        digests.not_compared(unlisted)
    differences = _read_models(config.database_url) if args.read_models and report["ok"] else None
    if differences is not None:
        report |= read_models_verdict(differences)
    if differences is None:  # as the API answers it: null, the figures read from the events were not compared
        report |= {"read_models": None}
    if args.json:  # the API's report: what to do beside every failure's reason (it was on stderr alone)
        todo = what_to_do(report)
        print(json.dumps(report | ({"what_to_do": todo[0], "what_to_do_zh": todo[1]} if todo else {}), indent=2,
                         ensure_ascii=False))
    if differences:
        for difference in differences[:SHOWN]:
            say("verify", difference_zh(difference) if language() == "zh" else difference)
        more = len(differences) - SHOWN
        en, zh = read_models_reason(len(differences), (
            f" ({more:,} more not shown; --json lists up to 200)" if more > 0 else "",
            f"（另有 {more:,} 处未列出；--json 最多列出 200 处）" if more > 0 else ""))
        refuse("verify", "read_models_differ", en, zh)
        return 1
    if report["ok"]:
        head = report["chain_head"]
        # The digest to keep is the signed one (a newcomer probe kept this line's, or `verify --json`, and
        # `verify --digest` refused it for having no position).
        say("verify", tr(f"intact: {events(report['events_checked'])}, head {head['digest']} at"
                         f" {head['position']:,}; keep the signed digest (GET /v1/audit/digest's answer, saved as a"
                         " file) outside the system, and check it later with `award-ledger verify --digest FILE`",
                         f"完好：{report['events_checked']:,} 个事件，链头 {head['digest']}"
                         f"（位置 {head['position']:,}）；请把签名摘要（GET /v1/audit/digest 的应答，存为文件）保存在"
                         "系统之外，日后用 `award-ledger verify --digest 文件` 核对"))
        if differences is not None:
            say("verify", tr("read models: every row and figure is what a replay of the events gives",
                             "读模型：每一行、每个数字都与重放事件的结果一致"))
        else:  # "intact" over figures forged in rm_* read as if they were checked too (an audit probe)
            say("verify", tr("read models: not compared (the figures the pages, the work queue and the reconciliation"
                             " show are read from them, not from the events); run `award-ledger verify --read-models`"
                             " to compare them with a replay of the events",
                             "读模型：未比对（页面、工作队列和对账显示的数字读自读模型，而非事件）；如需将其与重放事件的"
                             "结果比对，请运行 `award-ledger verify --read-models`"))
        for path, digest in zip(args.digest, saved, strict=True):  # said, not left to --json (an operations probe)
            at = f"{digest.get('position', 0):,}" if isinstance(digest.get("position"), int) else "?"
            say("verify", tr(f"the saved digest {path} (position {at}) matches the chain",
                             f"保存的摘要 {path}（位置 {at}）与防篡改链相符"))
        if report["events_checked"] == 0:  # a scheduled check pointed at the wrong store would stay green
            where = store_named(config.database_url)
            say("verify", tr(f"note: the store holds no events ({where}); if a ledger was expected here, check"
                             " LEDGER_DATABASE_URL", f"注意：该存储中没有任何事件（{where}）；如本应是一本台账，请检查"
                             " LEDGER_DATABASE_URL"))
        return 0
    if report["failure"] == "snapshot":
        for bad in report["bad_snapshots"]:
            refuse("verify", "snapshot_invalid", f"SNAPSHOT {bad['aggregate_id']}@{bad['version']}: {bad['reason']}",
                   f"快照 {bad['aggregate_id']}@{bad['version']} 无效：{bad['reason_zh']}")
        refuse("verify", "snapshot_invalid", *SNAPSHOT_ADVICE)
        return 1
    if report["failure"] in ("keys", "gap"):  # the chain holds; the key registry, or a record's versions, do not
        refuse("verify", "tampering", report["reason"], report["reason_zh"])
        return 1
    if report["failure"] == "link_missing" and report.get("saved_digest_matched") is not None:
        # Every saved digest matched, and that is said first: only the chain's own records are missing (it was left
        # unsaid where the next stored link, not the digest, showed the events as recorded: an audit probe).
        where = spans([(run["first"], run["last"]) for run in report["links_missing"]])
        for path, digest in zip(args.digest, saved, strict=True):
            at = f"{digest['position']:,}"
            say("verify", tr(f"the saved digest {path} (position {at}) matches the events: every event up to that"
                             " position still hashes to it; only the chain's own records (its links) are missing, at"
                             f" {where[0]}",
                             f"保存的摘要 {path}（位置 {at}）与事件相符：截至该位置的每个事件仍与之相符；缺失的只是"
                             f"{where[1]} 的事件链自身记录（链接）"))
    say_tampering("verify", report)
    return 1


SHOWN = 20  # differences said on stderr (the JSON report lists up to consistency.MAX_REPORTED)


def _read_models(url: str) -> list[str]:
    """Every difference between the stored read models and a replay of the log in memory (projections/consistency.py:
    one snapshot, up to the position the read models had reached, so a projector running meanwhile is no alarm)."""
    from projections.consistency import check

    say("verify", tr("comparing the read models with a replay of the events in memory",
                     "正在将读模型与在内存中重放事件的结果逐行比对"))
    return check(url)
