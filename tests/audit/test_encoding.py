"""The canonical bytes of a stored event and the chain's links: documented, stable, unambiguous."""
from __future__ import annotations

import hashlib
from uuid import UUID

from ledger.audit.chain import GENESIS, event_bytes, link

ORIGINATOR = UUID("0f8fad5b-d9cb-469f-a165-70867728950e")


def _frame(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def test_layout_is_five_length_prefixed_fields() -> None:
    """An event's bytes are its id, originator, version, topic and state, each after an 8-byte length."""
    expected = (_frame(b"42") + _frame(b"0f8fad5b-d9cb-469f-a165-70867728950e") + _frame(b"3")
                + _frame(b"ledger.domain.claim:Claim.Approved") + _frame(b'{"amount":"1.00"}'))
    assert event_bytes(42, ORIGINATOR, 3, "ledger.domain.claim:Claim.Approved", b'{"amount":"1.00"}') == expected


def test_both_stores_originator_forms_encode_alike() -> None:
    """SQLite's 32-digit hex and PostgreSQL's UUID give the same bytes, so a digest survives a move of store."""
    assert event_bytes(1, ORIGINATOR.hex, 1, "t", b"s") == event_bytes(1, ORIGINATOR, 1, "t", b"s")


def test_shifting_bytes_between_fields_changes_the_encoding() -> None:
    """Length prefixes keep field boundaries: moving a byte from topic to state gives other bytes."""
    assert event_bytes(1, ORIGINATOR, 1, "ab", b"c") != event_bytes(1, ORIGINATOR, 1, "a", b"bc")
    assert event_bytes(1, ORIGINATOR, 11, "t", b"s") != event_bytes(11, ORIGINATOR, 1, "t", b"s")


def test_link_is_sha256_of_previous_link_and_event_bytes() -> None:
    """A link is SHA-256 over the previous link then the event's bytes, from 32 zero bytes (a pinned value)."""
    data = event_bytes(1, ORIGINATOR, 1, "t", b"s")
    assert bytes(32) == GENESIS
    assert link(GENESIS, data) == hashlib.sha256(bytes(32) + data).digest()
    assert link(GENESIS, data).hex() == "4447934e8ea9e659fea70db0470fcb1bb8e67d0e33ea800809f117a4bd25ecf1"
