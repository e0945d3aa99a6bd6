"""The antenne's JSON API: members and exchanges behind the token, health without it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, status
from pydantic import BaseModel, Field

from contracts.antenne.v1 import Category
from services.antenne.application import Antenne, ExchangeDetails
from services.antenne.domain import ExchangeStatus
from services.antenne.relay import Relay, RelayStatus
from services.auth import require_token


def get_antenne(request: Request) -> Antenne:
    """The antenne application built by the app's lifespan."""
    antenne: Antenne = request.app.state.antenne
    return antenne


def get_relay(request: Request) -> Relay:
    """The relay built by the app's lifespan (running or not)."""
    relay: Relay = request.app.state.relay
    return relay


AntenneDep = Annotated[Antenne, Depends(get_antenne)]
RelayDep = Annotated[Relay, Depends(get_relay)]


class NewMember(BaseModel):
    """A neighbour signing up at the permanence."""

    display_name: str = Field(
        min_length=1, max_length=200, description="What the coordinators call them; stays at the antenne."
    )


class MemberRegistered(BaseModel):
    """The id of the member just registered."""

    member_id: UUID


class NewExchange(BaseModel):
    """Help one member gave another, as a coordinator records it."""

    helper_id: UUID
    recipient_id: UUID
    # Strict: 1.5 or "4" is refused, never rounded; the range is the antenne's rule (ANTENNE_MAX_QUARTERS).
    quarters: int = Field(strict=True, description="Time given, in whole quarter hours.")
    category: Category
    performed_on: date


class ExchangeState(BaseModel):
    """Where an exchange stands."""

    exchange_id: UUID
    status: ExchangeStatus


class Exchange(BaseModel):
    """Everything known of one exchange."""

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(description="Time given, in quarter hours.")
    category: Category
    performed_on: date
    status: ExchangeStatus

    @classmethod
    def of(cls, details: ExchangeDetails) -> Exchange:
        """The response for an exchange's details."""
        return cls(
            exchange_id=details.exchange_id,
            helper_id=details.helper_id,
            recipient_id=details.recipient_id,
            quarters=details.quarters,
            category=details.category,
            performed_on=details.performed_on,
            status=details.status,
        )


class Balance(BaseModel):
    """A member's time credits at this antenne: positive when they gave more help than they received."""

    member_id: UUID
    quarters: int = Field(description="Balance in quarter hours.")


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


router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_token)])
health_router = APIRouter()


@router.post("/members", status_code=status.HTTP_201_CREATED, tags=["members"])
def register_member(body: NewMember, antenne: AntenneDep) -> MemberRegistered:
    """Register a neighbour; their name stays at this antenne."""
    return MemberRegistered(member_id=antenne.register_member(body.display_name))


@router.get("/members/{member_id}/balance", tags=["members"])
def get_balance(member_id: UUID, antenne: AntenneDep) -> Balance:
    """A member's time credits at this antenne, in quarter hours."""
    return Balance(member_id=member_id, quarters=antenne.balance(member_id))


@router.post("/exchanges", status_code=status.HTTP_201_CREATED, tags=["exchanges"])
def record_exchange(body: NewExchange, antenne: AntenneDep) -> ExchangeState:
    """Record help given by one member to another; it counts once confirmed."""
    exchange_id = antenne.record_exchange(
        body.helper_id, body.recipient_id, body.quarters, body.category, body.performed_on
    )
    return ExchangeState(exchange_id=exchange_id, status=ExchangeStatus.PENDING)


@router.post("/exchanges/{exchange_id}/confirm", tags=["exchanges"])
def confirm_exchange(exchange_id: UUID, antenne: AntenneDep) -> ExchangeState:
    """Confirm a pending exchange: the helper earns the quarters, the recipient spends them."""
    antenne.confirm_exchange(exchange_id)
    return ExchangeState(exchange_id=exchange_id, status=ExchangeStatus.CONFIRMED)


@router.get("/exchanges/{exchange_id}", tags=["exchanges"])
def get_exchange(exchange_id: UUID, antenne: AntenneDep) -> Exchange:
    """One exchange and its status."""
    return Exchange.of(antenne.get_exchange(exchange_id))


@health_router.get("/healthz", tags=["health"])
def health(relay: RelayDep) -> Health:
    """Liveness, with the relay's status (no token needed)."""
    return Health(status="ok", antenne_id=relay.antenne_id, relay=RelayReport.of(relay.current_status()))
