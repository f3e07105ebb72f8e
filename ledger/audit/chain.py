"""The tamper-evidence chain of one store: a SHA-256 hash chain over the stored events, in notification order.

Each event's link (`ledger.audit.encoding`) is written by the transaction that records it
(`ledger.audit.linking`), into `rm_audit_chain(position, link)` beside the events. Recomputing the chain
from the events and comparing it with the stored links finds an event whose bytes changed, one deleted and
one slipped in (it has no link). Someone able to rewrite the chain table as well can make the two agree
again; a digest (position and link) kept outside the system catches that: `verify(saved=digest)`
recomputes the link at the digest's position from the events alone.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from ledger.audit import key_use, keys
from ledger.audit.comparison import Comparison, InvalidDigest, checkpoints, digest_of
from ledger.audit.deleted_links import Parted, parted_at
from ledger.audit.encoding import ALGORITHM, GENESIS, event_bytes, link
from ledger.audit.snapshot_check import check_all
from ledger.audit.stores import Progress, open_store
from ledger.audit.tables import CHAIN_TABLE, ensure_event_store, events_table, snapshots_table
from ledger.audit.tampering import GAP_ADVICE, UNLINKED_ADVICE, Tampered, advice, log_found
from ledger.audit.unlinked import parted_said

__all__ = ["ALGORITHM", "CHAIN_TABLE", "GENESIS", "AuditChain", "InvalidDigest", "event_bytes", "events_table",
           "link", "snapshots_table"]


class AuditChain:
    """The hash chain of one store: read, caught up after an upgrade, and verified end to end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._db = open_store(url)
        self.appended = 0  # links appended by the last extend(): how much an upgrade left to catch up
        self.appended_range: tuple[int, int] | None = None  # their first and last positions

    @classmethod
    def open(cls, url: str) -> AuditChain:
        """The chain of the store at `url`: the store created if missing, the tail an older version left
        unchained caught up (once; every later event is chained by its own save)."""
        ensure_event_store(url)
        chain = cls(url)
        chain.extend()
        return chain

    def extend(self) -> int:
        """Chain the events recorded before this version first opened the store and not chained yet; the head.

        Events after that point are chained only by their own saves: one without a link stays without it, for
        `verify` to report, rather than being chained here as if genuine."""
        with self._db.connect() as conn:
            before, _ = self._db.head(conn)
            head = self._db.catch_up(conn)
            linked = self.links_between(before, head) if head > before else []
            self.appended, self.appended_range = len(linked), (linked[0], linked[-1]) if linked else None
            return head

    def links_between(self, after: int, upto: int) -> list[int]:
        with self._db.connect() as conn:
            return [position for position, _ in self._db.links_upto(conn, upto, after)]

    def links_after(self, after: int | None) -> list[tuple[int, bytes]]:
        """The stored links after a position (all of them from None), in order."""
        with self._db.connect() as conn:
            head, _ = self._db.head(conn)
            return list(self._db.links_upto(conn, head, after))

    def aggregate_events(self, aggregate_ids: Sequence[UUID]) -> list[tuple]:
        """Every stored event of these aggregates: (position, aggregate id, version, topic, state)."""
        found: list[tuple] = []
        with self._db.connect() as conn:
            for aggregate_id in aggregate_ids:
                key = aggregate_id if self._db.placeholder == "%s" else aggregate_id.hex  # SQLite stores hex
                found += self._db.rows(conn, f"SELECT {self._db.position_column}, originator_id, originator_version,"
                                             f" topic, state FROM {self._db.events} WHERE originator_id = %s", [key])
        return found

    def first_missing(self, start: int, upto: int) -> int | None:
        """The first position from `start` to `upto` where the chain and the events table part: a link whose event
        is no longer stored (deleted), or an event stored without a link (slipped in). Two counts over the range
        first (each an index range); the positions are compared one by one only when they differ."""
        if upto < start:
            return None
        col, events = self._db.position_column, self._db.events
        between = [start, upto]
        with self._db.connect() as conn:
            linked = self._db.rows(conn, f"SELECT count(*) FROM {CHAIN_TABLE} WHERE position >= %s AND"
                                         " position <= %s", between)[0][0]
            stored = self._db.rows(conn, f"SELECT count(*) FROM {events} WHERE {col} >= %s AND {col} <= %s",
                                   between)[0][0]
            if linked == stored:
                return None
            found = self._db.rows(
                conn, f"SELECT min(p) FROM (SELECT c.position AS p FROM {CHAIN_TABLE} c WHERE c.position >= %s AND"
                      f" c.position <= %s AND NOT EXISTS (SELECT 1 FROM {events} e WHERE e.{col} = c.position)"
                      f" UNION ALL SELECT e.{col} AS p FROM {events} e WHERE e.{col} >= %s AND e.{col} <= %s AND"
                      f" NOT EXISTS (SELECT 1 FROM {CHAIN_TABLE} c WHERE c.position = e.{col})) AS parted",
                between * 2)
        return found[0][0] if found and found[0][0] is not None else start

    def parted(self, position: int) -> Parted | None:
        """The events without a link that explain a break a check of a few rows found at `position`: links deleted
        from the chain table (the next stored link chains from the events as stored), or nothing after them tells;
        None where the events themselves were tampered with (ledger/audit/deleted_links.py)."""
        db = self._db
        with db.connect() as conn:
            return parted_at(conn.cursor(), position, events=db.events, chain=CHAIN_TABLE, column=db.position_column,
                             placeholder=db.placeholder, stored_id=db.stored_id)

    def digest(self) -> dict[str, Any]:
        """The chain's head, for an auditor to keep outside the system."""
        with self._db.connect() as conn:
            position, head = self._db.head(conn)
        return digest_of(position, head)

    def head_intact(self, position: int, issuing: tuple[str, str] = ("digest", "摘要")) -> None:
        """Refuse (`Tampered`) to vouch for a head the events no longer bear out: the event at `position` gone or
        not the one its link chains, or events stored past the chain's head with no link (the chain table emptied:
        a signed digest of an empty ledger over eighty events, an audit probe). Three small reads; what lies below
        the head is `verify`'s to check, and a digest kept from before finds it."""
        db = self._db
        with db.connect() as conn:
            last = db.last_event(conn)  # before the head: an event a save commits meanwhile is under its link
            head, _ = db.head(conn)
            rows = db.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE} WHERE position <= %s ORDER BY position"
                                 " DESC LIMIT 2", [position]) if position else []
            event = db.events_after(conn, position - 1, 1, position) if position else []
        todo = None
        if last > head:
            # Slipped in, or their links deleted (every link, where the head is 0): a backup taken before them was
            # the advice, an empty ledger for a chain table emptied (an audit probe). `verify --digest` tells which.
            where, why = head + 1, (f"events are stored past the chain's head (position {head}) without a link: they"
                                    " were inserted afterwards, or their links were deleted from the chain table"
                                    + (" (it holds none: it was emptied)" if head == 0 else ""),
                                    f"事件链头（位置 {head}）之后存有没有链接的事件：它们是事后插入的，"
                                    "或其链接已从链表中删除"
                                    + ("（链表中没有任何链接：它被清空了）" if head == 0 else ""))
            todo = UNLINKED_ADVICE
        elif position and (not event or event[0][0] != position or not rows or rows[0][0] != position):
            where, why = position, (f"the event at the chain's head (position {position}) is missing",
                                    f"事件链头（位置 {position}）处的事件已不存在")
        elif position and link(bytes.fromhex(rows[1][1]) if len(rows) > 1 else GENESIS,
                               event_bytes(event[0][0], db.stored_id(event[0][1]), *event[0][2:])).hex() != rows[0][1]:
            where, why = position, (f"the event at the chain's head (position {position}) is not the one its link"
                                    " chains", f"事件链头（位置 {position}）处的事件与其链接不符")
            if (parted := self.parted(position)) is not None:  # the links before it deleted, the events as recorded
                where, (why, todo) = parted.first, parted_said(parted)
        else:
            return
        en, zh = todo or advice(where)
        # `issuing`: what is refused, as the reader asked for it (a receipt's reader was told of a digest: a probe)
        raise Tampered(f"no {issuing[0]} is signed: {why[0]}. {en}", zh=f"不签发{issuing[1]}：{why[1]}。{zh}",
                       position=where)

    def links(self, positions: Sequence[int]) -> dict[int, str]:
        """The stored links at these positions, hex."""
        if not positions:
            return {}
        with self._db.connect() as conn:
            rows = self._db.rows(conn, f"SELECT position, link FROM {CHAIN_TABLE} WHERE position >= %s AND"
                                       " position <= %s", [min(positions), max(positions)])
        wanted = set(positions)
        return {position: hex_link for position, hex_link in rows if position in wanted}

    def verify(self, saved: dict | Sequence[dict] | None = None, progress: Progress | None = None,
               app: Any = None, *, logged: bool = True, attested: bool = False, signing_key: str | None = None) -> dict:
        """Recompute the chain from the events, compare it with the stored links and any saved digests.

        `saved` is one digest from `digest()` or a list of them; the more there are, the narrower a
        rewritten chain is located. `progress(events_checked, position)` is called after every page.
        An event without a link is a fault: links are written with the events they chain. Given the
        application (`app`), every record's versions are checked to run from 1 without a gap (failure "gap": its
        events and their links both gone, as a store restored under a running server leaves it), every snapshot
        against the fold of its events, and every key of the registry against its id, and the keys the recorded closes
        signed with and `signing_key` (the server's) against the registry (failure "keys"). A verification
        that finds tampering logs an ERROR saying where and what to do (the server's: the audit page's, GET
        /v1/audit/verify), unless `logged` is False (the command line says it to its reader instead). `attested`:
        the caller checked every saved digest's signature under this ledger's keys, so none is another ledger's.
        """
        marks = checkpoints(saved)
        with self._db.connect() as conn:
            # The chain's head, then the last event: each link commits with its event, so every link up to
            # either is there to read (one past the last event is a deleted event's), and both tables are
            # append-only, so the pages read below see a fixed prefix while writers carry on.
            head, _ = self._db.head(conn)
            last = self._db.last_event(conn)
            events = self._db.event_bytes_upto(conn, last, progress)
            stored = self._db.links_upto(conn, max(head, last))
            report = Comparison(stored, marks, attested).run(events)
            if app is not None and report["ok"] and (gaps := self._db.version_gaps(conn)):
                report |= _gap(gaps)
            if app is not None:
                report |= check_all(app, self._db.snapshot_rows(conn))
                if report["ok"] and report["bad_snapshots"]:
                    first = report["bad_snapshots"][0]
                    report |= {"ok": False, "failure": "snapshot", "reason": first["reason"],
                               "reason_zh": first["reason_zh"]}
                # The keys digests and receipts are checked against (GET /v1/audit/keys): each the key its id names,
                # and none that signed for this store missing (`key_use`: its row deleted, an audit probe).
                if report["ok"]:
                    used = [*key_use.recorded(self._db, conn), *([key_use.server(signing_key)] if signing_key else [])]
                    if (registry := keys.altered(keys.known_keys(self._db), used)) is not None:
                        report |= {"ok": False, "failure": "keys", "reason": str(registry), "reason_zh": registry.zh}
        if logged and not report["ok"]:
            log_found(report, "chain verification")
        return report


def _gap(gaps: list[tuple[Any, int, int, int]]) -> dict[str, Any]:
    """The report of records whose versions have a gap, the first named: events gone with their links (the chain
    over what is left still holds), which no record can be read past."""
    record, count, first, last = gaps[0]
    record = _named(record)
    en = (f"record {record} holds {count} stored events with versions {first} to {last}: versions are missing"
          " between, gone with their links (a store restored under a running server, or events deleted), and the"
          f" record cannot be read past the gap. {GAP_ADVICE[0]}")
    zh = (f"记录 {record} 存有 {count} 个事件，版本为 {first} 至 {last}：其间有版本缺失，连同其链接一并消失"
          f"（在服务运行时恢复了存储，或事件被删除），该记录无法越过缺口读取。{GAP_ADVICE[1]}")
    return {"ok": False, "failure": "gap", "reason": en, "reason_zh": zh,
            "gaps": [{"record": str(_named(r)), "events": n, "first_version": a, "last_version": b}
                     for r, n, a, b in gaps]}


def _named(record: Any) -> Any:
    try:
        return record if isinstance(record, UUID) else UUID(str(record))
    except ValueError:
        return record
