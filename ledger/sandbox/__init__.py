"""The policy sandbox: the recorded ledger replayed under a draft catalogue beside the catalogue in force."""
from ledger.sandbox.simulation import Simulation, simulate, simulate_ledger

__all__ = ["Simulation", "simulate", "simulate_ledger"]
