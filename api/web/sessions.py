"""The dashboard's server-side sessions: the cookie holds a random id, never the API token. A row per
session in `ui_sessions` (the read models' database on the primary, both stores) keeps the SHA-256 of that
id, the token hash of the principal it signs in, and when it expires; signing out deletes it.

A session names its principal by token hash, so a token taken out of LEDGER_AUTH_FILE ends its sessions too.
Sessions are not ledger facts (no event records them): a row is deleted on sign-out, and expired rows go
with the next sign-in.
"""
from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from ledger.principals import Principal

DDL = ("CREATE TABLE IF NOT EXISTS ui_sessions (id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL,"
       " expires_at DOUBLE PRECISION NOT NULL)")
_made: set[int] = set()  # views whose table this process has created


def _digest(session_id: str) -> str:
    # Only the hash is stored: a copy of the database gives no cookie that signs anyone in.
    return hashlib.sha256(session_id.encode()).hexdigest()


def _view(state: Any) -> Any:
    view = state.primary_models.view  # never the replica: a session just opened must be found at once
    if id(view) not in _made:
        with view.writing() as sql:
            sql.run(DDL)
        _made.add(id(view))
    return view


def open_session(state: Any, token_sha256: str, seconds: float) -> str:
    """A new session for the principal of `token_sha256`, valid `seconds`; its id for the cookie."""
    session_id, now = secrets.token_urlsafe(32), time.time()
    with _view(state).writing() as sql:
        sql.run("DELETE FROM ui_sessions WHERE expires_at < %s", (now,))
        sql.run("INSERT INTO ui_sessions (id, token_sha256, expires_at) VALUES (%s, %s, %s)",
                (_digest(session_id), token_sha256, now + seconds))
    return session_id


def principal(state: Any, session_id: str | None) -> Principal | None:
    """Who the session signs in: None if unknown, signed out, expired, or its token no longer in force."""
    if not session_id or len(session_id) > 128:
        return None
    with _view(state).reading() as sql:
        found = sql.rows("SELECT token_sha256, expires_at FROM ui_sessions WHERE id = %s", (_digest(session_id),))
    if not found or found[0][1] < time.time():
        return None
    return state.principals.holder(found[0][0])


def close_session(state: Any, session_id: str | None) -> None:
    """Sign out: the session's row goes, so its cookie signs no one in again, wherever it was copied."""
    if session_id:
        with _view(state).writing() as sql:
            sql.run("DELETE FROM ui_sessions WHERE id = %s", (_digest(session_id),))
