"""What a command sent with an Idempotency-Key was refused, kept so that the same key gets the same refusal.

A refused command writes nothing to the ledger: no event, no link in the audit chain. But the contract's
promise for a key is "the same key with the same body returns the first response", and a first response that
was a refusal (`over_approved`, `fund_exhausted`, ...) would otherwise be decided again on a retry, and a retry
sent after the state changed (a reversal, a new appropriation) would be carried out: a payout refused at 10:00
paid at 10:05 by the client's automatic retry. So the refusal is kept here, beside the log and outside it: one
row per principal and key, never updated, in the same database (it survives restarts, as the answers of keys
that wrote do). Refusals that say "try again" (503 `busy`) and role refusals are not kept.

The first answer of a POST that writes nothing (the policy sandbox's `POST /v1/simulations`) is kept here too, for
the same promise: it is no event either (`kept_answer`, told apart from a refusal by its shape).
"""
from __future__ import annotations

import json
from typing import Any

from ledger.audit.tampering import Tampered, Unfolded
from ledger.domain import errors

TABLE = "ledger_refused_keys"
COLUMNS = ("principal TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, answer TEXT NOT NULL,"
           " PRIMARY KEY (principal, key)")
# Retried, they must be decided again: the wait was the refusal, or who may act is not the command's to keep.
NOT_KEPT = frozenset({"unavailable", "forbidden"})


class FormKey(str):
    """A dashboard form's key (api/deps.py `checked_key`): it guards against a double click and a resubmitted
    page, but a refused form comes back to be corrected and sent again, so its refusal is not kept."""

    keeps_refusal = False


def kept(refusal: errors.LedgerError) -> bool:
    """Whether a refusal is the key's answer for good: not a wait, not who may act, and not a store found
    tampered with (once restored, the command is decided again)."""
    return refusal.kind not in NOT_KEPT and not isinstance(refusal, Unfolded | Tampered)


def answer_of(refusal: errors.LedgerError) -> str:
    """The refusal as stored: its code, kind, details and context, in both languages."""
    return json.dumps({"code": refusal.code, "kind": refusal.kind, "detail": refusal.detail, "zh": refusal.zh,
                       "context": {lang: refusal.context_in(lang) for lang in ("en", "zh")}},
                      ensure_ascii=False, default=str)


def kept_answer(answer: dict[str, Any]) -> str:
    """A query's first answer as stored (`{"answer": …}`; a refusal's has a `code`)."""
    return json.dumps({"answer": answer}, ensure_ascii=False, default=str, sort_keys=True)


def answer_kept(stored: str) -> dict[str, Any] | None:
    """The query's answer kept for a key, or None if what is kept is a refusal."""
    found: dict[str, Any] = json.loads(stored)
    return found.get("answer") if "code" not in found else None


class ReplayedRefusal(errors.LedgerError):
    """A refusal given again to the same Idempotency-Key: the first answer's code and words, marked replayed."""

    replayed = True

    def __init__(self, answer: str) -> None:
        stored: dict[str, Any] = json.loads(answer)
        super().__init__(stored["detail"], zh=stored["zh"])
        self.code, self.kind = stored["code"], stored["kind"]
        self._contexts: dict[str, dict[str, object]] = stored["context"]
        self.context = self._contexts["en"]

    def context_in(self, lang: str) -> dict[str, object]:
        return self._contexts.get(lang, self.context)
