"""The Merkle module reproduces the published RFC 6962 vectors and verifies exactly the proofs it should."""
from __future__ import annotations

import base64
import hashlib

from hypothesis import given
from hypothesis import strategies as st

from ledger.audit import merkle

# transparency-dev/merkle testonly/constants.go: leaf inputs and the root of every prefix tree (RFC 6962).
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
         "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
         "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
         "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
         "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
         "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
         "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
         "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
         "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]


def _b64(*values: str) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


def _mth_over(leaves: list[bytes]):
    hashes = [merkle.leaf_hash(d) for d in leaves]

    def mth(start: int, size: int) -> bytes:
        if size == 0:
            return hashlib.sha256().digest()
        if size == 1:
            return hashes[start]
        k = merkle.split(size)
        return merkle.node_hash(mth(start, k), mth(start + k, size - k))

    return mth


def test_roots_of_every_prefix_match_the_published_vectors() -> None:
    """MTH of the first n vector leaves is the published root, for n from 0 to 8."""
    mth = _mth_over(LEAVES)
    assert [mth(0, n).hex() for n in range(9)] == ROOTS


def test_published_inclusion_proofs() -> None:
    """The audit paths of leaves 0 and 5 in the 8-leaf tree are the published ones, and they verify."""
    mth, root = _mth_over(LEAVES), bytes.fromhex(ROOTS[8])
    cases = {0: _b64("lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                     "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="),
             5: _b64("vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
                     "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=")}
    for index, published in cases.items():
        assert merkle.inclusion_path(index, 8, mth) == published
        assert merkle.verify_inclusion(merkle.leaf_hash(LEAVES[index]), index, 8, published, root)


def test_published_consistency_proofs() -> None:
    """The consistency proofs 1 -> 8 and 6 -> 8 are the published ones, and they verify."""
    mth = _mth_over(LEAVES)
    cases = {1: _b64("lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
                     "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="),
             6: _b64("DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
                     "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=")}
    for first, published in cases.items():
        assert merkle.consistency_path(first, 8, mth) == published
        assert merkle.verify_consistency(first, 8, bytes.fromhex(ROOTS[first]), bytes.fromhex(ROOTS[8]), published)


@given(st.data())
def test_every_proof_verifies_and_any_flipped_bit_fails(data) -> None:
    """For any tree, leaf and earlier size, the proofs verify, and flipping one bit of any hash breaks them."""
    size = data.draw(st.integers(1, 40))
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    mth = _mth_over(leaves)
    index = data.draw(st.integers(0, size - 1))
    path = merkle.inclusion_path(index, size, mth)
    assert merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, size, path, mth(0, size))
    first = data.draw(st.integers(1, size))
    proof = merkle.consistency_path(first, size, mth)
    assert merkle.verify_consistency(first, size, mth(0, first), mth(0, size), proof)
    if path:
        at, bit = data.draw(st.integers(0, len(path) - 1)), data.draw(st.integers(0, 255))
        bad = [p if i != at else bytes([p[0] ^ (1 << (bit % 8))]) + p[1:] for i, p in enumerate(path)]
        assert not merkle.verify_inclusion(merkle.leaf_hash(leaves[index]), index, size, bad, mth(0, size))
    if proof:
        bad_proof = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
        assert not merkle.verify_consistency(first, size, mth(0, first), mth(0, size), bad_proof)
