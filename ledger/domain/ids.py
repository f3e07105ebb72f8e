"""Deterministic aggregate ids: the same natural key always names the same aggregate, so two concurrent
commands that create or touch it collide in the store instead of silently forking it."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from uuid import UUID, uuid5

LEDGER_NAMESPACE = UUID("6f1c2b0e-5a47-4c1e-9a53-2b1d8e0f7c11")


@lru_cache(maxsize=4096)  # recent keys only: a replay of 100,000 organisations must not keep them all
def natural_id(kind: str, key: str) -> UUID:
    """The id the natural key names. Kept for the most recent keys: a claim names its organisation's and its
    accounts' ids several times over (a uuid5 is a SHA-1, 1 % of a served claim's CPU), and UUIDs are immutable."""
    return uuid5(LEDGER_NAMESPACE, f"{kind}:{key}")


def natural_number(kind: str, key: str) -> int:
    """`natural_id(kind, key).int`, without making the UUID (uuid5's own steps: the SHA-1 of the namespace and the
    name, its first 16 bytes, the variant and version bits set): a third of its cost, for hot loops that only
    split by the id (the sandbox's halves)."""
    number = int.from_bytes(hashlib.sha1(LEDGER_NAMESPACE.bytes + f"{kind}:{key}".encode()).digest()[:16], "big")
    return (number & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 5 << 76
