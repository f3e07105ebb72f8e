"""What the ledger says, and does, once it finds its stored events tampered with.

One wording in both languages for every place that finds it (`award-ledger verify`, `rebuild`, `replay`,
`receipt`, the server's verifications, a receipt being issued): where the chain breaks, then what to do. The
server logs it as an ERROR (`log_found`); a receipt refuses with `Tampered`, code `tampering`, as the CLI's
refusal is coded.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from ledger.domain.errors import LedgerError

log = logging.getLogger("ledger.audit")

CODE = "tampering"


def advice(position: Any) -> tuple[str, str]:
    """What to do about tampering found at `position`, (English, Chinese)."""
    return (f"Keep the store as it is, restore the events from a backup taken before position {position},"
            " investigate who could write to the database, and report it",
            f"请保持存储原样，从位置 {position} 之前的备份恢复事件，调查哪些人能写入数据库，并报告此事")


def record_advice(position: Any) -> tuple[str, str]:
    """What to do about a record's own events found changed at `position`, (English, Chinese): the check saw that
    record alone, and the chain may break earlier (an audit probe swapped two events: the claim's page said 50,
    `verify` 46), so the backup to restore is chosen by `verify`'s first bad position."""
    return (f"Keep the store as it is and run `award-ledger verify` (or GET /v1/audit/verify) for the first position"
            f" at which the whole chain breaks (this check read this record's events alone; it may be before"
            f" {position}), restore the events from a backup taken before it, investigate who could write to the"
            " database, and report it",
            "请保持存储原样，运行 `award-ledger verify`（或 GET /v1/audit/verify）查明整条事件链最早断开的位置"
            f"（此处只核对了本记录的事件，断点可能早于位置 {position}），从该位置之前的备份恢复事件，"
            "调查哪些人能写入数据库，并报告此事")


# A saved digest that no longer matches locates a rewrite only to a range: the backup to restore is one whose chain
# still matches that digest.
DIGEST_ADVICE = ("Keep the store as it is, restore the events from a backup whose chain still matches the saved digest"
                 " (check the backup with `award-ledger verify --digest` and that digest; a digest saved at an earlier"
                 " position narrows the range), investigate who could write to the database, and report it",
                 "请保持存储原样，从事件链仍与所保存摘要相符的备份恢复事件（用 `award-ledger verify --digest` 和该摘要"
                 "核验备份；较早位置保存的摘要可缩小范围），调查哪些人能写入数据库，并报告此事")
# A snapshot that does not match its events: the snapshots table was written to, or the events were changed and their
# links rewritten to match (a snapshot the ledger sealed keeps the true state), which only a digest kept outside
# tells; "the events are intact" said more than the check knows (an audit probe, of the read models' like words).
SNAPSHOT_ADVICE = ("The chain holds over the events as stored, and the ledger ignores these snapshots (it replays the"
                   " events instead); keep the store as it is and check the events with `award-ledger verify --digest"
                   " FILE` against a signed digest saved earlier: if it matches, find out who could write to its"
                   " snapshots table; if it does not, the events were changed: restore them from a backup, investigate"
                   " who could write to the database, and report it",
                   "事件链与存储的事件相符，账本不使用这些快照（改为重放事件）；请保持存储原样，并用 `award-ledger"
                   " verify --digest 文件` 对照此前保存的签名摘要核对事件：如相符，查明哪些人能写入其快照表；"
                   "如不相符，说明事件被改动过：请从备份恢复事件，调查哪些人能写入数据库，并报告此事")


# Links deleted from the chain table, the events they chained as recorded (ledger/audit/unlinked.py): the events are
# not what is in question, and no backup needs restoring over them. Links never change once written, so any backup
# that reaches a position holds its link; there is no command that recomputes links, and recomputed over events no
# one has checked they would vouch for whatever is stored.
LINKS_ADVICE = ("Keep the store as it is: the events are not what was changed, the chain table was. Put the missing"
                " rows of rm_audit_chain back from a backup that holds those positions (a link never changes once"
                " written, so any backup reaching them holds the same ones), then run `award-ledger verify --digest"
                " FILE` with a signed digest saved after them. Where no backup holds them, treat those events as"
                " unchecked until a signed digest saved after them, or the claims' receipts, show they are genuine;"
                " investigate who could write to the database, and report it",
                "请保持存储原样：被改动的不是事件，而是链表。请从含有这些位置的备份中把缺失的 rm_audit_chain 行放回"
                "（链接一经写入就不会改变，凡到达这些位置的备份都存有相同的链接），然后用这些位置之后保存的签名摘要"
                "运行 `award-ledger verify --digest 文件`。如没有备份含有这些位置，在其后保存的签名摘要或相关申请的"
                "回执证明这些事件为真之前，请视其为未经核验；调查哪些人能写入数据库，并报告此事")


def links_advice(matched: int | None, last: int) -> tuple[str, str]:
    """What to do about links deleted from the chain table up to position `last`, (English, Chinese): LINKS_ADVICE,
    or, where a saved digest at `matched`, after them, still matches the events, that the events are shown as
    recorded and nothing is left unchecked (the audit page's receipt check said the events were unchecked beside a
    signed head they still hash to: an audit probe)."""
    if matched is None or matched < last:
        return LINKS_ADVICE
    return (f"Keep the store as it is: the events are as recorded (every event up to position {matched} still hashes"
            " to the digest saved there, after the missing links), and only the chain table was changed. Put the"
            " missing rows of rm_audit_chain back from a backup that holds those positions (a link never changes once"
            " written, so any backup reaching them holds the same ones), then run `award-ledger verify --digest FILE`"
            " with that digest again. Until they are back, receipts and commands whose check meets those positions"
            " are refused; where no backup holds them, keep that signed digest with the store's records, as what"
            " vouches for those events; investigate who could write to the database, and report it",
            f"请保持存储原样：事件仍是记录时的样子（截至位置 {matched} 的每个事件仍与在缺失链接之后保存于该处的摘要"
            "相符），被改动的只是链表。请从含有这些位置的备份中把缺失的 rm_audit_chain 行放回（链接一经写入就不会"
            "改变，凡到达这些位置的备份都存有相同的链接），然后再用该摘要运行 `award-ledger verify --digest 文件`。"
            "在放回之前，核对会涉及这些位置的回执和操作都会被拒绝；如没有备份含有这些位置，请把该签名摘要与存储的"
            "记录一并保存，作为这些事件为真的凭证；调查哪些人能写入数据库，并报告此事")


# Events without a link that nothing after them tells apart: slipped in, or their links deleted. A signed digest
# saved after them hashes the events themselves, their links aside, and says which (a backup taken before the first
# of them was the advice, which for an emptied chain table is an empty ledger: an audit probe).
UNLINKED_ADVICE = ("Keep the store as it is and check the events with `award-ledger verify --digest FILE` against a"
                   " signed digest saved after the last of them (GET /v1/audit/digest; the audit page's saved-digest"
                   " check does the same): it hashes the events themselves, missing links aside. If it matches, the"
                   " events are as recorded and only the chain's links were deleted, which it then says how to put"
                   " back; if it does not, it says which backup to restore. Investigate who could write to the"
                   " database, and report it",
                   "请保持存储原样，并对照在这些事件之后保存的签名摘要（GET /v1/audit/digest；审计页面的“核对保存的"
                   "摘要”也可核对）运行 `award-ledger verify --digest 文件`：它按事件本身计算，不依赖缺失的链接。"
                   "如相符，说明事件仍是原样，只是链的链接被删除，届时它会说明如何放回；如不相符，它会说明应从哪份备份"
                   "恢复。请调查哪些人能写入数据库，并报告此事")
GAP_ADVICE = ("Keep the store as it is; if a backup was just restored under a running server, stop every server,"
              " restore it again and start them; else restore the events from a backup taken before, investigate who"
              " could write to the database, and report it",
              "请保持存储原样；如刚在服务运行时恢复了备份，请停止所有服务，重新恢复后再启动；否则请从此前的备份恢复事件，"
              "调查哪些人能写入数据库，并报告此事")
KEYS_ADVICE = ("Keep the store as it is, check digests and receipts with the public key kept outside the system (the"
               " one handed out with them), investigate who could write to the database, and report it",
               "请保持存储原样，用保存在系统之外的公钥（随摘要、回执交付的那份）核验，调查哪些人能写入数据库，并报告此事")
# Read models that differ from a replay of a chain that holds: the rm_* rows were changed, or the events were and their
# links rewritten to match, which only a digest kept outside tells. `rebuild` first would copy changed events over
# the true figures (an audit probe: "the events are intact", then rebuild, over a forged approval).
READ_MODELS_ADVICE = ("Keep the store as it is and check the events first with `award-ledger verify --digest FILE`"
                      " against a signed digest saved earlier (GET /v1/audit/digest): if it matches, find who could"
                      " write to the rm_* tables, then run `award-ledger rebuild`; if it does not, the events were"
                      " changed: restore them from a backup, investigate who could write to the database, and report"
                      " it (a rebuild would copy the changed events into the read models)",
                      "请保持存储原样，先用 `award-ledger verify --digest 文件` 对照此前保存的签名摘要（GET"
                      " /v1/audit/digest）核对事件：如相符，查明哪些人能写入 rm_* 表，然后运行 `award-ledger rebuild`；"
                      "如不相符，说明事件被改动过：请从备份恢复事件，调查哪些人能写入数据库，并报告此事"
                      "（此时重建会把被改动的事件写入读模型）")


def behind(saved_position: int, head: int, attested: bool) -> tuple[tuple[str, str], tuple[str, str]]:
    """Why a saved digest at `saved_position` fails a store whose last event is at `head`, before it, and what to
    do: ((English, Chinese), (English, Chinese)). The ledger only grows, so the store holds fewer events than the
    ledger had when it signed that digest; `attested`: the digest's signature was checked under this ledger's own key
    first, so it is not another ledger's. The advice was to restore a backup taken before `head + 1`, which the
    store in place already was (an audit probe restored an old backup over a newer ledger: following it would lose
    the newer events again), and "or the digest is from another ledger" was said of a digest the ledger had signed."""
    gone = (f"fewer than the ledger had when it signed that digest: most likely an older backup was"
            f" restored over the newer store, or the events after position {head} were deleted with their links",
            f"少于台账签发该摘要时已有的事件：最可能是较早的备份被恢复到了较新的存储之上，"
            f"或位置 {head} 之后的事件连同其链接被删除")
    todo = (f"Keep the store as it is and record nothing more in it (new events would take positions that the newer"
            f" events held): stop every server on it, restore the newest backup that holds position {saved_position}"
            " (one taken no earlier than that digest, not an older one), and check it with `award-ledger verify"
            f" --digest FILE` and this digest before starting again; if no backup reaches position {saved_position},"
            f" the events after position {head} are lost: investigate who could restore or write to the database, and"
            " report it",
            f"请保持存储原样，不要再向其中记录任何内容（新事件会占用原有较新事件的位置）：停止该存储上的所有服务，"
            f"恢复含有位置 {saved_position} 的最新备份（不早于该摘要的备份，而不是更早的备份），并在重新启动前用"
            f" `award-ledger verify --digest 文件` 和该摘要核验；如没有备份达到位置 {saved_position}，位置 {head}"
            " 之后的事件已经丢失：请调查哪些人能恢复或写入数据库，并报告此事")
    if attested:
        return ((f"the saved digest, signed with this ledger's own key, is at position {saved_position}, but the store"
                 f" holds events up to position {head} only, {gone[0]}",
                 f"保存的摘要经本台账自己的密钥签名，位于位置 {saved_position}，而存储中只有到位置 {head} 的事件，"
                 f"{gone[1]}"), todo)
    return ((f"the saved digest is at position {saved_position}, but the store holds events up to position {head}"
             f" only. If this ledger signed that digest, the store holds {gone[0]}; if it did not, the digest is"
             " another ledger's",
             f"保存的摘要位于位置 {saved_position}，而存储中只有到位置 {head} 的事件。如该摘要确由本台账签发，"
             f"则存储中的事件{gone[1]}；否则该摘要属于另一台账"),
            ("Keep the store as it is and first check the signed digest file with `award-ledger verify --digest"
             " FILE` or the audit page's saved-digest check, which say whether this ledger signed it; only if it"
             " did: " + todo[0][len("Keep the store as it is and "):],
             "请保持存储原样，先用 `award-ledger verify --digest 文件` 或审计页面的“核对保存的摘要”核对其签名文件，"
             "确认它是否由本台账签发；只有确认是本台账签发的，才：" + todo[1][len("请保持存储原样，"):]))


def read_models_reason(count: int, more: tuple[str, str] = ("", "")) -> tuple[str, str]:
    """Why read models that differ from a replay fail a verification, (English, Chinese), with what to do: `count`
    rows or figures, `more` what is said of those not listed. The chain holding proves the events only against
    their own links: it does not say the events are intact."""
    return (f"the chain holds over the events as stored, but {count:,} read-model rows or figures differ from a"
            f" replay of them{more[0]}: either the read models (what the pages, the queue, the awards and the"
            " reconciliation show) were changed or mis-applied, or events were changed and their chain links"
            f" rewritten to match, which only a digest kept outside the system shows. {READ_MODELS_ADVICE[0]}",
            f"事件链与存储的事件相符，但有 {count:,} 处读模型行或数字与重放结果不同{more[1]}：或是读模型（页面、"
            "工作队列、奖补情况和对账所显示的内容）被改动或应用有误，或是事件被改动且其链接被改写以相符，"
            f"后者只有保存在系统之外的摘要能够发现。{READ_MODELS_ADVICE[1]}")


def read_models_verdict(differences: list[str]) -> dict[str, Any]:
    """What a verification report adds once the read models were compared with a replay (`differences`, as
    projections/consistency.py lists them): their own verdict, and a failed report where any differ, as the API's
    and `verify --json` both answer (the command's JSON said `"ok": true` over a forged 900,000 while it exited 1:
    a regression probe)."""
    # Each difference in Chinese beside it, as the page and the command's stderr list them (`differences_zh`: the JSON
    # had them in English alone under zh, beside `reason_zh` and `what_to_do_zh`: a regression probe).
    found: dict[str, Any] = {"read_models": {"ok": not differences, "differences": differences,
                                             "differences_zh": [difference_zh(d) for d in differences]}}
    if differences:
        en, zh = read_models_reason(len(differences), (" (listed in read_models.differences)",
                                                       "（见 read_models.differences）"))
        found |= {"ok": False, "failure": "read_models", "first_bad_position": None, "reason": en, "reason_zh": zh}
    return found


# The failures whose reason ends with what to do (the command line prints the reason alone): a page that shows the
# reason does not show the advice again.
ADVICE_IN_REASON = {"gap": GAP_ADVICE, "keys": KEYS_ADVICE, "read_models": READ_MODELS_ADVICE}


def what_to_do(report: dict[str, Any], *, beside_reason: bool = False) -> tuple[str, str] | None:
    """What to do about a verification that is not ok, (English, Chinese): the API and the audit page gave the
    reason alone, the command line the reason and what to do (an audit probe). Every failure has it (a client read
    null for a gap, the keys and the read models, whose reason ends with it); `beside_reason` leaves out what the
    reason already says, for a page that shows both."""
    failure = report.get("failure")
    if report.get("ok"):
        return None
    if report.get("what_to_do") and report.get("what_to_do_zh"):  # worded where it was found (`behind`)
        return report["what_to_do"], report["what_to_do_zh"]
    if failure in ADVICE_IN_REASON:
        return None if beside_reason else ADVICE_IN_REASON[failure]
    if failure == "snapshot":
        return SNAPSHOT_ADVICE
    if failure == "saved_digest_mismatch":
        return DIGEST_ADVICE
    if failure == "link_missing":
        return LINKS_ADVICE
    return advice(report.get("first_bad_position"))


def found(position: Any, reason: str, reason_zh: str, failure: str | None = None,
          todo: tuple[str, str] | None = None) -> tuple[str, str]:
    """Tampering at `position`, why, and what to do, (English, Chinese). A saved digest that no longer matches
    (`failure` saved_digest_mismatch) locates a rewrite only to a range, from `position` to the digest's: it is said
    so, and the backup to restore is one whose chain still matches that digest (an audit probe was told "TAMPERING
    at position 1" and to restore a backup taken before position 1, an empty ledger). `todo`: the report's own
    advice (`what_to_do`), where it has one; a store behind a saved digest is said to miss events, not to have been
    tampered with at a position (an older backup restored is the likelier cause)."""
    if failure == "saved_digest_mismatch":
        return (f"TAMPERING at or after position {position}: {reason}. {DIGEST_ADVICE[0]}",
                f"在位置 {position} 或其后发现篡改：{reason_zh.rstrip('。')}。{DIGEST_ADVICE[1]}")
    if failure == "link_missing":
        en, zh = todo or LINKS_ADVICE
        return (f"CHAIN LINKS MISSING from position {position}: {reason}. {en}",
                f"自位置 {position} 起缺少链的链接：{reason_zh.rstrip('。')}。{zh}")
    if failure == "saved_beyond" and todo is not None:
        return (f"EVENTS MISSING from position {position} on: {reason}. {todo[0]}",
                f"自位置 {position} 起缺少事件：{reason_zh.rstrip('。')}。{todo[1]}")
    en, zh = todo or advice(position)
    return (f"TAMPERING at position {position}: {reason}. {en}",
            f"在位置 {position} 发现篡改：{reason_zh.rstrip('。')}。{zh}")


class Tampered(LedgerError):
    """A claim's stored events no longer hash to their links in the chain: the ledger issues nothing that rests
    on them (a receipt) until the store is restored."""

    kind = "conflict"
    code = CODE


def log_found(report: dict[str, Any], where: str) -> None:
    """An ERROR line for a verification (`where` found it) whose report is not ok: where, why, what to do (a
    WARNING when only a digest the caller handed in disagrees)."""
    if report.get("failure") == "snapshot":
        log.error("%s: snapshots that do not match their events: %s. %s", where, report.get("reason"),
                  SNAPSHOT_ADVICE[0])
        return
    if report.get("failure") in ("keys", "gap"):
        log.error("%s: %s", where, report.get("reason"))
        return
    said = found(report.get("first_bad_position"), str(report.get("reason")), "", report.get("failure"),
                 what_to_do(report))[0]
    if report.get("failure") in ("saved_digest_mismatch", "saved_beyond"):
        # The digest was handed in by the caller, and may be a mistyped or foreign one: tampering only if the
        # ledger issued it (its signature says so), which the caller knows and this check does not.
        log.warning("%s: a saved digest handed in does not match the events; if the ledger issued it, %s", where,
                    said)
        return
    log.error("%s: %s", where, said)


class Unfolded(Tampered):
    """An aggregate whose stored events no longer fold into it (a version missing between two, an event's type no
    longer known): raised where it is read, so that nothing is shown or decided on part of its history. Where the
    chain is at hand (the server), the chain check names the position (`api/problems.py`); a command refused so
    is not kept for its Idempotency-Key, since once the store is restored it is decided again."""

    own_words = True  # worded here, in both languages, from what was found

    def __init__(self, aggregate_id: Any, cause: BaseException) -> None:
        why = f"{type(cause).__name__}: {cause}"[:200]
        super().__init__(
            f"the stored events of {aggregate_id} no longer make a whole record ({why}): one was deleted or changed"
            " after it was recorded, or this version of the ledger cannot read it, and the ledger shows and decides"
            " nothing on part of a history. Run `award-ledger verify` (or GET /v1/audit/verify) to find where the"
            " chain breaks; keep the store as it is, restore the events from a backup taken before that position,"
            " investigate who could write to the database, and report it",
            zh=f"记录 {aggregate_id} 的存储事件已无法组成完整记录（{why}）："
               "有事件在记录后被删除或改动，或本版本账本无法读取；账本不会依据残缺的历史显示或决定任何事项。"
               "请运行 `award-ledger verify`（或 GET /v1/audit/verify）找出事件链断开的位置；"
               "保持存储原样，从该位置之前的备份恢复事件，调查哪些人能写入数据库，并报告此事",
            record=str(aggregate_id))
        self.aggregate_id = aggregate_id


_DIFFERENCES_ZH = (
    (re.compile(r"^(\S+\[.*\]) column (\S+): stored (.*), replayed (.*)$", re.S),
     "{0} 的 {1} 列：表中为 {2}，重放事件得 {3}"),
    (re.compile(r"^(\S+\[.*\])\.(\w+): stored (.*), replayed (.*)$", re.S), "{0} 的 {1}：表中为 {2}，重放事件得 {3}"),
    (re.compile(r"^(\S+\[.*\]): stored, but a replay has no such row$", re.S), "{0}：表中有此行，重放事件没有"),
    (re.compile(r"^(\S+\[.*\]): missing; a replay has (.*)$", re.S), "{0}：表中缺少此行；重放事件得 {1}"),
    (re.compile(r"^(\S+\[.*\]): (\d+) events applied since the last reset, but the log holds (\d+) up to position"
                r" (\d+): some event was applied twice or skipped$", re.S),
     "{0}：自上次重置以来应用了 {1} 个事件，而日志截至位置 {3} 共有 {2} 个：有事件被重复应用或遗漏"),
    (re.compile(r"^\.\.\. and (\d+) more differences$"), "……另有 {0} 处差异"),
)


def difference_zh(line: str) -> str:
    """A read-model difference (projections/consistency.py) in Chinese, its table, key and values as they are: the
    Chinese audit page and `verify --read-models` listed them in English (regression probes). A line of another shape
    is said as it is."""
    for pattern, words in _DIFFERENCES_ZH:
        if found := pattern.match(line):
            return words.format(*found.groups())
    return line
