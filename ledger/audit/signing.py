"""Ed25519 signatures (via `cryptography`) over digests and receipts, and the key they are made with.

A signed document is a JSON object carrying `public_key` (PEM), `key_id` (the first 16 hex digits of the
SHA-256 of the raw public key) and `signature` (base64 of Ed25519 over the canonical JSON of every other
field: keys sorted, no spaces, UTF-8). Anyone holding the public key checks it with this module alone, or
with any Ed25519 implementation. Rotating the key changes what new documents are signed with; old ones keep
their own public key and signature, so they stay checkable, and the ledger keeps every key it has used
(`ledger.audit.keys`) so it can say whether a key was ever its own.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.audit.reasons import Reason

SIGNATURE = "ed25519"


class UnreadableKey(ValueError):
    """A key file that is not an Ed25519 key in PEM; `zh`: the same for a Chinese reader."""

    def __init__(self, message: str, zh: str) -> None:
        super().__init__(message)
        self.zh = zh


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the document without its signature, as sorted compact JSON."""
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public(pem: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM (or the PEM of its private key, whose public half is taken)."""
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError):
            raise UnreadableKey("not a PEM public key; give the public_key PEM from GET /v1/audit/digest",
                                "不是 PEM 格式的公钥；请给出 GET /v1/audit/digest 中的 public_key PEM") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UnreadableKey(f"a {type(key).__name__}, not an Ed25519 key",
                            f"这是 {type(key).__name__} 密钥，不是 Ed25519 密钥")
    return key


class Signer:
    """Signs documents with one Ed25519 private key."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self.private, self.public = private, private.public_key()
        self.key_id, self.public_pem = key_id(self.public), public_pem(self.public)

    @classmethod
    def load_or_create(cls, path: Path) -> tuple[Signer, bool]:
        """The key at `path`; created there (readable by its owner only) when missing. (signer, created).
        Whether a store may have a new key is `ledger.audit.keys`' to say: this only makes one."""
        if path.exists():
            return cls.load(path), False
        return cls.create(path)

    @classmethod
    def load(cls, path: Path) -> Signer:
        """The key at `path` (OSError when it cannot be read, UnreadableKey when it is not an Ed25519 PEM key)."""
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise UnreadableKey(f"{path} is not an unencrypted PEM private key",
                                f"{path} 不是未加密的 PEM 私钥") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise UnreadableKey(f"{path} holds a {type(key).__name__}; the ledger signs with Ed25519",
                                f"{path} 中是 {type(key).__name__} 密钥；台账用 Ed25519 签名")
        return cls(key)

    @classmethod
    def create(cls, path: Path) -> tuple[Signer, bool]:
        """A new key written to `path` (its folder made, the file readable by its owner only); (signer, True), or
        the key another process starting beside this one wrote there first, (signer, False)."""
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process starting beside this one made it first: use theirs
            return cls.load(path), False
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        return cls(key), True

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document with this key's public key, id and signature added."""
        signed = {**document, "signature_algorithm": SIGNATURE, "key_id": self.key_id,
                  "public_key": self.public_pem}
        signed["signature"] = base64.b64encode(self.private.sign(canonical(signed))).decode()
        return signed

    def seal_key(self) -> bytes:
        """A key for sealing snapshots (HMAC), derived from the signing key: one secret to keep, not two."""
        raw = self.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                         serialization.NoEncryption())
        return hashlib.sha256(b"award-ledger snapshot seal\n" + raw).digest()


def check(document: dict[str, Any], trusted: Ed25519PublicKey | None = None) -> Reason | None:
    """Why the document's signature fails (None when it holds), under `trusted` or the key it carries."""
    if not document.get("signature"):  # not "changed after signing" (a regression probe): it never was, as it is
        return Reason("it carries no signature: it was never signed, or its signature was taken out",
                      "其中没有签名：它从未签名，或签名已被删去")
    try:
        if not all(isinstance(document.get(field), str) for field in ("public_key", "signature")):
            raise ValueError("not text")  # a number or true where the key or the signature goes (an audit probe)
        carried = load_public(document["public_key"])
        signature = base64.b64decode(document["signature"], validate=True)
    except (UnreadableKey, ValueError):
        return Reason("it carries no readable public key or signature", "其中没有可读的公钥或签名")
    if trusted is not None and _raw(carried) != _raw(trusted):
        # The whole key, never its id alone: a key id is 64 bits of the key's hash, and a key found to share it
        # would otherwise vouch for what it signed (a receipts probe forged a receipt so against a shortened id).
        # A key the ledger signed with before a rotation is one reason, a forger's another: the reader can tell them
        # apart by the ledger's list of its keys (a receipts probe read the same words for a genuine old receipt).
        return Reason(f"it is signed by key {key_id(carried)}, not by the trusted key {key_id(trusted)}: if the"
                      f" ledger lists {key_id(carried)} among its keys (GET /v1/audit/keys, each with when it was in"
                      " use), check it with that key's public_key; if not, the ledger did not sign it",
                      f"它由密钥 {key_id(carried)} 签名，而不是由受信任的密钥 {key_id(trusted)} 签名：若台账的密钥列表"
                      f"（GET /v1/audit/keys，列有各密钥的使用期间）中有 {key_id(carried)}，请用该密钥的 public_key"
                      " 核验；若没有，它并非台账所签")
    if document.get("key_id") != key_id(carried):
        return Reason("its key_id does not name the public key it carries", "其 key_id 与所带公钥不符")
    if base64.b64encode(signature).decode() != document["signature"]:
        # The last character of a signature's base64 carries four bits no byte of it holds, which a decoder drops:
        # changed there, a document still verified though a byte of it was changed (an audit probe). Only the
        # ledger's own writing of the signature is taken.
        return Reason("its signature is not written as the ledger writes it (base64 of the signature's bytes): a"
                      " character of it was changed after signing", "其签名的写法与台账所写不同（签名字节的 base64）："
                      "签名之后其中有字符被改动过")
    try:
        (trusted or carried).verify(signature, canonical(document))
    except InvalidSignature:
        return Reason("the signature does not match the content: something in it was changed after signing",
                      "签名与内容不符：签名之后其中有内容被改动过")
    return None


def unknown_key(known: Any, document: dict[str, Any]) -> Reason | None:
    """Why a signed digest or receipt cannot be taken as this ledger's by its key (`known`: the key ids the store's
    registry lists): None when it names one of them. Its signature under the listed key is checked apart (`check`);
    one that holds under the key it carries is said to prove its signer alone (`ledger.audit.unlisted_key`)."""
    carried = document.get("key_id")
    if carried in known:
        return None
    if carried is None:
        return Reason("it carries no key_id: no ledger signed it (a digest or receipt the ledger gives names its key)",
                      "其中没有 key_id：它未经任何台账签名（台账出具的摘要或回执都注明其签名密钥）")
    if check(document) is None:
        # Sound under the key it carries: a key the store does not list is not proof of another ledger (a store
        # restored from before a rotation, or whose key row was deleted, called the ledger's own digests so: an
        # audit probe), nor that this ledger signed it.
        return Reason(f"it is signed by key {carried!r}, which this store's key registry does not list; its signature"
                      " holds under the key it carries, which shows who signed it, not that this ledger did. If the"
                      f" ledger lists {carried} (GET /v1/audit/keys of the ledger in service, or the public key handed"
                      " out with it), this store is older than that key (a backup from before the ledger rotated to"
                      " it) or its registry lost the key's row; if not, it is another ledger's, or was signed again by"
                      " someone else",
                      f"它由密钥 {carried!r} 签名，而该存储的密钥登记表中没有该密钥；其签名在所带公钥下成立，这只说明"
                      f"签名者是谁，不说明是本台账所签。如台账列有 {carried}（在用台账的 GET /v1/audit/keys，或随其交付"
                      "的公钥），说明该存储早于该密钥（台账轮换到该密钥之前的备份），或其登记表丢失了该密钥的登记行；"
                      "如没有，它属于另一本台账，或被他人重新签名")
    return Reason(f"it is signed by key {carried!r}, which this ledger never used: it is another ledger's, or was"
                  " signed again by someone else", f"它由密钥 {carried!r} 签名，而本台账从未使用过该密钥：它属于另一本"
                  "台账，或被他人重新签名")
