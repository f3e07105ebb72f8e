"""Where a signing key's use shows apart from the key registry, and what a key the registry lacks means.

A key is registered before it signs anything (`ledger.audit.keys`), so a key that signed for this store and is not
in its registry had its row deleted after it was written (an audit probe deleted the newest key's row: the server
went on signing with a key its registry no longer listed, and its own digests were then refused as another
ledger's). Three things show a key's use: the key a running server signs with, the digests the year closes
recorded among the chained events (`YearClose.Closed`), and a signed document handed to a check. The first two are
this store's own evidence; a document handed in proves only who signed it, not that this ledger did, so a key the
registry does not list is said with what else it may mean: a store older than the key (a backup restored from
before a rotation), or a document that is not this ledger's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ledger import beijing
from ledger.audit.signing import check

CLOSED = "ledger.domain.year_close:YearClose.Closed"  # the event whose `digest` the close signed and recorded
# How far a document may be dated before its key's first use: another machine's clock, a few minutes slow.
CLOCK_SKEW = timedelta(minutes=10)

# What to do when a key that signed for the store is not in its registry: the row is put back as it was (a row never
# changes once written), not registered again as a new key, which would date the key from now.
ROW_ADVICE = ("Keep the store as it is and record no rotation over it: put the key's row of ledger_audit_keys back"
              " from a backup that holds it (key_id, public_key and first_used, as written), check digests and"
              " receipts meanwhile with the public key kept outside the system (the one handed out with them),"
              " investigate who could write to the database, and report it",
              "请保持存储原样，不要在其上轮换密钥：从含有该密钥行的备份中把 ledger_audit_keys 的该行按原样放回"
              "（key_id、public_key 和 first_used），其间用保存在系统之外的公钥（随摘要、回执交付的那份）核验摘要"
              "和回执，调查哪些人能写入数据库，并报告此事")


@dataclass(frozen=True)
class Used:
    """A key's use: its id, where it shows (English, Chinese), and when it signed (None: now, a server's key)."""

    key_id: str
    where: tuple[str, str]
    at: str | None = None


def server(key_id: str) -> Used:
    """The key a running server signs with."""
    return Used(key_id, ("which this server signs with", "而本服务正用它签名"))


def recorded(db: Any, conn: Any) -> list[Used]:
    """The keys that signed the digests the store's year closes recorded (each checked under the key it carries;
    one that does not hold is the chain's to find, not evidence of a key)."""
    found: list[Used] = []
    if not db.has_table(conn, db.events):  # a store a key is registered for before its first event (serve, fresh)
        return found
    rows = db.rows(conn, f"SELECT {db.position_column}, state FROM {db.events} WHERE topic = %s", [CLOSED])
    for position, state in rows:
        try:
            data = json.loads(state if isinstance(state, str) else bytes(state))
        except (TypeError, ValueError):
            continue
        digest = data.get("digest") if isinstance(data, dict) else None
        if not isinstance(digest, dict) or not isinstance(digest.get("key_id"), str) or check(digest) is not None:
            continue
        year = data.get("year")
        found.append(Used(digest["key_id"], (f"which signed the digest the {year} close recorded (position {position})",
                                             f"而它签发了 {year} 年度结账所记录的摘要（位置 {position}）"),
                          digest.get("computed_at") if isinstance(digest.get("computed_at"), str) else None))
    return found


def missing(known: list[Any], used: list[Used]) -> tuple[str, str] | None:
    """Why the registry `known` (KnownKey rows, oldest first) misstates a key `used` shows, (English, Chinese): the
    key is not listed, or listed as first used after it signed (its row deleted and registered again, as a restart
    registers a key it does not find); None when it states them all."""
    first = {k.key_id: k.first_used for k in known}
    for use in used:
        if use.key_id not in first:
            return (f"does not list key {use.key_id}, {use.where[0]}: a key is registered before it signs, so its row"
                    " was deleted after it was written" + (
                        " (or a backup taken before the key was first used was restored under this running server:"
                        " then stop every server and start them again)" if use.at is None else ""),
                    f"中没有密钥 {use.key_id}，{use.where[1]}：密钥在签名之前就已登记，因此其登记行在写入后被删除"
                    + ("（或在本服务运行时恢复了该密钥启用之前的备份：如是，请停止所有服务后重新启动）"
                       if use.at is None else ""))
        signed, since = _moment(use.at), _moment(first[use.key_id])
        if signed is not None and since is not None and signed < since - CLOCK_SKEW:
            return (f"dates key {use.key_id} from {beijing.shown(since)}, {use.where[0]} at {beijing.shown(signed)},"
                    " before that: its row was deleted and the key registered again as new",
                    f"记载密钥 {use.key_id} 自 {beijing.shown_zh(since)} 起使用，{use.where[1]}，签发于"
                    f" {beijing.shown_zh(signed)}，早于该时刻：其登记行被删除后，该密钥又被当作新密钥重新登记")
    return None


def _moment(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None
