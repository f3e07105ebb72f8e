"""What the pages need beyond the API's read models: an organisation's claims, read from the read-model tables
(`rm_records`) and nothing else. Finding organisations is the API's own query (`ReadModels.organisations`)."""
from __future__ import annotations

import json

from projections.readmodels import ReadModels

LIMIT = 50
USCC_CHARS = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def looks_like_uscc(text: str) -> bool:
    return len(text) == 18 and set(text.upper()) <= USCC_CHARS


def claims_of(read_models: ReadModels, uscc: str) -> list[dict]:
    """The organisation's claims as the read models hold them, oldest first."""
    with read_models.view.reading() as sql:
        rows = sql.rows("SELECT data FROM rm_records WHERE uscc = %s AND kind = 'claim'", (uscc,))
    return sorted((json.loads(data) for (data,) in rows), key=lambda c: c["position"])
