"""What the open proposals (免申即享) are worth: per programme and lead bureau, their count, total and the
oldest one's age. Read from the queue table, whose rows are kept by the one fold like every other."""
from __future__ import annotations

from datetime import UTC, datetime

import orjson

from projections.money import ZERO, add
from projections.sql import Sql


def summary(sql: Sql, bureau: str | None = None, now: datetime | None = None) -> dict:
    where, params = "WHERE status = %s", ["proposed"]
    if bureau is not None:
        where, params = where + " AND lead = %s", [*params, bureau]
    groups: dict[tuple[str, str], dict] = {}
    for (data,) in sql.rows(f"SELECT data FROM rm_claims {where}", params):
        claim = orjson.loads(data)
        group = groups.setdefault((claim["programme"], claim["lead"]), {
            "programme": claim["programme"], "bureau": claim["lead"], "count": 0, "total": ZERO,
            "oldest_proposed_at": claim["submitted_at"]})
        group["count"] += 1
        group["total"] = add(group["total"], claim["entitled"])
        group["oldest_proposed_at"] = min(group["oldest_proposed_at"], claim["submitted_at"])
    rows = [groups[k] for k in sorted(groups)]
    oldest = min((g["oldest_proposed_at"] for g in rows), default=None)
    now = now or datetime.now(UTC)
    age = None if oldest is None else max(0, int((now - datetime.fromisoformat(oldest)).total_seconds()))
    return {"open": sum(g["count"] for g in rows), "total": add(ZERO, *(g["total"] for g in rows)),
            "oldest_age_seconds": age, "by_programme": rows}
