"""Read models the ledger's queries use: projections of the notification log, kept exactly once.

`ReadModels` answers queries; `Projector` keeps the read models following the log; `rebuild` replays
them from scratch (resumably) and `check` compares them with a fresh replay.
"""
from projections.readmodels import ReadModels
from projections.runner import Projector, check, rebuild

__all__ = ["Projector", "ReadModels", "check", "rebuild"]
