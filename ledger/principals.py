"""Who acts: a named principal with a role, and for bureaus the bureau it speaks for."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BUREAU = "bureau"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role
    bureau: str | None = None

    def __str__(self) -> str:
        return self.name if self.bureau is None else f"{self.name} ({self.role.value}:{self.bureau})"
