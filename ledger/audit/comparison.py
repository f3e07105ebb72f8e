"""One pass over the recomputed chain, the stored links and the saved digests, stopping at the first fault."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.audit.encoding import ALGORITHM, GENESIS, link
from ledger.audit.tampering import UNLINKED_ADVICE, behind, links_advice
from ledger.audit.unlinked import links_gone_reason, unlinked_reason
from ledger.domain.text import as_sent


class InvalidDigest(ValueError):
    """A saved digest that is not one this ledger issued (wrong algorithm, position or hex); `zh`: the same for a
    Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


@dataclass(frozen=True)
class Bad:
    position: int
    failure: str
    reason: str
    reason_zh: str
    todo: tuple[str, str] | None = None  # what to do, where it is worded with what was found (else `what_to_do`'s)


class Comparison:
    """Walks the events in order beside the stored links; every event must have its link, and match it.

    An event without a link is not judged at once: it was slipped in, or its link was deleted (an audit probe emptied
    the chain table and was told every event had been inserted, and to restore a backup taken before position 1).
    The walk chains it as stored and goes on: the next stored link, or a saved digest, that chains from it shows
    its link was deleted and the event is as recorded (failure `link_missing`); one that chains past it shows it
    was inserted; neither, or none left to tell (the tail), leaves both said (failure `unexpected`)."""

    def __init__(self, stored: Iterator[tuple[int, bytes]], checkpoints: list[tuple[int, bytes]],
                 attested: bool = False) -> None:
        self.stored, self.attested = stored, attested  # attested: every saved digest's signature checked before
        self.pending = next(stored, None)
        self.checkpoints, self.saved_total = list(checkpoints), len(checkpoints)
        self.running, self.position, self.checked = GENESIS, 0, 0
        self.trusted = (0, GENESIS)  # the last saved digest that matched: a prefix an auditor vouched for
        self.matched: list[int] = []  # the positions of the saved digests that matched
        self.first_after_trusted: int | None = None
        self.unlinked: list[int] = []  # the events without a link since the last one that had one
        self.before_unlinked = (0, GENESIS, 0)  # position, running link and count checked before them
        self.links_gone: list[tuple[int, int, str, int]] = []  # links found deleted: `settle`
        self.any_link = self.pending is not None

    def run(self, events: Iterable[tuple[int, bytes]]) -> dict:
        for at, data in events:
            if bad := self.check_saved(until=at) or self.step(at, data):
                return self.result(bad)
        if self.pending is not None:
            return self.result(self.unlinked_bad() if self.unlinked else _missing(self.pending[0]))
        if bad := self.check_saved(until=None):
            return self.result(bad)
        if self.unlinked:
            return self.result(self.unlinked_bad())
        return self.result(_links_gone(self.links_gone, max(self.matched, default=None)) if self.links_gone else None)

    def step(self, at: int, data: bytes) -> Bad | None:
        if self.pending is not None and self.pending[0] < at:
            return self.unlinked_bad() if self.unlinked else _missing(self.pending[0])
        if self.pending is None or self.pending[0] > at:
            # Links are written by the transaction that records the event: one without a link was put there
            # some other way, or its link was deleted. Chained as stored, what follows tells which.
            if not self.unlinked:
                self.before_unlinked = (self.position, self.running, self.checked)
            self.unlinked.append(at)
            self.running, self.position = link(self.running, data), at
            return None
        following = link(self.running, data)
        if following != self.pending[1]:
            if self.unlinked:
                return self.unlinked_bad(inserted=link(self.before_unlinked[1], data) == self.pending[1])
            return _changed(at, self.position + 1 if self.position + 1 < at else None)
        if self.unlinked:
            self.settle("link", at)
        self.pending = next(self.stored, None)
        self.running, self.position, self.checked = following, at, self.checked + 1
        if self.first_after_trusted is None:
            self.first_after_trusted = at
        return None

    def settle(self, by: str, at: int) -> None:
        """The events without a link since the last one are as recorded (shown `by` the stored "link" or the saved
        "digest" at `at`): their links were deleted."""
        self.links_gone.append((self.unlinked[0], self.unlinked[-1], by, at))
        self.checked += len(self.unlinked)
        if self.first_after_trusted is None:
            self.first_after_trusted = self.unlinked[0]
        self.unlinked = []

    def unlinked_bad(self, inserted: bool = False) -> Bad:
        first, last = self.unlinked[0], self.unlinked[-1]
        self.position, self.running, self.checked = self.before_unlinked  # the head reported: before them
        tail = self.pending is None
        return _unlinked(first, last, inserted=inserted, tail=tail, none_linked=not self.any_link)

    def check_saved(self, until: int | None) -> Bad | None:
        # A digest saved at position P covers every event up to P: check it before hashing anything after P.
        while self.checkpoints and (until is None or self.checkpoints[0][0] < until):
            saved_position, saved_link = self.checkpoints.pop(0)
            if until is None and saved_position > self.position:  # the ledger only grows: it held that position once
                return _saved_beyond(saved_position, self.position, self.attested)
            if saved_link != self.running:
                if self.unlinked:  # events without a link the ledger did not sign so: not (only) links deleted
                    return self.unlinked_bad()
                return _saved_mismatch(saved_position, saved_link, self.trusted[0], self.first_after_trusted)
            if self.unlinked:  # the signed digest chains through them: as recorded, their links deleted
                self.settle("digest", saved_position)
            self.trusted, self.first_after_trusted = (saved_position, saved_link), None
            self.matched.append(saved_position)
        return None

    def result(self, bad: Bad | None) -> dict:
        # The head reported is one the caller can trust and save: all checked events, or the vouched-for prefix.
        head = self.trusted if bad is not None and bad.failure == "saved_digest_mismatch" else (
            self.position, self.running)
        if bad is not None and bad.failure != "link_missing" and self.links_gone:  # said beside what came after
            en, zh = links_gone_reason(self.links_gone)
            bad = Bad(bad.position, bad.failure, f"{bad.reason} (before it, {en})",
                      f"{bad.reason_zh.rstrip('。')}（此前，{zh}）", bad.todo)
        report = {"ok": bad is None, "events_checked": self.checked,
                  "first_bad_position": None if bad is None else bad.position,
                  "reason": None if bad is None else bad.reason, "reason_zh": None if bad is None else bad.reason_zh,
                  "failure": None if bad is None else bad.failure,
                  "chain_head": digest_of(*head), "chain_position": self.position if bad is None else head[0],
                  "saved_digests_checked": self.saved_total}
        if bad is not None and bad.failure == "link_missing":
            # Where the links are missing, and the saved digest the events still hash to (all that failed is the
            # links: every saved digest matched), for the audit page and `verify --digest` to say so.
            report |= {"links_missing": [{"first": a, "last": b} for a, b, _, _ in self.links_gone],
                       "saved_digest_matched": max(self.matched, default=None)}
        return report | ({"what_to_do": bad.todo[0], "what_to_do_zh": bad.todo[1]} if bad is not None and bad.todo
                         else {})


def _changed(at: int, gap: int | None = None) -> Bad:
    """`gap`: the first of the positions before `at` that hold no event (and no link) since the last event checked:
    an event there deleted with its link leaves the next one failing its link, which chains from the deleted one
    (an audit probe's middle event, deleted with its link, was blamed on the next event alone)."""
    where = None if gap is None else (f"{gap}" if gap == at - 1 else f"{gap}..{at - 1}")
    return Bad(at, "changed", f"the event at position {at} no longer hashes to the chain's link there: its stored"
                              " bytes (or that link) were changed after it was recorded" + (
                                  f", or an event at position {where}, where the log holds neither an event nor a"
                                  " link, was deleted together with its link" if where else ""),
               f"位置 {at} 的事件与链在该处的链接不再相符：其存储的字节（或该链接）在记录之后被改动过" + (
                   f"，或位置 {where}（该处既无事件也无链接）的事件连同其链接被删除" if where else ""))


def _missing(at: int) -> Bad:
    return Bad(at, "missing", f"the chain records an event at position {at}, which the events table no longer has:"
                              " it was deleted or renumbered",
               f"链记录了位置 {at} 的事件，但事件表中已没有它：它被删除或被改了编号")


def _unlinked(first: int, last: int, *, inserted: bool, tail: bool, none_linked: bool) -> Bad:
    """Events at `first`..`last` without a link: `inserted` when the next stored link chains past them; else said
    both ways (inserted afterwards, or their links deleted), with what tells them apart."""
    en, zh = unlinked_reason(first, last, inserted=inserted, tail=tail, none_linked=none_linked)
    return Bad(first, "unexpected", en, zh, todo=None if inserted else UNLINKED_ADVICE)


def _links_gone(runs: list[tuple[int, int, str, int]], matched: int | None) -> Bad:
    """Links missing in `runs`, all that failed; `matched`: the last position a saved digest was given for, which the
    events still hash to (`verify --digest` said the chain's records were missing and not that the digest matched,
    where the next stored link, not the digest, showed the events as recorded: an audit probe)."""
    en, zh = links_gone_reason(runs, matched)
    return Bad(runs[0][0], "link_missing", en, zh, todo=links_advice(matched, runs[-1][1]))


def _saved_mismatch(saved_position: int, saved_link: bytes, trusted: int, first_after: int | None) -> Bad:
    lower = first_after if first_after is not None and first_after <= saved_position else saved_position
    return Bad(lower, "saved_digest_mismatch",
               f"the events up to position {saved_position} no longer hash to the digest saved for that position"
               f" ({saved_link.hex()}), although the chain table agrees with them: an event at positions"
               f" {lower}..{saved_position} was changed, deleted or inserted, and the chain table rewritten to"
               f" hide it" + (f" (the digest saved for position {trusted} still matches)" if trusted else ""),
               f"截至位置 {saved_position} 的事件与为该位置保存的摘要（{saved_link.hex()}）不再相符，而链表却与这些事件"
               f"一致：位置 {lower}..{saved_position} 中有事件被改动、删除或插入，且链表被改写以掩盖"
               + (f"（为位置 {trusted} 保存的摘要仍然相符）" if trusted else ""))


def _saved_beyond(saved_position: int, head: int, attested: bool) -> Bad:
    """A saved digest past the last event: it said the events up to that position "no longer hash to the digest",
    where the dashboard said what it is (an audit probe). Worded by `tampering.behind`, with what to do."""
    reason, todo = behind(saved_position, head, attested)
    return Bad(head + 1, "saved_beyond", *reason, todo=todo)


def digest_of(position: int, head: bytes) -> dict[str, Any]:
    """A digest as issued: the chain's position and link there, and how links are made."""
    return {"position": position, "digest": head.hex(), "algorithm": ALGORITHM,
            "computed_at": datetime.now(UTC).isoformat(timespec="seconds")}


def checkpoints(saved: dict | Sequence[dict] | None) -> list[tuple[int, bytes]]:
    """Saved digests as (position, link), in order; refuses one this ledger could not have issued."""
    if saved is None:
        return []
    return sorted(_checkpoint(one) for one in ([saved] if isinstance(saved, dict) else saved))


def _checkpoint(saved: Any) -> tuple[int, bytes]:
    # Said as JSON writes it (null, "x"), and a field left out as missing: "not None" was Python's word (a zh probe).
    if not isinstance(saved, dict):
        raise InvalidDigest(f"a saved digest is an object with position and digest (as GET /v1/audit/digest answers),"
                            f" not {as_sent(saved)}",
                            f"保存的摘要应为含 position 和 digest 的对象（即 GET /v1/audit/digest 的应答），"
                            f"而不是 {as_sent(saved)}")
    algorithm, position, digest = saved.get("algorithm", ALGORITHM), saved.get("position"), saved.get("digest")
    if algorithm != ALGORITHM:
        raise InvalidDigest(f"the saved digest uses {as_sent(algorithm)}; this ledger's chain is {ALGORITHM!r}",
                            f"保存的摘要使用 {as_sent(algorithm)}；本台账的链使用 {ALGORITHM!r}")
    if "position" not in saved:
        raise InvalidDigest("the saved digest has no position: give the file saved from GET /v1/audit/digest,"
                            " which holds position, digest and its signature (`award-ledger verify` checks a chain,"
                            " and writes no digest to keep)",
                            "保存的摘要缺少 position：请给出从 GET /v1/audit/digest 保存的文件，其中含 position、digest"
                            "及签名（`award-ledger verify` 只核验链，不生成可保存的摘要）")
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise InvalidDigest(f"a saved digest's position must be a whole number from 0, not {as_sent(position)}",
                            f"保存的摘要的 position 应为从 0 起的整数，而不是 {as_sent(position)}")
    try:
        value = bytes.fromhex(digest) if isinstance(digest, str) else b""
    except ValueError:
        value = b""
    if len(value) != len(GENESIS):
        raise InvalidDigest(f"a saved digest must be {2 * len(GENESIS)} hex digits, not {as_sent(digest)}",
                            f"保存的摘要应为 {2 * len(GENESIS)} 位十六进制数字，而不是 {as_sent(digest)}")
    return position, value
