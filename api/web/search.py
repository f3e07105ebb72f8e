"""Queries the pages need beyond the API's read models: organisations by name or code, and an
organisation's claims. Both read the read-model tables (`rm_records`) and nothing else."""
from __future__ import annotations

import json

from projections.readmodels import ReadModels

LIMIT = 50
USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def looks_like_uscc(text: str) -> bool:
    return len(text) == 18 and set(text.upper()) <= USCC_CHARS


def organisations(read_models: ReadModels, query: str) -> list[dict]:
    """Organisations whose USCC is the query, or whose name contains it (any case), by name; at most 50."""
    query = query.strip()
    if not query:
        return []
    with read_models.view.reading() as sql:
        # The JSON row is filtered in SQL first (cheap, both stores), then on the name itself here.
        rows = sql.rows("SELECT data FROM rm_records WHERE kind = 'organisation' AND (uscc = %s OR"
                        " LOWER(data) LIKE %s ESCAPE '\\')", (query.upper(), _like(query)))
    found = [json.loads(data) for (data,) in rows]
    wanted = [o for o in found if o["uscc"] == query.upper() or query.lower() in o["name"].lower()]
    return sorted(wanted, key=lambda o: (o["name"], o["uscc"]))[:LIMIT]


def claims_of(read_models: ReadModels, uscc: str) -> list[dict]:
    """The organisation's claims as the read models hold them, oldest first."""
    with read_models.view.reading() as sql:
        rows = sql.rows("SELECT data FROM rm_records WHERE uscc = %s AND kind = 'claim'", (uscc,))
    return sorted((json.loads(data) for (data,) in rows), key=lambda c: c["position"])
