"""The policy's rules as pure functions: no I/O, no clock, no framework."""
from ledger.rules.entitlement import Entitlement, Plan, entitle, evaluate, find_programme, prepare
from ledger.rules.facts import AccountState, ClaimFacts, Entry, Membership, OrganisationFacts

__all__ = ["AccountState", "ClaimFacts", "Entitlement", "Entry", "Membership", "OrganisationFacts", "Plan",
           "entitle", "evaluate", "find_programme", "prepare"]
