"""The chain as an RFC 9162 Merkle tree: one leaf per link, in position order, for proofs an outsider checks.

Leaf i is the i-th stored link with its position: `position as 8-byte big-endian || link` (40 bytes).
A link commits to its event's bytes and every link before it, so proving a leaf proves the event: a
receipt carries the event's bytes and the link before it, the checker recomputes the link, hashes the leaf
and follows the audit path to the signed root. The tree is read from the chain table and kept in memory;
complete subtrees never change (the chain only grows), so their hashes are cached, and a root or proof over
a million leaves costs a few dozen hashes once the cache is warm.
"""
from __future__ import annotations

import bisect
import threading
from typing import Any

from ledger.audit import merkle

TREE_ALGORITHM = "rfc9162-sha256; leaf = position (8-byte big-endian) || link"
_CACHED_FROM = 32  # complete subtrees at least this big are remembered


def leaf_data(position: int, link: bytes) -> bytes:
    return position.to_bytes(8, "big") + link


class LogTree:
    """The Merkle tree over a store's chain, refreshed from the chain table on demand."""

    def __init__(self, chain: Any) -> None:
        self.chain = chain
        self.positions: list[int] = []
        self.leaves: list[bytes] = []
        self._cache: dict[tuple[int, int], bytes] = {}
        self._lock = threading.Lock()

    def refresh(self) -> int:
        """Read the links recorded since the last refresh; the tree's size."""
        with self._lock:
            after = self.positions[-1] if self.positions else None
            for position, link in self.chain.links_after(after):
                self.positions.append(position)
                self.leaves.append(merkle.leaf_hash(leaf_data(position, link)))
            return len(self.leaves)

    def size_at(self, position: int) -> int:
        """How many leaves a digest at `position` covers."""
        return bisect.bisect_right(self.positions, position)

    def index_of(self, position: int) -> int | None:
        at = bisect.bisect_left(self.positions, position)
        return at if at < len(self.positions) and self.positions[at] == position else None

    def root(self, size: int) -> bytes:
        return self.mth(0, size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return merkle.inclusion_path(index, size, self.mth)

    def consistency(self, first: int, second: int) -> list[bytes]:
        return merkle.consistency_path(first, second, self.mth)

    def mth(self, start: int, size: int) -> bytes:
        """MTH of leaves start .. start+size-1."""
        if size == 0:
            return merkle.empty_root()
        if size == 1:
            return self.leaves[start]
        complete = size & (size - 1) == 0
        if complete and (found := self._cache.get((start, size))) is not None:
            return found
        k = merkle.split(size)
        value = merkle.node_hash(self.mth(start, k), self.mth(start + k, size - k))
        if complete and size >= _CACHED_FROM:
            self._cache[(start, size)] = value
        return value
