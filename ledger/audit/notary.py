"""Signed digests of the chain and its Merkle tree, proofs between them, and the keys ever used to sign.

A digest names the chain's head (position and link, algorithm "sha256-chain-v1") and the RFC 9162 tree
over the links (`tree_size`, `root`), and is signed with the ledger's Ed25519 key (`ledger.audit.signing`).
Every key the ledger has signed with is kept in `ledger_audit_keys` (`ledger.audit.keys`), so after a rotation
a digest signed by an earlier key is still recognised as the ledger's own.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from ledger.audit import keys
from ledger.audit.chain import AuditChain, InvalidDigest
from ledger.audit.encoding import ALGORITHM, GENESIS
from ledger.audit.log_tree import TREE_ALGORITHM, LogTree
from ledger.audit.signing import Signer, check, load_public

KEYS_TABLE = keys.KEYS_TABLE
log = logging.getLogger("ledger.audit")


class Notary:
    """Signs the chain's digests and answers for proofs over it."""

    def __init__(self, chain: AuditChain, signer: Signer) -> None:
        self.chain, self.signer, self.tree = chain, signer, LogTree(chain)
        self._said_retired = self._said_altered = False
        self._register(signer)

    def digest(self, *, checked: bool = True) -> dict[str, Any]:
        """The chain's head and the tree's root, signed; refused (`Tampered`) where the events no longer bear the
        head out, never a signed statement of a false state. `checked=False`: the audit page's own display, which
        shows the verification's verdict beside it rather than refusing to open."""
        size = self.tree.refresh()
        head = self.head(size)
        if checked:
            self.chain.head_intact(head["position"])
        return self.sign(head)

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        """`document` signed with the ledger's key, while it is the key in use."""
        return self.current_signer().sign(document)

    def current_signer(self) -> Signer:
        """The signer, once the store says its key is still the one in use (`keys.still_current`): one look for a
        document signed in two parts (a receipt and its head)."""
        try:
            keys.still_current(self.chain._db, self.signer)
        except keys.SignerRetired as err:
            if not self._said_retired:  # once: a replica left on the old key says why digests stopped (ops probe)
                self._said_retired = True
                log.warning("%s", err)
            raise
        except keys.KeysAltered as err:
            if not self._said_altered:  # once: the registry lost or misstates a key, this server's own among them
                self._said_altered = True
                log.error("signing refused: %s", err)
            raise
        return self.signer

    def head(self, size: int) -> dict[str, Any]:
        position = self.tree.positions[size - 1] if size else 0
        link = self.chain.links([position]).get(position, GENESIS.hex()) if size else GENESIS.hex()
        return {"position": position, "digest": link, "algorithm": ALGORITHM, "tree_size": size,
                "root": self.tree.root(size).hex(), "tree_algorithm": TREE_ALGORITHM,
                "computed_at": datetime.now(UTC).isoformat(timespec="seconds")}

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        """The RFC 9162 proof that the tree of `second` leaves extends the tree of `first`."""
        size = self.tree.refresh()
        if not 0 <= first <= second <= size:
            msg = f"tree sizes must satisfy 0 <= first <= second <= {size} (the tree's size now)"
            raise InvalidDigest(msg, f"树大小须满足 0 <= first <= second <= {size}（{size} 为当前树大小）；"
                                     "请使用所保存摘要的 tree_size 重新请求")
        return {"first": first, "second": second, "first_root": self.tree.root(first).hex(),
                "second_root": self.tree.root(second).hex(),
                "proof": [h.hex() for h in self.tree.consistency(first, second)] if first else []}

    def known_keys(self) -> list[dict[str, str | None]]:
        """Every key this ledger has signed with, oldest first; `retired_at`, when the next one replaced it (a retired
        key signs nothing more: `keys.signer_for`), None for the key in use."""
        # Never published once a row is not the key its id names, nor without the key this server signs with.
        found = keys.trusted_keys(self.chain._db, using=self.signer.key_id)
        return [{"key_id": k.key_id, "public_key": k.public_key, "first_used": k.first_used,
                 "retired_at": found[n + 1].first_used if n + 1 < len(found) else None} for n, k in enumerate(found)]

    def check_signed(self, document: dict[str, Any]) -> str | None:
        """Why a signed digest or receipt is not this ledger's (None when its signature holds under one of
        the ledger's keys, the current one or any earlier)."""
        carried = document.get("key_id")
        known = {k["key_id"]: k["public_key"] for k in self.known_keys()}
        if carried not in known:
            return f"it is signed by key {carried!r}, which this ledger never used"
        return check(document, load_public(known[carried]))

    def _register(self, signer: Signer) -> None:
        keys.register(self.chain._db, signer)
