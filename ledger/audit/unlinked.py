"""What an event without a link in the chain means, in both languages.

Each event's link is written by the transaction that records it, so an event without one was slipped into the
events table, or its link was deleted from the chain table. The chain tells the two apart where a stored link, or
a signed digest, follows: one that chains from the event as stored shows its link was deleted (the event is as
recorded); one that chains past it shows it was inserted. An audit probe emptied the chain table and deleted one
link row: both were reported as events "inserted or renumbered afterwards", to be undone by a backup taken before
position 1, an empty ledger.
"""
from __future__ import annotations

from ledger.audit.deleted_links import Parted
from ledger.audit.tampering import LINKS_ADVICE, UNLINKED_ADVICE


def _span(first: int, last: int) -> tuple[str, str]:
    return ((f"position {first}", f"位置 {first}") if first == last else
            (f"positions {first} to {last}", f"位置 {first} 至 {last}"))


def unlinked_reason(first: int, last: int, *, inserted: bool, tail: bool, none_linked: bool) -> tuple[str, str]:
    """Why events at `first`..`last` without a link fail: `inserted` (the next stored link chains past them), the
    `tail` of the log (no later link to tell), or `none_linked` (the chain table holds no link at all)."""
    en, zh = _span(first, last)
    if inserted:
        return (f"the events table has an event at {en} without a link in the chain, and the next stored link chains"
                " past it: it was inserted or renumbered afterwards",
                f"事件表中{zh}的事件在链中没有链接，而下一个已存链接跳过它而相连：它是事后插入或改了编号的")
    if none_linked:
        return (f"the chain table holds no link at all, while the events table holds events at {en}: the chain"
                " table was emptied (the events themselves may be as recorded), or every event was inserted behind"
                " the ledger's back",
                f"链表中没有任何链接，而事件表中存有{zh}的事件：链表被清空（事件本身可能仍是原样），"
                "或所有事件都是绕过台账插入的")
    if tail:
        return (f"the events at {en}, the last of the log, have no link in the chain, and no later link tells why:"
                " they were inserted afterwards, or their links were deleted from the chain table",
                f"{zh}的事件（日志的最后部分）在链中没有链接，且其后没有链接可作判断：它们是事后插入的，"
                "或其链接已从链表中删除")
    return (f"the events table has an event at {en} without a link in the chain, and the next stored link does not"
            " chain from it as stored: it was inserted or changed afterwards, or its link was deleted and an event"
            " beside it changed",
            f"事件表中{zh}的事件在链中没有链接，且下一个已存链接也不能从其现存内容相连：它是事后插入或改动的，"
            "或其链接被删除且旁边的事件被改动")


def links_gone_reason(runs: list[tuple[int, int, str, int]], matched: int | None = None) -> tuple[str, str]:
    """Why a chain whose events all hold fails: the links of `runs` (first, last, and what shows the events there
    are as recorded: "link", the next stored link at `at` chains from them, or "digest", the digest saved at `at`
    matches) are missing from the chain table. `matched`: the last position of a saved digest the events still hash
    to, said first (`verify --digest` left it unsaid where the next stored link showed the events as recorded)."""
    shown = runs[:5]
    en = "; ".join(f"{_span(a, b)[0]} ({_shown(by, at, a == b)[0]})" for a, b, by, at in shown)
    zh = "；".join(f"{_span(a, b)[1]}（{_shown(by, at, a == b)[1]}）" for a, b, by, at in shown)
    more = len(runs) - len(shown)
    said = (f"the chain's own records are missing: no link is stored for {en}"
            + (f", and {more} more such runs" if more > 0 else "")
            + ". The events there are stored and chain as recorded, so it is the chain table that was changed (its"
              " links deleted), not the events",
            f"事件链自身的记录缺失：{zh}没有存储链接" + (f"，另有 {more} 处" if more > 0 else "")
            + "。这些位置的事件仍在，且按记录时的样子相连：被改动的是链表（其链接被删除），而不是事件")
    if matched is None:
        return said
    return (f"the events match the saved digest (every event up to position {matched} still hashes to it); only"
            f" {said[0]}", f"事件与保存的摘要相符（截至位置 {matched} 的每个事件仍与之相符）；只是{said[1]}")


def spans(runs: list[tuple[int, int]]) -> tuple[str, str]:
    """Where links are missing, `runs` of (first, last) positions, as a sentence names them, (English, Chinese)."""
    return "; ".join(_span(a, b)[0] for a, b in runs), "；".join(_span(a, b)[1] for a, b in runs)


def parted_said(parted: Parted) -> tuple[tuple[str, str], tuple[str, str]]:
    """Why a check of a few rows finds `parted` events without a link (ledger/audit/deleted_links.py), and what to do:
    the next stored link chains from them as stored (their links were deleted: put the chain's rows back), or none
    follows to tell (slipped in, or their links deleted: a signed digest tells which); never a backup of the events
    taken before them, the advice for events changed (an audit probe)."""
    if parted.next_link is None:
        return (unlinked_reason(parted.first, parted.last, inserted=False, tail=True, none_linked=False),
                UNLINKED_ADVICE)
    return links_gone_reason([(parted.first, parted.last, "link", parted.next_link)]), LINKS_ADVICE


def _shown(by: str, at: int, one: bool) -> tuple[str, str]:
    if by == "link":
        return (f"the next stored link, at position {at}, chains from {'it' if one else 'them'}",
                f"位置 {at} 的已存链接由{'它' if one else '它们'}相连而来")
    return (f"the events up to position {at} hash to the digest saved there",
            f"截至位置 {at} 的事件与该处保存的摘要相符")
