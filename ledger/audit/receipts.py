"""Receipts an outsider can check: a claim's events, each with its proof of inclusion, and a signed head.

A receipt lists every stored event of the claim, of its payouts and of its recovery (named by the claim's
events: `payout_id`, `recovery_id`), whatever their kind (submitted, approved, paid, reversed, revoked, a
recovery opened, repaid, written off, and any correction later versions record), in log order. Each carries its stored
bytes (`state_base64`) and the same fields decoded for reading (`data`), the link before it and its own,
and the RFC 9162 audit path of its leaf. `head` is a signed digest (`ledger.audit.notary`); the receipt as
a whole is signed too, so its summary (`claim`, `status`) cannot be edited either.

A signature only says who issued the summary, not that it is true: an outsider reads the summary, so `check`
also derives it from the claim's own events, as the ledger reads them (`ledger/domain/claim.py`, rendered as
`ledger/views.py` renders a claim), and refuses a summary any of whose fields disagrees (part "summary"),
even when the whole receipt was signed again with the ledger's key.

`check(receipt, public_key)` needs nothing but the receipt and the key: no database, no ledger. Each problem
it finds names its part and says what is wrong in English (`part`, `problem`) and in Chinese (`part_zh`,
`problem_zh`).

A receipt is issued only for events that still hash to their links: `build` recomputes each of the claim's
events' links from its stored bytes and the link before it (a few hashes, not the whole chain) and refuses
with `Tampered` when one does not match, rather than sign what the offline check would reject.
"""
from __future__ import annotations

import base64
import json
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from ledger.audit import merkle
from ledger.audit.encoding import ALGORITHM, GENESIS, event_bytes, link, originator_text
from ledger.audit.log_tree import TREE_ALGORITHM, leaf_data
from ledger.audit.reasons import Reason
from ledger.audit.signing import SIGNATURE, load_public
from ledger.audit.signing import check as check_signature
from ledger.audit.tampering import Tampered, Unfolded, advice, record_advice
from ledger.audit.unlinked import parted_said
from ledger.domain.text import as_sent
from ledger.domain.values import fmt, yuan

VERSION = 1  # of the receipt's layout: a checker vouches only for the layout it knows
log = logging.getLogger("ledger.audit")

KIND = "award-ledger claim receipt"
# The aggregates a claim's events name, whose events its receipt holds too.
LINKED = ("payout_id", "recovery_id")


def build(notary: Any, claim: dict[str, Any], rows: list[tuple[int, Any, int, str, bytes]]) -> dict[str, Any]:
    """The signed receipt of a claim (`claim`: its view) from its, its payouts' and its recovery's stored events
    (`rows`). Raises Tampered when one of them no longer hashes to its link in the chain."""
    size, before, links, bad = _checked(notary, rows)
    if bad is not None:
        raise _tampered(notary, claim["id"], bad, rows)
    unsigned = notary.head(size)
    # Signed only for a head the events bear out, as a digest is (an audit probe: with the head event changed,
    # GET /v1/audit/digest refused while a receipt signed that head, which can be saved and used as a digest).
    notary.chain.head_intact(unsigned["position"], ("receipt", "回执"))
    signer = notary.current_signer()  # the head and the receipt, under one key the store still uses
    head = signer.sign(unsigned)
    events = []
    for position, originator_id, version, topic, state in sorted(rows, key=lambda r: r[0]):
        index = notary.tree.index_of(position)
        if index is None or index >= size:
            continue  # recorded after the head being signed: the next receipt will hold it
        prev = before[position]
        events.append({
            # The canonical UUID text on either store (SQLite hands back its 32 hex digits, PostgreSQL a UUID: receipts
            # named one record two ways, a regression probe's doubt), which is what the link hashes either way.
            "position": position, "aggregate_id": originator_text(originator_id), "version": version, "topic": topic,
            "event": topic.rsplit(":", 1)[-1], "state_base64": base64.b64encode(bytes(state)).decode(),
            "data": readable(bytes(state)), "previous_link": links[prev] if prev else "00" * 32,
            "link": links[position], "leaf_index": index,
            "inclusion_path": [h.hex() for h in notary.tree.inclusion(index, size)]})
    body = {"receipt": KIND, "version": VERSION, "claim_id": claim["id"], "status": claim.get("status"),
            "claim": claim, "events": events, "head": head,
            # To the microsecond, as every moment the ledger answers: cut to the second, a receipt's "as the ledger
            # knew it then" came before payouts it held, and `as_of` its issue time disagreed (an enterprise probe).
            "issued_at": datetime.now(UTC).isoformat()}
    return signer.sign(body)


def _checked(notary: Any, rows: list[tuple[int, Any, int, str, bytes]]
             ) -> tuple[int, dict[int, int | None], dict[int, str], int | None]:
    """The check made before a receipt is signed: (the head's size, each row's previous position, the links, the
    first position found tampered or None). Each row must hash to its link; each aggregate's versions must run
    1, 2, 3… with none missing; and from the first row to the head, every link must still have its event and
    every event its link, so that a receipt never leaves out an event the chain says was recorded (a claim's
    last event deleted leaves no gap in its versions, and the payout it named none either)."""
    size = notary.tree.refresh()
    positions = sorted(row[0] for row in rows)
    before = {p: notary.tree.positions[i - 1] if i else None
              for p in positions if (i := notary.tree.index_of(p)) is not None}
    links = notary.chain.links([*positions, *(p for p in before.values() if p is not None)])
    found = [p for p in (first_unchained(rows, before, links), first_gap(rows)) if p is not None]
    if positions and size:
        missing = notary.chain.first_missing(positions[0], notary.tree.positions[size - 1])
        found += [] if missing is None else [missing]
        if any(version != 1 for version in _first_versions(rows).values()):
            # An aggregate's first event is gone: where the chain breaks is before the first that is left, and
            # naming that one (as first_gap does) disagreed with `verify` (a probe).
            earlier = notary.chain.first_missing(notary.tree.positions[0], positions[0] - 1)
            found += [] if earlier is None else [earlier]
    return size, before, links, min(found, default=None)


def _first_versions(rows: list[tuple[int, Any, int, str, bytes]]) -> dict[str, int]:
    """Each aggregate's lowest stored version among `rows`."""
    lowest: dict[str, int] = {}
    for _, originator_id, version, _, _ in rows:
        key = str(originator_id)
        lowest[key] = min(version, lowest.get(key, version))
    return lowest


def first_gap(rows: list[tuple[int, Any, int, str, bytes]]) -> int | None:
    """The position of the first event that follows a missing version of its aggregate, or None."""
    versions: dict[Any, list[tuple[int, int]]] = {}
    for position, originator_id, version, _, _ in rows:
        versions.setdefault(str(originator_id), []).append((version, position))
    gaps = [position for held in versions.values()
            for expected, (version, position) in enumerate(sorted(held), start=1) if version != expected]
    return min(gaps, default=None)


def first_unchained(rows: list[tuple[int, Any, int, str, bytes]], before: dict[int, int | None],
                    links: dict[int, str]) -> int | None:
    """The first position among `rows` whose stored bytes, after the stored link before it, no longer hash to its
    own stored link (or that has no link): the check an outsider makes of a receipt, made before issuing it."""
    for position, originator_id, version, topic, state in sorted(rows, key=lambda r: r[0]):
        prev = before.get(position, -1)
        previous = GENESIS.hex() if prev is None else links.get(prev)
        own = links.get(position)
        if previous is None or own is None or own != link(
                bytes.fromhex(previous), event_bytes(position, originator_id, version, topic, state)).hex():
            return position
    return None


def _tampered(notary: Any, claim_id: str, position: int, rows: list[tuple[int, Any, int, str, bytes]]) -> Tampered:
    if (parted := notary.chain.parted(position)) is not None:
        # Links deleted from the chain table, the events as recorded (or nothing after them tells): the chain's rows
        # to put back, not the events to restore from a backup taken before them (an audit probe was told so).
        (why, why_zh), (en, zh) = parted_said(parted)
        return Tampered(f"no receipt is issued for claim {claim_id}: {why}. A receipt proves its events by the chain's"
                        f" links, so none is issued while these events have none. {en}",
                        zh=f"不为申请 {claim_id} 出具回执：{why_zh}。回执以事件链的链接证明其事件，"
                           f"因此在这些事件没有链接期间不出具回执。{zh}", position=parted.first)
    en, zh = advice(position)
    if all(row[0] != position for row in rows):  # a link without its event, or an event without its link
        return Tampered(f"the chain breaks at position {position}, after claim {claim_id}'s first event: an event"
                        " there was deleted, or one slipped in without a link, and the ledger cannot tell whose, so"
                        f" no receipt is issued for a claim it may belong to. {en}",
                        zh=f"事件链在位置 {position}（申请 {claim_id} 的首个事件之后）断开：该处的事件被删除，"
                           "或有未带链接的事件被插入，账本无从判断其归属，因此不为可能涉及的申请出具回执。"
                           f"{zh}", position=position)
    return Tampered(f"claim {claim_id}'s event at position {position} no longer hashes to its link in the chain"
                    " (changed, deleted, or slipped in without one): the store was changed after it was recorded,"
                    f" so no receipt is issued for it. {en}",
                    zh=f"申请 {claim_id} 在位置 {position} 的事件与其在链中的链接不再相符（被改动、删除或无链接插入）："
                       f"存储在记录之后被改动过，因此不为其出具回执。{zh}", position=position)


def readable(state: bytes) -> Any:
    """An event's stored JSON with the transcoder's type wrappers taken off, for people to read."""
    return _unwrap(json.loads(state))


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return _unwrap(value["_data_"])
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def check(receipt: dict[str, Any], public_key_pem: str | bytes) -> list[dict[str, str]]:
    """What is wrong with a receipt, part by part (empty when it is valid under the given public key)."""
    trusted = load_public(public_key_pem)
    problems = []
    head = receipt.get("head") if isinstance(receipt.get("head"), dict) else {}
    if receipt.get("receipt") != KIND:
        problems.append(_problem(RECEIPT, Reason(f"this is not an {KIND}", f"这不是一份 {KIND}（台账的申请回执）")))
    # A checker checks only what it knows how to: a head or receipt naming another way of hashing or signing is not
    # one this checker can vouch for, whoever signed it (an audit probe's re-signed "sha256-chain-v1x" passed).
    for part, document, field, known in ((RECEIPT, receipt, "version", VERSION), (HEAD, head, "algorithm", ALGORITHM),
                                         (HEAD, head, "tree_algorithm", TREE_ALGORITHM),
                                         (HEAD, head, "signature_algorithm", SIGNATURE),
                                         (RECEIPT, receipt, "signature_algorithm", SIGNATURE)):
        if document.get(field) != known:
            problems.append(_problem(part, Reason(
                f"its {field} is {as_sent(document.get(field))}, not {known!r}, the only one this checker knows: check"
                " it with a checker of that algorithm, or ask the ledger for a new receipt",
                f"其 {field} 为 {as_sent(document.get(field))}，不是本核验程序唯一认识的 {known!r}：请用支持该算法的"
                "核验程序核验，或向台账重新申请回执")))
    if (why := check_signature(head, trusted)) is not None:
        problems.append(_problem(HEAD, Reason(f"the signed head does not verify: {why}",
                                              f"签名的链头未通过核验：{why.zh}")))
    if (why := check_signature(receipt, trusted)) is not None:
        problems.append(_problem(RECEIPT, Reason(f"the receipt's own signature does not verify: {why}",
                                                 f"回执本身的签名未通过核验：{why.zh}")))
    try:
        root, size = bytes.fromhex(head["root"]), head["tree_size"]
        if not _whole(size):  # 1e400 read as infinity, 3.5, true: not a count (a traceback, an audit probe)
            raise ValueError(size)
    except (KeyError, TypeError, ValueError):
        return [*problems, _problem(HEAD, Reason("the head has no readable tree_size and root",
                                                 "链头中没有可读的 tree_size 和 root"))]
    events = receipt.get("events", [])
    if not isinstance(events, list):
        return [*problems, _problem(RECEIPT, Reason(f"its events are {_shown(events)}, not a list of events",
                                                    f"其 events 为 {_shown(events)}，不是事件列表"))]
    faulty = False
    for number, event in enumerate(events, start=1):
        if not isinstance(event, dict):
            faulty = True
            problems.append(_problem((f"event {number} of the list", f"列表中的第 {number} 个事件"), Reason(
                f"it is {_shown(event)}, not an event object", f"它是 {_shown(event)}，不是事件对象")))
        elif (why := _event_fault(event, root, size)) is not None:
            faulty = True
            problems.append(_problem(_event_part(event.get("position")), why))
    if not faulty:  # the events are what the ledger recorded: the summary must be what they make
        problems.extend(summary_faults(receipt))
    return problems


def _whole(value: Any) -> bool:
    """A JSON integer (not true or false, not a number with a fraction or an exponent)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _event_fault(event: dict[str, Any], root: bytes, size: int) -> Reason | None:
    try:
        if not all(_whole(event.get(field)) for field in ("position", "version", "leaf_index")):
            raise ValueError("not a whole number")
        state = base64.b64decode(event["state_base64"], validate=True)
        data = event_bytes(event["position"], event["aggregate_id"], event["version"], event["topic"], state)
        own = link(bytes.fromhex(event["previous_link"]), data)
        path = [bytes.fromhex(h) for h in event["inclusion_path"]]
        index = int(event["leaf_index"])
        shown = readable(state)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        return Reason("it is missing a field or has one that cannot be read", "缺少字段，或有字段无法读取")
    if shown != event.get("data"):
        return Reason("its readable data differ from its stored bytes", "其可读数据（data）与其存储的字节不符")
    if own.hex() != event.get("link"):
        return Reason("its stored bytes and previous link do not hash to its link",
                      "由其存储的字节和前一个链接算不出它的链接")
    leaf = merkle.leaf_hash(leaf_data(event["position"], own))
    if not merkle.verify_inclusion(leaf, index, size, path, root):
        said = _shown(size)  # a 4,000-digit tree_size came back whole (a regression probe)
        return Reason(f"its inclusion proof does not lead to the signed root of the first {said} events",
                      f"其包含证明不能导出前 {said} 个事件的已签名根")
    return None


# The parts of a receipt a problem names, (English, Chinese).
RECEIPT, HEAD, SUMMARY = ("receipt", "回执"), ("head", "链头"), ("summary", "摘要")


def _event_part(position: Any) -> tuple[str, str]:
    said = _shown(position)
    return f"event at position {said}", f"位置 {said} 的事件"


def _problem(part: tuple[str, str], message: Reason) -> dict[str, str]:
    return {"part": part[0], "problem": str(message), "part_zh": part[1], "problem_zh": message.zh}


# ---------------------------------------------------------------- the summary, as the claim's events give it

CLAIM_TOPIC = "ledger.domain.claim:Claim"
_CREATED = ("Submitted", "Proposed")
# Every event a claim records (ledger/domain/claim.py); one this reader does not know cannot be applied, so a
# summary resting on it is refused rather than guessed (tests/audit/test_receipt_summary.py keeps the two lists
# equal).
CLAIM_EVENTS = frozenset({*_CREATED, "Reassessed", "Confirmed", "Replaced", "Outranked", "Approved", "Rejected",
                          "PayoutRecorded", "PayoutReversed", "Withdrawn", "Revoked", "RepaymentRecorded",
                          "RepaymentReversed", "ToppedUp", "CountedOn"})
_AS_SUBMITTED = ("uscc", "programme", "award_year", "tier", "rank", "subject", "body_id", "certification_id",
                 "document_ref", "explanation", "policy_version")
_MONEY_SUBMITTED = ("basis_amount", "requested_amount", "gross_amount", "entitled_amount")
_REASSESSED = ("explanation", "policy_version")


class Underivable(ValueError):
    """The claim's events, as the receipt holds them, do not make a claim (missing, out of order, unknown); `zh`:
    the same for a Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def summary_faults(receipt: dict[str, Any]) -> list[dict[str, str]]:
    """Where the receipt's summary (`claim_id`, `status`, every field of `claim`) differs from what the claim's
    events in the receipt give, each named (part "summary"); also any event that is neither the claim's nor
    one of its payouts' or its recovery's. Empty when every stated field follows from the events."""
    claim = receipt.get("claim")
    if not isinstance(claim, dict):
        return [_problem(SUMMARY, Reason("the receipt has no claim summary (`claim`) to check against its events",
                                         "回执中没有可与其事件核对的申请摘要（claim）"))]
    try:
        claim_id = UUID(str(receipt.get("claim_id")))
    except ValueError:
        shown = _shown(receipt.get("claim_id"))
        return [_problem(SUMMARY, Reason(f"its claim_id {shown} is not a claim's id",
                                         f"其 claim_id {shown} 不是申请的编号"))]
    listed = receipt.get("events")
    events = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    own = [e for e in events if _aggregate(e) == claim_id]
    try:
        derived = _derived(claim_id, own)
    except Underivable as err:
        return [_problem(SUMMARY, Reason(f"its events do not give claim {claim_id}'s summary: {err}",
                                         f"由其事件得不出申请 {claim_id} 的摘要：{err.zh}"))]
    problems = []
    try:
        _records_kept(claim_id, own, events)
    except Underivable as err:
        problems.append(_problem(SUMMARY, Reason(f"its events make a history the ledger never records: {err}",
                                                 f"其事件构成台账从不会记录的历史：{err.zh}")))
    linked = linked_ids(readable_of(e) for e in own)
    for event in events:
        if _aggregate(event) != claim_id and _aggregate(event) not in linked:
            problems.append(_problem(_event_part(event.get("position")), Reason(
                f"it belongs neither to claim {claim_id} nor to a payout or recovery its events name",
                f"它既不属于申请 {claim_id}，也不属于该申请的事件所指的支付或追回款项")))
    # Every payout and the recovery the claim's events name has its events in the receipt: a revoked award's
    # receipt with its recovery left out, re-signed, passed (a finance probe), showing no money owed.
    problems += _order_faults(events, linked)
    problems += _unechoed(own, events)
    stated = [("claim_id", receipt.get("claim_id"), derived["id"])] if "claim_id" in receipt else []
    if "status" in receipt:
        stated.append(("status", receipt.get("status"), derived["status"]))
    for field, value in claim.items():
        if field not in derived:
            problems.append(_problem(SUMMARY, Reason(
                f"the receipt's summary states claim.{field} ({_shown(value)}), which the claim's events do not give",
                f"回执的摘要写有 claim.{field}（{_shown(value)}），但申请的事件得不出此项")))
            continue
        stated.append((f"claim.{field}", value, derived[field]))
    for field in MONEY_STATED:
        if field in derived and field not in claim:
            # Left out, a field's figure is not shown, and the valid line said nothing of a payout its events hold
            # (an enterprise probe re-signed a receipt without paid_amount).
            problems.append(_problem(SUMMARY, Reason(
                f"the receipt's summary leaves out claim.{field}, which its events give as {_shown(derived[field])}",
                f"回执的摘要缺少 claim.{field}，其事件得出该项为 {_shown(derived[field])}")))
    problems += _moment_faults(receipt, events)
    for field, value, given in stated:
        # Receipts issued before 2026-12-06 stated a confirmed proposal's submitted_at as the proposal's moment, as
        # the ledger then did; its events give that moment too.
        proposed = field == "claim.submitted_at" and _json(value) == _json(derived.get("proposed_at", given))
        if _json(value) != _json(given) and not proposed:
            problems.append(_problem(SUMMARY, Reason(
                f"the receipt's summary says {field} is {_shown(value)} but its events give {_shown(given)}",
                f"回执的摘要称 {field} 为 {_shown(value)}，但其事件得出 {_shown(given)}")))
    return problems


# The figures a claim's receipt always states (ledger/views.py `claim`): one left out is a fault.
MONEY_STATED = ("entitled_amount", "approved_amount", "paid_amount", "outstanding_amount")
# Receipts before stop 55 stated their issue time to the second, cut down: an event of that second came after it.
ISSUE_SLACK = timedelta(seconds=1)


def _moment_faults(receipt: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A receipt issued, or a head computed, before an event the receipt holds, and a head at a position before one
    of its events: a receipt contradicting itself (an enterprise probe re-signed each, and each read as valid)."""
    problems = []
    moments = [m for e in events if (m := _when(readable_of(e).get("timestamp"))) is not None]
    head = receipt.get("head") if isinstance(receipt.get("head"), dict) else {}
    for part, document, field in ((RECEIPT, receipt, "issued_at"), (HEAD, head, "computed_at")):
        if field not in document:
            continue
        stated = _when(document.get(field))
        if stated is None:
            problems.append(_problem(part, Reason(f"its {field} {_shown(document.get(field))} is not a moment",
                                                  f"其 {field} {_shown(document.get(field))} 不是时间")))
        elif moments and stated + ISSUE_SLACK < max(moments):
            problems.append(_problem(part, Reason(
                f"its {field} {stated.isoformat()} comes before an event it holds ({max(moments).isoformat()})",
                f"其 {field} {stated.isoformat()} 早于其所含的事件（{max(moments).isoformat()}）")))
    positions = [e["position"] for e in events if _whole(e.get("position"))]
    if _whole(head.get("position")) and positions and head["position"] < max(positions):
        problems.append(_problem(HEAD, Reason(
            f"the head is at position {head['position']}, before an event the receipt holds ({max(positions)})",
            f"链头位于第 {head['position']} 位，早于回执所含的事件（第 {max(positions)} 位）")))
    last = [e for e in events if _whole(head.get("tree_size")) and e.get("leaf_index") == head["tree_size"] - 1]
    if last and _whole(head.get("position")) and last[0].get("position") != head["position"]:
        # The tree's last leaf is the head's own event: its position is the head's.
        problems.append(_problem(HEAD, Reason(
            f"the head names position {head['position']}, but the tree's last leaf, which the receipt holds, is the"
            f" event at position {_shown(last[0].get('position'))}",
            f"链头写明第 {head['position']} 位，但回执所含的树的最后一个叶子是第 {_shown(last[0].get('position'))} 位的"
            "事件")))
    return problems


def _when(value: Any) -> datetime | None:
    """An aware moment from its text, else None."""
    try:
        found = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return found if found is not None and found.tzinfo is not None else None


def _order_faults(events: list[dict[str, Any]], linked: set[UUID]) -> list[dict[str, str]]:
    """A receipt signed again with the ledger's key that reorders, drops or relabels events of its payouts or
    recovery (a probe: each passed as valid): the events are in log order, each record's versions run 1, 2, 3…,
    every payout and recovery the claim names has its events there, and each event's label is its topic's."""
    problems, seen, last = [], {}, None
    for event in events:
        position, version, topic = event.get("position"), event.get("version"), str(event.get("topic", ""))
        part = _event_part(position)
        if not isinstance(position, int) or (last is not None and position <= last):
            problems.append(_problem(part, Reason("it is out of log order: a receipt lists its events oldest first",
                                                  "它不在日志顺序中：回执按从旧到新列出事件")))
        last = position if isinstance(position, int) else last
        record = _aggregate(event)
        expected = seen.get(record, 0) + 1
        if version != expected:
            problems.append(_problem(part, Reason(f"it is version {_shown(version)} of its record, where version"
                                                  f" {expected} comes next: an event of that record is missing",
                                                  f"它是所属记录的第 {_shown(version)} 版，而下一版应为第 {expected}"
                                                  " 版：该记录有事件缺失")))
        seen[record] = version if isinstance(version, int) else expected
        if event.get("event") != topic.rsplit(":", 1)[-1]:
            problems.append(_problem(part, Reason(f"its label {_shown(event.get('event'))} is not its topic's",
                                                  f"其名称 {_shown(event.get('event'))} 与其主题不符")))
    for record in sorted(linked - set(seen), key=str):
        problems.append(_problem(SUMMARY, Reason(f"the claim's events name {record}, whose events the receipt does"
                                                 " not carry", f"申请的事件指向 {record}，但回执中没有它的事件")))
    return problems


# The claim's side of a payout's or a repayment's command, the record it names, and that record's own event the same
# command recorded with it.
_ECHOES = {"Claim.PayoutRecorded": ("payout_id", "Payout.Recorded"),
           "Claim.PayoutReversed": ("payout_id", "Payout.Reversed"),
           "Claim.RepaymentRecorded": ("recovery_id", "Recovery.Repaid"),
           "Claim.RepaymentReversed": ("recovery_id", "Recovery.RepaymentReversed")}
# A payout of a revoked award reversed is echoed on its recovery too (`Recovery.Reduced`), which its claim's event
# names (`recovery_id`: None on a standing award's reversal).
_ALSO_ECHOED = {"Claim.PayoutReversed": ("recovery_id", "Recovery.Reduced")}
_ECHOED_ZH = {"Payout.Recorded": ("支付", "拨付"), "Payout.Reversed": ("支付", "冲回"),
              "Recovery.Repaid": ("追回款项", "还款"), "Recovery.RepaymentReversed": ("追回款项", "还款冲回"),
              "Recovery.Reduced": ("追回款项", "拨付冲回")}


def _unechoed(own: list[dict[str, Any]], events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """A payout's event dropped from a receipt signed again leaves no gap when it was the payout's last (its
    reversal: a probe). Each command on a payout records the payout's event and the claim's echo of it together,
    so the claim's echoes of each payout say how many of the payout's events of each kind the receipt carries; a
    repayment on the recovery likewise (a write-off has no echo on the claim: see the README)."""
    wanted = Counter((record, echoes[name][1]) for event in own for echoes in (_ECHOES, _ALSO_ECHOED)
                     if (name := str(event.get("event", ""))) in echoes
                     and (record := _uuid(readable_of(event).get(echoes[name][0]))) is not None)
    carried = Counter((record, str(event.get("event", ""))) for event in events
                      if (record := _aggregate(event)) is not None)
    problems = []
    for (record, kind), n in sorted(wanted.items(), key=lambda w: (str(w[0][0]), w[0][1])):
        held, (what_zh, done_zh) = carried[(record, kind)], _ECHOED_ZH[kind]
        if held < n:
            problems.append(_problem(SUMMARY, Reason(
                f"the claim's events record {n} {kind} event(s) of {kind.split('.')[0].lower()} {record}, but the"
                f" receipt carries {held}: an event of it is missing",
                f"申请的事件记录了{what_zh} {record} 的 {n} 个{done_zh}事件，但回执中只有 {held} 个："
                f"该{what_zh}有事件缺失")))
    return problems


def recovery_figures(receipt: dict[str, Any]) -> dict[str, str] | None:
    """What the receipt's recovery events give (a revoked award's paid part owed back): the amount opened, repaid,
    written off and still owed, and `reduced` where payouts of the award were reversed since (booked in error: owed
    no more); None where the receipt carries no recovery. For the valid line: a revoked award's
    receipt said "paid 100,000.00" and nothing of the 40,000 repaid and 60,000 written off (a finance probe)."""
    figures = {"amount": Decimal("0.00"), "recovered": Decimal("0.00"), "written_off": Decimal("0.00"),
               "reduced": Decimal("0.00")}
    seen = False
    # Each recovery event's money: (field, sign); a repayment or a write-off reversed takes its amount back.
    field = {"Recovery.Opened": ("amount", 1), "Recovery.Repaid": ("recovered", 1),
             "Recovery.WrittenOff": ("written_off", 1), "Recovery.RepaymentReversed": ("recovered", -1),
             "Recovery.WriteOffReversed": ("written_off", -1),
             "Recovery.Reduced": ("reduced", 1)}  # a payout of the revoked award reversed: less was paid, so owed
    for event in receipt.get("events") or []:
        name = str(event.get("event", "")) if isinstance(event, dict) else ""
        if name in field:
            try:
                moved = _decimal(readable_of(event)["amount"])
            except (KeyError, TypeError, ValueError, InvalidOperation):
                continue
            to, sign = field[name]
            figures[to] += sign * moved
            seen = True
    if not seen:
        return None
    owed = figures["amount"] - figures["reduced"] - figures["recovered"] - figures["written_off"]
    if not figures["reduced"]:  # said only where a payout of the award was reversed since it was revoked
        del figures["reduced"]
    return {k: fmt(v) for k, v in figures.items()} | {"outstanding": fmt(owed)}


def linked_ids(fields: Iterable[dict[str, Any]]) -> set[UUID]:
    """The payouts and the recovery a claim's events (their fields) name: their events belong in its receipt."""
    return {u for data in fields for name in LINKED if (u := _uuid(data.get(name))) is not None}


def derive_claim(claim_id: UUID, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The claim's view (the fields of `ledger.views.claim`) made from its events alone, each applied with the
    meaning `ledger/domain/claim.py` gives it. Raises Underivable when they do not make a claim."""
    view = _derived(claim_id, events)
    view.pop("proposed_at", None)
    return view


def _derived(claim_id: UUID, events: list[dict[str, Any]]) -> dict[str, Any]:
    """derive_claim's view, with a confirmed proposal's `proposed_at` (its moment before it was confirmed)."""
    if not events:
        raise Underivable("the receipt holds none of its events", "回执中没有它的任何事件")
    ordered = sorted(events, key=lambda e: e.get("version") if isinstance(e.get("version"), int) else -1)
    versions = [e.get("version") for e in ordered]
    if versions != list(range(1, len(ordered) + 1)):
        raise Underivable(f"its events are versions {versions}, not each version from 1 once",
                          f"其事件的版本为 {versions}，而不是从 1 起每个版本各一次")
    view: dict[str, Any] = {}
    payouts: dict[str, Decimal] = {}
    try:
        for event in ordered:
            name = _claim_event(event)
            data = readable_of(event)
            if (name in _CREATED) != (event is ordered[0]):
                raise Underivable(f"its version {event['version']} is Claim.{name}; a claim begins with, and only"
                                  " with, Claim.Submitted or Claim.Proposed",
                                  f"其第 {event['version']} 版是 Claim.{name}；申请以且只以 Claim.Submitted 或"
                                  " Claim.Proposed 开始")
            _apply(view, payouts, name, data)
            _kept(view, payouts, name, event["version"])
            view["updated_at"] = _moment(data["timestamp"])
    except Underivable:
        raise
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as err:
        raise Underivable(f"an event lacks a field or has one that cannot be read ({err!r})",
                          f"有事件缺少字段，或有字段无法读取（{err!r}）") from err
    paid = sum(payouts.values(), Decimal("0.00"))
    view["paid_amount"] = fmt(paid)
    # Nothing more is owed to a revoked award: what was paid is under recovery.
    owed = Decimal("0.00") if view["status"] == "revoked" else _decimal(view["approved_amount"]) - paid
    view["outstanding_amount"] = fmt(owed)
    view["id"] = str(claim_id)
    return view


def _apply(view: dict[str, Any], payouts: dict[str, Decimal], name: str, data: dict[str, Any]) -> None:
    """One claim event, as its method on `Claim` applies it."""
    if name in _CREATED:
        view.update({f: data[f] for f in _AS_SUBMITTED})
        view.update({f: _money(data[f]) for f in _MONEY_SUBMITTED})
        view.update(effective_on=_day(data["effective_on"]), lead_bureau=data["lead"], status="pending",
                    approved_amount=None, decision_note=None, released_amount=None, recovery_id=None,
                    proposal=None, replaced_by=None, submitted_at=_moment(data["timestamp"]),
                    # a top-up's (submissions recorded before top-ups were kept have none)
                    tops_up=data.get("tops_up"), top_up_reason=data.get("top_up_reason"), top_ups=[])
        if name == "Proposed":
            view.update(status="proposed", proposal=data["proposal"])
    elif name in ("Reassessed", "Confirmed"):
        view.update({f: data[f] for f in _REASSESSED})
        view.update(entitled_amount=_money(data["entitled_amount"]), gross_amount=_money(data["gross_amount"]))
        if name == "Confirmed":  # submitted when confirmed (ledger/domain/claim.py `_confirmed`)
            view.update(status="pending", proposed_at=view["submitted_at"], submitted_at=_moment(data["timestamp"]))
    elif name in ("Replaced", "Outranked"):
        view.update(status="withdrawn", decision_note=data["reason"], replaced_by=data["by_claim"])
    elif name == "Approved":
        view.update(status="approved", approved_amount=_money(data["amount"]), decision_note=data["note"])
    elif name in ("Rejected", "Withdrawn"):
        view.update(status=name.lower(), decision_note=data["reason"])
    elif name == "PayoutRecorded":
        payouts[str(data["payout_id"])] = _decimal(data["amount"])
    elif name == "PayoutReversed":
        payouts.pop(str(data["payout_id"]), None)
    elif name == "ToppedUp":
        view["top_ups"] = [*view["top_ups"], str(data["top_up_id"])]
    elif name in ("RepaymentRecorded", "RepaymentReversed", "CountedOn"):
        pass  # the claim's side of a repayment on its recovery, or a cap counting it: its accounts, not its summary
    elif name == "Revoked":
        view.update(status="revoked", decision_note=data["reason"], released_amount=_money(data["released_amount"]),
                    recovery_id=data["recovery_id"])


def _kept(view: dict[str, Any], payouts: dict[str, Decimal], name: str, version: int) -> None:
    """The rules a claim's own events keep, whoever signed them: an approval within the entitlement it was given
    (catalogue rule 6, re-assessed first under rule 12) and payouts within the approval (rule 8). A history
    rewritten with its links recomputed and signed again by the key's holder would otherwise read as valid."""
    if name == "Approved" and _decimal(view["approved_amount"]) > _decimal(view["entitled_amount"]):
        approved, entitled = view["approved_amount"], view["entitled_amount"]
        raise Underivable(f"its version {version} approves {approved}, above the {entitled} the claim was then"
                          " entitled to; the ledger never approves above an entitlement (catalogue rule 6)",
                          f"其第 {version} 版批准 {approved}，高于该申请当时的核定额 {entitled}；台账从不批准高于"
                          "核定额的金额（目录规则 6）")
    paid, approved = sum(payouts.values(), Decimal("0.00")), _decimal(view["approved_amount"])
    if name == "PayoutRecorded" and paid > approved:
        raise Underivable(f"its version {version} brings what was paid to {fmt(paid)}, above the {fmt(approved)}"
                          " approved; the ledger never pays more than it approved (catalogue rule 8)",
                          f"其第 {version} 版使已拨付金额达到 {fmt(paid)}，高于批准的 {fmt(approved)}；"
                          "台账支付从不超过批准金额（目录规则 8）")


def _records_kept(claim_id: UUID, own: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """The rules a claim's payouts and recovery keep with its own events (`own`, which `_derived` has read), whoever
    signed them: a payout's own event records the amount and the claim the claim's copy of it does (one command
    records both); a recovery is opened for what the claim was paid, net of reversals, when it was revoked; and
    nothing repaid, written off or reduced takes what is still owed below zero (a repayment above it is refused,
    over_recovered). Raises Underivable naming the first broken. An audit probe changed a repayment from 50,000 to
    950,000 on a recovery of 100,000, linked the chain over it, and got a receipt saying -850,000.00 still owed."""
    ordered = sorted(own, key=lambda e: e["version"])
    linked = linked_ids(readable_of(e) for e in ordered)
    theirs = [(e, _record_event(e), readable_of(e)) for e in events if _aggregate(e) in linked]
    firsts = {(_aggregate(e), name): data for e, name, data in reversed(theirs)}  # each record's first of a kind
    payouts: dict[str, Decimal] = {}
    try:
        for event in ordered:
            name, data, version = _claim_event(event), readable_of(event), event["version"]
            if name == "PayoutRecorded":
                payouts[str(data["payout_id"])] = _decimal(data["amount"])
                recorded = firsts.get((_uuid(data["payout_id"]), "Payout.Recorded"))
                if recorded is not None:  # left out: `_unechoed` says so
                    _payout_kept(claim_id, version, data, recorded)
            elif name == "PayoutReversed":
                payouts.pop(str(data["payout_id"]), None)
            elif name == "Revoked" and (opened := firsts.get((_uuid(data.get("recovery_id")), "Recovery.Opened"))):
                paid = sum(payouts.values(), Decimal("0.00"))
                if _decimal(opened["amount"]) != paid:
                    raise Underivable(
                        f"recovery {data['recovery_id']} is opened for {yuan(_decimal(opened['amount']))}, but the"
                        f" claim had been paid {yuan(paid)}, net of reversals, when its version {version} revoked it;"
                        " the ledger opens a recovery for what was paid",
                        f"追回款项 {data['recovery_id']} 的应追回金额为 {yuan(_decimal(opened['amount']))} 元，但该申请"
                        f"在其第 {version} 版被撤销时已拨付（扣除冲回）{yuan(paid)} 元；台账按已拨付的金额立项追回")
        _recovery_kept(theirs)
    except Underivable:
        raise
    except (KeyError, TypeError, ValueError, InvalidOperation, AttributeError) as err:
        raise Underivable(f"an event of its payouts or recovery lacks a field or has one that cannot be read ({err!r})",
                          f"其支付或追回款项的事件缺少字段，或有字段无法读取（{err!r}）") from err


def _payout_kept(claim_id: UUID, version: int, copy: dict[str, Any], recorded: dict[str, Any]) -> None:
    """A payout's own `Payout.Recorded` (`recorded`) against the claim's copy of it (`copy`, its version
    `version`): one command recorded both, with one amount, on this claim."""
    payout, amount, said = copy["payout_id"], _decimal(copy["amount"]), _decimal(recorded["amount"])
    if said != amount:
        raise Underivable(f"payout {payout}'s own event (Payout.Recorded) records {yuan(said)} paid, but the claim's"
                          f" version {version} records that payout as {yuan(amount)}; the ledger records both in one"
                          " command, with one amount",
                          f"支付 {payout} 自身的事件（Payout.Recorded）记录拨付 {yuan(said)} 元，但申请第 {version} 版"
                          f"记录该笔支付为 {yuan(amount)} 元；台账在同一操作中记录二者，金额相同")
    if _uuid(recorded["claim_id"]) != claim_id:
        raise Underivable(f"payout {payout}'s own event (Payout.Recorded) names claim {recorded['claim_id']}, but"
                          f" claim {claim_id}'s version {version} records it; a payout is recorded on one claim",
                          f"支付 {payout} 自身的事件（Payout.Recorded）写明申请 {recorded['claim_id']}，但记录它的是"
                          f"申请 {claim_id} 的第 {version} 版；一笔支付只记录在一项申请上")


# Each recovery event's money, as `Recovery` applies it: (figure, sign).
_RECOVERY_MOVES = {"Recovery.Opened": ("amount", 1), "Recovery.Reduced": ("amount", -1),
                   "Recovery.Repaid": ("recovered", 1), "Recovery.RepaymentReversed": ("recovered", -1),
                   "Recovery.WrittenOff": ("written_off", 1), "Recovery.WriteOffReversed": ("written_off", -1)}


def _recovery_kept(theirs: list[tuple[dict[str, Any], str, dict[str, Any]]]) -> None:
    """What a recovery's events (among `theirs`: the payouts' and recovery's events, with their names and fields)
    leave owed, event by event, is never below zero (ledger/domain/recovery.py: a repayment above it is refused
    before it is recorded, over_recovered; a write-off or a reduction is at most what is outstanding)."""
    figures: dict[UUID, dict[str, Decimal]] = {}
    for event, name, data in theirs:
        if name not in _RECOVERY_MOVES or (record := _aggregate(event)) is None:
            continue
        held = figures.setdefault(record, {"amount": Decimal("0.00"), "recovered": Decimal("0.00"),
                                           "written_off": Decimal("0.00")})
        figure, sign = _RECOVERY_MOVES[name]
        held[figure] += sign * _decimal(data["amount"])
        owed = held["amount"] - held["recovered"] - held["written_off"]
        if owed < 0:
            amount, recovered, off = (yuan(held[f]) for f in ("amount", "recovered", "written_off"))
            version, moved = _shown(event.get("version")), yuan(_decimal(data["amount"]))
            raise Underivable(
                f"recovery {record}'s version {version} ({name}, {moved}) leaves {yuan(owed)} still owed, below zero:"
                f" {recovered} recovered and {off} written off of the {amount} owed back; the ledger never recovers,"
                " writes off or reduces more than is still owed (a repayment above it is refused, over_recovered)",
                f"追回款项 {record} 的第 {version} 版（{name}，{moved} 元）使尚欠金额为 {yuan(owed)} 元，低于零："
                f"应追回 {amount} 元，已追回 {recovered} 元，已核销 {off} 元；"
                "台账追回、核销或减少的金额从不超过尚欠金额（超出的还款以 over_recovered 拒绝）")


def _record_event(event: dict[str, Any]) -> str:
    """A payout's or recovery's event as its topic names it (`Payout.Recorded`), whatever its label says."""
    return str(event.get("topic", "")).rsplit(":", 1)[-1]


def _claim_event(event: dict[str, Any]) -> str:
    topic = event.get("topic")
    module_class, _, name = str(topic).rpartition(".")
    if module_class != CLAIM_TOPIC or name not in CLAIM_EVENTS:
        known = ", ".join(sorted(CLAIM_EVENTS))
        raise Underivable(f"its version {event.get('version')} has topic {_shown(topic)}, not an event this reader"
                          f" knows a claim to record ({known})",
                          f"其第 {event.get('version')} 版的 topic 为 {_shown(topic)}，不是本核验所知的申请事件"
                          f"（{known}）")
    return name


def readable_of(event: dict[str, Any]) -> dict[str, Any]:
    """An event's fields from its stored bytes (checked against `data` and its link before the summary is)."""
    try:
        data = readable(base64.b64decode(event["state_base64"], validate=True))
    except (KeyError, TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _aggregate(event: dict[str, Any]) -> UUID | None:
    return _uuid(event.get("aggregate_id"))


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal:
    if value is None:
        return Decimal("0.00")
    if isinstance(value, bool | float):
        raise ValueError(f"amount {value!r} is not a decimal string")
    return Decimal(str(value))


def _money(value: Any) -> str | None:
    return None if value is None else fmt(_decimal(value))


def _day(value: Any) -> str | None:
    return None if value is None else date.fromisoformat(value).isoformat()


def _moment(value: Any) -> str:
    return datetime.fromisoformat(value).isoformat()


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str))


def _shown(value: Any) -> str:
    return as_sent(value, 120)


# ---------------------------------------------------------------- issuing

def for_claim(ledger: Any, notary: Any, claim_id: str, *, attempts: int = 5, logged: bool = True) -> dict[str, Any]:
    """The receipt of one claim, as this ledger stands now (raises the ledger's NotFound for an unknown id, and
    Tampered, logged as an ERROR unless `logged` is False, when its events no longer hash to their links).

    The claim's view is read before its events and the head is signed after: a command recorded in between
    would leave the summary and the events it holds apart, which `check` refuses. Such a receipt is made
    again (the next reading holds both); after `attempts` the last is given, and its check says where."""
    for _ in range(attempts):
        try:
            claim = _claim_view(ledger, notary, claim_id)
            own = notary.chain.aggregate_events([UUID(claim["id"])])
            # Its payouts and recovery are named by its events, whatever kind of event names them.
            linked = linked_ids(readable(bytes(row[4])) for row in own)
            receipt = build(notary, claim, own + notary.chain.aggregate_events(sorted(linked)))
        except Tampered as err:
            if logged:
                log.error("receipt of claim %s refused: %s", claim_id, err.detail)
            raise
        if not summary_faults(receipt):
            break
    else:
        if (why := impossible(receipt)) is not None:
            # Not a command recorded in between (that resolves on the next reading): the claim's own events make a
            # history the ledger never records, linked as if genuine (changed, then the chain re-linked over it). The
            # ledger would sign what its own checker refuses (an audit probe had 900,000 approved on 300,000).
            err = Tampered(f"claim {claim_id}'s recorded events make a history the ledger never records: {why}. The"
                           " store was changed after they were recorded (and the chain linked over the change), so no"
                           " receipt is issued for it. Check the ledger against a signed digest kept outside"
                           " (`award-ledger verify --digest FILE`) and restore the store from a backup taken before"
                           " the change; report it to the ledger's administrators",
                           zh=f"申请 {claim_id} 已记录的事件构成台账从不会记录的历史：{why.zh}。存储在事件记录后被改动"
                              "（且事件链已按改动重新链接），因此不为其出具回执。请用保存在台账之外的已签名摘要"
                              "核验台账（`award-ledger verify --digest 文件`），并从改动前的备份恢复存储；"
                              "同时报告台账管理员",
                           record=claim_id)
            if logged:
                log.error("receipt of claim %s refused: %s", claim_id, err.detail)
            raise err
    return receipt


def impossible(receipt: dict[str, Any]) -> Underivable | None:
    """Why the claim's own events in `receipt`, or its payouts' and recovery's beside them, make a history the
    ledger never records (an approval above its entitlement, payouts above the approval, versions out of order, a
    payout's event apart from the claim's copy of it, a recovery over-recovered), or None: a summary that merely
    differs from them was read apart from them (a command in between), which the next reading mends."""
    try:
        claim_id = UUID(str(receipt.get("claim_id")))
    except ValueError:
        return None
    listed = receipt.get("events")
    events = [e for e in listed if isinstance(e, dict)] if isinstance(listed, list) else []
    own = [e for e in events if _aggregate(e) == claim_id]
    try:
        _derived(claim_id, own)
        _records_kept(claim_id, own, events)
    except Underivable as why:
        return why
    return None


def _claim_view(ledger: Any, notary: Any, claim_id: str) -> dict[str, Any]:
    """The claim as the ledger reads it; a claim whose stored events no longer fold (one deleted from the middle,
    a topic changed) is refused as tampered where the check finds it."""
    try:
        return ledger.claim(claim_id, with_history=False)
    except Unfolded as failure:
        bad, rows = _break(notary, failure)
        if bad is None:
            raise
        raise _tampered(notary, claim_id, bad, rows) from failure


def _break(notary: Any, failure: Unfolded) -> tuple[int | None, list[tuple[int, Any, int, str, bytes]]]:
    """Where the chain check finds the events of a record that no longer folds tampered with (None: intact), and
    those events' rows."""
    rows = notary.chain.aggregate_events([UUID(str(failure.aggregate_id))])
    return (_checked(notary, rows)[3] if rows else None), rows


def located(notary: Any, failure: Unfolded) -> Tampered | None:
    """The refusal of a record whose stored events no longer fold, naming where the chain check finds its events
    tampered with (None: the check finds them intact, and the ledger, not the store, is at fault)."""
    bad = _break(notary, failure)[0]
    if bad is None:
        return None
    en, zh = record_advice(bad)  # the record's own events: the chain may break before them (`verify` says)
    return Tampered(f"the stored events of {failure.aggregate_id} no longer make a whole record: the chain breaks at"
                    f" position {bad}, so the ledger shows and decides nothing on it. {en}",
                    zh=f"记录 {failure.aggregate_id} 的存储事件已无法组成完整记录：事件链在位置 {bad} 断开，"
                       f"账本不会依据它显示或决定任何事项。{zh}", position=bad, record=str(failure.aggregate_id))


def proved(receipt: dict) -> tuple[str, str]:
    """The organisation, programme and amounts a valid receipt proves, in English and in Chinese: `verify-receipt`
    says them, and the audit page's check (which said "valid" alone: a journey probe)."""
    claim = receipt.get("claim") if isinstance(receipt.get("claim"), dict) else {}
    amounts = [(en, zh, claim.get(field)) for field, en, zh in (
        ("entitled_amount", "entitled", "应享"), ("approved_amount", "approved", "批准"),
        ("paid_amount", "paid", "已拨付"))]
    said = [(en, zh, _shown_yuan(value)) for en, zh, value in amounts if value is not None]
    en = (f"organisation {claim.get('uscc')}, {claim.get('programme')}, award year {claim.get('award_year')}: "
          + ", ".join(f"{en} {value}" for en, _, value in said))
    zh = (f"单位 {claim.get('uscc')}，{_programme_zh(claim.get('programme'))}，{claim.get('award_year')} 年度："
          + "，".join(f"{zh} {value} 元" for _, zh, value in said))
    recovery = recovery_figures(receipt)
    if recovery is not None:  # what became of a revoked award's paid part
        owed = [(en, zh, _shown_yuan(recovery[field])) for field, en, zh in (
            # "opened for", not "to recover": the books' to_recover is what is still owed (a regression probe read
            # two figures under one label)
            ("amount", "opened for", "撤销时应追回"), ("reduced", "less payouts reversed since", "其后冲回误登记拨付"),
            ("recovered", "recovered", "已追回"), ("written_off", "written off", "已核销"),
            ("outstanding", "still owed", "尚欠")) if field in recovery]
        en += "; recovery: " + ", ".join(f"{e} {value}" for e, _, value in owed)
        zh += "；追回：" + "，".join(f"{z} {value} 元" for _, z, value in owed)
    return en, zh


def _shown_yuan(value: object) -> str:
    try:
        return yuan(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def _programme_zh(code: object) -> str:
    """A programme as Chinese sentences name it (工程研究中心认定奖励（A3.erc）), its code where no version of the
    catalogue knows it: the receipt's proof named the bare code (a regression probe)."""
    from ledger.catalogue import catalogues

    found = next((p for c in reversed(catalogues()) if (p := c.programme(str(code))) is not None), None)
    return found.zh if found is not None else str(code)
