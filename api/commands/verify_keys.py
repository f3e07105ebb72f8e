"""`award-ledger verify`: what is said of the signing keys, and of a saved digest before and beside the chain's
verdict.

A digest refused for itself (its signature does not hold, it is not a digest) is said on stderr and, under `--json`,
as the report on stdout with `ok: false` and the failure, as a tampering finding is (an audit probe's script read an
empty stdout for exit 1 `digest_not_signed`). A digest signed by a key the store's registry does not list is compared
with the events apart from the ledger's own digests (`ledger.audit.unlisted_key`): its signature shows who signed
it, not that this ledger did. A key file (LEDGER_SIGNING_KEY_FILE) holding a key the registry does not list is
noted: a server signing with it would refuse to (its row deleted), or it is a rotation not started yet, which the
store cannot tell apart.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from api.cli_language import refuse, tr
from api.commands.chain_check import say_tampering
from api.commands.common import say
from ledger.audit import key_use, unlisted_key
from ledger.audit.chain import AuditChain
from ledger.audit.signing import Signer
from ledger.beijing import shown, shown_zh

UNLISTED = "digest_key_unlisted"


def refused(args: argparse.Namespace, code: str, reason: tuple[str, str], todo: tuple[str, str] | None = None,
            report: dict[str, Any] | None = None, **fields: Any) -> None:
    """The refusal on stderr (its reason, then what to do), and under --json the report on stdout: `report` (the
    chain's, where it was verified) with ok false, `failure` the code."""
    refuse("verify", code, f"{reason[0]}. {todo[0]}" if todo else reason[0],
           f"{reason[1].rstrip('。')}。{todo[1]}" if todo else reason[1])
    if args.json:
        document = {"ok": False, "failure": code, "first_bad_position": None, "reason": reason[0],
                    "reason_zh": reason[1], **({"what_to_do": todo[0], "what_to_do_zh": todo[1]} if todo else {})}
        print(json.dumps((report or {}) | document | fields | {"read_models": None}, indent=2, ensure_ascii=False))


def dated_note(path: str, digest: dict[str, Any], known: list[Any]) -> None:
    """A note where the registry dates the digest's key from after the digest was signed: the key's row was written
    again (deleted and registered anew by a restart, or a backup from before the key restored and a server started on
    it with the key). The digest is the ledger's, its key listed; the registry's date of it is not the first."""
    use = key_use.Used(str(digest.get("key_id")), ("which signed this digest", "而它签发了这份摘要"),
                       digest.get("computed_at") if isinstance(digest.get("computed_at"), str) else None)
    if key_use.missing(known, [use]) is None:
        return
    first = next(k.first_used for k in known if k.key_id == use.key_id)
    say("verify", tr(f"note: the store's key registry dates key {use.key_id} from {shown(first)}, but {path} was"
                     f" signed with it at {shown(use.at)}, before that: the key's row was written again after it first"
                     " signed (deleted and registered anew by a server's restart, which is tampering; or a backup taken"
                     " before the key was first used was restored and a server started on it with the key)",
                     f"注意：该存储的密钥登记表记载密钥 {use.key_id} 自 {shown_zh(first)} 起使用，而 {path} 由它签发于"
                     f" {shown_zh(use.at)}，早于该时刻：该密钥首次签名之后，其登记行又被重新写入（被删除后由服务重启"
                     "重新登记，这属于篡改；或恢复了该密钥启用之前的备份，并用该密钥在其上启动了服务）"))


def unlisted(args: argparse.Namespace, chain: AuditChain, digests: list[tuple[str, dict[str, Any]]],
             report: dict[str, Any]) -> int | None:
    """The verdict on digests signed by keys the store does not list, once the chain holds with the rest (`report`):
    each compared with the events by itself. None where none was given; else the exit code, said: 1 for a digest the
    events bear out or one beyond them (the store is the older), 2 for one they contradict (not shown to be the
    ledger's, so no tampering is concluded from it)."""
    matched = []
    for path, digest in digests:
        found = chain.verify(digest, logged=False)  # InvalidDigest first, for a position or digest it cannot read
        key, position = str(digest["key_id"]), digest["position"]
        if found["ok"]:
            matched.append((path, position, key))
        elif found["failure"] == "saved_beyond":
            head = found["chain_position"]
            (reason, reason_zh), (todo, todo_zh) = unlisted_key.beyond(path, position, head, key)
            found |= {"reason": reason, "reason_zh": reason_zh, "what_to_do": todo, "what_to_do_zh": todo_zh}
            if args.json:
                print(json.dumps(found | {"read_models": None}, indent=2, ensure_ascii=False))
            say_tampering("verify", found)
            return 1
        else:
            en, zh = unlisted_key.differs(path, position, key)
            refused(args, "digest_invalid", (en, zh), report=report, digest_file=path)
            return 2
    for number, (path, position, key) in enumerate(matched):
        reason, todo = unlisted_key.matches(path, position, key)
        refused(args if not number else argparse.Namespace(json=False), UNLISTED, reason, todo, report=report,
                digest_file=path)  # one document on stdout, the first's
    return 1 if matched else None


def not_compared(digests: list[tuple[str, dict[str, Any]]]) -> None:
    """A note of the digests signed by keys the store does not list, where the chain fails before them."""
    for path, digest in digests:
        say("verify", tr(f"note: {path} is signed by key {digest['key_id']}, which this store's key registry does not"
                         " list: it was not compared with the events, which fail as said below",
                         f"注意：{path} 由密钥 {digest['key_id']} 签名，而该存储的密钥登记表中没有该密钥：未将它与事件"
                         "核对，事件未通过核验，见下文"))


def key_file_note(path: Path | None, known: list[Any]) -> None:
    """A note where LEDGER_SIGNING_KEY_FILE (`path`, set) holds a key the store's registry (`known`, not empty) does
    not list: the command line's view of the key in use (an audit probe deleted its row and `verify` said intact)."""
    if path is None or not known or not path.is_file():
        return
    try:
        key = Signer.load(path).key_id
    except (OSError, ValueError):
        return  # a key file that cannot be read is for a command that signs to refuse
    if any(k.key_id == key for k in known):
        return
    say("verify", tr(f"note: LEDGER_SIGNING_KEY_FILE ({path}) holds key {key}, which this store's key registry does not"
                     f" list (its last: {known[-1].key_id}). A key is registered before it signs: if the ledger's"
                     " servers sign with this key on this store, its row was deleted, which is tampering (they refuse"
                     " to sign, and their GET /v1/audit/verify fails `keys`); for a backup taken before the key was"
                     " first used, or a new key for a rotation not started yet, it is as expected",
                     f"注意：LEDGER_SIGNING_KEY_FILE（{path}）中的密钥 {key} 不在该存储的密钥登记表中（其最后一个："
                     f"{known[-1].key_id}）。密钥在签名之前就已登记：如台账服务正用该密钥在该存储上签名，说明其登记行"
                     "已被删除，这属于篡改（服务会拒绝签名，其 GET /v1/audit/verify 报告 `keys` 失败）；如该存储是该"
                     "密钥启用之前的备份，或它是尚未启用的轮换新密钥，则属正常"))
