"""The antenne's JSON API: everything behind the token under /api/v1, health without it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.antenne.api import matching, members, timebank
from services.antenne.api.health import health_router
from services.auth import require_token

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)])
router.include_router(members.router)
router.include_router(matching.router)
router.include_router(timebank.router)

__all__ = ["health_router", "router"]
