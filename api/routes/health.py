"""Liveness: answered without a principal, so load balancers and the acceptance harness can poll it."""
from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api.schemas.common import PublicModel

router = APIRouter(tags=["health"])


class Health(PublicModel):
    status: Literal["ok"]


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Answer 200 while the service is up; needs no token."""
    return {"status": "ok"}
