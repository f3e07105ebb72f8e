"""Every refusal the ledger can give, each with a stable machine code.

The codes are part of the contract (`../shared/spec/contract.md`); the API maps each error to
problem+json in one place, so the domain never thinks in HTTP terms.
"""
from __future__ import annotations


class LedgerError(Exception):
    """A command the ledger refuses. Nothing is written when one is raised."""

    code = "ledger_error"
    kind = "invalid"  # invalid | forbidden | conflict | not_found | unavailable

    def __init__(self, detail: str, *, zh: str | None = None, **context: object) -> None:
        super().__init__(detail)
        self.detail = detail
        # The same refusal for a Chinese reader (api/problems.py picks by Accept-Language); None: the API
        # renders one from the code's Chinese title and the English detail.
        self.zh = zh
        self.context = context

    def in_language(self, lang: str) -> str | None:
        """The detail in `lang` when the raise site gave one."""
        return self.zh if lang == "zh" else self.detail

    def context_in(self, lang: str) -> dict[str, object]:
        """The context (the problem's extension members) for a reader of `lang`: as given, unless a refusal's
        context holds words of its own (a bank statement's refused lines)."""
        return self.context


class InvalidInput(LedgerError):
    code = "invalid_request"


class InvalidUscc(InvalidInput):
    code = "invalid_uscc"


class InvalidAmount(InvalidInput):
    code = "invalid_amount"


class MissingFact(InvalidInput):
    """The claim lacks a fact its programme needs (a tier, a rank, a basis amount...)."""

    code = "missing_field"


class UnknownProgramme(InvalidInput):
    code = "unknown_programme"


class UnknownTier(InvalidInput):
    code = "unknown_tier"


class NotAnUpgrade(InvalidInput):
    code = "not_an_upgrade"


class PolicyRefusal(LedgerError):
    """A well-formed command the policy does not allow."""

    kind = "conflict"


class OutsidePolicyTerm(PolicyRefusal):
    code = "outside_policy_term"


class NotEligible(PolicyRefusal):
    code = "not_eligible"


class CapExceeded(PolicyRefusal):
    code = "cap_exceeded"


class AlreadyAwarded(PolicyRefusal):
    code = "already_awarded"


class Superseded(PolicyRefusal):
    code = "superseded"


class FundExhausted(PolicyRefusal):
    code = "fund_exhausted"


class OverApproved(PolicyRefusal):
    code = "over_approved"


class OverRecovered(PolicyRefusal):
    """A repayment above what a recovery still has outstanding."""

    code = "over_recovered"


class InvalidState(PolicyRefusal):
    """The command does not fit the current state (approving a rejected claim, say)."""

    code = "invalid_state"


class Conflict(LedgerError):
    """Already known, or an idempotency key reused for another command."""

    kind = "conflict"
    code = "conflict"


class NotFound(LedgerError):
    kind = "not_found"
    code = "not_found"


class Forbidden(LedgerError):
    kind = "forbidden"
    code = "forbidden"


class NotLeadBureau(Forbidden):
    code = "not_lead_bureau"


class ConcurrencyExhausted(LedgerError):
    """Retries ran out under contention; the command wrote nothing and may be sent again."""

    kind = "unavailable"
    code = "busy"


class LongQueriesBusy(LedgerError):
    """As many long queries as a process runs at once are running (api/long_queries.py); nothing was changed."""

    kind = "unavailable"
    code = "busy"


class InvalidCatalogue(InvalidInput):
    """A draft catalogue (the policy sandbox) that does not describe a policy: the field and line at fault."""

    code = "invalid_catalogue"
