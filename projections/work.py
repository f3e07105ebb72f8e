"""Queries of the work queues: claims by status, programme, lead bureau, organisation and year, oldest
first in keyset pages (the cursor is the last row's log position, so a page never skips or repeats a
claim while new ones arrive); organisations by USCC prefix or part of their name; recent decisions."""
from __future__ import annotations

import json
from dataclasses import dataclass

from projections.schema import folded
from projections.sql import Sql

LIKE_ESCAPE = " ESCAPE '\\'"
SCAN = 500  # organisation rows one round trip of a search reads


@dataclass(frozen=True)
class ClaimFilter:
    """What a queue asks for; None is any. `unpaid` keeps approved claims with money still to pay."""

    status: tuple[str, ...] = ()
    programme: tuple[str, ...] = ()
    bureau: str | None = None
    uscc: str | None = None
    award_year: int | None = None
    unpaid: bool = False

    def where(self) -> tuple[list[str], list]:
        clauses: list[str] = []
        params: list = []
        for column, values in (("c.status", self.status), ("c.programme", self.programme)):
            if values:
                clauses.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
                params += list(values)
        for column, value in (("c.lead", self.bureau), ("c.uscc", self.uscc), ("c.award_year", self.award_year)):
            if value is not None:
                clauses.append(f"{column} = %s")
                params.append(value)
        if self.unpaid:
            clauses.append("c.status = 'approved' AND c.unpaid IS NOT NULL AND c.unpaid <> '0.00'")
        return clauses, params


def _name(data: str | None) -> str | None:
    return None if data is None else json.loads(data).get("name")


def claims(sql: Sql, wanted: ClaimFilter, limit: int, after: int | None) -> tuple[list[dict], int | None]:
    """A page of claims oldest first, each with its organisation's name; and the cursor of the next page."""
    clauses, params = wanted.where()
    if after is not None:
        clauses.append("c.position > %s")
        params.append(after)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = sql.rows("SELECT c.data, o.data FROM rm_claims c LEFT JOIN rm_records o ON o.uscc = c.uscc AND"
                    f" o.kind = 'organisation' {where} ORDER BY c.position LIMIT %s", (*params, limit + 1))
    page = [json.loads(data) | {"name": _name(org)} for data, org in rows[:limit]]
    return page, (page[-1]["position"] if len(rows) > limit else None)


def counts(sql: Sql, wanted: ClaimFilter) -> dict[str, int]:
    """How many claims of each status the filter (its status aside) holds."""
    clauses, params = ClaimFilter(programme=wanted.programme, bureau=wanted.bureau, uscc=wanted.uscc,
                                  award_year=wanted.award_year).where()
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return dict(sql.rows(f"SELECT c.status, COUNT(*) FROM rm_claims c {where} GROUP BY c.status", params))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def organisations(sql: Sql, q: str, limit: int, after: str | None) -> tuple[list[dict], str | None]:
    """Organisations whose USCC starts with `q` or whose name contains it, by USCC, paged. Names compare folded
    (projections/schema.py `folded`: full-width as half-width, any case, runs of spaces as one)."""
    q = folded(q)
    prefix, part = f"{_like(q.upper())}%", f"%{_like(q)}%"
    found: list[dict] = []
    last = after or ""
    while len(found) <= limit:
        # The folded name is its own column: a match is a match of the name, on both stores alike (SQLite's
        # LIKE folds ASCII case only; the column is folded already). Keyset pages bound one round trip.
        rows = sql.rows("SELECT uscc, data FROM rm_records WHERE kind = 'organisation' AND uscc > %s AND (uscc LIKE"
                        f" %s{LIKE_ESCAPE} OR folded LIKE %s{LIKE_ESCAPE}) ORDER BY uscc LIMIT %s",
                        (last, prefix, part, SCAN))
        for _, data in rows:
            org = json.loads(data)
            found.append({k: org[k] for k in ("uscc", "name", "in_district")})
        if len(rows) < SCAN:
            break
        last = rows[-1][0]
    page = found[:limit]
    return page, (page[-1]["uscc"] if len(found) > limit else None)


DECISIONS = ("Claim.Approved", "Claim.Rejected")


def recent_decisions(sql: Sql, limit: int) -> list[dict]:
    """The latest decisions on claims, newest first: who decided, when, and on which claim."""
    rows = sql.rows("SELECT h.aggregate_id, h.event, h.recorded_at, h.by_name, h.uscc, c.data, o.data"
                    " FROM rm_history h LEFT JOIN rm_claims c ON c.id = h.aggregate_id LEFT JOIN rm_records o"
                    " ON o.uscc = h.uscc AND o.kind = 'organisation' WHERE h.event IN (%s, %s)"
                    " ORDER BY h.position DESC LIMIT %s", (*DECISIONS, limit))
    return [{"claim_id": cid, "event": event, "recorded_at": at, "by": by, "uscc": uscc, "name": _name(org),
             **({k: c[k] for k in ("programme", "status", "entitled", "approved")} if (c := json.loads(claim or
                                                                                                     "{}")) else {})}
            for cid, event, at, by, uscc, claim, org in rows]
