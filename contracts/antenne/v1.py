"""Version 1 of the events an antenne publishes.

Only ids, amounts, categories, dates and coarse facts (an age band, a sector) travel: names, contact
details, member numbers and free text stay in the antenne's own store (invariant 8).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.base import Contract


class Category(StrEnum):
    """What kind of help was given."""

    TRANSPORT = "transport"
    SHOPPING = "shopping"
    DIGITAL = "digital"
    COMPANY = "company"
    OUTINGS = "outings"
    PETS = "pets"
    SMALL_JOBS = "small_jobs"
    ADMINISTRATION = "administration"
    OTHER = "other"


class MemberRegistered(Contract):
    """A neighbour joined the antenne."""

    TYPE: ClassVar[str] = "member.registered"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    registered_on: date
    age_band: str | None = Field(default=None, description="Such as `65-79`; never the birth year.")
    sector: str | None = Field(default=None, description="The neighbourhood sector, a coarse area.")
    gives: list[Category] = Field(default_factory=list, description="What they would like to do for others.")
    asks: list[Category] = Field(default_factory=list, description="What they would like help with.")


class ExchangeRecorded(Contract):
    """A coordinator recorded help given by one member to another; not yet confirmed."""

    TYPE: ClassVar[str] = "exchange.recorded"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given, in quarter hours.")
    category: Category
    performed_on: date


class ExchangeConfirmed(Contract):
    """The recorded help was confirmed: the helper earns the quarters, the recipient spends them."""

    TYPE: ClassVar[str] = "exchange.confirmed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given, in quarter hours.")
    category: Category
    performed_on: date
    confirmed_on: date | None = Field(default=None, description="When it was confirmed (booked).")
    automatically: bool = Field(default=False, description="Accepted after the waiting time, unconfirmed.")


class MemberStatus(StrEnum):
    """Whether a member takes part."""

    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"
    MOVED = "moved"


class MemberProfileUpdated(Contract):
    """A member's coarse profile facts changed."""

    TYPE: ClassVar[str] = "member.profile_updated"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    age_band: str | None = None
    sector: str | None = None
    gives: list[Category] = Field(default_factory=list)
    asks: list[Category] = Field(default_factory=list)


class MemberStatusChanged(Contract):
    """A member paused, came back, left, or moved to another antenne."""

    TYPE: ClassVar[str] = "member.status_changed"
    VERSION: ClassVar[int] = 1

    member_id: UUID
    status: MemberStatus
    changed_on: date


class RequestOutcome(StrEnum):
    """How a help request ended."""

    DONE = "done"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class HelpRequestOpened(Contract):
    """A member asked for help; the description stays at the antenne."""

    TYPE: ClassVar[str] = "help_request.opened"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    member_id: UUID
    category: Category
    sector: str | None = None
    opened_on: date


class HelpRequestMatched(Contract):
    """The helper a coordinator proposed accepted the request."""

    TYPE: ClassVar[str] = "help_request.matched"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    helper_id: UUID


class HelpRequestClosed(Contract):
    """A help request ended: help was recorded, or it was cancelled or expired."""

    TYPE: ClassVar[str] = "help_request.closed"
    VERSION: ClassVar[int] = 1

    request_id: UUID
    outcome: RequestOutcome
    closed_on: date
    exchange_id: UUID | None = None


class HelpOfferMade(Contract):
    """A member offers help in a category; the description stays at the antenne."""

    TYPE: ClassVar[str] = "help_offer.made"
    VERSION: ClassVar[int] = 1

    offer_id: UUID
    member_id: UUID
    category: Category
    made_on: date


class HelpOfferWithdrawn(Contract):
    """A member no longer offers this."""

    TYPE: ClassVar[str] = "help_offer.withdrawn"
    VERSION: ClassVar[int] = 1

    offer_id: UUID
    withdrawn_on: date


class ExchangeDisputed(Contract):
    """Recorded help was disputed: it waits for a coordinator, never accepted automatically."""

    TYPE: ClassVar[str] = "exchange.disputed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    disputed_on: date


class ExchangeRejected(Contract):
    """Recorded help was judged not to count; no credits moved."""

    TYPE: ClassVar[str] = "exchange.rejected"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    rejected_on: date


class ExchangeReversed(Contract):
    """A confirmed exchange was undone by an opposite entry: the credits go back where they came from."""

    TYPE: ClassVar[str] = "exchange.reversed"
    VERSION: ClassVar[int] = 1

    exchange_id: UUID
    helper_id: UUID
    recipient_id: UUID
    quarters: int = Field(gt=0, description="Time given back, in quarter hours.")
    reversed_on: date
