"""A reason the audit code gives (why a snapshot, a signature or a receipt fails) in both of the ledger's
languages: the text itself is English, as logs and older callers read it; `zh` is the same for a Chinese
reader (the command line, the pages)."""
from __future__ import annotations


class Reason(str):
    """English text that carries its Chinese (`zh`)."""

    zh: str

    def __new__(cls, en: str, zh: str) -> Reason:
        reason = super().__new__(cls, en)
        reason.zh = zh
        return reason
