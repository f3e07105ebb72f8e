"""RFC 9162 (Certificate Transparency 2.0, section 2.1) Merkle tree hashing, proofs and their verification.

Written from the RFC's text rather than taken from a library: the receipts this ledger hands out must be
checkable by anyone with the RFC alone, so the proofs are the RFC's audit paths (lists of 32-byte hashes),
not a library's own proof format. pymerkle (maintained, RFC 9162 hashing) was considered; its proofs
serialise to its own structure and its trees keep their own storage, where ours are built from the chain
table. Tested against the published RFC 6962 vectors (transparency-dev/merkle).

    MTH({}) = SHA-256()                  MTH({d0}) = SHA-256(0x00 || d0)
    MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two below n
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

Subtree = Callable[[int, int], bytes]  # (start, size) -> MTH of leaves start .. start+size-1


def empty_root() -> bytes:
    return hashlib.sha256().digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(index: int, size: int, mth: Subtree, start: int = 0) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 2.1.3.1: the audit path of leaf `index` in the tree of the first `size`."""
    if size <= 1:
        return []
    k = split(size)
    if index < k:
        return [*inclusion_path(index, k, mth, start), mth(start + k, size - k)]
    return [*inclusion_path(index - k, size - k, mth, start + k), mth(start, k)]


def consistency_path(first: int, second: int, mth: Subtree) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 2.1.4.1, for 0 < first < second; empty when first == second."""
    return [] if first == second else _subproof(first, second, True, mth, 0)


def _subproof(m: int, n: int, whole: bool, mth: Subtree, start: int) -> list[bytes]:
    if m == n:
        return [] if whole else [mth(start, n)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, k, whole, mth, start), mth(start + k, n - k)]
    return [*_subproof(m - k, n - k, False, mth, start + k), mth(start, k)]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether `leaf` (a leaf hash) is at `index` of the tree of `size` with `root`."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       path: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether the tree of `second` leaves with `second_root` extends that of `first`."""
    if first == second:
        return not path and first_root == second_root
    if first == 0 or first > second or not path:
        return first == 0 and not path and first < second  # the empty tree is a prefix of every tree
    path = [first_root, *path] if first & (first - 1) == 0 else list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
