"""The envelope every integration event travels in: CloudEvents 1.0, structured JSON mode.

See docs/decisions/0002-cloudevents-envelope.md. The extension attributes (lowercase, as CloudEvents
requires) carry what our consumers need for exactly-once, in-order delivery: the antenne's own
notification `position` and the `previousposition` it follows (a chain that makes a lost message
visible).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Self
from uuid import UUID, uuid5

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from contracts.base import Contract
from contracts.subjects import ANTENNE_ID_PATTERN, LEDGER_PRODUCER
from contracts.upcasting import read_payload

CONTENT_TYPE = "application/cloudevents+json"
EVENT_ID_NAMESPACE = UUID("6f1c7a52-9a3e-4f0e-9b8e-2a5d3f0c1b77")


class StructuredCloudEvent(BaseModel):
    """What every message of ours shares: CloudEvents 1.0 in structured JSON mode, a contract in `data`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    if TYPE_CHECKING:  # declared by each envelope, in its own field order
        type: str
        schemaversion: int
        data: dict[str, Any]

    def payload(self) -> Contract:
        """The payload in its current version (upcast); raises UnknownContractError or ValidationError."""
        return read_payload(self.type, self.schemaversion, self.data)

    def to_bytes(self) -> bytes:
        """Structured-mode CloudEvents JSON."""
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Self:
        """Parse structured-mode CloudEvents JSON; raises pydantic.ValidationError."""
        return cls.model_validate_json(raw)


class Envelope(StructuredCloudEvent):
    """One integration event: CloudEvents context attributes, our extensions, and the payload."""

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(description="Event id, stable across republishes (the Nats-Msg-Id).")
    source: str = Field(
        description="`/antennes/<antenne_id>` for antenne events, `/ledger` for the ledger's."
    )
    type: str = Field(description="Contract type, `<aggregate>.<event>`.")
    time: AwareDatetime = Field(description="When the event happened at its origin (UTC).")
    subject: str = Field(description="The aggregate id, as text.")
    datacontenttype: Literal["application/json"] = "application/json"
    schemaversion: int = Field(ge=1, description="Contract version of `data`.")
    antenneid: str = Field(
        pattern=ANTENNE_ID_PATTERN,
        description="Whose chain the positions belong to: the antenne, or `ledger` for its decisions.",
    )
    aggregateid: UUID
    aggregateversion: int = Field(ge=1)
    position: int = Field(ge=1, description="Notification id in the antenne's own event log.")
    previousposition: int | None = Field(
        default=None, ge=1, description="Position of the antenne's previous published event."
    )
    correlationid: UUID
    causationid: UUID | None = None
    data: dict[str, Any]

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


def event_id(antenne_id: str, aggregate_id: UUID, aggregate_version: int) -> UUID:
    """A deterministic event id, so that a republished event keeps its id (and is deduplicated)."""
    return uuid5(EVENT_ID_NAMESPACE, f"{antenne_id}/{aggregate_id}/{aggregate_version}")


def antenne_source(antenne_id: str) -> str:
    """The CloudEvents `source` of an antenne."""
    return f"/antennes/{antenne_id}"


def wrap(
    payload: Contract,
    *,
    antenne_id: str,
    aggregate_id: UUID,
    aggregate_version: int,
    occurred_at: datetime,
    position: int,
    previous_position: int | None,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
) -> Envelope:
    """Put a contract payload in its envelope."""
    this_id = event_id(antenne_id, aggregate_id, aggregate_version)
    return Envelope(
        id=this_id,
        source=antenne_source(antenne_id),
        type=payload.TYPE,
        time=occurred_at,
        subject=str(aggregate_id),
        schemaversion=payload.VERSION,
        antenneid=antenne_id,
        aggregateid=aggregate_id,
        aggregateversion=aggregate_version,
        position=position,
        previousposition=previous_position,
        correlationid=correlation_id or this_id,
        causationid=causation_id,
        data=payload.model_dump(mode="json"),
    )


LEDGER_SOURCE = "/ledger"


def ledger_event_id(addressee: str, aggregate_id: UUID, aggregate_version: int) -> UUID:
    """A deterministic id for a ledger decision sent to one antenne (one event may go to several)."""
    return uuid5(EVENT_ID_NAMESPACE, f"{LEDGER_SOURCE}/{addressee}/{aggregate_id}/{aggregate_version}")


def wrap_ledger_decision(
    payload: Contract,
    *,
    addressee: str,
    aggregate_id: UUID,
    aggregate_version: int,
    occurred_at: datetime,
    position: int,
    previous_position: int | None,
) -> Envelope:
    """Put a ledger decision in its envelope: positions are the ledger's, chained per addressee."""
    this_id = ledger_event_id(addressee, aggregate_id, aggregate_version)
    return Envelope(
        id=this_id,
        source=LEDGER_SOURCE,
        type=payload.TYPE,
        time=occurred_at,
        subject=str(aggregate_id),
        schemaversion=payload.VERSION,
        antenneid=LEDGER_PRODUCER,
        aggregateid=aggregate_id,
        aggregateversion=aggregate_version,
        position=position,
        previousposition=previous_position,
        correlationid=this_id,
        data=payload.model_dump(mode="json"),
    )


class FeedEnvelope(StructuredCloudEvent):
    """One message of an alliance partner's feed: CloudEvents 1.0 as well, without the antenne's chain.

    `time` is the start of the ISO week the message is about (never when something happened exactly),
    `subject` the week; an antenne's positions and aggregate ids are not shown to partners.
    """

    specversion: Literal["1.0"] = "1.0"
    id: UUID = Field(description="Message id, the same whenever it is published again (the Nats-Msg-Id).")
    source: str = Field(description="`/partners/<partner_id>/feed`.")
    type: str = Field(description="Contract type, `partner.<what>`.")
    time: AwareDatetime = Field(description="Monday 00:00 UTC of the week the message is about.")
    subject: str = Field(description="The ISO week, such as 2026-W47.")
    datacontenttype: Literal["application/json"] = "application/json"
    schemaversion: int = Field(ge=1, description="Contract version of `data`.")
    partnerid: str = Field(pattern=ANTENNE_ID_PATTERN)
    data: dict[str, Any]
