"""The ledger's signing key from the settings: `LEDGER_SIGNING_KEY_FILE`, or one generated under var/."""
from __future__ import annotations

import logging
from pathlib import Path

from api.settings import Settings
from ledger.audit.signing import Signer

DEFAULT_KEY = Path("var/signing-key.pem")
log = logging.getLogger("award_ledger.signing")


def load_signer(settings: Settings, *, announce: bool = True) -> Signer:
    """The signer; a missing key file is generated, and where it went is printed and logged."""
    path = settings.signing_key_file or DEFAULT_KEY
    signer, created = Signer.load_or_create(path)
    if created and announce:
        message = (f"generated a new Ed25519 signing key at {path} (key {signer.key_id}): it signs audit digests"
                   " and receipts. Keep a copy with the backups and set LEDGER_SIGNING_KEY_FILE to it on every"
                   " replica")
        print(f"award-ledger: {message}", flush=True)
        log.warning(message)
    return signer
