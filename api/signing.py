"""The ledger's signing key from the settings: `LEDGER_SIGNING_KEY_FILE`, or one generated under var/."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from api.settings import Settings
from ledger.audit.signing import Signer, UnreadableKey

DEFAULT_KEY = Path("var/signing-key.pem")
log = logging.getLogger("award_ledger.signing")


def load_signer(settings: Settings, *, announce: bool = True) -> Signer:
    """The signer; a missing key file is generated, and where it went is said on stderr (in the reader's
    language: stdout may carry a document, such as `receipt --output -`) and logged. A path that cannot be read
    or written (a folder, no permission) is UnreadableKey, which the CLI refuses as `signing_key_invalid`."""
    from api.cli_language import os_reason_zh, tr

    path = settings.signing_key_file or DEFAULT_KEY
    try:
        signer, created = Signer.load_or_create(path)
    except OSError as err:
        raise UnreadableKey(f"{path} cannot be read as a key file ({err.strerror})",
                            f"{path} 无法作为密钥文件读取（{os_reason_zh(err)}）") from None
    except UnicodeDecodeError:
        raise UnreadableKey(f"{path} is not an unencrypted PEM private key", f"{path} 不是未加密的 PEM 私钥") from None
    if created and announce:
        message = (f"generated a new Ed25519 signing key at {path} (key {signer.key_id}): it signs audit digests"
                   " and receipts. Keep a copy with the backups and set LEDGER_SIGNING_KEY_FILE to it on every"
                   " replica")
        zh = (f"已在 {path} 生成新的 Ed25519 签名密钥（密钥 {signer.key_id}）：它为审计摘要和回执签名。"
              "请随备份保存一份副本，并在每个副本实例上将 LEDGER_SIGNING_KEY_FILE 指向它")
        print("award-ledger: " + tr(message, zh), file=sys.stderr, flush=True)
        if logging.getLogger().hasHandlers() or log.hasHandlers():  # serve's logs; a bare command said it above
            log.warning(message)
    return signer
