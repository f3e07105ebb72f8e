"""The query side: what bureaus, finance and auditors read. Every answer comes from the read-model
tables; an as-of answer replays only the asking organisation's indexed history (and that of the shared
caps it draws on), through the same fold as the live tables, so its cost follows that organisation."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson  # decodes these rows 2.1× faster than json (bench/bench_orjson.py); encoding keeps sql.py's json

from projections import award_state, bank, caps, finance, history, proposals, recoveries, work
from projections.events import EventRow, utc_text
from projections.schema import HISTORY_COLUMNS, INDEXED
from projections.sql import Sql, history_from
from projections.view import ReadModelView, Rewound, open_view

COLUMNS = ", ".join(f"h.{c}" for c in HISTORY_COLUMNS)
# A page of a year's indexed history (projections/finance.py `index_keys`), in log order, keyset on position.
FINANCE_PAGE = ("SELECT h.position, h.aggregate_id, h.version, h.event, h.recorded_at, h.data FROM rm_cap_events c"
                " JOIN rm_history h ON h.position = c.position WHERE c.account = %s AND c.position > %s"
                " AND c.position <= %s AND h.recorded_at <= %s ORDER BY c.position LIMIT %s")
ENTITIES = ("organisation", "claim", "certification")
# The events that open a claim's row in the fold (a proposal's too), and those naming the accounts it holds.
OPENS = ("Claim.Submitted", "Claim.Proposed")
HOLDS = (*OPENS, "Claim.Confirmed", "Claim.Reassessed")


class ReadModels:
    def __init__(self, view: ReadModelView) -> None:
        self.view = view

    @classmethod
    def open(cls, url: str) -> ReadModels:
        """The read models of the store `url` names; their tables are created if missing."""
        return cls(open_view(url))

    def award_state(self, uscc: str, as_of: datetime | None = None) -> dict | None:
        """The organisation's awards now, or as the ledger knew them at `as_of`; None if it is unknown."""
        if as_of is not None:
            return self._award_state_as_of(uscc, as_of)
        return self._award_state(*self.view.award_rows(uscc, ENTITIES))

    async def award_state_async(self, uscc: str) -> dict | None:
        """award_state now, asked on the event loop: only where `can_answer_async` (PostgreSQL's view)."""
        return self._award_state(*await self.view.award_rows_async(uscc, ENTITIES))  # type: ignore[attr-defined]

    def can_answer_async(self) -> bool:
        """Whether the store answers award_state_async (PostgreSQL, serving tables); else ask in a thread."""
        return hasattr(self.view, "award_rows_async") and self.view.rename is None

    @staticmethod
    def _award_state(found: list[dict], cap_rows: dict[str, dict], position: int) -> dict | None:
        claims = [r for r in found if r["kind"] == "claim"]
        org = next((r for r in found if r["kind"] == "organisation"), None)
        return award_state.render(org, claims, [r for r in found if r["kind"] == "certification"], cap_rows,
                                  as_of=None, position=position)

    def _award_state_as_of(self, uscc: str, as_of: datetime) -> dict | None:
        as_of = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)  # RFC 3339 has an offset
        cut = utc_text(as_of)
        with self.view.reading() as sql:
            own = self._history(sql, "WHERE h.uscc = %s AND h.recorded_at <= %s", (uscc, cut))
            shared = sorted({key for h in own if h["event"] in HOLDS
                             for key in caps.shared_accounts(h["payload"])}
                            | {key for h in own if h["event"] == "Claim.CountedOn"
                               for key in caps.shared_accounts({"accounts": [h["payload"]["account"]]})})
            others = self._history(sql, f"JOIN rm_cap_events c ON c.position = h.position WHERE c.account IN"
                                        f" ({', '.join(['%s'] * len(shared))}) AND h.recorded_at <= %s AND"
                                        " h.uscc <> %s", (*shared, cut, uscc)) if shared else []
            others += self._joined_late(sql, others, cut)
        rows = sorted({h["position"]: h for h in own + others}.values(), key=lambda h: h["position"])
        return award_state.replay(uscc, rows, as_of=as_of.isoformat())

    def _joined_late(self, sql: Sql, others: list[dict], cut: str) -> list[dict]:
        """The earlier history of other organisations' claims that came onto a shared cap after they were opened
        (a membership recorded late, `Claim.CountedOn`; a re-assessment; a proposal confirmed): the index files a
        claim under a cap from then on only, and folded without its opening the claim counted for nothing there.
        A member's page as of a moment read a body's yearly cap at 200,000.00 used by one claim where the ledger
        had said 400,000.00 by two, as the other member's page as of that moment did (an oracle probe)."""
        opened = {h["aggregate_id"] for h in others if h["event"] in OPENS}
        missing = {h["aggregate_id"]: h["uscc"] for h in others
                   if h["event"].startswith("Claim.") and h["aggregate_id"] not in opened}
        if not missing:
            return []
        usccs, ids = sorted(set(missing.values())), sorted(missing)
        return self._history(sql, f"WHERE h.uscc IN ({', '.join(['%s'] * len(usccs))}) AND h.aggregate_id IN"
                                  f" ({', '.join(['%s'] * len(ids))}) AND h.recorded_at <= %s", (*usccs, *ids, cut))

    @staticmethod
    def _history(sql: Sql, where: str, params: tuple[Any, ...]) -> list[dict]:
        return [history_from(v) for v in sql.rows(f"SELECT {COLUMNS} FROM rm_history h {where} ORDER BY h.position",
                                                  params)]

    def finance_history(self, year: int, as_of: datetime, *, page: int = 2000
                        ) -> tuple[Iterator[EventRow], int] | None:
        """The events a year's reconciliation folds (its claims' and recoveries'), recorded at or before `as_of`,
        from the as-of index, and the position the read models stood at; None when these read models were
        folded by a version that did not index them (projections/schema.py `INDEXED`).

        The rows come a page at a time, each page its own short read, so neither memory nor a lock is held for
        the year; only rows at or below that position are read, and those do not change. Read models reset
        meanwhile (the position went back) raise `Rewound` once the rows are read."""
        cut = utc_text(as_of)  # a naive moment is read as UTC
        with self.view.reading() as sql:
            if self.view._meta(sql, INDEXED) is None:
                return None
            tracked = self.view.tracked(sql)
        return self._finance_rows(finance.as_of_key(year), cut, tracked, page), tracked

    def _finance_rows(self, key: str, cut: str, tracked: int, page: int) -> Iterator[EventRow]:
        after = 0
        while True:
            with self.view.reading() as sql:
                found = sql.rows(FINANCE_PAGE, (key, after, tracked, cut, page))
            for position, aggregate_id, version, event, recorded_at, data in found:
                yield EventRow(position, aggregate_id, version, event, recorded_at, orjson.loads(data)["payload"])
            if len(found) < page:
                break
            after = found[-1][0]
        if (now := self.view.position()) < tracked:
            raise Rewound(f"the read models were reset to {now} while the as-of index was read up to {tracked}")

    def history(self, uscc: str) -> list[dict]:
        """Every event about the organisation, oldest first."""
        with self.view.reading() as sql:
            return [history.render(h) for h in self._history(sql, "WHERE h.uscc = %s", (uscc,))]

    def first_event(self, uscc: str) -> dict | None:
        """The organisation's first event (its registration), or None: one row, not its whole history."""
        with self.view.reading() as sql:
            found = self._history(sql, "WHERE h.position = (SELECT MIN(position) FROM rm_history WHERE uscc = %s)",
                                  (uscc,))
        return history.render(found[0]) if found else None

    def reconciliation(self, year: int) -> dict:
        """Per programme and lead bureau of an award year: approved, paid, reversed, outstanding; the fund."""
        with self.view.reading() as sql:
            lines = [orjson.loads(d) for (d,) in sql.rows("SELECT data FROM rm_finance WHERE year = %s", (year,))]
            funds = [orjson.loads(d) for (d,) in sql.rows("SELECT data FROM rm_funds WHERE year = %s", (year,))]
            position = self.view.tracked(sql)
        return finance.render(year, lines, funds) | {"position": position}

    def recoveries(self, *, status: str | None = None, uscc: str | None = None, lead: str | None = None) -> list[dict]:
        """Recoveries, oldest first, filtered by status, organisation and lead bureau."""
        where, params = [], []
        for column, value in (("status", status), ("uscc", uscc), ("lead", lead)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self.view.reading() as sql:
            rows = [orjson.loads(d) for (d,) in sql.rows(f"SELECT data FROM rm_recoveries{clause}", params)]
        return [recoveries.render(r) for r in sorted(rows, key=lambda r: (r["opened_at"], r["id"]))]

    def bank_statements(self, limit: int = 100) -> list[dict]:
        """The imported bank statements, the latest first (their heads: source, period, lines, when and by whom), for
        the finance page to reach each again (a pages probe found a statement's report only right after its import)."""
        with self.view.reading() as sql:
            rows = [orjson.loads(d) for (d,) in sql.rows("SELECT data FROM rm_statements", ())]
        return sorted(rows, key=lambda r: r.get("position") or 0, reverse=True)[:limit]

    def bank_statement(self, statement_id: str) -> dict | None:
        """An imported bank statement and its matching report against the payouts as they stand now."""
        with self.view.reading() as sql:
            found = bank.statement(sql, statement_id)
            position = self.view.tracked(sql)
        return None if found is None else found | {"position": position}

    def reference_kinds(self, references: list[str]) -> dict[str, set[str]]:
        """Which records (`payout`, `repayment`) bear each of `references`, case aside (`bank.ref_key`)."""
        with self.view.reading() as sql:
            return bank.reference_kinds(sql, references)

    def bank_preview(self, statement_id: str, lines: list[dict]) -> dict:
        """The matching report the statement `statement_id` of these lines (as its import event keeps them) would
        get if imported now, and the lines an imported statement holds already (`already_on`); nothing is written."""
        with self.view.reading() as sql:
            return bank.preview(sql, statement_id, lines)

    def claims(self, wanted: work.ClaimFilter, limit: int = 100, after: int | None = None
               ) -> tuple[list[dict], int | None]:
        """A page of claims the filter holds, oldest first, and the cursor of the next page (None: the last)."""
        with self.view.reading() as sql:
            return work.claims(sql, wanted, limit, after)

    def claim_counts(self, wanted: work.ClaimFilter) -> dict[str, int]:
        """How many claims of each status the filter holds, whatever its status."""
        with self.view.reading() as sql:
            return work.counts(sql, wanted)

    def proposal_summary(self, bureau: str | None = None) -> dict:
        """Open proposals per programme and bureau, their total and the oldest one's age."""
        with self.view.reading() as sql:
            return proposals.summary(sql, bureau) | {"position": self.view.tracked(sql)}

    def organisations(self, q: str, limit: int = 50, after: str | None = None) -> tuple[list[dict], str | None]:
        """Organisations by USCC prefix or part of the name, by USCC; and the next page's cursor."""
        with self.view.reading() as sql:
            return work.organisations(sql, q, limit, after)

    def recent_decisions(self, limit: int = 20) -> list[dict]:
        """The latest approvals and rejections, newest first."""
        with self.view.reading() as sql:
            return work.recent_decisions(sql, limit)

    def wait(self, position: int | None, timeout: float = 2.0) -> bool:
        """Block until the read models have folded notification `position` (True) or `timeout` passed."""
        if position is None:
            return True
        deadline, pause = time.monotonic() + timeout, 0.005
        while self.position() < position:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, 0.05)
        return True

    def position(self) -> int:
        """The last notification id the read models have folded."""
        return self.view.position()

    def lag(self) -> int:
        """How many notification ids the store is ahead of the read models."""
        return max(0, self.view.max_notification_id() - self.position())

    async def close_async(self) -> None:
        """Close what the event loop opened (award_state_async's connections); `close` closes the rest."""
        close = getattr(self.view, "close_async", None)
        if close is not None:
            await close()

    def close(self) -> None:
        self.view.close()
