"""The ledger's signing key from the settings: `LEDGER_SIGNING_KEY_FILE`, or one generated under var/ for a store
that has no key yet."""
from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from api.settings import Settings
from ledger.audit.keys import signer_for
from ledger.audit.signing import Signer, UnreadableKey
from ledger.connection import STORE_ERRORS

DEFAULT_KEY = Path("var/signing-key.pem")
log = logging.getLogger("award_ledger.signing")


def load_signer(settings: Settings, *, announce: bool = True, service: bool = False, reading: bool = False) -> Signer:
    """The signer, its key registered in the store (`ledger.audit.keys`). A missing key file is generated, and where
    it went is said on stderr (in the reader's language: stdout may carry a document, such as `receipt --output -`)
    and logged; a store that has keys and a LEDGER_SIGNING_KEY_FILE naming a file that is not there is refused as
    `signing_key_missing`, nothing made or written (a mistyped path). A file holding a key the store never used is
    a rotation, announced. A path that cannot be read (a folder, no permission) is UnreadableKey, which the CLI
    refuses as `signing_key_invalid`. A store that cannot be reached yet gets a signer decided when first used.
    `service`: serve's, whose stderr is its log: the notice is one log line (JSON under LEDGER_LOG_FORMAT=json),
    not a plain line beside it (an ops probe saw it twice, once not JSON); a command says it to whoever runs it.
    `reading`: a command that only reads (`receipt`), which signs with a key the store knows and never registers a
    new one (`signing_key_unknown`)."""
    try:
        return _decided(settings, announce, service, reading)
    except STORE_ERRORS:
        # The store cannot be reached now: whether the key may sign for it is decided when it is first used, by
        # which time opening the store has said why it cannot be (serve: StoreUnreachable, with what to do).
        return _DecidedWhenUsed(lambda: _decided(settings, announce, service, reading))


class _DecidedWhenUsed(Signer):
    """A signer whose key is decided (`_decided`) the first time it is used."""

    def __init__(self, decide: Callable[[], Signer]) -> None:  # Signer's own needs the key, not known yet
        self._decide, self._signer = decide, None

    def _decided(self) -> Signer:
        if self._signer is None:
            self._signer = self._decide()
        return self._signer

    private = property(lambda self: self._decided().private)
    public = property(lambda self: self._decided().public)
    key_id = property(lambda self: self._decided().key_id)
    public_pem = property(lambda self: self._decided().public_pem)


def _decided(settings: Settings, announce: bool, service: bool, reading: bool = False) -> Signer:
    from api.cli_language import os_reason_zh, tr

    path = settings.signing_key_file or DEFAULT_KEY
    try:
        # Unset, the path is relative to wherever the command runs: a key found there is no sign of intent.
        signer, outcome = signer_for(settings.database_url, path, may_rotate=settings.signing_key_file is not None,
                                     may_generate=service, may_register=not reading)
    except OSError as err:
        raise UnreadableKey(f"{path} cannot be read as a key file ({err.strerror})",
                            f"{path} 无法作为密钥文件读取（{os_reason_zh(err)}）") from None
    except UnicodeDecodeError:
        raise UnreadableKey(f"{path} is not an unencrypted PEM private key", f"{path} 不是未加密的 PEM 私钥") from None
    if outcome == "generated" and announce:
        message = (f"generated a new Ed25519 signing key at {path} (key {signer.key_id}): it signs audit digests"
                   " and receipts. Keep a copy with the backups and set LEDGER_SIGNING_KEY_FILE to it on every"
                   " replica")
        zh = (f"已在 {path} 生成新的 Ed25519 签名密钥（密钥 {signer.key_id}）：它为审计摘要和回执签名。"
              "请随备份保存一份副本，并在每个副本实例上将 LEDGER_SIGNING_KEY_FILE 指向它")
        if (before := _replaced(settings.database_url, signer)) is not None:
            # A server started in another folder with the setting unset (an operations probe): the store had a key,
            # and every server still signing with it stops signing digests and receipts; said, not left to find.
            message += (f". It replaces key {before}, which the store signed with until now: a server still signing"
                        f" with {before} (another replica, or this one started in another folder by mistake) answers"
                        " 503 signing_key_retired to digests and receipts until it is restarted with this key file;"
                        " a retired key never signs again")
            zh += (f"。它接替该存储此前使用的密钥 {before}：仍使用 {before} 签名的服务（其他副本实例，或误在其他目录"
                   "启动的本服务）在用此密钥文件重新启动之前，对摘要和回执请求一律答复 503 signing_key_retired；"
                   "已停用的密钥不会再签名")
        _say(message, tr(message, zh), service)
    elif outcome == "rotated" and announce:
        # What the store cannot tell from a rotation is said with it: the key's row deleted while it signed (an audit
        # probe's restart registered it as new, and the deletion read as a rotation made then).
        message = (f"the ledger signs with key {signer.key_id} ({path}) from now on; digests and receipts signed"
                   " with its earlier keys stay checkable (GET /v1/audit/keys). Keep a copy of this key with the"
                   " backups and set LEDGER_SIGNING_KEY_FILE to it on every replica. The store did not list this key:"
                   " if a server signed with it on this store before, this is no rotation but the key's row deleted"
                   " from its registry (tampering: keep the store as it is and investigate), or a backup taken before"
                   " the key was first used restored")
        zh = (f"台账自此使用密钥 {signer.key_id}（{path}）签名；用其先前密钥签名的摘要和回执仍可核验"
              "（GET /v1/audit/keys）。请随备份保存该密钥的副本，并在每个副本实例上将 LEDGER_SIGNING_KEY_FILE 指向它。"
              "该存储此前没有登记这个密钥：如此前已有服务在该存储上用它签名，这就不是轮换，而是该密钥的登记行被从"
              "登记表中删除（属于篡改：请保持存储原样并调查），或恢复了该密钥启用之前的备份")
        _say(message, tr(message, zh), service)
    return signer


def _replaced(url: str, signer: Signer) -> str | None:
    """The key `signer` took over from (the one registered just before it), or None for the store's first key."""
    from ledger.audit.keys import registered

    ids = [k.key_id for k in registered(url)]
    at = ids.index(signer.key_id) if signer.key_id in ids else 0
    return ids[at - 1] if at > 0 else None


def _say(message: str, shown: str, service: bool) -> None:
    if service:  # logged in the language of whoever started serve, as its principals' warning is printed
        log.warning(shown)
    else:
        print("award-ledger: " + shown, file=sys.stderr, flush=True)
