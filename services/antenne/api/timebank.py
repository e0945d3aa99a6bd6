"""The timebank: help recorded in quarter hours, confirmed, disputed, rejected or reversed."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from contracts.antenne.v1 import Category
from services.antenne.api.deps import API, PROTECTED, ActorDep, AntenneDep, KeyDep, Page, PageDep
from services.antenne.application import ExchangeDetails
from services.antenne.application.timebank import details_of
from services.antenne.domain import ExchangeStatus


class NewExchange(BaseModel):
    """Help one member gave another, as the helper or a coordinator records it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "helper_id": "0b6f2c1d-9a10-4a57-9d1f-6f1c0e558d4e",
                    "recipient_id": "6f1c0e55-8d4e-4a57-9d1f-0b6f2c1d9a10",
                    "quarters": 6,
                    "category": "transport",
                    "performed_on": "2026-11-20",
                }
            ]
        }
    )

    helper_id: UUID
    recipient_id: UUID
    # Strict: 1.5 or "4" is refused, never rounded; the range is the antenne's rule (ANTENNE_MAX_QUARTERS).
    quarters: int = Field(strict=True, description="Time given, in whole quarter hours.")
    category: Category
    performed_on: date = Field(description="When the help was given; the antenne limits how far back.")
    request_id: UUID | None = Field(default=None, description="The help request this closes, if any.")


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
    recorded_on: date | None = None
    request_id: UUID | None = None
    held_by: list[str] = Field(default_factory=list, description="Rules that hold it for review.")
    four_eyes: bool = Field(default=False, description="A second coordinator, not its recorder, approves.")
    recorded_by: str = ""
    approved_by: str | None = None

    @classmethod
    def of(cls, details: ExchangeDetails) -> Exchange:
        """The response for an exchange's details."""
        return cls(**{**details.__dict__, "held_by": list(details.held_by)})


class Note(BaseModel):
    """Why; free text that stays at this antenne."""

    note: str = Field(default="", max_length=2000)


class Accepted(BaseModel):
    """The exchanges accepted automatically."""

    exchange_ids: list[UUID]


router = APIRouter(prefix=f"{API}/exchanges", tags=["exchanges"], dependencies=PROTECTED)


@router.post("", status_code=status.HTTP_201_CREATED)
def record_exchange(body: NewExchange, antenne: AntenneDep, key: KeyDep, actor: ActorDep) -> ExchangeState:
    """Record help given by one member to another; it counts once confirmed; the abuse guard may hold it."""
    exchange_id = antenne.record_exchange(
        body.helper_id, body.recipient_id, body.quarters, body.category, body.performed_on,
        request_id=body.request_id, recorded_by=actor.actor_id, idempotency_key=key,
    )  # fmt: skip
    return _state(antenne.get_exchange(exchange_id))


@router.get("")
def list_exchanges(
    antenne: AntenneDep, page: PageDep, member_id: UUID | None = None, status: ExchangeStatus | None = None
) -> Page[Exchange]:
    """Exchanges in the order recorded, of one member or in one status, paginated."""
    return Page.of([Exchange.of(details_of(e)) for e in antenne.exchanges(member_id, status)], page)


@router.post("/auto-accept")
def accept_overdue_exchanges(antenne: AntenneDep) -> Accepted:
    """Confirm every pending, undisputed exchange older than the antenne's waiting time."""
    return Accepted(exchange_ids=antenne.accept_overdue_exchanges())


@router.get("/{exchange_id}")
def get_exchange(exchange_id: UUID, antenne: AntenneDep) -> Exchange:
    """One exchange and its status."""
    return Exchange.of(antenne.get_exchange(exchange_id))


@router.post("/{exchange_id}/confirm")
def confirm_exchange(exchange_id: UUID, antenne: AntenneDep, key: KeyDep) -> ExchangeState:
    """Confirm a pending exchange: the helper earns the quarters, the recipient spends them."""
    antenne.confirm_exchange(exchange_id, idempotency_key=key)
    return _state(antenne.get_exchange(exchange_id))


@router.post("/{exchange_id}/dispute")
def dispute_exchange(exchange_id: UUID, body: Note, antenne: AntenneDep, key: KeyDep) -> ExchangeState:
    """The recipient or a coordinator disputes pending help: it waits for a coordinator."""
    antenne.dispute_exchange(exchange_id, body.note, idempotency_key=key)
    return _state(antenne.get_exchange(exchange_id))


@router.post("/{exchange_id}/approve")
def approve_exchange(exchange_id: UUID, antenne: AntenneDep, key: KeyDep, actor: ActorDep) -> ExchangeState:
    """A coordinator reviewed a held exchange and lets it go on; above four eyes, not its recorder."""
    antenne.approve_exchange(exchange_id, actor.actor_id, idempotency_key=key)
    return _state(antenne.get_exchange(exchange_id))


@router.post("/{exchange_id}/reject")
def reject_exchange(exchange_id: UUID, antenne: AntenneDep, key: KeyDep) -> ExchangeState:
    """A coordinator decides recorded help does not count."""
    antenne.reject_exchange(exchange_id, idempotency_key=key)
    return _state(antenne.get_exchange(exchange_id))


@router.post("/{exchange_id}/reverse")
def reverse_exchange(exchange_id: UUID, body: Note, antenne: AntenneDep, key: KeyDep) -> ExchangeState:
    """Undo a confirmed exchange by an opposite entry; the original stays on record."""
    antenne.reverse_exchange(exchange_id, body.note, idempotency_key=key)
    return _state(antenne.get_exchange(exchange_id))


def _state(details: ExchangeDetails) -> ExchangeState:
    return ExchangeState(exchange_id=details.exchange_id, status=details.status)
