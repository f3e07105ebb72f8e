"""Deterministic aggregate ids: the same natural key always names the same aggregate, so two concurrent
commands that create or touch it collide in the store instead of silently forking it."""
from __future__ import annotations

from uuid import UUID, uuid5

LEDGER_NAMESPACE = UUID("6f1c2b0e-5a47-4c1e-9a53-2b1d8e0f7c11")


def natural_id(kind: str, key: str) -> UUID:
    return uuid5(LEDGER_NAMESPACE, f"{kind}:{key}")
