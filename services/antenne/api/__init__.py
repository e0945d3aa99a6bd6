"""The antenne's JSON API: everything behind the token under /api/v1, health without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.antenne.api import (
    activities,
    donations,
    imports,
    matching,
    members,
    moving,
    portable,
    privacy,
    timebank,
    transfers,
    vouchers,
)
from services.antenne.api.health import health_router

if TYPE_CHECKING:
    from fastapi import APIRouter

# Included one by one (never nested): the metrics label each request by its full route template.
routers: tuple[APIRouter, ...] = (
    moving.router,  # before members: /members/arrivals is not a member id
    members.router,
    portable.router,
    imports.router,
    matching.router,
    timebank.router,
    donations.router,
    transfers.router,
    vouchers.router,
    activities.router,
    privacy.router,
    health_router,
)

__all__ = ["routers"]
