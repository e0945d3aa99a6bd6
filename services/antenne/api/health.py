"""Health without the token: the process answers and says whether its events flow."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.antenne.api.deps import RelayDep
from services.antenne.relay import RelayStatus


class RelayReport(BaseModel):
    """The relay that publishes this antenne's events to NATS."""

    connected: bool
    position: int | None = Field(description="Last notification id published and acknowledged.")
    backlog: int = Field(description="Notifications stored but not yet relayed.")
    last_publish_at: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, relay_status: RelayStatus) -> RelayReport:
        """Copy the relay's status."""
        return cls(
            connected=relay_status.connected,
            position=relay_status.position,
            backlog=relay_status.backlog,
            last_publish_at=relay_status.last_publish_at,
            last_error=relay_status.last_error,
        )


class Health(BaseModel):
    """The process answers; the relay's status says whether events flow."""

    status: str
    antenne_id: str
    relay: RelayReport


health_router = APIRouter()


@health_router.get("/healthz", tags=["health"])
def health(relay: RelayDep) -> Health:
    """Liveness, with the relay's status (no token needed)."""
    return Health(status="ok", antenne_id=relay.antenne_id, relay=RelayReport.of(relay.current_status()))
