"""How a service shows its consumer's status over HTTP (health and audit endpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from pydantic import BaseModel, Field

from services.messaging.consumer import ConsumerStatus
from services.messaging.relay import RelayStatus


class ConsumerReport(BaseModel):
    """The JetStream consumer that feeds this service."""

    connected: bool
    applied: int = Field(description="Events applied since this process started.")
    duplicates: int = Field(description="Messages dropped because their event was already applied.")
    parked: int = Field(description="Messages put on the dead-letter stream.")
    waiting: dict[str, int] = Field(
        description="Antenne -> last position applied while a later event waits: the next one is missing "
        "(it is waited for, never skipped)."
    )
    positions: dict[str, int] = Field(description="Antenne -> last position applied by this process.")
    last_error: str | None

    @classmethod
    def of(cls, status: ConsumerStatus) -> ConsumerReport:
        """Copy the consumer's live status (dicts copied: the consumer keeps changing them)."""
        return cls(
            connected=status.connected,
            applied=status.applied,
            duplicates=status.duplicates,
            parked=status.parked,
            waiting=dict(status.waiting),
            positions=dict(status.positions),
            last_error=status.last_error,
        )


def get_consumer_status(request: Request) -> ConsumerStatus:
    """What the service's chain consumer (built by its lifespan) has done so far."""
    status: ConsumerStatus = request.app.state.consumer.status
    return status


StatusDep = Annotated[ConsumerStatus, Depends(get_consumer_status)]


class RelayReport(BaseModel):
    """A relay that publishes this service's events to NATS."""

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
