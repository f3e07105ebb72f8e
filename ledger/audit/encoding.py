"""Canonical bytes of a stored event and the chain's links, algorithm "sha256-chain-v1".

The chain's link at an event's notification id is `sha256(previous link + event bytes)`, starting from 32
zero bytes. The event bytes are five fields, in this order, each framed as an 8-byte big-endian unsigned
length followed by the bytes (stable: changing it needs a new algorithm name):

    1. notification_id     decimal ASCII ("42")
    2. originator_id       UTF-8 of the canonical UUID text ("0f8fad5b-d9cb-469f-a165-70867728950e")
    3. originator_version  decimal ASCII
    4. topic               UTF-8
    5. state               the stored bytes, exactly as in the events table

Framing makes the encoding injective (no two events share bytes), and because the position is hashed
too, moving an event to another position changes its bytes. The same layout is computed in SQL by the
save itself (`ledger.audit.linking`); this module is the reference an outsider reimplements.
"""
from __future__ import annotations

import hashlib
from uuid import UUID

ALGORITHM = "sha256-chain-v1"
GENESIS = bytes(32)


def event_bytes(notification_id: int, originator_id: UUID | str, originator_version: int, topic: str,
                state: bytes) -> bytes:
    """The canonical bytes of one stored event (see the module docstring for the layout)."""
    fields = (str(notification_id).encode("ascii"), originator_text(originator_id).encode(),
              str(originator_version).encode("ascii"), _stored(topic, str), _stored(state, bytes))
    return b"".join(len(field).to_bytes(8, "big") + field for field in fields)


def _stored(value: object, kind: type) -> bytes:
    """A column's bytes as the save stored it (text as UTF-8, state as is). A value of another type (a state
    rewritten as text or NULL, a topic as a BLOB, by hand in SQL) was never stored by a save: it gets bytes no
    save's could, so its link no longer matches and `verify` names its position, rather than failing unread."""
    if isinstance(value, kind):
        return value.encode() if isinstance(value, str) else bytes(value)  # type: ignore[arg-type]
    if kind is bytes and isinstance(value, bytearray | memoryview):
        return bytes(value)
    return b"\x00not-stored-by-a-save:" + repr(value).encode("utf-8", "backslashreplace")


def link(prev: bytes, data: bytes) -> bytes:
    """The chain's next link: SHA-256 of the previous link followed by the event's canonical bytes."""
    return hashlib.sha256(prev + data).digest()


def originator_text(originator_id: UUID | str) -> str:
    """The canonical UUID text of an originator id as either store hands it back."""
    # PostgreSQL hands back a UUID, SQLite the 32-digit hex it stored: both become the same canonical text. Text
    # stored in another form (upper case, braces, by hand in SQL) is hashed as it is: SQLite compares ids as text,
    # so such an event no longer belongs to its record, and the chain must not pass it for the one saved.
    if isinstance(originator_id, UUID):
        return str(originator_id)
    try:
        canonical = UUID(originator_id)
    except (ValueError, TypeError, AttributeError):
        return repr(originator_id) if not isinstance(originator_id, str) else originator_id
    return str(canonical) if originator_id in (canonical.hex, str(canonical)) else originator_id
