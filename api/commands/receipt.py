"""`award-ledger receipt CLAIM_ID` and `award-ledger verify-receipt FILE --public-key PEM`.

The first writes a claim's receipt (its events, their Merkle proofs, a signed head) and, beside it, the ledger's
public key; the second checks one with nothing but the file and that key: no database, no settings.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import shlex
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from api.cli_language import Worded, language, os_reason_zh, reason_zh, refuse, then, tr
from api.cli_language import events as count
from api.commands.chain_check import caught_up
from api.commands.common import KEY_LIMIT, ProtectedOutput, read_input, refuse_protected, say, write_whole
from api.json_text import loads_document as loads
from ledger.beijing import shown, shown_zh

RECEIPT_LIMIT = 16 * 1024 * 1024  # a claim's receipt is a few kilobytes; its events would have to number thousands


def register(commands: argparse._SubParsersAction) -> None:
    cmd = commands.add_parser("receipt", help=tr("write a claim's receipt, checkable without the ledger",
                                                 "生成一笔申请的回执，无需台账即可核验"))
    cmd.add_argument("claim_id", metavar="CLAIM_ID")
    cmd.add_argument("--output", metavar="PATH", help=tr(
        "where to write it (default receipt-CLAIM_ID.json; - for stdout); the ledger's public key is written beside"
        " it, as NAME.public-key.pem",
        "写入位置（默认 receipt-CLAIM_ID.json；- 表示标准输出）；台账公钥写在它旁边，名为 NAME.public-key.pem"))
    cmd.set_defaults(run=run_receipt)
    check = commands.add_parser("verify-receipt", help=tr("check a receipt offline with the ledger's public key",
                                                          "用台账公钥离线核验一份回执"))
    check.add_argument("file", metavar="FILE", help=tr("the receipt's JSON file; - reads it from standard input",
                                                       "回执的 JSON 文件；- 表示从标准输入读取"))
    check.add_argument("--public-key", required=True, metavar="PEM", help=tr(
        "the ledger's public key (PEM file, e.g. public_key of GET /v1/audit/digest)",
        "台账公钥（PEM 文件，如 GET /v1/audit/digest 返回的 public_key）"))
    check.set_defaults(run=run_verify_receipt)


def run_receipt(args: argparse.Namespace) -> int:
    from api.commands.common import settings
    from api.signing import load_signer
    from ledger.application import AwardLedger
    from ledger.audit.chain import AuditChain
    from ledger.audit.notary import Notary
    from ledger.audit.receipts import for_claim
    from ledger.audit.tampering import Tampered
    from ledger.domain.errors import LedgerError, NotFound
    from ledger.store import store_env
    from ledger.usecases.common import uuid_of

    config = settings(args)
    try:
        uuid_of(args.claim_id, "claim")  # a malformed id is refused before the key or the store is touched
    except NotFound as err:
        refuse("receipt", err.code, f"{err.detail}. Nothing was written",
               then(err.zh or f"{args.claim_id[:80]!r} 不是台账编号；请核对申请编号", "未写入任何文件"))
        return 2
    ledger = AwardLedger(store_env(config.database_url))
    try:
        # The claim found before the signer is loaded: loading it may make and register a key (from a folder
        # without var/signing-key.pem), which a refused receipt must not (a probe: an unknown id said "Nothing was
        # written" and had added a second key to the store). The seal is read when snapshots are, later.
        _found(ledger, config.database_url, args.claim_id)
        signer = load_signer(config, reading=True)  # never a new key: that would rotate the ledger's (a probe)
        ledger.seal_key = signer.seal_key()
        chain = AuditChain.open(config.database_url)
        caught_up("receipt", chain)  # a receipt signs what opening the store linked: said (a regression probe)
        receipt = for_claim(ledger, Notary(chain, signer), args.claim_id,
                            logged=False)
    except LedgerError as err:
        zh = reason_zh(err)
        if isinstance(err, NotFound):  # the ledger names the aggregate's kind in English ("claim ...")
            zh = f"台账中没有申请 {args.claim_id}；请核对申请编号"
        said = "nothing was written" in err.detail.lower()  # a refusal that says so already (signing_key_retired)
        refuse("receipt", err.code, err.detail if said else f"{err.detail}. Nothing was written",
               zh if said or "未写入任何" in zh else then(zh, "未写入任何文件"))
        return 1 if isinstance(err, Tampered) else 2
    finally:
        ledger.close()
    text = json.dumps(receipt, ensure_ascii=False, indent=2)
    if args.output == "-":
        print(text, flush=True)  # stdout is the receipt alone; what to do with it goes to stderr
        say("receipt", tr("the receipt is on stdout. To check it, save it as receipt.json and the ledger's public"
                          " key (`public_key` of GET /v1/audit/digest) as ledger.pem, then run `award-ledger"
                          " verify-receipt receipt.json --public-key ledger.pem`; --output PATH writes both files",
                          "回执已输出到标准输出。如需核验，请将它保存为 receipt.json，将台账公钥（GET /v1/audit/digest"
                          " 返回的 `public_key`）保存为 ledger.pem，然后运行 `award-ledger verify-receipt"
                          " receipt.json --public-key ledger.pem`；用 --output PATH 可直接写出这两个文件"))
        return 0
    path = Path(args.output or f"receipt-{receipt['claim_id']}.json")
    # The public key beside it, so the check printed below runs as printed (the key is also GET /v1/audit/digest's);
    # written first, so a key that cannot be written leaves the receipt that was there (an operations probe: the
    # refusal came after the old receipt was replaced).
    pem = path.with_name(f"{path.stem}.public-key.pem")
    for target in (path, pem):  # what can be told before writing either: the ledger's own file, a folder, or a
        # folder that is not there (the key file beside a refused receipt was left written: a regression probe)
        try:
            refuse_protected(target)
        except ProtectedOutput as err:
            refuse("receipt", "output_unwritable", f"cannot write {target}: {err.strerror}. Choose another --output",
                   then(f"无法写入 {target}：{err.zh}", "请用 --output 换一个位置"))
            return 2
        if target.is_dir() or not (target.parent if str(target.parent) else Path(".")).is_dir():
            error = IsADirectoryError if target.is_dir() else FileNotFoundError
            code = errno.EISDIR if target.is_dir() else errno.ENOENT
            refuse("receipt", "output_unwritable", f"cannot write {target}: {os.strerror(code)}. Choose another"
                   " --output", then(f"无法写入 {target}：{os_reason_zh(error(code, os.strerror(code)))}",
                                     "请用 --output 换一个位置"))
            return 2
    if not _written(pem, signer.public_pem) or not _written(path, text + "\n"):
        return 2
    events, position = len(receipt["events"]), receipt["head"]["position"]
    check = f"award-ledger verify-receipt {shlex.quote(str(path))} --public-key {shlex.quote(str(pem))}"
    say("receipt", tr(f"wrote {path}: {count(events)}, head at position {position} signed by key"
                      f" {receipt['key_id']}, and the ledger's public key to {pem}. Check it with `{check}`",
                      f"已写入 {path}：{events} 个事件，链头位置 {position}，由密钥 {receipt['key_id']} 签名；"
                      f"台账公钥已写入 {pem}。可用 `{check}` 核验"))
    return 0


def _signed_by_another(receipt: dict[str, Any], pem: bytes) -> tuple[str, str] | None:
    """(the key it carries, the key given) where a receipt that fails under the given key passes whole under the key
    it carries: only the signatures depend on the key, so the key is its one fault (an audit probe's genuine receipt,
    signed before a rotation and checked with the new key, was told to ask for a new one, which passed, as if the
    file had been altered). None otherwise."""
    from ledger.audit.receipts import check
    from ledger.audit.signing import key_id, load_public

    carried = receipt.get("public_key")
    try:
        if not isinstance(carried, str) or check(receipt, carried):
            return None
        return key_id(load_public(carried)), key_id(load_public(pem))
    except ValueError:  # no readable key carried (UnreadableKey is one)
        return None


def _found(ledger: Any, url: str, claim_id: str) -> None:
    """The claim read, or refused; one whose stored events no longer fold is refused naming the position where the
    chain check finds its events tampered with, as the API's receipt says it (`receipts.located`): the command said
    the exception's name (`OriginatorVersionError: (5, 4)`) and no position (an audit probe)."""
    from ledger.audit.chain import AuditChain
    from ledger.audit.log_tree import LogTree
    from ledger.audit.receipts import located
    from ledger.audit.tampering import Unfolded

    try:
        ledger.claim(claim_id, with_history=False)
    except Unfolded as failure:
        chain = AuditChain.open(url)  # the chain and its tree alone: no key is loaded to say where it breaks
        found = located(SimpleNamespace(chain=chain, tree=LogTree(chain)), failure)
        if found is None:  # its events hold: the ledger cannot read its own, said as before
            raise
        raise found from failure


def _written(path: Path, content: str) -> bool:
    """Whether `content` went to `path`; if not, refused as `output_unwritable` (exit 2)."""
    try:
        write_whole(path, content.encode("utf-8"))
    except OSError as err:
        refuse("receipt", "output_unwritable", f"cannot write {path}: {err.strerror}. Choose another --output",
               then(f"无法写入 {path}：{os_reason_zh(err)}", "请用 --output 换一个位置"))
        return False
    return True


def run_verify_receipt(args: argparse.Namespace) -> int:
    from ledger.audit.receipts import check
    from ledger.audit.signing import UnreadableKey, load_public

    next_step = ("give the JSON file from `award-ledger receipt` (or GET /v1/claims/{id}/receipt) and the ledger's"
                 " public key PEM", "请给出 `award-ledger receipt`（或 GET /v1/claims/{id}/receipt）得到的 JSON 文件，"
                 "以及台账的公钥 PEM")
    try:
        raw = read_input("verify-receipt", args.file, RECEIPT_LIMIT, ("a receipt", "回执"), next_step,
                         "receipt_unreadable", stdin=True)  # `receipt --output - | verify-receipt -` (a probe)
        if raw is None:
            return 2
        # A byte-order mark (Notepad saves one) is no part of the JSON; nested too deep: a ValueError too.
        receipt = loads(raw)  # UTF-8, a byte order mark aside (NotUtf8 else, worded in both languages)
        pem = read_input("verify-receipt", args.public_key, KEY_LIMIT, ("a public key", "公钥"), next_step,
                         "receipt_unreadable")
        if pem is None:
            return 2
        pem = pem.removeprefix(b"\xef\xbb\xbf")
        load_public(pem)
        if not isinstance(receipt, dict):
            raise Worded("the file holds JSON, but not a receipt object", "文件是 JSON，但不是回执对象")
        if "receipt" not in receipt:  # `{}` or another document: unreadable as a receipt, not a forged one (exit 1)
            raise Worded('the file holds a JSON object, but not a receipt (it has no "receipt" field)',
                         "文件是 JSON 对象，但不是回执（没有 \"receipt\" 字段）")
    except (OSError, ValueError, UnreadableKey) as err:
        refuse("verify-receipt", "receipt_unreadable", f"cannot read the receipt or the key: {err}. Give the JSON file"
               " from `award-ledger receipt` (or GET /v1/claims/{id}/receipt) and the ledger's public key PEM",
               then(f"无法读取回执或公钥：{reason_zh(err)}",
                    "请给出 `award-ledger receipt`（或 GET /v1/claims/{id}/receipt）得到的 JSON 文件，"
                    "以及台账的公钥 PEM"))
        return 2
    problems = check(receipt, pem)
    if not problems:
        from api.web.i18n import EVENTS, pick, status_name
        from ledger.audit.receipts import proved

        events = receipt.get("events") or []
        names, head = ", ".join(e["event"] for e in events), receipt["head"]
        # The status and the events as the pages name them, for a Chinese reader (they were English: a zh probe).
        names_zh = "、".join(pick(EVENTS, e["event"], "zh") or e["event"] for e in events)
        # What was proved, so nobody need read it from the file (a trust probe), and as of when: a receipt shows the
        # claim as the ledger knew it when it was issued; a later correction is in a later receipt.
        en, zh = proved(receipt)
        print(tr(f"valid: claim {receipt.get('claim_id')} ({receipt.get('status')}), {en}; {count(len(events))}:"
                 f" {names}; signed head at position {head['position']} (key {head['key_id']}), issued"
                 f" {shown(receipt.get('issued_at'))}: the claim as the ledger knew it then; ask for a new receipt"
                 " to see anything recorded since",
                 f"有效：申请 {receipt.get('claim_id')}（{status_name(str(receipt.get('status')), 'zh')}），{zh}；"
                 f"{len(events)} 个事件：{names_zh}；已签名的链头位于位置 {head['position']}（密钥 {head['key_id']}），"
                 f"出具于 {shown_zh(receipt.get('issued_at'))}：这是台账当时所知的申请；"
                 "此后记录的事项请重新申请回执查看"))
        return 0
    zh = language() == "zh"
    for problem in problems:
        print(f"无效（{problem['part_zh']}）：{problem['problem_zh']}" if zh else
              f"INVALID {problem['part']}: {problem['problem']}", file=sys.stderr)
    # What to do next, as every other failure says it (an audit probe read the verdict alone). Signatures that verify
    # with only the summary at fault: the ledger holding the key issued it so, and its store is what was changed
    # (an audit probe was told the file had been altered, of a receipt the ledger signed over a rewritten approval).
    if problems and all(p["part"] == "summary" for p in problems):
        print(tr("Do not rely on this receipt. Its signatures verify: the ledger holding this key issued it as it is,"
                 " and what it states breaks the ledger's own rules, so the ledger's store was changed before it was"
                 " issued. Report it to the ledger's administrators, who check the ledger against a signed digest"
                 " kept outside (`award-ledger verify --digest FILE`) and restore it from a backup",
                 "请勿以这份回执为据。其签名核验通过：持有该密钥的台账按原样出具了它，而其所述内容违反台账自身的规则，"
                 "说明台账的存储在出具前已被改动。请报告台账管理员，由其用保存在台账之外的已签名摘要核验台账"
                 "（`award-ledger verify --digest 文件`）并从备份恢复"),
              file=sys.stderr)
        return 1
    if (other := _signed_by_another(receipt, pem)) is not None:
        print(tr(f"The receipt is sound under the key it carries, key {other[0]}, which is not the key given (key"
                 f" {other[1]}): nothing in it fails but the key. A ledger that rotated its key signs new receipts with"
                 " the new one and keeps its earlier keys listed, so a receipt issued before a rotation passes only"
                 f" under the key it was signed with. Look key {other[0]} up in the ledger's GET /v1/audit/keys: if it"
                 " is listed (a key the ledger rotated away from shows its retired_at), save that key's public_key as"
                 " a PEM file and check the receipt again with `--public-key` set to it; if it is not listed, the"
                 " ledger did not sign it, and it is not to be relied on",
                 f"这份回执在其所带密钥（密钥 {other[0]}）下完好无误，但该密钥不是所给的密钥（密钥 {other[1]}）："
                 "除密钥之外没有任何问题。台账轮换密钥后用新密钥签发新回执，并继续列出先前的密钥，因此轮换之前出具的"
                 f"回执只在签发它的密钥下通过。请在台账的 GET /v1/audit/keys 中查找密钥 {other[0]}：如已列出（台账"
                 "轮换停用的密钥注有 retired_at），请把该密钥的 public_key 存为 PEM 文件，并用 `--public-key` 指向它"
                 "重新核验；如未列出，则并非台账所签，不可作为依据"),
              file=sys.stderr)
        return 1
    print(tr("Do not rely on this receipt. Check that the public key is the one the ledger handed out; then ask the"
             " ledger for a new receipt of the claim (`award-ledger receipt`, or GET /v1/claims/{id}/receipt) and check"
             " that one: if it passes, the file checked here was altered after it was issued",
             "请勿以这份回执为据。请先确认所用公钥是台账发布的公钥；再向台账重新申请该申请的回执"
             "（`award-ledger receipt` 或 GET /v1/claims/{id}/receipt）并核验："
             "新回执若通过，则此处核验的文件在出具后被改动过"),
          file=sys.stderr)
    return 1
